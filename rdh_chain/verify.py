"""Independent verification: the EMCs' state at a block against what their events say.

:func:`verify` replays the events up to a block through :mod:`rdh_chain.accounting`, reads
every EMC's views at that same block (each read pinned with ``block_identifier``) and
compares them field by field: totals, status, the pool, every account's position, the
capital and each investor's holding, what may be swept and the credit the EMC holds. It
returns every :class:`Mismatch`; an event whose own figures disagree with the model (a
claim paying other than what was claimable, say) is one too, with ``source="event"``.

It prints nothing: a caller that wants a progress bar passes ``progress``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from typing import Any

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract

from rdh_chain.accounting import CapitalView, EmcBook, Ledgerbook, replay
from rdh_chain.contracts import EmcClient
from rdh_chain.deployment import Deployment
from rdh_chain.events import Decoded, EmcCreated, EventDecoder, LogQueryError, RawLog, fetch_logs
from rdh_chain.structs import checksum
from rdh_chain.toolchain.artifacts import Artifact
from rdh_chain.types import EmcStatus, Position

__all__ = ["Mismatch", "Progress", "Verification", "chain_events", "verify"]

# (stage, done, total): "events" while logs are read, "emcs" while state is compared.
Progress = Callable[[str, int, int], None]

# eth_getLogs spans tried first; a refused span is halved.
_LOG_SPAN = 50_000


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One figure the events and the chain disagree on.

    ``source`` is ``"state"`` for a contract view at the block (``on_chain`` is the view's
    value) and ``"event"`` for an event whose own figure differs from the model's
    (``on_chain`` is what the event says, ``where`` the log).
    """

    emc: ChecksumAddress
    account: ChecksumAddress | None
    field: str
    expected: object
    on_chain: object
    source: str = "state"
    where: str = ""


@dataclass(frozen=True, slots=True)
class Verification:
    """What one verification compared and found."""

    block: int
    emcs: int
    accounts: int
    events: int
    fields: int
    mismatches: tuple[Mismatch, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _decoder(artifacts: Mapping[str, Artifact]) -> EventDecoder:
    return EventDecoder.from_abis(a.abi for a in artifacts.values())


def _logs(w3: Web3, start: int, end: int, addresses: Sequence[str]) -> list[RawLog]:
    """Every log of ``addresses`` in ``[start, end]``, in spans the node accepts."""
    out: list[RawLog] = []
    span = _LOG_SPAN
    at = start
    while at <= end:
        stop = min(end, at + span - 1)
        try:
            out.extend(fetch_logs(w3.provider, at, stop, addresses))
        except LogQueryError:
            if stop == at:
                raise
            span = max(1, (stop - at + 1) // 2)
            continue
        at = stop + 1
    return out


def chain_events(
    w3: Web3,
    deployment: Deployment,
    artifacts: Mapping[str, Artifact],
    upto_block: int,
    emc: ChecksumAddress | None = None,
) -> list[Decoded]:
    """The deployment's decoded events up to ``upto_block``, read from the node, in chain
    order: the factory's first (to learn the EMCs), then the registry's, the token's, the
    guidelines' and every EMC's (only ``emc``'s if given)."""
    decoder = _decoder(artifacts)
    created = decoder.decode_all(_logs(w3, deployment.block, upto_block, [deployment.factory]))
    emcs = [d.event.emc for d in created if isinstance(d.event, EmcCreated)]
    if emc is not None:
        emcs = [a for a in emcs if a == emc]
    addresses = [deployment.registry, deployment.token, deployment.guidelines, deployment.factory]
    raw = _logs(w3, deployment.block, upto_block, [*addresses, *emcs])
    raw.sort(key=lambda log: (log.block_number, log.log_index))
    return decoder.decode_all(raw)


class _Reader:
    """An EMC's views, each read at one block."""

    def __init__(self, emc: Contract, token: Contract, block: int) -> None:
        self.emc, self.token, self.block = emc, token, block
        self.reads = 0

    def call(self, name: str, *args: Any) -> Any:
        self.reads += 1
        return self.emc.functions[name](*args).call(block_identifier=self.block)

    def balance(self) -> int:
        self.reads += 1
        fn = self.token.functions.balanceOf(self.emc.address)
        return int(fn.call(block_identifier=self.block))


def _ints(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(v if isinstance(v, bool) else int(v) for v in values)


class _Comparison:
    def __init__(self, book: EmcBook) -> None:
        self.book = book
        self.mismatches: list[Mismatch] = []
        self.fields = 0

    def same(self, field: str, expected: object, found: object, account: str | None = None) -> None:
        self.fields += 1
        if expected != found:
            who = None if account is None else checksum(account)
            self.mismatches.append(Mismatch(self.book.address, who, field, expected, found))

    def record(
        self, prefix: str, expected: Any, found: Sequence[Any], account: str | None = None
    ) -> None:
        """Compare a dataclass of the model with the view's tuple, field by field."""
        for f, want, got in zip(fields(expected), astuple(expected), found, strict=True):
            self.same(f"{prefix}.{f.name}", want, got, account)


def _compare(book: EmcBook, read: _Reader) -> _Comparison:
    c = _Comparison(book)
    c.same("status", book.status(), EmcStatus(read.call("status")))
    c.record("totals", book.totals(), _ints(read.call("totals")))
    c.record("pool", book.pool(), _ints(read.call("pool")))
    c.record("capital", book.capital_totals(), _ints(read.call("capitalTotals")))
    c.same("balance", book.balance, read.balance())
    c.same("sweepable", book.sweepable(), int(read.call("sweepable")))
    for account in book.known_accounts():
        expected: Position = book.position(account)
        c.record("account", expected, _ints(read.call("accountOf", account)), account)
    for account in book.holdings:
        held, value, share = read.call("capitalOf", account)
        units, era, invested, _index, borne, claimed = held
        found = (units, era, invested, borne, claimed, value, share)
        want: CapitalView = book.capital_of(account)
        c.record("capital_of", want, _ints(found), account)
    return c


def _event_mismatches(books: Ledgerbook) -> list[Mismatch]:
    return [
        Mismatch(
            i.emc,
            i.account,
            i.field,
            i.expected,
            i.found,
            source="event",
            where=f"block {i.block_number} tx 0x{i.transaction_hash.hex()} log {i.log_index}",
        )
        for i in books.issues
    ]


def verify(
    w3: Web3,
    artifacts: Mapping[str, Artifact],
    deployment: Deployment,
    events: Sequence[Decoded],
    block: int,
    *,
    emc: ChecksumAddress | None = None,
    progress: Progress | None = None,
) -> Verification:
    """Replay ``events`` (chain order) up to ``block`` and compare every EMC (only ``emc``
    if given) with its views at ``block``."""
    books = replay(events, upto_block=block)
    abi = EmcClient.abi(artifacts)
    targets = [b for a, b in books.emcs.items() if emc is None or a == emc]
    mismatches = [m for m in _event_mismatches(books) if emc is None or m.emc == emc]
    compared = accounts = 0
    token = w3.eth.contract(address=deployment.token, abi=artifacts["SettlementToken"].abi)
    for done, book in enumerate(targets, start=1):
        contract = w3.eth.contract(address=book.address, abi=abi)
        comparison = _compare(book, _Reader(contract, token, block))
        mismatches.extend(comparison.mismatches)
        compared += comparison.fields
        accounts += len(set(book.known_accounts()) | set(book.holdings))
        if progress is not None:
            progress("emcs", done, len(targets))
    replayed = sum(b.events for b in targets) if emc is not None else books.events
    return Verification(block, len(targets), accounts, replayed, compared, tuple(mismatches))
