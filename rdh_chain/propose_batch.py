"""Proposing share versions in many EMCs at once (``rdh shares propose --batch FILE``),
safe to run again.

Each row names an EMC (one row per EMC), the version's entries (or, ``from_active``, those
of the EMC's active version with the row's entries replacing the same account and class),
its document hash and its signing deadline. Every EMC's latest version is read at one
block: a row whose EMC's latest version has the same entries and document and can still
be signed (proposed against the current activation count, before its deadline), or is the
active one, is *skipped*; the others are proposed together through
:mod:`rdh_chain.pipeline`, each version's id read from its ``VersionProposed`` event. A
row the EMC refuses (shares that do not sum to 10,000 bps, a partner outside the terms'
bounds, a member left out...) is reported with the contract's decoded error and nothing is
sent for it; the other rows land.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from eth_typing import ChecksumAddress

from rdh_chain import events
from rdh_chain.bids import merge_entries
from rdh_chain.contracts import EmcClient
from rdh_chain.contracts.emc import DEFAULT_SIGNING_WINDOW
from rdh_chain.exceptions import InvalidInputError, RdhChainError
from rdh_chain.ledger import Ledger
from rdh_chain.pinned_reads import PinnedReads
from rdh_chain.pipeline import Call, Outcome, Pipeline, Progress, Status
from rdh_chain.types import ShareEntry, Version, VersionStatus, entries_hash

__all__ = ["ProposeResult", "ProposeRow", "ProposeStatus", "propose_rows"]


@dataclass(frozen=True)
class ProposeRow:
    """One line of the file (``line`` its number; the header is line 1). ``deadline`` is a
    Unix time, or None for the SDK's default (30 days from the block read)."""

    line: int
    emc: ChecksumAddress
    entries: tuple[ShareEntry, ...]
    document_hash: bytes
    deadline: int | None
    from_active: bool = False  # the active version's entries, ``entries`` replacing theirs


class ProposeStatus(StrEnum):
    PROPOSED = "proposed"
    ON_CHAIN = "on chain already"  # the latest version has these entries and can be signed
    ACTIVE = "active already"  # the active version has these entries
    FAILED = "failed"


@dataclass(frozen=True)
class ProposeResult:
    row: ProposeRow
    status: ProposeStatus
    version_id: int | None = None  # the proposed (or found) version
    outcome: Outcome | None = None
    error: RdhChainError | None = None

    @property
    def ok(self) -> bool:
        return self.status is not ProposeStatus.FAILED


def _latest(
    ledger: Ledger, emcs: dict[ChecksumAddress, EmcClient], block: int
) -> tuple[
    dict[ChecksumAddress, Version | None],
    dict[ChecksumAddress, int],
    dict[ChecksumAddress, int],
    int,
]:
    """Each EMC's latest version (None before the first), its active version's id, its
    activation count, and the time of ``block``."""
    reads = PinnedReads(ledger.w3, block)
    for client in emcs.values():
        reads.add(client, "versionCount")
        reads.add(client, "activeVersionId")
    values = reads.execute()
    counts = dict(zip(emcs, values[0::2], strict=True))
    actives = dict(zip(emcs, values[1::2], strict=True))
    reads = PinnedReads(ledger.w3, block)
    wanted: list[tuple[ChecksumAddress, str, int]] = []
    for address, client in emcs.items():
        for kind, version_id in (
            ("latest", int(counts[address])),
            ("active", int(actives[address])),
        ):
            if version_id:
                reads.add(client, "version", version_id)
                wanted.append((address, kind, version_id))
    found: dict[tuple[ChecksumAddress, str], Version] = {}
    for (address, kind, version_id), raw in zip(wanted, reads.execute(), strict=True):
        found[(address, kind)] = emcs[address].version_from_header(version_id, raw)
    latest = {address: found.get((address, "latest")) for address in emcs}
    activations = {
        address: found[(address, "active")].epoch + 1 if (address, "active") in found else 0
        for address in emcs
    }
    now = int(ledger.w3.eth.get_block(block)["timestamp"])
    return latest, actives, activations, now


