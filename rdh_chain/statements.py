"""The win-win value-added statement of one EMC, built from its events alone.

Haier's fourth financial statement has six elements (``/work/shared/DOMAIN.md``): (1) user
resources, (2) resource providers, (3) total ecosystem platform value (ecosystem revenue),
(4) revenues, (5) costs and (6) marginal gains (profit per unit, which should rise). To them
the statement adds the value-added sharing space: what the ME pool earned, what was paid
from it and what is left.

:func:`build_statement` is pure: it takes the EMC's decoded events (from the chain or the
index) and, optionally, names by address and the members' positions read from the chain
at one block (the caller reads them; the statement shows them beside its own figures).

Amounts are fen (integers) throughout; profit per unit is an exact :class:`Fraction` of fen.
The six elements are the settlements' reports as the events give them. What each provider
earned, was paid and holds, the pool and the development fund come from the auditor's
accounting model (:func:`rdh_chain.accounting.replay`, README's "Accrual, exactly", the
same model ``rdh audit verify`` holds against the chain), replayed up to the settlement
after the last period shown; each period's share of it is the difference between the
model's :class:`~rdh_chain.accounting.PeriodCredit` after it and after the period before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from eth_typing import ChecksumAddress

from rdh_chain.accounting import EmcBook, PeriodCredit, replay
from rdh_chain.events import (
    Decoded,
    EmcDissolved,
    EmcInitialized,
    PeriodSettled,
    RawLog,
    VersionActivated,
    VersionProposed,
)
from rdh_chain.exceptions import InvalidInputError, NotFoundError
from rdh_chain.structs import checksum
from rdh_chain.types import ZERO_ADDRESS, EmcTerms, Position, ShareClass, ShareEntry

__all__ = [
    "DEV_FUND_NAME",
    "Cumulative",
    "MarginalGain",
    "PeriodStatement",
    "PlatformValue",
    "Provider",
    "ProviderKind",
    "ProviderShare",
    "Report",
    "SharingSpace",
    "Statement",
    "UserResources",
    "VersionTerms",
    "build_statement",
    "provider_accounts",
]

DEV_FUND_NAME = "development fund"


class ProviderKind:
    """What a resource provider is, from the classes it holds (one spelling for every view)."""

    PARTNER = "partner"
    ME = "ME"
    FUND = "fund"


# -- the six elements ------------------------------------------------------------------


class _AgainstTarget:
    """A figure to date against its target (elements 1 and 3)."""

    to_date: int
    target: int

    @property
    def reached(self) -> bool:
        return self.to_date >= self.target

    @property
    def to_date_of_target(self) -> Fraction | None:
        """The figure to date as a fraction of the target (None without a target)."""
        return None if self.target == 0 else Fraction(self.to_date, self.target)


@dataclass(frozen=True)
class UserResources(_AgainstTarget):
    """Element 1: users in the period (or in all), against the target.

    ``to_date`` counts every user since the first period, up to this one.
    """

    users: int
    to_date: int
    target: int


@dataclass(frozen=True)
class PlatformValue(_AgainstTarget):
    """Element 3: ecosystem revenue (fen) in the period (or in all), against the target."""

    revenue: int
    to_date: int
    target: int


@dataclass(frozen=True)
class Report:
    """Elements 4 and 5: revenue and cost as reported (fen), the profit deposited, the loss
    (cost above revenue), who reported and who attested (None: nobody did)."""

    revenue: int
    cost: int
    profit: int
    loss: int
    reporter: ChecksumAddress | None = None
    auditor: ChecksumAddress | None = None
    document_hash: bytes = bytes(32)


@dataclass(frozen=True)
class MarginalGain:
    """Element 6: profit per unit (fen, exact) and its change from the period before.

    ``per_unit`` is None for a period that reported no units; ``change`` (fen per unit) and
    ``change_ratio`` (relative to the previous per-unit profit) are None when either
    period has no per-unit profit (or, for the ratio, the previous one was 0).
    """

    units: int
    profit: int
    per_unit: Fraction | None
    change: Fraction | None = None
    change_ratio: Fraction | None = None

    @property
    def rising(self) -> bool | None:
        """Whether profit per unit rose from the period before (None if unknown)."""
        return None if self.change is None else self.change > 0


@dataclass(frozen=True)
class PeriodStatement:
    """One settled period: the six elements and what it earned each provider and the pool."""

    period: int
    version_id: int
    block_number: int
    block_timestamp: int | None
    transaction_hash: bytes
    user_resources: UserResources
    platform_value: PlatformValue
    report: Report
    marginal_gain: MarginalGain
    # fen each provider earned in this period: the whole fen its credit to date gained, so
    # the periods add up to the provider's total exactly.
    earned: Mapping[ChecksumAddress, int]
    pool_earned: int  # fen the value-added pool accrued in this period (likewise)
    target_reached: bool  # cumulative users and revenue at the target by this period


@dataclass(frozen=True)
class Cumulative:
    """The six elements' figures in all, from the first period up to ``last_period``."""

    periods: int
    last_period: int
    user_resources: UserResources
    platform_value: PlatformValue
    report: Report
    marginal_gain: MarginalGain
    target_reached_in: int | None


