"""Client for SettlementToken."""

from __future__ import annotations

from eth_typing import ChecksumAddress
from web3.types import BlockIdentifier

from rdh_chain.contracts.base import ContractClient
from rdh_chain.tx import TxResult, UnsignedTx


class TokenClient(ContractClient):
    artifact_name = "SettlementToken"

    def mint(self, to: ChecksumAddress, amount: int, ref: bytes = bytes(32)) -> TxResult:
        return self._transact("mint", to, amount, ref)

    def burn(self, amount: int, ref: bytes = bytes(32)) -> TxResult:
        return self._transact("burn", amount, ref)

    def transfer(self, to: ChecksumAddress, amount: int) -> TxResult:
        return self._transact("transfer", to, amount)

    def approve(self, spender: ChecksumAddress, amount: int) -> TxResult:
        return self._transact("approve", spender, amount)

    def approve_tx(
        self, owner: ChecksumAddress, spender: ChecksumAddress, amount: int
    ) -> UnsignedTx:
        """``approve(spender, amount)`` for ``owner``'s wallet to sign."""
        return self._unsigned(owner, "approve", spender, amount)

    # -- reads (each at ``block``, the latest by default) --------------------------------

    def balance_of(self, account: ChecksumAddress, *, block: BlockIdentifier | None = None) -> int:
        return int(self._call("balanceOf", account, block=block))

    def allowance(
        self,
        owner: ChecksumAddress,
        spender: ChecksumAddress,
        *,
        block: BlockIdentifier | None = None,
    ) -> int:
        return int(self._call("allowance", owner, spender, block=block))

    def total_supply(self, *, block: BlockIdentifier | None = None) -> int:
        return int(self._call("totalSupply", block=block))
