"""Departures: the owner terminates a member, or a member resigns, with notice.

A notice given after period ``n`` with ``k`` periods runs out once period ``n + k`` is
settled. Until then no new version may leave the member out (one may still name it, and it
must sign that one); after that the owner proposes one without it, which the remaining
parties sign, and no version may name it again. The member keeps earning its share until
such a version is activated, and what it earned stays claimable. Notice is 1 to the terms'
``max_notice_periods``; a member gives notice once, and the owner may only shorten a running
notice. A member that was suspended (or lost the role its share needs) may be left out at
once, without notice, and keeps what it earned.

Credit is bps * profit in 1/10,000 fen; whole fen are payable, the remainder is dust.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.contracts import EmcClient
from rdh_chain.events import DepartureNoticed, VersionActivated
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    Departure,
    EmcTerms,
    PeriodReport,
    Position,
    ShareClass,
    ShareEntry,
)
from tests.contracts.helpers import TERMS_REASON, Cast, assert_reverts

TERMS = EmcTerms(
    target_users=10**9, target_revenue=10**15, sharing_space=1_000_000, loss_threshold=10**12
)
REASON = keccak(text="missed three deliveries")


def _new_emc(cast: Cast, entries: list[ShareEntry], terms: EmcTerms = TERMS) -> EmcClient:
    """A fresh EMC owned by ``cast.owner`` with ``entries`` signed and active."""
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, terms, TERMS_REASON
    )
    cast.agree(address, entries)
    return cast.emc(address)


def _settle(cast: Cast, emc: EmcClient, profit: int) -> int:
    period, _ = cast.as_(cast.owner).settle(emc, PeriodReport(1, 1, profit, 0, profit))
    return period


def _activate(cast: Cast, emc: EmcClient, version_id: int) -> TxResult:
    """Activate ``version_id`` with the signatures of exactly the parties it names."""
    return emc.activate_version(version_id, cast.sign(emc, version_id))


def _noticed(emc: EmcClient, result: TxResult) -> tuple[str, str, int, bytes]:
    args = emc.event(result, DepartureNoticed)
    return args.account, args.by, args.effective_period, bytes(args.reason_hash)


def _timestamp(cast: Cast, result: TxResult) -> int:
    return int(cast.w3.eth.get_block(result.block_number)["timestamp"])


def _claim(cast: Cast, emc: EmcClient, account: LocalAccount) -> int:
    before = cast.balance(account.address)
    amount, _ = cast.as_(account).emc(emc.address).claim()
    assert cast.balance(account.address) == before + amount
    return amount


def test_a_terminated_partner_earns_through_its_notice_and_keeps_its_credit(cast: Cast) -> None:
    """V1: chef partner 1,500, duck farm partner 500, owner operating 6,000, ME 1 value-added
    1,000, fund 1,000. V2 (once the duck farm's notice ran out): chef 2,000, the rest as V1.

    Period 1 profit Q1 = 400,001; the owner gives the duck farm 2 periods' notice: effective
    after period 1 + 2 = 3. Period 2 Q2 = 250,003: duck farm 500 * 650,004 = 325,002,000 ->
    claims 32,500. Period 3 Q3 = 123,457 (notice runs out); V2 is proposed; period 4
    Q4 = 99,998 is still settled under V1; V2 is activated; period 5 Q5 = 500,000 under V2.
    Duck farm: 500 * (Q1 + Q2 + Q3 + Q4) = 500 * 873,459 = 436,729,500 -> 43,672, dust 9,500.
    Chef: 1,500 * 873,459 + 2,000 * Q5 = 2,310,188,500 -> 231,018, dust 8,500.
    """
    duck, chef = cast.partners["duck_farm"], cast.chef
    rest = [
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 6_000),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    emc = _new_emc(
        cast,
        [
            ShareEntry(chef.address, ShareClass.PARTNER, 1_500),
            ShareEntry(duck.address, ShareClass.PARTNER, 500),
            *rest,
        ],
    )
    v2 = [ShareEntry(chef.address, ShareClass.PARTNER, 2_000), *rest]
    _settle(cast, emc, 400_001)

    result = emc.terminate(duck.address, 2, REASON)
    assert _noticed(emc, result) == (duck.address, cast.owner.address, 3, REASON)
    notice = emc.departure_of(duck.address)
    assert notice == Departure(3, _timestamp(cast, result), True, REASON)

    _settle(cast, emc, 250_003)
    assert emc.position(duck.address) == Position(32_500, 0, 0, 2_000)
    assert _claim(cast, emc, duck) == 32_500
    assert_reverts(
        cast,
        lambda: emc.propose_version(v2),
        errors.EmcMemberLeftOut,
        {"account": duck.address, "effectivePeriod": 3},
    )

    assert _settle(cast, emc, 123_457) == 3
    v2_id, _ = emc.propose_version(v2)
    assert emc.parties(v2_id) == sorted(
        [chef.address, cast.owner.address, cast.mes[1].address], key=lambda a: int(a, 16)
    )
    assert emc.version(v2_id).party_count == 3
    # Settled before V2 takes effect: the duck farm still earns its 500 bps.
    _settle(cast, emc, 99_998)
    result = _activate(cast, emc, v2_id)
    assert emc.event(result, VersionActivated).party_count == 3
    signers = emc.signers(v2_id)
    assert signers is not None
    assert duck.address not in signers
    assert emc.active_version_id() == v2_id
    after_activation = emc.position(duck.address)
    assert after_activation == Position(11_172, 0, 32_500, 9_500)

    _settle(cast, emc, 500_000)
    assert emc.position(duck.address) == after_activation
    assert emc.position(chef.address) == Position(231_018, 0, 0, 8_500)
    assert _claim(cast, emc, duck) == 11_172
    assert emc.position(duck.address) == Position(0, 0, 43_672, 9_500)
    assert emc.departure_of(duck.address) == notice


def test_a_member_resigns_with_notice(cast: Cast) -> None:
    """V1: chef partner 1,000, owner operating 6,000, ME 2 operating 2,000, fund 1,000;
    V2 without ME 2: chef 1,000, owner operating 8,000, fund 1,000.

    Period 1 R1 = 300,007; ME 2 resigns with 1 period's notice: effective after period 2.
    Period 2 R2 = 200,004; V2 signed by the chef and the owner only; period 3 R3 = 1,000,000.
    ME 2: 2,000 * (R1 + R2) = 1,000,022,000 -> 100,002, dust 2,000.
    Owner: 6,000 * 500,011 + 8,000 * R3 = 11,000,066,000 -> 1,100,006, dust 6,000.
    """
    me2, chef = cast.mes[2], cast.chef
    emc = _new_emc(
        cast,
        [
            ShareEntry(chef.address, ShareClass.PARTNER, 1_000),
            ShareEntry(cast.owner.address, ShareClass.OPERATING, 6_000),
            ShareEntry(me2.address, ShareClass.OPERATING, 2_000),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ],
    )
    v2 = [
        ShareEntry(chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 8_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    _settle(cast, emc, 300_007)
    reason = keccak(text="moving to another EMC")
    result = cast.as_(me2).emc(emc.address).resign(1, reason)
    assert _noticed(emc, result) == (me2.address, me2.address, 2, reason)
    assert emc.departure_of(me2.address) == Departure(2, _timestamp(cast, result), False, reason)
    assert_reverts(
        cast,
        lambda: emc.propose_version(v2),
        errors.EmcMemberLeftOut,
        {"account": me2.address, "effectivePeriod": 2},
    )

    _settle(cast, emc, 200_004)
    v2_id, _ = emc.propose_version(v2)
    assert emc.version(v2_id).party_count == 2
    _activate(cast, emc, v2_id)
    _settle(cast, emc, 1_000_000)

    assert emc.position(me2.address) == Position(100_002, 0, 0, 2_000)
    assert emc.position(cast.owner.address) == Position(1_100_006, 0, 0, 6_000)
    assert _claim(cast, emc, me2) == 100_002
    assert emc.shares_of(v2_id, me2.address) == {}


def test_propose_version_leaves_a_suspended_member_out_at_once(cast: Cast) -> None:
    """V1: chef partner 1,000, duck farm partner 500, owner operating 7,500, fund 1,000.
    Period 1 S1 = 600,001; an operator suspends the duck farm. No notice is needed: V2
    (chef 1,500, owner 7,500, fund 1,000) is proposed at once, signed by the chef and the
    owner only, and period 2 (400,000) pays the duck farm nothing.
    Duck farm: 500 * S1 = 300,000,500 -> 30,000, dust 500, claimable while suspended.
    It was never given notice, so once reinstated the owner may name it again (V3, the
    entries of V1, which it must sign): period 3 (100,000) pays it 500 * 100,000
    = 50,000,000 -> 5,000.
    """
    duck, chef = cast.partners["duck_farm"], cast.chef
    v1 = [
        ShareEntry(chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(duck.address, ShareClass.PARTNER, 500),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_500),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    emc = _new_emc(cast, v1)
    _settle(cast, emc, 600_001)
    cast.as_(cast.operator2).registry.suspend(duck.address, keccak(text="audit"))

    v2 = [
        ShareEntry(chef.address, ShareClass.PARTNER, 1_500),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_500),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    v2_id, _ = emc.propose_version(v2)
    assert emc.version(v2_id).party_count == 2
    result = _activate(cast, emc, v2_id)
    assert emc.event(result, VersionActivated).from_period == 2
    _settle(cast, emc, 400_000)
    assert emc.departure_of(duck.address) == Departure(0, 0, False, bytes(32))
    assert emc.position(duck.address) == Position(30_000, 0, 0, 500)
    assert _claim(cast, emc, duck) == 30_000

    cast.as_(cast.operator2).registry.reinstate(duck.address)
    v3_id, _ = emc.propose_version(v1)
    assert emc.version(v3_id).party_count == 3
    assert duck.address in emc.parties(v3_id)
    _activate(cast, emc, v3_id)
    _settle(cast, emc, 100_000)
    assert emc.position(duck.address) == Position(5_000, 0, 30_000, 500)


def test_terminate_and_resign_revert_when_notice_exceeds_the_terms_bound(cast: Cast) -> None:
    """Terms with max_notice_periods 3: a notice of 0 or 4 periods is refused, by the owner
    and by the member alike (EmcNoticeOutOfBounds(notice, 1, 3)); 3 periods is accepted
    (effective after period 0 + 3)."""
    duck, chef = cast.partners["duck_farm"], cast.chef
    emc = _new_emc(
        cast,
        [
            ShareEntry(chef.address, ShareClass.PARTNER, 1_000),
            ShareEntry(duck.address, ShareClass.PARTNER, 500),
            ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_500),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ],
        replace(TERMS, max_notice_periods=3),
    )
    assert emc.terms().max_notice_periods == 3
    for notice in (0, 4, 2**32 - 1):
        bounds = {"noticePeriods": notice, "min": 1, "max": 3}
        assert_reverts(
            cast,
            partial(emc.terminate, duck.address, notice, REASON),
            errors.EmcNoticeOutOfBounds,
            bounds,
        )
        assert_reverts(
            cast,
            partial(cast.as_(chef).emc(emc.address).resign, notice, REASON),
            errors.EmcNoticeOutOfBounds,
            bounds,
        )
    assert emc.departure_of(duck.address) == Departure(0, 0, False, bytes(32))
    result = emc.terminate(duck.address, 3, REASON)
    assert _noticed(emc, result) == (duck.address, cast.owner.address, 3, REASON)


def test_terminate_shortens_a_longer_resignation_and_never_lengthens_it(cast: Cast) -> None:
    """V1: chef partner 1,000, duck farm partner 500, owner operating 7,500, fund 1,000;
    terms allow notice up to 6 periods.

    After period 1 (S1 = 200,000) the duck farm resigns with 6 periods' notice (effective
    after period 7). The owner terminates it with 2 (effective after period 3): the earlier
    end wins. A termination ending after period 3 or 4 is refused (EmcAlreadyDeparting, the
    notice running until period 3), and so is a second resignation, even a shorter one.
    Until period 3 is settled V2 (chef 1,500, owner 7,500, fund 1,000) cannot leave the duck
    farm out; then the chef and the owner sign it.
    Duck farm: 500 * (200,000 + 300,001 + 100,000) = 300,000,500 -> 30,000, dust 500;
    period 4 (1,000,000) under V2 pays it nothing.
    """
    duck, chef = cast.partners["duck_farm"], cast.chef
    emc = _new_emc(
        cast,
        [
            ShareEntry(chef.address, ShareClass.PARTNER, 1_000),
            ShareEntry(duck.address, ShareClass.PARTNER, 500),
            ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_500),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ],
        replace(TERMS, max_notice_periods=6),
    )
    v2 = [
        ShareEntry(chef.address, ShareClass.PARTNER, 1_500),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_500),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    _settle(cast, emc, 200_000)
    resigned = cast.as_(duck).emc(emc.address).resign(6, keccak(text="leaving"))
    assert _noticed(emc, resigned) == (duck.address, duck.address, 7, keccak(text="leaving"))

    result = emc.terminate(duck.address, 2, REASON)
    assert _noticed(emc, result) == (duck.address, cast.owner.address, 3, REASON)
    shortened = Departure(3, _timestamp(cast, result), True, REASON)
    assert emc.departure_of(duck.address) == shortened
    for notice in (2, 3):
        assert_reverts(
            cast,
            partial(emc.terminate, duck.address, notice, REASON),
            errors.EmcAlreadyDeparting,
            {"account": duck.address, "effectivePeriod": 3},
        )
    assert_reverts(
        cast,
        lambda: cast.as_(duck).emc(emc.address).resign(1, REASON),
        errors.EmcAlreadyDeparting,
        {"account": duck.address, "effectivePeriod": 3},
    )

    _settle(cast, emc, 300_001)
    assert_reverts(
        cast,
        lambda: emc.propose_version(v2),
        errors.EmcMemberLeftOut,
        {"account": duck.address, "effectivePeriod": 3},
    )
    assert _settle(cast, emc, 100_000) == 3
    v2_id, _ = emc.propose_version(v2)
    assert emc.version(v2_id).party_count == 2
    _activate(cast, emc, v2_id)
    _settle(cast, emc, 1_000_000)
    assert emc.position(duck.address) == Position(30_000, 0, 0, 500)
    assert emc.departure_of(duck.address) == shortened


def test_terminate_reverts_when_account_is_zero(cast: Cast) -> None:
    """Account zero is the development fund's entry, never a member: no notice for it."""
    assert_reverts(
        cast, lambda: cast.emc().terminate(ZERO_ADDRESS, 1, REASON), errors.EmcZeroAddress, {}
    )
    assert cast.emc().departure_of(ZERO_ADDRESS) == Departure(0, 0, False, bytes(32))


