"""Signing and sending transactions: local keys, managed nonces, decoded reverts."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress, HexStr
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError
from web3.types import TxParams, TxReceipt, Wei

from rdh_chain.exceptions import TransactionError
from rdh_chain.reverts import RevertDecoder

# Estimates are exact for the state they ran on; the margin covers state that moves
# between estimate and inclusion (a claim that must walk one more epoch, say).
GAS_MARGIN_PERCENT = 20
_FIRST_POLL_S = 0.002
_MAX_POLL_S = 0.5


@dataclass(frozen=True)
class UnsignedTx:
    """A transaction for a member's own wallet to sign and send: estimated from its address,
    at its next nonce, on this chain (a gas price of 0 on free-gas networks)."""

    to: ChecksumAddress
    sender: ChecksumAddress
    data: HexStr
    value: int
    gas: int
    gas_price: int
    chain_id: int
    nonce: int

    def as_rpc(self) -> dict[str, str]:
        """The ``eth_sendTransaction`` parameter (EIP-1193): hex quantities, ``from`` included."""
        return {
            "from": self.sender,
            "to": self.to,
            "data": self.data,
            "value": hex(self.value),
            "gas": hex(self.gas),
            "gasPrice": hex(self.gas_price),
            "chainId": hex(self.chain_id),
            "nonce": hex(self.nonce),
        }

    def as_signable(self) -> dict[str, Any]:
        """The transaction as eth-account's ``sign_transaction`` takes it (legacy, EIP-155)."""
        return {
            "to": self.to,
            "data": self.data,
            "value": self.value,
            "gas": self.gas,
            "gasPrice": self.gas_price,
            "chainId": self.chain_id,
            "nonce": self.nonce,
        }


def build_transaction(
    w3: Web3,
    decoder: RevertDecoder,
    sender: ChecksumAddress,
    to: ChecksumAddress,
    data: HexStr,
    *,
    action: str,
) -> UnsignedTx:
    """``data`` to ``to`` as ``sender`` would send it: estimated first (a call bound to
    revert raises its decoded custom error, so nothing is handed out that would fail), with
    the same gas margin and gas price rule as :class:`TxSender`, at ``sender``'s pending
    nonce."""
    call: TxParams = {"from": sender, "to": to, "data": data, "value": Wei(0)}
    try:
        gas = w3.eth.estimate_gas(call)
    except ContractLogicError as exc:
        raise decoder.decode(revert_data(exc), action=action) from exc
    return UnsignedTx(
        to=to,
        sender=sender,
        data=data,
        value=0,
        gas=gas + gas * GAS_MARGIN_PERCENT // 100,
        gas_price=gas_price(w3),
        chain_id=int(w3.eth.chain_id),
        nonce=int(w3.eth.get_transaction_count(sender, "pending")),
    )


def gas_price(w3: Web3) -> int:
    """The gas price to pay: 0 where the base fee is 0, the node's suggestion otherwise.

    Free-gas permissioned networks (Besu with zeroBaseFee, anvil --base-fee 0) run with a
    base fee of 0 yet still suggest a priority tip; there we pay nothing, so unfunded member
    wallets can sign.
    """
    base_fee = w3.eth.get_block("latest").get("baseFeePerGas")
    return 0 if base_fee == 0 else int(w3.eth.gas_price)


@dataclass(frozen=True)
class TxResult:
    """A mined, successful transaction."""

    tx_hash: HexBytes
    receipt: TxReceipt

    @property
    def gas_used(self) -> int:
        return int(self.receipt["gasUsed"])

    @property
    def block_number(self) -> int:
        return int(self.receipt["blockNumber"])


