"""The Smart Cooking EMC of the source article, end to end, with every amount in fen.

Terms (set by the platform): 20,000 users and 10,000,000.00 RMB ecosystem revenue,
600,000.00 RMB value-added sharing space, partner shares bounded to 2-6% (200-600 bps).
Each version is proposed by the owner and signed by every wallet it names before it
takes effect (the development fund names none).

Version 1 (basis points of each period's profit; total 10,000):
  partners      platform 200, chef 600, food processor 500, duck farm 300   (1,600)
  value-added   chef 200 (also registered as a node), owner 30, R&D MEs 1-3 60 each,
                marketing MEs 4-6 30 each, MEs 7-10 25 each                  (600)
  dev fund      900
  operating     owner (ME 0) takes the remainder, 6,900
Version 2 (renegotiated after month 1: marketing and sales share more):
  partners unchanged; value-added chef 300, owner 30, R&D 20 each, marketing 50 each,
  MEs 7-10 15 each (600); dev fund 900; operating owner 6,500 and ME 4 (sales lead) 400.

Month 1: 12,000 users, 6,000,000.00 RMB revenue, profit P1 = 1,000,000.07 RMB = 100,000,007 fen.
Month 2: 8,000 users, 4,000,000.00 RMB revenue (target reached exactly),
         profit P2 = 1,263,533.29 RMB = 126,353,329 fen.

Hand arithmetic (credit is bps * profit in 1/10,000 fen; whole fen are paid, the
remainder stays with the account):
  chef, partner:      600*P1 + 600*P2 = 60,000,004,200 + 75,811,997,400 = 135,812,001,600
                      -> 13,581,200 fen, dust 1,600
  chef, value-added:  200*P1 + 300*P2 = 20,000,001,400 + 37,905,998,700 =  57,906,000,100
                      -> 5,790,600 fen = 57,906.00 RMB (the article's figure), dust 100
  chef, paid:         13,581,200 + 5,790,600 + (1,600 + 100) // 10,000 = 19,371,800
  ME 1 after month 1: locked 60*P1 = 6,000,000,420 -> 600,000 fen locked, dust 420
"""

from __future__ import annotations

from collections import Counter

from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain.events import DevFundWithdrawn, TargetReached, VersionActivated
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcTerms,
    PeriodReport,
    Position,
    ShareClass,
    ShareEntry,
    Totals,
    VersionStatus,
)
from tests.contracts.helpers import BPS, TERMS_REASON, Cast, Credit, accrue

TERMS = EmcTerms(
    target_users=20_000,
    target_revenue=10_000_000_00,
    sharing_space=600_000_00,
    loss_threshold=1_000_000_00,
    metadata=keccak(text="smart-cooking"),
    partner_min_bps=200,
    partner_max_bps=600,
)
P1 = 100_000_007
P2 = 126_353_329
MONTH_1 = PeriodReport(12_000, 12_000, 6_000_000_00, 6_000_000_00 - P1, P1, keccak(text="2020-08"))
MONTH_2 = PeriodReport(8_000, 20_000, 4_000_000_00, 4_000_000_00 - P2, P2, keccak(text="2020-09"))
DEV_FUND_GRANT = 15_000_000  # 150,000.00 RMB for a test kitchen

# Everything each account is paid in the end, by hand from the table in the docstring:
# floor((free credit + value-added credit) / 10,000) once the target is reached.
EXPECTED_PAID = {
    "platform": 4_527_066,  # 200*(P1+P2) = 45,270,667,200
    "chef": 19_371_800,
    "food_processor": 11_317_666,  # 500*(P1+P2) = 113,176,668,000
    "duck_farm": 6_790_600,  # 300*(P1+P2) = 67,906,000,800
    "me0": 151_808_728,  # (6,900+30)*P1 + (6,500+30)*P2 = 1,518,087,286,880
    "me1": 852_706,  # 60*P1 + 20*P2 = 8,527,067,000
    "me2": 852_706,
    "me3": 852_706,
    "me4": 5_985_899,  # 30*P1 + (400+50)*P2 = 59,858,998,260
    "me5": 931_766,  # 30*P1 + 50*P2 = 9,317,666,660
    "me6": 931_766,
    "me7": 439_530,  # 25*P1 + 15*P2 = 4,395,300,110
    "me8": 439_530,
    "me9": 439_530,
    "me10": 439_530,
}
DEV_FUND_TOTAL = 20_371_800  # 900*(P1+P2) = 203,718,002,400, dust 2,400
# Sum of every account's remainder, in 1/10,000 fen: what the pool keeps, 7 whole fen.
TOTAL_DUST = 70_000


