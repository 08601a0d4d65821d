"""Capital, losses and dissolution, with every amount in fen computed by hand.

Capital is held as units of one pool: the first investment (no units outstanding) buys one
unit per fen, later ones ``amount * totalUnits // capital``; an account's units are worth
``units * capital // totalUnits``. A loss period (cost above revenue) pays the reporting ME
``covered = min(loss, capital)`` out of the pool; a loss that takes the capital to 0 resets
the units and opens a new era. A loss drawn on invested capital needs an auditor's
attestation (``helpers.settle`` attests exactly those). Every unit's borne losses are kept
with a cumulative loss per unit, ``index += covered * 2**128 // totalUnits`` at each loss,
and an account's borne losses are ``floor(units * (index - index_then) / 2**128)``, counted
whenever its units change; since the index is floored, an account whose true share is a
whole number of fen is counted one fen short.

Once cumulative losses reach the threshold the EMC dissolves: short of its target, locked
value-added credit is void and the pool's whole fen are released,
``released = floor(pool_accrued / 10,000)`` (``pool_accrued``: the value-added bps of each
version times the profit settled under it, up to the sharing space). Of it
``to_investors = min(released, losses_covered)`` is owed to the investors pro rata to the
losses they bore, the rest goes to the development fund. ``claimCapital`` (once per
investor) pays ``units * capital // totalUnits`` of the capital left plus
``floor(to_investors * borne / losses_covered)`` of the pool; the last investor to claim
takes both remainders.
"""

from __future__ import annotations

from dataclasses import replace

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.contracts import EmcClient
from rdh_chain.events import (
    CapitalReturned,
    DevFundWithdrawn,
    EmcDissolved,
    Invested,
    LossAbsorbed,
    PeriodSettled,
    TargetReached,
)
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    CapitalHolding,
    CapitalTotals,
    EmcStatus,
    EmcTerms,
    PeriodReport,
    Position,
    ShareClass,
    ShareEntry,
)
from tests.contracts.helpers import (
    BASE_PROFIT,
    BASE_TERMS,
    TERMS_REASON,
    Cast,
    assert_reverts,
    settle,
)

# Targets no test reaches unless it says so.
FAR_TERMS = EmcTerms(
    target_users=10**9,
    target_revenue=10**15,
    sharing_space=1_000_000,
    loss_threshold=10**12,
)
PURPOSE = keccak(text="pay the suppliers")


def _new_emc(cast: Cast, terms: EmcTerms, entries: list[ShareEntry]) -> EmcClient:
    """A fresh EMC owned by ``cast.owner`` with ``entries`` signed and active."""
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, terms, TERMS_REASON
    )
    cast.agree(address, entries)
    return cast.emc(address)


def _invest(cast: Cast, emc: EmcClient, investor: LocalAccount, amount: int) -> TxResult:
    cast.mint(investor.address, amount)
    cast.as_(investor).token.approve(emc.address, amount)
    _, result = cast.as_(investor).emc(emc.address).invest(amount)
    return result


def _settle(cast: Cast, emc: EmcClient, report: PeriodReport) -> TxResult:
    """The owner settles ``report``, attested by the auditor if it is a loss drawn on capital."""
    return settle(cast, emc, report)


def _loss(loss: int, revenue: int = 0) -> PeriodReport:
    return PeriodReport(users=0, units=0, revenue=revenue, cost=revenue + loss, profit=0)


def _profit(profit: int) -> PeriodReport:
    return PeriodReport(users=1, units=1, revenue=profit, cost=0, profit=profit)


def _loss_absorbed(emc: EmcClient, result: TxResult) -> tuple[int, int, int, int]:
    args = emc.event(result, LossAbsorbed)
    return args.period, args.loss, args.covered, args.cumulative_losses


def _dissolved(emc: EmcClient, result: TxResult) -> tuple[int, ...]:
    """EmcDissolved's (period, losses, threshold, capital, poolReleased, poolToInvestors,
    poolToDevFund, lossesCovered)."""
    args = emc.event(result, EmcDissolved)
    return (
        args.period,
        args.losses,
        args.threshold,
        args.capital,
        args.pool_released,
        args.pool_to_investors,
        args.pool_to_dev_fund,
        args.losses_covered,
    )


