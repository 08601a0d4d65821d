"""The sharing space caps the value-added pool (audit finding 10), with every figure by hand.

Each profit period adds the active version's value-added basis points times its profit to
the pool (credit in 1/10,000 fen). The period whose credit would take the pool past the
sharing space fixes ``fullAtProfit = previous cumulative profit + floor(room / pool_bps)``
(``room`` = what is left of the space, in 1/10,000 fen): value-added shares earn on the
cumulative profit up to it and no further, whatever version follows, and beyond it each
version's value-added basis points earn for the development fund instead (credited to the
fund's own position when it is brought up to date; ``pool().excess`` adds it up). Partner,
operating and fund shares are unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rdh_chain.contracts import EmcClient
from rdh_chain.demo import EXPLORE, MES, MONTH_1, PARTNERS, SMART_COOKING
from rdh_chain.events import Claimed, DevFundWithdrawn, ValueAddedPoolFilled, VersionActivated
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcTerms,
    PeriodReport,
    Pool,
    Position,
    ShareClass,
    ShareEntry,
    Strategy,
)
from tests.contracts.helpers import BPS, TERMS_REASON, Cast, revert, snapshot, split_bps

SPACE = 1_000  # fen: the pool holds at most 10,000,000 in 1/10,000 fen
# The target is reached in the first period, so value-added credit is payable at once.
TERMS = EmcTerms(target_users=1, target_revenue=1, sharing_space=SPACE, loss_threshold=10**9)


def _report(profit: int) -> PeriodReport:
    return PeriodReport(1, 1, profit, 0, profit)


def _new_emc(cast: Cast, terms: EmcTerms = TERMS) -> EmcClient:
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, terms, TERMS_REASON
    )
    return cast.emc(address)


def _settle(cast: Cast, emc: EmcClient, profit: int) -> TxResult:
    return cast.as_(cast.owner).settle(emc, _report(profit))[1]


def _filled(emc: EmcClient, result: TxResult) -> list[dict[str, Any]]:
    return [e.as_dict() for e in emc.events(result, ValueAddedPoolFilled)]


def _versions(cast: Cast, va1: int, va2: int, owner: int) -> list[ShareEntry]:
    """Chef partner 1,000, the owner operating, MEs 1 and 2 value-added, the fund 900."""
    assert 1_000 + owner + va1 + va2 + 900 == BPS
    return [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, owner),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, va1),
        ShareEntry(cast.mes[2].address, ShareClass.VALUE_ADDED, va2),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 900),
    ]


def _credit(emc: EmcClient, account: ChecksumAddress) -> int:
    """Everything ``account`` was credited, in 1/10,000 fen: paid, payable, locked, dust."""
    p = emc.position(account)
    return (p.paid + p.claimable + p.locked) * BPS + p.dust


def test_pool_fills_the_sharing_space_across_versions_with_exact_figures(cast: Cast) -> None:
    emc = _new_emc(cast)
    chef, owner, me1, me2 = (a.address for a in (cast.chef, cast.owner, *cast.mes[1:3]))

    # Version 1: a pool of 700 bps. Period 1, 10,001 fen: 7,000,700 accrued.
    cast.agree(emc.address, _versions(cast, 450, 250, 7_400))
    first = _settle(cast, emc, 10_001)
    assert _filled(emc, first) == []
    # 700.07 fen accrued: 299 fen of the space are left whole.
    assert emc.pool() == Pool(SPACE, 7_000_700, 299, 0, 0)

    # Version 2: a pool of 2,000 bps. Period 2, 10,000 fen would add 20,000,000: only
    # floor(2,999,300 / 2,000) = 1,499 fen of its profit fit (1,499.65 would), so value-added
    # shares earn up to 10,001 + 1,499 = 11,500 fen of cumulative profit.
    cast.agree(emc.address, _versions(cast, 1_500, 500, 6_100))
    second = _settle(cast, emc, 10_000)
    accrued = 7_000_700 + 1_499 * 2_000
    assert accrued == 9_998_700  # 1,300 short of the space: less than one fen of pool_bps
    # The fund earns version 2's 2,000 value-added bps on the 8,501 fen beyond 11,500.
    excess = 2_000 * (20_001 - 11_500)
    assert excess == 20_000_000 - 1_499 * 2_000 == 17_002_000
    assert _filled(emc, second) == [{"period": 2, "full_at_profit": 11_500, "accrued": accrued}]
    assert emc.pool() == Pool(SPACE, accrued, 0, 11_500, excess)

    # Version 3: a pool of 300 bps earns nothing more; all of its 1,500,000 is the fund's.
    cast.agree(emc.address, _versions(cast, 200, 100, 7_800))
    third = _settle(cast, emc, 5_000)
    assert _filled(emc, third) == []
    assert emc.pool() == Pool(SPACE, accrued, 0, 11_500, excess + 300 * 5_000)
    cumulative = 10_001 + 10_000 + 5_000

    # Value-added credit: bps times the profit up to 11,500, version by version.
    me1_credit = 450 * 10_001 + 1_500 * 1_499
    me2_credit = 250 * 10_001 + 500 * 1_499
    assert (me1_credit, me2_credit) == (6_748_950, 3_249_750)
    assert me1_credit + me2_credit == accrued
    assert emc.position(me1) == Position(674, 0, 0, 8_950)
    assert emc.position(me2) == Position(324, 0, 0, 9_750)
    # Partner and operating shares earn on every fen, as if there were no space.
    assert emc.position(chef) == Position(2_500, 0, 0, 1_000)  # 1,000 * 25,001
    owner_credit = 7_400 * 10_001 + 6_100 * 10_000 + 7_800 * 5_000
    assert owner_credit == 174_007_400
    assert emc.position(owner) == Position(17_400, 0, 0, 7_400)
    # The fund: its 900 bps of every fen and the pool's bps beyond the fill point, floored
    # together: 22,500,900 + 18,502,000 = 41,002,900.
    fund_credit = 900 * cumulative + excess + 300 * 5_000
    assert fund_credit == 41_002_900
    assert emc.position(ZERO_ADDRESS) == Position(4_100, 0, 0, 2_900)
    # Every 1/10,000 fen of profit is someone's.
    assert 1_000 * cumulative + owner_credit + accrued + fund_credit == cumulative * BPS

    # The claims pay exactly that, and say which part was value-added credit.
    for account, amount, value_added in ((me1, 674, 674), (chef, 2_500, 0)):
        wallet = next(w for w in cast.wallets if w.address == account)
        paid, result = cast.as_(wallet).emc(emc.address).claim()
        claimed = emc.event(result, Claimed)
        assert (paid, claimed.value_added, claimed.total_paid) == (amount, value_added, amount)
    withdrawn = (
        cast.as_(cast.owner)
        .emc(emc.address)
        .withdraw_dev_fund(cast.mes[3].address, 4_100, keccak(text="all of it"))
    )
    assert emc.event(withdrawn, DevFundWithdrawn).remaining == 0
    assert cast.balance(emc.address) == cumulative - 674 - 2_500 - 4_100
    assert emc.position(ZERO_ADDRESS) == Position(0, 0, 4_100, 2_900)


def test_pool_fills_exactly_then_the_next_period_fixes_full_at(cast: Cast) -> None:
    # A credit that fills the space to the unit does not fix fullAtProfit yet: the next
    # profit finds no room (floor(0 / bps) = 0), so value-added shares stop where they were.
    emc = _new_emc(cast)
    cast.agree(emc.address, _versions(cast, 600, 400, 7_100))  # a pool of 1,000 bps
    first = _settle(cast, emc, 10_000)  # 1,000 * 10,000 = the whole space
    assert _filled(emc, first) == []
    assert emc.pool() == Pool(SPACE, SPACE * BPS, 0, 0, 0)
    second = _settle(cast, emc, 7)
    assert _filled(emc, second) == [{"period": 2, "full_at_profit": 10_000, "accrued": SPACE * BPS}]
    assert emc.pool() == Pool(SPACE, SPACE * BPS, 0, 10_000, 1_000 * 7)
    # The fund: 900 bps of 10,007 fen and the pool's 1,000 bps of the last 7.
    assert emc.position(ZERO_ADDRESS) == Position(901, 0, 0, 3_300)
    assert emc.position(cast.mes[1].address) == Position(600, 0, 0, 0)
    assert emc.position(cast.mes[2].address) == Position(400, 0, 0, 0)
    _settle(cast, emc, 3)
    assert emc.pool().excess == 10_000
    assert emc.position(ZERO_ADDRESS) == Position(901, 0, 0, 9_000)  # 9,009,000 + 10,000
    assert emc.position(cast.mes[1].address) == Position(600, 0, 0, 0)


def test_fund_earns_the_pool_beyond_the_space_though_no_version_names_it(cast: Cast) -> None:
    # Version 1 has no development-fund entry; the pool's 1,000 bps beyond the fill point
    # are the fund's all the same, or the EMC would hold credit that is nobody's.
    emc = _new_emc(cast)
    entries = [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 8_000),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 1_000),
    ]
    cast.agree(emc.address, entries)
    _settle(cast, emc, 100_000)  # the pool fills at 10,000 fen
    assert emc.pool() == Pool(SPACE, SPACE * BPS, 0, 10_000, 1_000 * 90_000)
    assert emc.position(cast.mes[1].address) == Position(1_000, 0, 0, 0)
    assert emc.position(ZERO_ADDRESS) == Position(9_000, 0, 0, 0)
    total = sum(emc.position(a).claimable for a in (cast.chef.address, cast.owner.address))
    assert total + 1_000 + 9_000 == 100_000
    cast.as_(cast.owner).emc(emc.address).withdraw_dev_fund(
        cast.mes[3].address, 9_000, keccak(text="the pool beyond the space")
    )


def test_fund_earns_the_pool_beyond_the_space_from_before_a_version_names_it(
    cast: Cast,
) -> None:
    # The fund is first named by a version proposed before the period that fills the pool,
    # and activated after it: the excess of the version in force when the pool filled is the
    # fund's too.
    emc = _new_emc(cast)
    without_fund = [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 8_000),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 1_000),
    ]
    cast.agree(emc.address, without_fund)
    owner = cast.as_(cast.owner).emc(emc.address)
    version_id, _ = owner.propose_version(_versions(cast, 600, 400, 7_100))
    _settle(cast, emc, 100_000)
    owner.activate_version(version_id, cast.sign(owner, version_id))
    _settle(cast, emc, 10_000)
    # 1,000 bps of the 90,000 fen beyond the fill under version 1, then 1,000 bps of 10,000
    # under version 2 (MEs 1 and 2), besides the fund's own 900 bps of those 10,000.
    assert emc.pool() == Pool(SPACE, SPACE * BPS, 0, 10_000, 1_000 * 90_000 + 1_000 * 10_000)
    assert emc.position(ZERO_ADDRESS) == Position(9_000 + 1_000 + 900, 0, 0, 0)
    assert cast.balance(emc.address) == 110_000


def test_smart_cooking_first_month_accrues_57906_rmb_of_its_600000_rmb_space(cast: Cast) -> None:
    # The demo's EMC: the explore formula, the platform's scores (600,000 RMB of space), the
    # article's four partners and eleven MEs, whose value-added shares make a 6% pool.
    cast.as_(cast.steward).guidelines.publish_formula(Strategy.EXPLORE, EXPLORE)
    address, _ = cast.as_(cast.admin).factory.create_emc(
        cast.owner.address, Strategy.EXPLORE, SMART_COOKING
    )
    emc = cast.emc(address)
    assert emc.terms().sharing_space == 600_000_00
    partners = {name.replace("-", "_"): bps for name, bps in PARTNERS.items()}
    entries = [
        ShareEntry(cast.partners[name].address, ShareClass.PARTNER, bps)
        for name, bps in partners.items()
    ]
    for me, (_, operating, value_added) in zip(cast.mes, MES, strict=True):
        entries += [
            ShareEntry(me.address, ShareClass.OPERATING, operating),
            ShareEntry(me.address, ShareClass.VALUE_ADDED, value_added),
        ]
    entries.append(ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 900))
    _, activated = cast.agree(address, entries)
    assert emc.event(activated, VersionActivated).value_added_bps == 600

    result = cast.as_(cast.owner).settle(emc, MONTH_1)[1]

    assert MONTH_1.profit == 965_100_00
    assert _filled(emc, result) == []
    # 6% of 965,100 RMB is 57,906 RMB; 542,094 RMB of the 600,000 RMB are left.
    assert emc.pool() == Pool(600_000_00, 600 * 965_100_00, 542_094_00, 0, 0)
    assert emc.pool().accrued_fen == 57_906_00
    # R&D's me-rnd-recipes holds 100 of the 600 bps: 9,651 RMB, locked until the target.
    rnd = emc.position(cast.mes[1].address)
    assert (rnd.locked, rnd.claimable) == (9_651_00, 550 * 965_100_00 // BPS)
    # The chef's 6% partner share is the article's 57,906 RMB, paid now.
    assert emc.position(cast.chef.address).claimable == 57_906_00


def test_smart_cooking_pool_fills_at_ten_million_rmb_of_cumulative_profit(cast: Cast) -> None:
    # 600,000 RMB at 6% fill when 10,000,000 RMB of profit were settled: in the eleventh month
    # of 965,100 RMB (349,000 RMB into it); the rest of that month's 6% goes to the fund.
    terms = EmcTerms(20_000, 10_000_000_00, 600_000_00, 10**12)
    emc = _new_emc(cast, terms)
    entries = [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 600),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_900),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 600),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 900),
    ]
    cast.agree(emc.address, entries)
    for _ in range(10):
        _settle(cast, emc, 965_100_00)
    assert emc.pool().left == 600_000_00 - 10 * 57_906_00
    eleventh = _settle(cast, emc, 965_100_00)
    assert _filled(emc, eleventh) == [
        {"period": 11, "full_at_profit": 10_000_000_00, "accrued": 600_000_00 * BPS}
    ]
    excess = 600 * (11 * 965_100_00 - 10_000_000_00)
    assert excess // BPS == 36_966_00  # 6% of the 616,100 RMB beyond 10M RMB
    assert emc.pool() == Pool(600_000_00, 600_000_00 * BPS, 0, 10_000_000_00, excess)
    assert emc.position(cast.mes[1].address).locked == 600_000_00
    assert emc.position(ZERO_ADDRESS).claimable == (900 * 11 * 965_100_00 + excess) // BPS


# -- the property --------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Versions over one fixed set of parties (each holds a share in every version, so none
    is ever left out), each with its periods' profits, and who claims after each."""

    sharing_space: int
    versions: list[tuple[list[int], list[int]]]  # (bps per party, profits)
    claims: list[int]  # bit i: party i claims after that version's periods
    reach_target: bool


