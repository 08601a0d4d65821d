"""The registry's standing reads: ``isActive`` and ``firstInactive``.

The member record mirrors the platform's roles in the status's slot (``MemberRegistry``'s
``roleBits``), so that ``isActive`` reads one slot for a role of ``Roles``; any other role
is read from OpenZeppelin's AccessControl. Whatever grants, revocations, renunciations,
suspensions and reinstatements do, ``isActive(account, role)`` must stay exactly "active
member and ``hasRole``", and ``firstInactive`` (what a proposal asks of its parties, one
call per role) the index of the first account for which it is false.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain.types import MemberStatus, Role
from tests.contracts.helpers import Cast, add_admin, new_account, raw_transact

ADMIN_ROLE = bytes(32)
# A role outside the platform's (``Roles``): no bit mirrors it, AccessControl answers.
OTHER_ROLE = keccak(text="a role the platform does not define")
EVERY_ROLE = [*(r.id for r in Role), ADMIN_ROLE, OTHER_ROLE]


def _expected(cast: Cast, accounts: Sequence[ChecksumAddress], role: bytes) -> list[bool]:
    functions = cast.ledger.registry.contract.functions
    return [
        functions.statusOf(a).call() == MemberStatus.ACTIVE and functions.hasRole(role, a).call()
        for a in accounts
    ]


def _assert_standing_agrees(cast: Cast, accounts: Sequence[ChecksumAddress]) -> None:
    """``isActive`` of every role is AccessControl's answer for an active member, false
    otherwise; ``firstInactive`` says the same of the list and of each account alone."""
    registry = cast.ledger.registry
    functions = registry.contract.functions
    for role in EVERY_ROLE:
        expected = _expected(cast, accounts, role)
        assert [functions.isActive(a, role).call() for a in accounts] == expected, role.hex()
        first = expected.index(False) if False in expected else len(accounts)
        assert functions.firstInactive(list(accounts), role).call() == first, role.hex()
        alone = [functions.firstInactive([a], role).call() for a in accounts]
        assert alone == [1 if active else 0 for active in expected], role.hex()


def test_is_active_agrees_with_access_control_through_grants_revokes_and_suspensions(
    cast: Cast,
) -> None:
    admin = cast.as_(cast.admin)
    registry = admin.registry
    me, partner, chef = cast.mes[2].address, cast.partners["platform"].address, cast.chef.address
    second_admin = add_admin(cast)
    stranger = new_account().address  # never registered
    accounts = [
        me,
        partner,
        chef,
        cast.operator2.address,
        second_admin.address,
        cast.base_emc,
        stranger,
    ]
    _assert_standing_agrees(cast, accounts)

    registry.add_member(me, Role.PARTNER)  # a second role for a member
    # A role outside Roles (its admin role is the registry admin's).
    raw_transact(admin, registry, "addMember", partner, OTHER_ROLE, bytes(32))
    _assert_standing_agrees(cast, accounts)
    assert registry.is_active(me, Role.PARTNER)
    assert registry.is_active(me, Role.ME)

    registry.revoke_role(me, Role.ME)
    cast.as_(cast.partners["platform"]).registry.renounce_role(Role.PARTNER, partner)
    _assert_standing_agrees(cast, accounts)
    assert not registry.is_active(me, Role.ME)
    assert registry.is_active(me, Role.PARTNER)
    assert not registry.is_active(partner, Role.PARTNER)

    # A suspension silences every role, and a reinstatement gives back those still held.
    for account in (chef, cast.operator2.address, second_admin.address):
        registry.suspend(account)
    _assert_standing_agrees(cast, accounts)
    assert not registry.is_active(chef, Role.ME)
    assert not registry.is_active(chef, Role.PARTNER)
    for account in (chef, cast.operator2.address, second_admin.address):
        registry.reinstate(account)
    registry.add_member(me, Role.ME)  # granted again after the revocation
    _assert_standing_agrees(cast, accounts)
    assert registry.is_active(chef, Role.ME)
    assert registry.is_active(chef, Role.PARTNER)
    assert registry.is_active(me, Role.ME)


def test_first_inactive_names_the_first_account_not_active_in_the_role(cast: Cast) -> None:
    registry = cast.as_(cast.admin).registry
    mes = [me.address for me in cast.mes[:4]]
    assert registry.first_inactive(mes, Role.ME) == len(mes)
    assert registry.first_inactive([], Role.ME) == 0

    # A member without the role: the platform partner holds no ME role.
    platform = cast.partners["platform"].address
    assert registry.first_inactive([*mes[:2], platform, *mes[2:]], Role.ME) == 2
    # An account the registry never heard of.
    assert registry.first_inactive([mes[0], new_account().address, mes[1]], Role.ME) == 1
    # A suspended member, later in the list than an active one; the first of two suspended.
    registry.suspend(mes[3])
    assert registry.first_inactive(mes, Role.ME) == 3
    registry.suspend(mes[1])
    assert registry.first_inactive(mes, Role.ME) == 1
    assert registry.first_inactive([mes[0], mes[2]], Role.ME) == 2
    registry.reinstate(mes[1])
    registry.reinstate(mes[3])
    assert registry.first_inactive(mes, Role.ME) == len(mes)
    # A revoked role counts as missing, the other roles of the member stay.
    chef = cast.chef.address
    registry.revoke_role(chef, Role.ME)
    assert registry.first_inactive([mes[0], chef], Role.ME) == 1
    assert registry.first_inactive([chef, platform], Role.PARTNER) == 2