def _values(emc: EmcClient, accounts: list[ChecksumAddress]) -> list[int]:
    """What each account's capital is worth, after checking it is its pro-rata part."""
    totals = emc.capital_totals()
    held = [emc.capital_of(a) for a in accounts]
    assert [h.value for h in held] == [h.units * totals.capital // totals.total_units for h in held]
    return [h.value for h in held]


def _claim_capital(cast: Cast, emc: EmcClient, account: LocalAccount) -> tuple[int, int, int]:
    """``account`` claims its capital; returns CapitalReturned's (amount, units, poolShare)
    after checking that it was paid both."""
    before = cast.balance(account.address)
    paid, result = cast.as_(account).emc(emc.address).claim_capital()
    args = emc.event(result, CapitalReturned)
    assert args.account == account.address
    assert paid == args.amount + args.pool_share
    assert cast.balance(account.address) == before + paid
    return args.amount, args.units, args.pool_share


def _claim(cast: Cast, emc: EmcClient, account: LocalAccount) -> int:
    before = cast.balance(account.address)
    amount, _ = cast.as_(account).emc(emc.address).claim()
    assert cast.balance(account.address) == before + amount
    return amount


def test_losses_reach_every_investor_pro_rata_until_a_wipe_out_opens_a_new_era(
    cast: Cast,
) -> None:
    """Three members invest before any loss, one unit per fen; then three losses.

    invested    A (ME 1) 1,000,000   B (ME 2) 2,500,000   C (ME 3) 700,001
                capital = units = 4,200,001
    loss 1      934,567, covered:     capital 3,265,434
                A 1,000,000 * 3,265,434 // 4,200,001 = 777,484
                B 2,500,000 * 3,265,434 // 4,200,001 = 1,943,710
                C   700,001 * 3,265,434 // 4,200,001 = 544,239   (sum 3,265,433)
    loss 2      2,000,000, covered:   capital 1,265,434
                A 301,293   B 753,234   C 210,905                (sum 1,265,432)
    loss 3      1,500,000: covered 1,265,434, uncovered 234,566; capital 0, units 0, era 1
                losses 934,567 + 2,000,000 + 1,500,000 = 4,434,567
                covered 934,567 + 2,000,000 + 1,265,434 = 4,200,001 (all invested)
    new era     the chef invests 400,000 -> 400,000 units (1:1); A invests 50,000 ->
                50,000 * 400,000 // 400,000 = 50,000 units, its era-0 units gone.

    Borne losses (every loss is drawn on capital, so each is attested): the index rises by
    covered * 2**128 // 4,200,001 at each loss; 4,200,001 is odd and above every covered
    amount, so each step is floored strictly.
      after loss 2  B 2,500,000 * 2,934,567 / 4,200,001 = 1,746,765.66 -> 1,746,765
      after loss 3  the three steps sum to 2**128 less 2 (the floors): every era-0 unit
                    bore just under 1 fen, so A 999,999, B 2,499,999, C 700,000
                    (1,000,000 - ε, 2,500,000 - ε, 700,001 - ε, floored).
    A's era-0 borne losses stay counted when it invests in era 1.
    """
    a, b, c = cast.mes[1], cast.mes[2], cast.mes[3]
    emc = _new_emc(
        cast,
        FAR_TERMS,
        [
            ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
            ShareEntry(cast.owner.address, ShareClass.OPERATING, 6_000),
            ShareEntry(a.address, ShareClass.VALUE_ADDED, 1_000),
            ShareEntry(b.address, ShareClass.VALUE_ADDED, 500),
            ShareEntry(c.address, ShareClass.OPERATING, 500),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ],
    )
    investors = [a.address, b.address, c.address]
    for account, amount, capital in ((a, 1_000_000, 1_000_000), (b, 2_500_000, 3_500_000)):
        args = emc.event(_invest(cast, emc, account, amount), Invested)
        assert (args.account, args.amount, args.units, args.capital) == (
            account.address,
            amount,
            amount,
            capital,
        )
    _invest(cast, emc, c, 700_001)
    assert emc.capital_totals() == CapitalTotals(
        4_200_001, 4_200_001, 0, 4_200_001, 0, 0, 0, 0, 0, 0, 3, 0
    )
    assert _values(emc, investors) == [1_000_000, 2_500_000, 700_001]

    reporter = cast.owner.address
    held = cast.balance(emc.address)
    before = cast.balance(reporter)
    result = _settle(cast, emc, _loss(934_567, revenue=300_000))
    assert _loss_absorbed(emc, result) == (1, 934_567, 934_567, 934_567)
    assert cast.balance(reporter) == before + 934_567
    assert cast.balance(emc.address) == held - 934_567
    assert emc.capital_totals() == CapitalTotals(
        3_265_434, 4_200_001, 0, 4_200_001, 934_567, 934_567, 0, 0, 0, 0, 3, 0
    )
    assert _values(emc, investors) == [777_484, 1_943_710, 544_239]

    before = cast.balance(reporter)
    result = _settle(cast, emc, _loss(2_000_000))
    assert _loss_absorbed(emc, result) == (2, 2_000_000, 2_000_000, 2_934_567)
    assert cast.balance(reporter) == before + 2_000_000
    assert emc.capital_totals().capital == 1_265_434
    assert _values(emc, investors) == [301_293, 753_234, 210_905]
    assert emc.capital_of(b.address) == CapitalHolding(2_500_000, 753_234, 2_500_000, 1_746_765)

    # More than is left: the capital pays what it has, the rest stays uncovered.
    before = cast.balance(reporter)
    result = _settle(cast, emc, _loss(1_500_000, revenue=100))
    assert _loss_absorbed(emc, result) == (3, 1_500_000, 1_265_434, 4_434_567)
    assert cast.balance(reporter) == before + 1_265_434
    assert cast.balance(emc.address) == held - 4_200_001
    assert emc.capital_totals() == CapitalTotals(
        0, 0, 1, 4_200_001, 4_434_567, 4_200_001, 0, 0, 0, 0, 3, 0
    )
    assert emc.status() is EmcStatus.ACTIVE  # 4,434,567 < the threshold
    assert [emc.capital_of(x) for x in investors] == [
        CapitalHolding(0, 0, 1_000_000, 999_999),
        CapitalHolding(0, 0, 2_500_000, 2_499_999),
        CapitalHolding(0, 0, 700_001, 700_000),
    ]

    # A new era starts at one unit per fen, whatever the old units were.
    result = _invest(cast, emc, cast.chef, 400_000)
    assert emc.event(result, Invested).units == 400_000
    result = _invest(cast, emc, a, 50_000)
    assert emc.event(result, Invested).units == 50_000
    assert emc.capital_totals() == CapitalTotals(
        450_000, 450_000, 1, 4_650_001, 4_434_567, 4_200_001, 0, 0, 0, 0, 4, 0
    )
    assert emc.capital_of(a.address) == CapitalHolding(50_000, 50_000, 1_050_000, 999_999)
    assert emc.capital_of(cast.chef.address) == CapitalHolding(400_000, 400_000, 400_000)
    assert emc.capital_of(b.address) == CapitalHolding(0, 0, 2_500_000, 2_499_999)


def test_an_investment_after_losses_buys_more_units_per_fen(cast: Cast) -> None:
    """Units are minted at the pool's current worth, rounding down (in the pool's favour).

    A invests 1,000,000 -> 1,000,000 units; a loss of 250,000 leaves 750,000.
    B invests 300,000 -> 300,000 * 1,000,000 // 750,000 = 400,000 units (4 per 3 fen);
        capital 1,050,000, units 1,400,000.
    A loss of 49,999 leaves 1,000,001.
    C invests 100,001 -> 100,001 * 1,400,000 // 1,000,001 = 140,001 units (140,001.26
        floored); capital 1,100,002, units 1,540,001.
    Worth:  A 1,000,000 * 1,100,002 // 1,540,001 = 714,286
            B   400,000 * 1,100,002 // 1,540,001 = 285,714
            C   140,001 * 1,100,002 // 1,540,001 = 100,000 (one fen under what it paid in)
    Borne:  A 250,000 (the first step, 250,000 * 2**128 // 1,000,000 = 2**126, is exact)
              + 1,000,000 * 49,999 / 1,400,000 = 35,713.57 -> 285,713
            B 400,000 * 49,999 / 1,400,000 = 14,285.43 -> 14,285; C nothing yet.
    """
    a, b, c = cast.mes[1], cast.mes[2], cast.chef
    emc = _new_emc(
        cast,
        FAR_TERMS,
        [
            ShareEntry(c.address, ShareClass.PARTNER, 1_000),
            ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_000),
            ShareEntry(a.address, ShareClass.VALUE_ADDED, 500),
            ShareEntry(b.address, ShareClass.VALUE_ADDED, 500),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ],
    )
    _invest(cast, emc, a, 1_000_000)
    _settle(cast, emc, _loss(250_000))
    args = emc.event(_invest(cast, emc, b, 300_000), Invested)
    assert (args.units, args.capital) == (400_000, 1_050_000)
    assert emc.capital_of(b.address) == CapitalHolding(400_000, 300_000, 300_000, 0)
    _settle(cast, emc, _loss(49_999))
    args = emc.event(_invest(cast, emc, c, 100_001), Invested)
    assert (args.units, args.capital) == (140_001, 1_100_002)
    assert emc.capital_totals() == CapitalTotals(
        1_100_002, 1_540_001, 0, 1_400_001, 299_999, 299_999, 0, 0, 0, 0, 3, 0
    )
    assert _values(emc, [a.address, b.address, c.address]) == [714_286, 285_714, 100_000]
    assert emc.capital_of(a.address) == CapitalHolding(1_000_000, 714_286, 1_000_000, 285_713)
    assert emc.capital_of(b.address) == CapitalHolding(400_000, 285_714, 300_000, 14_285)
    assert emc.capital_of(c.address) == CapitalHolding(140_001, 100_000, 100_001, 0)


