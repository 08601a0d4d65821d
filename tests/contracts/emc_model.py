"""A plain-integer model of an EMC's money rules, for the property and stateful tests.

It restates ``contracts/emc/EMCSettlement.sol`` (settlement and the sharing space),
``EMCAccounting.sol`` (what an account has earned), ``EMCCapital.sol`` and ``EMCReturns.sol``
(capital, losses borne, dissolution and capital returns) and ``EMCFunds.sol`` (sweeps) with
Python integers and nothing else: no epoch walks, no packed positions.

* Credit is counted in 1/10,000 fen. An entry of ``bps`` earns ``bps * profit`` of each
  period's profit while its version is active; a value-added entry earns only on the
  cumulative profit up to ``full_at`` (the point at which the pool filled the sharing space).
  Beyond it each version's value-added basis points earn for the development fund
  (``excess``), as free credit of the fund's own.
* An account's free (partner, operating, fund) and value-added credit are floored apart,
  forever: ``floor(free / 10,000)`` fen are payable, ``floor(value_added / 10,000)`` are
  locked until the target (then payable), and the two remainders are its dust. Because the
  dust carries over, the figures depend only on the totals, never on when it claimed.
* Capital is held in units; a loss covered by the capital raises the cumulative loss per
  unit (scaled by 2**128, floored), and an account's borne losses are counted as
  ``floor(units * (index - index_then) / 2**128)`` whenever its units change, with a wiped-out
  era's units stopping at the era's end index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from eth_typing import ChecksumAddress

from rdh_chain.types import ZERO_ADDRESS, CapitalTotals, Pool, Position, ShareClass, ShareEntry

BPS = 10_000
LOSS_SCALE = 2**128
UINT128_MAX = 2**128 - 1


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass
class Credit:
    """One account's credit in 1/10,000 fen."""

    free: int = 0  # partner, operating and fund credit
    value_added: int = 0  # value-added credit, within the sharing space
    promised: int = 0  # bps * profit over every class it held, uncapped: an upper bound


@dataclass(frozen=True)
class Accrual:
    """What one profit period did to the value-added pool."""

    pool_bps: int
    value_added_profit: int  # the part of the profit value-added shares earn on
    excess: int  # 1/10,000 fen the pool's bps earned for the fund beyond the fill point
    filled: bool  # this period fixed ``full_at``


@dataclass
class Payouts:
    """The profit side of one EMC: credits, the pool, the fund and payouts."""

    sharing_space: int
    cum_profit: int = 0
    accrued: int = 0  # the pool, 1/10,000 fen
    full: bool = False  # the pool filled the sharing space
    full_at: int = 0  # cumulative profit at which it did
    excess: int = 0  # 1/10,000 fen the versions' value-added bps earned for the fund beyond it
    target_reached: bool = False
    forfeited: bool = False  # dissolved short of the target: value-added credit is void
    released_to_fund: int = 0  # whole fen of a forfeited pool the fund took
    swept: int = 0  # fen swept into the fund
    credits: dict[ChecksumAddress, Credit] = field(default_factory=dict)
    paid: dict[ChecksumAddress, int] = field(default_factory=dict)  # the fund's: withdrawn

    def settle_profit(self, entries: Iterable[ShareEntry], profit: int) -> Accrual:
        """Credit one profit period to ``entries`` (the active version), through the pool:
        value-added shares earn on the profit up to the fill point, and beyond it their basis
        points earn for the development fund (free credit, with the fund's own dust)."""
        entries = list(entries)
        pool_bps = sum(e.bps for e in entries if e.share_class is ShareClass.VALUE_ADDED)
        previous = self.cum_profit
        value_added_profit = profit
        filled = False
        if self.full:
            value_added_profit = 0
        elif pool_bps and profit:
            room = self.sharing_space * BPS - self.accrued
            if pool_bps * profit <= room:
                self.accrued += pool_bps * profit
            else:
                fits = room // pool_bps
                self.full, self.full_at, filled = True, previous + fits, True
                self.accrued += fits * pool_bps
                value_added_profit = fits
        over = pool_bps * (profit - value_added_profit)
        self.excess += over
        for e in entries:
            credit_of = self.credits.setdefault(e.account, Credit())
            credit_of.promised += e.bps * profit
            if e.share_class is ShareClass.VALUE_ADDED:
                credit_of.value_added += e.bps * value_added_profit
            else:
                credit_of.free += e.bps * profit
        if over:
            fund = self.credits.setdefault(ZERO_ADDRESS, Credit())
            fund.free += over
            fund.promised += over
        self.cum_profit += profit
        return Accrual(pool_bps, value_added_profit, over, filled)

    def fund_extra(self) -> int:
        """Whole fen in the fund's balance beside its position: a released pool's part and
        sweeps."""
        return self.released_to_fund + self.swept

    def position(self, account: ChecksumAddress) -> Position:
        """``EMC.accountOf(account)``."""
        c = self.credits.get(account, Credit())
        paid = self.paid.get(account, 0)
        extra = self.fund_extra() if account == ZERO_ADDRESS else 0
        free, value_added = c.free // BPS, c.value_added // BPS
        if self.target_reached:
            return Position(
                free + value_added + extra - paid, 0, paid, c.free % BPS + c.value_added % BPS
            )
        if self.forfeited:
            return Position(free + extra - paid, 0, paid, c.free % BPS)
        return Position(free + extra - paid, value_added, paid, c.free % BPS + c.value_added % BPS)

    def promised(self, account: ChecksumAddress) -> int:
        """The most ``account`` may ever be paid: its bps of the profit settled while it held
        them, floored (the fund also takes the pool's excess, a released pool's part and
        sweeps)."""
        c = self.credits.get(account, Credit())
        extra = self.fund_extra() if account == ZERO_ADDRESS else 0
        return c.promised // BPS + extra

    def pool(self) -> Pool:
        """``EMC.pool()``."""
        return Pool(
            self.sharing_space,
            self.accrued,
            self.sharing_space - ceil_div(self.accrued, BPS),
            self.full_at if self.full else 0,
            self.excess,
        )

    def stranded(self) -> int:
        """1/10,000 fen nobody's figures hold: once the pool was forfeited, the fraction of a
        fen its release could not make whole."""
        return self.accrued % BPS if self.forfeited else 0


