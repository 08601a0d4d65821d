"""Every rdh-chain contract event as a typed value, and the one decoder that makes them.

Receipts (the SDK's clients) and the indexer decode through :class:`EventDecoder`. It
works on raw JSON-RPC logs with eth_abi directly: web3's per-log formatters manage a
few thousand logs a second, an order of magnitude below what a node serves, and the
index must keep up with the node.

Each event is a frozen dataclass named as the Solidity event, its fields the event's
parameters in snake case and in ABI order; structs become the dataclasses of
:mod:`rdh_chain.types` (by field name, see :mod:`rdh_chain.structs`). The decoder
checks these classes against the build artifacts' ABIs when it is made, so a changed
event fails loudly rather than decoding into the wrong fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Protocol, get_args, get_type_hints

from eth_abi.abi import decode as abi_decode
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain.exceptions import ArtifactError, ChainError
from rdh_chain.structs import abi_value, checksum, convert, snake_case
from rdh_chain.types import (
    ZERO_ADDRESS,
    Criteria,
    EmcTerms,
    Formula,
    PeriodReport,
    ShareEntry,
    Strategy,
    version_struct_hash,
)

__all__ = [
    "EVENT_TYPES",
    "Decoded",
    "Event",
    "EventDecoder",
    "LogQueryError",
    "RawLog",
    "fetch_logs",
]


class LogQueryError(ChainError):
    """The node refused an ``eth_getLogs`` query (too many results, too wide a range...).

    ``code`` and ``message`` are the node's own, so a caller can narrow its range.
    """

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"eth_getLogs refused ({code}): {message}")
        self.code = code
        self.message = message
        self.data = data


@dataclass(frozen=True, slots=True)
class RawLog:
    """One log as the node returned it, before decoding."""

    address: ChecksumAddress
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int
    block_hash: bytes
    transaction_hash: bytes
    transaction_index: int
    log_index: int
    # Nodes that follow the 2024 execution-API addition send it; the index fills it otherwise.
    block_timestamp: int | None = None
    removed: bool = False

    @classmethod
    def from_rpc(cls, log: Mapping[str, Any]) -> RawLog:
        """A log from ``eth_getLogs`` JSON (hex strings) or a web3 receipt (ints, HexBytes)."""
        timestamp = log.get("blockTimestamp")
        return cls(
            address=checksum(log["address"]),
            topics=tuple(_as_bytes(t) for t in log["topics"]),
            data=_as_bytes(log["data"]),
            block_number=_as_int(log["blockNumber"]),
            block_hash=_as_bytes(log["blockHash"]),
            transaction_hash=_as_bytes(log["transactionHash"]),
            transaction_index=_as_int(log["transactionIndex"]),
            log_index=_as_int(log["logIndex"]),
            block_timestamp=None if timestamp is None else _as_int(timestamp),
            removed=bool(log.get("removed", False)),
        )

    @classmethod
    def from_json(cls, log: Mapping[str, Any]) -> RawLog:
        """A log from ``eth_getLogs`` JSON (0x-hex strings only): :meth:`from_rpc`'s fast path."""
        fromhex = bytes.fromhex
        timestamp = log.get("blockTimestamp")
        return cls(
            checksum(log["address"]),
            tuple([fromhex(t[2:]) for t in log["topics"]]),
            fromhex(log["data"][2:]),
            int(log["blockNumber"], 16),
            fromhex(log["blockHash"][2:]),
            fromhex(log["transactionHash"][2:]),
            int(log["transactionIndex"], 16),
            int(log["logIndex"], 16),
            None if timestamp is None else int(timestamp, 16),
            bool(log.get("removed", False)),
        )

    @property
    def key(self) -> tuple[bytes, int]:
        """What identifies a log across re-fetches: its block's hash and its index there."""
        return (self.block_hash, self.log_index)