# Three versions for the dissolution short of the target (bps; each sums to 10,000):
#         chef      owner      ME 1          ME 2       ME 2
#       partner   operating  value-added  operating  value-added  fund   pool
#   V1   1,000      6,500       1,200          -          300      1,000  1,500
#   V2     800      5,500       1,000        500        1,200      1,000  2,200
#   V3   1,000      7,000         300        500          200      1,000    500
P1, P2, P3, P4 = 1_000_003, 2_000_017, 333_331, 777_777


def _three_versions(cast: Cast) -> list[list[ShareEntry]]:
    chef, owner, me1, me2 = cast.chef.address, cast.owner.address, cast.mes[1], cast.mes[2]

    def version(partner: int, operating: int, va1: int, op2: int, va2: int) -> list[ShareEntry]:
        entries = [
            ShareEntry(chef, ShareClass.PARTNER, partner),
            ShareEntry(owner, ShareClass.OPERATING, operating),
            ShareEntry(me1.address, ShareClass.VALUE_ADDED, va1),
            ShareEntry(me2.address, ShareClass.VALUE_ADDED, va2),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ]
        if op2:
            entries.append(ShareEntry(me2.address, ShareClass.OPERATING, op2))
        return entries

    return [
        version(1_000, 6_500, 1_200, 0, 300),
        version(800, 5_500, 1_000, 500, 1_200),
        version(1_000, 7_000, 300, 500, 200),
    ]


