"""An EMC's whole life on chain, from bids to investment, and a second EMC that dissolves.

Smart Cooking (DOMAIN.md, with the terms and months of ``test_smart_cooking``):
  bids      14 MEs bid in a sealed round for the value-added places; the owner invites 11
            (itself among them) and each invited ask becomes its value-added share:
            owner 30, R&D MEs 1-3 80 each, marketing MEs 4-6 50 each, MEs 7-10 45 each
            (600 bps, the 6% pool). Three MEs asking 100-120 bps are not invited.
  version 1 partners platform 200, chef 600, food processor 500, duck farm 300 (2-6% each),
            the pool above, dev fund 900, the owner's operating share 6,900.
  month 1   P1 = 100,000,007 fen under version 1 (R&D weighted).
  round 2   the three MEs left out bid again for operating places of 100 bps; all invited.
  version 2 renegotiated towards marketing: R&D 40 each, marketing 90 each, MEs 7-10 45 each,
            owner 30 (600); the owner's operating share 6,600; the three new MEs 100 each.
            All 18 members sign it.
  month 2   P2 = 126,353,329 fen reaches the target: the pool unlocks and is claimed.
  capital   the 18 members invest 2,100,000.00 RMB together (1 unit per fen: no loss yet).

Balcony, a second EMC (target 500 users, 1M RMB; loss threshold 100,000.00 RMB):
  version 1 owner (ME 4) operating 8,500, ME 5 value-added 500, platform 500, dev fund 500.
  month 1   profit 2,000,000 fen; 100 users, so the target is not reached.
  capital   ME 4 9,000,000 fen, ME 5 4,500,000, platform 1,500,000 (15,000,000; 60/30/10%).
  month 2   loss 4,000,000 (cost 5,000,000, revenue 1,000,000), attested by the auditor (it
            draws on the capital): the capital pays it to the owner, who bore the costs;
            11,000,000 left.
  month 3   loss 6,000,000, attested: losses reach 10,000,000 = the threshold and Balcony
            dissolves with capital 5,000,000. The forfeited pool, 500 * 2,000,000 / 10,000
            = 100,000, is owed to the investors (min(100,000, 10,000,000 covered)) in
            proportion to the losses they bore: the index rose by floor(4/15 * 2**128) and
            floor(6/15 * 2**128), so ME 4 bore 9,000,000 * 2/3 - ε -> 5,999,999, ME 5
            2,999,999, the platform 999,999.
  returns   ME 4 capital 9,000,000 * 5,000,000 / 15,000,000 = 3,000,000, pool
            100,000 * 5,999,999 // 10,000,000 = 59,999; then ME 5 4,500,000 * 2,000,000 /
            6,000,000 = 1,500,000 and 29,999; then the platform, last, the rest: 500,000 and
            100,000 - 59,999 - 29,999 = 10,002 (9,999 pro rata, plus the remainders).
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.bids import SealedBid
from rdh_chain.contracts import EmcClient
from rdh_chain.events import (
    CapitalReturned,
    EmcDissolved,
    LossAbsorbed,
    TargetReached,
    VersionActivated,
)
from rdh_chain.types import (
    ZERO_ADDRESS,
    BidOutcome,
    CapitalHolding,
    CapitalTotals,
    EmcStatus,
    EmcTerms,
    PeriodReport,
    Position,
    Role,
    ShareClass,
    ShareEntry,
)
from tests.contracts.helpers import (
    BPS,
    TERMS_REASON,
    Cast,
    Credit,
    accrue,
    assert_reverts,
    attest,
    increase_time,
    latest_timestamp,
    new_account,
)
from tests.contracts.test_smart_cooking import MONTH_1, MONTH_2, P1, P2, TERMS

YUAN = 100
WINDOW = 1_000  # seconds to commit, then to reveal
POOL_V1 = [30, 80, 80, 80, 50, 50, 50, 45, 45, 45, 45]  # value-added asks of MEs 0-10
POOL_V2 = [30, 40, 40, 40, 90, 90, 90, 45, 45, 45, 45]
EXTRA_ASKS = [120, 110, 100]  # the three MEs not invited in round 1
PARTNER_BPS = {"platform": 200, "chef": 600, "food_processor": 500, "duck_farm": 300}
# 2,100,000.00 RMB from 18 members: owner 400,000, MEs 1-10 100,000 each, the three new
# MEs 50,000 each, partners 250,000 + 150,000 + 100,000 + 50,000.
INVESTED_RMB = {"owner": 400_000, "me": 100_000, "extra": 50_000}
PARTNER_INVESTED_RMB = {
    "platform": 250_000,
    "chef": 150_000,
    "food_processor": 100_000,
    "duck_farm": 50_000,
}


def _bid_round(
    cast: Cast, emc: EmcClient, asks: dict[ChecksumAddress, int], invited: list[ChecksumAddress]
) -> int:
    """Open a round, let every bidder commit then reveal its ask, and invite ``invited``."""
    now = latest_timestamp(cast.w3)
    round_id, _ = emc.open_bid_round(now + WINDOW, now + 2 * WINDOW, keccak(text="places"))
    wallets = {w.address: w for w in cast.wallets}
    sealed = {}
    for bidder, ask in asks.items():
        users = 20_000 * ask // 600
        sealed[bidder] = SealedBid.seal(
            emc.address, round_id, bidder, users, users * 500 * YUAN, ask, keccak(text=bidder)
        )
        cast.as_(wallets[bidder]).emc(emc.address).commit_bid(round_id, sealed[bidder].commitment)
    # Commits mined a second each; one more second past each deadline opens the next step.
    increase_time(cast.w3, now + WINDOW + 1 - latest_timestamp(cast.w3))
    for bidder, bid in sealed.items():
        cast.as_(wallets[bidder]).emc(emc.address).reveal_bid(
            round_id, bid.users, bid.revenue, bid.ask_bps, bid.proposal_hash, bid.salt
        )
    increase_time(cast.w3, now + 2 * WINDOW + 1 - latest_timestamp(cast.w3))
    emc.invite_bids(round_id, invited)
    return round_id


def _register_extra_mes(cast: Cast) -> list[LocalAccount]:
    extra = [new_account() for _ in EXTRA_ASKS]
    registry = cast.as_(cast.admin).registry
    for me in extra:
        registry.add_member(me.address, Role.ME)
    cast.mes.extend(extra)  # so that cast.wallets (and cast.agree) see them
    return extra


def _version(
    cast: Cast, pool: list[int], operating: dict[ChecksumAddress, int]
) -> list[ShareEntry]:
    entries = [
        ShareEntry(cast.partners[name].address, ShareClass.PARTNER, bps)
        for name, bps in PARTNER_BPS.items()
    ]
    entries += [
        ShareEntry(me.address, ShareClass.VALUE_ADDED, bps)
        for me, bps in zip(cast.mes[:11], pool, strict=True)
    ]
    entries += [ShareEntry(a, ShareClass.OPERATING, bps) for a, bps in operating.items()]
    entries.append(ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 900))
    assert sum(e.bps for e in entries) == BPS
    return entries


def test_smart_cooking_bids_agreements_target_pool_and_investment(cast: Cast) -> None:
    mes = list(cast.mes)
    extra = _register_extra_mes(cast)
    try:
        _smart_cooking(cast, mes, extra)
    finally:
        del cast.mes[len(mes) :]


def _smart_cooking(cast: Cast, mes: list[LocalAccount], extra: list[LocalAccount]) -> None:
    owner = cast.as_(cast.owner)
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, TERMS, TERMS_REASON
    )
    emc = owner.emc(address)

    # -- round 1: 14 bids, 11 invited; the invited asks make the value-added pool --------
    asks = {me.address: ask for me, ask in zip(mes, POOL_V1, strict=True)}
    asks |= {me.address: ask for me, ask in zip(extra, EXTRA_ASKS, strict=True)}
    round_1 = _bid_round(cast, emc, asks, [me.address for me in mes])
    header = emc.round(round_1)
    assert (header.bidder_count, header.revealed_count, header.invited_count) == (14, 14, 11)
    outcomes = {b: emc.bid(round_1, b).outcome for b in emc.bidders(round_1)}
    assert sorted(outcomes.values()) == [BidOutcome.INVITED] * 11 + [BidOutcome.NOT_INVITED] * 3
    invited_asks = [emc.bid(round_1, me.address).ask_bps for me in mes]
    assert invited_asks == POOL_V1

    v1 = _version(cast, invited_asks, {cast.owner.address: 6_900})
    cast.mint(cast.owner.address, P1 + P2)
    cast.agree(address, v1, keccak(text="agreement v1"))
    owner.settle(emc, MONTH_1)
    credits: dict[ChecksumAddress, Credit] = {}
    accrue(credits, v1, P1)

    # -- round 2 brings the three MEs in; version 2 weighs marketing; month 2 -----------
    round_2 = _bid_round(cast, emc, {me.address: 100 for me in extra}, [me.address for me in extra])
    new_operating = {me.address: emc.bid(round_2, me.address).ask_bps for me in extra}
    v2 = _version(cast, POOL_V2, {cast.owner.address: 6_600} | new_operating)
    v2_id, result = cast.agree(address, v2, keccak(text="agreement v2 (marketing weighted)"))
    assert emc.event(result, VersionActivated).party_count == 18
    assert emc.version(v2_id).value_added_bps == 600
    _, result = owner.settle(emc, MONTH_2)
    assert emc.event(result, TargetReached).period == 2
    accrue(credits, v2, P2)

    # -- everyone claims: partner shares, operating shares and the unlocked pool ---------
    wallets = {w.address: w for w in cast.wallets}
    for account in credits.keys() - {ZERO_ADDRESS}:
        cast.as_(wallets[account]).emc(address).claim()
    for account, credit in credits.items():
        paid = 0 if account == ZERO_ADDRESS else credit.entitlement
        assert emc.position(account) == credit.expected(True, paid), account
    # R&D ME 1's pool: 80 * P1 + 40 * P2 = 13,054,133,720 -> 1,305,413 fen, dust 3,720.
    assert emc.position(mes[1].address) == Position(0, 0, 1_305_413, 3_720)
    # The chef now has a partner share only: 600 * (P1 + P2) = 135,812,001,600.
    assert emc.position(cast.chef.address).paid == 13_581_200

    # -- 18 members invest 2,100,000.00 RMB together ------------------------------------
    amounts = {cast.owner.address: INVESTED_RMB["owner"] * YUAN}
    amounts |= {me.address: INVESTED_RMB["me"] * YUAN for me in mes[1:]}
    amounts |= {me.address: INVESTED_RMB["extra"] * YUAN for me in extra}
    amounts |= {
        cast.partners[name].address: rmb * YUAN for name, rmb in PARTNER_INVESTED_RMB.items()
    }
    assert len(amounts) == 18
    assert sum(amounts.values()) == 2_100_000 * YUAN
    for account, amount in amounts.items():
        cast.mint(account, amount)
        investor = cast.as_(wallets[account])
        investor.token.approve(address, amount)
        units, _ = investor.emc(address).invest(amount)
        assert units == amount  # nothing lost yet: a unit is worth one fen
    assert emc.capital_totals() == CapitalTotals(
        capital=210_000_000,
        total_units=210_000_000,
        era=0,
        invested=210_000_000,
        losses=0,
        losses_covered=0,
        returned=0,
        pool_released=0,
        pool_to_investors=0,
        pool_paid=0,
        investors=18,
        claims=0,
    )
    assert emc.capital_of(cast.owner.address) == CapitalHolding(40_000_000, 40_000_000, 40_000_000)
    paid = sum(credit.entitlement for a, credit in credits.items() if a != ZERO_ADDRESS)
    assert cast.balance(address) == P1 + P2 + 210_000_000 - paid
    assert emc.status() == EmcStatus.ACTIVE


BALCONY = EmcTerms(
    target_users=500,
    target_revenue=1_000_000 * YUAN,
    sharing_space=50_000 * YUAN,
    loss_threshold=100_000 * YUAN,
)


def test_balcony_dissolves_at_its_loss_threshold_and_returns_capital_pro_rata(cast: Cast) -> None:
    owner_wallet, me5, platform = cast.mes[4], cast.mes[5], cast.partners["platform"]
    owner = cast.as_(owner_wallet)
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        owner_wallet.address, BALCONY, TERMS_REASON
    )
    emc = owner.emc(address)
    owner.agree(
        emc,
        [
            ShareEntry(owner_wallet.address, ShareClass.OPERATING, 8_500),
            ShareEntry(me5.address, ShareClass.VALUE_ADDED, 500),
            ShareEntry(platform.address, ShareClass.PARTNER, 500),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 500),
        ],
        cast.wallets,
    )
    cast.mint(owner_wallet.address, 2_000_000)
    owner.settle(emc, PeriodReport(100, 100, 5_000_000, 3_000_000, 2_000_000))

    invested = {owner_wallet: 9_000_000, me5: 4_500_000, platform: 1_500_000}
    for wallet, amount in invested.items():
        cast.mint(wallet.address, amount)
        cast.as_(wallet).token.approve(address, amount)
        cast.as_(wallet).emc(address).invest(amount)
    owner_before = cast.balance(owner_wallet.address)

    first_loss = PeriodReport(10, 10, 1_000_000, 5_000_000, 0)
    _, result = owner.settle(emc, first_loss, attest(cast, emc, first_loss))
    assert emc.settlement(result).auditor == cast.auditor.address
    absorbed = emc.event(result, LossAbsorbed)
    assert (absorbed.loss, absorbed.covered, absorbed.cumulative_losses) == (
        4_000_000,
        4_000_000,
        4_000_000,
    )
    assert emc.status() == EmcStatus.ACTIVE
    # ME 5's value-added credit is still locked: 500 * 2,000,000 = 10**9 -> 100,000 fen.
    assert emc.position(me5.address) == Position(0, 100_000, 0, 0)

    # Unattested, a loss drawn on the capital is refused.
    second_loss = PeriodReport(0, 0, 0, 6_000_000, 0)
    assert_reverts(
        cast,
        lambda: owner.settle(emc, second_loss),
        errors.EmcAttestationRequired,
        {"loss": 6_000_000, "capital": 11_000_000},
    )
    _, result = owner.settle(emc, second_loss, attest(cast, emc, second_loss))
    dissolved = emc.event(result, EmcDissolved)
    assert dissolved.as_dict() == {
        "period": 3,
        "losses": 10_000_000,
        "threshold": 10_000_000,
        "capital": 5_000_000,
        "pool_released": 100_000,
        "pool_to_investors": 100_000,
        "pool_to_dev_fund": 0,
        "losses_covered": 10_000_000,
    }
    assert emc.status() == EmcStatus.DISSOLVED
    # The owner bore the costs; the capital paid it both losses.
    assert cast.balance(owner_wallet.address) - owner_before == 10_000_000

    # Nothing new is accepted; the pool was never earned, so ME 5 has nothing to claim.
    wrong = {"actual": EmcStatus.DISSOLVED, "expected": EmcStatus.ACTIVE}
    assert_reverts(
        cast, lambda: emc.settle(PeriodReport(1, 1, 1, 0, 1)), errors.EmcWrongStatus, wrong
    )
    assert_reverts(cast, lambda: cast.as_(me5).emc(address).invest(1), errors.EmcWrongStatus, wrong)
    assert emc.position(me5.address) == Position(0, 0, 0, 0)
    assert_reverts(
        cast, cast.as_(me5).emc(address).claim, errors.EmcNothingToClaim, {"account": me5.address}
    )

    # Capital comes back pro rata to units, the pool pro rata to the losses borne; the last
    # investor to claim takes the remainders.
    assert [emc.capital_of(w.address).loss_borne for w in invested] == [
        5_999_999,
        2_999_999,
        999_999,
    ]
    returned = {}
    for wallet in (owner_wallet, me5, platform):
        _, result = cast.as_(wallet).emc(address).claim_capital()
        args = emc.event(result, CapitalReturned)
        returned[wallet.address] = (args.amount, args.pool_share)
    assert returned == {
        owner_wallet.address: (3_000_000, 59_999),
        me5.address: (1_500_000, 29_999),
        platform.address: (500_000, 10_002),
    }
    # Earned credit stays claimable: operating 8,500 and partner 500 of 2,000,000; the fund
    # keeps its 500 bps (100,000) and the owner withdraws it for a purpose.
    assert cast.as_(owner_wallet).emc(address).claim()[0] == 1_700_000
    assert cast.as_(platform).emc(address).claim()[0] == 100_000
    emc.withdraw_dev_fund(owner_wallet.address, 100_000, keccak(text="wind-up costs"))
    assert emc.capital_totals() == CapitalTotals(
        capital=0,
        total_units=0,
        era=0,
        invested=15_000_000,
        losses=10_000_000,
        losses_covered=10_000_000,
        returned=5_000_000,
        pool_released=100_000,
        pool_to_investors=100_000,
        pool_paid=100_000,
        investors=3,
        claims=3,
    )
    # deposited 2,000,000 + invested 15,000,000 - covered 10,000,000 - returned 5,000,000
    # - pool 100,000 - claims 1,800,000 - fund 100,000 = 0: the dissolved EMC holds nothing.
    assert cast.balance(address) == 0