# -- element 2 and the sharing space -------------------------------------------------------


@dataclass(frozen=True)
class ProviderShare:
    """``bps`` of each period's profit in ``share_class`` under share version ``version_id``."""

    version_id: int
    share_class: ShareClass
    bps: int


@dataclass(frozen=True)
class Provider:
    """Element 2: a resource provider, its shares under each version and its money (fen).

    ``paid`` and ``paid_value_added`` are the claims (fund withdrawals for the development
    fund) made by the end of the last period shown (before the next settlement).
    ``claimable`` and ``locked`` are the chain's figures at the statement's
    ``positions_block``; None when the caller did not read them. Value-added credit that a
    dissolution short of the target voided is not in ``earned``.
    """

    account: ChecksumAddress
    name: str | None
    kind: str
    shares: tuple[ProviderShare, ...]
    earned: int
    earned_value_added: int
    paid: int
    paid_value_added: int
    claimable: int | None = None
    locked: int | None = None

    def bps_in(self, version_id: int) -> dict[ShareClass, int]:
        """Its basis points by class under ``version_id`` (classes it holds only)."""
        return {s.share_class: s.bps for s in self.shares if s.version_id == version_id}

    @property
    def label(self) -> str:
        return self.name or self.account


@dataclass(frozen=True)
class VersionTerms:
    """A share version in force from ``from_period``: its entries and who signed it."""

    version_id: int
    from_period: int
    value_added_bps: int
    signers: tuple[ChecksumAddress, ...]
    document_hash: bytes
    block_number: int


@dataclass(frozen=True)
class SharingSpace:
    """The value-added sharing space (fen): what the ME pool earned (accrued) up to the last
    period shown, what was paid from it (the claims' value-added parts), and what is left
    of the space. ``filled_in`` is the period the pool filled it, ``unlocked_in`` the period
    the target was reached (value-added credit is claimable from then on), ``released``
    what a dissolution short of the target released of it."""

    space: int
    earned: int
    paid: int
    left: int
    filled_in: int | None
    unlocked_in: int | None
    released: int = 0

    @property
    def owed(self) -> int:
        """Earned and not yet paid: locked until the target is reached."""
        return self.earned - self.paid


