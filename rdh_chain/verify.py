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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract
from web3.types import RPCEndpoint

from rdh_chain.accounting import CapitalView, EmcBook, Ledgerbook, replay
from rdh_chain.contracts import EmcClient
from rdh_chain.deployment import Deployment
from rdh_chain.events import (
    Decoded,
    EmcCreated,
    EventDecoder,
    RawLog,
    canonical_type,
)
from rdh_chain.exceptions import ArtifactError
from rdh_chain.log_ranges import read_logs
from rdh_chain.share_tree import ShareTree
from rdh_chain.structs import abi_value, checksum, snake_case
from rdh_chain.types import EmcStatus, Position

if TYPE_CHECKING:  # the type only: the SDK core does not import the build tools
    from rdh_chain.toolchain.artifacts import Artifact

__all__ = ["Mismatch", "Progress", "Verification", "chain_events", "verify"]

# (stage, done, total): "blocks" while logs are read, "emcs" while state is compared.
Progress = Callable[[str, int, int], None]


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

    def as_json(self) -> dict[str, Any]:
        """The result as ``rdh audit verify --json`` prints it and the gateway returns it:
        figures as JSON numbers, strings or lists (a figure that is neither is its text)."""
        return {
            "block": self.block,
            "emcs": self.emcs,
            "accounts": self.accounts,
            "events": self.events,
            "figures": self.fields,
            "mismatches": [
                {
                    "emc": m.emc,
                    "account": m.account,
                    "field": m.field,
                    "recomputed": _plain(m.expected),
                    "on_chain": _plain(m.on_chain),
                    "source": m.source,
                    "where": m.where,
                }
                for m in self.mismatches
            ],
        }


def _plain(value: object) -> object:
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return str(value)


def _decoder(artifacts: Mapping[str, Artifact]) -> EventDecoder:
    return EventDecoder.from_abis(a.abi for a in artifacts.values())


def _logs(
    w3: Web3,
    start: int,
    end: int,
    addresses: Sequence[str],
    progress: Progress | None = None,
) -> list[RawLog]:
    """Every log of ``addresses`` in ``[start, end]``, in ranges the node accepts."""
    if progress is None:
        return read_logs(w3.provider, start, end, addresses)
    total = end - start + 1
    report = progress
    return read_logs(
        w3.provider, start, end, addresses, progress=lambda done: report("blocks", done, total)
    )


def chain_events(
    w3: Web3,
    deployment: Deployment,
    artifacts: Mapping[str, Artifact],
    upto_block: int,
    emc: ChecksumAddress | None = None,
    progress: Progress | None = None,
) -> list[Decoded]:
    """The deployment's decoded events up to ``upto_block``, read from the node, in chain
    order: the factory's first (to learn the EMCs), then the registry's, the token's, the
    guidelines' and every EMC's (only ``emc``'s if given). ``progress`` hears of the blocks
    read (stage ``"blocks"``)."""
    decoder = _decoder(artifacts)
    created = decoder.decode_all(_logs(w3, deployment.block, upto_block, [deployment.factory]))
    emcs = [d.event.emc for d in created if isinstance(d.event, EmcCreated)]
    if emc is not None:
        emcs = [a for a in emcs if a == emc]
    addresses = [deployment.registry, deployment.token, deployment.guidelines, deployment.factory]
    raw = _logs(w3, deployment.block, upto_block, [*addresses, *emcs], progress)
    raw.sort(key=lambda log: (log.block_number, log.log_index))
    return decoder.decode_all(raw)


def _proofs(
    book: EmcBook, trees: Mapping[int, ShareTree], read: _Reader, account: ChecksumAddress
) -> tuple[Any, ...]:
    """``account``'s share proofs for ``accountOf``, from the trees of the events' entries
    (an epoch the events do not know gets an empty tree: its proof fails on chain)."""
    start, end = read.call("unsyncedEpochs", account)
    versions = [version_id for _, version_id in book.activations]
    shown = []
    for epoch in range(int(start), int(end)):
        version_id = versions[epoch] if epoch < len(versions) else 0
        tree = trees.get(version_id) or ShareTree(())
        shown.append(tree.proof(account).as_abi())
    return tuple(shown)