class Event:
    """Base of every decoded event; ``name`` is the Solidity event's name."""

    __slots__ = ()
    name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = cls.__name__

    def as_dict(self) -> dict[str, Any]:
        """The fields by name, structs as dicts."""
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]

    def as_json(self) -> dict[str, Any]:
        """The fields as JSON values: bytes as 0x-hex, enums as their numbers, structs as
        objects, tuples as lists; integers stay integers (JSON has no size limit)."""
        return {k: _json_value(v) for k, v in self.as_dict().items()}


@dataclass(frozen=True, slots=True)
class Decoded:
    """A raw log and the event it carries."""

    log: RawLog
    event: Event


# -- MemberRegistry (OpenZeppelin AccessControl's role events included) ------------------


@dataclass(frozen=True, slots=True)
class MemberAdded(Event):
    """The registry admitted ``account`` with ``role``; ``metadata`` is its profile's hash."""

    account: ChecksumAddress
    role: bytes
    metadata: bytes
    by: ChecksumAddress


@dataclass(frozen=True, slots=True)
class MemberSuspended(Event):
    """``account`` was suspended: it acts no more, but keeps what it earned."""

    account: ChecksumAddress
    reason: bytes
    by: ChecksumAddress


@dataclass(frozen=True, slots=True)
class MemberReinstated(Event):
    """A suspended ``account`` was reinstated."""

    account: ChecksumAddress
    reason: bytes
    by: ChecksumAddress


@dataclass(frozen=True, slots=True)
class MemberMetadataUpdated(Event):
    """``account``'s profile hash changed."""

    account: ChecksumAddress
    metadata: bytes
    by: ChecksumAddress


@dataclass(frozen=True, slots=True)
class RoleGranted(Event):
    """OpenZeppelin AccessControl: ``account`` got ``role``."""

    role: bytes
    account: ChecksumAddress
    sender: ChecksumAddress


@dataclass(frozen=True, slots=True)
class RoleRevoked(Event):
    """OpenZeppelin AccessControl: ``account`` lost ``role``."""

    role: bytes
    account: ChecksumAddress
    sender: ChecksumAddress


@dataclass(frozen=True, slots=True)
class RoleAdminChanged(Event):
    """OpenZeppelin AccessControl: ``role``'s admin role changed."""

    role: bytes
    previous_admin_role: bytes
    new_admin_role: bytes


# -- SettlementToken (ERC-20's included) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Transfer(Event):
    """ERC-20: credit moved (minting from, burning to the zero address)."""

    from_: ChecksumAddress
    to: ChecksumAddress
    value: int


@dataclass(frozen=True, slots=True)
class Approval(Event):
    """ERC-20: ``owner`` allowed ``spender`` ``value``."""

    owner: ChecksumAddress
    spender: ChecksumAddress
    value: int


@dataclass(frozen=True, slots=True)
class Minted(Event):
    """The treasury issued credit for fiat it holds; ``ref`` names the deposit."""

    to: ChecksumAddress
    amount: int
    ref: bytes


@dataclass(frozen=True, slots=True)
class Burned(Event):
    """The treasury redeemed credit for fiat paid out; ``ref`` names the payment."""

    from_: ChecksumAddress
    amount: int
    ref: bytes


@dataclass(frozen=True, slots=True)
class SystemContractRegistered(Event):
    """A contract (the factory, an EMC) may hold and move credit."""

    account: ChecksumAddress
    by: ChecksumAddress


# -- TargetGuidelines --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormulaPublished(Event):
    """A steward published a target-guideline formula version."""

    strategy: Strategy
    version: int
    formula: Formula
    rationale: bytes
    by: ChecksumAddress


# -- EMCFactory --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateDeployed(Event):
    """The factory's EMC template and its module."""

    template: ChecksumAddress
    module: ChecksumAddress


@dataclass(frozen=True, slots=True)
class EmcCreated(Event):
    """The factory cloned EMC ``id`` at ``emc`` for ``owner``."""

    id: int
    emc: ChecksumAddress
    owner: ChecksumAddress
    operator: ChecksumAddress