def test_dissolution_short_of_the_target_owes_the_pool_to_investors_by_losses_borne(
    cast: Cast,
) -> None:
    """Profits P1 (V1), P2 and P3 (V2), P4 (V3); losses 300,000 then 700,001 (threshold 1,000,000).

    Periods: 1 P1 = 1,000,003; 2 loss 300,000; 3 P2 = 2,000,017; 4 P3 = 333,331;
    5 P4 = 777,777; 6 loss 700,001 -> losses 1,000,001 >= 1,000,000: dissolved.
    Deposited: P1 + P2 + P3 + P4 = 4,111,128.

    Capital: ME 1 600,000 and ME 2 900,000 after period 1 (1:1, units 1,500,000); the loss of
    period 2 leaves 1,200,000; the chef invests 400,000 -> 400,000 * 1,500,000 // 1,200,000
    = 500,000 units (capital 1,600,000, units 2,000,000); period 6 covers 700,001 -> 899,999.
    Both losses were covered in full: losses_covered 1,000,001.

    Pool: 1,500*P1 + 2,200*(P2 + P3) + 500*P4
        = 1,500,004,500 + 5,133,365,600 + 388,888,500 = 7,022,258,600 (within the sharing
        space of 1,000,000 fen = 10**10) -> released 702,225 (8,600 of it void);
        to investors min(702,225, 1,000,001) = 702,225, to the fund 0.
    Borne losses: period 2 raises the index by 300,000 * 2**128 // 1,500,000 = floor(2**128/5)
    (2**128 = 1 mod 5: short by 1/5), period 6 by floor(700,001 * 2**128 / 2,000,000):
      ME 1  600,000 * (0.2 + 0.3500005) = 330,000.3 -> 330,000
      ME 2  900,000 * 0.5500005         = 495,000.45 -> 495,000
      chef  500,000 * 0.3500005         = 175,000.25 -> 175,000 (its units came after period 2)
    Claims, in turn (capital 899,999 for 2,000,000 units; pool 702,225 over 1,000,001):
      ME 1  capital 600,000 * 899,999 // 2,000,000 = 269,999 (630,000 left for 1,400,000)
            pool 702,225 * 330,000 // 1,000,001 = 231,734 (231,734.02)
      ME 2  capital 900,000 * 630,000 // 1,400,000 = 405,000 (225,000 left)
            pool 702,225 * 495,000 // 1,000,001 = 347,601 (347,601.03)
      chef  last: capital 225,000 (224,999.75 pro rata), pool 702,225 - 231,734 - 347,601
            = 122,890 (122,889.2 pro rata)
    Nobody gets back more than it put in: ME 1 501,733 of 600,000, ME 2 752,601 of 900,000,
    the chef 347,890 of 400,000.

    Credit (1/10,000 fen):
      ME 1 value-added  1,200*P1 + 1,000*(P2+P3) + 300*P4 = 3,766,684,700 -> 376,668 locked, void
      ME 2 operating    500*(P2+P3) + 500*P4 = 1,555,562,500 -> 155,556 payable, dust 2,500
                        (116,667 claimed after P3: 500*(P2+P3) = 1,166,674,000)
      ME 2 value-added  300*P1 + 1,200*(P2+P3) + 200*P4 = 3,255,573,900 -> 325,557 locked, void
                        (310,001 of it locked at that claim: 300*P1 + 1,200*(P2+P3) = 3,100,018,500)
      chef partner      1,000*P1 + 800*(P2+P3) + 1,000*P4 = 3,644,458,400 -> 364,445, dust 8,400
                        (286,668 claimed after P3: 1,000*P1 + 800*(P2+P3) = 2,866,681,400)
      owner operating   6,500*P1 + 5,500*(P2+P3) + 7,000*P4 = 24,777,872,500
                        -> 2,477,787, dust 2,500
      fund              1,000 * 4,111,128 = 4,111,128,000 -> 411,112, dust 8,000
                        (100,000 withdrawn before dissolution, 311,112 after)
    Left in the EMC at the end: (8,400 + 2,500 + 2,500 + 8,000 + 8,600) / 10,000 = 3 fen
      = 4,111,128 + 1,900,000 - (364,445 + 155,556 + 2,477,787) - 411,112
        - (300,000 + 700,001) - (269,999 + 405,000 + 225,000) - 702,225;
    the dust is owed and the void 8,600 is no whole fen, so nothing can be swept.
    """
    owner, me1, me2, chef = cast.owner, cast.mes[1], cast.mes[2], cast.chef
    v1, v2, v3 = _three_versions(cast)
    emc = _new_emc(cast, replace(FAR_TERMS, loss_threshold=1_000_000), v1)
    assert emc.version(1).value_added_bps == 1_500
    covered_to_owner = 0
    owner_before = cast.balance(owner.address)

    _settle(cast, emc, _profit(P1))
    _invest(cast, emc, me1, 600_000)
    _invest(cast, emc, me2, 900_000)
    result = _settle(cast, emc, _loss(300_000, revenue=200_000))
    assert emc.event(result, PeriodSettled).auditor == cast.auditor.address
    assert _loss_absorbed(emc, result) == (2, 300_000, 300_000, 300_000)
    covered_to_owner += 300_000
    result = _invest(cast, emc, chef, 400_000)
    assert emc.event(result, Invested).units == 500_000
    assert emc.capital_totals() == CapitalTotals(
        1_600_000, 2_000_000, 0, 1_900_000, 300_000, 300_000, 0, 0, 0, 0, 3, 0
    )
    assert emc.capital_of(me1.address).loss_borne == 119_999  # 600,000 / 5, less the floor

    v2_id, _ = cast.agree(emc.address, v2)
    assert emc.version(v2_id).value_added_bps == 2_200
    _settle(cast, emc, _profit(P2))
    _settle(cast, emc, _profit(P3))
    claimed = _claim(cast, emc, chef)
    assert claimed == 286_668
    # ME 2 claims too, so its whole locked units (310,001) are stored apart from its position.
    assert emc.position(me2.address) == Position(116_667, 310_001, 0, 4_000 + 8_500)
    claimed += _claim(cast, emc, me2)
    assert claimed == 286_668 + 116_667
    emc.withdraw_dev_fund(me1.address, 100_000, PURPOSE)
    v3_id, _ = cast.agree(emc.address, v3)
    assert emc.version(v3_id).value_added_bps == 500
    _settle(cast, emc, _profit(P4))

    assert emc.position(me1.address) == Position(0, 376_668, 0, 4_700)
    assert emc.position(me2.address) == Position(38_889, 325_557, 116_667, 2_500 + 3_900)
    assert emc.pool().accrued == 7_022_258_600
    assert emc.status() is EmcStatus.ACTIVE

    before = cast.balance(owner.address)
    result = _settle(cast, emc, _loss(700_001))
    covered_to_owner += 700_001
    assert cast.balance(owner.address) == before + 700_001
    assert _loss_absorbed(emc, result) == (6, 700_001, 700_001, 1_000_001)
    assert _dissolved(emc, result) == (
        6,
        1_000_001,
        1_000_000,
        899_999,
        702_225,
        702_225,
        0,
        1_000_001,
    )
    assert emc.status() is EmcStatus.DISSOLVED
    assert emc.capital_totals() == CapitalTotals(
        899_999, 2_000_000, 0, 1_900_000, 1_000_001, 1_000_001, 0, 702_225, 702_225, 0, 3, 0
    )
    assert not emc.totals().target_reached
    # What each would be paid now: the last claimer's remainder is not known yet.
    assert emc.capital_of(me1.address) == CapitalHolding(
        600_000, 269_999, 600_000, 330_000, 231_734
    )
    assert emc.capital_of(chef.address) == CapitalHolding(
        500_000, 224_999, 400_000, 175_000, 122_889
    )

    # Locked value-added credit is void; payable credit is not.
    assert emc.position(me1.address) == Position(0, 0, 0, 0)
    assert emc.position(me2.address) == Position(38_889, 0, 116_667, 2_500)
    assert emc.position(chef.address) == Position(77_777, 0, 286_668, 8_400)
    assert emc.position(owner.address) == Position(2_477_787, 0, 0, 2_500)
    assert cast.ledger.dev_fund(emc) == Position(311_112, 0, 100_000, 8_000)

    deposited = P1 + P2 + P3 + P4
    invested = 600_000 + 900_000 + 400_000
    withdrawn = 100_000
    assert cast.balance(emc.address) == (
        deposited + invested - claimed - withdrawn - covered_to_owner
    )

    assert _claim_capital(cast, emc, me1) == (269_999, 600_000, 231_734)
    assert _claim_capital(cast, emc, me2) == (405_000, 900_000, 347_601)
    assert emc.capital_totals().capital == 225_000
    assert _claim_capital(cast, emc, chef) == (225_000, 500_000, 122_890)
    returned = 269_999 + 405_000 + 225_000
    pool_paid = 231_734 + 347_601 + 122_890
    assert pool_paid == 702_225

    claimed += _claim(cast, emc, me2)
    claimed += _claim(cast, emc, chef)
    claimed += _claim(cast, emc, owner)
    assert claimed == 155_556 + 364_445 + 2_477_787
    assert_reverts(
        cast,
        lambda: cast.as_(me1).emc(emc.address).claim(),
        errors.EmcNothingToClaim,
        {"account": me1.address},
    )
    emc.withdraw_dev_fund(me1.address, 311_112, PURPOSE)
    withdrawn += 311_112

    assert emc.capital_totals() == CapitalTotals(
        0, 0, 0, 1_900_000, 1_000_001, 1_000_001, 899_999, 702_225, 702_225, 702_225, 3, 3
    )
    totals = emc.totals()
    assert (totals.paid, totals.dev_fund_withdrawn) == (claimed + withdrawn, withdrawn)
    assert cast.balance(owner.address) == owner_before - deposited + covered_to_owner + 2_477_787
    balance = cast.balance(emc.address)
    assert balance == (
        deposited + invested - claimed - withdrawn - covered_to_owner - returned - pool_paid
    )
    assert balance == 3
    assert emc.sweepable() == 0