@dataclass(frozen=True)
class Statement:
    """The win-win value-added statement of ``emc`` over ``periods`` (one or a range)."""

    emc: ChecksumAddress
    name: str | None
    terms: EmcTerms
    periods: tuple[PeriodStatement, ...]
    cumulative: Cumulative
    providers: tuple[Provider, ...]
    versions: tuple[VersionTerms, ...]
    sharing_space: SharingSpace
    settled_periods: int  # periods settled in all, whatever was selected
    as_of_block: int  # the last block whose events were read
    positions_block: int | None = None
    dissolved_in: int | None = None
    names: Mapping[ChecksumAddress, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.name} ({self.emc})" if self.name else f"EMC {self.emc}"

    @property
    def first_period(self) -> int:
        return self.periods[0].period

    @property
    def last_period(self) -> int:
        return self.periods[-1].period

    def name_of(self, account: ChecksumAddress) -> str | None:
        """The name the caller gave ``account`` (the development fund's for account zero)."""
        return DEV_FUND_NAME if account == ZERO_ADDRESS else self.names.get(account)

    @property
    def per_unit_trend(self) -> tuple[int, int, int]:
        """Among the periods shown, how often profit per unit rose, held and fell from the
        period before (the seeds' claim is that it rises)."""
        changes = [p.marginal_gain.change for p in self.periods]
        known = [c for c in changes if c is not None]
        return (
            sum(c > 0 for c in known),
            sum(c == 0 for c in known),
            sum(c < 0 for c in known),
        )

    def label(self, account: ChecksumAddress | None) -> str:
        """A name with its address, or the address alone."""
        if account is None:
            return "-"
        if account == ZERO_ADDRESS:
            return DEV_FUND_NAME
        name = self.names.get(account)
        return f"{name} ({account})" if name else account


# -- building ------------------------------------------------------------------------------


