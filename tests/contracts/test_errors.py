"""Every custom error of the four contracts that a call can trigger.

Each test asserts the exact Python exception class, its decoded arguments, and that
the rejected call left the ledger as it was (``Cast.state``). Errors no call can reach
are listed in ``UNREACHABLE`` with the reason, and a test keeps that list complete.
The signature checks of ``activateVersion`` are attacked in ``test_signatures.py``; the
tests here pin each of its errors once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.agreements import pack_signatures, sign_version
from rdh_chain.deployment import deploy_contract
from rdh_chain.ledger import Ledger
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcStatus,
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
    assert_reverts,
    base_entries,
    increase_time,
    latest_timestamp,
    new_account,
    pin_next_timestamp,
    raw_transact,
    role_hex,
)

METADATA = keccak(text="member record")
PURPOSE = keccak(text="test kitchen")
MAX_CUMULATIVE = 2**72 - 1
MAX_REVENUE = 2**96 - 1

# Errors in the ABIs that no transaction can trigger, and why.
UNREACHABLE = {
    "ERC20InvalidSender": "transfer and transferFrom never pass the zero address as sender",
    "ERC20InvalidApprover": "approve always uses msg.sender, which is never zero",
    "FailedDeployment": "Clones.clone fails only without gas",
    "ShareTreeTooNarrow": "the entry scan allocates the leaves the full width of the tree",
    "InsufficientBalance": "createEmc sends no value to the clone",
    "ReentrancyGuardReentrantCall": "the settlement token has no callbacks to re-enter with",
    "SafeERC20FailedOperation": "the settlement token reverts with its own errors, never false",
    "AccessControlUnauthorizedAccount": (
        "every role check, revokeRole's included, is the registry's active check"
    ),
    "StringTooLong": (
        "EIP712 shortens only the template's constant name and version, both under 32 bytes,"
        " and only in its constructor"
    ),
    "InvalidShortString": "EIP712 reads back only the short strings its constructor built",
}
TRIGGERED = {
    "RegistryZeroAddress",
    "RegistryRoleAlreadyHeld",
    "RegistryNotMember",
    "RegistryMemberNotActive",
    "RegistryMemberNotSuspended",
    "RegistrySelfSuspension",
    "RegistryUnauthorized",
    "RegistryUseAddMember",
    "RegistryCannotSuspendContract",
    "RegistryPrivilegedMember",  # in test_permissions.py
    "RegistryAdminSelfRemoval",  # in test_permissions.py
    "AccessControlBadConfirmation",
    "TokenNotTreasury",
    "TokenTransferNotAllowed",
    "TokenZeroAmount",
    "TokenNotRegistrar",
    "TokenNotContract",
    "ERC20InsufficientBalance",
    "ERC20InsufficientAllowance",
    "ERC20InvalidReceiver",
    "ERC20InvalidSpender",
    "FactoryNotOperator",
    "FactoryOwnerNotMe",
    "FactoryInvalidTerms",
    "FactoryInvalidPartnerBounds",
    "FactoryIndexOutOfRange",
    "FactoryOverrideWithoutReason",  # in test_guidelines.py
    "EmcOnlyFactory",
    "EmcWrongStatus",
    "EmcProfitWithLoss",
    "EmcProfitAboveMargin",
    "EmcNotAMember",
    "EmcOwnerCannotDepart",
    "EmcNoticeOutOfBounds",
    "EmcAlreadyDeparting",
    "EmcMemberLeftOut",
    "EmcMemberDeparted",
    "FactoryZeroLossThreshold",
    "FactoryZeroNoticeBound",
    # in test_guidelines.py
    "GuidelinesNotSteward",
    "GuidelinesWeightsNot100",
    "GuidelinesInvalidFormula",
    "GuidelinesInvalidPartnerBounds",
    "GuidelinesInvalidMinScore",
    "GuidelinesCriterionOutOfRange",
    "GuidelinesNoFormula",
    "GuidelinesScoreTooLow",
    "GuidelinesZeroLossThreshold",
    "GuidelinesZeroNoticeBound",
    "EmcNotOwner",
    "EmcNotReporter",  # in test_reporter.py
    "EmcIneligibleReporter",  # in test_reporter.py
    "EmcCallerNotActive",
    "EmcShareTotalNot100",
    "EmcEntryCount",
    "EmcMalformedEntry",
    "EmcZeroShare",
    "EmcDuplicateEntry",
    "EmcEntriesNotSorted",
    "EmcShareOutOfBounds",
    "EmcDeadlinePassed",
    "EmcVersionStale",
    "EmcSignatureCount",
    "EmcSignaturesLength",
    "EmcSignatureEncoding",  # in test_signatures.py
    "EmcSignersNotSorted",
    "EmcSignersNotParties",
    "EmcCurrentPartiesMismatch",  # in test_share_proofs.py
    "EmcShareProofCount",  # in test_share_proofs.py
    "EmcInvalidShareProof",  # in test_share_proofs.py
    "EmcUnknownEpoch",
    "EmcInvalidSignature",
    "EmcPartyNotActive",  # in test_signatures.py
    "EmcIneligibleMember",
    "EmcDevFundAccount",
    "EmcUnknownVersion",
    "EmcVersionNotProposed",
    "EmcNoActiveVersion",
    "EmcZeroAmount",
    "EmcAmountTooLarge",
    "EmcNothingToClaim",
    "EmcDevFundInsufficient",
    "EmcZeroAddress",
    "EmcRecipientNotAllowed",
    "EmcNotSweeper",
    "EmcNothingToSweep",
    # in test_attestations.py
    "EmcAttestationRequired",
    "EmcNotAuditor",
    "EmcInvalidAttestation",
    # in test_bidding.py
    "EmcBidDeadlines",
    "EmcUnknownBidRound",
    "EmcCommitClosed",
    "EmcZeroCommitment",
    "EmcRevealNotOpen",
    "EmcRevealClosed",
    "EmcNoBid",
    "EmcBidAlreadyRevealed",
    "EmcBidMismatch",
    "EmcBidAskTooHigh",
    "EmcRevealNotOver",
    "EmcRoundDecided",
    "EmcBidNotRevealed",
    "SafeCastOverflowedUintDowncast",
}


def test_error_coverage_lists_every_abi_error(cast: Cast) -> None:
    names = {
        item["name"]
        for contract in (
            "MemberRegistry",
            "SettlementToken",
            "TargetGuidelines",
            "EMCFactory",
            "EMC",
            "EMCModule",
        )
        for item in cast.artifacts[contract].abi
        if item["type"] == "error"
    }
    assert TRIGGERED.isdisjoint(UNREACHABLE)
    assert names == TRIGGERED | set(UNREACHABLE)
    assert names <= set(errors.all_error_classes())


# -- MemberRegistry ----------------------------------------------------------------------


def test_registry_constructor_reverts_when_admin_is_zero(cast: Cast) -> None:
    sender = cast.as_(cast.admin).sender
    assert sender is not None
    registry = cast.artifacts["MemberRegistry"]
    assert_reverts(
        cast,
        lambda: deploy_contract(sender, registry, ZERO_ADDRESS, METADATA),
        errors.RegistryZeroAddress,
        {},
    )


def test_add_member_reverts_when_account_is_zero(cast: Cast) -> None:
    registry = cast.as_(cast.admin).registry
    assert_reverts(
        cast, lambda: registry.add_member(ZERO_ADDRESS, Role.ME), errors.RegistryZeroAddress, {}
    )


def test_add_member_reverts_when_role_already_held(cast: Cast) -> None:
    registry = cast.as_(cast.admin).registry
    assert_reverts(
        cast,
        lambda: registry.add_member(cast.mes[1].address, Role.ME, METADATA),
        errors.RegistryRoleAlreadyHeld,
        {"account": cast.mes[1].address, "role": role_hex(Role.ME)},
    )


def test_add_member_reverts_when_operator_adds_admin_role(cast: Cast) -> None:
    # Operators add members; operators and treasurers are added by the registry admin only.
    registry = cast.as_(cast.operator2).registry
    for role in (Role.OPERATOR, Role.TREASURY, Role.REGISTRAR):
        assert_reverts(
            cast,
            lambda: registry.add_member(new_account().address, role),  # noqa: B023
            errors.RegistryUnauthorized,
            {"account": cast.operator2.address, "role": ADMIN_ROLE_HEX},
        )


def test_add_member_reverts_when_contract_role_added_by_non_registrar(cast: Cast) -> None:
    # Only the factory (the registrar) registers contracts that may hold credit.
    registry = cast.as_(cast.admin).registry
    assert_reverts(
        cast,
        lambda: registry.add_member(new_account().address, Role.CONTRACT),
        errors.RegistryUnauthorized,
        {"account": cast.admin.address, "role": role_hex(Role.REGISTRAR)},
    )


def test_add_member_reverts_when_operator_suspended(cast: Cast) -> None:
    cast.as_(cast.admin).registry.suspend(cast.operator2.address)
    registry = cast.as_(cast.operator2).registry
    assert_reverts(
        cast,
        lambda: registry.add_member(new_account().address, Role.ME),
        errors.RegistryUnauthorized,
        {"account": cast.operator2.address, "role": role_hex(Role.OPERATOR)},
    )


def test_set_metadata_reverts_when_account_unregistered(cast: Cast) -> None:
    stranger = new_account().address
    registry = cast.as_(cast.admin).registry
    assert_reverts(
        cast,
        lambda: registry.set_metadata(stranger, METADATA),
        errors.RegistryNotMember,
        {"account": stranger},
    )


def test_suspend_reverts_when_account_unregistered(cast: Cast) -> None:
    stranger = new_account().address
    registry = cast.as_(cast.admin).registry
    assert_reverts(
        cast,
        lambda: registry.suspend(stranger),
        errors.RegistryMemberNotActive,
        {"account": stranger, "status": MemberStatus.NONE},
    )


def test_suspend_reverts_when_already_suspended(cast: Cast) -> None:
    registry = cast.as_(cast.admin).registry
    registry.suspend(cast.mes[2].address)
    assert_reverts(
        cast,
        lambda: registry.suspend(cast.mes[2].address),
        errors.RegistryMemberNotActive,
        {"account": cast.mes[2].address, "status": MemberStatus.SUSPENDED},
    )


def test_suspend_reverts_when_operator_suspends_itself(cast: Cast) -> None:
    registry = cast.as_(cast.admin).registry
    assert_reverts(
        cast,
        lambda: registry.suspend(cast.admin.address),
        errors.RegistrySelfSuspension,
        {"account": cast.admin.address},
    )


@pytest.mark.parametrize("registered", [True, False], ids=["active", "unregistered"])
def test_reinstate_reverts_when_not_suspended(cast: Cast, registered: bool) -> None:
    account = cast.mes[2].address if registered else new_account().address
    status = MemberStatus.ACTIVE if registered else MemberStatus.NONE
    registry = cast.as_(cast.admin).registry
    assert_reverts(
        cast,
        lambda: registry.reinstate(account),
        errors.RegistryMemberNotSuspended,
        {"account": account, "status": status},
    )


def test_check_active_reverts_when_role_missing(cast: Cast) -> None:
    registry = cast.ledger.registry
    assert_reverts(
        cast,
        lambda: registry._call("checkActive", cast.chef.address, Role.AUDITOR.id),
        errors.RegistryUnauthorized,
        {"account": cast.chef.address, "role": role_hex(Role.AUDITOR)},
    )


def test_grant_role_reverts_always(cast: Cast) -> None:
    admin = cast.as_(cast.admin)
    assert_reverts(
        cast,
        lambda: raw_transact(admin, admin.registry, "grantRole", Role.ME.id, new_account().address),
        errors.RegistryUseAddMember,
        {},
    )


def test_revoke_role_reverts_when_caller_not_role_admin(cast: Cast) -> None:
    partner = cast.as_(cast.partners["platform"])
    assert_reverts(
        cast,
        lambda: raw_transact(
            partner, partner.registry, "revokeRole", Role.ME.id, cast.mes[2].address
        ),
        errors.RegistryUnauthorized,
        {"account": cast.partners["platform"].address, "role": role_hex(Role.OPERATOR)},
    )


def test_renounce_role_reverts_when_confirmation_is_another_account(cast: Cast) -> None:
    me = cast.as_(cast.mes[2])
    assert_reverts(
        cast,
        lambda: raw_transact(me, me.registry, "renounceRole", Role.ME.id, cast.mes[3].address),
        errors.AccessControlBadConfirmation,
        {},
    )


# -- SettlementToken ---------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["admin", "owner"])
def test_mint_and_burn_revert_when_caller_not_treasury(cast: Cast, caller: str) -> None:
    account = cast.admin if caller == "admin" else cast.owner
    token = cast.as_(account).token
    args = {"caller": account.address}
    assert_reverts(cast, lambda: token.mint(account.address, 1), errors.TokenNotTreasury, args)
    assert_reverts(cast, lambda: token.burn(1), errors.TokenNotTreasury, args)


def test_mint_and_burn_revert_when_amount_zero(cast: Cast) -> None:
    token = cast.as_(cast.treasury).token
    assert_reverts(cast, lambda: token.mint(cast.chef.address, 0), errors.TokenZeroAmount, {})
    assert_reverts(cast, lambda: token.burn(0), errors.TokenZeroAmount, {})


def test_mint_reverts_when_recipient_unregistered(cast: Cast) -> None:
    stranger = new_account().address
    token = cast.as_(cast.treasury).token
    assert_reverts(
        cast,
        lambda: token.mint(stranger, 100),
        errors.TokenTransferNotAllowed,
        {"from": ZERO_ADDRESS, "to": stranger},
    )


def test_transfer_reverts_when_recipient_unregistered(cast: Cast) -> None:
    stranger = new_account().address
    token = cast.as_(cast.owner).token
    assert_reverts(
        cast,
        lambda: token.transfer(stranger, 100),
        errors.TokenTransferNotAllowed,
        {"from": cast.owner.address, "to": stranger},
    )


def test_transfer_reverts_when_balance_short(cast: Cast) -> None:
    cast.mint(cast.chef.address, 500)
    token = cast.as_(cast.chef).token
    assert_reverts(
        cast,
        lambda: token.transfer(cast.mes[1].address, 501),
        errors.ERC20InsufficientBalance,
        {"sender": cast.chef.address, "balance": 500, "needed": 501},
    )


def test_burn_reverts_when_treasury_balance_short(cast: Cast) -> None:
    token = cast.as_(cast.treasury).token
    assert_reverts(
        cast,
        lambda: token.burn(1),
        errors.ERC20InsufficientBalance,
        {"sender": cast.treasury.address, "balance": 0, "needed": 1},
    )


def test_transfer_reverts_when_recipient_zero(cast: Cast) -> None:
    token = cast.as_(cast.owner).token
    assert_reverts(
        cast,
        lambda: token.transfer(ZERO_ADDRESS, 1),
        errors.ERC20InvalidReceiver,
        {"receiver": ZERO_ADDRESS},
    )


def test_approve_reverts_when_spender_zero(cast: Cast) -> None:
    token = cast.as_(cast.owner).token
    assert_reverts(
        cast,
        lambda: token.approve(ZERO_ADDRESS, 1),
        errors.ERC20InvalidSpender,
        {"spender": ZERO_ADDRESS},
    )


def test_settle_reverts_when_profit_not_approved(cast: Cast) -> None:
    # Ledger.settle approves first; the raw client call shows what a forgotten approval does.
    emc = cast.as_(cast.owner).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.settle(PeriodReport(1, 1, 250, 0, 250)),
        errors.ERC20InsufficientAllowance,
        {"spender": cast.base_emc, "allowance": 0, "needed": 250},
    )


# -- EMCFactory --------------------------------------------------------------------------


TERMS = EmcTerms(target_users=100, target_revenue=1_000_000, sharing_space=50_000, loss_threshold=1)


@pytest.mark.parametrize("owner", ["partner", "suspended_me", "unregistered", "operator"])
def test_create_emc_reverts_when_owner_not_active_me(cast: Cast, owner: str) -> None:
    if owner == "suspended_me":
        cast.as_(cast.admin).registry.suspend(cast.mes[2].address)
    address = {
        "partner": cast.partners["platform"].address,
        "suspended_me": cast.mes[2].address,
        "unregistered": new_account().address,
        "operator": cast.admin.address,
    }[owner]
    factory = cast.as_(cast.admin).factory
    assert_reverts(
        cast,
        lambda: factory.create_emc_with_terms(address, TERMS, TERMS_REASON),
        errors.FactoryOwnerNotMe,
        {"owner": address},
    )


@pytest.mark.parametrize(
    "terms",
    [
        EmcTerms(0, 1_000_000, 50_000, 1),
        EmcTerms(100, 0, 50_000, 1),
        EmcTerms(100, 1_000_000, 0, 1),
    ],
    ids=["users", "revenue", "space"],
)
def test_create_emc_reverts_when_a_term_is_zero(cast: Cast, terms: EmcTerms) -> None:
    factory = cast.as_(cast.admin).factory
    assert_reverts(
        cast,
        lambda: factory.create_emc_with_terms(cast.mes[2].address, terms, TERMS_REASON),
        errors.FactoryInvalidTerms,
        {
            "targetUsers": terms.target_users,
            "targetRevenue": terms.target_revenue,
            "sharingSpace": terms.sharing_space,
        },
    )


@pytest.mark.parametrize(
    ("low", "high"),
    [(0, 600), (0, 0), (601, 600), (1, 10_001), (10_001, 10_001)],
    ids=["min-zero", "both-zero", "min-above-max", "max-above-10000", "both-above-10000"],
)
def test_create_emc_reverts_when_partner_bounds_invalid(cast: Cast, low: int, high: int) -> None:
    terms = EmcTerms(100, 1_000_000, 50_000, 1, partner_min_bps=low, partner_max_bps=high)
    factory = cast.as_(cast.admin).factory
    assert_reverts(
        cast,
        lambda: factory.create_emc_with_terms(cast.mes[2].address, terms, TERMS_REASON),
        errors.FactoryInvalidPartnerBounds,
        {"min": low, "max": high},
    )


@pytest.mark.parametrize(("low", "high"), [(1, 1), (200, 600), (10_000, 10_000)])
def test_create_emc_accepts_partner_bounds_in_range(cast: Cast, low: int, high: int) -> None:
    terms = EmcTerms(100, 1_000_000, 50_000, 1, partner_min_bps=low, partner_max_bps=high)
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.mes[2].address, terms, TERMS_REASON
    )
    assert cast.ledger.emc(address).terms() == terms


def test_emc_at_reverts_when_index_out_of_range(cast: Cast) -> None:
    assert_reverts(
        cast,
        lambda: cast.ledger.factory.emc_at(1),
        errors.FactoryIndexOutOfRange,
        {"index": 1, "count": 1},
    )


# -- EMC: initialization and versions ------------------------------------------------------


@pytest.mark.parametrize("target", ["clone", "template"])
def test_initialize_reverts_when_caller_not_factory(cast: Cast, target: str) -> None:
    owner = cast.as_(cast.owner)
    emc = owner.emc(cast.base_emc)
    if target == "template":
        emc = type(emc)(
            cast.w3,
            cast.ledger.factory.implementation(),
            cast.artifacts,
            owner.decoder,
            owner.sender,
        )
    assert_reverts(
        cast,
        lambda: raw_transact(owner, emc, "initialize", cast.owner.address, TERMS.as_abi()),
        errors.EmcOnlyFactory,
        {"caller": cast.owner.address},
    )


def _owner(cast: Cast) -> Ledger:
    return cast.as_(cast.owner)


@pytest.mark.parametrize("total", [9_999, 10_001])
def test_propose_version_reverts_when_total_not_10000(cast: Cast, total: int) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    entries = [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, total - 1_000),
    ]
    assert_reverts(
        cast, lambda: emc.propose_version(entries), errors.EmcShareTotalNot100, {"totalBps": total}
    )


@pytest.mark.parametrize("count", [0, 257])
def test_propose_version_reverts_when_entry_count_out_of_range(cast: Cast, count: int) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    entries = [ShareEntry(cast.owner.address, ShareClass.OPERATING, 1)] * count
    assert_reverts(
        cast,
        lambda: emc.propose_version(entries),
        errors.EmcEntryCount,
        {"count": count, "max": 256},
    )


def test_propose_version_reverts_when_an_entry_has_zero_bps(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    zero = ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 0)
    entries = [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 9_000),
        zero,
    ]
    # The index is the entry's place in the canonical order the client sends.
    index = sorted(entries, key=lambda e: e.sort_key).index(zero)
    assert_reverts(
        cast, lambda: emc.propose_version(entries), errors.EmcZeroShare, {"index": index}
    )


@pytest.mark.parametrize("bps", [(4_000, 4_000), (3_000, 5_000)], ids=["same", "different"])
def test_propose_version_reverts_when_account_repeats_a_class(
    cast: Cast, bps: tuple[int, int]
) -> None:
    # The client sorts, so the repeated (account, class) arrives adjacent: entries 1 and 2.
    emc = _owner(cast).emc(cast.base_emc)
    entries = [
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, bps[0]),
        ShareEntry(cast.mes[1].address, ShareClass.OPERATING, 2_000),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, bps[1]),
    ]
    assert_reverts(
        cast,
        lambda: emc.propose_version(entries),
        errors.EmcDuplicateEntry,
        {"account": cast.mes[1].address, "class": ShareClass.VALUE_ADDED},
    )


@pytest.mark.parametrize("order", ["class", "account"])
def test_propose_version_reverts_when_entries_not_sorted(cast: Cast, order: str) -> None:
    # The client always sorts; a raw call shows what the contract does with any other order.
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    low, high = sorted((cast.mes[1].address, cast.mes[2].address), key=lambda a: int(a, 16))
    if order == "class":
        # ME 1, a member of the active version, so the accepted version below keeps it.
        first = ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 1_000)
        second = ShareEntry(cast.mes[1].address, ShareClass.OPERATING, 7_000)
    else:
        first = ShareEntry(high, ShareClass.OPERATING, 7_000)
        second = ShareEntry(low, ShareClass.OPERATING, 1_000)
    fund = ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000)
    entries = [fund.as_abi(), first.as_abi(), second.as_abi()]
    deadline = cast.w3.eth.get_block("latest")["timestamp"] + 3_600
    assert_reverts(
        cast,
        lambda: raw_transact(
            owner,
            emc,
            "proposeVersion",
            entries,
            bytes(32),
            deadline,
            emc.current_parties(),
            emc.current_roles().as_abi(),
        ),
        errors.EmcEntriesNotSorted,
        {"index": 2},
    )
    # The same entries in canonical order are accepted (with the active version's members,
    # whom a proposal cannot leave out).
    members = [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 500),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 500),
    ]
    version_id, _ = emc.propose_version([second, first, fund, *members])
    assert emc.version_entries(version_id) == sorted([fund, first, second, *members], key=_key)


def _key(entry: ShareEntry) -> tuple[int, int]:
    return entry.sort_key


@pytest.mark.parametrize("flaw", ["reserved bit 24", "reserved bit 95", "class 4", "class 255"])
def test_propose_version_reverts_when_an_entry_word_is_malformed(cast: Cast, flaw: str) -> None:
    # The client packs only well-formed words; a raw call shows the contract's own check.
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    entries = sorted(base_entries(cast), key=_key)
    words = [e.as_abi() for e in entries]
    index = next(i for i, e in enumerate(entries) if e.share_class is ShareClass.OPERATING)
    if flaw.startswith("reserved"):
        words[index] |= 1 << int(flaw.rsplit(" ", 1)[1])
    else:
        # Another class code, keeping the order (the class sits below the account).
        words[index] = words[index] & ~(0xFF << 16) | int(flaw.rsplit(" ", 1)[1]) << 16
    deadline = cast.w3.eth.get_block("latest")["timestamp"] + 3_600
    assert_reverts(
        cast,
        lambda: raw_transact(
            owner,
            emc,
            "proposeVersion",
            words,
            bytes(32),
            deadline,
            emc.current_parties(),
            emc.current_roles().as_abi(),
        ),
        errors.EmcMalformedEntry,
        {"index": index, "entry": words[index]},
    )


PARTNER_BOUNDS = EmcTerms(
    target_users=100,
    target_revenue=1_000_000,
    sharing_space=50_000,
    loss_threshold=1,
    partner_min_bps=200,
    partner_max_bps=600,
)


@pytest.mark.parametrize("bps", [1, 199, 601, 9_000])
def test_propose_version_reverts_when_partner_share_out_of_bounds(cast: Cast, bps: int) -> None:
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, PARTNER_BOUNDS, TERMS_REASON
    )
    emc = _owner(cast).emc(address)
    chef = cast.chef.address
    entries = [
        ShareEntry(chef, ShareClass.PARTNER, bps),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 10_000 - bps),
    ]
    assert_reverts(
        cast,
        lambda: emc.propose_version(entries),
        errors.EmcShareOutOfBounds,
        {"account": chef, "class": ShareClass.PARTNER, "bps": bps, "min": 200, "max": 600},
    )
    assert emc.version_count() == 0


@pytest.mark.parametrize("bps", [200, 600])
def test_propose_version_accepts_partner_share_at_bounds(cast: Cast, bps: int) -> None:
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, PARTNER_BOUNDS, TERMS_REASON
    )
    entries = [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, bps),
        # The bounds are the partner class's: the chef's value-added share is not bounded.
        ShareEntry(cast.chef.address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 9_000 - bps),
    ]
    version_id, _ = cast.agree(address, entries)
    assert cast.emc(address).shares_of(version_id, cast.chef.address) == {
        ShareClass.PARTNER: bps,
        ShareClass.VALUE_ADDED: 1_000,
    }


def test_propose_version_reverts_when_deadline_not_in_future(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    now = latest_timestamp(cast.w3)
    for deadline in (0, now - 1, now):
        assert_reverts(
            cast,
            lambda: emc.propose_version(base_entries(cast), deadline=deadline),  # noqa: B023
            errors.EmcDeadlinePassed,
            {"deadline": deadline, "nowTime": now},
        )
    # One second after the block that records the proposal is early enough.
    pin_next_timestamp(cast.w3, now + 1)
    version_id, _ = emc.propose_version(base_entries(cast), deadline=now + 2)
    assert emc.version(version_id).proposed_at == now + 1
    assert emc.version(version_id).deadline == now + 2


@pytest.mark.parametrize(
    ("who", "share_class"),
    [
        ("unregistered", ShareClass.OPERATING),
        ("partner", ShareClass.OPERATING),
        ("partner", ShareClass.VALUE_ADDED),
        ("me", ShareClass.PARTNER),
        ("auditor", ShareClass.VALUE_ADDED),
        ("suspended_me", ShareClass.VALUE_ADDED),
        ("zero", ShareClass.PARTNER),
        ("emc", ShareClass.OPERATING),
    ],
)
def test_propose_version_reverts_when_member_ineligible(
    cast: Cast, who: str, share_class: ShareClass
) -> None:
    if who == "suspended_me":
        cast.as_(cast.admin).registry.suspend(cast.mes[2].address)
    account = {
        "unregistered": new_account().address,
        "partner": cast.partners["duck_farm"].address,
        "me": cast.mes[2].address,
        "auditor": cast.auditor.address,
        "suspended_me": cast.mes[2].address,
        "zero": ZERO_ADDRESS,
        "emc": cast.base_emc,
    }[who]
    emc = _owner(cast).emc(cast.base_emc)
    entries = [
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 9_000),
        ShareEntry(account, share_class, 1_000),
    ]
    assert_reverts(
        cast,
        lambda: emc.propose_version(entries),
        errors.EmcIneligibleMember,
        {"account": account, "class": share_class},
    )


def test_propose_version_reverts_when_dev_fund_names_a_wallet(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    entries = [
        ShareEntry(cast.owner.address, ShareClass.OPERATING, 9_000),
        ShareEntry(cast.mes[2].address, ShareClass.DEV_FUND, 1_000),
    ]
    assert_reverts(
        cast,
        lambda: emc.propose_version(entries),
        errors.EmcDevFundAccount,
        {"account": cast.mes[2].address},
    )


@pytest.mark.parametrize("version_id", [0, 3])
def test_activate_version_reverts_when_version_unknown(cast: Cast, version_id: int) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    signatures = cast.sign(emc, 2)
    args = {"versionId": version_id}
    assert_reverts(
        cast, lambda: emc.activate_version(version_id, signatures), errors.EmcUnknownVersion, args
    )
    assert_reverts(cast, lambda: emc.version(version_id), errors.EmcUnknownVersion, args)
    assert_reverts(cast, lambda: emc.version_entries(version_id), errors.EmcUnknownVersion, args)
    assert_reverts(cast, lambda: emc.version_digest(version_id), errors.EmcUnknownVersion, args)
    assert_reverts(
        cast, lambda: emc.shares_of(version_id, cast.chef.address), errors.EmcUnknownVersion, args
    )


def test_activate_version_reverts_when_version_active_or_superseded(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    v1_signatures = cast.sign(emc, 1)
    v2_signatures = cast.sign(emc, 2)
    assert_reverts(
        cast,
        lambda: emc.activate_version(1, v1_signatures),
        errors.EmcVersionNotProposed,
        {"versionId": 1, "status": VersionStatus.ACTIVE},
    )
    emc.activate_version(2, v2_signatures)
    assert_reverts(
        cast,
        lambda: emc.activate_version(1, v1_signatures),
        errors.EmcVersionNotProposed,
        {"versionId": 1, "status": VersionStatus.SUPERSEDED},
    )
    assert_reverts(
        cast,
        lambda: emc.activate_version(2, v2_signatures),
        errors.EmcVersionNotProposed,
        {"versionId": 2, "status": VersionStatus.ACTIVE},
    )


def test_activate_version_reverts_when_deadline_passed(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    deadline = cast.w3.eth.get_block("latest")["timestamp"] + 600
    version_id, _ = emc.propose_version(base_entries(cast), deadline=deadline)
    signatures = cast.sign(emc, version_id)
    now = increase_time(cast.w3, 601)
    assert now > deadline
    assert_reverts(
        cast,
        lambda: emc.activate_version(version_id, signatures),
        errors.EmcDeadlinePassed,
        {"deadline": deadline, "nowTime": now},
    )
    assert emc.version(version_id).status is VersionStatus.PROPOSED


def test_activate_version_succeeds_at_the_deadline(cast: Cast) -> None:
    # The deadline is the last second at which the version can still be activated.
    emc = _owner(cast).emc(cast.base_emc)
    deadline = cast.w3.eth.get_block("latest")["timestamp"] + 600
    version_id, _ = emc.propose_version(base_entries(cast), deadline=deadline)
    signatures = cast.sign(emc, version_id)
    pin_next_timestamp(cast.w3, deadline)
    emc.activate_version(version_id, signatures)
    assert emc.version(version_id).activated_at == deadline
    assert emc.active_version_id() == version_id


def test_activate_version_reverts_when_another_version_activated_since_proposal(
    cast: Cast,
) -> None:
    # Version 2 was proposed against one activation; version 3 activates first.
    emc = _owner(cast).emc(cast.base_emc)
    v2_signatures = cast.sign(emc, 2)
    version_id, _ = cast.agree(cast.base_emc, base_entries(cast))
    assert version_id == 3
    assert_reverts(
        cast,
        lambda: emc.activate_version(2, v2_signatures),
        errors.EmcVersionStale,
        {"versionId": 2, "nonce": 1, "current": 2},
    )
    assert emc.version(2).status is VersionStatus.PROPOSED


@pytest.mark.parametrize("given", [0, 2])
def test_activate_version_reverts_when_signatures_are_missing(cast: Cast, given: int) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    # Version 2 names three parties: the chef, the owner and ME 1 (the fund signs nothing).
    assert emc.version(2).party_count == 3
    chosen = cast.sign(emc, 2)[:given]
    assert_reverts(
        cast,
        lambda: emc.activate_version(2, chosen),
        errors.EmcSignatureCount,
        {"given": given, "needed": 3},
    )


def test_activate_version_reverts_when_bytes_follow_the_signatures(cast: Cast) -> None:
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    signatures = cast.sign(emc, 2)
    extra = sign_version(cast.mes[5], emc.typed_data(2))
    # A fourth signature: the first three fixed parts are read, the rest is left over.
    assert_reverts(
        cast,
        lambda: emc.activate_version(2, [*signatures, extra]),
        errors.EmcSignaturesLength,
        {"length": 4 * 65, "expected": 3 * 65},
    )
    # One stray byte after three good signatures.
    packed = pack_signatures(signatures, emc.version_digest(2))
    assert_reverts(
        cast,
        lambda: raw_transact(
            owner, emc, "activateVersion", 2, packed + b"\x00", emc.share_tree(2).roles.as_abi()
        ),
        errors.EmcSignaturesLength,
        {"length": 3 * 65 + 1, "expected": 3 * 65},
    )
    emc.activate_version(2, signatures)
    assert emc.active_version_id() == 2


def test_activate_version_reverts_when_signers_not_sorted(cast: Cast) -> None:
    # The client sorts signatures; a raw call shows the contract's own check.
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    signatures = cast.sign(emc, 2)  # in signing order, ascending
    swapped = b"".join(s.signature for s in (signatures[0], signatures[2], signatures[1]))
    assert_reverts(
        cast,
        lambda: raw_transact(
            owner, emc, "activateVersion", 2, swapped, emc.share_tree(2).roles.as_abi()
        ),
        errors.EmcSignersNotSorted,
        {"index": 2},
    )


def test_activate_version_reverts_when_signer_not_a_party(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    outsider = cast.mes[5]
    signatures = cast.sign(emc, 2, [cast.chef, cast.owner, outsider])
    assert_reverts(
        cast,
        lambda: emc.activate_version(2, signatures),
        errors.EmcSignersNotParties,
        {"versionId": 2},
    )


def test_epoch_version_reverts_for_an_epoch_not_activated(cast: Cast) -> None:
    emc = cast.emc()
    assert emc.active_version_id() == 1
    with pytest.raises(errors.EmcUnknownEpoch) as info:
        emc.epoch_version(1)
    assert info.value.args_by_name == {"epoch": 1, "count": 1}
    assert emc.epoch_version(0) == 1


def test_activate_version_reverts_when_signature_does_not_verify(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    signatures = cast.sign(emc, 2)
    # ME 1 signed version 1 instead of version 2: not recovering to ME 1, the SDK sends it
    # as a contract wallet's, which ME 1 (a key, no code) is not.
    wrong = sign_version(cast.mes[1], emc.typed_data(1))
    forged = [wrong if s.signer == cast.mes[1].address else s for s in signatures]
    index = emc.parties(2).index(cast.mes[1].address)
    assert_reverts(
        cast,
        lambda: emc.activate_version(2, forged),
        errors.EmcInvalidSignature,
        {"versionId": 2, "index": index, "signer": cast.mes[1].address},
    )


# -- EMC: settlement, claims, development fund -------------------------------------------


def test_settle_reverts_when_no_version_active(cast: Cast) -> None:
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, TERMS, TERMS_REASON
    )
    owner = _owner(cast)
    emc = owner.emc(address)
    emc.propose_version(base_entries(cast))
    assert_reverts(
        cast,
        lambda: owner.settle(emc, PeriodReport(1, 1, 1, 0, 100)),
        errors.EmcNoActiveVersion,
        {},
    )
    assert emc.totals().periods == 0


def test_withdraw_reverts_when_amount_zero(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.withdraw_dev_fund(cast.mes[1].address, 0, PURPOSE),
        errors.EmcZeroAmount,
        {},
    )


def test_settle_reverts_when_cumulative_profit_exceeds_max(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    profit = MAX_CUMULATIVE - BASE_PROFIT + 1
    assert_reverts(
        cast,
        lambda: emc.settle(PeriodReport(0, 0, profit, 0, profit)),
        errors.EmcAmountTooLarge,
        {"value": MAX_CUMULATIVE + 1, "max": MAX_CUMULATIVE},
    )


def test_settle_accepts_cumulative_profit_at_max(cast: Cast) -> None:
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    profit = MAX_CUMULATIVE - BASE_PROFIT
    cast.mint(cast.owner.address, profit)
    owner.settle(emc, PeriodReport(0, 0, profit, 0, profit))
    assert emc.totals().profit == MAX_CUMULATIVE
    # Chef: 1,000 bps of everything; the remainder of 1,000 * (2**72 - 1) stays as dust.
    amount, _ = cast.as_(cast.chef).emc(cast.base_emc).claim()
    assert amount == 1_000 * MAX_CUMULATIVE // 10_000
    dust = 1_000 * MAX_CUMULATIVE % 10_000
    assert emc.position(cast.chef.address) == Position(0, 0, amount, dust)


@pytest.mark.parametrize("users", [2**56 - 10, 2**64 - 1], ids=["by-one", "uint64"])
def test_settle_reverts_when_cumulative_users_overflow(cast: Cast, users: int) -> None:
    # The base period brought 10 users; cumulative users are kept in a uint56.
    emc = _owner(cast).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.settle(PeriodReport(users, 0, 1, 0, 1)),
        errors.SafeCastOverflowedUintDowncast,
        {"bits": 56, "value": users + 10},
    )


def test_settle_accepts_cumulative_users_at_uint56_max(cast: Cast) -> None:
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    owner.settle(emc, PeriodReport(2**56 - 1 - 10, 0, 1, 0, 1))
    assert emc.totals().users == 2**56 - 1


@pytest.mark.parametrize("revenue", [2**96 - BASE_PROFIT, 2**128 - 1], ids=["by-one", "uint128"])
def test_settle_reverts_when_cumulative_revenue_exceeds_uint96(cast: Cast, revenue: int) -> None:
    # The base period's revenue was 1,000,000 fen; cumulative revenue must fit uint96.
    emc = _owner(cast).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.settle(PeriodReport(0, 0, revenue, 0, 1)),
        errors.EmcAmountTooLarge,
        {"value": BASE_PROFIT + revenue, "max": MAX_REVENUE},
    )


def test_settle_accepts_cumulative_revenue_at_uint96_max(cast: Cast) -> None:
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    owner.settle(emc, PeriodReport(0, 0, MAX_REVENUE - BASE_PROFIT, 0, 1))
    assert emc.totals().revenue == MAX_REVENUE


def test_settle_reverts_when_profit_overflows_uint128(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    profit = 2**128 - 1
    assert_reverts(
        cast,
        lambda: emc.settle(PeriodReport(0, 0, profit, 0, profit)),
        errors.EmcAmountTooLarge,
        {"value": BASE_PROFIT + profit, "max": MAX_CUMULATIVE},
    )


@pytest.mark.parametrize("who", ["locked_only", "never_named", "already_claimed"])
def test_claim_reverts_when_nothing_claimable(cast: Cast, who: str) -> None:
    account = {
        "locked_only": cast.mes[1],
        "never_named": cast.auditor,
        "already_claimed": cast.chef,
    }[who]
    emc = cast.as_(account).emc(cast.base_emc)
    if who == "already_claimed":
        assert emc.claim()[0] == 100_000
    assert_reverts(cast, emc.claim, errors.EmcNothingToClaim, {"account": account.address})


def test_withdraw_dev_fund_reverts_when_fund_short(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    # The fund holds 1,000 bps of the base period's 1,000,000 fen.
    assert_reverts(
        cast,
        lambda: emc.withdraw_dev_fund(cast.mes[1].address, 100_001, PURPOSE),
        errors.EmcDevFundInsufficient,
        {"requested": 100_001, "available": 100_000},
    )
    emc.withdraw_dev_fund(cast.mes[1].address, 60_000, PURPOSE)
    assert_reverts(
        cast,
        lambda: emc.withdraw_dev_fund(cast.mes[1].address, 40_001, PURPOSE),
        errors.EmcDevFundInsufficient,
        {"requested": 40_001, "available": 40_000},
    )


def test_register_system_contract_reverts_when_caller_not_registrar(cast: Cast) -> None:
    partner = cast.as_(cast.partners["platform"])
    assert_reverts(
        cast,
        lambda: raw_transact(
            partner, partner.token, "registerSystemContract", cast.partners["chef"].address
        ),
        errors.TokenNotRegistrar,
        {"caller": cast.partners["platform"].address},
    )


def test_register_system_contract_reverts_when_account_not_contract(cast: Cast) -> None:
    registrar = new_account()
    cast.as_(cast.admin).registry.add_member(registrar.address, Role.REGISTRAR)
    wallet = cast.as_(registrar)
    stranger = new_account().address
    assert_reverts(
        cast,
        lambda: raw_transact(wallet, wallet.token, "registerSystemContract", stranger),
        errors.TokenNotContract,
        {"account": stranger},
    )
    assert not cast.ledger.token.contract.functions.isSystemContract(stranger).call()


def test_withdraw_dev_fund_reverts_when_recipient_zero(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    assert_reverts(
        cast, lambda: emc.withdraw_dev_fund(ZERO_ADDRESS, 1, PURPOSE), errors.EmcZeroAddress, {}
    )


def test_withdraw_dev_fund_reverts_when_recipient_unregistered(cast: Cast) -> None:
    stranger = new_account().address
    emc = _owner(cast).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.withdraw_dev_fund(stranger, 1, PURPOSE),
        errors.EmcRecipientNotAllowed,
        {"to": stranger},
    )


def test_withdraw_dev_fund_reverts_when_recipient_is_an_rdh_chain_contract(cast: Cast) -> None:
    # The token lets an EMC pay another EMC; the fund's credit must reach a member's hands.
    other, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, TERMS, TERMS_REASON
    )
    emc = _owner(cast).emc(cast.base_emc)
    for to in (other, cast.base_emc):
        assert_reverts(
            cast,
            lambda: emc.withdraw_dev_fund(to, 1, PURPOSE),  # noqa: B023
            errors.EmcRecipientNotAllowed,
            {"to": to},
        )


@pytest.mark.parametrize("who", ["chef", "auditor", "suspended_owner", "suspended_treasury"])
def test_sweep_reverts_when_caller_neither_active_owner_nor_treasurer(cast: Cast, who: str) -> None:
    cast.as_(cast.owner).token.transfer(cast.base_emc, 500)  # something to sweep
    registry = cast.as_(cast.admin).registry
    if who == "suspended_owner":
        registry.suspend(cast.owner.address)
    if who == "suspended_treasury":
        registry.suspend(cast.treasury.address)
    caller = {
        "chef": cast.chef,
        "auditor": cast.auditor,
        "suspended_owner": cast.owner,
        "suspended_treasury": cast.treasury,
    }[who]
    emc = cast.as_(caller).emc(cast.base_emc)
    assert emc.sweepable() == 500
    assert_reverts(
        cast,
        emc.sweep,
        errors.EmcNotSweeper,
        {"caller": caller.address, "owner": cast.owner.address},
    )


@pytest.mark.parametrize("who", ["owner", "treasury"])
def test_sweep_reverts_when_nothing_held_above_debts(cast: Cast, who: str) -> None:
    emc = cast.as_(cast.owner if who == "owner" else cast.treasury).emc(cast.base_emc)
    assert emc.sweepable() == 0
    assert_reverts(cast, emc.sweep, errors.EmcNothingToSweep, {})
    # What the members are owed stays put however it is claimed.
    cast.as_(cast.chef).emc(cast.base_emc).claim()
    assert_reverts(cast, emc.sweep, errors.EmcNothingToSweep, {})
    cast.as_(cast.owner).token.transfer(cast.base_emc, 1)
    assert emc.sweep()[0] == 1
    assert_reverts(cast, emc.sweep, errors.EmcNothingToSweep, {})


# -- Losses, capital and departures ------------------------------------------------------

REASON = keccak(text="missed three deliveries")


def test_settle_reverts_when_loss_period_deposits_profit(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.settle(PeriodReport(1, 1, 100, 300, 5)),
        errors.EmcProfitWithLoss,
        {"profit": 5, "loss": 200},
    )


def test_settle_reverts_when_profit_exceeds_margin(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.settle(PeriodReport(1, 1, 100, 50, 51)),
        errors.EmcProfitAboveMargin,
        {"profit": 51, "margin": 50},
    )


def test_settle_accepts_a_break_even_period_without_deposit(cast: Cast) -> None:
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    held = cast.balance(cast.base_emc)
    owner.settle(emc, PeriodReport(7, 7, 500, 500, 0))
    totals = emc.totals()
    assert (totals.periods, totals.users, totals.profit) == (2, 17, BASE_PROFIT)
    assert cast.balance(cast.base_emc) == held
    assert emc.capital_totals().losses == 0


def test_create_emc_reverts_when_loss_threshold_zero(cast: Cast) -> None:
    factory = cast.as_(cast.admin).factory
    assert_reverts(
        cast,
        lambda: factory.create_emc_with_terms(
            cast.owner.address, replace(TERMS, loss_threshold=0), TERMS_REASON
        ),
        errors.FactoryZeroLossThreshold,
        {},
    )


def test_create_emc_reverts_when_notice_bound_zero(cast: Cast) -> None:
    factory = cast.as_(cast.admin).factory
    assert_reverts(
        cast,
        lambda: factory.create_emc_with_terms(
            cast.owner.address, replace(TERMS, max_notice_periods=0), TERMS_REASON
        ),
        errors.FactoryZeroNoticeBound,
        {},
    )


def test_invest_reverts_for_a_party_of_an_earlier_version_only(cast: Cast) -> None:
    # ME 2 was a party of version 3 only; version 4 (the base entries) leaves it out.
    entries = [
        *base_entries(cast)[:2],
        ShareEntry(cast.mes[2].address, ShareClass.OPERATING, 1_000),
    ]
    entries[1] = ShareEntry(cast.owner.address, ShareClass.OPERATING, 6_000)
    entries += [
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    cast.agree(cast.base_emc, entries)
    me2 = cast.as_(cast.mes[2])
    cast.mint(cast.mes[2].address, 2_000)
    me2.invest(me2.emc(cast.base_emc), 1_000)
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    emc.terminate(cast.mes[2].address, 1, REASON)
    owner.settle(emc, PeriodReport(1, 1, 100, 0, 100))
    cast.agree(cast.base_emc, base_entries(cast))
    me2.token.approve(cast.base_emc, 1_000)
    assert_reverts(
        cast,
        lambda: me2.emc(cast.base_emc).invest(1_000),
        errors.EmcNotAMember,
        {"account": cast.mes[2].address},
    )


def test_invest_and_notice_revert_for_an_account_outside_the_emc(cast: Cast) -> None:
    outsider = cast.mes[5]
    cast.mint(outsider.address, 1_000)
    cast.as_(outsider).token.approve(cast.base_emc, 1_000)
    assert_reverts(
        cast,
        lambda: cast.as_(outsider).emc(cast.base_emc).invest(1_000),
        errors.EmcNotAMember,
        {"account": outsider.address},
    )
    assert_reverts(
        cast,
        lambda: _owner(cast).emc(cast.base_emc).terminate(outsider.address, 1, REASON),
        errors.EmcNotAMember,
        {"account": outsider.address},
    )
    assert_reverts(
        cast,
        lambda: cast.as_(outsider).emc(cast.base_emc).resign(1, REASON),
        errors.EmcNotAMember,
        {"account": outsider.address},
    )


def test_notice_reverts_for_the_owner(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    owner = cast.owner.address
    assert_reverts(
        cast,
        lambda: emc.terminate(owner, 1, REASON),
        errors.EmcOwnerCannotDepart,
        {"account": owner},
    )
    assert_reverts(
        cast, lambda: emc.resign(1, REASON), errors.EmcOwnerCannotDepart, {"account": owner}
    )


@pytest.mark.parametrize("notice", [0, 13, 2**32 - 1])
def test_notice_reverts_when_out_of_bounds(cast: Cast, notice: int) -> None:
    # The base EMC's terms allow notices of 1 to 12 periods (the default bound).
    assert BASE_TERMS.max_notice_periods == 12
    bounds = {"noticePeriods": notice, "min": 1, "max": 12}
    emc = _owner(cast).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.terminate(cast.chef.address, notice, REASON),
        errors.EmcNoticeOutOfBounds,
        bounds,
    )
    chef = cast.as_(cast.chef).emc(cast.base_emc)
    assert_reverts(cast, lambda: chef.resign(notice, REASON), errors.EmcNoticeOutOfBounds, bounds)


def test_notice_reverts_when_shorter_than_one_period(cast: Cast) -> None:
    emc = _owner(cast).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.terminate(cast.chef.address, 0, REASON),
        errors.EmcNoticeOutOfBounds,
        {"noticePeriods": 0, "min": 1, "max": 12},
    )


@pytest.mark.parametrize("bound", [1, 12, 65_535])
def test_notice_accepts_the_terms_longest_notice(cast: Cast, bound: int) -> None:
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, replace(BASE_TERMS, max_notice_periods=bound), TERMS_REASON
    )
    cast.agree(address, base_entries(cast))
    emc = cast.emc(address)
    assert_reverts(
        cast,
        lambda: emc.terminate(cast.chef.address, bound + 1, REASON),
        errors.EmcNoticeOutOfBounds,
        {"noticePeriods": bound + 1, "min": 1, "max": bound},
    )
    emc.terminate(cast.chef.address, bound, REASON)
    assert emc.departure_of(cast.chef.address).effective_period == bound


def test_terminate_reverts_for_the_zero_address(cast: Cast) -> None:
    # The development fund's entry names account zero, a party of every version with a fund.
    emc = _owner(cast).emc(cast.base_emc)
    assert_reverts(cast, lambda: emc.terminate(ZERO_ADDRESS, 1, REASON), errors.EmcZeroAddress, {})


def test_resign_reverts_when_the_member_is_suspended(cast: Cast) -> None:
    cast.as_(cast.admin).registry.suspend(cast.chef.address)
    chef = cast.as_(cast.chef).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: chef.resign(1, REASON),
        errors.EmcCallerNotActive,
        {"caller": cast.chef.address},
    )


def test_notice_reverts_when_already_given(cast: Cast) -> None:
    _owner(cast).emc(cast.base_emc).terminate(cast.chef.address, 2, REASON)
    # One period is settled in the base EMC, so a two-period notice runs out after period 3.
    assert_reverts(
        cast,
        lambda: cast.as_(cast.chef).emc(cast.base_emc).resign(1, REASON),
        errors.EmcAlreadyDeparting,
        {"account": cast.chef.address, "effectivePeriod": 3},
    )


def test_notice_can_only_be_shortened_and_only_by_the_owner(cast: Cast) -> None:
    owner = _owner(cast).emc(cast.base_emc)
    chef = cast.as_(cast.chef).emc(cast.base_emc)
    chef.resign(3, REASON)  # one period settled: effective after period 4
    for action in (
        lambda: chef.resign(1, REASON),  # a member gives notice once, even a shorter one
        lambda: owner.terminate(cast.chef.address, 3, REASON),  # the same end
        lambda: owner.terminate(cast.chef.address, 4, REASON),  # a later end
    ):
        assert_reverts(
            cast,
            action,
            errors.EmcAlreadyDeparting,
            {"account": cast.chef.address, "effectivePeriod": 4},
        )
    owner.terminate(cast.chef.address, 2, REASON)
    departure = owner.departure_of(cast.chef.address)
    assert (departure.effective_period, departure.by_owner) == (3, True)
    assert_reverts(
        cast,
        lambda: owner.terminate(cast.chef.address, 2, REASON),
        errors.EmcAlreadyDeparting,
        {"account": cast.chef.address, "effectivePeriod": 3},
    )


def _without_chef(cast: Cast) -> list[ShareEntry]:
    return [
        ShareEntry(cast.mes[0].address, ShareClass.OPERATING, 8_000),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]


def test_propose_reverts_when_a_member_is_left_out_before_its_notice_runs_out(cast: Cast) -> None:
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    chef = cast.chef.address
    assert_reverts(
        cast,
        lambda: emc.propose_version(_without_chef(cast)),
        errors.EmcMemberLeftOut,
        {"account": chef, "effectivePeriod": 0},
    )
    emc.terminate(chef, 1, REASON)
    assert_reverts(
        cast,
        lambda: emc.propose_version(_without_chef(cast)),
        errors.EmcMemberLeftOut,
        {"account": chef, "effectivePeriod": 2},
    )
    owner.settle(emc, PeriodReport(1, 1, 100, 0, 100))
    version_id, _ = emc.propose_version(_without_chef(cast))
    assert chef not in emc.parties(version_id)


def test_propose_reverts_when_naming_a_departed_member(cast: Cast) -> None:
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    cast.as_(cast.chef).emc(cast.base_emc).resign(1, REASON)
    owner.settle(emc, PeriodReport(1, 1, 100, 0, 100))
    assert_reverts(
        cast,
        lambda: emc.propose_version(base_entries(cast)),
        errors.EmcMemberDeparted,
        {"account": cast.chef.address, "effectivePeriod": 2},
    )


def test_invest_reverts_for_a_departed_member(cast: Cast) -> None:
    chef = cast.as_(cast.chef)
    chef.emc(cast.base_emc).resign(1, REASON)
    owner = _owner(cast)
    owner.settle(owner.emc(cast.base_emc), PeriodReport(1, 1, 100, 0, 100))
    cast.mint(cast.chef.address, 1_000)
    chef.token.approve(cast.base_emc, 1_000)
    assert_reverts(
        cast,
        lambda: chef.emc(cast.base_emc).invest(1_000),
        errors.EmcMemberDeparted,
        {"account": cast.chef.address, "effectivePeriod": 2},
    )


def test_a_dissolved_emc_accepts_nothing_new(cast: Cast) -> None:
    owner = _owner(cast)
    emc = owner.emc(cast.base_emc)
    # Losses reaching the threshold (10,000,000 fen) dissolve the EMC in the same settlement.
    owner.settle(emc, PeriodReport(1, 1, 0, BASE_TERMS.loss_threshold, 0))
    assert emc.status() == EmcStatus.DISSOLVED
    wrong = {"actual": EmcStatus.DISSOLVED, "expected": EmcStatus.ACTIVE}
    actions: list[Callable[[], object]] = [
        lambda: emc.settle(PeriodReport(1, 1, 100, 0, 100)),
        lambda: emc.settle(PeriodReport(1, 1, 0, 100, 0)),
        lambda: emc.propose_version(base_entries(cast)),
        lambda: emc.activate_version(2, []),
        lambda: emc.terminate(cast.chef.address, 1, REASON),
        lambda: emc.open_bid_round(2**40, 2**41),
        lambda: cast.as_(cast.mes[1]).emc(cast.base_emc).invest(1),
        lambda: cast.as_(cast.chef).emc(cast.base_emc).resign(1, REASON),
    ]
    for action in actions:
        assert_reverts(cast, action, errors.EmcWrongStatus, wrong)


def test_claim_capital_reverts_while_active_and_when_nothing_held(cast: Cast) -> None:
    emc = cast.as_(cast.mes[1]).emc(cast.base_emc)
    assert_reverts(
        cast,
        emc.claim_capital,
        errors.EmcWrongStatus,
        {"actual": EmcStatus.ACTIVE, "expected": EmcStatus.DISSOLVED},
    )
    owner = _owner(cast)
    owner.settle(owner.emc(cast.base_emc), PeriodReport(1, 1, 0, BASE_TERMS.loss_threshold, 0))
    assert_reverts(
        cast, emc.claim_capital, errors.EmcNothingToClaim, {"account": cast.mes[1].address}
    )