@dataclass(frozen=True, slots=True)
class EmcTermsGenerated(Event):
    """An EMC's terms came from a guideline formula and the criteria's scores."""

    id: int
    strategy: Strategy
    formula_version: int
    criteria: Criteria


@dataclass(frozen=True, slots=True)
class EmcTermsOverridden(Event):
    """An operator set an EMC's terms by hand, for a recorded reason."""

    id: int
    operator: ChecksumAddress
    reason: bytes


# -- EMC template ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmcInitialized(Event):
    """An EMC's owner and terms (targets, sharing space, loss threshold, bounds)."""

    owner: ChecksumAddress
    terms: EmcTerms


@dataclass(frozen=True, slots=True)
class VersionProposed(Event):
    """A share version was proposed: its entries, document and signing terms."""

    version_id: int
    proposer: ChecksumAddress
    entries: tuple[ShareEntry, ...]
    document_hash: bytes
    nonce: int
    deadline: int
    shares_root: bytes

    @property
    def parties(self) -> tuple[ChecksumAddress, ...]:
        """The wallets that sign the version, in signing order (by address): every account
        its entries name but the development fund's. Its ``VersionActivated`` does not
        repeat them, for activation takes exactly their signatures."""
        named = {entry.account for entry in self.entries} - {ZERO_ADDRESS}
        return tuple(sorted(named, key=lambda a: int(a, 16)))

    @property
    def struct_hash(self) -> bytes:
        """The EIP-712 struct hash of the version it proposed: what the header keeps and
        ``VersionActivated`` repeats, so the event can be checked against either."""
        return version_struct_hash(
            self.version_id, self.entries, self.document_hash, self.nonce, self.deadline
        )


@dataclass(frozen=True, slots=True)
class VersionActivated(Event):
    """Every party of the version (``VersionProposed.parties``) signed; the version applies
    from ``from_period``."""

    version_id: int
    epoch: int
    from_period: int
    previous_id: int
    struct_hash: bytes
    party_count: int
    value_added_bps: int


@dataclass(frozen=True, slots=True)
class PeriodSettled(Event):
    """A period's report was settled (its profit deposited), attested or not."""

    period: int
    version_id: int
    reporter: ChecksumAddress
    report: PeriodReport
    cumulative_profit: int
    auditor: ChecksumAddress


@dataclass(frozen=True, slots=True)
class TargetReached(Event):
    """The EMC reached its user and revenue targets: value-added credit unlocks."""

    period: int
    users: int
    revenue: int


@dataclass(frozen=True, slots=True)
class ValueAddedPoolFilled(Event):
    """The pool reached the sharing space; beyond it the fund earns its part."""

    period: int
    full_at_profit: int
    accrued: int


@dataclass(frozen=True, slots=True)
class Claimed(Event):
    """``account`` was paid ``amount`` (``value_added`` of it from the pool)."""

    account: ChecksumAddress
    amount: int
    value_added: int
    total_paid: int


@dataclass(frozen=True, slots=True)
class Invested(Event):
    """``account`` invested ``amount`` for ``units`` of the capital."""

    account: ChecksumAddress
    amount: int
    units: int
    capital: int


@dataclass(frozen=True, slots=True)
class LossAbsorbed(Event):
    """A loss period: ``covered`` of ``loss`` was paid from the capital."""

    period: int
    loss: int
    covered: int
    cumulative_losses: int
    capital_left: int
    new_era: bool


@dataclass(frozen=True, slots=True)
class EmcDissolved(Event):
    """Losses reached the threshold; where the unreleased pool went."""

    period: int
    losses: int
    threshold: int
    capital: int
    pool_released: int
    pool_to_investors: int
    pool_to_dev_fund: int
    losses_covered: int


@dataclass(frozen=True, slots=True)
class EIP712DomainChanged(Event):
    """ERC-5267's event; the EMC's domain never changes, so it is never emitted."""


# -- EMCModule (served through every EMC's fallback: its logs carry the EMC's address) ---