# (kind, index, class): the owner operating, two partners, four value-added MEs, the fund.
PARTIES = [
    ("me", 0, ShareClass.OPERATING),
    ("partner", 0, ShareClass.PARTNER),
    ("partner", 1, ShareClass.PARTNER),
    ("me", 1, ShareClass.VALUE_ADDED),
    ("me", 2, ShareClass.VALUE_ADDED),
    ("me", 3, ShareClass.VALUE_ADDED),
    ("me", 4, ShareClass.VALUE_ADDED),
    ("fund", 0, ShareClass.DEV_FUND),
]
VALUE_ADDED = [i for i, (_, _, c) in enumerate(PARTIES) if c is ShareClass.VALUE_ADDED]


@st.composite
def runs(draw: st.DrawFn) -> Run:
    versions = []
    for _ in range(draw(st.integers(1, 3))):
        cuts = draw(
            st.lists(
                st.integers(1, BPS - 1),
                min_size=len(PARTIES) - 1,
                max_size=len(PARTIES) - 1,
                unique=True,
            )
        )
        profits = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=3))
        versions.append((split_bps(cuts), profits))
    space = draw(st.one_of(st.integers(1, 10_000), st.integers(1, 10**8), st.just(10**12)))
    claims = draw(st.lists(st.integers(0, 2**8 - 1), min_size=len(versions), max_size=3))
    return Run(space, versions, claims, draw(st.booleans()))


