"""The win-win value-added statement of one EMC, built from its events alone.

Haier's fourth financial statement has six elements (``/work/shared/DOMAIN.md``): (1) user
resources, (2) resource providers, (3) total ecosystem platform value (ecosystem revenue),
(4) revenues, (5) costs and (6) marginal gains (profit per unit, which should rise). To them
the statement adds the value-added sharing space: what the ME pool earned, what was paid
from it and what is left.

:func:`build_statement` is pure: it takes the EMC's decoded events (from
:func:`rdh_chain.events.fetch_logs` or the index) and, optionally, names by address and the
members' positions read from the chain at one block (what each can claim now cannot be
known from the events without a model of the claims' rounding, so the caller reads it).

Amounts are fen (integers) throughout; profit per unit is an exact :class:`Fraction` of fen.
What a provider *earned* follows the README's accrual rules ("Accrual, exactly"): ``bps *
profit`` in 1/10,000 fen, value-added shares only up to the cumulative profit at which the
pool filled the sharing space, the versions' value-added basis points beyond it for the
development fund; value-added credit and the rest are each floored to whole fen once, over
all periods up to the one shown, as the contract's remainders carry them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from eth_typing import ChecksumAddress

from rdh_chain.events import (
    Claimed,
    Decoded,
    DevFundWithdrawn,
    EmcDissolved,
    EmcInitialized,
    PeriodSettled,
    Swept,
    TargetReached,
    ValueAddedPoolFilled,
    VersionActivated,
    VersionProposed,
)
from rdh_chain.exceptions import InvalidInputError, NotFoundError
from rdh_chain.structs import checksum
from rdh_chain.types import TOTAL_BPS, ZERO_ADDRESS, EmcTerms, Position, ShareClass, ShareEntry

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


@dataclass(frozen=True)
class UserResources:
    """Element 1: users in the period (or in all), against the target.

    ``to_date`` counts every user since the first period, up to this one.
    """

    users: int
    to_date: int
    target: int

    @property
    def reached(self) -> bool:
        return self.to_date >= self.target

    @property
    def to_date_of_target(self) -> Fraction | None:
        """Users to date as a fraction of the target (None without a target)."""
        return None if self.target == 0 else Fraction(self.to_date, self.target)


@dataclass(frozen=True)
class PlatformValue:
    """Element 3: ecosystem revenue (fen) in the period (or in all), against the target."""

    revenue: int
    to_date: int
    target: int

    @property
    def reached(self) -> bool:
        return self.to_date >= self.target

    @property
    def to_date_of_target(self) -> Fraction | None:
        return None if self.target == 0 else Fraction(self.to_date, self.target)


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


@dataclass
class _Settled:
    event: PeriodSettled
    decoded: Decoded


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
    """The statement of ``emc`` from its decoded events (in chain order; others are ignored).

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
    mine = [
        d
        for d in sorted(events, key=lambda d: (d.log.block_number, d.log.log_index))
        if d.log.address == address
    ]
    terms: EmcTerms | None = None
    proposed: dict[int, VersionProposed] = {}
    activated: dict[int, tuple[VersionActivated, Decoded]] = {}
    settled: list[_Settled] = []
    full_at: int | None = None
    filled_in: int | None = None
    reached_in: int | None = None
    dissolved: EmcDissolved | None = None
    claims: list[tuple[int, Claimed]] = []
    withdrawals: list[tuple[int, DevFundWithdrawn]] = []
    sweeps: list[tuple[int, Swept]] = []
    for d in mine:
        e = d.event
        if isinstance(e, EmcInitialized):
            terms = e.terms
        elif isinstance(e, VersionProposed):
            proposed[e.version_id] = e
        elif isinstance(e, VersionActivated):
            activated[e.version_id] = (e, d)
        elif isinstance(e, PeriodSettled):
            settled.append(_Settled(e, d))
        elif isinstance(e, ValueAddedPoolFilled):
            full_at, filled_in = e.full_at_profit, e.period
        elif isinstance(e, TargetReached):
            reached_in = e.period
        elif isinstance(e, EmcDissolved):
            dissolved = e
        elif isinstance(e, Claimed):
            claims.append((d.log.block_number, e))
        elif isinstance(e, DevFundWithdrawn):
            withdrawals.append((d.log.block_number, e))
        elif isinstance(e, Swept):
            sweeps.append((d.log.block_number, e))
    if terms is None:
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

    # Versions by id, with their entries from the proposal.
    versions = tuple(
        VersionTerms(
            version_id=v.version_id,
            from_period=v.from_period,
            value_added_bps=v.value_added_bps,
            signers=v.signers,
            document_hash=proposed[v.version_id].document_hash
            if v.version_id in proposed
            else bytes(32),
            block_number=d.log.block_number,
        )
        for v, d in sorted(activated.values(), key=lambda a: a[0].version_id)
    )
    entries = {vid: proposed[vid].entries for vid in activated if vid in proposed}
    pool_bps = {vid: v.value_added_bps for vid, (v, _) in activated.items()}

    # Walk every period (figures to date need them all), keeping the selected ones.
    credit: dict[ChecksumAddress, int] = {}  # 1/10,000 fen, up to the period walked
    credit_va: dict[ChecksumAddress, int] = {}
    pool_credit = 0
    users = revenue = cost = profit_sum = loss_sum = units_sum = 0
    cumulative_profit = 0
    previous_per_unit: Fraction | None = None
    rows: list[PeriodStatement] = []
    for s in settled:
        e = s.event
        report = e.report
        a, b = cumulative_profit, cumulative_profit + report.profit
        cumulative_profit = b
        before, va_before = dict(credit), dict(credit_va)
        pool_before = pool_credit
        va_a, va_b = (a, b) if full_at is None else (min(a, full_at), min(b, full_at))
        beyond = 0 if full_at is None else max(b, full_at) - max(a, full_at)
        for entry in entries.get(e.version_id, ()):
            if entry.share_class is ShareClass.VALUE_ADDED:
                amount = entry.bps * (va_b - va_a)
                credit_va[entry.account] = credit_va.get(entry.account, 0) + amount
            else:
                amount = entry.bps * report.profit
            credit[entry.account] = credit.get(entry.account, 0) + amount
        fund_extra = pool_bps.get(e.version_id, 0) * beyond
        if fund_extra:
            credit[ZERO_ADDRESS] = credit.get(ZERO_ADDRESS, 0) + fund_extra
        pool_credit += pool_bps.get(e.version_id, 0) * (va_b - va_a)

        users += report.users
        revenue += report.revenue
        cost += report.cost
        profit_sum += report.profit
        loss_sum += report.loss
        units_sum += report.units
        per_unit = Fraction(report.profit, report.units) if report.units else None
        gain = _gain(report.units, report.profit, per_unit, previous_per_unit)
        previous_per_unit = per_unit
        if first <= e.period <= last:
            rows.append(
                PeriodStatement(
                    period=e.period,
                    version_id=e.version_id,
                    block_number=s.decoded.log.block_number,
                    block_timestamp=s.decoded.log.block_timestamp,
                    transaction_hash=s.decoded.log.transaction_hash,
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
                        acct: _whole_fen(c, credit_va.get(acct, 0))
                        - _whole_fen(before.get(acct, 0), va_before.get(acct, 0))
                        for acct, c in credit.items()
                    },
                    pool_earned=pool_credit // TOTAL_BPS - pool_before // TOTAL_BPS,
                    target_reached=reached_in is not None and reached_in <= e.period,
                )
            )
        if e.period == last:
            break

    # Claims made before the settlement after the last period shown.
    end_block = settled[last].decoded.log.block_number if last < len(settled) else None

    def in_span(block: int) -> bool:
        return end_block is None or block < end_block

    paid: dict[ChecksumAddress, int] = {}
    paid_va: dict[ChecksumAddress, int] = {}
    for block, c in claims:
        if in_span(block):
            paid[c.account] = paid.get(c.account, 0) + c.amount
            paid_va[c.account] = paid_va.get(c.account, 0) + c.value_added
    for block, w in withdrawals:
        if in_span(block):
            paid[ZERO_ADDRESS] = paid.get(ZERO_ADDRESS, 0) + w.amount

    # A dissolution short of the target voids the members' value-added credit; its whole fen
    # go to the investors and the fund as the released pool.
    if dissolved is not None and dissolved.period <= last:
        if reached_in is None:
            credit = {a: c - credit_va.get(a, 0) for a, c in credit.items()}
            credit_va = {}
        fund = credit.get(ZERO_ADDRESS, 0) + dissolved.pool_to_dev_fund * TOTAL_BPS
        credit[ZERO_ADDRESS] = fund
    # Credit swept in (sent to the EMC beyond what it owes) went to the fund.
    swept = sum(w.amount for block, w in sweeps if in_span(block))
    if swept:
        credit[ZERO_ADDRESS] = credit.get(ZERO_ADDRESS, 0) + swept * TOTAL_BPS
    providers = _providers(entries, credit, credit_va, paid, paid_va, named, held)
    unlocked = reached_in if reached_in is not None and reached_in <= last else None
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
    space = SharingSpace(
        space=terms.sharing_space,
        earned=pool_credit // TOTAL_BPS,
        paid=sum(paid_va.values()),
        left=terms.sharing_space - _ceil_fen(pool_credit),
        filled_in=filled_in if filled_in is not None and filled_in <= last else None,
        unlocked_in=unlocked,
        released=dissolved.pool_released
        if dissolved is not None and dissolved.period <= last
        else 0,
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
        dissolved_in=dissolved.period if dissolved is not None else None,
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
        raise InvalidInputError(f"The range {first}..{last} is empty: --from must not exceed --to.")
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


def _whole_fen(credit: int, value_added: int) -> int:
    """The whole fen of an account's credit (1/10,000 fen, ``value_added`` of it value-added):
    the contract floors its value-added credit and the rest apart, each keeping its own
    remainder, so over time exactly these fen become payable."""
    return (credit - value_added) // TOTAL_BPS + value_added // TOTAL_BPS


def _ceil_fen(credit: int) -> int:
    """1/10,000 fen rounded up to whole fen (as the contract's ``pool().left`` does)."""
    return -(-credit // TOTAL_BPS)


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
    credit: Mapping[ChecksumAddress, int],
    credit_va: Mapping[ChecksumAddress, int],
    paid: Mapping[ChecksumAddress, int],
    paid_va: Mapping[ChecksumAddress, int],
    names: Mapping[ChecksumAddress, str],
    positions: Mapping[ChecksumAddress, Position],
) -> tuple[Provider, ...]:
    """Every account any version named (partners, then MEs, then the fund), by first
    appearance; accounts paid without being named (none should be) come last."""
    shares: dict[ChecksumAddress, list[ProviderShare]] = {}
    for version_id in sorted(entries):
        for entry in entries[version_id]:
            shares.setdefault(entry.account, []).append(
                ProviderShare(version_id, entry.share_class, entry.bps)
            )
    for account in [*credit, *paid]:
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
                earned=_whole_fen(credit.get(account, 0), credit_va.get(account, 0)),
                earned_value_added=credit_va.get(account, 0) // TOTAL_BPS,
                paid=paid.get(account, 0),
                paid_value_added=paid_va.get(account, 0),
                claimable=None if position is None else position.claimable,
                locked=None if position is None else position.locked,
            )
        )
    return tuple(sorted(out, key=lambda p: order[p.kind]))