@dataclass
class Holding:
    """``CapitalAccount``: one account's capital."""

    units: int = 0
    era: int = 0
    invested: int = 0
    loss_index: int = 0
    borne: int = 0
    claimed: bool = False


class UnitsOverflowError(Exception):
    """An investment the contract refuses with ``SafeCastOverflowedUintDowncast(128, value)``."""

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.value = value


@dataclass(frozen=True)
class Absorbed:
    covered: int
    capital_left: int
    new_era: bool


@dataclass(frozen=True)
class Dissolution:
    released: int
    to_investors: int
    to_fund: int


@dataclass(frozen=True)
class CapitalClaim:
    returned: int
    units: int
    pool_share: int


@dataclass
class Capital:
    """The capital side of one EMC: units, eras, losses borne and dissolution."""

    capital: int = 0
    units: int = 0
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
    loss_per_unit: int = 0
    era_end: dict[int, int] = field(default_factory=dict)
    holdings: dict[ChecksumAddress, Holding] = field(default_factory=dict)

    def position(self, h: Holding) -> tuple[int, int]:
        """``_capitalPosition``: current-era units (zero if wiped out) and losses borne."""
        current = h.era == self.era
        index = self.loss_per_unit if current else self.era_end[h.era]
        borne = h.borne + (h.units * (index - h.loss_index) // LOSS_SCALE if h.units else 0)
        return (h.units if current else 0), borne

    def units_for(self, amount: int) -> int:
        return amount if self.units == 0 else amount * self.units // self.capital

    def invest(self, account: ChecksumAddress, amount: int) -> int:
        """Mint units for ``amount``; raises ``UnitsOverflowError`` where the contract would."""
        units = self.units_for(amount)
        h = self.holdings.get(account, Holding())
        held, borne = self.position(h)
        if held + units > UINT128_MAX:
            raise UnitsOverflowError(held + units)
        if self.units + units > UINT128_MAX:
            raise UnitsOverflowError(self.units + units)
        if h.invested == 0:
            self.investors += 1
        self.holdings[account] = h
        h.borne = borne
        h.loss_index = self.loss_per_unit
        h.units = held + units
        h.era = self.era
        h.invested += amount
        self.capital += amount
        self.units += units
        self.invested += amount
        return units

    def absorb(self, loss: int) -> Absorbed:
        """The capital covers ``loss`` as far as it goes."""
        capital = self.capital
        covered = min(loss, capital)
        new_era = False
        if covered:
            self.loss_per_unit += covered * LOSS_SCALE // self.units
            self.capital -= covered
            self.covered += covered
            if covered == capital:
                self.era_end[self.era] = self.loss_per_unit
                self.units = 0
                self.era += 1
                new_era = True
        self.losses += loss
        return Absorbed(covered, capital - covered, new_era)

    def dissolve(self, payouts: Payouts) -> Dissolution:
        """Dissolution: short of the target the pool's whole fen are released, owed to the
        investors up to the losses covered, the rest to the fund."""
        if payouts.target_reached:
            return Dissolution(0, 0, 0)
        payouts.forfeited = True
        released = payouts.accrued // BPS
        to_investors = min(released, self.covered)
        self.pool_released = released
        self.pool_to_investors = to_investors
        payouts.released_to_fund = released - to_investors
        return Dissolution(released, to_investors, released - to_investors)

    def pool_share(self, borne: int, last: bool) -> int:
        if self.pool_to_investors == 0:
            return 0
        if last:
            return self.pool_to_investors - self.pool_paid
        return self.pool_to_investors * borne // self.covered

    def claimable(self, account: ChecksumAddress) -> bool:
        h = self.holdings.get(account)
        return h is not None and h.invested > 0 and not h.claimed

    def claim(self, account: ChecksumAddress) -> CapitalClaim:
        """``claimCapital`` by ``account`` (which must be ``claimable``)."""
        h = self.holdings[account]
        units, borne = self.position(h)
        returned = units * self.capital // self.units if units else 0
        claims = self.claims + 1
        share = self.pool_share(borne, claims == self.investors)
        h.units = 0
        h.borne = borne
        h.loss_index = self.loss_per_unit
        h.claimed = True
        self.capital -= returned
        self.units -= units
        self.returned += returned
        self.claims = claims
        self.pool_paid += share
        return CapitalClaim(returned, units, share)

    def view(self, account: ChecksumAddress) -> tuple[int, int, int, int, int, bool, int, int]:
        """``capitalOf(account)``: units, era, invested, lossIndex, lossBorne, claimed (the
        account as brought up to date), its value and its pool share."""
        h = self.holdings.get(account, Holding())
        units, borne = self.position(h)
        value = units * self.capital // self.units if self.units else 0
        share = 0 if h.claimed else self.pool_share(borne, False)
        return (units, h.era, h.invested, self.loss_per_unit, borne, h.claimed, value, share)

    def totals(self) -> CapitalTotals:
        return CapitalTotals(
            self.capital,
            self.units,
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


def sweepable(payouts: Payouts, capital: Capital, total_paid: int, balance: int) -> int:
    """``EMCFunds._sweepable`` as the contract changes of issue 7 state it: owed = (cumProfit +
    invested + swept - totalPaid - lossesCovered - capitalReturned - poolPaid) * 10,000, less
    the voided pool beyond its released fen once forfeited; sweepable = floor((balance *
    10,000 - owed) / 10,000), never below zero."""
    entered = payouts.cum_profit + capital.invested + payouts.swept
    left = total_paid + capital.covered + capital.returned + capital.pool_paid
    owed = (entered - left) * BPS
    if payouts.forfeited:
        owed -= payouts.accrued - capital.pool_released * BPS
    held = balance * BPS
    return (held - owed) // BPS if held > owed else 0


def conserved(
    positions: Mapping[ChecksumAddress, Position],
    capital: CapitalTotals,
    sweepable_now: int,
    stranded: int,
) -> int:
    """Everything the chain's views account for, in 1/10,000 fen: every account's paid,
    claimable and locked fen (the fund's claimable includes its balance) times 10,000, plus
    every account's dust as it stands (already in 1/10,000 fen), plus the capital, the losses
    it covered, the capital returned and the pool owed to investors (paid or not) times
    10,000, plus what may be swept times 10,000, plus ``stranded`` (a forfeited pool's
    fraction of a fen, in 1/10,000 fen, which no account holds). It must equal
    everything that entered (profits, investments, credit sent straight to the EMC) times
    10,000, to the unit."""
    accounts = sum((p.paid + p.claimable + p.locked) * BPS + p.dust for p in positions.values())
    held = capital.capital + capital.losses_covered + capital.returned + capital.pool_to_investors
    return accounts + held * BPS + sweepable_now * BPS + stranded