def build_statement(
    emc: str,
    events: Iterable[Decoded],
    *,
    names: Mapping[ChecksumAddress, str] | Mapping[str, str] | None = None,
    positions: Mapping[ChecksumAddress, Position] | Mapping[str, Position] | None = None,
    positions_block: int | None = None,
    period: int | None = None,
    from_period: int | None = None,
    to_period: int | None = None,
    as_of_block: int | None = None,
) -> Statement:
    """The statement of ``emc`` from the decoded events (those of other contracts count
    only as the accounting model counts them: an EMC's figures are its own events').

    Select one ``period`` or a range ``from_period``..``to_period`` (either end open; the
    default is every settled period). ``names`` maps addresses to names (the EMC's own
    address names the EMC); ``positions`` are members' positions read from the chain at
    ``positions_block``. Raises :class:`NotFoundError` if no event initialised an EMC at
    ``emc`` and :class:`InvalidInputError` for a selection that is contradictory or
    holds no settled period.
    """
    address = checksum(emc)
    named = {checksum(a): n for a, n in (names or {}).items()}
    held = {checksum(a): p for a, p in (positions or {}).items()}
    ordered = sorted(events, key=lambda d: (d.log.block_number, d.log.log_index))
    mine = [d for d in ordered if d.log.address == address]
    proposed: dict[int, VersionProposed] = {}
    activated: dict[int, tuple[VersionActivated, Decoded]] = {}
    settled: list[tuple[PeriodSettled, Decoded]] = []
    dissolved_in: int | None = None
    for d in mine:
        e = d.event
        if isinstance(e, VersionProposed):
            proposed[e.version_id] = e
        elif isinstance(e, VersionActivated):
            activated[e.version_id] = (e, d)
        elif isinstance(e, PeriodSettled):
            settled.append((e, d))
        elif isinstance(e, EmcDissolved):
            dissolved_in = e.period
    if not any(isinstance(d.event, EmcInitialized) for d in mine):
        raise NotFoundError(
            f"no EMC was initialised at {address} in the events read; check the address "
            "(`rdh emc list`) and the chain or index it was read from."
        )
    if not settled:
        raise InvalidInputError(
            f"{address} has settled no period yet: there is no statement to make "
            "(settle one with `rdh settle`)."
        )
    first, last = _selection(len(settled), period, from_period, to_period)
    # The books as they stood before the transaction that settled the period after the last
    # one shown: the claims made by then count as paid.
    span = ordered
    if last < len(settled):
        nxt = settled[last][1].log
        span = ordered[: next(i for i, d in enumerate(ordered) if _same_tx(d.log, nxt))]
    book = replay(span).emcs[address]
    terms = book.terms
    assert terms is not None  # the book was opened by its EmcInitialized

    versions = tuple(
        VersionTerms(
            version_id=v.version_id,
            from_period=v.from_period,
            value_added_bps=v.value_added_bps,
            # Activation takes exactly the parties' signatures; the event does not list them.
            signers=proposed[v.version_id].parties if v.version_id in proposed else (),
            document_hash=proposed[v.version_id].document_hash
            if v.version_id in proposed
            else bytes(32),
            block_number=d.log.block_number,
        )
        for v, d in sorted(activated.values(), key=lambda a: a[0].version_id)
    )
    entries = {vid: proposed[vid].entries for vid in activated if vid in proposed}

    users = revenue = cost = profit_sum = loss_sum = units_sum = 0
    previous_per_unit: Fraction | None = None
    rows: list[PeriodStatement] = []
    before: PeriodCredit | None = None
    for (e, d), credit in zip(settled[:last], book.settled, strict=True):
        earlier, before = before, credit
        report = e.report
        users += report.users
        revenue += report.revenue
        cost += report.cost
        profit_sum += report.profit
        loss_sum += report.loss
        units_sum += report.units
        per_unit = Fraction(report.profit, report.units) if report.units else None
        gain = _gain(report.units, report.profit, per_unit, previous_per_unit)
        previous_per_unit = per_unit
        if e.period < first:
            continue
        rows.append(
            PeriodStatement(
                period=e.period,
                version_id=e.version_id,
                block_number=d.log.block_number,
                block_timestamp=d.log.block_timestamp,
                transaction_hash=d.log.transaction_hash,
                user_resources=UserResources(report.users, users, terms.target_users),
                platform_value=PlatformValue(report.revenue, revenue, terms.target_revenue),
                report=Report(
                    report.revenue,
                    report.cost,
                    report.profit,
                    report.loss,
                    e.reporter,
                    None if e.auditor == ZERO_ADDRESS else e.auditor,
                    report.document_hash,
                ),
                marginal_gain=gain,
                earned={
                    a: fen - (0 if earlier is None else earlier.credit.get(a, 0))
                    for a, fen in credit.credit.items()
                },
                pool_earned=credit.pool - (0 if earlier is None else earlier.pool),
                target_reached=credit.target_reached,
            )
        )

    providers = _providers(entries, book, named, held)
    unlocked = book.reached_in
    cumulative = Cumulative(
        periods=last,
        last_period=last,
        user_resources=UserResources(users, users, terms.target_users),
        platform_value=PlatformValue(revenue, revenue, terms.target_revenue),
        report=Report(revenue, cost, profit_sum, loss_sum),
        marginal_gain=MarginalGain(
            units_sum, profit_sum, Fraction(profit_sum, units_sum) if units_sum else None
        ),
        target_reached_in=unlocked,
    )
    pool = book.pool()
    space = SharingSpace(
        space=pool.sharing_space,
        earned=pool.accrued_fen,
        paid=sum(book.paid_value_added(a) for a in book.accounts),
        left=pool.left,
        filled_in=book.filled_in,
        unlocked_in=unlocked,
        released=book.pool_released,
    )
    latest = max((d.log.block_number for d in mine), default=0)
    return Statement(
        emc=address,
        name=named.get(address),
        terms=terms,
        periods=tuple(rows),
        cumulative=cumulative,
        providers=providers,
        versions=tuple(v for v in versions if v.from_period <= last),
        sharing_space=space,
        settled_periods=len(settled),
        as_of_block=latest if as_of_block is None else as_of_block,
        positions_block=positions_block if held else None,
        dissolved_in=dissolved_in,
        names=named,
    )