def _wallet(cast: Cast, kind: str, index: int) -> LocalAccount | None:
    if kind == "fund":
        return None
    return cast.mes[index] if kind == "me" else list(cast.partners.values())[index]


@pytest.mark.slow
@settings(
    deadline=None,
    # The cast is session state; each example snapshots and reverts the chain itself.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(run=runs())
def test_value_added_credit_is_the_pool_capped_by_the_space(cast: Cast, run: Run) -> None:
    snapshot_id = snapshot(cast.w3)
    cast.refresh()
    try:
        _check(cast, run)
    finally:
        revert(cast.w3, snapshot_id)
        cast.refresh()


def _check(cast: Cast, run: Run) -> None:
    target = 1 if run.reach_target else 10**9
    emc = _new_emc(cast, EmcTerms(target, target, run.sharing_space, 10**12))
    owner = cast.as_(cast.owner)
    owner.token.approve(emc.address, 2**255)
    wallets = [_wallet(cast, kind, index) for kind, index, _ in PARTIES]
    addresses = [ZERO_ADDRESS if w is None else w.address for w in wallets]
    room = run.sharing_space * BPS
    # The model: the pool's accrual, the point it filled, and each party's credit.
    accrued = excess = cumulative = 0
    full_at: int | None = None
    uncapped = 0  # sum of pool_bps * profit, as if there were no space
    credit = [0] * len(PARTIES)
    last_fill_bps = 0
    for (bps, profits), mask in zip(run.versions, run.claims, strict=False):
        entries = [
            ShareEntry(address, cls, b)
            for address, (_, _, cls), b in zip(addresses, PARTIES, bps, strict=True)
        ]
        owner.agree(emc, entries, [w for w in wallets if w is not None])
        pool_bps = sum(bps[i] for i in VALUE_ADDED)
        for profit in profits:
            emc.settle(_report(profit))
            before, cumulative = cumulative, cumulative + profit
            uncapped += pool_bps * profit
            if full_at is None:
                if pool_bps * profit <= room - accrued:
                    accrued += pool_bps * profit
                else:
                    fits = (room - accrued) // pool_bps
                    full_at, last_fill_bps = before + fits, pool_bps
                    accrued += fits * pool_bps
                    excess += pool_bps * profit - fits * pool_bps
            else:
                excess += pool_bps * profit
            end = cumulative if full_at is None else min(cumulative, full_at)
            start = before if full_at is None else min(before, full_at)
            for i, (_, _, cls) in enumerate(PARTIES):
                credit[i] += bps[i] * ((end - start) if cls is ShareClass.VALUE_ADDED else profit)
        for i, wallet in enumerate(wallets):
            if wallet is not None and mask >> i & 1 and emc.position(wallet.address).claimable:
                cast.as_(wallet).emc(emc.address).claim()

    event("the pool filled the space" if full_at is not None else "the pool did not fill")
    pool = emc.pool()
    assert pool.accrued == accrued
    assert pool.full_at_profit == (full_at or 0)
    assert pool.excess == excess
    assert accrued <= room
    # Members' value-added credit (paid, payable, locked and dust) is the pool's accrual:
    # min(uncapped, space), short only by the floor of the filling period (under one of its
    # pool_bps units of profit).
    value_added = sum(_credit(emc, addresses[i]) for i in VALUE_ADDED)
    assert value_added == accrued == sum(credit[i] for i in VALUE_ADDED)
    assert 0 <= min(uncapped, room) - value_added < max(last_fill_bps, 1)
    if full_at is None:
        assert value_added == uncapped
    # Every other share earned bps * profit exactly; the fund also the pool's excess.
    for i, (kind, _, _) in enumerate(PARTIES):
        if kind == "fund":
            assert _credit(emc, addresses[i]) == credit[i] + excess
        else:
            assert _credit(emc, addresses[i]) == credit[i]
    # Conservation, to the 1/10,000 fen: every account's credit is the profit settled; the
    # EMC holds it less what was paid.
    total = sum(_credit(emc, a) for a in addresses)
    assert total == cumulative * BPS
    paid = sum(emc.position(a).paid for a in addresses)
    assert cast.balance(emc.address) == cumulative - paid
