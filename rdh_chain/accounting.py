"""The EMCs' accounting, recomputed from their events alone.

A plain-Python restatement of the rules README.md states under "The model", written from
those rules and not from the contracts' code, so an auditor can hold the chain's figures
against an independent reckoning. :func:`replay` takes the decoded events of a deployment
in chain order (:class:`rdh_chain.events.Decoded`) and returns one :class:`EmcBook` per
EMC, whose methods give what the contracts' views should say: ``position`` (``accountOf``),
``totals``, ``pool``, ``capital_totals``, ``capital_of``, ``sweepable`` and the credit the
EMC holds; ``earned_fen`` and ``settled`` (a :class:`PeriodCredit` per settlement) are what
the win-win value-added statement (:mod:`rdh_chain.statements`) reports.

The rules, as README states them:

* Credit is counted in 1/10,000 fen. An account that held ``bps`` of a class while the
  cumulative profit rose from ``a`` to ``b`` earned ``bps * (b - a)``; a value-added share
  earns only up to the point ``full_at`` where the pool filled the sharing space, and the
  development fund takes each version's pool basis points beyond it. An account's partner,
  operating and fund credit and its value-added credit are floored to whole fen apart;
  the remainders are its dust, which carries over, so the figures depend on the totals only.
  Value-added fen are locked until the target is reached, void if the EMC dissolves short
  of it.
* Suspension, lost roles and notices change no share: a member earns its share until a
  version without it applies, and keeps what it earned. The registry's events therefore
  move no figure here; shares change only when a version is activated (from the period it
  names).
* Capital is held in units minted at the capital's worth (one per fen in a new era); a
  covered loss raises a cumulative loss per unit (scaled by 2**128); an account's borne
  losses are ``floor(units * (index - index_then) / 2**128)``, counted whenever its units
  change; a loss that wipes the capital out starts a new era.
* Dissolution short of the target releases the pool's whole fen: ``min(released,
  losses_covered)`` to the investors pro rata to the losses their capital bore, the rest to
  the fund. The last units out take the capital's remainder, the last investor to claim
  the pool's.
* Whatever the EMC holds above what it owes, in whole fen, may be swept into the fund.

Where an event says something the model computes (a claim's amount, the units an
investment bought, what a loss covered...), the event's figure is recorded and a
:class:`EventIssue` notes any difference from the model's. The payments themselves (a
claim, a withdrawal, a sweep, a transfer) are taken from the events: they are the record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eth_typing import ChecksumAddress

from rdh_chain import events as ev
from rdh_chain.types import (
    ZERO_ADDRESS,
    CapitalTotals,
    EmcStatus,
    EmcTerms,
    PeriodReport,
    Pool,
    Position,
    ShareClass,
    ShareEntry,
    Totals,
)

__all__ = [
    "BPS",
    "LOSS_SCALE",
    "CapitalView",
    "DepartureView",
    "EmcBook",
    "EventIssue",
    "Ledgerbook",
    "PeriodCredit",
    "replay",
]

BPS = 10_000  # 1/10,000 fen per fen, and basis points in a whole
LOSS_SCALE = 2**128  # the loss-per-unit index's fixed point

# Events a settlement emits besides PeriodSettled, each checked against the model's outcome.
_SETTLEMENT_EVENTS = (ev.TargetReached, ev.ValueAddedPoolFilled, ev.LossAbsorbed, ev.EmcDissolved)


@dataclass(frozen=True, slots=True)
class EventIssue:
    """An event whose figure differs from the model's (or a missing or unexpected one)."""

    emc: ChecksumAddress
    account: ChecksumAddress | None
    field: str  # e.g. "Claimed.amount"
    expected: object  # what the model says
    found: object  # what the event says (None: the event is missing)
    block_number: int
    transaction_hash: bytes
    log_index: int


@dataclass(frozen=True, slots=True)
class CapitalView:
    """``capitalOf(account)``: the account's capital brought up to date."""

    units: int
    era: int
    invested: int
    loss_borne: int
    claimed: bool
    value: int
    pool_share: int


