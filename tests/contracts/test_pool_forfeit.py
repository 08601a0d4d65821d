"""A pool forfeited at dissolution is owed to the investors by the losses their capital bore.

An EMC that dissolves short of its target voids the members' locked value-added credit and
releases the pool's whole fen, ``released = floor(pool_accrued / 10,000)``. Of it
``to_investors = min(released, losses_covered)`` is owed to the investors, each
``floor(to_investors * borne / losses_covered)`` (the last investor to claim takes what is
left), and ``released - to_investors`` goes to the development fund. The capital left is
returned pro rata to units, as before; it no longer grows by the pool. So an investment
timed just before the dissolving loss, which bore almost none of the losses, gets almost
none of the pool (audit finding 7), and a loss that wipes the capital out leaves those who
bore it their claim to the pool (finding 8).

Borne losses come from a cumulative loss per unit: ``index += covered * 2**128 // units`` at
each loss, an account's ``borne += floor(units * (index - index_then) / 2**128)`` whenever its
units change. ``_Capital`` below restates these rules in plain integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rdh_chain.contracts import EmcClient
from rdh_chain.events import CapitalReturned, EmcDissolved, LossAbsorbed
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    CapitalHolding,
    CapitalTotals,
    EmcStatus,
    EmcTerms,
    PeriodReport,
    ShareClass,
    ShareEntry,
)
from tests.contracts.helpers import TERMS_REASON, Cast, revert, settle, snapshot

SCALE = 1 << 128  # the contract's loss-per-unit scale


def _terms(sharing_space: int, loss_threshold: int) -> EmcTerms:
    """Terms no test reaches the target of."""
    return EmcTerms(
        target_users=10**9,
        target_revenue=10**15,
        sharing_space=sharing_space,
        loss_threshold=loss_threshold,
    )


def _entries(cast: Cast) -> list[ShareEntry]:
    """Chef partner 1,000, owner operating 3,000, ME 1 value-added 2,000 (the pool), ME 2 and
    ME 3 operating 1,500 each, fund 1,000. The chef, ME 2 and ME 3 invest."""
    return [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 3_000),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 2_000),
        ShareEntry(cast.mes[2].address, ShareClass.OPERATING, 1_500),
        ShareEntry(cast.mes[3].address, ShareClass.OPERATING, 1_500),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]


def _new_emc(cast: Cast, terms: EmcTerms, pool_profit: int) -> EmcClient:
    """An EMC with ``_entries`` active and, if ``pool_profit``, one period of that profit:
    the pool accrues 2,000 * pool_profit (1/10,000 fen)."""
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, terms, TERMS_REASON
    )
    cast.agree(address, _entries(cast))
    emc = cast.emc(address)
    if pool_profit:
        cast.mint(cast.owner.address, pool_profit)
        settle(cast, emc, PeriodReport(1, 1, pool_profit, 0, pool_profit))
    return emc


def _invest(cast: Cast, emc: EmcClient, investor: LocalAccount, amount: int) -> int:
    cast.mint(investor.address, amount)
    cast.as_(investor).token.approve(emc.address, amount)
    units, _ = cast.as_(investor).emc(emc.address).invest(amount)
    return units


def _loss(amount: int) -> PeriodReport:
    return PeriodReport(users=0, units=0, revenue=0, cost=amount, profit=0)


def _claim_capital(cast: Cast, emc: EmcClient, investor: LocalAccount) -> tuple[int, int]:
    """``investor`` claims; returns CapitalReturned's (amount, poolShare), checking it was paid
    both."""
    before = cast.balance(investor.address)
    paid, result = cast.as_(investor).emc(emc.address).claim_capital()
    args = emc.event(result, CapitalReturned)
    assert paid == args.amount + args.pool_share
    assert cast.balance(investor.address) == before + paid
    return args.amount, args.pool_share


def _dissolved(emc: EmcClient, result: TxResult) -> dict[str, int]:
    return emc.event(result, EmcDissolved).as_dict()


# -- audit finding 7: the proved case ------------------------------------------------------


@pytest.mark.parametrize("late_claims_last", [True, False], ids=["late-last", "late-first"])
def test_an_investment_timed_before_the_dissolving_loss_takes_only_its_losses_share(
    cast: Cast, late_claims_last: bool
) -> None:
    """The audit's case. Threshold 950,000; period 1 makes 20,000,000, so the pool accrues
    2,000 * 20,000,000 = 4 * 10**10 (4,000,000 fen, within the 5,000,000 sharing space).
    Early: ME 2 invests 1,000,000 (1,000,000 units); period 2 loses 900,000 (attested),
    capital 100,000. Late: the chef, seeing the next report coming, invests 10,000,000 for
    10,000,000 * 1,000,000 // 100,000 = 100,000,000 units (capital 10,100,000); period 3 loses
    50,000: losses 950,000, dissolved with capital 10,050,000 for 101,000,000 units.

    Before (the pool joined the capital): 14,050,000 for 101,000,000 units gave the early
    investor 1,000,000 * 14,050,000 // 101,000,000 = 139,108 and the late one the rest,
    13,910,892: +3,910,892 on its 10,000,000.

    Now: released 4,000,000; losses covered 950,000; to investors min(4,000,000, 950,000)
    = 950,000; to the fund 3,050,000 (its own credit is 1,000 * 20,000,000 / 10,000
    = 2,000,000, so it holds 5,050,000).
    Borne: the index rose by floor(0.9 * 2**128) and floor(50,000 * 2**128 / 101,000,000):
      early 1,000,000 * (0.9 + 0.000495049...) = 900,495.05 -> 900,495
      late  100,000,000 * 0.000495049...       =  49,504.95 -> 49,504
    Worth: early 1,000,000 * 10,050,000 // 101,000,000 = 99,504 (99,504.95),
           late  9,950,495 (9,950,495.05).
    Pool shares: early 950,000 * 900,495 // 950,000 = 900,495, late 49,504; the last to
    claim takes the remainders (of the capital, 1 fen, and of the pool, 1 fen):
      late last:   early 99,504 + 900,495 = 999,999 (-1), late 9,950,496 + 49,505
                   = 10,000,001 (+1 fen of rounding, against +3,910,892 before)
      late first:  late 9,950,495 + 49,504 = 9,999,999 (-1), early 99,505 + 900,496
                   = 1,000,001 (+1)
    Each gets back, to the fen of rounding, what it put in: its capital's worth plus the
    losses it bore.
    """
    early, late = cast.mes[2], cast.chef
    emc = _new_emc(cast, _terms(5_000_000, 950_000), 20_000_000)
    assert emc.pool().accrued == 40_000_000_000
    assert _invest(cast, emc, early, 1_000_000) == 1_000_000
    settle(cast, emc, _loss(900_000))
    assert emc.capital_of(early.address) == CapitalHolding(1_000_000, 100_000, 1_000_000, 899_999)
    assert _invest(cast, emc, late, 10_000_000) == 100_000_000

    result = settle(cast, emc, _loss(50_000))
    assert emc.status() is EmcStatus.DISSOLVED
    assert _dissolved(emc, result) == {
        "period": 3,
        "losses": 950_000,
        "threshold": 950_000,
        "capital": 10_050_000,
        "pool_released": 4_000_000,
        "pool_to_investors": 950_000,
        "pool_to_dev_fund": 3_050_000,
        "losses_covered": 950_000,
    }
    assert cast.ledger.dev_fund(emc).claimable == 2_000_000 + 3_050_000
    assert emc.capital_of(early.address) == CapitalHolding(
        1_000_000, 99_504, 1_000_000, 900_495, 900_495
    )
    assert emc.capital_of(late.address) == CapitalHolding(
        100_000_000, 9_950_495, 10_000_000, 49_504, 49_504
    )

    if late_claims_last:
        assert _claim_capital(cast, emc, early) == (99_504, 900_495)
        assert _claim_capital(cast, emc, late) == (9_950_496, 49_505)
        net = {early.address: -1, late.address: 1}
    else:
        assert _claim_capital(cast, emc, late) == (9_950_495, 49_504)
        assert _claim_capital(cast, emc, early) == (99_505, 900_496)
        net = {early.address: 1, late.address: -1}
    totals = emc.capital_totals()
    assert totals == CapitalTotals(
        0, 0, 0, 11_000_000, 950_000, 950_000, 10_050_000, 4_000_000, 950_000, 950_000, 2, 2
    )
    for investor in (early, late):
        invested = emc.capital_of(investor.address).invested
        assert cast.balance(investor.address) - invested == net[investor.address]


# -- audit finding 8: a dissolving wipe-out --------------------------------------------------


def test_a_dissolving_wipe_out_owes_the_pool_to_who_bore_it_and_the_rest_to_the_fund(
    cast: Cast,
) -> None:
    """Threshold 106,000; period 1 makes 500,000: the pool accrues 2,000 * 500,000 = 10**9,
    released 100,000. ME 2 invests 20,000 and the chef 10,000 (30,000 units, 1:1). Period 2
    loses 106,000 (attested): the capital covers 30,000 and is wiped out (era 1), 76,000 stay
    uncovered, and the EMC dissolves with no capital left.
    The index rises by 30,000 * 2**128 // 30,000 = 2**128 exactly, so ME 2 bore 20,000 and
    the chef 10,000. To investors min(100,000, 30,000) = 30,000: ME 2
    30,000 * 20,000 // 30,000 = 20,000, the chef (last) the remaining 10,000; each recovers
    all it put in. The fund gets 100,000 - 30,000 = 70,000 on top of its own 1,000 * 500,000
    / 10,000 = 50,000 of credit.
    """
    me2, chef = cast.mes[2], cast.chef
    emc = _new_emc(cast, _terms(1_000_000, 106_000), 500_000)
    _invest(cast, emc, me2, 20_000)
    _invest(cast, emc, chef, 10_000)
    assert cast.ledger.dev_fund(emc).claimable == 50_000

    result = settle(cast, emc, _loss(106_000))
    absorbed = emc.event(result, LossAbsorbed)
    assert (absorbed.covered, absorbed.capital_left, absorbed.new_era) == (30_000, 0, True)
    assert _dissolved(emc, result) == {
        "period": 2,
        "losses": 106_000,
        "threshold": 106_000,
        "capital": 0,
        "pool_released": 100_000,
        "pool_to_investors": 30_000,
        "pool_to_dev_fund": 70_000,
        "losses_covered": 30_000,
    }
    assert cast.ledger.dev_fund(emc).claimable == 50_000 + 70_000
    assert emc.capital_of(me2.address) == CapitalHolding(0, 0, 20_000, 20_000, 20_000)
    assert emc.capital_of(chef.address) == CapitalHolding(0, 0, 10_000, 10_000, 10_000)

    assert _claim_capital(cast, emc, me2) == (0, 20_000)
    assert _claim_capital(cast, emc, chef) == (0, 10_000)
    assert emc.capital_totals() == CapitalTotals(
        0, 0, 1, 30_000, 106_000, 30_000, 0, 100_000, 30_000, 30_000, 2, 2
    )
    assert cast.balance(me2.address) == 20_000
    assert cast.balance(chef.address) == 10_000


# -- the property ---------------------------------------------------------------------------


@dataclass
class _Account:
    units: int = 0
    era: int = 0
    invested: int = 0
    index: int = 0
    borne: int = 0
    first_investment: int = 0  # its position in the sequence of investments


@dataclass
class _Capital:
    """EMCCapital and EMCReturns in plain integers (README, "Investment" and "Dissolution")."""

    capital: int = 0
    units: int = 0
    era: int = 0
    index: int = 0
    era_end: dict[int, int] = field(default_factory=dict)
    accounts: dict[ChecksumAddress, _Account] = field(default_factory=dict)
    investments: int = 0
    losses: int = 0
    covered: int = 0
    to_investors: int = 0
    claims: int = 0
    returned: int = 0
    pool_paid: int = 0

    def position(self, a: _Account) -> tuple[int, int]:
        """The account's units in the current era and the losses it bore."""
        current = a.era == self.era
        index = self.index if current else self.era_end[a.era]
        borne = a.borne + a.units * (index - a.index) // SCALE
        return (a.units if current else 0), borne

    def invest(self, account: ChecksumAddress, amount: int) -> int:
        units = amount if self.units == 0 else amount * self.units // self.capital
        a = self.accounts.setdefault(account, _Account(first_investment=self.investments))
        held, a.borne = self.position(a)
        a.index, a.units, a.era = self.index, held + units, self.era
        a.invested += amount
        self.capital += amount
        self.units += units
        self.investments += 1
        return units

    def loss(self, amount: int) -> int:
        covered = min(amount, self.capital)
        if covered:
            self.index += covered * SCALE // self.units
            self.covered += covered
            if covered == self.capital:
                self.era_end[self.era] = self.index
                self.units = 0
                self.era += 1
            self.capital -= covered
        self.losses += amount
        return covered

    def dissolve(self, released: int) -> None:
        self.to_investors = min(released, self.covered)

    def claim(self, account: ChecksumAddress) -> tuple[int, int, int]:
        """(capital returned, pool share, borne) of ``account``'s claim."""
        a = self.accounts[account]
        units, borne = self.position(a)
        returned = units * self.capital // self.units if units else 0
        self.claims += 1
        if self.to_investors == 0:
            share = 0
        elif self.claims == len(self.accounts):
            share = self.to_investors - self.pool_paid
        else:
            share = self.to_investors * borne // self.covered
        a.units, a.borne, a.index = 0, borne, self.index
        self.capital -= returned
        self.units -= units
        self.returned += returned
        self.pool_paid += share
        return returned, share, borne