def test_dissolution_without_investors_releases_the_pool_into_the_development_fund(
    cast: Cast,
) -> None:
    """The base EMC (V1: chef partner 1,000, owner operating 7,000, ME 1 value-added 1,000,
    fund 1,000; period 1 profit 1,000,000) settles Q = 333,333 in period 2, then a loss of
    10,000,000 (the threshold) in period 3 with nothing invested: covered 0, and a loss that
    draws on no capital needs no attestation.

    Profit 1,333,333. Pool: 1,000 * 1,333,333 = 1,333,333,000 -> released 133,333 (rest
    3,000), which is also ME 1's locked credit (void now). Nobody bore a loss:
    to investors min(133,333, 0) = 0, so all 133,333 go to the fund. The fund's own credit
    is the same: 133,333, dust 3,000; with the pool it may pay 266,666.
    The chef claims 133,333 (dust 3,000), the owner 7,000 * 1,333,333 = 9,333,331,000 ->
    933,333 (dust 1,000). Left: 1,333,333 - 133,333 - 933,333 - 266,666 = 1 fen
    = (3,000 + 1,000 + 3,000 + 3,000) / 10,000.
    """
    owner = cast.as_(cast.owner)
    emc = cast.emc()
    q = 333_333
    _settle(cast, emc, _profit(q))
    me1 = cast.mes[1].address
    assert emc.position(me1) == Position(0, 133_333, 0, 3_000)
    assert cast.ledger.dev_fund(emc) == Position(133_333, 0, 0, 3_000)
    before = cast.balance(cast.owner.address)

    result = _settle(cast, emc, _loss(BASE_TERMS.loss_threshold))
    assert emc.event(result, PeriodSettled).auditor == ZERO_ADDRESS
    assert _loss_absorbed(emc, result) == (3, 10_000_000, 0, 10_000_000)
    assert _dissolved(emc, result) == (3, 10_000_000, 10_000_000, 0, 133_333, 0, 133_333, 0)
    assert cast.balance(cast.owner.address) == before
    assert emc.capital_totals() == CapitalTotals(0, 0, 0, 0, 10_000_000, 0, 0, 133_333, 0, 0, 0, 0)
    assert emc.position(me1) == Position(0, 0, 0, 0)
    assert cast.ledger.dev_fund(emc) == Position(266_666, 0, 0, 3_000)

    assert _claim(cast, emc, cast.chef) == 133_333
    assert owner.emc(emc.address).claim()[0] == 933_333
    recipient = cast.mes[4].address
    held = cast.balance(recipient)
    result = emc.withdraw_dev_fund(recipient, 266_666, PURPOSE)
    withdrawn = emc.event(result, DevFundWithdrawn)
    assert (withdrawn.to, withdrawn.amount, withdrawn.purpose, withdrawn.remaining) == (
        recipient,
        266_666,
        PURPOSE,
        0,
    )
    assert cast.balance(recipient) == held + 266_666
    assert cast.ledger.dev_fund(emc) == Position(0, 0, 266_666, 3_000)
    assert cast.balance(emc.address) == BASE_PROFIT + q - 133_333 - 933_333 - 266_666 == 1


