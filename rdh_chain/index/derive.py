"""The derived rows of decoded logs: contracts, events, who they involve, members.

Pure functions of the raw logs (and their blocks' times), shared by ingestion and
``rebuild``, so that both write the same rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, get_args, get_origin, get_type_hints

from rdh_chain import events as ev
from rdh_chain.events import Decoded
from rdh_chain.types import Role

ZERO_ADDRESS = "0x" + "00" * 20
_ACCOUNT_FIELDS = (
    "account",
    "bidder",
    "owner",
    "proposer",
    "reporter",
    "to",
    "from_",
    "by",
    "operator",
    "sender",
)
_PERIOD_FIELDS = ("period", "from_period", "effective_period")
_ROLE_NAMES = {role.id: role.value for role in Role}
_VERSION_EVENTS = (ev.VersionProposed, ev.VersionActivated)


@dataclass
class Known:
    """What derivation needs to know about addresses: their kind, EMC ids, the module, and
    the parties of each EMC's proposals since its last activation."""

    kinds: dict[str, str] = field(default_factory=dict)
    emc_ids: dict[int, str] = field(default_factory=dict)
    module: str | None = None
    # EMC -> version id -> parties. ``VersionActivated`` names no signer: they are its
    # proposal's parties. An activation makes every other pending proposal of its EMC
    # stale for good (the EMC refuses it), so only these can still be activated.
    proposals: dict[str, dict[int, list[str]]] = field(default_factory=dict)

    def is_emc(self, address: str) -> bool:
        return self.kinds.get(address) == "emc"


@dataclass
class Derived:
    """Rows to insert, as dicts of column values."""

    contracts: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    members: set[str] = field(default_factory=set)


def derive(decoded: Sequence[Decoded], times: Mapping[int, int], known: Known) -> Derived:
    """The derived rows of ``decoded`` (in chain order); updates ``known`` with new contracts."""
    out = Derived()
    # The factory emits EmcTermsGenerated/Overridden before EmcCreated in one
    # transaction: learn the EMCs first, so that those name their EMC too.
    for item in decoded:
        event = item.event
        if isinstance(event, ev.TemplateDeployed):
            known.module = event.module
            for address, kind in ((event.template, "template"), (event.module, "module")):
                known.kinds[address] = kind
                out.contracts.append(_contract(address, kind, item, module=event.module))
        elif isinstance(event, ev.EmcCreated):
            known.kinds[event.emc] = "emc"
            known.emc_ids[event.id] = event.emc
            out.contracts.append(
                _contract(
                    event.emc, "emc", item, emc_id=event.id, owner=event.owner, module=known.module
                )
            )
    kinds = known.kinds
    events, accounts = out.events, out.accounts
    for item in decoded:
        log, event = item.log, item.event
        plan = _plan(type(event))
        args = plan.to_json(event)
        block_number, log_index, address = log.block_number, log.log_index, log.address
        events.append(
            {
                "block_number": block_number,
                "log_index": log_index,
                "block_hash": log.block_hash,
                "transaction_hash": log.transaction_hash,
                "block_time": times[block_number],
                "contract": address,
                "kind": kinds.get(address, "unknown"),
                "emc": _emc_of(item, known, plan),
                "name": plan.name,
                "account": _account_of(event, known, plan),
                "period": _first(event, plan.period_fields),
                "args": args,
            }
        )
        involved = plan.involved(args)
        if isinstance(event, _VERSION_EVENTS) and kinds.get(address) == "emc":
            involved = _with_signers(event, address, known, involved)
        if involved:
            accounts.extend(
                {"account": a, "block_number": block_number, "log_index": log_index}
                for a in involved
            )
        if plan.member_event and kinds.get(address) == "registry":
            out.members.add(getattr(event, "account"))  # noqa: B009 (every one has it)
    return out


def _with_signers(
    event: ev.VersionProposed | ev.VersionActivated, emc: str, known: Known, involved: list[str]
) -> list[str]:
    """``involved``, and for an activation its signers: the parties of its proposal, kept in
    ``known`` from the proposal on (a member's history reads its activations by them)."""
    if isinstance(event, ev.VersionProposed):
        known.proposals.setdefault(emc, {})[event.version_id] = list(event.parties)
        return involved
    signers = known.proposals.pop(emc, {}).get(event.version_id, [])
    return sorted({*involved, *signers})