class _Reader:
    """An EMC's views, each read at one block; structs keyed by their fields' names.

    ``prefetch`` reads many views in JSON-RPC batches (one round trip per
    ``_BATCH`` calls instead of one each); ``call`` answers from what it fetched.
    """

    def __init__(
        self, emc: Contract, token: Contract, block: int, abi: Sequence[Mapping[str, Any]]
    ) -> None:
        self.emc, self.token, self.block = emc, token, block
        self.functions: dict[str, Mapping[str, Any]] = {
            item["name"]: item for item in abi if item.get("type") == "function"
        }
        self.fetched: dict[tuple[Any, ...], Any] = {}

    def prefetch(self, calls: Sequence[tuple[Any, ...]]) -> None:
        """Read ``(name, *args)`` views of the EMC in batches, if the provider batches."""
        provider: Any = self.emc.w3.provider
        if not hasattr(provider, "make_batch_request"):
            return
        for at in range(0, len(calls), _BATCH):
            chunk = calls[at : at + _BATCH]
            requests = [
                (
                    RPCEndpoint("eth_call"),
                    [{"to": self.emc.address, "data": self._data(c)}, hex(self.block)],
                )
                for c in chunk
            ]
            replies = provider.make_batch_request(requests)
            if not isinstance(replies, list):
                return  # a node without batches: one call each
            for call, reply in zip(chunk, replies, strict=True):
                if "result" in reply:
                    self.fetched[call] = self._decode(call[0], reply["result"])

    def _data(self, call: tuple[Any, ...]) -> str:
        element = self.functions[call[0]]
        types = [canonical_type(p) for p in element["inputs"]]
        selector = keccak(text=f"{call[0]}({','.join(types)})")[:4]
        return "0x" + (selector + abi_encode(types, list(call[1:]))).hex()

    def _decode(self, name: str, result: str) -> Any:
        outputs = self.functions[name]["outputs"]
        values = abi_decode([canonical_type(p) for p in outputs], bytes.fromhex(result[2:]))
        return values[0] if len(outputs) == 1 else values

    def call(self, name: str, *args: Any) -> Any:
        found = self.fetched.get((name, *args), _MISSING)
        if found is not _MISSING:
            return found
        return self.emc.functions[name](*args).call(block_identifier=self.block)

    def named(self, name: str, *args: Any) -> dict[str, Any]:
        """A view's result by snake-case field name: a struct's fields, or the named outputs
        (a struct among them flattened into them)."""
        outputs = self.functions[name]["outputs"]
        raw = self.call(name, *args)
        values = [raw] if len(outputs) == 1 else list(raw)
        out: dict[str, Any] = {}
        for output, value in zip(outputs, values, strict=True):
            decoded = abi_value(output, value)
            if isinstance(decoded, Mapping):
                out.update({snake_case(k): v for k, v in decoded.items()})
            else:
                out[snake_case(output["name"])] = decoded
        return out

    def balance(self) -> int:
        fn = self.token.functions.balanceOf(self.emc.address)
        return int(fn.call(block_identifier=self.block))


_MISSING = object()
_BATCH = 500


# The model's names for view fields named otherwise.
_VIEW_NAMES = {("pool", "excess"): "excess_to_dev_fund"}


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
        self, prefix: str, expected: Any, found: Mapping[str, Any], account: str | None = None
    ) -> None:
        """Compare a dataclass of the model with the view's fields of the same names."""
        for f in fields(expected):
            name = _VIEW_NAMES.get((prefix, f.name), f.name)
            if name not in found:
                raise ArtifactError(
                    f"the view behind {prefix} has no field {name!r}: the build artifacts "
                    "and rdh_chain.accounting disagree"
                )
            got = found[name]
            if isinstance(got, bytes | bytearray):
                got = bytes(got)
            elif isinstance(got, str):
                got = checksum(got)
            elif not isinstance(got, bool):
                got = int(got)
            self.same(f"{prefix}.{f.name}", getattr(expected, f.name), got, account)


def _compare(book: EmcBook, read: _Reader) -> _Comparison:
    c = _Comparison(book)
    single = ["status", "versionCount", "activeVersionId", "terms", "owner", "reporter"]
    single += ["totals", "pool", "capitalTotals", "sweepable"]
    accounts = book.known_accounts()
    read.prefetch(
        [(name,) for name in single]
        + [("unsyncedEpochs", a) for a in accounts]
        + [("version", v) for v in book.proposed]
        + [("departureOf", a) for a in book.departures]
        + [("capitalOf", a) for a in book.holdings]
    )
    # Each version's entries, as the events give them, against the root the chain keeps;
    # then every account's position, its share proofs built from those same entries.
    trees = {v: ShareTree(entries) for v, entries in book.proposed.items()}
    for version_id, tree in trees.items():
        header = read.named("version", version_id)
        c.same(f"version[{version_id}].shares_root", tree.root, bytes(header["shares_root"]))
        signed = book.struct_hashes[version_id]
        c.same(f"version[{version_id}].struct_hash", signed, bytes(header["struct_hash"]))
    proofs = {a: _proofs(book, trees, read, a) for a in accounts}
    read.prefetch([("accountOf", a, proofs[a]) for a in accounts])
    c.same("status", book.status(), EmcStatus(read.call("status")))
    c.same("version_count", len(book.proposed), int(read.call("versionCount")))
    c.same("active_version_id", book.active_version_id(), int(read.call("activeVersionId")))
    if book.terms is not None:
        c.record("terms", book.terms, read.named("terms"))
    c.same("owner", book.owner, checksum(read.call("owner")))
    c.same("reporter", book.reporter, checksum(read.call("reporter")))
    c.record("totals", book.totals(), read.named("totals"))
    c.record("pool", book.pool(), read.named("pool"))
    c.record("capital", book.capital_totals(), read.named("capitalTotals"))
    c.same("balance", book.balance, read.balance())
    c.same("sweepable", book.sweepable(), int(read.call("sweepable")))
    for account in accounts:
        expected: Position = book.position(account)
        c.record("account", expected, read.named("accountOf", account, proofs[account]), account)
    for account, departure in book.departures.items():
        c.record("departure", departure, read.named("departureOf", account), account)
    for account in book.holdings:
        want: CapitalView = book.capital_of(account)
        c.record("capital_of", want, read.named("capitalOf", account), account)
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
        comparison = _compare(book, _Reader(contract, token, block, abi))
        mismatches.extend(comparison.mismatches)
        compared += comparison.fields
        accounts += len(set(book.known_accounts()) | set(book.holdings))
        if progress is not None:
            progress("emcs", done, len(targets))
    replayed = sum(b.events for b in targets) if emc is not None else books.events
    return Verification(block, len(targets), accounts, replayed, compared, tuple(mismatches))