# A step before the dissolving loss: ("invest", investor 0-2, fen) or ("loss", 0, fen).
Step = tuple[str, int, int]
_amounts = st.one_of(st.integers(1, 100), st.integers(1, 3_000_000))
_invest_step = st.tuples(st.just("invest"), st.integers(0, 2), _amounts)
# Investments twice as often as losses, so that most runs have several investors.
_steps = st.one_of(_invest_step, _invest_step, st.tuples(st.just("loss"), st.just(0), _amounts))


@dataclass(frozen=True)
class _Scenario:
    pool_profit: int
    steps: list[Step]
    dissolving_loss: int
    claim_order: list[int]


@st.composite
def _scenarios(draw: st.DrawFn) -> _Scenario:
    return _Scenario(
        # Released pool: 2,000 * profit / 10,000, from none to well above any losses.
        pool_profit=draw(st.one_of(st.just(0), st.integers(1, 100), st.integers(1, 20_000_000))),
        steps=draw(st.lists(_steps, min_size=1, max_size=6)),
        dissolving_loss=draw(_amounts),
        claim_order=draw(st.permutations([0, 1, 2])),
    )


@pytest.mark.slow
@settings(
    # max_examples comes from the profile (tests/conftest.py): more in CI.
    deadline=None,
    # The fixtures are session state; each example snapshots and reverts the chain itself.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=_scenarios())
def test_pool_shares_follow_borne_losses_and_nobody_gains_from_a_dissolution(
    cast: Cast, scenario: _Scenario
) -> None:
    """Random investments (by the chef, ME 2, ME 3) and losses, then the loss that reaches
    the threshold; the investors claim in a random order. Checked:

    * every figure (borne losses, dissolution, each claim's capital and pool share, the
      totals) equals ``_Capital``; the fund gets exactly ``released - to_investors``;
    * ``to_investors == min(released, losses_covered)`` and the pool shares sum to it exactly,
      the capital returned to the capital left at dissolution;
    * proportional to borne losses: every claimer but the last gets
      ``floor(to_investors * borne / covered)``, within 1 fen below its exact part; the last
      gets its exact part or more, by at most the others' floors and the unassigned borne
      losses, ``(n - 1) + (covered - sum(borne))`` fen;
    * nobody gains from a dissolution: together the investors get back
      ``invested - covered + to_investors <= invested``. Each one gets back at most what it
      invested plus the rounding it can receive: under 1 fen from every investment after its
      first (units are minted rounding down, in favour of those already holding), under 1
      fen from every claim before its own (each rounds down), and, if last, the pool
      remainder above (every fen counted once: its capital's worth plus its borne losses
      never exceed what it paid in, to those fractions).
    """
    snapshot_id = snapshot(cast.w3)
    cast.refresh()
    try:
        _run(cast, scenario)
    finally:
        revert(cast.w3, snapshot_id)
        cast.refresh()


def _run(cast: Cast, scenario: _Scenario) -> None:
    investors = [cast.chef, cast.mes[2], cast.mes[3]]
    losses = [amount for kind, _, amount in scenario.steps if kind == "loss"]
    threshold = sum(losses) + scenario.dissolving_loss
    emc = _new_emc(cast, _terms(10_000_000, threshold), scenario.pool_profit)
    released = 2_000 * scenario.pool_profit // 10_000
    model = _Capital()

    for kind, who, amount in scenario.steps:
        if kind == "invest":
            assert _invest(cast, emc, investors[who], amount) == model.invest(
                investors[who].address, amount
            )
        else:
            result = settle(cast, emc, _loss(amount))
            assert emc.event(result, LossAbsorbed).covered == model.loss(amount)
    fund_before = cast.ledger.dev_fund(emc).claimable
    result = settle(cast, emc, _loss(scenario.dissolving_loss))
    model.loss(scenario.dissolving_loss)
    model.dissolve(released)
    assert emc.status() is EmcStatus.DISSOLVED

    covered, to_investors = model.covered, model.to_investors
    assert to_investors == min(released, covered)
    assert _dissolved(emc, result) == {
        "period": len(losses) + 1 + (1 if scenario.pool_profit else 0),
        "losses": threshold,
        "threshold": threshold,
        "capital": model.capital,
        "pool_released": released,
        "pool_to_investors": to_investors,
        "pool_to_dev_fund": released - to_investors,
        "losses_covered": covered,
    }
    assert cast.ledger.dev_fund(emc).claimable == fund_before + released - to_investors
    capital_left = model.capital
    n = len(model.accounts)
    borne = {a: model.position(acct)[1] for a, acct in model.accounts.items()}
    for address, b in borne.items():
        assert emc.capital_of(address).loss_borne == b, address
    assert sum(borne.values()) <= covered
    unassigned = covered - sum(borne.values())

    paid: dict[ChecksumAddress, int] = {}
    order = [investors[i] for i in scenario.claim_order if investors[i].address in borne]
    for turn, investor in enumerate(order):
        address = investor.address
        returned, share, b = model.claim(address)
        assert _claim_capital(cast, emc, investor) == (returned, share), address
        paid[address] = returned + share
        exact = Fraction(to_investors * b, covered) if covered else Fraction(0)
        last = turn == n - 1
        if last:
            assert exact <= share <= exact + (n - 1) + unassigned
        else:
            assert exact - 1 < share <= exact
        account = model.accounts[address]
        allowance = (model.investments - 1 - account.first_investment) + turn
        if last:
            allowance += (n - 1) + unassigned
        gain = paid[address] - account.invested
        event("an investor ends above what it invested (rounding)" if gain > 0 else "no gain")
        assert gain <= allowance, (address, gain, allowance)

    assert model.pool_paid == to_investors
    assert model.returned == capital_left
    invested = sum(a.invested for a in model.accounts.values())
    assert sum(paid.values()) == invested - covered + to_investors <= invested
    assert emc.capital_totals() == CapitalTotals(
        capital=0,
        total_units=0,
        era=model.era,
        invested=invested,
        losses=threshold,
        losses_covered=covered,
        returned=capital_left,
        pool_released=released,
        pool_to_investors=to_investors,
        pool_paid=to_investors,
        investors=n,
        claims=n,
    )