@dataclass(frozen=True, slots=True)
class BidRoundOpened(Event):
    """The owner opened a sealed-bid round."""

    round_id: int
    commit_deadline: int
    reveal_deadline: int
    document_hash: bytes


@dataclass(frozen=True, slots=True)
class BidCommitted(Event):
    """A bidder committed a sealed bid."""

    round_id: int
    bidder: ChecksumAddress
    commitment: bytes


@dataclass(frozen=True, slots=True)
class BidRevealed(Event):
    """A bidder revealed its bid: users and revenue undertaken, share asked."""

    round_id: int
    bidder: ChecksumAddress
    undertaken_users: int
    undertaken_revenue: int
    ask_bps: int
    proposal_hash: bytes


@dataclass(frozen=True, slots=True)
class BidsInvited(Event):
    """The owner invited the round's chosen bidders."""

    round_id: int
    invited: tuple[ChecksumAddress, ...]


@dataclass(frozen=True, slots=True)
class ReporterChanged(Event):
    """The owner appointed (or removed) the ME that reports periods."""

    previous: ChecksumAddress
    reporter: ChecksumAddress


@dataclass(frozen=True, slots=True)
class DevFundWithdrawn(Event):
    """The owner paid ``amount`` out of the development fund."""

    to: ChecksumAddress
    amount: int
    purpose: bytes
    remaining: int


@dataclass(frozen=True, slots=True)
class Swept(Event):
    """Credit held above what is owed moved into the development fund."""

    by: ChecksumAddress
    amount: int
    dev_fund_available: int


@dataclass(frozen=True, slots=True)
class CapitalReturned(Event):
    """After dissolution, ``account`` took its capital and pool share back."""

    account: ChecksumAddress
    amount: int
    units: int
    pool_share: int


@dataclass(frozen=True, slots=True)
class DepartureNoticed(Event):
    """A member resigned or was terminated, effective from a period."""

    account: ChecksumAddress
    by: ChecksumAddress
    effective_period: int
    reason_hash: bytes


# From the module's names, not Event.__subclasses__(): dataclass(slots=True) replaces each
# class, and the replaced one may linger there until it is garbage collected.
EVENT_TYPES: Mapping[str, type[Event]] = {
    name: obj
    for name, obj in dict(globals()).items()
    if isinstance(obj, type) and issubclass(obj, Event) and obj is not Event
}


# A reader turns 32-byte words at an offset of a log's data into a field's final value.
_Reader = Callable[[bytes, int], Any]


class _EventCodec:
    """How one event's fields are read from a log.

    Static data (every event but the few carrying arrays) is read word by word with
    precomputed readers, several times faster than eth_abi's general decoder; dynamic
    data goes through eth_abi.
    """

    __slots__ = ("cls", "data_types", "fast", "params", "signature", "static", "topic_count")

    def __init__(self, cls: type[Event], abi: Mapping[str, Any]) -> None:
        declared = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        fields = [snake_case(p["name"]) for p in abi["inputs"]]
        if fields != declared:
            raise ArtifactError(
                f"event {abi['name']}'s parameters {fields} do not match "
                f"rdh_chain.events.{cls.__name__} {declared}: update the class"
            )
        hints = get_type_hints(cls)
        self.cls = cls
        self.signature = f"{abi['name']}({','.join(canonical_type(p) for p in abi['inputs'])})"
        self.topic_count = 1 + sum(bool(p.get("indexed")) for p in abi["inputs"])
        data_params = [p for p in abi["inputs"] if not p.get("indexed")]
        self.data_types = [canonical_type(p) for p in data_params]
        self.static = all(_static_words(p) is not None for p in data_params)
        # (field, indexed, reader, word offset) in ABI order.
        self.params: list[tuple[str, bool, Any, int]] = []
        offset = 0
        for param, field in zip(abi["inputs"], fields, strict=True):
            hint = hints[field]
            if param.get("indexed"):
                self.params.append((field, True, _reader(param, hint), 0))
            elif self.static:
                self.params.append((field, False, _reader(param, hint), offset))
                offset += 32 * (_static_words(param) or 0)
            else:
                self.params.append((field, False, (param, hint), 0))
        self.fast: Callable[[RawLog], Event] | None = None
        if self.static:
            self.fast = _compile(self, abi, hints, fields)

    def wrong_topics(self, log: RawLog) -> ArtifactError:
        return ArtifactError(
            f"log {log.transaction_hash.hex()}#{log.log_index} has {len(log.topics)} topics;"
            f" {self.signature} has {self.topic_count}"
        )

    def decode(self, log: RawLog) -> Event:
        if self.fast is not None:
            return self.fast(log)
        if len(log.topics) != self.topic_count:
            raise self.wrong_topics(log)
        kwargs: dict[str, Any] = {}
        topic = 1
        data = log.data
        if self.static:
            for field, indexed, reader, offset in self.params:
                if indexed:
                    kwargs[field] = reader(log.topics[topic], 0)
                    topic += 1
                else:
                    kwargs[field] = reader(data, offset)
            return self.cls(**kwargs)
        values = iter(abi_decode(self.data_types, data))
        for field, indexed, reader, _ in self.params:
            if indexed:
                kwargs[field] = reader(log.topics[topic], 0)
                topic += 1
            else:
                param, hint = reader
                kwargs[field] = convert(hint, abi_value(param, next(values)))
        return self.cls(**kwargs)