def test_dissolution_after_the_target_forfeits_nothing(cast: Cast) -> None:
    """Target 100 users and 1,000,000 revenue; V: chef partner 1,000, owner operating 7,000,
    ME 1 value-added 1,500, fund 500; ME 1 invests 500,000 and the chef 250,000 (750,000 units).

    Period 1: 60 users, revenue 600,000, profit 500,000.
    Period 2: 40 users, revenue 400,001, profit 123,457 -> 100 users, 1,000,001: reached.
    ME 1's value-added credit: 1,500 * 623,457 = 935,185,500 -> 93,518 payable, dust 5,500.
    (The pool, 935,185,500, stays within the sharing space of 100,000 fen = 10**9.)
    Period 3: loss 600,001 (attested: it draws on the capital) >= threshold 600,000,
    covered: capital 149,999; dissolved, no pool released, so nothing is owed to investors.
    Capital returns: ME 1 500,000 * 149,999 // 750,000 = 99,999 (99,999.3), the chef, last,
    149,999 - 99,999 = 50,000 (49,999.7 pro rata: the remainder); pool shares 0.
    """
    me1, chef = cast.mes[1], cast.chef
    terms = EmcTerms(
        target_users=100, target_revenue=1_000_000, sharing_space=100_000, loss_threshold=600_000
    )
    emc = _new_emc(
        cast,
        terms,
        [
            ShareEntry(chef.address, ShareClass.PARTNER, 1_000),
            ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_000),
            ShareEntry(me1.address, ShareClass.VALUE_ADDED, 1_500),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 500),
        ],
    )
    _invest(cast, emc, me1, 500_000)
    _invest(cast, emc, chef, 250_000)
    _settle(cast, emc, PeriodReport(60, 60, 600_000, 100_000, 500_000))
    assert emc.position(me1.address) == Position(0, 75_000, 0, 0)
    result = _settle(cast, emc, PeriodReport(40, 40, 400_001, 0, 123_457))
    assert len(emc.events(result, TargetReached)) == 1
    assert emc.position(me1.address) == Position(93_518, 0, 0, 5_500)

    result = _settle(cast, emc, _loss(600_001))
    assert _dissolved(emc, result) == (3, 600_001, 600_000, 149_999, 0, 0, 0, 600_001)
    assert emc.capital_totals() == CapitalTotals(
        149_999, 750_000, 0, 750_000, 600_001, 600_001, 0, 0, 0, 0, 2, 0
    )
    assert emc.position(me1.address) == Position(93_518, 0, 0, 5_500)
    assert cast.ledger.dev_fund(emc) == Position(31_172, 0, 0, 8_500)  # 500 * 623,457

    assert _claim(cast, emc, me1) == 93_518
    assert _claim_capital(cast, emc, me1) == (99_999, 500_000, 0)
    assert _claim_capital(cast, emc, chef) == (50_000, 250_000, 0)
    assert emc.capital_totals() == CapitalTotals(
        0, 0, 0, 750_000, 600_001, 600_001, 149_999, 0, 0, 0, 2, 2
    )
    # 623,457 deposited + 750,000 invested - 93,518 claimed - 600,001 covered - 149,999 returned
    assert cast.balance(emc.address) == 529_939


