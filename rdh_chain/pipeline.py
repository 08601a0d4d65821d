"""Many transactions without waiting for each: estimated, signed and sent in JSON-RPC
batches, their receipts collected together, every failure reported with its row.

:class:`~rdh_chain.tx.TxSender` estimates, signs, sends and waits for one transaction at a
time: right for a person, a few hundred a second at best. A platform settling a thousand
EMCs sends thousands. :meth:`Pipeline.send` takes them all at once:

1. every call without a fixed gas limit is estimated (one batch); a call whose estimate
   reverts is *refused* with the contract's decoded error and never sent;
2. nonces are read once per sender (``pending``) and assigned here, in the order given;
3. each is signed locally (:mod:`rdh_chain.raw_tx`) and all are sent (batches);
   a transaction the node turns down is *rejected*; the nonce it held is filled with a
   zero-value transfer to the sender itself, so the sender's later calls, already sent,
   are not left waiting behind a gap;
4. receipts are polled for all of them together (batches); a receipt with status 0 is
   *reverted*, its error recovered by replaying the call.

Estimates run on the state before the batch: calls that depend on each other's effects
(a claim after the settlement that makes it claimable) go in separate ``send`` calls, or
carry a fixed ``gas``. Nothing is retried: a failed row is reported, and a batch run again
after fixing it must skip what is already on chain (the batch commands check that first).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.types import RPCEndpoint, TxReceipt

from rdh_chain.exceptions import RdhChainError, TransactionError
from rdh_chain.raw_tx import LegacySigner, LegacyTx
from rdh_chain.reverts import RevertDecoder
from rdh_chain.tx import GAS_MARGIN_PERCENT, TxResult, gas_price, replay_revert

__all__ = ["Call", "Outcome", "Pipeline", "Progress", "Report", "Status"]

# (stage, done, total): "estimated", "sent" and "mined", for a progress bar.
Progress = Callable[[str, int, int], None]

# JSON-RPC calls per HTTP request: Besu refuses batches above 1,024 by default.
BATCH_SIZE = 500
# And at most about this many bytes of parameters per request: nodes cap a request's body
# (anvil answered "Invalid request" to 500 proposals of a Haier-sized year, some of them
# 200-entry versions of 40 KB each).
BATCH_BYTES = 1_000_000
_FILLER_GAS = 21_000
_FIRST_POLL_S = 0.002
_MAX_POLL_S = 0.25
_RECEIPT_INTS = ("status", "blockNumber", "gasUsed", "cumulativeGasUsed", "transactionIndex")


@dataclass(frozen=True)
class Call:
    """One transaction to send: who signs it, where it goes, its calldata and a label
    that names its row in reports ("settle Smart Cooking period 3")."""

    sender: LocalAccount
    to: ChecksumAddress
    data: bytes
    label: str
    gas: int | None = None  # a fixed limit; None estimates it
    value: int = 0


class Status(StrEnum):
    MINED = "mined"
    REFUSED = "refused"  # its estimate reverted: never sent
    REJECTED = "rejected"  # the node turned it down when it was sent
    REVERTED = "reverted"  # mined with status 0
    NOT_MINED = "not mined"  # sent, no receipt before the timeout


@dataclass(frozen=True)
class Outcome:
    """What became of one call (``index`` is its place in the calls given)."""

    index: int
    call: Call
    status: Status
    tx_hash: HexBytes | None = None
    result: TxResult | None = None  # the receipt, for a mined or reverted call
    error: RdhChainError | None = None

    @property
    def ok(self) -> bool:
        return self.status is Status.MINED

    def describe(self) -> str:
        where = f" (tx {self.tx_hash.to_0x_hex()})" if self.tx_hash is not None else ""
        why = f": {self.error}" if self.error is not None else ""
        return f"row {self.index + 1}, {self.call.label}: {self.status}{where}{why}"


@dataclass(frozen=True)
class Report:
    """Every call's outcome, in the order the calls were given."""

    outcomes: tuple[Outcome, ...]
    fillers: int = 0  # zero-value transfers sent into the nonces of rejected calls

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def failures(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)

    def raise_for_failures(self) -> None:
        """Raise :class:`TransactionError` listing every failed row, if any failed."""
        failed = self.failures
        if failed:
            shown = "\n".join(f"  {o.describe()}" for o in failed[:20])
            more = f"\n  ... and {len(failed) - 20} more" if len(failed) > 20 else ""
            raise TransactionError(
                f"{len(failed)} of {len(self.outcomes)} transaction(s) failed; the others "
                f"are on chain. Fix these rows and run the batch again:\n{shown}{more}"
            )


@dataclass
class _Pending:
    index: int
    call: Call
    nonce: int = 0
    raw: bytes = b""
    tx_hash: HexBytes = field(default_factory=lambda: HexBytes(b""))