def _compile(
    codec: _EventCodec, abi: Mapping[str, Any], hints: Mapping[str, Any], fields: Sequence[str]
) -> Callable[[RawLog], Event]:
    """A static event's decoder as one generated function: every field read inline from
    its topic or data word, the event built positionally (no per-field calls or dicts).

    It reads what the :func:`_reader` functions read (the non-generated path, kept for
    events with dynamic data), word for word.
    """
    names: dict[str, Any] = {"_cs": checksum, "_ib": int.from_bytes, "_cls": codec.cls}

    def bind(value: Any) -> str:
        name = f"_g{len(names)}"
        names[name] = value
        return name

    def expression(param: Mapping[str, Any], hint: Any, source: str, at: int) -> str:
        abi_type = str(param["type"])
        if source != "data" and (
            abi_type.endswith("]") or abi_type in ("tuple", "bytes", "string")
        ):
            return f"{source}[0:32]"  # an indexed dynamic value: its hash
        if abi_type.endswith("]"):
            inner = {**param, "type": abi_type[: abi_type.rindex("[")]}
            count = int(abi_type[abi_type.rindex("[") + 1 : -1])
            words = 32 * (_static_words(inner) or 0)
            items = [
                expression(inner, get_args(hint)[0], source, at + i * words) for i in range(count)
            ]
            return "(" + "".join(f"{item}, " for item in items) + ")"
        if abi_type == "tuple":
            fields = [
                f"{name}={expression(component, inner, source, at + offset)}"
                for name, component, inner, offset in _struct_parts(param, hint)
            ]
            # A struct's trusted constructor where it has one (no checks the ABI makes).
            return f"{bind(getattr(hint, 'from_chain', hint))}({', '.join(fields)})"
        word = f"{source}[{at}:{at + 32}]"
        if abi_type == "address":
            return f"_cs({source}[{at + 12}:{at + 32}])"
        if abi_type.startswith("bytes"):
            return f"{source}[{at}:{at + int(abi_type[5:])}]"
        if abi_type == "bool":
            return f"({source}[{at + 31}] != 0)"
        if abi_type.startswith("int"):
            return f"_ib({word}, 'big', signed=True)"
        if isinstance(hint, type) and issubclass(hint, IntEnum):
            return f"{bind(hint)}(_ib({word}, 'big'))"
        return f"_ib({word}, 'big')"

    values = []
    topic = 1
    offset = 0
    for param, field in zip(abi["inputs"], fields, strict=True):
        if param.get("indexed"):
            values.append(expression(param, hints[field], f"topics[{topic}]", 0))
            topic += 1
        else:
            values.append(expression(param, hints[field], "data", offset))
            offset += 32 * (_static_words(param) or 0)
    names["_wrong"] = codec.wrong_topics
    source = (
        "def decode(log):\n"
        "    topics = log.topics\n"
        f"    if len(topics) != {codec.topic_count}:\n"
        "        raise _wrong(log)\n"
        "    data = log.data\n"
        f"    return _cls({', '.join(values)})\n"
    )
    exec(compile(source, f"<rdh_chain.events: {codec.signature}>", "exec"), names)
    decode: Callable[[RawLog], Event] = names["decode"]
    return decode


