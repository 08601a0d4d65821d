// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {PartyRoles, ShareEntry} from "../../../contracts/types/Shares.sol";
import {Entries} from "../utils/Entries.sol";
import {EMCLifecycleChecks} from "./EMCLifecycleChecks.sol";

/// @notice The EMC's money rules, checked after every handler call (see `EMCHandler` for the
/// calls and `EMCInvariantBase` for each rule). One campaign checks them all from one read
/// of the EMC's views, so that each handler call is paid for once; this is the campaign that
/// makes the 100,000 calls in CI.
contract EMCMoneyInvariants is EMCLifecycleChecks {
    function invariant_moneyRules() public view {
        State memory s = _read();
        _checkConservation(s);
        _checkEntitlements(s);
        _checkPool(s);
        _checkTotalsAndCapital(s);
        _checkCapitalAccounts(s);
        _checkActiveVersion(s);
        _checkVersionHeaders(false);
    }

    function afterInvariant() public {
        _logStats("money", handler);
    }
}

/// @notice The lifecycle rules, checked after every handler call: notices, the active version's
/// entries (the handler's: the EMC keeps only their commitments) and every version's header
/// against the tree built again from its entries, bid rounds, a dissolved EMC accepts nothing
/// new, and liveness: without the admin (the owner and the parties in good standing agree a
/// version leaving out the suspended, the role-less and the departed), and of the registry
/// (the admin recovers it, then the owner and every party agree a version). The probes
/// propose, sign and activate inside a snapshot, so a call costs several times a money check:
/// this campaign makes fewer calls.
contract EMCLifecycleInvariants is EMCLifecycleChecks {
    /// forge-config: default.invariant.runs = 8
    /// forge-config: ci.invariant.runs = 100
    function invariant_lifecycleRules() public {
        _checkNotices();
        _checkActiveEntries();
        _checkVersionHeaders(true);
        _checkBidRounds();
        _checkDissolvedAcceptsNothingNew();
        _checkLivenessWithoutAdmin();
        _checkRegistryRecoverable();
    }

    function afterInvariant() public {
        _logStats("lifecycle", handler);
    }

    /// @notice A member of the active version is suspended (no notice): the owner and the
    /// others agree a version without it at once.
    function test_suspendedMemberCanBeLeftOut() public {
        handler.start(true);
        vm.warp(handler.now_());
        address member = _firstMemberOtherThan(handler.owner());
        vm.prank(handler.admin());
        registry.suspendMember(member, bytes32("suspended"));
        _agreeContinuation(true, "liveness without the admin");
    }

    /// @notice A member of the active version renounces its role: likewise.
    function test_memberWithoutItsRoleCanBeLeftOut() public {
        handler.start(true);
        vm.warp(handler.now_());
        address member = _firstMemberOtherThan(handler.owner());
        bytes32 role = handler.roleOf(member);
        vm.prank(member);
        (bool ok,) = address(registry).call(abi.encodeWithSignature("renounceRole(bytes32,address)", role, member));
        assertTrue(ok, "renounceRole failed");
        _agreeContinuation(true, "liveness without the admin");
    }

    /// @notice A party that lost its role after the proposal makes activation fail with
    /// `EmcPartyNotActive`, although its signature is good.
    function test_activationRefusesPartyThatLostItsRoleAfterTheProposal() public {
        handler.start(true);
        vm.warp(handler.now_());
        (ShareEntry[] memory entries, address[] memory parties) = _continuation(false);
        address[] memory current = _activeParties();
        PartyRoles memory roles = _activeRoles(); // read before the prank, which the next call takes
        vm.prank(handler.owner());
        uint256 id =
            emc.proposeVersion(Entries.pack(entries), bytes32("v"), uint48(block.timestamp + 1 days), current, roles);
        address member = parties[parties.length - 1] == handler.owner() ? parties[0] : parties[parties.length - 1];
        bytes32 role = handler.roleOf(member);
        vm.prank(handler.admin());
        (bool ok,) = address(registry).call(abi.encodeWithSignature("revokeRole(bytes32,address)", role, member));
        assertTrue(ok, "revokeRole failed");
        (bool activated, bytes memory ret) =
            address(emc).call(abi.encodeCall(IEMC.activateVersion, (id, _packedSignatures(id, parties), _rolesOf(entries))));
        assertTrue(!activated, "activated with a party that lost its role");
        assertTrue(
            keccak256(ret) == keccak256(abi.encodeWithSelector(IEMCErrors.EmcPartyNotActive.selector, id, member)),
            string.concat("refused with ", _describe(ret), " not EmcPartyNotActive")
        );
    }
}
