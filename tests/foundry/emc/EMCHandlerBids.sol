// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMCBidding} from "../../../contracts/interfaces/IEMCBidding.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {EmcStatus} from "../../../contracts/types/Shares.sol";
import {EMCHandlerVersions} from "./EMCHandlerVersions.sol";

/// @notice The handler's sealed-bid rounds: the owner opens them, members commit and reveal,
/// the owner invites; each call's outcome predicted from the rounds' windows.
abstract contract EMCHandlerBids is EMCHandlerVersions {
    struct SealedBid {
        bytes32 salt;
        uint64 users;
        uint128 revenue;
        uint16 askBps;
        bool revealed;
    }

    struct Round {
        uint256 commitDeadline;
        uint256 revealDeadline;
        bool decided;
        address[] bidders;
        address[] revealed;
        uint256 invited;
    }

    Round[] internal _rounds; // round id = index + 1
    mapping(uint256 roundId => mapping(address bidder => SealedBid)) internal _bids;
    mapping(uint256 roundId => uint256) internal _decidedAt;

    /// @notice `openBidRound`: the owner opens a sealed-bid round.
    function openBidRound(uint256 commitFor, uint256 revealFor) external clock {
        uint256 commitDeadline = _now + bound(commitFor, 1 hours, 3 days);
        uint256 revealDeadline = commitDeadline + bound(revealFor, 1 hours, 3 days);
        bytes memory expected;
        if (!registry.isActive(owner, Roles.ME)) expected = _err(IEMCErrors.EmcCallerNotActive.selector, owner);
        else if (ghostDissolved) expected = _wrongStatus(EmcStatus.Dissolved, EmcStatus.Active);
        (bool ok, bytes memory ret) = _call(
            owner,
            abi.encodeCall(
                IEMCBidding.openBidRound, (uint48(commitDeadline), uint48(revealDeadline), bytes32("places"))
            )
        );
        _check(ok, ret, expected, "openBidRound");
        if (!ok) return;
        _rounds.push();
        Round storage r = _rounds[_rounds.length - 1];
        r.commitDeadline = commitDeadline;
        r.revealDeadline = revealDeadline;
        assertEq(abi.decode(ret, (uint256)), _rounds.length, "openBidRound: id");
    }

    /// @notice `commitBid`: a member commits (or replaces) a sealed bid in a round.
    function commitBid(uint256 seed, uint64 users, uint128 revenue, uint16 askBps) external clock {
        if (_rounds.length == 0) return;
        uint256 roundId = _round(seed);
        address bidder = _member(seed >> 8);
        Round storage r = _rounds[roundId - 1];
        askBps = uint16(bound(askBps, 0, 10_500)); // above 10,000 is refused at reveal
        bytes32 salt = keccak256(abi.encode(seed, users));
        bytes32 commitment =
            keccak256(abi.encode(address(emc), roundId, bidder, users, revenue, askBps, bytes32("proposal"), salt));
        bytes memory expected;
        if (ghostDissolved) {
            expected = _wrongStatus(EmcStatus.Dissolved, EmcStatus.Active);
        } else if (!registry.isActive(bidder, Roles.ME) && !registry.isActive(bidder, Roles.PARTNER)) {
            expected = _err(IEMCErrors.EmcCallerNotActive.selector, bidder);
        } else if (_now > r.commitDeadline) {
            expected = abi.encodeWithSelector(IEMCBidding.EmcCommitClosed.selector, roundId, r.commitDeadline, _now);
        }
        (bool ok, bytes memory ret) = _call(bidder, abi.encodeCall(IEMCBidding.commitBid, (roundId, commitment)));
        _check(ok, ret, expected, "commitBid");
        if (!ok) return;
        SealedBid storage b = _bids[roundId][bidder];
        if (b.salt == bytes32(0)) r.bidders.push(bidder);
        _bids[roundId][bidder] = SealedBid(salt, users, revenue, askBps, false);
        _stat("commitBid: committed");
    }

    /// @notice `revealBid`: a bidder reveals its bid once commits are closed.
    function revealBid(uint256 seed) external clock {
        if (_rounds.length == 0) return;
        uint256 roundId = _round(seed);
        Round storage r = _rounds[roundId - 1];
        if (r.bidders.length == 0) return;
        address bidder = r.bidders[bound(seed >> 8, 0, r.bidders.length - 1)];
        SealedBid memory b = _bids[roundId][bidder];
        // Half the time the clock moves into the reveal window first (never backwards).
        if ((seed >> 4) % 2 == 0) _advanceTo(bound(seed >> 16, r.commitDeadline + 1, r.revealDeadline));
        bytes memory expected;
        if (ghostDissolved) {
            expected = _wrongStatus(EmcStatus.Dissolved, EmcStatus.Active);
        } else if (!registry.isActive(bidder, Roles.ME) && !registry.isActive(bidder, Roles.PARTNER)) {
            expected = _err(IEMCErrors.EmcCallerNotActive.selector, bidder);
        } else if (_now <= r.commitDeadline) {
            expected = abi.encodeWithSelector(IEMCBidding.EmcRevealNotOpen.selector, roundId, r.commitDeadline, _now);
        } else if (_now > r.revealDeadline) {
            expected = abi.encodeWithSelector(IEMCBidding.EmcRevealClosed.selector, roundId, r.revealDeadline, _now);
        } else if (b.revealed) {
            expected = abi.encodeWithSelector(IEMCBidding.EmcBidAlreadyRevealed.selector, roundId, bidder);
        } else if (b.askBps > BPS) {
            expected = abi.encodeWithSelector(IEMCBidding.EmcBidAskTooHigh.selector, b.askBps, BPS);
        }
        (bool ok, bytes memory ret) = _call(
            bidder,
            abi.encodeCall(IEMCBidding.revealBid, (roundId, b.users, b.revenue, b.askBps, bytes32("proposal"), b.salt))
        );
        _check(ok, ret, expected, "revealBid");
        if (!ok) return;
        _bids[roundId][bidder].revealed = true;
        r.revealed.push(bidder);
        _stat("revealBid: revealed");
    }

    /// @notice `inviteBids`: the owner invites some revealed bidders once reveals are over.
    function inviteBids(uint256 seed) external clock {
        if (_rounds.length == 0) return;
        uint256 roundId = _round(seed);
        Round storage r = _rounds[roundId - 1];
        if ((seed >> 4) % 2 == 0) _advanceTo(r.revealDeadline + 1 + (seed >> 64) % 1 days);
        // Revealed bidders in reveal order, each kept with probability 1/2.
        address[] memory invited = new address[](r.revealed.length);
        uint256 n;
        for (uint256 i; i < r.revealed.length; ++i) {
            if ((seed >> (16 + i)) & 1 == 1) invited[n++] = r.revealed[i];
        }
        assembly ("memory-safe") {
            mstore(invited, n)
        }
        bytes memory expected;
        if (!registry.isActive(owner, Roles.ME)) {
            expected = _err(IEMCErrors.EmcCallerNotActive.selector, owner);
        } else if (ghostDissolved) {
            expected = _wrongStatus(EmcStatus.Dissolved, EmcStatus.Active);
        } else if (r.decided) {
            expected = abi.encodeWithSelector(IEMCBidding.EmcRoundDecided.selector, roundId, _decidedAt[roundId]);
        } else if (_now <= r.revealDeadline) {
            expected = abi.encodeWithSelector(IEMCBidding.EmcRevealNotOver.selector, roundId, r.revealDeadline, _now);
        }
        (bool ok, bytes memory ret) = _call(owner, abi.encodeCall(IEMCBidding.inviteBids, (roundId, invited)));
        _check(ok, ret, expected, "inviteBids");
        if (!ok) return;
        r.decided = true;
        r.invited = n;
        _decidedAt[roundId] = _now;
        _stat("inviteBids: decided");
    }

    /// @dev The latest round mostly (the one whose windows are open), any round one time in four.
    function _round(uint256 seed) internal view returns (uint256) {
        return seed % 4 == 0 ? bound(seed >> 2, 1, _rounds.length) : _rounds.length;
    }

    function _advanceTo(uint256 timestamp) internal {
        if (timestamp <= _now) return;
        _now = timestamp;
        vm.warp(_now);
    }

    function roundCount() external view returns (uint256) {
        return _rounds.length;
    }

    function round(uint256 roundId)
        external
        view
        returns (uint256 bidders, uint256 revealed, uint256 invited, bool decided)
    {
        Round storage r = _rounds[roundId - 1];
        return (r.bidders.length, r.revealed.length, r.invited, r.decided);
    }
}