@dataclass(frozen=True, slots=True)
class DepartureView:
    """``departureOf(account)``: when its notice runs out, whether the owner gave it, why."""

    effective_period: int
    by_owner: bool
    reason_hash: bytes


@dataclass(frozen=True, slots=True)
class PeriodCredit:
    """What the settlements credited up to and including ``period``, in whole fen.

    ``credit``: each account a settled version named (and the fund, once it takes the
    pool's basis points beyond the space), its partner, operating and fund credit and its
    value-added credit each floored to whole fen (so the periods' differences add up to
    the total); a later dissolution's voiding is not in it. ``pool``: the whole fen the
    value-added pool accrued.
    """

    period: int
    version_id: int
    credit: Mapping[ChecksumAddress, int]
    pool: int
    target_reached: bool


@dataclass(slots=True)
class _Account:
    free: int = 0  # partner, operating and fund credit, 1/10,000 fen
    value_added: int = 0  # value-added credit within the sharing space, 1/10,000 fen
    free_paid: int = 0  # fen; the fund's: withdrawn
    value_added_paid: int = 0


@dataclass(slots=True)
class _Holding:
    units: int = 0
    era: int = 0
    invested: int = 0
    index_then: int = 0
    borne: int = 0
    claimed: bool = False


@dataclass(slots=True)
class _Outcome:
    """What the model says one settlement did, to hold its events against."""

    target_reached: tuple[int, int] | None = None  # users, revenue
    filled: tuple[int, int] | None = None  # full_at, accrued
    loss: tuple[int, int, int, int, bool] | None = None  # loss, covered, cum, left, new era
    dissolved: tuple[int, int, int, int, int, int, int] | None = None
    seen: set[str] = field(default_factory=set)
    where: ev.RawLog | None = None


