"""The auditor's history: every agreement, report and payout as typed rows, and exports.

Pure functions over decoded events (:class:`rdh_chain.events.Decoded`, in chain order) and
the names to show (address -> label, e.g. from :mod:`rdh_chain.profiles`); no chain,
database or terminal here. The CLI reads the events from the chain or the index.

Rows
    One row per event an auditor reads, except where one event says several things:
    ``VersionActivated`` gives a ``version-activated`` row and one ``version-signed`` row
    per signer (the parties of the version's ``VersionProposed``, which the event does not
    repeat: without that event among those read, the activation row alone);
    ``BidsInvited`` one ``bid`` row per invited bidder. OpenZeppelin's ``RoleGranted`` is
    left out (``MemberAdded`` reports every grant), as are the token's transfers (claims,
    investments and returns report what moved), approvals and minting, and the
    guidelines' formulas.

Periods
    A row's ``period`` is the period its event names (a settlement, a loss, the target
    reached, the pool filled, a dissolution) and otherwise the period the EMC was in when
    it happened: one more than the periods settled so far (so a claim made after period 1
    was settled is in period 2), or the last period once the EMC is dissolved. Registry
    rows have none; the one registering an EMC as a contract belongs to that EMC.

Exports
    CSV: one header line of :data:`COLUMNS`, then one line per row. JSON: one array of
    objects with the same keys in the same order. Amounts are integers in fen under
    ``*_fen`` and plain decimal RMB strings (``57906.00``) under ``*_rmb``; ``involved``
    is every address the row names (space-separated in CSV); times are block timestamps
    (seconds) with their UTC ISO form. Both read back into equal rows
    (:func:`read_csv`, :func:`read_json`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from eth_typing import ChecksumAddress

from rdh_chain import events as ev
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.types import ZERO_ADDRESS, Role
from rdh_chain.validation import format_amount, to_address

__all__ = [
    "COLUMNS",
    "HistoryFilter",
    "HistoryRow",
    "Party",
    "RowKind",
    "build_history",
    "filter_rows",
    "member_metadata",
    "read_csv",
    "read_json",
    "rmb_text",
    "to_csv",
    "to_json",
]

POOL_UNIT = 10_000  # the pool's accrued credit is kept in 1/10,000 fen


class RowKind(StrEnum):
    CREATED = "created"
    TERMS = "terms"
    REPORTER = "reporter"
    BID = "bid"
    VERSION_PROPOSED = "version-proposed"
    VERSION_SIGNED = "version-signed"
    VERSION_ACTIVATED = "version-activated"
    SETTLEMENT = "settlement"
    TARGET_REACHED = "target-reached"
    POOL_FILLED = "pool-filled"
    CLAIM = "claim"
    INVESTMENT = "investment"
    LOSS = "loss"
    NOTICE = "notice"
    DEV_FUND_WITHDRAWAL = "dev-fund-withdrawal"
    SWEEP = "sweep"
    CAPITAL_RETURN = "capital-return"
    DISSOLUTION = "dissolution"
    MEMBERSHIP = "membership"


@dataclass(frozen=True, slots=True)
class Party:
    """An address and the name shown for it (None when no profile names it)."""

    address: ChecksumAddress
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.address})" if self.name else self.address


@dataclass(frozen=True, slots=True)
class HistoryRow:
    kind: RowKind
    event: str
    emc: ChecksumAddress | None
    period: int | None
    account: Party | None
    detail: str
    block_number: int
    block_hash: bytes
    block_time: int | None
    transaction_hash: bytes
    log_index: int
    version: int | None = None
    by: Party | None = None
    auditor: Party | None = None
    amount: int | None = None  # fen: what the row is chiefly about (see the module doc)
    value_added: int | None = None
    revenue: int | None = None
    cost: int | None = None
    profit: int | None = None
    users: int | None = None
    involved: tuple[ChecksumAddress, ...] = field(default=())

    def names(self, address: ChecksumAddress) -> bool:
        """Whether this row names ``address`` (as account, actor, auditor or party)."""
        return address in self.involved

    def record(self) -> dict[str, Any]:
        """The row as an export record: :data:`COLUMNS` in order, JSON-ready values."""
        return {
            "kind": self.kind.value,
            "event": self.event,
            "emc": self.emc,
            "period": self.period,
            "version": self.version,
            "account": _address(self.account),
            "account_name": _name(self.account),
            "by": _address(self.by),
            "by_name": _name(self.by),
            "auditor": _address(self.auditor),
            "auditor_name": _name(self.auditor),
            **_money("amount", self.amount),
            **_money("value_added", self.value_added),
            **_money("revenue", self.revenue),
            **_money("cost", self.cost),
            **_money("profit", self.profit),
            "users": self.users,
            "detail": self.detail,
            "involved": list(self.involved),
            "block_number": self.block_number,
            "block_hash": "0x" + self.block_hash.hex(),
            "block_timestamp": self.block_time,
            "block_time": _iso(self.block_time),
            "transaction_hash": "0x" + self.transaction_hash.hex(),
            "log_index": self.log_index,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> HistoryRow:
        """The row an export record describes (the inverse of :meth:`record`)."""

        def party(key: str) -> Party | None:
            address = record.get(key)
            if not address:
                return None
            return Party(to_address(str(address)), record.get(f"{key}_name") or None)

        def number(key: str) -> int | None:
            value = record.get(key)
            return None if value is None or value == "" else int(value)

        involved = record.get("involved") or ()
        if isinstance(involved, str):
            involved = involved.split()
        return cls(
            kind=RowKind(record["kind"]),
            event=str(record["event"]),
            emc=to_address(str(record["emc"])) if record.get("emc") else None,
            period=number("period"),
            account=party("account"),
            detail=str(record.get("detail") or ""),
            block_number=int(record["block_number"]),
            block_hash=_hex_bytes(str(record["block_hash"])),
            block_time=number("block_timestamp"),
            transaction_hash=_hex_bytes(str(record["transaction_hash"])),
            log_index=int(record["log_index"]),
            version=number("version"),
            by=party("by"),
            auditor=party("auditor"),
            amount=number("amount_fen"),
            value_added=number("value_added_fen"),
            revenue=number("revenue_fen"),
            cost=number("cost_fen"),
            profit=number("profit_fen"),
            users=number("users"),
            involved=tuple(to_address(str(a)) for a in involved),
        )


COLUMNS: tuple[str, ...] = (
    "kind",
    "event",
    "emc",
    "period",
    "version",
    "account",
    "account_name",
    "by",
    "by_name",
    "auditor",
    "auditor_name",
    "amount_fen",
    "amount_rmb",
    "value_added_fen",
    "value_added_rmb",
    "revenue_fen",
    "revenue_rmb",
    "cost_fen",
    "cost_rmb",
    "profit_fen",
    "profit_rmb",
    "users",
    "detail",
    "involved",
    "block_number",
    "block_hash",
    "block_timestamp",
    "block_time",
    "transaction_hash",
    "log_index",
)


def rmb_text(fen: int) -> str:
    """Fen as a plain RMB decimal (``57906.00``, no separators), for exports."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def _money(key: str, fen: int | None) -> dict[str, Any]:
    return {f"{key}_fen": fen, f"{key}_rmb": None if fen is None else rmb_text(fen)}