def provider_accounts(emc: str, events: Iterable[Decoded]) -> list[ChecksumAddress]:
    """Every account a share version of ``emc`` names (account zero for the development
    fund), in order of first appearance: whose positions a caller reads for the statement."""
    address = checksum(emc)
    seen: dict[ChecksumAddress, None] = {}
    for d in events:
        if d.log.address == address and isinstance(d.event, VersionProposed):
            for entry in d.event.entries:
                seen.setdefault(entry.account, None)
    return list(seen)


def _selection(
    settled: int, period: int | None, from_period: int | None, to_period: int | None
) -> tuple[int, int]:
    """The first and last period shown, checked against the ``settled`` periods."""
    if period is not None and (from_period is not None or to_period is not None):
        raise InvalidInputError("Choose one period (--period) or a range (--from/--to), not both.")
    first, last = (period, period) if period is not None else (from_period, to_period)
    first = 1 if first is None else first
    for value in (first, last):
        if value is not None and value < 1:
            raise InvalidInputError(f"Periods are numbered from 1; {value} is not a period.")
    if last is not None and first > last:
        raise InvalidInputError(
            f"The range {first}..{last} is empty: the first period must not come after the last "
            "(--from and --to; from_period and to_period in the gateway)."
        )
    if first > settled:
        which = (
            f"period {first}"
            if first == last
            else f"the range {first}..{'' if last is None else last}"
        )
        raise InvalidInputError(
            f"{which} holds no settled period: {settled} period(s) are settled so far."
        )
    return first, settled if last is None else min(last, settled)


def _same_tx(log: RawLog, other: RawLog) -> bool:
    return (log.block_number, log.transaction_index) == (
        other.block_number,
        other.transaction_index,
    )


def _gain(
    units: int, profit: int, per_unit: Fraction | None, previous: Fraction | None
) -> MarginalGain:
    if per_unit is None or previous is None:
        return MarginalGain(units, profit, per_unit)
    change = per_unit - previous
    ratio = None if previous == 0 else change / previous
    return MarginalGain(units, profit, per_unit, change, ratio)


def _providers(
    entries: Mapping[int, tuple[ShareEntry, ...]],
    book: EmcBook,
    names: Mapping[ChecksumAddress, str],
    positions: Mapping[ChecksumAddress, Position],
) -> tuple[Provider, ...]:
    """Every account any version named (partners, then MEs, then the fund), by first
    appearance; accounts credited or paid without being named (none should be) come last."""
    shares: dict[ChecksumAddress, list[ProviderShare]] = {}
    for version_id in sorted(entries):
        for entry in entries[version_id]:
            shares.setdefault(entry.account, []).append(
                ProviderShare(version_id, entry.share_class, entry.bps)
            )
    for account in [*book.credited, *book.accounts]:
        if account in book.credited or book.position(account).paid:
            shares.setdefault(account, [])

    def kind(held: list[ProviderShare], account: ChecksumAddress) -> str:
        if account == ZERO_ADDRESS:
            return ProviderKind.FUND
        if any(s.share_class is ShareClass.PARTNER for s in held):
            return ProviderKind.PARTNER
        return ProviderKind.ME

    order = {ProviderKind.PARTNER: 0, ProviderKind.ME: 1, ProviderKind.FUND: 2}
    out = []
    for account, held in shares.items():
        position = positions.get(account)
        out.append(
            Provider(
                account=account,
                name=DEV_FUND_NAME if account == ZERO_ADDRESS else names.get(account),
                kind=kind(held, account),
                shares=tuple(held),
                earned=book.earned_fen(account),
                earned_value_added=book.value_added_fen(account),
                paid=book.position(account).paid,
                paid_value_added=book.paid_value_added(account),
                claimable=None if position is None else position.claimable,
                locked=None if position is None else position.locked,
            )
        )
    return tuple(sorted(out, key=lambda p: order[p.kind]))
