// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {IEMCModule} from "../../../contracts/interfaces/IEMCModule.sol";
import {IMemberRegistry} from "../../../contracts/interfaces/IMemberRegistry.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {SharePath} from "../../../contracts/types/Shares.sol";
import {EMCHandlerBids} from "./EMCHandlerBids.sol";

/// @notice The handler's departures (notices bounded by the terms, shortened by the owner) and
/// the registry's changes to the members' standing (suspensions, reinstatements, roles
/// revoked, renounced and given back), each with its predicted outcome.
abstract contract EMCHandlerMembers is EMCHandlerBids {
    // ================================================================== departures

    /// @notice `terminate`: the owner gives a member of the active version notice (or a shorter
    /// one than it is under; sometimes the owner itself, account zero, or a notice outside
    /// 1..maxNoticePeriods, which are refused).
    function terminate(uint256 seed, uint256 noticePeriods) external clock {
        uint256 kind = seed % 12;
        address account = kind == 0
            ? owner
            : kind == 1 ? address(0) : kind < 5 ? _firstMember(seed >> 4, _hasRunningNotice) : _member(seed >> 4);
        noticePeriods = bound(noticePeriods, 0, _terms.maxNoticePeriods + 1);
        SharePath memory party = _noticePath(account, seed >> 8);
        bytes memory expected;
        if (!registry.isActive(owner, Roles.ME)) expected = _err(IEMCErrors.EmcCallerNotActive.selector, owner);
        else if (account == address(0)) expected = abi.encodeWithSelector(IEMCErrors.EmcZeroAddress.selector);
        else expected = _noticeError(account, noticePeriods, true, party);
        bool shortens = ghostNoticed[account];
        (bool ok, bytes memory ret) = _call(
            owner, abi.encodeCall(IEMCModule.terminate, (account, uint32(noticePeriods), bytes32("terminated"), party))
        );
        _check(ok, ret, expected, "terminate");
        if (!ok) return;
        _recordNotice(account, noticePeriods);
        _stat(shortens ? "terminate: shortened a running notice" : "terminate: noticed");
    }

    /// @notice `resign`: a member of the active version gives notice (a suspended one is
    /// refused: it cannot act).
    function resign(uint256 seed, uint256 noticePeriods) external clock {
        address account = seed % 9 == 0 ? owner : _member(seed);
        noticePeriods = bound(noticePeriods, 0, _terms.maxNoticePeriods + 1);
        SharePath memory party = _noticePath(account, seed >> 8);
        bytes memory expected = registry.statusOf(account) != IMemberRegistry.MemberStatus.Active
            ? _err(IEMCErrors.EmcCallerNotActive.selector, account)
            : _noticeError(account, noticePeriods, false, party);
        (bool ok, bytes memory ret) =
            _call(account, abi.encodeCall(IEMCModule.resign, (uint32(noticePeriods), bytes32("resigned"), party)));
        _check(ok, ret, expected, "resign");
        if (!ok) return;
        _recordNotice(account, noticePeriods);
        _stat("resign: noticed");
    }

    /// @dev `account`'s leaf in the active version, or one time in eight a path that is not.
    function _noticePath(address account, uint256 seed) internal view returns (SharePath memory party) {
        party = activePath(account);
        uint256 mode = uint256(keccak256(abi.encode(seed, "path")));
        if (mode % 8 == 0) party = _tamperPath(account, party, mode >> 3);
    }

    function _noticeError(address account, uint256 noticePeriods, bool byOwner, SharePath memory party)
        internal
        view
        returns (bytes memory)
    {
        if (ghostDissolved) return _activeError();
        if (account == owner) return _err(IEMCErrors.EmcOwnerCannotDepart.selector, account);
        uint256 max = _terms.maxNoticePeriods;
        if (noticePeriods < 1 || noticePeriods > max) {
            return abi.encodeWithSelector(IEMCErrors.EmcNoticeOutOfBounds.selector, noticePeriods, 1, max);
        }
        bytes memory pathError = _pathError(account, party);
        if (pathError.length != 0) return pathError;
        uint256 running = ghostNoticeEffective[account];
        if (ghostNoticed[account] && (!byOwner || ghostPeriods + noticePeriods >= running)) {
            return abi.encodeWithSelector(IEMCErrors.EmcAlreadyDeparting.selector, account, running);
        }
        return "";
    }

    // ================================================================== the registry

    /// @notice The registry's `suspendMember`: the admin suspends a member (the owner too).
    function suspendMember(uint256 seed) external clock {
        if (seed % 3 != 0) return; // a third as often as reinstatements: versions stay agreeable
        address account = _member(seed >> 2);
        IMemberRegistry.MemberStatus s = registry.statusOf(account);
        bytes memory expected = s == IMemberRegistry.MemberStatus.Active
            ? bytes("")
            : abi.encodeWithSelector(IMemberRegistry.RegistryMemberNotActive.selector, account, s);
        (bool ok, bytes memory ret) =
            _callAt(address(registry), admin, abi.encodeCall(IMemberRegistry.suspendMember, (account, bytes32("s"))));
        _check(ok, ret, expected, "suspendMember");
        if (ok) _stat("suspendMember: suspended");
    }

    /// @notice The registry's `reinstateMember`.
    function reinstateMember(uint256 seed) external clock {
        address account = _firstMember(seed, _isSuspended);
        IMemberRegistry.MemberStatus s = registry.statusOf(account);
        bytes memory expected = s == IMemberRegistry.MemberStatus.Suspended
            ? bytes("")
            : abi.encodeWithSelector(IMemberRegistry.RegistryMemberNotSuspended.selector, account, s);
        (bool ok, bytes memory ret) =
            _callAt(address(registry), admin, abi.encodeCall(IMemberRegistry.reinstateMember, (account, bytes32("r"))));
        _check(ok, ret, expected, "reinstateMember");
        if (ok) _stat("reinstateMember: reinstated");
    }

    /// @notice The registry's `revokeRole`: the admin takes a member's ME or partner role, or
    /// (one time in four) the member renounces it; either counts in `restrictions()`.
    function revokeRole(uint256 seed) external clock {
        if (seed % 3 != 0) return; // a third as often as restorations
        address account = _member(seed >> 2);
        bytes32 role = roleOf(account);
        bool renounce = (seed >> 8) % 4 == 0;
        (bool ok, bytes memory ret) = renounce
            ? _callAt(
                address(registry), account, abi.encodeWithSignature("renounceRole(bytes32,address)", role, account)
            )
            : _callAt(address(registry), admin, abi.encodeWithSignature("revokeRole(bytes32,address)", role, account));
        _check(ok, ret, "", "revokeRole");
        _stat(renounce ? "revokeRole: renounced" : "revokeRole: revoked");
    }

    /// @notice The registry's `addMember` for a member whose role was revoked: gives it back.
    function restoreRole(uint256 seed) external clock {
        address account = _firstMember(seed, _lacksRole);
        bytes32 role = roleOf(account);
        bytes memory expected = registry.hasRole(role, account)
            ? abi.encodeWithSelector(IMemberRegistry.RegistryRoleAlreadyHeld.selector, account, role)
            : bytes("");
        (bool ok, bytes memory ret) = _callAt(
            address(registry), admin, abi.encodeCall(IMemberRegistry.addMember, (account, role, bytes32("back")))
        );
        _check(ok, ret, expected, "restoreRole");
        if (ok) _stat("restoreRole: restored");
    }
}
