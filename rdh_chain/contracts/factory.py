"""Client for EMCFactory."""

from __future__ import annotations

from eth_typing import ChecksumAddress

from rdh_chain.contracts.base import ContractClient
from rdh_chain.tx import TxResult
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
        return self.event(result, "EmcCreated")["args"]["emc"], result

    def create_emc_with_terms(
        self, owner: ChecksumAddress, terms: EmcTerms, reason: bytes
    ) -> tuple[ChecksumAddress, TxResult]:
        """Create an EMC with terms set by hand; ``reason`` (a document hash) is recorded."""
        result = self._transact("createEmcWithTerms", owner, terms.as_abi(), reason)
        return self.event(result, "EmcCreated")["args"]["emc"], result

    def guidelines(self) -> ChecksumAddress:
        return ChecksumAddress(self._call("guidelines"))

    def implementation(self) -> ChecksumAddress:
        return ChecksumAddress(self._call("implementation"))

    def emc_count(self) -> int:
        return int(self._call("emcCount"))

    def emc_at(self, index: int) -> ChecksumAddress:
        return ChecksumAddress(self._call("emcAt", index))

    def emcs(self) -> list[ChecksumAddress]:
        return [self.emc_at(i) for i in range(self.emc_count())]

    def is_emc(self, address: ChecksumAddress) -> bool:
        return bool(self._call("isEmc", address))