def test_resign_reverts_when_the_member_is_suspended_and_it_is_left_out_at_once(
    cast: Cast,
) -> None:
    """The chef, a party of the base EMC's version 1, is suspended: it cannot act, so it
    cannot resign (EmcCallerNotActive); the owner proposes version 3 without it at once and
    the two remaining parties (the owner, ME 1) activate it."""
    chef, emc = cast.chef, cast.emc()
    cast.as_(cast.operator2).registry.suspend(chef.address, keccak(text="audit"))
    assert_reverts(
        cast,
        lambda: cast.as_(chef).emc(emc.address).resign(1, REASON),
        errors.EmcCallerNotActive,
        {"caller": chef.address},
    )
    entries = [
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 8_000),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    v3_id, _ = emc.propose_version(entries)
    assert emc.version(v3_id).party_count == 2
    _activate(cast, emc, v3_id)
    assert emc.active_version_id() == v3_id
    assert emc.departure_of(chef.address) == Departure(0, 0, False, bytes(32))


def test_a_version_naming_a_member_whose_notice_runs_out_before_activation_is_refused(
    cast: Cast,
) -> None:
    """The duck farm resigns with one period's notice after period 1. V2, proposed during the
    notice, still names it; period 2 is settled before V2 is activated, so by then the duck
    farm has left: its signature no longer counts and activation is refused."""
    duck, chef = cast.partners["duck_farm"], cast.chef
    v1 = [
        ShareEntry(chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(duck.address, ShareClass.PARTNER, 500),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_500),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    emc = _new_emc(cast, v1)
    _settle(cast, emc, 10_000)
    cast.as_(duck).emc(emc.address).resign(1, REASON)
    v2_id, _ = emc.propose_version(v1, keccak(text="v2"))
    assert emc.version(v2_id).names_member_under_notice
    signatures = cast.sign(emc, v2_id)
    _settle(cast, emc, 10_000)
    assert_reverts(
        cast,
        lambda: emc.activate_version(v2_id, signatures),
        errors.EmcMemberDeparted,
        {"account": duck.address, "effectivePeriod": 2},
    )
    # A notice given after a proposal is caught the same way: the chef resigns once V3 is
    # proposed, and V3 cannot be activated once that notice has run out.
    v3 = [ShareEntry(chef.address, ShareClass.PARTNER, 1_500), *v1[2:]]
    v3_id, _ = emc.propose_version(v3, keccak(text="v3"))
    assert not emc.version(v3_id).names_member_under_notice
    signatures = cast.sign(emc, v3_id)
    cast.as_(chef).emc(emc.address).resign(1, REASON)
    _settle(cast, emc, 10_000)
    assert_reverts(
        cast,
        lambda: emc.activate_version(v3_id, signatures),
        errors.EmcMemberDeparted,
        {"account": chef.address, "effectivePeriod": 3},
    )


def test_a_member_under_notice_may_still_be_named_and_must_sign(cast: Cast) -> None:
    """V1: chef partner 1,000, duck farm partner 500, owner operating 7,500, fund 1,000.
    Period 1 T1 = 200,002; the owner gives the duck farm 3 periods' notice (effective after
    period 4). V2 names it at 300 (chef 1,200): three parties, so the duck farm must sign.
    Periods 2-4: 300,003 + 100,001 + 50,000 = 450,004 under V2; then V3 leaves it out
    (chef 1,500) and period 5 (1,000,000) pays it nothing.
    Duck farm: 500 * T1 + 300 * 450,004 = 100,001,000 + 135,001,200 = 235,002,200
    -> 23,500, dust 2,200.
    """
    duck, chef, owner = cast.partners["duck_farm"], cast.chef, cast.owner
    emc = _new_emc(
        cast,
        [
            ShareEntry(chef.address, ShareClass.PARTNER, 1_000),
            ShareEntry(duck.address, ShareClass.PARTNER, 500),
            ShareEntry(owner.address, ShareClass.OPERATING, 7_500),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ],
    )
    _settle(cast, emc, 200_002)
    emc.terminate(duck.address, 3, REASON)
    noticed = emc.departure_of(duck.address)
    assert noticed.effective_period == 4

    v2_id, _ = emc.propose_version(
        [
            ShareEntry(chef.address, ShareClass.PARTNER, 1_200),
            ShareEntry(duck.address, ShareClass.PARTNER, 300),
            ShareEntry(owner.address, ShareClass.OPERATING, 7_500),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ]
    )
    assert emc.version(v2_id).party_count == 3
    assert duck.address in emc.parties(v2_id)
    without_duck = cast.sign(emc, v2_id, [chef, owner])
    assert_reverts(
        cast,
        lambda: emc.activate_version(v2_id, without_duck),
        errors.EmcSignatureCount,
        {"given": 2, "needed": 3},
    )
    result = _activate(cast, emc, v2_id)
    assert emc.event(result, VersionActivated).party_count == 3
    assert duck.address in (emc.signers(v2_id) or [])
    # Signing a new version during the notice does not withdraw it.
    assert emc.departure_of(duck.address) == noticed

    for profit in (300_003, 100_001, 50_000):
        _settle(cast, emc, profit)
    v3_id, _ = emc.propose_version(
        [
            ShareEntry(chef.address, ShareClass.PARTNER, 1_500),
            ShareEntry(owner.address, ShareClass.OPERATING, 7_500),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ]
    )
    _activate(cast, emc, v3_id)
    _settle(cast, emc, 1_000_000)
    assert emc.position(duck.address) == Position(23_500, 0, 0, 2_200)
    assert _claim(cast, emc, duck) == 23_500
