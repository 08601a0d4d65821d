"""Registering members in bulk from a CSV file (``rdh member import``), safe to run again.

One row a role::

    account,role,kind,name,note
    0x5B38Da6a701c568545dCfcB03FcB875f56beddC4,me,me,Smart Cooking ME,
    keystores/chef.json,partner,partner,Chef Zhang Weili,a partner chef

``account`` is a 0x address or the path of a keystore file (its address is read; the key
is not decrypted). ``kind``, ``name`` and ``note`` make the member's profile (see
:mod:`rdh_chain.profiles`), stored in the data folder and recorded as its metadata; leave
``name`` empty for none. Every row is checked before anything is sent, and every error
named with its line. Each row is then compared with the registry at one block: a role the
account holds already is *skipped*, a missing role is added, and an account whose profile
changed while it holds every role gets the new hash (``setMetadata``). An account's rows
share one profile (the registry keeps one an account): give it on any of them. So a run
that stopped half way, or a file that grew, can simply be imported again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from eth_typing import ChecksumAddress

from rdh_chain.exceptions import InvalidInputError
from rdh_chain.ledger import Ledger
from rdh_chain.pinned_reads import PinnedReads
from rdh_chain.pipeline import Call
from rdh_chain.profiles import Profile, ProfileError, ProfileKind, ProfileStore
from rdh_chain.types import Role
from rdh_chain.validation import to_address

__all__ = ["Action", "MemberRow", "PlannedRow", "plan_import", "read_rows"]

COLUMNS = ("account", "role", "kind", "name", "note")
# Roles a file may grant: the registrar and contract roles are the factory's own.
IMPORTABLE_ROLES = frozenset(Role) - {Role.REGISTRAR, Role.CONTRACT}
_EMPTY_METADATA = bytes(32)


class Action(StrEnum):
    ADD = "add"
    SET_METADATA = "set metadata"
    SKIP = "skip"


@dataclass(frozen=True)
class MemberRow:
    """One line of the file: ``line`` is its line number (the header is line 1)."""

    line: int
    account: ChecksumAddress
    role: Role
    profile: Profile | None


@dataclass(frozen=True)
class PlannedRow:
    """What importing ``row`` takes: ``call`` is None for a row that is on chain already."""

    row: MemberRow
    action: Action
    metadata: bytes
    call: Call | None


def _account(cell: str, base: Path) -> ChecksumAddress:
    if cell.startswith(("0x", "0X")):
        return to_address(cell, "account")
    path = Path(cell).expanduser()
    path = path if path.is_absolute() else base / path
    try:
        keystore = json.loads(path.read_text(encoding="utf-8"))
        return to_address("0x" + str(keystore["address"]).removeprefix("0x"), "keystore address")
    except FileNotFoundError:
        raise InvalidInputError(f"{cell!r} is neither a 0x address nor a keystore file") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(f"{path} is not a keystore with an address ({exc})") from None


def _role(cell: str) -> Role:
    try:
        role = Role(cell.strip().lower())
    except ValueError:
        role = None
    if role not in IMPORTABLE_ROLES:
        names = ", ".join(sorted(r.value for r in IMPORTABLE_ROLES))
        raise InvalidInputError(f"role {cell!r} is not one of {names}")
    return role


def _profile(record: dict[str, str], role: Role) -> Profile | None:
    name = (record.get("name") or "").strip()
    if not name:
        return None
    kind = (record.get("kind") or "").strip().lower() or role.value
    try:
        return Profile(name=name, kind=ProfileKind(kind), note=(record.get("note") or None))
    except ValueError as exc:
        if isinstance(exc, ProfileError):
            raise
        kinds = ", ".join(k.value for k in ProfileKind)
        raise InvalidInputError(f"kind {kind!r} is not one of {kinds}") from None


def read_rows(text: str, base: Path) -> list[MemberRow]:
    """The file's rows (keystore paths relative to ``base``), or one error naming every
    bad line."""
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(h.strip().lower() for h in reader.fieldnames or ())
    if header[:2] != COLUMNS[:2] or not set(header) <= set(COLUMNS):
        raise InvalidInputError(
            f"The file's header is {', '.join(header) or 'empty'}; it must start with "
            f"account,role and may add {', '.join(COLUMNS[2:])}."
        )
    reader.fieldnames = list(header)
    rows: list[MemberRow] = []
    problems: list[str] = []
    seen: dict[tuple[ChecksumAddress, Role], int] = {}
    profiles: dict[ChecksumAddress, tuple[int, Profile | None]] = {}
    for record in reader:
        line = reader.line_num
        try:
            row = MemberRow(
                line,
                _account((record.get("account") or "").strip(), base),
                _role(record.get("role") or ""),
                None,
            )
            row = MemberRow(line, row.account, row.role, _profile(record, row.role))
        except InvalidInputError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        first = seen.setdefault((row.account, row.role), line)
        if first != line:
            problems.append(f"line {line}: {row.account} as {row.role} repeats line {first}")
            continue
        other = profiles.setdefault(row.account, (line, row.profile))
        if row.profile is not None and other[1] is not None and other[1] != row.profile:
            problems.append(
                f"line {line}: {row.account}'s profile differs from line {other[0]}'s; give "
                "it once (the registry keeps one profile an account)"
            )
            continue
        if other[1] is None and row.profile is not None:
            profiles[row.account] = (line, row.profile)
        rows.append(row)
    if problems:
        shown = "\n  ".join(problems[:30])
        more = f"\n  ... and {len(problems) - 30} more" if len(problems) > 30 else ""
        raise InvalidInputError(
            f"{len(problems)} row(s) to fix before anything is sent:\n  {shown}{more}"
        )
    if not rows:
        raise InvalidInputError("The file has no rows below its header.")
    return rows


def plan_import(
    operator: Ledger, rows: Sequence[MemberRow], store: ProfileStore | None
) -> list[PlannedRow]:
    """Each row's action against the registry at the latest block, as ``operator`` (an
    active operator, or the admin for operator and treasury roles) would send it. Profiles
    are written to ``store`` first, so the indexer can name what lands."""
    if operator.address is None:
        raise InvalidInputError("Importing members needs a signing wallet (an operator).")
    registry = operator.registry
    block = operator.w3.eth.block_number
    reads = PinnedReads(operator.w3, block)
    for row in rows:
        reads.add(registry, "hasRole", row.role.id, row.account)
        reads.add(registry, "member", row.account)
    values = reads.execute()
    holds = {row: bool(values[2 * i]) for i, row in enumerate(rows)}
    current = {row.account: bytes(values[2 * i + 1]["metadata"]) for i, row in enumerate(rows)}
    # One metadata an account: its profile (from whichever row gives it), else what it has.
    # Every addMember writes the metadata, so each of the account's additions carries it.
    wanted = dict(current)
    for row in rows:
        if row.profile is not None:
            wanted[row.account] = row.profile.hash
            if store is not None:
                store.put(row.profile, row.account)
    adding = {row.account for row in rows if not holds[row]}
    plans: list[PlannedRow] = []
    updated: set[ChecksumAddress] = set()
    for row in rows:
        metadata = wanted[row.account]
        label = f"line {row.line}: {row.account} as {row.role}"
        if not holds[row]:
            data = registry.calldata("addMember", row.account, row.role.id, metadata)
            plans.append(PlannedRow(row, Action.ADD, metadata, _call(operator, data, label)))
        elif (
            metadata != current[row.account]
            and row.account not in adding
            and row.account not in updated
        ):
            updated.add(row.account)
            data = registry.calldata("setMetadata", row.account, metadata)
            call = _call(operator, data, label)
            plans.append(PlannedRow(row, Action.SET_METADATA, metadata, call))
        else:
            plans.append(PlannedRow(row, Action.SKIP, metadata, None))
    return plans


def _call(operator: Ledger, data: bytes, label: str) -> Call:
    assert operator.sender is not None  # checked by plan_import
    return Call(operator.sender.account, operator.registry.address, data, label)


def metadata_text(metadata: bytes) -> str:
    return "none" if metadata == _EMPTY_METADATA else "0x" + metadata.hex()