def _static_words(param: Mapping[str, Any]) -> int | None:
    """How many data words a static ABI type takes; None for a dynamic one."""
    abi_type = str(param["type"])
    if abi_type.endswith("]"):
        size = abi_type[abi_type.rindex("[") + 1 : -1]
        if not size:
            return None
        inner = _static_words({**param, "type": abi_type[: abi_type.rindex("[")]})
        return None if inner is None else int(size) * inner
    if abi_type == "tuple":
        words = [_static_words(c) for c in param["components"]]
        return None if None in words else sum(w for w in words if w is not None)
    return None if abi_type in ("bytes", "string") else 1


def _reader(param: Mapping[str, Any], hint: Any) -> _Reader:
    """The reader of one static value (or of an indexed topic: a single word)."""
    abi_type = str(param["type"])
    if param.get("indexed") and (
        abi_type.endswith("]") or abi_type in ("tuple", "bytes", "string")
    ):
        # Indexed dynamic values are only their hash in the topic.
        return lambda data, at: data[at : at + 32]
    if abi_type.endswith("]"):
        inner_param = {**param, "type": abi_type[: abi_type.rindex("[")]}
        count = int(abi_type[abi_type.rindex("[") + 1 : -1])
        inner_words = 32 * (_static_words(inner_param) or 0)
        inner = _reader(inner_param, get_args(hint)[0])
        return lambda data, at: tuple(inner(data, at + i * inner_words) for i in range(count))
    if abi_type == "tuple":
        return _struct_reader(param, hint)
    if abi_type == "address":
        return lambda data, at: checksum(data[at + 12 : at + 32])
    if abi_type.startswith("bytes"):
        size = int(abi_type[5:])
        return lambda data, at: data[at : at + size]
    if abi_type == "bool":
        return lambda data, at: data[at + 31] != 0
    if abi_type.startswith("int"):
        return lambda data, at: int.from_bytes(data[at : at + 32], "big", signed=True)
    if isinstance(hint, type) and issubclass(hint, IntEnum):
        return lambda data, at: hint(int.from_bytes(data[at : at + 32], "big"))
    return lambda data, at: int.from_bytes(data[at : at + 32], "big")


