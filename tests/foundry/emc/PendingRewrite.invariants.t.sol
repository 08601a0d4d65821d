// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {EmcStatus} from "../../../contracts/types/Shares.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {EMCGhost} from "./EMCGhost.sol";
import {EMCInvariantBase} from "./EMCInvariantBase.sol";

/// @notice Rules the audit rewrite of the EMC introduces, which today's contracts break.
/// `make test` leaves this contract out (`--no-match-contract PendingRewrite`); `make
/// test-forge-pending` runs it. Once the rewrite lands, drop the filter from the Makefile
/// (and adapt the handler where it says `REWRITE:`).
contract PendingRewriteInvariants is EMCInvariantBase {
    /// @notice Liveness without the admin: whenever the EMC is active and its owner is, the
    /// owner can propose a version leaving out every member whose notice ran out and every
    /// member that is suspended or lost its role, and the remaining (active) parties can
    /// activate it. Today a restricted member of the active version can be neither left out
    /// (`EmcMemberLeftOut`) nor named (`EmcIneligibleMember`), so no version can be agreed
    /// until the admin reinstates it.
    function invariant_pending_ownerAndActivePartiesCanAgreeAVersion() public atHandlerTime {
        if (emc.status() != EmcStatus.Active || !registry.isActive(handler.owner(), Roles.ME)) return;
        uint256 snapshot = vm.snapshotState();
        _agreeContinuation(true, "liveness without recovery");
        vm.revertToStateAndDelete(snapshot);
    }

    /// @notice The value-added pool is capped by the terms' sharing space: the members'
    /// value-added credit (booked by the EMC beyond their partner, operating and fund
    /// credit) never exceeds it; the excess goes to the development fund. Today the pool is
    /// its bps of every profit, however large.
    function invariant_pending_valueAddedPoolWithinSharingSpace() public view {
        EMCGhost.AccountBook[] memory books = handler.accountBooks(accounts);
        uint256 valueAdded;
        for (uint256 i = 1; i < accounts.length; ++i) {
            IEMC.AccountView memory v = emc.accountOf(accounts[i]);
            valueAdded += BPS * (v.paid + v.claimable + v.locked) + v.dust - books[i].freeCredit;
        }
        assertLe(valueAdded, BPS * terms.sharingSpace, "value-added pool above the sharing space (1/10,000 fen)");
    }

    /// @notice A role revocation counts as a restriction (`restrictions()`): a version whose
    /// party lost its role after the proposal cannot be activated. Today only suspensions
    /// make activation check the parties again.
    function invariant_pending_activationRefusesRevokedParties() public view {
        assertTrue(
            !handler.ghostActivatedWithRevokedParty(), "a version was activated with a party whose role was revoked"
        );
    }

    /// @notice The brief's case, as a plain test: a member of the active version is suspended
    /// (no notice); the owner and the others must still be able to agree a version without
    /// it. Today: `EmcMemberLeftOut`.
    function test_pending_suspendedMemberCanBeLeftOut() public {
        vm.warp(handler.now_());
        address member = _firstMemberOtherThan(handler.owner());
        vm.prank(handler.admin());
        registry.suspendMember(member, bytes32("suspended"));
        _agreeContinuation(true, "liveness without recovery");
    }
}