def test_the_reporter_is_paid_the_covered_losses_not_the_owner(cast: Cast) -> None:
    """The chef invests 2,000,000 in the base EMC; ME 2 reports, each loss attested. A loss of
    1,500,000 is covered in full, then one of exactly the 500,000 left: the capital is 0, so
    its units are reset and era 1 begins. ME 2 receives 1,500,000 + 500,000; the owner
    nothing. The chef's units bore 1,500,000 * 2**128 // 2,000,000 (exactly 3/4 of 2**128)
    and then the last quarter: 2,000,000 in all."""
    reporter = cast.mes[2]
    emc = cast.emc()
    emc.set_reporter(reporter.address)
    _invest(cast, emc, cast.chef, 2_000_000)
    owner_before = cast.balance(cast.owner.address)
    reporter_before = cast.balance(reporter.address)
    emc_before = cast.balance(emc.address)

    result = settle(cast, emc, _loss(1_500_000, revenue=500_000), by=reporter)
    settled = emc.event(result, PeriodSettled)
    assert (settled.reporter, settled.auditor) == (reporter.address, cast.auditor.address)
    assert _loss_absorbed(emc, result) == (2, 1_500_000, 1_500_000, 1_500_000)
    assert cast.balance(reporter.address) == reporter_before + 1_500_000
    assert emc.capital_of(cast.chef.address) == CapitalHolding(
        2_000_000, 500_000, 2_000_000, 1_500_000
    )

    result = settle(cast, emc, _loss(500_000), by=reporter)
    assert _loss_absorbed(emc, result) == (3, 500_000, 500_000, 2_000_000)
    assert cast.balance(reporter.address) == reporter_before + 2_000_000
    assert cast.balance(cast.owner.address) == owner_before
    assert cast.balance(emc.address) == emc_before - 2_000_000
    assert emc.capital_totals() == CapitalTotals(
        0, 0, 1, 2_000_000, 2_000_000, 2_000_000, 0, 0, 0, 0, 1, 0
    )
    assert emc.capital_of(cast.chef.address) == CapitalHolding(0, 0, 2_000_000, 2_000_000)


