"""Property: whatever the members, versions, amounts and claim timing, money is conserved.

For random share versions (1 to 4, each 1 to 12 entries over partners, MEs in the operating
and value-added classes, and the development fund, with random basis points summing to
10,000), random periods (profit 1 fen to 10**12 fen) and a target that may or may not be
reached, with members claiming at random points:

* every account's position equals the reference model (``helpers.Credit``);
* paid + claimable + locked, summed over accounts, plus the pooled dust / 10,000 equals the
  profit deposited, exactly;
* no account gets more than its entitlement (its bps times each period's profit, summed,
  floored) nor more than 1 fen less (the two classes are floored apart until the target);
* the EMC holds exactly what was deposited minus what was paid, and each wallet gained
  exactly what it was paid.

Each example runs between an ``evm_snapshot`` and an ``evm_revert`` on the session's chain.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_typing import ChecksumAddress
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rdh_chain import contract_errors as errors
from rdh_chain.types import ZERO_ADDRESS, EmcTerms, PeriodReport, ShareClass, ShareEntry
from tests.contracts.helpers import (
    BPS,
    TERMS_REASON,
    Cast,
    Credit,
    accrue,
    revert,
    snapshot,
    split_bps,
)

# A slot is (kind, index, class): ME i in the operating or value-added class, partner i, or
# the development fund. The wallets behind them come from the session's cast.
Slot = tuple[str, int, ShareClass]
SLOTS: list[Slot] = (
    [("me", i, c) for i in range(11) for c in (ShareClass.OPERATING, ShareClass.VALUE_ADDED)]
    + [("partner", i, ShareClass.PARTNER) for i in range(4)]
    + [("fund", 0, ShareClass.DEV_FUND)]
)


@dataclass(frozen=True)
class Period:
    profit: int
    users: int
    revenue: int


@dataclass(frozen=True)
class Step:
    entries: list[tuple[Slot, int]]
    periods: list[Period]
    claim_mask: int  # bit i: the i-th account (in sorted order) tries to claim after the step


@dataclass(frozen=True)
class Scenario:
    target_users: int
    target_revenue: int
    steps: list[Step]
    fund_withdraw_percent: int


@st.composite
def steps(draw: st.DrawFn, keep: frozenset[tuple[str, int]] = frozenset()) -> Step:
    """A version and its periods; it names every member in ``keep`` (the previous version's):
    a member can be left out only after a departure notice, which this property skips."""
    slots = draw(st.lists(st.sampled_from(SLOTS), min_size=1, max_size=12, unique=True))
    named = {(kind, index) for kind, index, _ in slots}
    for kind, index in sorted(keep - named):
        slots.append(
            (kind, index, ShareClass.PARTNER if kind == "partner" else ShareClass.OPERATING)
        )
    cuts = draw(
        st.lists(
            st.integers(1, BPS - 1), min_size=len(slots) - 1, max_size=len(slots) - 1, unique=True
        )
    )
    periods = draw(
        st.lists(
            st.builds(Period, st.integers(1, 10**12), st.integers(0, 100), st.integers(0, 1_000)),
            min_size=0,
            max_size=3,
        )
    )
    return Step(
        list(zip(slots, split_bps(cuts), strict=True)), periods, draw(st.integers(0, 2**16 - 1))
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    versions: list[Step] = []
    for _ in range(draw(st.integers(1, 4))):
        keep = frozenset(
            (kind, index) for (kind, index, _), _ in (versions[-1].entries if versions else [])
        ) - {("fund", 0)}
        versions.append(draw(steps(keep)))
    return Scenario(
        target_users=draw(st.integers(1, 300)),
        target_revenue=draw(st.integers(1, 3 * 10**12)),
        steps=versions,
        fund_withdraw_percent=draw(st.integers(0, 100)),
    )


def _address(cast: Cast, slot: Slot) -> ChecksumAddress:
    kind, index, _ = slot
    if kind == "fund":
        return ZERO_ADDRESS
    account = cast.mes[index] if kind == "me" else list(cast.partners.values())[index]
    return account.address


@pytest.mark.slow
@settings(
    # max_examples comes from the profile (tests/conftest.py): more in CI.
    deadline=None,
    # The fixtures are session state; each example snapshots and reverts the chain itself.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_payouts_conserve_profit_for_random_versions_and_claims(
    cast: Cast, scenario: Scenario
) -> None:
    snapshot_id = snapshot(cast.w3)
    cast.refresh()
    try:
        _run(cast, scenario)
    finally:
        revert(cast.w3, snapshot_id)
        cast.refresh()


def _run(cast: Cast, scenario: Scenario) -> None:
    owner = cast.as_(cast.owner)
    terms = EmcTerms(scenario.target_users, scenario.target_revenue, 1, 1)
    emc_address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, terms, TERMS_REASON
    )
    emc = owner.emc(emc_address)
    wallets = {a.address: a for a in [*cast.mes, *cast.partners.values()]}
    members = sorted(
        {_address(cast, slot) for s in scenario.steps for slot, _ in s.entries} - {ZERO_ADDRESS}
    )
    balances_before = {a: cast.balance(a) for a in [*members, cast.treasury.address]}
    deposited = sum(p.profit for s in scenario.steps for p in s.periods)
    if deposited:
        cast.mint(cast.owner.address, deposited)
        owner.token.approve(emc_address, deposited)
    credits: dict[ChecksumAddress, Credit] = {}
    paid: dict[ChecksumAddress, int] = {}
    users = revenue = 0

    def reached() -> bool:
        return users >= scenario.target_users and revenue >= scenario.target_revenue

    for step in scenario.steps:
        entries = [ShareEntry(_address(cast, slot), slot[2], bps) for slot, bps in step.entries]
        # Every wallet the version names signs it; one naming only the fund needs none.
        owner.agree(emc, entries, wallets.values())
        for period in step.periods:
            # Revenue covers the cost (``period.revenue``) and the profit, the most a period
            # may deposit.
            emc.settle(
                PeriodReport(
                    period.users, 0, period.revenue + period.profit, period.revenue, period.profit
                )
            )
            accrue(credits, entries, period.profit)
            users += period.users
            revenue += period.revenue + period.profit
        for i, address in enumerate(members):
            if not step.claim_mask >> i & 1:
                continue
            expected = credits.get(address, Credit()).expected(reached(), paid.get(address, 0))
            client = cast.as_(wallets[address]).emc(emc_address)
            if expected.claimable == 0:
                with pytest.raises(errors.EmcNothingToClaim):
                    client.claim()
                continue
            amount, _ = client.claim()
            assert amount == expected.claimable
            paid[address] = paid.get(address, 0) + amount

    # Everyone claims what is left; the owner spends part of the development fund.
    for address in members:
        claimable = emc.position(address).claimable
        if claimable:
            amount, _ = cast.as_(wallets[address]).emc(emc_address).claim()
            assert amount == claimable
            paid[address] = paid.get(address, 0) + amount
    fund_available = emc.position(ZERO_ADDRESS).claimable
    withdrawn = fund_available * scenario.fund_withdraw_percent // 100
    if withdrawn:
        emc.withdraw_dev_fund(cast.treasury.address, withdrawn, b"\x01" * 32)
        paid[ZERO_ADDRESS] = withdrawn

    target_reached = reached()
    event(f"target {'reached' if target_reached else 'not reached'}")
    event(f"{len(scenario.steps)} version(s)")
    totals = emc.totals()
    assert (totals.profit, totals.users, totals.revenue) == (deposited, users, revenue)
    assert totals.target_reached is target_reached
    assert totals.dev_fund_withdrawn == withdrawn

    held = dust = 0
    for address in [*members, ZERO_ADDRESS]:
        credit = credits.get(address, Credit())
        position = emc.position(address)
        assert position == credit.expected(target_reached, paid.get(address, 0)), address
        total = position.paid + position.claimable + position.locked
        assert credit.entitlement - 1 <= total <= credit.entitlement
        assert position.dust < (BPS if target_reached else 2 * BPS)
        held += total
        dust += position.dust
    assert held * BPS + dust == deposited * BPS

    total_paid = sum(paid.values())
    assert totals.paid == total_paid
    assert cast.balance(emc_address) == deposited - total_paid
    # The owner's deposits were minted for this EMC alone, so every wallet gained its payouts.
    gained = {a: cast.balance(a) - before for a, before in balances_before.items()}
    expected_gain = {a: paid.get(a, 0) for a in members}
    expected_gain[cast.treasury.address] = withdrawn
    assert gained == expected_gain