def _versions(cast: Cast) -> tuple[list[ShareEntry], list[ShareEntry]]:
    p, m = cast.partners, cast.mes

    def partners() -> list[ShareEntry]:
        return [
            ShareEntry(p["platform"].address, ShareClass.PARTNER, 200),
            ShareEntry(p["chef"].address, ShareClass.PARTNER, 600),
            ShareEntry(p["food_processor"].address, ShareClass.PARTNER, 500),
            ShareEntry(p["duck_farm"].address, ShareClass.PARTNER, 300),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 900),
        ]

    def value_added(chef: int, owner: int, rnd: int, marketing: int, rest: int) -> list[ShareEntry]:
        bps = [owner, rnd, rnd, rnd, marketing, marketing, marketing, rest, rest, rest, rest]
        return [ShareEntry(p["chef"].address, ShareClass.VALUE_ADDED, chef)] + [
            ShareEntry(me.address, ShareClass.VALUE_ADDED, b) for me, b in zip(m, bps, strict=True)
        ]

    v1 = [
        *partners(),
        *value_added(200, 30, 60, 30, 25),
        ShareEntry(m[0].address, ShareClass.OPERATING, 6_900),
    ]
    v2 = [
        *partners(),
        *value_added(300, 30, 20, 50, 15),
        ShareEntry(m[0].address, ShareClass.OPERATING, 6_500),
        ShareEntry(m[4].address, ShareClass.OPERATING, 400),
    ]
    return v1, v2


def _named(cast: Cast) -> dict[str, ChecksumAddress]:
    names = {name: acct.address for name, acct in cast.partners.items()}
    names.update({f"me{i}": me.address for i, me in enumerate(cast.mes)})
    return names