def test_claims_capital_returns_and_fund_withdrawals_work_after_dissolution(cast: Cast) -> None:
    """The base EMC (profit 1,000,000 in period 1) with ME 1 investing 6,000,000 and the chef
    9,000,001 (15,000,001 units); an attested loss of 10,000,000 (the threshold) dissolves it
    with capital 5,000,001 left. Pool released: 1,000 * 1,000,000 / 10,000 = 100,000, all owed
    to the investors (min(100,000, 10,000,000 covered)); the fund gets none of it.
    Borne (index 10,000,000 * 2**128 // 15,000,001): ME 1 6,000,000 * 10,000,000 / 15,000,001
    = 3,999,999.73 -> 3,999,999; the chef 6,000,000.27 -> 6,000,000.
    ME 1: capital 6,000,000 * 5,000,001 // 15,000,001 = 2,000,000 (2,000,000.13), pool
    100,000 * 3,999,999 // 10,000,000 = 39,999; the chef, last, 5,000,001 - 2,000,000
    = 3,000,001 and 100,000 - 39,999 = 60,001. A second claim is refused.
    Payable credit: chef 100,000, owner 700,000, fund 100,000; ME 1's 100,000 locked is void.
    Left: 1,000,000 + 15,000,001 - 900,000 - 10,000,000 - 5,000,001 - 100,000 = 0.
    """
    me1, chef = cast.mes[1], cast.chef
    emc = cast.emc()
    assert cast.balance(emc.address) == BASE_PROFIT
    _invest(cast, emc, me1, 6_000_000)
    _invest(cast, emc, chef, 9_000_001)
    result = _settle(cast, emc, _loss(BASE_TERMS.loss_threshold))
    assert _dissolved(emc, result) == (
        2,
        10_000_000,
        10_000_000,
        5_000_001,
        100_000,
        100_000,
        0,
        10_000_000,
    )

    assert _claim_capital(cast, emc, me1) == (2_000_000, 6_000_000, 39_999)
    assert emc.capital_of(me1.address) == CapitalHolding(0, 0, 6_000_000, 3_999_999, 0, True)
    assert_reverts(
        cast,
        lambda: cast.as_(me1).emc(emc.address).claim_capital(),
        errors.EmcNothingToClaim,
        {"account": me1.address},
    )
    assert emc.capital_totals() == CapitalTotals(
        3_000_001,
        9_000_001,
        0,
        15_000_001,
        10_000_000,
        10_000_000,
        2_000_000,
        100_000,
        100_000,
        39_999,
        2,
        1,
    )
    assert _claim_capital(cast, emc, chef) == (3_000_001, 9_000_001, 60_001)
    assert_reverts(
        cast,
        lambda: cast.as_(chef).emc(emc.address).claim_capital(),
        errors.EmcNothingToClaim,
        {"account": chef.address},
    )

    assert _claim(cast, emc, chef) == 100_000
    assert _claim(cast, emc, cast.owner) == 700_000
    assert emc.position(me1.address) == Position(0, 0, 0, 0)
    assert_reverts(
        cast,
        lambda: cast.as_(me1).emc(emc.address).claim(),
        errors.EmcNothingToClaim,
        {"account": me1.address},
    )
    emc.withdraw_dev_fund(me1.address, 100_000, PURPOSE)
    assert cast.ledger.dev_fund(emc) == Position(0, 0, 100_000, 0)
    assert emc.totals().paid == 900_000
    assert cast.balance(emc.address) == 0


def test_a_dissolving_loss_that_wipes_the_capital_out_still_repays_who_bore_it(
    cast: Cast,
) -> None:
    """ME 1 invests 4,000,000 in the base EMC; an attested loss of 10,000,000 (the threshold)
    takes it all (6,000,000 uncovered), so its era-0 units are worth nothing when the EMC
    dissolves. They bore 4,000,000 (the index reaches 2**128 exactly), so the released pool
    (1,000 * 1,000,000 / 10,000 = 100,000) is owed to ME 1: min(100,000, 4,000,000) = 100,000,
    and the fund keeps only its own 100,000 of credit. ME 1 claims once: capital 0, units 0,
    pool 100,000 (the last, and only, investor to claim)."""
    me1 = cast.mes[1]
    emc = cast.emc()
    _invest(cast, emc, me1, 4_000_000)
    result = _settle(cast, emc, _loss(BASE_TERMS.loss_threshold))
    assert _loss_absorbed(emc, result) == (2, 10_000_000, 4_000_000, 10_000_000)
    assert emc.event(result, LossAbsorbed).new_era
    assert _dissolved(emc, result) == (2, 10_000_000, 10_000_000, 0, 100_000, 100_000, 0, 4_000_000)
    assert emc.capital_totals() == CapitalTotals(
        0, 0, 1, 4_000_000, 10_000_000, 4_000_000, 0, 100_000, 100_000, 0, 1, 0
    )
    assert cast.ledger.dev_fund(emc) == Position(100_000, 0, 0, 0)
    assert emc.capital_of(me1.address) == CapitalHolding(0, 0, 4_000_000, 4_000_000, 100_000)
    assert _claim_capital(cast, emc, me1) == (0, 0, 100_000)
    assert emc.capital_of(me1.address) == CapitalHolding(0, 0, 4_000_000, 4_000_000, 0, True)
    assert_reverts(
        cast,
        lambda: cast.as_(me1).emc(emc.address).claim_capital(),
        errors.EmcNothingToClaim,
        {"account": me1.address},
    )