@dataclass
class EmcBook:
    """One EMC's accounts, pool, capital and fund as its events make them."""

    address: ChecksumAddress
    owner: ChecksumAddress = ZERO_ADDRESS
    terms: EmcTerms | None = None
    events: int = 0
    dissolved: bool = False
    # Shares: every proposed version's entries; activations (from period, version id).
    proposed: dict[int, tuple[ShareEntry, ...]] = field(default_factory=dict)
    # And each one's EIP-712 struct hash, which the header keeps and its activation repeats.
    struct_hashes: dict[int, bytes] = field(default_factory=dict)
    activations: list[tuple[int, int]] = field(default_factory=list)
    # The settlements' cumulative figures, and each one's credit (see PeriodCredit).
    periods: int = 0
    users: int = 0
    revenue: int = 0
    profit: int = 0
    target_reached: bool = False
    reached_in: int | None = None
    dissolved_in: int | None = None
    settled: list[PeriodCredit] = field(default_factory=list)
    credited: dict[ChecksumAddress, None] = field(default_factory=dict)  # in order
    # The value-added pool, 1/10,000 fen.
    accrued: int = 0
    full: bool = False
    full_at: int = 0
    filled_in: int | None = None
    excess: int = 0
    # The fund beyond its credit: a released pool's part and sweeps, in fen.
    released_to_fund: int = 0
    swept: int = 0
    accounts: dict[ChecksumAddress, _Account] = field(default_factory=dict)
    # Capital.
    capital: int = 0
    total_units: int = 0
    era: int = 0
    invested: int = 0
    losses: int = 0
    covered: int = 0
    returned: int = 0
    pool_released: int = 0
    pool_to_investors: int = 0
    pool_paid: int = 0
    investors: int = 0
    claims: int = 0
    loss_index: int = 0
    era_end: dict[int, int] = field(default_factory=dict)
    holdings: dict[ChecksumAddress, _Holding] = field(default_factory=dict)
    balance: int = 0  # credit held, from the token's Transfer events
    reporter: ChecksumAddress = ZERO_ADDRESS
    # Notices: a later one can only end earlier (the earlier end wins), so the last stands.
    departures: dict[ChecksumAddress, DepartureView] = field(default_factory=dict)
    outcomes: dict[int, _Outcome] = field(default_factory=dict)
    settlement_events: list[tuple[ev.RawLog, ev.Event]] = field(default_factory=list)

    # -- what the views should say ------------------------------------------------------

    @property
    def forfeited(self) -> bool:
        """Dissolved short of the target: the members' value-added credit is void."""
        return self.dissolved and not self.target_reached

    def known_accounts(self) -> list[ChecksumAddress]:
        """Every account with figures: the fund first, then in order of appearance."""
        seen = dict.fromkeys([ZERO_ADDRESS, *self.accounts, *self.holdings])
        return list(seen)

    def _extra(self, account: ChecksumAddress) -> int:
        return self.released_to_fund + self.swept if account == ZERO_ADDRESS else 0

    def earned(self, account: ChecksumAddress) -> int:
        """Everything ``account`` earned, in 1/10,000 fen (the fund: with its released pool
        part and sweeps); a forfeited pool's value-added credit is not counted."""
        a = self.accounts.get(account) or _Account()
        value_added = 0 if self.forfeited else a.value_added
        return a.free + value_added + self._extra(account) * BPS

    def earned_fen(self, account: ChecksumAddress) -> int:
        """What ``account`` earned in whole fen: what it was paid, can claim and has locked
        (its dust aside). The fund's includes its released pool part and sweeps."""
        a = self.accounts.get(account) or _Account()
        return a.free // BPS + self.value_added_fen(account) + self._extra(account)

    def value_added_fen(self, account: ChecksumAddress) -> int:
        """The whole fen of ``account``'s value-added credit (0 once forfeited)."""
        a = self.accounts.get(account)
        return 0 if a is None or self.forfeited else a.value_added // BPS

    def paid_value_added(self, account: ChecksumAddress) -> int:
        """The value-added fen ``account``'s claims paid."""
        a = self.accounts.get(account)
        return 0 if a is None else a.value_added_paid

    def position(self, account: ChecksumAddress) -> Position:
        """``accountOf(account)``; the fund's (account zero) ``paid`` is what was withdrawn."""
        a = self.accounts.get(account) or _Account()
        free_fen, claimable_value_added = self._claimable_split(account)
        locked, dust = 0, a.free % BPS
        if not self.forfeited:  # a forfeited pool's credit, dust included, is void
            dust += a.value_added % BPS
            if not self.target_reached:
                locked = a.value_added // BPS - a.value_added_paid
        paid = a.free_paid + a.value_added_paid
        return Position(free_fen + claimable_value_added, locked, paid, dust)

    def _claimable_split(self, account: ChecksumAddress) -> tuple[int, int]:
        """(free fen, value-added fen) a claim would pay now: value-added fen only once the
        target is reached."""
        a = self.accounts.get(account) or _Account()
        free_fen = a.free // BPS + self._extra(account) - a.free_paid
        value_added_fen = 0
        if self.target_reached:
            value_added_fen = a.value_added // BPS - a.value_added_paid
        return free_fen, value_added_fen

    def totals(self) -> Totals:
        """``totals()``: ``paid`` is every claim and every fund withdrawal."""
        paid = sum(a.free_paid + a.value_added_paid for a in self.accounts.values())
        withdrawn = self.accounts[ZERO_ADDRESS].free_paid if ZERO_ADDRESS in self.accounts else 0
        return Totals(
            self.periods,
            self.users,
            self.revenue,
            self.profit,
            paid,
            withdrawn,
            self.target_reached,
        )

    def active_version_id(self) -> int:
        """The version activated last (it applies from the period it names)."""
        return self.activations[-1][1] if self.activations else 0

    def status(self) -> EmcStatus:
        return EmcStatus.DISSOLVED if self.dissolved else EmcStatus.ACTIVE

    def pool(self) -> Pool:
        """``pool()``: the space (fen), what accrued (1/10,000 fen), what is left of the space
        (fen, a started fen counting as used), the fill point and the excess (1/10,000 fen)."""
        space = self.terms.sharing_space if self.terms else 0
        used = -(-self.accrued // BPS)
        return Pool(
            space, self.accrued, space - used, self.full_at if self.full else 0, self.excess
        )

    def capital_totals(self) -> CapitalTotals:
        return CapitalTotals(
            self.capital,
            self.total_units,
            self.era,
            self.invested,
            self.losses,
            self.covered,
            self.returned,
            self.pool_released,
            self.pool_to_investors,
            self.pool_paid,
            self.investors,
            self.claims,
        )

    def _brought_up(self, h: _Holding) -> tuple[int, int]:
        """(units still worth something, losses borne) of ``h`` now."""
        current = h.era == self.era
        index = self.loss_index if current else self.era_end.get(h.era, self.loss_index)
        borne = h.borne + h.units * (index - h.index_then) // LOSS_SCALE
        return (h.units if current else 0), borne

    def _pool_share(self, borne: int, last: bool) -> int:
        if self.pool_to_investors == 0:
            return 0
        if last:
            return self.pool_to_investors - self.pool_paid
        return self.pool_to_investors * borne // self.covered

    def capital_of(self, account: ChecksumAddress) -> CapitalView:
        h = self.holdings.get(account) or _Holding()
        units, borne = self._brought_up(h)
        value = units * self.capital // self.total_units if self.total_units else 0
        share = 0 if h.claimed else self._pool_share(borne, last=False)
        return CapitalView(units, h.era, h.invested, borne, h.claimed, value, share)

    def owed(self) -> int:
        """Everything the EMC owes, in 1/10,000 fen: every account's claimable and locked fen
        and its dust, the capital and the released pool still owed to investors."""
        owed = 0
        for account in self.known_accounts():
            p = self.position(account)
            owed += (p.claimable + p.locked) * BPS + p.dust
        return owed + (self.capital + self.pool_to_investors - self.pool_paid) * BPS

    def sweepable(self) -> int:
        """Whole fen held above what is owed (``sweepable()``)."""
        above = self.balance * BPS - self.owed()
        return above // BPS if above > 0 else 0

    # -- events -------------------------------------------------------------------------

    def _account(self, account: ChecksumAddress) -> _Account:
        found = self.accounts.get(account)
        if found is None:
            found = self.accounts[account] = _Account()
        return found

    def active_entries(self, period: int) -> tuple[int, tuple[ShareEntry, ...]]:
        """The version in force for ``period``: the last activated from a period up to it."""
        version_id = 0
        for from_period, vid in reversed(self.activations):  # the last one, as a rule
            if from_period <= period:
                version_id = vid
                break
        return version_id, self.proposed.get(version_id, ())

    def settle(
        self, period: int, report: PeriodReport, entries: Iterable[ShareEntry], version_id: int = 0
    ) -> _Outcome:
        """One period's report under ``entries`` (of ``version_id``)."""
        out = _Outcome()
        shares = tuple(entries)
        self.periods = period
        self.users += report.users
        self.revenue += report.revenue
        self.credited.update(dict.fromkeys(e.account for e in shares))
        if report.profit:
            self._credit(report.profit, shares, out)
        terms = self.terms
        if (
            terms is not None
            and not self.target_reached
            and self.users >= terms.target_users
            and self.revenue >= terms.target_revenue
        ):
            self.target_reached, self.reached_in = True, period
            out.target_reached = (self.users, self.revenue)
        if report.cost > report.revenue:
            self._absorb(report.cost - report.revenue, out)
            if terms is not None and self.losses >= terms.loss_threshold:
                self._dissolve(out)
        self.settled.append(self._period_credit(period, version_id))
        return out

    def _period_credit(self, period: int, version_id: int) -> PeriodCredit:
        credit = {}
        for account in self.credited:
            a = self.accounts.get(account) or _Account()
            credit[account] = a.free // BPS + a.value_added // BPS
        return PeriodCredit(period, version_id, credit, self.accrued // BPS, self.target_reached)

    def _credit(self, profit: int, entries: tuple[ShareEntry, ...], out: _Outcome) -> None:
        pool_bps = sum(e.bps for e in entries if e.share_class is ShareClass.VALUE_ADDED)
        earning = profit  # the part of the profit value-added shares earn on
        if self.full:
            earning = 0
        elif pool_bps:
            space = (self.terms.sharing_space if self.terms else 0) * BPS
            room = space - self.accrued
            if pool_bps * profit <= room:
                self.accrued += pool_bps * profit
            else:
                earning = room // pool_bps
                self.full, self.full_at = True, self.profit + earning
                self.filled_in = self.periods
                self.accrued += pool_bps * earning
                out.filled = (self.full_at, self.accrued)
        for e in entries:
            if e.share_class is ShareClass.VALUE_ADDED:
                self._account(e.account).value_added += e.bps * earning
            else:
                self._account(e.account).free += e.bps * profit
        beyond = pool_bps * (profit - earning)
        self.excess += beyond
        self._account(ZERO_ADDRESS).free += beyond
        if beyond:
            self.credited.setdefault(ZERO_ADDRESS)
        self.profit += profit

    def _absorb(self, loss: int, out: _Outcome) -> None:
        before = self.capital
        covered = min(loss, before)
        new_era = False
        if covered:
            self.loss_index += covered * LOSS_SCALE // self.total_units
            self.capital -= covered
            self.covered += covered
            if self.capital == 0:
                self.era_end[self.era] = self.loss_index
                self.era += 1
                self.total_units = 0
                new_era = True
        self.losses += loss
        out.loss = (loss, covered, self.losses, self.capital, new_era)

    def _dissolve(self, out: _Outcome) -> None:
        self.dissolved, self.dissolved_in = True, self.periods
        released = 0 if self.target_reached else self.accrued // BPS
        to_investors = min(released, self.covered)
        self.pool_released, self.pool_to_investors = released, to_investors
        self.released_to_fund = released - to_investors
        threshold = self.terms.loss_threshold if self.terms else 0
        out.dissolved = (
            self.losses,
            threshold,
            self.capital,
            released,
            to_investors,
            released - to_investors,
            self.covered,
        )

    def invest(self, account: ChecksumAddress, amount: int) -> int:
        units = amount if self.total_units == 0 else amount * self.total_units // self.capital
        h = self.holdings.get(account)
        if h is None:
            h = self.holdings[account] = _Holding()
        if h.invested == 0:
            self.investors += 1
        held, borne = self._brought_up(h)
        h.units, h.borne, h.index_then, h.era = held + units, borne, self.loss_index, self.era
        h.invested += amount
        self.capital += amount
        self.total_units += units
        self.invested += amount
        return units

    def claim_capital(self, account: ChecksumAddress) -> tuple[int, int, int]:
        """(capital returned, units, pool share) of ``account``'s one capital claim."""
        h = self.holdings.get(account)
        if h is None:
            h = self.holdings[account] = _Holding()
        units, borne = self._brought_up(h)
        returned = units * self.capital // self.total_units if units else 0
        self.claims += 1
        share = self._pool_share(borne, last=self.claims == self.investors)
        h.units, h.borne, h.index_then, h.claimed = 0, borne, self.loss_index, True
        self.capital -= returned
        self.total_units -= units
        self.returned += returned
        self.pool_paid += share
        return returned, units, share


class Ledgerbook:
    """The books of every EMC of a deployment, kept from its events in chain order."""

    def __init__(self) -> None:
        self.emcs: dict[ChecksumAddress, EmcBook] = {}
        self.issues: list[EventIssue] = []
        self.events = 0
        self.last_block = 0

    def _issue(
        self,
        book: EmcBook,
        log: ev.RawLog,
        name: str,
        expected: object,
        found: object,
        account: ChecksumAddress | None = None,
    ) -> None:
        if expected != found:
            self.issues.append(
                EventIssue(
                    book.address,
                    account,
                    name,
                    expected,
                    found,
                    log.block_number,
                    log.transaction_hash,
                    log.log_index,
                )
            )

    def apply(self, decoded: ev.Decoded) -> None:
        """Account for one event (events must come in chain order)."""
        self.events += 1
        log, event = decoded.log, decoded.event
        self.last_block = log.block_number
        if isinstance(event, ev.Transfer):
            receiver, sender = self.emcs.get(event.to), self.emcs.get(event.from_)
            if receiver is not None:
                receiver.balance += event.value
            if sender is not None:
                sender.balance -= event.value
            return
        if isinstance(event, ev.EmcInitialized):
            book = self.emcs.setdefault(log.address, EmcBook(log.address))
            book.owner, book.terms = event.owner, event.terms
            book.events += 1
            return
        book_or_none = self.emcs.get(log.address)
        if book_or_none is None:
            return  # the registry's, the factory's, the guidelines': no EMC's figures
        book = book_or_none
        book.events += 1
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, book, log, event)

    def finish(self) -> None:
        """Hold each settlement's events against what the model says it did, both ways."""
        for book in self.emcs.values():
            for log, e in book.settlement_events:
                period = int(getattr(e, "period"))  # noqa: B009 - each of them has one
                out = book.outcomes.get(period)
                if out is None:
                    self._issue(book, log, f"{e.name} (period {period} never settled)", None, e)
                    continue
                out.seen.add(e.name)
                self._check(book, log, out, e)
            for period, out in book.outcomes.items():
                wanted = {
                    "TargetReached": out.target_reached,
                    "ValueAddedPoolFilled": out.filled,
                    "LossAbsorbed": out.loss,
                    "EmcDissolved": out.dissolved,
                }
                for name, expected in wanted.items():
                    if expected is not None and name not in out.seen and out.where is not None:
                        self._issue(book, out.where, f"{name} (period {period})", expected, None)

    # -- one method per event that moves a figure ----------------------------------------

    def _proposed(self, book: EmcBook, log: ev.RawLog, e: ev.VersionProposed) -> None:
        book.proposed[e.version_id] = e.entries
        book.struct_hashes[e.version_id] = e.struct_hash

    def _activated(self, book: EmcBook, log: ev.RawLog, e: ev.VersionActivated) -> None:
        entries = book.proposed.get(e.version_id, ())
        pool_bps = sum(x.bps for x in entries if x.share_class is ShareClass.VALUE_ADDED)
        self._issue(book, log, "VersionActivated.value_added_bps", pool_bps, e.value_added_bps)
        # Its signers are its parties (the event no longer lists them): their count at least.
        parties = {x.account for x in entries} - {ZERO_ADDRESS}
        self._issue(book, log, "VersionActivated.party_count", len(parties), e.party_count)
        self._issue(book, log, "VersionActivated.from_period", book.periods + 1, e.from_period)
        # What the parties signed is what was proposed.
        signed = book.struct_hashes.get(e.version_id)
        self._issue(book, log, "VersionActivated.struct_hash", signed, e.struct_hash)
        book.activations.append((e.from_period, e.version_id))
        for x in entries:
            book._account(x.account)

    def _settled(self, book: EmcBook, log: ev.RawLog, e: ev.PeriodSettled) -> None:
        self._issue(book, log, "PeriodSettled.period", book.periods + 1, e.period)
        version_id, entries = book.active_entries(e.period)
        self._issue(book, log, "PeriodSettled.version_id", version_id, e.version_id)
        out = book.settle(e.period, e.report, entries, version_id)
        self._issue(book, log, "PeriodSettled.cumulative_profit", book.profit, e.cumulative_profit)
        out.where = log
        book.outcomes[e.period] = out

    def _settlement_event(self, book: EmcBook, log: ev.RawLog, e: ev.Event) -> None:
        # Checked in finish(): within its transaction it may come before PeriodSettled.
        book.settlement_events.append((log, e))

    def _check(self, book: EmcBook, log: ev.RawLog, out: _Outcome, e: ev.Event) -> None:
        if isinstance(e, ev.TargetReached):
            self._issue(book, log, "TargetReached", out.target_reached, (e.users, e.revenue))
        elif isinstance(e, ev.ValueAddedPoolFilled):
            self._issue(
                book, log, "ValueAddedPoolFilled", out.filled, (e.full_at_profit, e.accrued)
            )
        elif isinstance(e, ev.LossAbsorbed):
            found = (e.loss, e.covered, e.cumulative_losses, e.capital_left, e.new_era)
            self._issue(book, log, "LossAbsorbed", out.loss, found)
        elif isinstance(e, ev.EmcDissolved):
            found_d = (
                e.losses,
                e.threshold,
                e.capital,
                e.pool_released,
                e.pool_to_investors,
                e.pool_to_dev_fund,
                e.losses_covered,
            )
            self._issue(book, log, "EmcDissolved", out.dissolved, found_d)

    def _claimed(self, book: EmcBook, log: ev.RawLog, e: ev.Claimed) -> None:
        free_fen, value_added_fen = book._claimable_split(e.account)
        self._issue(book, log, "Claimed.amount", free_fen + value_added_fen, e.amount, e.account)
        self._issue(book, log, "Claimed.value_added", value_added_fen, e.value_added, e.account)
        a = book._account(e.account)
        a.value_added_paid += e.value_added
        a.free_paid += e.amount - e.value_added
        total = a.free_paid + a.value_added_paid
        self._issue(book, log, "Claimed.total_paid", total, e.total_paid, e.account)

    def _fund_issue(self, book: EmcBook, log: ev.RawLog, name: str, found: int) -> None:
        """An event's figure of what the fund holds, against the model's."""
        expected = book.position(ZERO_ADDRESS).claimable
        self._issue(book, log, name, expected, found, ZERO_ADDRESS)

    def _withdrawn(self, book: EmcBook, log: ev.RawLog, e: ev.DevFundWithdrawn) -> None:
        book._account(ZERO_ADDRESS).free_paid += e.amount
        self._fund_issue(book, log, "DevFundWithdrawn.remaining", e.remaining)

    def _swept(self, book: EmcBook, log: ev.RawLog, e: ev.Swept) -> None:
        self._issue(book, log, "Swept.amount", book.sweepable(), e.amount)
        book.swept += e.amount
        self._fund_issue(book, log, "Swept.dev_fund_available", e.dev_fund_available)

    def _reporter(self, book: EmcBook, log: ev.RawLog, e: ev.ReporterChanged) -> None:
        self._issue(book, log, "ReporterChanged.previous", book.reporter, e.previous)
        book.reporter = e.reporter

    def _noticed(self, book: EmcBook, log: ev.RawLog, e: ev.DepartureNoticed) -> None:
        previous = book.departures.get(e.account)
        if previous is not None and e.effective_period >= previous.effective_period:
            self._issue(
                book,
                log,
                "DepartureNoticed.effective_period (not earlier)",
                f"< {previous.effective_period}",
                e.effective_period,
                e.account,
            )
        book.departures[e.account] = DepartureView(
            e.effective_period, e.by == book.owner, e.reason_hash
        )

    def _invested(self, book: EmcBook, log: ev.RawLog, e: ev.Invested) -> None:
        units = book.invest(e.account, e.amount)
        self._issue(book, log, "Invested.units", units, e.units, e.account)
        self._issue(book, log, "Invested.capital", book.capital, e.capital, e.account)

    def _returned(self, book: EmcBook, log: ev.RawLog, e: ev.CapitalReturned) -> None:
        returned, units, share = book.claim_capital(e.account)
        self._issue(book, log, "CapitalReturned.amount", returned, e.amount, e.account)
        self._issue(book, log, "CapitalReturned.units", units, e.units, e.account)
        self._issue(book, log, "CapitalReturned.pool_share", share, e.pool_share, e.account)


_Handler = Callable[[Ledgerbook, EmcBook, ev.RawLog, Any], None]
_HANDLERS: dict[type[ev.Event], _Handler] = {
    ev.VersionProposed: Ledgerbook._proposed,
    ev.VersionActivated: Ledgerbook._activated,
    ev.PeriodSettled: Ledgerbook._settled,
    ev.Claimed: Ledgerbook._claimed,
    ev.DevFundWithdrawn: Ledgerbook._withdrawn,
    ev.Swept: Ledgerbook._swept,
    ev.Invested: Ledgerbook._invested,
    ev.ReporterChanged: Ledgerbook._reporter,
    ev.DepartureNoticed: Ledgerbook._noticed,
    ev.CapitalReturned: Ledgerbook._returned,
    **dict.fromkeys(_SETTLEMENT_EVENTS, Ledgerbook._settlement_event),
}


def replay(events: Iterable[ev.Decoded], upto_block: int | None = None) -> Ledgerbook:
    """The books the events make, up to ``upto_block`` (included) if given."""
    books = Ledgerbook()
    for decoded in events:
        if upto_block is not None and decoded.log.block_number > upto_block:
            break
        books.apply(decoded)
    books.finish()
    return books