def _from_active(
    ledger: Ledger,
    emcs: dict[ChecksumAddress, EmcClient],
    rows: Sequence[ProposeRow],
    actives: dict[ChecksumAddress, int],
    block: int,
) -> list[ProposeRow]:
    """``rows`` with every ``from_active`` row's entries merged into its active version's."""
    basing = [row for row in rows if row.from_active]
    missing = [row for row in basing if not actives[row.emc]]
    if missing:
        raise InvalidInputError(
            "No active version to start from: "
            + "; ".join(f"line {r.line} ({r.emc})" for r in missing)
            + ". Give every entry of those rows (drop the leading 'active')."
        )
    merged = {}
    for row in basing:  # the entries are in the active version's VersionProposed event
        base = emcs[row.emc].version_entries(actives[row.emc], block=block)
        entries = tuple(merge_entries(base, row.entries))
        merged[row.line] = replace(row, entries=entries, from_active=False)
    return [merged.get(row.line, row) for row in rows]


def plan_rows(
    ledger: Ledger, rows: Sequence[ProposeRow]
) -> tuple[dict[ChecksumAddress, EmcClient], list[ProposeRow], list[ProposeResult], int]:
    """The EMCs, the rows still to propose (``from_active`` resolved), those on chain
    already, and the block's time."""
    repeated = [r for i, r in enumerate(rows) if any(o.emc == r.emc for o in rows[:i])]
    if repeated:
        raise InvalidInputError(
            "One row per EMC: "
            + "; ".join(f"line {r.line} repeats {r.emc}" for r in repeated)
            + ". Keep one version a row."
        )
    emcs = {row.emc: ledger.emc(row.emc) for row in rows}  # NotFoundError for a non-EMC
    block = ledger.w3.eth.block_number
    latest, actives, activations, now = _latest(ledger, emcs, block)
    pending: list[ProposeRow] = []
    done: list[ProposeResult] = []
    for row in _from_active(ledger, emcs, rows, actives, block):
        version = latest[row.emc]
        same = (
            version is not None
            and version.entries_hash == entries_hash(row.entries)
            and version.document_hash == row.document_hash
        )
        if same and version is not None and version.status is VersionStatus.ACTIVE:
            done.append(ProposeResult(row, ProposeStatus.ACTIVE, version.id))
        elif (
            same
            and version is not None
            and version.status is VersionStatus.PROPOSED
            and version.nonce == activations[row.emc]
            and version.deadline > now
        ):
            done.append(ProposeResult(row, ProposeStatus.ON_CHAIN, version.id))
        else:
            pending.append(row)
    return emcs, pending, done, now


def propose_rows(
    ledger: Ledger, pipeline: Pipeline, rows: Sequence[ProposeRow], progress: Progress | None = None
) -> list[ProposeResult]:
    """Propose every row not yet on chain (see the module); a result per row, file order."""
    if ledger.sender is None:
        raise InvalidInputError("Proposing needs a signing wallet: the EMCs' owner.")
    account = ledger.sender.account
    emcs, pending, results, now = plan_rows(ledger, rows)
    calls = []
    for row in pending:
        client = emcs[row.emc]
        deadline = now + DEFAULT_SIGNING_WINDOW if row.deadline is None else row.deadline
        ordered = sorted(row.entries, key=lambda e: e.sort_key)
        data = client.calldata(
            "proposeVersion",
            [e.as_abi() for e in ordered],
            row.document_hash,
            deadline,
            client.current_parties(),  # the active version's, for nobody to be left out
            client.current_roles().as_abi(),
        )
        calls.append(Call(account, client.address, data, f"line {row.line}: {client.address}"))
    report = pipeline.send(calls, progress) if calls else None
    for row, outcome in zip(pending, report.outcomes if report else (), strict=True):
        if outcome.status is Status.MINED:
            assert outcome.result is not None
            proposed = emcs[row.emc].event(outcome.result, events.VersionProposed)
            results.append(ProposeResult(row, ProposeStatus.PROPOSED, proposed.version_id, outcome))
        else:
            error = outcome.error or RdhChainError(outcome.describe())
            results.append(ProposeResult(row, ProposeStatus.FAILED, None, outcome, error))
    return sorted(results, key=lambda r: r.row.line)