class Pipeline:
    """Sends batches of calls for any number of local accounts over one web3 provider."""

    def __init__(
        self,
        w3: Web3,
        decoder: RevertDecoder,
        *,
        batch_size: int = BATCH_SIZE,
        receipt_timeout: float = 120.0,
    ) -> None:
        self.w3 = w3
        self.decoder = decoder
        self.batch_size = batch_size
        self.receipt_timeout = receipt_timeout
        self._chain_id = w3.eth.chain_id
        self._signers: dict[ChecksumAddress, LegacySigner] = {}
        self.rpc_calls: Counter[str] = Counter()  # JSON-RPC calls sent, by method

    # -- JSON-RPC ----------------------------------------------------------------------

    def _batch(self, calls: Sequence[tuple[str, list[Any]]]) -> Iterator[Mapping[str, Any]]:
        """Each call's raw reply (``result`` or ``error``), in order."""
        provider = self.w3.provider
        for chunk in self._chunks(calls):
            self.rpc_calls.update(m for m, _ in chunk)
            if not hasattr(provider, "make_batch_request"):
                yield from (provider.make_request(m, p) for m, p in chunk)
                continue
            replies = provider.make_batch_request(chunk)
            if not isinstance(replies, list):  # the node refused the whole batch
                error = cast(Mapping[str, Any], replies).get("error", replies)
                raise TransactionError(
                    f"The node refused a batch of {len(chunk)} call(s) ({error}); lower the "
                    "batch size or check the node's batch limit."
                )
            yield from replies

    def _chunks(
        self, calls: Sequence[tuple[str, list[Any]]]
    ) -> Iterator[list[tuple[RPCEndpoint, list[Any]]]]:
        """``calls`` in requests of at most ``batch_size`` calls and about ``BATCH_BYTES``
        bytes of parameters (a call larger than that goes alone)."""
        chunk: list[tuple[RPCEndpoint, list[Any]]] = []
        size = 0
        for method, params in calls:
            weight = _weight(params)
            if chunk and (len(chunk) == self.batch_size or size + weight > BATCH_BYTES):
                yield chunk
                chunk, size = [], 0
            chunk.append((RPCEndpoint(method), params))
            size += weight
        if chunk:
            yield chunk

    # -- the steps ---------------------------------------------------------------------

    def send(self, calls: Sequence[Call], progress: Progress | None = None) -> Report:
        """Send every call and wait for all of them; see the module for the steps."""
        tell = progress or (lambda stage, done, total: None)
        outcomes: dict[int, Outcome] = {}
        pending = self._estimate(calls, outcomes)
        tell("estimated", len(calls), len(calls))
        self._assign_nonces(pending)
        price = gas_price(self.w3)
        fillers = self._submit(pending, price, outcomes)
        tell("sent", len(pending), len(pending))
        self._collect(pending, outcomes, tell)
        return Report(tuple(outcomes[i] for i in range(len(calls))), fillers)

    def _estimate(self, calls: Sequence[Call], outcomes: dict[int, Outcome]) -> list[_Pending]:
        unknown = [i for i, c in enumerate(calls) if c.gas is None]
        requests = [("eth_estimateGas", [_call_object(calls[i])]) for i in unknown]
        gas: dict[int, int] = {i: c.gas for i, c in enumerate(calls) if c.gas is not None}
        for i, reply in zip(unknown, self._batch(requests), strict=True):
            if "error" in reply:
                error = self._revert_error(reply["error"], calls[i].label)
                outcomes[i] = Outcome(i, calls[i], Status.REFUSED, error=error)
            else:
                estimate = int(reply["result"], 16)
                gas[i] = estimate + estimate * GAS_MARGIN_PERCENT // 100
        return [_Pending(i, _with_gas(c, gas[i])) for i, c in enumerate(calls) if i not in outcomes]

    def _revert_error(self, error: Mapping[str, Any], label: str) -> RdhChainError:
        data = error.get("data")
        if isinstance(data, dict):  # some nodes nest it: {"data": "0x..."}
            data = data.get("data")
        if isinstance(data, str) and data.startswith("0x"):
            return self.decoder.decode(data, action=label)
        return TransactionError(f"{label}: the node could not estimate it ({error.get('message')})")

    def _assign_nonces(self, pending: Sequence[_Pending]) -> None:
        senders = list(dict.fromkeys(p.call.sender.address for p in pending))
        requests = [("eth_getTransactionCount", [a, "pending"]) for a in senders]
        nonces: dict[ChecksumAddress, int] = {}
        for address, reply in zip(senders, self._batch(requests), strict=True):
            if "error" in reply:
                raise TransactionError(f"The node did not give {address}'s nonce: {reply['error']}")
            nonces[address] = int(reply["result"], 16)
        for p in pending:
            p.nonce = nonces[p.call.sender.address]
            nonces[p.call.sender.address] += 1

    def _signer(self, account: LocalAccount) -> LegacySigner:
        signer = self._signers.get(account.address)
        if signer is None:
            signer = self._signers[account.address] = LegacySigner(account, self._chain_id)
        return signer

    def _submit(self, pending: list[_Pending], gas_price: int, outcomes: dict[int, Outcome]) -> int:
        for p in pending:
            c = p.call
            tx = LegacyTx(p.nonce, gas_price, cast(int, c.gas), c.to, c.value, c.data)
            p.raw = self._signer(c.sender).sign(tx)
            p.tx_hash = HexBytes(keccak(p.raw))
        requests = [("eth_sendRawTransaction", ["0x" + p.raw.hex()]) for p in pending]
        gaps: list[_Pending] = []
        for p, reply in zip(pending, self._batch(requests), strict=True):
            if "error" in reply:
                message = reply["error"].get("message", reply["error"])
                error = TransactionError(f"{p.call.label}: the node rejected it ({message}).")
                outcomes[p.index] = Outcome(
                    p.index, p.call, Status.REJECTED, p.tx_hash, None, error
                )
                gaps.append(p)
        pending[:] = [p for p in pending if p.index not in outcomes]
        return self._fill(gaps, pending, gas_price)

    def _fill(self, gaps: Sequence[_Pending], sent: Sequence[_Pending], gas_price: int) -> int:
        """Zero-value self-transfers into rejected nonces that later sends wait behind."""
        after: dict[ChecksumAddress, int] = {}
        for p in sent:
            after[p.call.sender.address] = max(after.get(p.call.sender.address, -1), p.nonce)
        fill = [g for g in gaps if after.get(g.call.sender.address, -1) > g.nonce]
        raws = [
            self._signer(g.call.sender).sign(
                LegacyTx(g.nonce, gas_price, _FILLER_GAS, g.call.sender.address, 0, b"")
            )
            for g in fill
        ]
        replies = list(self._batch([("eth_sendRawTransaction", ["0x" + r.hex()]) for r in raws]))
        # A filler the node refuses too (the nonce was taken after all) leaves the later
        # sends to the receipt timeout, which reports them as not mined.
        return sum("error" not in reply for reply in replies)

    def _collect(
        self, pending: Sequence[_Pending], outcomes: dict[int, Outcome], tell: Progress
    ) -> None:
        waiting = {p.tx_hash.to_0x_hex(): p for p in pending}
        deadline = time.monotonic() + self.receipt_timeout
        delay = _FIRST_POLL_S
        while waiting:
            hashes = list(waiting)
            requests = [("eth_getTransactionReceipt", [h]) for h in hashes]
            for tx_hash, reply in zip(hashes, self._batch(requests), strict=True):
                receipt = reply.get("result")
                if receipt is None:
                    continue
                p = waiting.pop(tx_hash)
                outcomes[p.index] = self._mined(p, _receipt(receipt))
            tell("mined", len(pending) - len(waiting), len(pending))
            if not waiting or time.monotonic() + delay > deadline:
                break
            time.sleep(delay)
            delay = min(delay * 2, _MAX_POLL_S)
        for p in waiting.values():
            error = TransactionError(
                f"{p.call.label}: not mined within {self.receipt_timeout:.0f} s; check that the "
                "chain is producing blocks, then run the batch again (it skips what landed)."
            )
            outcomes[p.index] = Outcome(p.index, p.call, Status.NOT_MINED, p.tx_hash, None, error)

    def _mined(self, p: _Pending, receipt: TxReceipt) -> Outcome:
        result = TxResult(tx_hash=p.tx_hash, receipt=receipt)
        if receipt["status"] == 1:
            return Outcome(p.index, p.call, Status.MINED, p.tx_hash, result)
        error = replay_revert(self.w3, self.decoder, p.tx_hash, receipt, p.call.label)
        return Outcome(p.index, p.call, Status.REVERTED, p.tx_hash, result, error)


def _weight(params: Sequence[Any]) -> int:
    """About the bytes ``params`` take in a request (hex strings dominate)."""
    size = 64
    for param in params:
        if isinstance(param, str):
            size += len(param)
        elif isinstance(param, Mapping):
            size += sum(len(v) for v in param.values() if isinstance(v, str)) + 64
        else:
            size += 16
    return size


def _call_object(call: Call) -> dict[str, str]:
    return {
        "from": call.sender.address,
        "to": call.to,
        "data": "0x" + call.data.hex(),
        "value": hex(call.value),
    }


def _with_gas(call: Call, gas: int) -> Call:
    if call.gas == gas:
        return call
    return Call(call.sender, call.to, call.data, call.label, gas, call.value)


def _receipt(raw: Mapping[str, Any]) -> TxReceipt:
    """A receipt as the node sent it, its numbers read (logs stay JSON: ``RawLog.from_rpc``
    reads them), without web3's formatting, which costs more than the send."""
    receipt = dict(raw)
    for key in _RECEIPT_INTS:
        if isinstance(receipt.get(key), str):
            receipt[key] = int(receipt[key], 16)
    return cast(TxReceipt, receipt)