def _struct_parts(
    param: Mapping[str, Any], cls: type[Any]
) -> list[tuple[str, Mapping[str, Any], Any, int]]:
    """(field, component, hint, byte offset) of the fields of ``cls`` a static struct holds,
    matched by name (not position); fields the chain has and ``cls`` lacks are skipped."""
    hints = get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    wanted = {f.name for f in fields}
    required = {
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    parts: list[tuple[str, Mapping[str, Any], Any, int]] = []
    offset = 0
    for component in param["components"]:
        name = snake_case(component["name"])
        if name in wanted:
            parts.append((name, component, hints[name], offset))
        offset += 32 * (_static_words(component) or 0)
    missing = required - {name for name, _, _, _ in parts}
    if missing:
        raise ArtifactError(
            f"{cls.__name__} needs {sorted(missing)}, which the chain's struct lacks; "
            "the build artifacts and the SDK disagree"
        )
    return parts


def _struct_reader(param: Mapping[str, Any], cls: type[Any]) -> _Reader:
    """A static struct read field by field into ``cls``, matched by name (not position)."""
    parts = [
        (name, _reader(component, hint), offset)
        for name, component, hint, offset in _struct_parts(param, cls)
    ]

    def read(data: bytes, at: int) -> Any:
        return cls(**{name: reader(data, at + offset) for name, reader, offset in parts})

    return read


class EventDecoder:
    """Decodes the logs of every rdh-chain contract, from their ABIs.

    Made from the build artifacts' ABIs (``EventDecoder.from_abis(a.abi for a in
    artifacts.values())``); an event in an ABI without its class here, or with other
    parameters, is an :class:`ArtifactError` at construction.
    """

    def __init__(self, codecs: Mapping[bytes, _EventCodec]) -> None:
        self._codecs = dict(codecs)

    @classmethod
    def from_abis(cls, abis: Iterable[Sequence[Mapping[str, Any]]]) -> EventDecoder:
        codecs: dict[bytes, _EventCodec] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") != "event" or item.get("anonymous"):
                    continue
                event_cls = EVENT_TYPES.get(item["name"])
                if event_cls is None:
                    raise ArtifactError(
                        f"event {item['name']} has no class in rdh_chain.events: add one"
                    )
                codec = _EventCodec(event_cls, item)
                codecs[keccak(text=codec.signature)] = codec
        return cls(codecs)

    @property
    def topics(self) -> tuple[bytes, ...]:
        """The topic0 of every event it knows (what an ``eth_getLogs`` filter may ask for)."""
        return tuple(self._codecs)

    def signature(self, topic0: bytes) -> str | None:
        codec = self._codecs.get(topic0)
        return None if codec is None else codec.signature

    def decode(self, log: RawLog) -> Decoded | None:
        """The event ``log`` carries; None for a log no rdh-chain contract emits."""
        if not log.topics:
            return None
        codec = self._codecs.get(log.topics[0])
        if codec is None:
            return None
        return Decoded(log, codec.decode(log))

    def decode_all(self, logs: Iterable[RawLog]) -> list[Decoded]:
        """The rdh-chain events among ``logs``, in their order."""
        out = []
        for log in logs:
            decoded = self.decode(log)
            if decoded is not None:
                out.append(decoded)
        return out


class RpcProvider(Protocol):
    """What :func:`fetch_logs` needs of a web3 provider: one raw JSON-RPC request."""

    def make_request(self, method: Any, params: Any) -> Any: ...


def fetch_logs(
    provider: RpcProvider,
    from_block: int,
    to_block: int,
    addresses: Sequence[str] | None = None,
    topics: Sequence[bytes] | None = None,
) -> list[RawLog]:
    """One ``eth_getLogs`` over ``[from_block, to_block]``, read from the raw JSON.

    ``provider`` is a web3 provider (``w3.provider``): its ``make_request`` applies no
    result formatters. A refusal raises :class:`LogQueryError` with the node's code.
    """
    query: dict[str, Any] = {"fromBlock": hex(from_block), "toBlock": hex(to_block)}
    if addresses is not None:
        query["address"] = list(addresses)
    if topics is not None:
        query["topics"] = [["0x" + t.hex() for t in topics]]
    response = provider.make_request("eth_getLogs", [query])
    error = response.get("error")
    if error:
        raise LogQueryError(
            int(error.get("code", 0)), str(error.get("message", "")), error.get("data")
        )
    result = response["result"]
    try:
        return list(map(RawLog.from_json, result))
    except (TypeError, AttributeError):  # a provider that formats its results already
        return [RawLog.from_rpc(log) for log in result]


def canonical_type(param: Mapping[str, Any]) -> str:
    """The parameter's type as signatures and eth_abi spell it: tuples as ``(t1,t2)``."""
    abi_type = str(param["type"])
    if not abi_type.startswith("tuple"):
        return abi_type
    inner = ",".join(canonical_type(c) for c in param["components"])
    return f"({inner}){abi_type[len('tuple') :]}"


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, IntEnum):
        return int(value)
    return value


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value[2:] if value.startswith("0x") else value)
    return bytes(value)


def _as_int(value: Any) -> int:
    if isinstance(value, str):
        return int(value, 16)
    return int(value)