def _contract(
    address: str,
    kind: str,
    item: Decoded,
    *,
    emc_id: int | None = None,
    owner: str | None = None,
    module: str | None = None,
) -> dict[str, Any]:
    return {
        "address": address,
        "kind": kind,
        "emc_id": emc_id,
        "owner": owner,
        "module": module,
        "block_number": item.log.block_number,
        "log_index": item.log.log_index,
    }


def _emc_of(item: Decoded, known: Known, plan: _Plan) -> str | None:
    address, event = item.log.address, item.event
    kinds = known.kinds
    if kinds.get(address) == "emc":
        return address
    if isinstance(event, ev.EmcCreated):
        return event.emc
    if isinstance(event, ev.EmcTermsGenerated | ev.EmcTermsOverridden):
        return known.emc_ids.get(event.id)
    if isinstance(event, ev.Transfer):
        for side in (event.to, event.from_):
            if kinds.get(side) == "emc":
                return side
        return None
    for name in plan.emc_fields:
        value = getattr(event, name)
        if isinstance(value, str) and kinds.get(value) == "emc":
            return value
    return None


def _account_of(event: ev.Event, known: Known, plan: _Plan) -> str | None:
    if isinstance(event, ev.Transfer):
        # The member's side of a payout (from an EMC) or a deposit (to it).
        return event.from_ if known.is_emc(event.to) else event.to
    value = _first(event, plan.account_fields)
    return value if isinstance(value, str) else None


def _first(event: ev.Event, names: Iterable[str]) -> Any:
    for name in names:
        value = getattr(event, name, None)
        if value is not None:
            return value
    return None


@dataclass(frozen=True, slots=True)
class _Plan:
    """What derivation reads of one event class, worked out once from its fields."""

    name: str
    to_json: Callable[[Any], dict[str, Any]]
    involved: Callable[[dict[str, Any]], list[str]]  # its JSON's addresses but zero, sorted
    account_fields: tuple[str, ...]
    period_fields: tuple[str, ...]
    emc_fields: tuple[str, ...]
    member_event: bool


_PLANS: dict[type[Any], _Plan] = {}
_EMC_FIELDS = ("account", "to", "from_", "spender", "owner")


def _plan(cls: type[Any]) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _make_plan(cls)
    return plan


def _make_plan(cls: type[Any]) -> _Plan:
    names = _field_names(cls)
    return _Plan(
        name=cls.name,
        to_json=_compiled(f"event_json[{cls.__name__}]", "e", f"return {_json_of(cls, 'e')}"),
        involved=_compiled(
            f"involved[{cls.__name__}]",
            "a",
            "c = []\n"
            + "".join(_candidates(cls, "a", 0))
            + "found = {v for v in c if len(v) == 42 and v.startswith('0x')}\n"
            + "found.discard(_ZERO)\n"
            + "return sorted(found)",
        ),
        account_fields=tuple(n for n in _ACCOUNT_FIELDS if n in names),
        period_fields=tuple(n for n in _PERIOD_FIELDS if n in names),
        emc_fields=tuple(n for n in _EMC_FIELDS if n in names),
        member_event=cls.name in MEMBER_EVENTS,
    )


def _hints(cls: type[Any]) -> dict[str, Any]:
    try:
        return get_type_hints(cls)
    except Exception:  # pragma: no cover (every event's and struct's hints resolve)
        return {}


def _kind(hint: Any) -> str:
    """How a field's value becomes JSON: as it is, bytes as hex, an enum's number, ..."""
    while hasattr(hint, "__supertype__"):  # a NewType (ChecksumAddress: of a NewType of str)
        hint = hint.__supertype__
    if hint is int or hint is bool:
        return "plain"
    if hint is str:
        return "str"
    if hint is bytes:
        return "bytes"
    if isinstance(hint, type) and issubclass(hint, IntEnum):
        return "enum"
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return "struct"
    args = get_args(hint)
    if get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return "tuple"
    return "other"


def _json_of(cls: type[Any], source: str, depth: int = 0) -> str:
    """An expression for ``_jsonable(source)``, ``source`` being a ``cls`` dataclass."""
    hints = _hints(cls)
    items = ", ".join(
        f"{name!r}: {_json_expression(hints.get(name), f'{source}.{name}', depth)}"
        for name in _field_names(cls)
    )
    return f"{{{items}}}"