def test_smart_cooking_pays_every_member_exactly_when_target_reached_in_month_2(cast: Cast) -> None:
    ledger = cast.ledger
    owner_ledger = cast.as_(cast.owner)
    v1, v2 = _versions(cast)
    assert sum(e.bps for e in v1) == sum(e.bps for e in v2) == BPS
    names = _named(cast)
    balances_before = {name: cast.balance(address) for name, address in names.items()}

    emc_address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, TERMS, TERMS_REASON
    )
    emc = owner_ledger.emc(emc_address)
    assert emc.terms() == TERMS
    assert emc.owner() == cast.owner.address
    cast.mint(cast.owner.address, P1 + P2)

    # -- version 1, signed by its 15 parties, and month 1 ---------------------------------
    parties = sorted(set(names.values()), key=lambda a: int(a, 16))
    assert len(parties) == 15
    v1_id, result = cast.agree(emc_address, v1, keccak(text="agreement v1"))
    assert emc.event(result, VersionActivated).party_count == 15
    assert emc.signers(v1_id) == parties
    assert emc.version(v1_id).party_count == 15
    period, result = owner_ledger.settle(emc, MONTH_1)
    assert period == 1
    assert emc.events(result, TargetReached) == []

    credits: dict[ChecksumAddress, Credit] = {}
    accrue(credits, v1, P1)
    chef = cast.chef.address
    assert emc.position(chef) == Position(6_000_000, 2_000_000, 0, 5_600)
    assert emc.position(cast.mes[1].address) == Position(0, 600_000, 0, 420)
    # Owner: operating 6,900*P1 = 690,000,048,300 and value-added 30*P1 = 3,000,000,210.
    assert emc.position(cast.owner.address) == Position(69_000_004, 300_000, 0, 8_510)
    assert ledger.dev_fund(emc) == Position(9_000_000, 0, 0, 6_300)
    for address, credit in credits.items():
        assert emc.position(address) == credit.expected(False, 0), address

    # Paid in month 1: everything payable; value-added credit stays locked.
    month_1_paid = {}
    for name in ("platform", "chef", "food_processor", "duck_farm", "me0"):
        account = cast.partners.get(name) or cast.mes[0]
        amount, _ = cast.as_(account).emc(emc_address).claim()
        month_1_paid[name] = amount
    assert month_1_paid == {
        "platform": 2_000_000,
        "chef": 6_000_000,
        "food_processor": 5_000_000,
        "duck_farm": 3_000_000,
        "me0": 69_000_004,
    }
    assert emc.position(chef) == Position(0, 2_000_000, 6_000_000, 5_600)

    # -- version 2, renegotiated --------------------------------------------------------
    v2_id, result = cast.agree(emc_address, v2, keccak(text="agreement v2"))
    activated = emc.event(result, VersionActivated)
    assert (
        activated.version_id,
        activated.epoch,
        activated.from_period,
        activated.previous_id,
        activated.party_count,
    ) == (2, 1, 2, 1, len(parties))
    assert emc.signers(v2_id) == parties
    assert emc.version(v1_id).status is VersionStatus.SUPERSEDED
    assert emc.version(v2_id).status is VersionStatus.ACTIVE
    assert emc.version(v1_id).document_hash == keccak(text="agreement v1")
    assert Counter(emc.version_entries(v1_id)) == Counter(v1)
    assert Counter(emc.version_entries(v2_id)) == Counter(v2)
    # Read back in the canonical order the parties signed.
    assert emc.version_entries(v2_id) == sorted(v2, key=lambda e: e.sort_key)
    assert emc.shares_of(v2_id, cast.mes[4].address) == {
        ShareClass.OPERATING: 400,
        ShareClass.VALUE_ADDED: 50,
    }

    # -- month 2 reaches the target -----------------------------------------------------
    period, result = owner_ledger.settle(emc, MONTH_2)
    assert period == 2
    reached = emc.event(result, TargetReached)
    assert (reached.period, reached.users, reached.revenue) == (2, 20_000, 10_000_000_00)
    accrue(credits, v2, P2)
    paid_by_address = {names[name]: amount for name, amount in month_1_paid.items()}
    for address, credit in credits.items():
        assert emc.position(address) == credit.expected(True, paid_by_address.get(address, 0))

    # -- everyone claims; the dev fund pays the test kitchen ----------------------------
    for name in names:
        account = cast.partners.get(name) or cast.mes[int(name[2:])]
        amount, _ = cast.as_(account).emc(emc_address).claim()
        assert amount == EXPECTED_PAID[name] - month_1_paid.get(name, 0), name
    purpose = keccak(text="test kitchen")
    result = emc.withdraw_dev_fund(cast.mes[1].address, DEV_FUND_GRANT, purpose)
    withdrawn = emc.event(result, DevFundWithdrawn)
    assert (withdrawn.to, withdrawn.amount, withdrawn.purpose, withdrawn.remaining) == (
        cast.mes[1].address,
        DEV_FUND_GRANT,
        purpose,
        DEV_FUND_TOTAL - DEV_FUND_GRANT,
    )

    # The chef's value-added share is the article's 57,906.00 RMB.
    chef_partner_fen = (600 * P1 + 600 * P2) // BPS
    assert emc.position(chef).paid - chef_partner_fen == 57_906_00

    positions = {name: emc.position(address) for name, address in names.items()}
    assert {name: p.paid for name, p in positions.items()} == EXPECTED_PAID
    assert all(p.claimable == 0 and p.locked == 0 for p in positions.values())
    fund = ledger.dev_fund(emc)
    assert fund == Position(DEV_FUND_TOTAL - DEV_FUND_GRANT, 0, DEV_FUND_GRANT, 2_400)
    assert sum(p.dust for p in positions.values()) + fund.dust == TOTAL_DUST

    total_paid = sum(EXPECTED_PAID.values()) + DEV_FUND_GRANT
    assert emc.totals() == Totals(
        periods=2,
        users=20_000,
        revenue=10_000_000_00,
        profit=P1 + P2,
        paid=total_paid,
        dev_fund_withdrawn=DEV_FUND_GRANT,
        target_reached=True,
    )
    # The EMC holds what it still owes (the rest of the fund) plus the pooled dust, in whole fen.
    assert (
        cast.balance(emc_address)
        == P1 + P2 - total_paid
        == fund.claimable + TOTAL_DUST // BPS
        == 5_371_807
    )
    # Each holder gained its payouts (ME 1 also the grant); the owner deposited exactly the
    # P1 + P2 the treasury minted it for the two months.
    gained = {
        name: cast.balance(address) - balances_before[name] for name, address in names.items()
    }
    expected_gain = dict(EXPECTED_PAID)
    expected_gain["me1"] += DEV_FUND_GRANT
    assert gained == expected_gain
