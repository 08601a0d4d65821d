"""Property: whatever the members, versions, amounts, sharing space and claim timing, every fen
is accounted for.

For random share versions (1 to 4, each 1 to 12 entries over partners, MEs in the operating
and value-added classes, and the development fund, with random basis points summing to
10,000), random periods (profit 1 fen to 10**12 fen), a sharing space from one fen (the pool
fills at once) to more than any run settles, terms that may ask for every report to be
attested (an auditor then signs each one), a target that may or may not be reached, members
claiming at random points, and credit that may be sent straight to the EMC and swept:

* every account's position and the pool equal the reference model (``emc_model.Payouts``):
  value-added shares earn only up to the profit at which the pool filled the space, beyond
  it the versions' value-added bps earn for the development fund (whether or not a version
  names the fund), and free and value-added credit are floored apart, each with its own dust;
* sum(paid + claimable + locked) * 10,000 + sum(dust) + sweepable * 10,000 == (profit
  deposited + credit sent) * 10,000, exactly (dust is in 1/10,000 fen);
* no account gets more than its bps of the profit settled while it held them, nor more than
  its capped credit floored; and no more than 1 fen less (the two classes are floored apart);
  the pool never accrues beyond the sharing space;
* the EMC holds exactly what was deposited and sent minus what was paid, and each wallet
  gained exactly what it was paid.

Each example runs between an ``evm_snapshot`` and an ``evm_revert`` on the session's chain.
The profile sets the example count (``tests/conftest.py``): 50 locally, 300 with ``CI=true``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_typing import ChecksumAddress
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rdh_chain import contract_errors as errors
from rdh_chain.types import (
    ZERO_ADDRESS,
    CapitalTotals,
    EmcTerms,
    PeriodReport,
    ShareClass,
    ShareEntry,
)
from tests.contracts.emc_model import BPS, Payouts, conserved
from tests.contracts.helpers import (
    TERMS_REASON,
    Cast,
    latest_timestamp,
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
    sharing_space: int
    attest_all: bool
    steps: list[Step]
    fund_withdraw_percent: int
    stray: int  # fen sent straight to the EMC before the end, then swept


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
        # From one fen (filled by the first value-added profit) to more than 12 periods of
        # 10**12 fen can fill, with the boundary region in between well covered.
        sharing_space=draw(
            st.one_of(
                st.integers(1, 1_000),
                st.integers(1, 10**12),
                st.integers(10**12, 2 * 10**12),
                st.just(10**16),
            )
        ),
        attest_all=draw(st.integers(0, 3)) == 0,
        steps=versions,
        fund_withdraw_percent=draw(st.integers(0, 100)),
        stray=draw(st.one_of(st.just(0), st.integers(1, 10**6))),
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
    auditor = cast.as_(cast.auditor)
    terms = EmcTerms(
        scenario.target_users,
        scenario.target_revenue,
        scenario.sharing_space,
        1,
        attest_all_reports=scenario.attest_all,
    )
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
    model = Payouts(scenario.sharing_space)
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
            report = PeriodReport(
                period.users, 0, period.revenue + period.profit, period.revenue, period.profit
            )
            if scenario.attest_all:
                deadline = latest_timestamp(cast.w3) + 3_600
                emc.settle(report, auditor.attest(emc, report, deadline))
            else:
                emc.settle(report)
            accrual = model.settle_profit(entries, period.profit)
            if accrual.filled:
                event("pool filled the sharing space")
            users += period.users
            revenue += period.revenue + period.profit
            model.target_reached = reached()
        for i, address in enumerate(members):
            if not step.claim_mask >> i & 1:
                continue
            expected = model.position(address)
            client = cast.as_(wallets[address]).emc(emc_address)
            if expected.claimable == 0:
                with pytest.raises(errors.EmcNothingToClaim):
                    client.claim()
                continue
            amount, _ = client.claim()
            assert amount == expected.claimable
            model.paid[address] = model.paid.get(address, 0) + amount

    # Credit sent straight to the EMC is owed to nobody: the treasurer sweeps it to the fund.
    if scenario.stray:
        cast.mint(emc_address, scenario.stray)
        assert emc.sweepable() == scenario.stray
        swept, _ = cast.as_(cast.treasury).emc(emc_address).sweep()
        assert swept == scenario.stray
        model.swept += swept
    assert emc.sweepable() == 0

    # Everyone claims what is left; the owner spends part of the development fund.
    for address in members:
        claimable = emc.position(address).claimable
        assert claimable == model.position(address).claimable, address
        if claimable:
            amount, _ = cast.as_(wallets[address]).emc(emc_address).claim()
            assert amount == claimable
            model.paid[address] = model.paid.get(address, 0) + amount
    fund_available = emc.position(ZERO_ADDRESS).claimable
    assert fund_available == model.position(ZERO_ADDRESS).claimable
    withdrawn = fund_available * scenario.fund_withdraw_percent // 100
    if withdrawn:
        emc.withdraw_dev_fund(cast.treasury.address, withdrawn, b"\x01" * 32)
        model.paid[ZERO_ADDRESS] = withdrawn

    target_reached = reached()
    event(f"target {'reached' if target_reached else 'not reached'}")
    event(f"{len(scenario.steps)} version(s)")
    if model.full_at:
        event("value-added shares capped")
    totals = emc.totals()
    assert (totals.profit, totals.users, totals.revenue) == (deposited, users, revenue)
    assert totals.target_reached is target_reached
    assert totals.dev_fund_withdrawn == withdrawn
    pool = emc.pool()
    assert pool == model.pool()
    assert pool.accrued <= scenario.sharing_space * BPS

    positions = {}
    for address in [*members, ZERO_ADDRESS]:
        credit = model.credits.get(address)
        position = emc.position(address)
        assert position == model.position(address), address
        total = position.paid + position.claimable + position.locked
        if credit is not None:
            entitled = (credit.free + credit.value_added) // BPS
            extra = model.fund_extra() if address == ZERO_ADDRESS else 0
            assert entitled - 1 <= total - extra <= entitled, address
        assert position.paid + position.claimable <= model.promised(address), address
        assert position.dust < 2 * BPS
        positions[address] = position
    entered = (deposited + scenario.stray) * BPS
    no_capital = CapitalTotals(*([0] * 12))
    assert conserved(positions, no_capital, 0, model.stranded()) == entered

    total_paid = sum(model.paid.values())
    assert totals.paid == total_paid
    assert cast.balance(emc_address) == deposited + scenario.stray - total_paid
    # The owner's deposits were minted for this EMC alone, so every wallet gained its payouts.
    gained = {a: cast.balance(a) - before for a, before in balances_before.items()}
    expected_gain = {a: model.paid.get(a, 0) for a in members}
    expected_gain[cast.treasury.address] = withdrawn
    assert gained == expected_gain
