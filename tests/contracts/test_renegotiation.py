"""Renegotiation never deadlocks: whatever the registry does to a party, the owner can
propose a version without it that the remaining parties sign and activate.

A member of the active version that was suspended, or lost the role of a class it holds
(partner -> PARTNER, operating and value-added -> ME), may be left out at once; it keeps,
and can claim, what it earned until the new version applies. If anybody lost standing after
a proposal, activation checks every signer again and refuses one that is no longer active
with its roles (``EmcPartyNotActive``). Only parties to the version in force invest.

Credit is bps * profit in 1/10,000 fen; whole fen are payable, the remainder is dust.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.contracts import EmcClient
from rdh_chain.events import VersionActivated
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcTerms,
    PeriodReport,
    Position,
    Role,
    ShareClass,
    ShareEntry,
)
from tests.contracts.helpers import TERMS_REASON, Cast, assert_reverts

TERMS = EmcTerms(
    target_users=10**9, target_revenue=10**15, sharing_space=1_000_000, loss_threshold=10**12
)


def _suspend(cast: Cast, account: LocalAccount) -> None:
    cast.as_(cast.operator2).registry.suspend(account.address, keccak(text="audit"))


def _revoke_me(cast: Cast, account: LocalAccount) -> None:
    cast.as_(cast.operator2).registry.revoke_role(account.address, Role.ME)


RESTRICTIONS: dict[str, Callable[[Cast, LocalAccount], None]] = {
    "suspended": _suspend,
    "me-role-revoked": _revoke_me,
}


def _new_emc(cast: Cast, entries: list[ShareEntry]) -> EmcClient:
    """A fresh EMC owned by ``cast.owner`` with ``entries`` signed and active."""
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, TERMS, TERMS_REASON
    )
    cast.agree(address, entries)
    return cast.emc(address)


def _settle(cast: Cast, emc: EmcClient, profit: int) -> None:
    cast.as_(cast.owner).settle(emc, PeriodReport(1, 1, profit, 0, profit))


def _claim(cast: Cast, emc: EmcClient, account: LocalAccount) -> int:
    before = cast.balance(account.address)
    amount, _ = cast.as_(account).emc(emc.address).claim()
    assert cast.balance(account.address) == before + amount
    return amount


def _with_me2(cast: Cast, me2_bps: int) -> list[ShareEntry]:
    """Chef partner 1,000, ME 2 operating ``me2_bps``, the owner operating the rest of 9,000,
    fund 1,000."""
    entries = [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 8_000 - me2_bps),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    if me2_bps:
        entries.append(ShareEntry(cast.mes[2].address, ShareClass.OPERATING, me2_bps))
    return entries


@pytest.mark.parametrize("restriction", RESTRICTIONS)
def test_propose_version_leaves_out_at_once_a_member_that_lost_standing(
    cast: Cast, restriction: str
) -> None:
    """V1: chef partner 1,000, owner operating 6,000, ME 2 operating 2,000, fund 1,000.
    Period 1 R1 = 300,007. ME 2 is then suspended, or loses its ME role: with no notice the
    owner proposes V2 without it (chef 1,000, owner 8,000, fund 1,000), the chef and the owner
    sign and activate it, and period 2 (1,000,000) pays ME 2 nothing.
    ME 2: 2,000 * 300,007 = 600,014,000 -> 60,001, dust 4,000, which it claims as it is.
    Owner: 6,000 * 300,007 + 8,000 * 1,000,000 = 9,800,042,000 -> 980,004, dust 2,000.
    """
    me2 = cast.mes[2]
    emc = _new_emc(cast, _with_me2(cast, 2_000))
    _settle(cast, emc, 300_007)
    RESTRICTIONS[restriction](cast, me2)

    v2_id, _ = emc.propose_version(_with_me2(cast, 0))
    assert emc.version(v2_id).party_count == 2
    result = emc.activate_version(v2_id, cast.sign(emc, v2_id))
    assert emc.event(result, VersionActivated).party_count == 2
    signers = emc.signers(v2_id)
    assert signers is not None
    assert sorted(signers) == sorted([cast.chef.address, cast.owner.address])
    assert emc.active_version_id() == v2_id
    _settle(cast, emc, 1_000_000)

    assert emc.position(me2.address) == Position(60_001, 0, 0, 4_000)
    assert emc.position(cast.owner.address) == Position(980_004, 0, 0, 2_000)
    assert _claim(cast, emc, me2) == 60_001
    assert emc.position(me2.address) == Position(0, 0, 60_001, 4_000)


@pytest.mark.parametrize("restriction", RESTRICTIONS)
def test_activate_version_reverts_when_a_party_lost_standing_after_the_proposal(
    cast: Cast, restriction: str
) -> None:
    """V1 as above, period 1 R1 = 300,007. V2 (chef 1,000, owner 6,500, ME 2 1,500, fund
    1,000) is proposed and signed by all three; then ME 2 is suspended, or loses its ME role.
    Activating V2 is refused (EmcPartyNotActive(2, ME 2)); V3 without ME 2 is proposed at
    once and activated by the other two. ME 2 keeps its 60,001 (dust 4,000) of V1."""
    me2 = cast.mes[2]
    emc = _new_emc(cast, _with_me2(cast, 2_000))
    _settle(cast, emc, 300_007)
    v2_id, _ = emc.propose_version(_with_me2(cast, 1_500))
    signatures = cast.sign(emc, v2_id)
    assert len(signatures) == 3
    RESTRICTIONS[restriction](cast, me2)

    assert_reverts(
        cast,
        lambda: emc.activate_version(v2_id, signatures),
        errors.EmcPartyNotActive,
        {"versionId": v2_id, "signer": me2.address},
    )
    v3_id, _ = emc.propose_version(_with_me2(cast, 0))
    assert v3_id == 3
    emc.activate_version(v3_id, cast.sign(emc, v3_id))
    assert emc.active_version_id() == v3_id
    assert _claim(cast, emc, me2) == 60_001


@pytest.mark.parametrize("name", ["duck_farm", "chef"])
def test_activate_version_reverts_when_a_partner_lost_its_partner_role_after_the_proposal(
    cast: Cast, name: str
) -> None:
    """V1: chef partner 1,000, duck farm partner 500, owner operating 7,500, fund 1,000;
    period 1 Q1 = 400,001. V2 gives the partner in question 100 more bps out of the owner's;
    every party signs it, then an operator revokes that partner's PARTNER role. Activation
    is refused (EmcPartyNotActive), also for the chef, which still holds the ME role: a
    partner share needs the partner role. The partner still claims what it earned:
    duck farm 500 * 400,001 = 200,000,500 -> 20,000, dust 500;
    chef 1,000 * 400,001 = 400,001,000 -> 40,000, dust 1,000."""
    partner = cast.partners[name]
    duck, chef = cast.partners["duck_farm"], cast.chef
    bps = {chef.address: 1_000, duck.address: 500}
    emc = _new_emc(
        cast,
        [
            ShareEntry(chef.address, ShareClass.PARTNER, bps[chef.address]),
            ShareEntry(duck.address, ShareClass.PARTNER, bps[duck.address]),
            ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_500),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ],
    )
    _settle(cast, emc, 400_001)
    bps[partner.address] += 100
    v2_id, _ = emc.propose_version(
        [
            ShareEntry(chef.address, ShareClass.PARTNER, bps[chef.address]),
            ShareEntry(duck.address, ShareClass.PARTNER, bps[duck.address]),
            ShareEntry(cast.owner.address, ShareClass.OPERATING, 7_400),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ]
    )
    signatures = cast.sign(emc, v2_id)
    cast.as_(cast.operator2).registry.revoke_role(partner.address, Role.PARTNER)
    assert not cast.ledger.registry.is_active(partner.address, Role.PARTNER)

    assert_reverts(
        cast,
        lambda: emc.activate_version(v2_id, signatures),
        errors.EmcPartyNotActive,
        {"versionId": v2_id, "signer": partner.address},
    )
    earned = {"duck_farm": (20_000, 500), "chef": (40_000, 1_000)}[name]
    assert emc.position(partner.address) == Position(earned[0], 0, 0, earned[1])
    assert _claim(cast, emc, partner) == earned[0]
    assert emc.position(partner.address) == Position(0, 0, earned[0], earned[1])


def test_invest_reverts_when_named_only_in_an_unsigned_proposal(cast: Cast) -> None:
    """The base EMC's version 1 names the chef, the owner and ME 1. A version 3 naming ME 3
    too (operating 1,000 of the owner's 7,000) is proposed but nobody signs it: ME 3 is no
    party to the agreement in force, so it cannot invest (EmcNotAMember); ME 1, a party of
    version 1, invests 250,000 for 250,000 units (the first investment, one unit per fen)."""
    me1, me3 = cast.mes[1], cast.mes[3]
    emc = cast.emc()
    v3_id, _ = emc.propose_version(
        [
            ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
            ShareEntry(cast.owner.address, ShareClass.OPERATING, 6_000),
            ShareEntry(me1.address, ShareClass.VALUE_ADDED, 1_000),
            ShareEntry(me3.address, ShareClass.OPERATING, 1_000),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ]
    )
    assert me3.address in emc.parties(v3_id)
    assert emc.active_version_id() == 1
    for investor in (me1, me3):
        cast.mint(investor.address, 250_000)
        cast.as_(investor).token.approve(emc.address, 250_000)

    assert_reverts(
        cast,
        lambda: cast.as_(me3).emc(emc.address).invest(250_000),
        errors.EmcNotAMember,
        {"account": me3.address},
    )
    units, _ = cast.as_(me1).emc(emc.address).invest(250_000)
    assert units == 250_000
    assert emc.capital_totals().invested == 250_000
