"""Client for EMCFactory."""

from __future__ import annotations

from eth_typing import ChecksumAddress
from web3.types import BlockIdentifier

from rdh_chain import events
from rdh_chain.contracts.base import ContractClient
from rdh_chain.tx import TxResult, UnsignedTx
from rdh_chain.types import Criteria, EmcTerms, Strategy


class FactoryClient(ContractClient):
    artifact_name = "EMCFactory"

    def create_emc(
        self,
        owner: ChecksumAddress,
        strategy: Strategy,
        criteria: Criteria,
        metadata: bytes = bytes(32),
    ) -> tuple[ChecksumAddress, TxResult]:
        """Create an EMC whose terms the target guidelines generate from ``criteria``.

        Returns its address (from the EmcCreated event) and the receipt.
        """
        result = self._transact("createEmc", owner, int(strategy), criteria.as_abi(), metadata)
        return self.event(result, events.EmcCreated).emc, result

    def create_emc_tx(
        self,
        operator: ChecksumAddress,
        owner: ChecksumAddress,
        strategy: Strategy,
        criteria: Criteria,
        metadata: bytes = bytes(32),
    ) -> UnsignedTx:
        """:meth:`create_emc` as a transaction for ``operator``'s own wallet to sign."""
        return self._unsigned(
            operator, "createEmc", owner, int(strategy), criteria.as_abi(), metadata
        )

    def create_emc_with_terms(
        self, owner: ChecksumAddress, terms: EmcTerms, reason: bytes
    ) -> tuple[ChecksumAddress, TxResult]:
        """Create an EMC with terms set by hand; ``reason`` (a document hash) is recorded."""
        result = self._transact("createEmcWithTerms", owner, terms.as_abi(), reason)
        return self.event(result, events.EmcCreated).emc, result

    # -- reads (each at ``block``, the latest by default) --------------------------------

    def guidelines(self, *, block: BlockIdentifier | None = None) -> ChecksumAddress:
        return ChecksumAddress(self._call("guidelines", block=block))

    def implementation(self, *, block: BlockIdentifier | None = None) -> ChecksumAddress:
        return ChecksumAddress(self._call("implementation", block=block))

    def emc_count(self, *, block: BlockIdentifier | None = None) -> int:
        return int(self._call("emcCount", block=block))

    def emc_at(self, index: int, *, block: BlockIdentifier | None = None) -> ChecksumAddress:
        return ChecksumAddress(self._call("emcAt", index, block=block))

    def emcs(self, *, block: BlockIdentifier | None = None) -> list[ChecksumAddress]:
        return [self.emc_at(i, block=block) for i in range(self.emc_count(block=block))]

    def is_emc(self, address: ChecksumAddress, *, block: BlockIdentifier | None = None) -> bool:
        return bool(self._call("isEmc", address, block=block))
