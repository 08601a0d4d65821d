// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMCBidding} from "../../../contracts/interfaces/IEMCBidding.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {IMemberRegistry} from "../../../contracts/interfaces/IMemberRegistry.sol";
import {ISettlementToken} from "../../../contracts/interfaces/ISettlementToken.sol";
import {EmcStatus, EmcTerms, PeriodReport, ShareEntry} from "../../../contracts/types/Shares.sol";
import {TypedData} from "../utils/TypedData.sol";
import {EMCFixture} from "./EMCFixture.sol";
import {EMCGhost} from "./EMCGhost.sol";

/// @notice What every part of the handler shares: its clock, the calls it makes as a given
/// wallet, the check of each call against its predicted outcome, and the outcome counts.
/// @dev The clock is the handler's own (`_now`), set again at each entry, so that no call
/// depends on forge carrying `vm.warp` from one call of a sequence to the next.
abstract contract EMCHandlerBase is EMCFixture, EMCGhost {
    uint256 internal _now;
    address public reporter;
    EmcTerms internal _terms;

    string[] internal _statNames;
    mapping(bytes32 name => uint256) internal _stats;

    /// @notice Whether the first version was agreed (by the run's first call).
    bool public started;

    /// @dev Every entry point runs at the handler's clock, and the run's first call agrees the
    /// first version, with the fund or without it as its calldata's hash says, so that each
    /// campaign's runs start both ways (forge runs `setUp` once per campaign).
    modifier clock() {
        vm.warp(_now);
        if (!started) _start(uint256(keccak256(msg.data)) % 2 == 0);
        _;
    }

    /// @notice Agrees the first version now (for a plain test; the fuzzer never calls it).
    function start(bool withFund) external {
        require(!started, "started");
        vm.warp(_now);
        _start(withFund);
    }

    function _start(bool withFund) internal {
        started = true;
        _agreeInitialVersion(withFund);
    }

    function _agreeInitialVersion(bool withFund) internal virtual;

    // ================================================================== typed data

    /// @dev The digests are `TypedData`'s, built from README's type strings.
    function _typedDigest(bytes32 structHash) private view returns (bytes32) {
        return TypedData.digest(address(emc), structHash);
    }

    function _reportDigest(PeriodReport memory r, uint256 period, uint256 deadline) internal view returns (bytes32) {
        bytes32 typeHash = keccak256(
            "PeriodReport(uint256 period,uint64 users,uint64 units,uint128 revenue,uint128 cost,uint128 profit,bytes32 documentHash,uint256 deadline)"
        );
        return _typedDigest(
            keccak256(
                abi.encode(typeHash, period, r.users, r.units, r.revenue, r.cost, r.profit, r.documentHash, deadline)
            )
        );
    }

    function _versionDigest(
        uint256 versionId,
        ShareEntry[] memory entries,
        bytes32 documentHash,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes32) {
        return _typedDigest(_versionStructHash(versionId, _entriesHash(entries), documentHash, nonce, deadline));
    }

    function _versionStructHash(
        uint256 versionId,
        bytes32 entriesHash,
        bytes32 documentHash,
        uint256 nonce,
        uint256 deadline
    ) internal pure returns (bytes32) {
        return TypedData.versionStructHash(versionId, entriesHash, documentHash, nonce, deadline);
    }

    // ================================================================== registry standing

    /// @dev Active, with the registry role a member's shares need (partner or ME): what the
    /// EMC calls good standing, since every member here holds that one role only.
    function _inGoodStanding(address account) internal view returns (bool) {
        return registry.isActive(account, roleOf(account));
    }

    /// @dev Whether the token lets `from` send to the EMC: active and holding a role.
    function _maySend(address from) internal view returns (bool) {
        return registry.statusOf(from) == IMemberRegistry.MemberStatus.Active && registry.hasRole(roleOf(from), from);
    }

    // ================================================================== members

    function _member(uint256 seed) internal view returns (address) {
        return _members[seed % _members.length];
    }

    /// @dev The first member from a random place on for which `wanted` holds; a random member
    /// (to be refused) if none does, or one time in eight anyway.
    function _firstMember(uint256 seed, function(address) internal view returns (bool) wanted)
        internal
        view
        returns (address)
    {
        if (seed % 8 == 0) return _member(seed >> 3);
        for (uint256 i; i < _members.length; ++i) {
            address m = _members[(seed % _members.length + i) % _members.length];
            if (wanted(m)) return m;
        }
        return _member(seed >> 3);
    }

    function _isSuspended(address account) internal view returns (bool) {
        return registry.statusOf(account) == IMemberRegistry.MemberStatus.Suspended;
    }

    function _lacksRole(address account) internal view returns (bool) {
        return !registry.hasRole(roleOf(account), account);
    }

    function _holdsUnclaimedCapital(address account) internal view returns (bool) {
        Holding memory h = _holdings[account];
        return h.invested != 0 && !h.claimed;
    }

    function _hasRunningNotice(address account) internal view returns (bool) {
        return ghostNoticed[account] && !ghostDeparted(account);
    }

    // ================================================================== calls

    function _mint(address to, uint256 amount) internal {
        vm.prank(treasury);
        token.mint(to, amount, bytes32("fiat in"));
    }

    function _call(address from, bytes memory data) internal returns (bool ok, bytes memory ret) {
        return _callAt(address(emc), from, data);
    }

    function _callAt(address target, address from, bytes memory data) internal returns (bool ok, bytes memory ret) {
        vm.prank(from);
        (ok, ret) = target.call(data);
    }

    /// @dev The call must have done what was predicted: succeeded (`expected` empty) or
    /// reverted with exactly `expected`.
    function _check(bool ok, bytes memory ret, bytes memory expected, string memory what) internal {
        if (expected.length == 0) {
            if (!ok) revert(string.concat(what, ": unexpected revert ", vm.toString(ret)));
        } else {
            if (ok) revert(string.concat(what, ": succeeded, expected revert ", vm.toString(expected)));
            if (keccak256(ret) != keccak256(expected)) {
                revert(string.concat(what, ": reverted with ", vm.toString(ret), ", expected ", vm.toString(expected)));
            }
            _stat(string.concat(what, ": refused, ", _errorName(bytes4(ret))));
        }
    }

    function _err(bytes4 selector, address account) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, account);
    }

    function _wrongStatus(EmcStatus actual, EmcStatus expected) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IEMCErrors.EmcWrongStatus.selector, actual, expected);
    }

    /// @dev `EmcWrongStatus(Dissolved, Active)` once dissolved, else nothing.
    function _activeError() internal view returns (bytes memory) {
        return ghostDissolved ? _wrongStatus(EmcStatus.Dissolved, EmcStatus.Active) : bytes("");
    }

    /// @dev The name of an error the handler predicts, for the call summary.
    function _errorName(bytes4 selector) internal pure returns (string memory) {
        if (selector == IEMCErrors.EmcWrongStatus.selector) return "EmcWrongStatus";
        if (selector == IEMCErrors.EmcCallerNotActive.selector) return "EmcCallerNotActive";
        if (selector == IEMCErrors.EmcNoActiveVersion.selector) return "EmcNoActiveVersion";
        if (selector == IEMCErrors.EmcIneligibleReporter.selector) return "EmcIneligibleReporter";
        if (selector == IEMCErrors.EmcNothingToClaim.selector) return "EmcNothingToClaim";
        if (selector == IEMCErrors.EmcDevFundInsufficient.selector) return "EmcDevFundInsufficient";
        if (selector == IEMCErrors.EmcNotAMember.selector) return "EmcNotAMember";
        if (selector == IEMCErrors.EmcMemberDeparted.selector) return "EmcMemberDeparted";
        if (selector == IEMCErrors.EmcZeroAmount.selector) return "EmcZeroAmount";
        if (selector == IEMCErrors.EmcZeroAddress.selector) return "EmcZeroAddress";
        if (selector == IEMCErrors.EmcRecipientNotAllowed.selector) return "EmcRecipientNotAllowed";
        if (selector == IEMCErrors.EmcOwnerCannotDepart.selector) return "EmcOwnerCannotDepart";
        if (selector == IEMCErrors.EmcNoticeOutOfBounds.selector) return "EmcNoticeOutOfBounds";
        if (selector == IEMCErrors.EmcAlreadyDeparting.selector) return "EmcAlreadyDeparting";
        if (selector == IEMCErrors.EmcVersionNotProposed.selector) return "EmcVersionNotProposed";
        if (selector == IEMCErrors.EmcVersionStale.selector) return "EmcVersionStale";
        if (selector == IEMCErrors.EmcDeadlinePassed.selector) return "EmcDeadlinePassed";
        if (selector == IEMCErrors.EmcPartyNotActive.selector) return "EmcPartyNotActive";
        if (selector == IEMCErrors.EmcSignatureCount.selector) return "EmcSignatureCount";
        if (selector == IEMCErrors.EmcInvalidSignature.selector) return "EmcInvalidSignature";
        if (selector == IEMCErrors.EmcSignatureEncoding.selector) return "EmcSignatureEncoding";
        if (selector == IEMCErrors.EmcSignaturesLength.selector) return "EmcSignaturesLength";
        if (selector == IEMCErrors.EmcSignersNotSorted.selector) return "EmcSignersNotSorted";
        if (selector == IEMCErrors.EmcSignersNotParties.selector) return "EmcSignersNotParties";
        if (selector == IEMCErrors.EmcCurrentPartiesMismatch.selector) return "EmcCurrentPartiesMismatch";
        if (selector == IEMCErrors.EmcShareProofCount.selector) return "EmcShareProofCount";
        if (selector == IEMCErrors.EmcInvalidShareProof.selector) return "EmcInvalidShareProof";
        if (selector == IEMCErrors.EmcMemberLeftOut.selector) return "EmcMemberLeftOut";
        if (selector == IEMCErrors.EmcIneligibleMember.selector) return "EmcIneligibleMember";
        if (selector == IEMCErrors.EmcMalformedEntry.selector) return "EmcMalformedEntry";
        if (selector == IEMCErrors.EmcEntriesNotSorted.selector) return "EmcEntriesNotSorted";
        if (selector == IEMCErrors.EmcDuplicateEntry.selector) return "EmcDuplicateEntry";
        if (selector == IEMCErrors.EmcAttestationRequired.selector) return "EmcAttestationRequired";
        if (selector == IEMCErrors.EmcNotAuditor.selector) return "EmcNotAuditor";
        if (selector == IEMCErrors.EmcInvalidAttestation.selector) return "EmcInvalidAttestation";
        if (selector == IEMCErrors.EmcProfitAboveMargin.selector) return "EmcProfitAboveMargin";
        if (selector == IEMCErrors.EmcNotSweeper.selector) return "EmcNotSweeper";
        if (selector == IEMCErrors.EmcNothingToSweep.selector) return "EmcNothingToSweep";
        if (selector == IEMCBidding.EmcCommitClosed.selector) return "EmcCommitClosed";
        if (selector == IEMCBidding.EmcRevealNotOpen.selector) return "EmcRevealNotOpen";
        if (selector == IEMCBidding.EmcRevealClosed.selector) return "EmcRevealClosed";
        if (selector == IEMCBidding.EmcBidAlreadyRevealed.selector) return "EmcBidAlreadyRevealed";
        if (selector == IEMCBidding.EmcBidAskTooHigh.selector) return "EmcBidAskTooHigh";
        if (selector == IEMCBidding.EmcRoundDecided.selector) return "EmcRoundDecided";
        if (selector == IEMCBidding.EmcRevealNotOver.selector) return "EmcRevealNotOver";
        if (selector == IMemberRegistry.RegistryMemberNotActive.selector) return "RegistryMemberNotActive";
        if (selector == IMemberRegistry.RegistryMemberNotSuspended.selector) return "RegistryMemberNotSuspended";
        if (selector == IMemberRegistry.RegistryRoleAlreadyHeld.selector) return "RegistryRoleAlreadyHeld";
        if (selector == ISettlementToken.TokenTransferNotAllowed.selector) return "TokenTransferNotAllowed";
        return vm.toString(bytes(abi.encodePacked(selector)));
    }

    // ================================================================== statistics

    function _stat(string memory name) internal {
        bytes32 key = keccak256(bytes(name));
        if (_stats[key] == 0) _statNames.push(name);
        ++_stats[key];
    }

    function stats() external view returns (string[] memory names, uint256[] memory counts) {
        names = _statNames;
        counts = new uint256[](names.length);
        for (uint256 i; i < names.length; ++i) {
            counts[i] = _stats[keccak256(bytes(names[i]))];
        }
    }

    function heldAccounts() external view returns (address[] memory) {
        return _heldAccounts;
    }

    function now_() external view returns (uint256) {
        return _now;
    }

    // ================================================================== the terms the books need

    function _targetUsers() internal view override returns (uint256) {
        return _terms.targetUsers;
    }

    function _targetRevenue() internal view override returns (uint256) {
        return _terms.targetRevenue;
    }

    function _sharingSpace() internal view override returns (uint256) {
        return _terms.sharingSpace;
    }

    function _lossThreshold() internal view override returns (uint256) {
        return _terms.lossThreshold;
    }
}
