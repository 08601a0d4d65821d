"""Who may call what: every privileged function from every role that must not call it.

Roles: an unregistered wallet, an ME that does not own the EMC, a partner, the auditor,
the steward, the treasury, the EMC's owner once suspended, an operator without the
registry admin role, and the registry admin (itself an operator). Each denied call
raises its exact error and changes nothing; each allowed call is shown to work.

``activateVersion`` is not privileged: the parties' signatures are the authorization, so
any wallet, registered or not, may submit them (shown from each role below but the
suspended owner, which is also a party).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.events import VersionActivated
from rdh_chain.exceptions import ContractRevertError
from rdh_chain.ledger import Ledger
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcTerms,
    MemberStatus,
    PeriodReport,
    Position,
    Role,
    ShareClass,
    ShareEntry,
    VersionStatus,
)
from tests.contracts.helpers import (
    ADMIN_ROLE_HEX,
    BASE_PROFIT,
    BASE_TERMS,
    TERMS_REASON,
    Cast,
    add_admin,
    assert_reverts,
    base_entries,
    new_account,
    raw_transact,
    role_hex,
)

ROLES = (
    "unregistered",
    "me",
    "partner",
    "auditor",
    "steward",
    "treasury",
    "suspended_owner",
    "operator",
    "admin",
)
METADATA = keccak(text="updated record")
PURPOSE = keccak(text="tooling")
TERMS = EmcTerms(target_users=10, target_revenue=1_000, sharing_space=100, loss_threshold=100)


def _actor(cast: Cast, role: str) -> LocalAccount:
    if role == "suspended_owner":
        cast.as_(cast.admin).registry.suspend(cast.owner.address)
    return {
        "unregistered": new_account(),
        "me": cast.mes[2],
        "partner": cast.partners["platform"],
        "auditor": cast.auditor,
        "steward": cast.steward,
        "treasury": cast.treasury,
        "suspended_owner": cast.owner,
        "operator": cast.operator2,
        "admin": cast.admin,
    }[role]


Denial = tuple[type[ContractRevertError], dict[str, object]]


@dataclass(frozen=True)
class Action:
    name: str
    allowed: frozenset[str]
    call: Callable[[Cast, Ledger], object]
    denial: Callable[[Cast, LocalAccount, str], Denial]


def _not_operator(cast: Cast, caller: LocalAccount, role: str) -> Denial:
    return errors.RegistryUnauthorized, {"account": caller.address, "role": role_hex(Role.OPERATOR)}


def _not_admin(cast: Cast, caller: LocalAccount, role: str) -> Denial:
    return errors.RegistryUnauthorized, {"account": caller.address, "role": ADMIN_ROLE_HEX}


def _not_treasury(cast: Cast, caller: LocalAccount, role: str) -> Denial:
    return errors.TokenNotTreasury, {"caller": caller.address}


def _not_factory_operator(cast: Cast, caller: LocalAccount, role: str) -> Denial:
    return errors.FactoryNotOperator, {"caller": caller.address}


def _not_owner(cast: Cast, caller: LocalAccount, role: str) -> Denial:
    if role == "suspended_owner":
        return errors.EmcCallerNotActive, {"caller": cast.owner.address}
    return errors.EmcNotOwner, {"caller": caller.address, "owner": cast.owner.address}


def _not_reporter(cast: Cast, caller: LocalAccount, role: str) -> Denial:
    # The base EMC has no reporter, so only its owner may settle.
    if role == "suspended_owner":
        return errors.EmcCallerNotActive, {"caller": cast.owner.address}
    return errors.EmcNotReporter, {
        "caller": caller.address,
        "owner": cast.owner.address,
        "reporter": ZERO_ADDRESS,
    }


OPERATORS = frozenset({"operator", "admin"})
OWNER = frozenset({"owner"})
ACTIONS = [
    Action(
        "registry.addMember(me)",
        OPERATORS,
        lambda c, s: s.registry.add_member(new_account().address, Role.ME),
        _not_operator,
    ),
    Action(
        "registry.addMember(steward)",
        OPERATORS,
        lambda c, s: s.registry.add_member(new_account().address, Role.STEWARD),
        _not_operator,
    ),
    Action(
        "registry.addMember(operator)",
        frozenset({"admin"}),
        lambda c, s: s.registry.add_member(new_account().address, Role.OPERATOR),
        _not_admin,
    ),
    Action(
        "registry.addMember(treasury)",
        frozenset({"admin"}),
        lambda c, s: s.registry.add_member(new_account().address, Role.TREASURY),
        _not_admin,
    ),
    Action(
        "registry.suspendMember",
        OPERATORS,
        lambda c, s: s.registry.suspend(c.mes[4].address),
        _not_operator,
    ),
    Action(
        "registry.reinstateMember",
        OPERATORS,
        lambda c, s: s.registry.reinstate(c.mes[3].address),
        _not_operator,
    ),
    Action(
        "registry.setMetadata",
        OPERATORS,
        lambda c, s: s.registry.set_metadata(c.mes[4].address, METADATA),
        _not_operator,
    ),
    Action(
        "token.mint",
        frozenset({"treasury"}),
        lambda c, s: s.token.mint(c.mes[4].address, 1),
        _not_treasury,
    ),
    Action("token.burn", frozenset({"treasury"}), lambda c, s: s.token.burn(1), _not_treasury),
    Action(
        "factory.createEmc",
        OPERATORS,
        lambda c, s: s.factory.create_emc_with_terms(c.mes[4].address, TERMS, TERMS_REASON),
        _not_factory_operator,
    ),
    Action(
        "emc.proposeVersion",
        OWNER,
        lambda c, s: s.emc(c.base_emc).propose_version(base_entries(c)),
        _not_owner,
    ),
    Action(
        "emc.proposeAndActivateVersion",
        OWNER,
        lambda c, s: s.emc(c.base_emc).propose_and_activate_version(
            *c.sign_draft(s.emc(c.base_emc), base_entries(c))
        ),
        _not_owner,
    ),
    Action(
        "emc.settle",
        OWNER,
        lambda c, s: s.emc(c.base_emc).settle(PeriodReport(1, 1, 1, 0, 1)),
        _not_reporter,
    ),
    Action(
        "emc.withdrawDevFund",
        OWNER,
        lambda c, s: s.emc(c.base_emc).withdraw_dev_fund(c.mes[4].address, 1, PURPOSE),
        _not_owner,
    ),
]


def _prepare(cast: Cast) -> None:
    # Something to reinstate, something to burn, an allowance to settle with. Denied calls
    # need none of it: every contract checks the caller before anything else.
    cast.as_(cast.admin).registry.suspend(cast.mes[3].address)
    cast.mint(cast.treasury.address, 1)
    cast.as_(cast.owner).token.approve(cast.base_emc, 1)


@pytest.mark.parametrize(
    ("action", "role"),
    [(a, r) for a in ACTIONS for r in ROLES if r not in a.allowed],
    ids=lambda v: v.name if isinstance(v, Action) else v,
)
def test_privileged_call_reverts_when_role_not_allowed(
    cast: Cast, action: Action, role: str
) -> None:
    caller = _actor(cast, role)
    error, args = action.denial(cast, caller, role)
    assert_reverts(cast, lambda: action.call(cast, cast.as_(caller)), error, args)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_privileged_call_succeeds_when_role_allowed(cast: Cast, action: Action) -> None:
    _prepare(cast)
    role = min(action.allowed)
    caller = cast.owner if role == "owner" else _actor(cast, role)
    block = cast.w3.eth.block_number
    action.call(cast, cast.as_(caller))
    assert cast.w3.eth.block_number == block + 1


# -- activation by signatures ------------------------------------------------------------


# The suspended owner is left out: it is also a party of version 2, and a party suspended
# after the proposal is a known gap (the xfail test in test_signatures.py).
@pytest.mark.parametrize("role", [r for r in ROLES if r != "suspended_owner"])
def test_activate_version_succeeds_from_any_wallet_with_every_party_signature(
    cast: Cast, role: str
) -> None:
    submitter = _actor(cast, role)
    emc = cast.as_(submitter).emc(cast.base_emc)
    signatures = cast.sign(emc, 2)
    result = emc.activate_version(2, signatures)
    assert result.receipt["from"] == submitter.address
    activated = emc.event(result, VersionActivated)
    assert activated.version_id == 2
    assert activated.party_count == len(signatures)
    assert emc.signers(2) == [s.signer for s in signatures]
    assert emc.active_version_id() == 2
    assert emc.version(1).status is VersionStatus.SUPERSEDED


def test_activate_version_reverts_for_owner_without_party_signatures(cast: Cast) -> None:
    # Owning the EMC grants nothing here: the owner's own signature alone is one of three.
    emc = cast.as_(cast.owner).emc(cast.base_emc)
    signatures = cast.sign(emc, 2, [cast.owner])
    assert_reverts(
        cast,
        lambda: emc.activate_version(2, signatures),
        errors.EmcSignatureCount,
        {"given": 1, "needed": 3},
    )


def test_propose_version_reverts_for_party_that_would_sign_it(cast: Cast) -> None:
    # Parties sign; only the owner proposes (the matrix above covers every other role).
    emc = cast.as_(cast.chef).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.propose_version(base_entries(cast)),
        errors.EmcNotOwner,
        {"caller": cast.chef.address, "owner": cast.owner.address},
    )


# -- suspension --------------------------------------------------------------------------


def test_claim_pays_member_when_suspended(cast: Cast) -> None:
    cast.as_(cast.admin).registry.suspend(cast.chef.address)
    amount, _ = cast.as_(cast.chef).emc(cast.base_emc).claim()
    assert amount == 100_000
    assert cast.balance(cast.chef.address) == 100_000


def test_claim_pays_owner_when_suspended_but_settle_refused(cast: Cast) -> None:
    cast.as_(cast.admin).registry.suspend(cast.owner.address)
    emc = cast.as_(cast.owner).emc(cast.base_emc)
    assert emc.claim()[0] == 700_000
    assert_reverts(
        cast,
        lambda: emc.settle(PeriodReport(1, 1, 1, 0, 1)),
        errors.EmcCallerNotActive,
        {"caller": cast.owner.address},
    )
    cast.as_(cast.admin).registry.reinstate(cast.owner.address)
    cast.as_(cast.owner).settle(emc, PeriodReport(1, 1, 10_000, 0, 10_000))
    assert emc.totals().periods == 2


def test_transfer_reverts_when_sender_suspended_unless_to_treasury(cast: Cast) -> None:
    chef = cast.as_(cast.chef)
    chef.emc(cast.base_emc).claim()
    cast.as_(cast.admin).registry.suspend(cast.chef.address)
    assert_reverts(
        cast,
        lambda: chef.token.transfer(cast.mes[1].address, 1),
        errors.TokenTransferNotAllowed,
        {"from": cast.chef.address, "to": cast.mes[1].address},
    )
    # Redeeming with the treasury is the one way out for a suspended member's credit.
    chef.token.transfer(cast.treasury.address, 40_000)
    assert cast.balance(cast.chef.address) == 60_000
    assert cast.balance(cast.treasury.address) == 40_000


def test_transfer_reverts_when_suspended_sender_pays_suspended_treasury(cast: Cast) -> None:
    chef = cast.as_(cast.chef)
    chef.emc(cast.base_emc).claim()
    registry = cast.as_(cast.admin).registry
    registry.suspend(cast.chef.address)
    registry.suspend(cast.treasury.address)
    assert_reverts(
        cast,
        lambda: chef.token.transfer(cast.treasury.address, 1),
        errors.TokenTransferNotAllowed,
        {"from": cast.chef.address, "to": cast.treasury.address},
    )


def test_transfer_succeeds_when_recipient_suspended(cast: Cast) -> None:
    # A suspended member keeps receiving: its claims are transfers to it.
    cast.as_(cast.admin).registry.suspend(cast.mes[1].address)
    cast.as_(cast.owner).token.transfer(cast.mes[1].address, 5)
    assert cast.balance(cast.mes[1].address) == 5


def test_transfer_from_reverts_when_recipient_unregistered(cast: Cast) -> None:
    stranger = new_account()
    owner = cast.as_(cast.owner)
    owner.token.approve(cast.mes[1].address, 10)
    spender = cast.as_(cast.mes[1])
    assert_reverts(
        cast,
        lambda: raw_transact(
            spender, spender.token, "transferFrom", cast.owner.address, stranger.address, 10
        ),
        errors.TokenTransferNotAllowed,
        {"from": cast.owner.address, "to": stranger.address},
    )


def test_propose_version_reverts_when_member_suspended_after_naming(cast: Cast) -> None:
    cast.as_(cast.admin).registry.suspend(cast.chef.address)
    emc = cast.as_(cast.owner).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.propose_version(base_entries(cast)),
        errors.EmcIneligibleMember,
        {"account": cast.chef.address, "class": 0},
    )


def test_reinstate_restores_suspended_member(cast: Cast) -> None:
    registry = cast.as_(cast.admin).registry
    registry.suspend(cast.mes[2].address, keccak(text="audit"))
    assert cast.ledger.member(cast.mes[2].address).status is MemberStatus.SUSPENDED
    assert not cast.ledger.registry.is_active(cast.mes[2].address, Role.ME)
    registry.reinstate(cast.mes[2].address)
    assert cast.ledger.registry.is_active(cast.mes[2].address, Role.ME)


# -- suspension of privileged accounts --------------------------------------------------


def test_revoke_role_reverts_when_operator_suspended(cast: Cast) -> None:
    cast.as_(cast.admin).registry.suspend(cast.operator2.address)
    suspended = cast.as_(cast.operator2)
    with pytest.raises(errors.RegistryUnauthorized) as info:
        raw_transact(suspended, suspended.registry, "revokeRole", Role.ME.id, cast.owner.address)
    assert info.value.args_by_name == {
        "account": cast.operator2.address,
        "role": role_hex(Role.OPERATOR),
    }
    assert cast.ledger.registry.has_role(cast.owner.address, Role.ME)


def test_add_member_reverts_when_admin_suspended(cast: Cast) -> None:
    # Only another active admin may suspend an admin.
    cast.as_(add_admin(cast)).registry.suspend(cast.admin.address)
    newcomer = new_account().address
    with pytest.raises(errors.RegistryUnauthorized) as info:
        cast.as_(cast.admin).registry.add_member(newcomer, Role.TREASURY)
    assert info.value.args_by_name == {"account": cast.admin.address, "role": ADMIN_ROLE_HEX}
    assert not cast.ledger.registry.has_role(newcomer, Role.TREASURY)


def test_suspend_reverts_for_emc_contract_and_claims_still_pay(cast: Cast) -> None:
    with pytest.raises(errors.RegistryCannotSuspendContract) as info:
        cast.as_(cast.admin).registry.suspend(cast.base_emc)
    assert info.value.args_by_name == {"account": cast.base_emc}
    amount, _ = cast.as_(cast.chef).emc(cast.base_emc).claim()
    assert amount == 100_000
    assert cast.ledger.emc(cast.base_emc).position(cast.chef.address) == Position(0, 0, 100_000, 0)


# -- who may suspend whom ----------------------------------------------------------------
# Operators suspend and reinstate ordinary members; a holder of the operator, treasury,
# registrar or admin role only an active admin may, so no operator can lock the others out,
# and an active admin can always put the registry right.

PRIVILEGED = ("admin", "operator", "treasury", "registrar")


def _new_operator(cast: Cast) -> ChecksumAddress:
    account = new_account().address
    cast.as_(cast.admin).registry.add_member(account, Role.OPERATOR)
    return account


def _has_admin_role(cast: Cast, account: ChecksumAddress) -> bool:
    return bool(cast.ledger.registry.contract.functions.hasRole(bytes(32), account).call())


def _role_count(cast: Cast, account: ChecksumAddress) -> int:
    return int(cast.ledger.registry.contract.functions.member(account).call()[2])


@pytest.mark.parametrize("target", PRIVILEGED)
def test_suspend_reverts_when_operator_suspends_a_privileged_member(
    cast: Cast, target: str
) -> None:
    account = {
        "admin": cast.admin.address,
        "operator": _new_operator(cast),
        "treasury": cast.treasury.address,
        "registrar": cast.deployment.factory,
    }[target]
    registry = cast.as_(cast.operator2).registry
    assert_reverts(
        cast,
        lambda: registry.suspend(account),
        errors.RegistryPrivilegedMember,
        {"caller": cast.operator2.address, "account": account},
    )
    assert cast.ledger.member(account).status is MemberStatus.ACTIVE


@pytest.mark.parametrize("target", PRIVILEGED)
def test_suspend_and_reinstate_succeed_when_admin_restricts_a_privileged_member(
    cast: Cast, target: str
) -> None:
    account = {
        "admin": add_admin(cast).address,
        "operator": cast.operator2.address,
        "treasury": cast.treasury.address,
        "registrar": cast.deployment.factory,
    }[target]
    registry = cast.as_(cast.admin).registry
    registry.suspend(account)
    assert cast.ledger.member(account).status is MemberStatus.SUSPENDED
    registry.reinstate(account)
    assert cast.ledger.member(account).status is MemberStatus.ACTIVE


def test_factory_creates_emcs_again_once_the_admin_reinstates_it(cast: Cast) -> None:
    registry = cast.as_(cast.admin).registry
    factory = cast.as_(cast.admin).factory
    registry.suspend(cast.deployment.factory)
    assert_reverts(
        cast,
        lambda: factory.create_emc_with_terms(cast.mes[4].address, TERMS, TERMS_REASON),
        errors.RegistryUnauthorized,
        {"account": cast.deployment.factory, "role": role_hex(Role.REGISTRAR)},
    )
    registry.reinstate(cast.deployment.factory)
    address, _ = factory.create_emc_with_terms(cast.mes[4].address, TERMS, TERMS_REASON)
    assert cast.ledger.registry.is_active(address, Role.CONTRACT)


def test_reinstate_reverts_when_operator_reinstates_an_operator_the_admin_suspended(
    cast: Cast,
) -> None:
    operator3 = _new_operator(cast)
    admin = cast.as_(cast.admin).registry
    admin.suspend(operator3)
    registry = cast.as_(cast.operator2).registry
    assert_reverts(
        cast,
        lambda: registry.reinstate(operator3),
        errors.RegistryPrivilegedMember,
        {"caller": cast.operator2.address, "account": operator3},
    )
    admin.reinstate(operator3)
    assert cast.ledger.registry.is_active(operator3, Role.OPERATOR)


def test_reinstate_succeeds_when_operator_reinstates_a_member_the_admin_suspended(
    cast: Cast,
) -> None:
    cast.as_(cast.admin).registry.suspend(cast.mes[2].address)
    registry = cast.as_(cast.operator2).registry
    registry.reinstate(cast.mes[2].address)
    assert cast.ledger.registry.is_active(cast.mes[2].address, Role.ME)
    registry.suspend(cast.mes[2].address)
    assert cast.ledger.member(cast.mes[2].address).status is MemberStatus.SUSPENDED


@pytest.mark.parametrize("who", ["operator", "admin"])
def test_suspend_reverts_when_caller_suspends_itself(cast: Cast, who: str) -> None:
    caller = cast.operator2 if who == "operator" else cast.admin
    registry = cast.as_(caller).registry
    assert_reverts(
        cast,
        lambda: registry.suspend(caller.address),
        errors.RegistrySelfSuspension,
        {"account": caller.address},
    )


def test_suspend_succeeds_when_admin_suspends_another_admin_and_one_stays_active(
    cast: Cast,
) -> None:
    admin2 = add_admin(cast)
    cast.as_(cast.admin).registry.suspend(admin2.address)
    # The suspended admin can neither strike back nor lift its own suspension.
    suspended = cast.as_(admin2).registry
    for action in (
        lambda: suspended.suspend(cast.admin.address),
        lambda: suspended.reinstate(admin2.address),
    ):
        assert_reverts(
            cast,
            action,
            errors.RegistryUnauthorized,
            {"account": admin2.address, "role": role_hex(Role.OPERATOR)},
        )
    cast.as_(cast.admin).registry.reinstate(admin2.address)
    assert cast.ledger.member(admin2.address).status is MemberStatus.ACTIVE


def test_renounce_role_reverts_for_the_admin_role(cast: Cast) -> None:
    admin = cast.as_(cast.admin)
    assert_reverts(
        cast,
        lambda: raw_transact(admin, admin.registry, "renounceRole", bytes(32), cast.admin.address),
        errors.RegistryAdminSelfRemoval,
        {"account": cast.admin.address},
    )
    assert _has_admin_role(cast, cast.admin.address)


def test_revoke_role_reverts_when_admin_revokes_its_own_admin_role(cast: Cast) -> None:
    admin2 = add_admin(cast)
    admin = cast.as_(cast.admin)
    assert_reverts(
        cast,
        lambda: raw_transact(admin, admin.registry, "revokeRole", bytes(32), cast.admin.address),
        errors.RegistryAdminSelfRemoval,
        {"account": cast.admin.address},
    )
    # Another active admin may revoke it, and stays an admin itself.
    other = cast.as_(admin2)
    raw_transact(other, other.registry, "revokeRole", bytes(32), cast.admin.address)
    assert not _has_admin_role(cast, cast.admin.address)
    assert _has_admin_role(cast, admin2.address)


def test_restrictions_count_every_suspension_revocation_and_renunciation(cast: Cast) -> None:
    registry = cast.ledger.registry
    operator = cast.as_(cast.operator2).registry
    start = registry.restrictions()
    operator.suspend(cast.mes[2].address)
    assert registry.restrictions() == start + 1
    operator.reinstate(cast.mes[2].address)  # standing regained, not lost
    assert registry.restrictions() == start + 1
    operator.revoke_role(cast.mes[3].address, Role.ME)
    assert registry.restrictions() == start + 2
    operator.revoke_role(cast.mes[3].address, Role.ME)  # no longer held: nothing lost
    assert registry.restrictions() == start + 2
    cast.as_(cast.mes[4]).registry.renounce_role(Role.ME, cast.mes[4].address)
    assert registry.restrictions() == start + 3
    assert (_role_count(cast, cast.mes[3].address), _role_count(cast, cast.mes[4].address)) == (
        0,
        0,
    )


# -- revoked roles and the settlement credit ---------------------------------------------


def test_revoked_partner_claims_and_redeems_but_cannot_pay_another_member(cast: Cast) -> None:
    platform = cast.partners["platform"]  # a partner and nothing else
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, BASE_TERMS, TERMS_REASON
    )
    cast.agree(
        address,
        [
            ShareEntry(platform.address, ShareClass.PARTNER, 1_000),
            ShareEntry(cast.owner.address, ShareClass.OPERATING, 8_000),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ],
    )
    owner = cast.as_(cast.owner)
    emc = owner.emc(address)
    partner = cast.as_(platform)
    report = PeriodReport(10, 10, BASE_PROFIT, 0, BASE_PROFIT)
    owner.settle(emc, report)
    assert partner.emc(address).claim()[0] == 100_000  # the EMC already paid it once
    owner.settle(emc, report)  # and it earned another 10% before losing its role

    cast.as_(cast.operator2).registry.revoke_role(platform.address, Role.PARTNER)
    assert cast.ledger.member(platform.address).status is MemberStatus.ACTIVE
    assert _role_count(cast, platform.address) == 0

    # Earned credit stays claimable...
    assert partner.emc(address).claim()[0] == 100_000
    assert cast.balance(platform.address) == 200_000
    # ...but moves only back to the treasury.
    assert_reverts(
        cast,
        lambda: partner.token.transfer(cast.mes[1].address, 1),
        errors.TokenTransferNotAllowed,
        {"from": platform.address, "to": cast.mes[1].address},
    )
    partner.token.transfer(cast.treasury.address, 150_000)
    assert cast.balance(platform.address) == 50_000
    assert cast.balance(cast.treasury.address) == 150_000


@pytest.mark.parametrize("how", ["revoked", "renounced"])
def test_transfer_reverts_when_active_sender_holds_no_role(cast: Cast, how: str) -> None:
    me = cast.mes[2]  # an ME and nothing else
    cast.mint(me.address, 1_000)
    if how == "revoked":
        cast.as_(cast.operator2).registry.revoke_role(me.address, Role.ME)
    else:
        cast.as_(me).registry.renounce_role(Role.ME, me.address)
    assert cast.ledger.member(me.address).status is MemberStatus.ACTIVE
    assert cast.ledger.member(me.address).roles == ()
    wallet = cast.as_(me)
    assert_reverts(
        cast,
        lambda: wallet.token.transfer(cast.mes[1].address, 1),
        errors.TokenTransferNotAllowed,
        {"from": me.address, "to": cast.mes[1].address},
    )
    # It is still a registered member: it receives, and redeems with the treasury.
    cast.as_(cast.owner).token.transfer(me.address, 5)
    wallet.token.transfer(cast.treasury.address, 1_005)
    assert cast.balance(me.address) == 0


def test_transfer_reverts_when_role_less_sender_pays_suspended_treasury(cast: Cast) -> None:
    me = cast.mes[2]
    cast.mint(me.address, 1_000)
    cast.as_(cast.operator2).registry.revoke_role(me.address, Role.ME)
    cast.as_(cast.admin).registry.suspend(cast.treasury.address)
    wallet = cast.as_(me)
    assert_reverts(
        cast,
        lambda: wallet.token.transfer(cast.treasury.address, 1),
        errors.TokenTransferNotAllowed,
        {"from": me.address, "to": cast.treasury.address},
    )


def test_transfer_succeeds_when_sender_keeps_another_role(cast: Cast) -> None:
    chef = cast.as_(cast.chef)  # a partner and an ME
    chef.emc(cast.base_emc).claim()
    cast.as_(cast.operator2).registry.revoke_role(cast.chef.address, Role.PARTNER)
    assert _role_count(cast, cast.chef.address) == 1
    chef.token.transfer(cast.mes[1].address, 7)
    assert cast.balance(cast.mes[1].address) == 7