def _address(party: Party | None) -> str | None:
    return None if party is None else party.address


def _name(party: Party | None) -> str | None:
    return None if party is None else party.name


def _iso(timestamp: int | None) -> str | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC).isoformat()


def _hex_bytes(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


# -- building rows ----------------------------------------------------------------------


def member_metadata(decoded: Iterable[ev.Decoded]) -> dict[ChecksumAddress, bytes]:
    """Each member's latest metadata as the registry's events leave it."""
    found: dict[ChecksumAddress, bytes] = {}
    for item in decoded:
        event = item.event
        if isinstance(event, ev.MemberAdded | ev.MemberMetadataUpdated):
            found[event.account] = event.metadata
    return found


def _role_name(role_id: bytes) -> str:
    if role_id == bytes(32):
        return "admin"
    try:
        return Role.from_id(role_id).value
    except ValueError:
        return _hex(role_id)


class _Builder:
    """Walks the events in order, keeping what rows need from earlier ones."""

    def __init__(self, names: Mapping[ChecksumAddress, str]) -> None:
        self.names = names
        self.emc_ids: dict[int, ChecksumAddress] = {}
        self.emcs: set[ChecksumAddress] = set()
        self.settled: dict[ChecksumAddress, int] = {}
        self.dissolved: set[ChecksumAddress] = set()
        # Each proposal's parties, by (EMC, version id): its activation's signers.
        self.parties: dict[tuple[ChecksumAddress, int], tuple[ChecksumAddress, ...]] = {}
        self.rows: list[HistoryRow] = []

    def party(self, address: ChecksumAddress | None) -> Party | None:
        if address is None or address == ZERO_ADDRESS:
            return None
        return Party(address, self.names.get(address))

    def period_now(self, emc: ChecksumAddress) -> int:
        settled = self.settled.get(emc, 0)
        return settled if emc in self.dissolved else settled + 1

    def add(
        self,
        item: ev.Decoded,
        kind: RowKind,
        emc: ChecksumAddress | None,
        detail: str,
        *,
        account: ChecksumAddress | None = None,
        by: ChecksumAddress | None = None,
        auditor: ChecksumAddress | None = None,
        period: int | None = None,
        others: Sequence[ChecksumAddress] = (),
        **values: int | None,
    ) -> None:
        if period is None and emc is not None and kind is not RowKind.MEMBERSHIP:
            period = self.period_now(emc)
        involved: list[ChecksumAddress] = []
        for address in (account, by, auditor, *others):
            if address is not None and address != ZERO_ADDRESS and address not in involved:
                involved.append(address)
        log = item.log
        self.rows.append(
            HistoryRow(
                kind=kind,
                event=item.event.name,
                emc=emc,
                period=period,
                account=self.party(account),
                detail=detail,
                block_number=log.block_number,
                block_hash=log.block_hash,
                block_time=log.block_timestamp,
                transaction_hash=log.transaction_hash,
                log_index=log.log_index,
                by=self.party(by),
                auditor=self.party(auditor),
                involved=tuple(involved),
                **values,
            )
        )

    def handle(self, item: ev.Decoded) -> None:
        handler = _HANDLERS.get(type(item.event))
        if handler is not None:
            handler(self, item, item.event)


def _created(b: _Builder, item: ev.Decoded, e: Any) -> None:
    b.add(item, RowKind.CREATED, e.emc, f"EMC #{e.id} created", account=e.owner, by=e.operator)


def _terms_generated(b: _Builder, item: ev.Decoded, e: Any) -> None:
    c = e.criteria
    detail = (
        f"terms generated by the {e.strategy.name.lower()} guideline v{e.formula_version} "
        f"from scores {c.market_capacity}/{c.consumption_habits}/{c.industry_scale}/"
        f"{c.team_integration}"
    )
    b.add(item, RowKind.TERMS, b.emc_ids.get(e.id), detail)


def _terms_overridden(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = f"terms set by an operator, reason {_hex(e.reason)}"
    b.add(item, RowKind.TERMS, b.emc_ids.get(e.id), detail, by=e.operator)


def _initialized(b: _Builder, item: ev.Decoded, e: Any) -> None:
    t = e.terms
    detail = (
        f"target {t.target_users:,} users and {format_amount(t.target_revenue)} RMB; sharing "
        f"space {format_amount(t.sharing_space)} RMB; dissolves at "
        f"{format_amount(t.loss_threshold)} RMB of losses"
    )
    b.add(item, RowKind.TERMS, item.log.address, detail, account=e.owner)


def _reporter(b: _Builder, item: ev.Decoded, e: Any) -> None:
    previous = e.previous if e.previous != ZERO_ADDRESS else "the owner"
    detail = f"reporter set (was {previous})"
    b.add(item, RowKind.REPORTER, item.log.address, detail, account=e.reporter)


def _round_opened(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = (
        f"bid round {e.round_id} opened: commit by {_iso(e.commit_deadline)}, reveal by "
        f"{_iso(e.reveal_deadline)}, document {_hex(e.document_hash)}"
    )
    b.add(item, RowKind.BID, item.log.address, detail)


def _bid_committed(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = f"bid committed in round {e.round_id}"
    b.add(item, RowKind.BID, item.log.address, detail, account=e.bidder)


def _bid_revealed(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = (
        f"bid revealed in round {e.round_id}: undertakes {e.undertaken_users:,} users and "
        f"{format_amount(e.undertaken_revenue)} RMB, asks {e.ask_bps} bps"
    )
    b.add(
        item,
        RowKind.BID,
        item.log.address,
        detail,
        account=e.bidder,
        users=e.undertaken_users,
        revenue=e.undertaken_revenue,
    )


def _bids_invited(b: _Builder, item: ev.Decoded, e: Any) -> None:
    for bidder in e.invited:
        detail = f"invited from round {e.round_id}"
        b.add(item, RowKind.BID, item.log.address, detail, account=bidder)


def _proposed(b: _Builder, item: ev.Decoded, e: Any) -> None:
    named = [entry.account for entry in e.entries]
    b.parties[(item.log.address, e.version_id)] = e.parties
    detail = (
        f"version {e.version_id} proposed: {len(e.entries)} entries, document "
        f"{_hex(e.document_hash)}, to activate by {_iso(e.deadline)}"
    )
    b.add(
        item,
        RowKind.VERSION_PROPOSED,
        item.log.address,
        detail,
        account=e.proposer,
        others=named,
        version=e.version_id,
    )


def _activated(b: _Builder, item: ev.Decoded, e: Any) -> None:
    emc = item.log.address
    signers = b.parties.get((emc, e.version_id), ())
    for signer in signers:
        b.add(
            item,
            RowKind.VERSION_SIGNED,
            emc,
            f"signed version {e.version_id}",
            account=signer,
            version=e.version_id,
        )
    detail = (
        f"version {e.version_id} active from period {e.from_period} (epoch {e.epoch}): "
        f"{e.party_count} parties signed, value-added {e.value_added_bps} bps"
    )
    b.add(
        item,
        RowKind.VERSION_ACTIVATED,
        emc,
        detail,
        others=signers,
        version=e.version_id,
    )


def _settled(b: _Builder, item: ev.Decoded, e: Any) -> None:
    emc = item.log.address
    r = e.report
    attested = "attested" if e.auditor != ZERO_ADDRESS else "not attested"
    detail = (
        f"period {e.period} settled under version {e.version_id}: {r.users:,} users, "
        f"{r.units:,} units; {attested}; cumulative profit {format_amount(e.cumulative_profit)}"
        f" RMB; statement {_hex(r.document_hash)}"
    )
    b.add(
        item,
        RowKind.SETTLEMENT,
        emc,
        detail,
        account=e.reporter,
        auditor=e.auditor,
        period=e.period,
        version=e.version_id,
        amount=r.profit,
        revenue=r.revenue,
        cost=r.cost,
        profit=r.profit,
        users=r.users,
    )
    b.settled[emc] = max(b.settled.get(emc, 0), e.period)


def _target(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = f"target reached: {e.users:,} users, {format_amount(e.revenue)} RMB"
    b.add(
        item,
        RowKind.TARGET_REACHED,
        item.log.address,
        detail,
        period=e.period,
        users=e.users,
        revenue=e.revenue,
    )


def _pool_filled(b: _Builder, item: ev.Decoded, e: Any) -> None:
    accrued = e.accrued // POOL_UNIT
    detail = (
        f"value-added pool filled at {format_amount(e.full_at_profit)} RMB of profit "
        f"({format_amount(accrued)} RMB accrued)"
    )
    b.add(item, RowKind.POOL_FILLED, item.log.address, detail, period=e.period, amount=accrued)


def _claimed(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = (
        f"claimed {format_amount(e.amount)} RMB ({format_amount(e.value_added)} value-added); "
        f"paid {format_amount(e.total_paid)} RMB in all"
    )
    b.add(
        item,
        RowKind.CLAIM,
        item.log.address,
        detail,
        account=e.account,
        amount=e.amount,
        value_added=e.value_added,
    )


def _invested(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = (
        f"invested {format_amount(e.amount)} RMB for {e.units:,} units; capital "
        f"{format_amount(e.capital)} RMB"
    )
    b.add(item, RowKind.INVESTMENT, item.log.address, detail, account=e.account, amount=e.amount)


def _loss(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = (
        f"loss of {format_amount(e.loss)} RMB, {format_amount(e.covered)} covered by capital; "
        f"losses {format_amount(e.cumulative_losses)} RMB, capital left "
        f"{format_amount(e.capital_left)} RMB"
        + ("; the capital is spent (new era)" if e.new_era else "")
    )
    b.add(item, RowKind.LOSS, item.log.address, detail, period=e.period, amount=e.loss)


def _dissolved(b: _Builder, item: ev.Decoded, e: Any) -> None:
    emc = item.log.address
    detail = (
        f"dissolved: losses {format_amount(e.losses)} RMB reached the threshold "
        f"{format_amount(e.threshold)} RMB; capital {format_amount(e.capital)} RMB to return; "
        f"pool released {format_amount(e.pool_released)} RMB "
        f"({format_amount(e.pool_to_investors)} to investors, "
        f"{format_amount(e.pool_to_dev_fund)} to the development fund)"
    )
    b.add(item, RowKind.DISSOLUTION, emc, detail, period=e.period, amount=e.losses)
    b.settled[emc] = max(b.settled.get(emc, 0), e.period)
    b.dissolved.add(emc)


def _notice(b: _Builder, item: ev.Decoded, e: Any) -> None:
    who = "resigned" if e.by == e.account else "given notice"
    detail = f"{who}: leaves from period {e.effective_period}, reason {_hex(e.reason_hash)}"
    b.add(item, RowKind.NOTICE, item.log.address, detail, account=e.account, by=e.by)


def _withdrawn(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = (
        f"development fund paid {format_amount(e.amount)} RMB for {_hex(e.purpose)}; "
        f"{format_amount(e.remaining)} RMB left"
    )
    b.add(
        item, RowKind.DEV_FUND_WITHDRAWAL, item.log.address, detail, account=e.to, amount=e.amount
    )


def _swept(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = (
        f"swept {format_amount(e.amount)} RMB of stray credit to the development fund "
        f"({format_amount(e.dev_fund_available)} RMB available)"
    )
    b.add(item, RowKind.SWEEP, item.log.address, detail, by=e.by, amount=e.amount)


def _capital_returned(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = (
        f"capital returned: {format_amount(e.amount)} RMB for {e.units:,} units and "
        f"{format_amount(e.pool_share)} RMB of the released pool"
    )
    b.add(
        item,
        RowKind.CAPITAL_RETURN,
        item.log.address,
        detail,
        account=e.account,
        amount=e.amount + e.pool_share,
    )


def _member_added(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = f"added as {_role_name(e.role)}, metadata {_hex(e.metadata)}"
    # The factory registers each EMC it creates as a contract: part of that EMC's history.
    emc = e.account if e.account in b.emcs else None
    b.add(item, RowKind.MEMBERSHIP, emc, detail, account=e.account, by=e.by)


def _member_suspended(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = f"suspended, reason {_hex(e.reason)}"
    b.add(item, RowKind.MEMBERSHIP, None, detail, account=e.account, by=e.by)


def _member_reinstated(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = f"reinstated, reason {_hex(e.reason)}"
    b.add(item, RowKind.MEMBERSHIP, None, detail, account=e.account, by=e.by)


def _metadata_updated(b: _Builder, item: ev.Decoded, e: Any) -> None:
    detail = f"metadata set to {_hex(e.metadata)}"
    b.add(item, RowKind.MEMBERSHIP, None, detail, account=e.account, by=e.by)


def _role_revoked(b: _Builder, item: ev.Decoded, e: Any) -> None:
    verb = "renounced" if e.sender == e.account else "revoked"
    detail = f"role {_role_name(e.role)} {verb}"
    b.add(item, RowKind.MEMBERSHIP, None, detail, account=e.account, by=e.sender)


_Handler = Callable[[_Builder, ev.Decoded, Any], None]
_HANDLERS: Mapping[type[ev.Event], _Handler] = {
    ev.EmcCreated: _created,
    ev.EmcTermsGenerated: _terms_generated,
    ev.EmcTermsOverridden: _terms_overridden,
    ev.EmcInitialized: _initialized,
    ev.ReporterChanged: _reporter,
    ev.BidRoundOpened: _round_opened,
    ev.BidCommitted: _bid_committed,
    ev.BidRevealed: _bid_revealed,
    ev.BidsInvited: _bids_invited,
    ev.VersionProposed: _proposed,
    ev.VersionActivated: _activated,
    ev.PeriodSettled: _settled,
    ev.TargetReached: _target,
    ev.ValueAddedPoolFilled: _pool_filled,
    ev.Claimed: _claimed,
    ev.Invested: _invested,
    ev.LossAbsorbed: _loss,
    ev.EmcDissolved: _dissolved,
    ev.DepartureNoticed: _notice,
    ev.DevFundWithdrawn: _withdrawn,
    ev.Swept: _swept,
    ev.CapitalReturned: _capital_returned,
    ev.MemberAdded: _member_added,
    ev.MemberSuspended: _member_suspended,
    ev.MemberReinstated: _member_reinstated,
    ev.MemberMetadataUpdated: _metadata_updated,
    ev.RoleRevoked: _role_revoked,
}


def build_history(
    decoded: Iterable[ev.Decoded], names: Mapping[ChecksumAddress, str] | None = None
) -> list[HistoryRow]:
    """The rows of ``decoded`` (in chain order: block, then log index), named by ``names``."""
    items = sorted(decoded, key=lambda d: (d.log.block_number, d.log.log_index))
    builder = _Builder(names or {})
    # The factory's term events name the EMC by id, and may precede its EmcCreated.
    for item in items:
        if isinstance(item.event, ev.EmcCreated):
            builder.emc_ids[item.event.id] = item.event.emc
            builder.emcs.add(item.event.emc)
    for item in items:
        builder.handle(item)
    return builder.rows


# -- filters ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Which rows to keep: of one EMC, naming one member, of some kinds, in a period range
    (inclusive; rows without a period are left out once a range is given)."""

    emc: ChecksumAddress | None = None
    member: ChecksumAddress | None = None
    kinds: frozenset[RowKind] = frozenset()
    period_from: int | None = None
    period_to: int | None = None

    def __post_init__(self) -> None:
        for name in ("period_from", "period_to"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value < 1):
                raise InvalidInputError(f"Periods are numbered from 1; got {name} {value}.")
        if (
            self.period_from is not None
            and self.period_to is not None
            and self.period_from > self.period_to
        ):
            raise InvalidInputError(
                f"The period range {self.period_from}-{self.period_to} is empty: the first "
                "period must not come after the last."
            )

    @classmethod
    def periods(
        cls, period: int | None = None, first: int | None = None, last: int | None = None
    ) -> tuple[int | None, int | None]:
        """(from, to) of ``--period N`` or ``--from N --to M`` (either end may be open)."""
        if period is not None and (first is not None or last is not None):
            raise InvalidInputError("Give either --period N or --from/--to, not both.")
        if period is not None:
            return period, period
        return first, last

    def keeps(self, row: HistoryRow) -> bool:
        if self.emc is not None and row.emc != self.emc:
            return False
        if self.member is not None and not row.names(self.member):
            return False
        if self.kinds and row.kind not in self.kinds:
            return False
        if self.period_from is not None or self.period_to is not None:
            if row.period is None:
                return False
            if self.period_from is not None and row.period < self.period_from:
                return False
            if self.period_to is not None and row.period > self.period_to:
                return False
        return True


def filter_rows(rows: Iterable[HistoryRow], where: HistoryFilter) -> list[HistoryRow]:
    return [row for row in rows if where.keeps(row)]


# -- exports ----------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def to_csv(rows: Iterable[HistoryRow]) -> str:
    """The rows as CSV text: the header of :data:`COLUMNS`, then one line per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        record = row.record()
        writer.writerow([_csv_cell(record[c]) for c in COLUMNS])
    return out.getvalue()


def to_json(rows: Iterable[HistoryRow]) -> str:
    """The rows as one JSON array of objects keyed by :data:`COLUMNS`, in that order."""
    return json.dumps([row.record() for row in rows], indent=2, ensure_ascii=False) + "\n"


def read_csv(text: str) -> list[HistoryRow]:
    """Rows back from :func:`to_csv`'s text."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InvalidInputError("Not a history export: its header is not the history's columns.")
    return [HistoryRow.from_record(record) for record in reader]


def read_json(text: str) -> list[HistoryRow]:
    """Rows back from :func:`to_json`'s text."""
    data = json.loads(text)
    if not isinstance(data, list):
        raise InvalidInputError("Not a history export: a JSON array of rows was expected.")
    return [HistoryRow.from_record(record) for record in data]