class TxSender:
    """Sends transactions signed by one local account.

    Nonces are kept here, so back-to-back sends need no round trip to the node for
    each; one sender per account and process (it is thread-safe). Every transaction
    is estimated first, which is where reverts surface with their custom error.
    """

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        decoder: RevertDecoder,
        *,
        receipt_timeout: float = 120.0,
    ) -> None:
        self.w3 = w3
        self.account = account
        self.decoder = decoder
        self.receipt_timeout = receipt_timeout
        self._lock = threading.Lock()
        self._chain_id = w3.eth.chain_id
        self._gas_price: int | None = None
        self._nonce: int | None = None

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    def refresh(self) -> None:
        """Forget the cached nonce and gas price; the next send asks the node again."""
        with self._lock:
            self._nonce = None
            self._gas_price = None

    def transact(self, to: ChecksumAddress | None, data: HexStr, *, action: str) -> TxResult:
        """Estimate, sign, send and wait for one transaction; raise the decoded revert."""
        return self.wait(self.submit(to, data, action=action), action=action)

    def submit(self, to: ChecksumAddress | None, data: HexStr, *, action: str) -> HexBytes:
        """Estimate, sign and send; return the hash without waiting for inclusion."""
        call: TxParams = {"from": self.address, "data": data, "value": Wei(0)}
        if to is not None:
            call["to"] = to
        with self._lock:
            try:
                gas = self.w3.eth.estimate_gas(call)
            except ContractLogicError as exc:
                raise self.decoder.decode(revert_data(exc), action=action) from exc
            tx: dict[str, Any] = {
                **call,
                "gas": gas + gas * GAS_MARGIN_PERCENT // 100,
                "gasPrice": self._current_gas_price(),
                "nonce": self._next_nonce(),
                "chainId": self._chain_id,
            }
            signed = self.account.sign_transaction(tx)
            try:
                tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
            except (Web3RPCError, ValueError) as exc:
                self._nonce = None  # the node did not take it: resync before the next send
                raise TransactionError(
                    f"{action}: the node rejected the transaction ({exc})."
                ) from exc
            self._nonce = int(tx["nonce"]) + 1
            return tx_hash

    def wait(self, tx_hash: HexBytes, *, action: str) -> TxResult:
        """Wait for ``tx_hash``; a revert at inclusion is replayed to decode its error."""
        receipt = self._poll_receipt(tx_hash)
        if receipt is None:
            raise TransactionError(
                f"{action}: not mined within {self.receipt_timeout:.0f} s "
                f"(tx {tx_hash.to_0x_hex()}); check that the chain is producing blocks."
            )
        if receipt["status"] != 1:
            raise replay_revert(self.w3, self.decoder, tx_hash, receipt, action)
        return TxResult(tx_hash=tx_hash, receipt=receipt)

    def _poll_receipt(self, tx_hash: HexBytes) -> TxReceipt | None:
        # A node that mines on arrival (anvil, a QBFT network with short blocks) has the
        # receipt within milliseconds: start polling fast and back off towards block time,
        # rather than web3's fixed 100 ms sleep that would cap a sender at ~10 tx/s.
        deadline = time.monotonic() + self.receipt_timeout
        delay = _FIRST_POLL_S
        while True:
            try:
                return self.w3.eth.get_transaction_receipt(tx_hash)
            except TransactionNotFound:
                pass
            if time.monotonic() + delay > deadline:
                return None
            time.sleep(delay)
            delay = min(delay * 2, _MAX_POLL_S)

    def _next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = self.w3.eth.get_transaction_count(self.address, "pending")
        return self._nonce

    def _current_gas_price(self) -> int:
        # See `gas_price`; read once per sender, again after `refresh()`.
        if self._gas_price is None:
            self._gas_price = gas_price(self.w3)
        return self._gas_price


def replay_revert(
    w3: Web3, decoder: RevertDecoder, tx_hash: HexBytes, receipt: TxReceipt, action: str
) -> TransactionError:
    """The error of a transaction that reverted at inclusion, recovered by re-running it.

    Its exact state (mid-block) is not reachable over standard JSON-RPC, so it is replayed
    after its block (where whatever beat it in the block has happened) and, failing that,
    before it.
    """
    tx = w3.eth.get_transaction(tx_hash)
    call: TxParams = {"from": tx["from"], "data": tx["input"], "value": tx["value"]}
    if tx.get("to") is not None:
        call["to"] = tx["to"]
    block = receipt["blockNumber"]
    for at in (block, block - 1):
        try:
            w3.eth.call(call, block_identifier=at)
        except ContractLogicError as exc:
            return decoder.decode(revert_data(exc), action=action)
    return TransactionError(
        f"{action}: reverted at inclusion (tx {tx_hash.to_0x_hex()}), reason unknown; "
        "check its gas limit and the state it depended on."
    )


def revert_data(exc: ContractLogicError) -> str | None:
    """The hex revert data web3 attached to ``exc``, however the node shaped it."""
    data = exc.data
    if isinstance(data, dict):  # some nodes wrap it: {"data": "0x..."}
        data = data.get("data")
    return data if isinstance(data, str) else None