def _json_expression(hint: Any, source: str, depth: int) -> str:
    kind = _kind(hint)
    if kind in ("plain", "str"):
        return source
    if kind == "bytes":
        return f"'0x' + {source}.hex()"
    if kind == "enum":
        return f"int({source})"
    if kind == "struct" and depth < 4:
        return _json_of(hint, source, depth + 1)
    if kind == "tuple" and depth < 4:
        item = f"v{depth}"
        return f"[{_json_expression(get_args(hint)[0], item, depth + 1)} for {item} in {source}]"
    return f"_jsonable({source})"


def _candidates(cls: type[Any], source: str, depth: int) -> list[str]:
    """Statements adding to ``c`` the strings of ``source`` (``cls``'s JSON) that may be
    addresses: its str and bytes values, nested ones too."""
    hints = _hints(cls)
    lines = []
    for name in _field_names(cls):
        lines.extend(_value_candidates(hints.get(name), f"{source}[{name!r}]", depth))
    return lines


def _value_candidates(hint: Any, source: str, depth: int) -> list[str]:
    kind = _kind(hint)
    indent = "    " * depth
    if kind in ("plain", "enum"):
        return []
    if kind in ("str", "bytes"):
        return [f"{indent}c.append({source})\n"]
    if kind == "struct" and depth < 4:
        return _candidates(hint, source, depth)
    if kind == "tuple" and depth < 4:
        item = f"v{depth}"
        inner = _value_candidates(get_args(hint)[0], item, depth + 1)
        return [f"{indent}for {item} in {source}:\n", *inner] if inner else []
    return [f"{indent}c.extend(_addresses({source}))\n"]


def _compiled(name: str, argument: str, body: str) -> Callable[[Any], Any]:
    """A function of ``argument`` with ``body`` (generated here, from field names only)."""
    namespace: dict[str, Any] = {
        "_jsonable": _jsonable,
        "_addresses": _addresses,
        "_ZERO": ZERO_ADDRESS,
    }
    code = f"def function({argument}):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    exec(code, namespace)
    function: Callable[[Any], Any] = namespace["function"]
    function.__qualname__ = name
    return function


def event_json(event: ev.Event) -> dict[str, Any]:
    """``event.as_json()``, several times faster (no ``dataclasses.asdict`` deep copy)."""
    return _plan(type(event)).to_json(event)


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind is int or kind is str or kind is bool:
        return value
    if kind is bytes:
        return "0x" + value.hex()
    if isinstance(value, IntEnum):
        return int(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {name: _jsonable(getattr(value, name)) for name in _field_names(kind)}
    return value


def _addresses(value: Any) -> set[str]:
    """Every address in a JSON value (the only 42-character 0x strings events carry)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) == 42 and item.startswith("0x"):
                found.add(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def member_rows(registry_events: Iterable[tuple[int, str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Members as their registry events (block, name, args), in chain order, leave them.

    A member is an account with a ``MemberAdded``; its roles are those granted
    (``RoleGranted``, OpenZeppelin's, which ``MemberAdded`` comes with) and not revoked.
    """
    members: dict[str, dict[str, Any]] = {}
    roles: dict[str, set[str]] = {}
    for block, name, args in registry_events:
        account = args["account"]
        if name in ("RoleGranted", "RoleRevoked"):
            held = roles.setdefault(account, set())
            role = _role_name(args["role"])
            if name == "RoleGranted":
                held.add(role)
            else:
                held.discard(role)
        elif name == "MemberAdded" and account not in members:
            members[account] = {
                "address": account,
                "roles": [],
                "metadata_hash": bytes.fromhex(args["metadata"][2:]),
                "active": True,
                "added_block": block,
                # Named from the profile folder afterwards (rdh_chain.index.names).
                "profile_status": None,
                "profile_name": None,
                "profile_kind": None,
            }
        row = members.get(account)
        if row is None:
            continue
        if name == "MemberSuspended":
            row["active"] = False
        elif name == "MemberReinstated":
            row["active"] = True
        elif name in ("MemberMetadataUpdated", "MemberAdded"):
            row["metadata_hash"] = bytes.fromhex(args["metadata"][2:])
        row["updated_block"] = block
    for account, row in members.items():
        row["roles"] = sorted(roles.get(account, ()))
    return list(members.values())


def _role_name(role_hex: str) -> str:
    role = bytes.fromhex(role_hex[2:])
    if role == bytes(32):
        return "admin"
    return _ROLE_NAMES.get(role, role_hex)


MEMBER_EVENTS = (
    "MemberAdded",
    "MemberSuspended",
    "MemberReinstated",
    "MemberMetadataUpdated",
    "RoleGranted",
    "RoleRevoked",
)
