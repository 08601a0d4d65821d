// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMCBidding} from "../interfaces/IEMCBidding.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {Bid, BidOutcome, BidRound} from "../types/Bids.sol";
import {EmcStatus} from "../types/Shares.sol";
import {EMCStorage} from "./EMCStorage.sol";

/// @title EMCBidding
/// @notice Sealed-bid rounds: the owner offers places (parts of the target), MEs and partners
/// commit the hash of a bid, reveal it once commits are closed, and the owner invites winners.
/// @dev The commitment binds this EMC, the round and the bidder, so a commitment copied from
/// the mempool reveals for nobody else. Reveals open strictly after the commit deadline: no
/// block can both accept a commit and a reveal of the same round. Deciding a round writes
/// only the invited bids; `bid` derives Committed, NotInvited and Lapsed from the round.
/// Part of `EMCModule`, so it runs on the calling clone's storage with the template's layout.
abstract contract EMCBidding is EMCStorage, IEMCBidding {
    /// @inheritdoc IEMCBidding
    function openBidRound(uint48 commitDeadline, uint48 revealDeadline, bytes32 documentHash)
        external
        onlyOwner
        returns (uint256 roundId)
    {
        _checkStatus(EmcStatus.Active);
        if (commitDeadline <= block.timestamp || revealDeadline <= commitDeadline) {
            revert EmcBidDeadlines(commitDeadline, revealDeadline, block.timestamp);
        }
        roundId = ++_bidRoundCount;
        BidRound storage r = _bidRounds[roundId];
        r.commitDeadline = commitDeadline;
        r.revealDeadline = revealDeadline;
        r.documentHash = documentHash;
        emit BidRoundOpened(roundId, commitDeadline, revealDeadline, documentHash);
    }

    /// @inheritdoc IEMCBidding
    function commitBid(uint256 roundId, bytes32 commitment) external {
        _checkStatus(EmcStatus.Active);
        _checkActiveMember();
        BidRound storage r = _bidRound(roundId);
        if (block.timestamp > r.commitDeadline) {
            revert EmcCommitClosed(roundId, r.commitDeadline, block.timestamp);
        }
        if (commitment == bytes32(0)) revert EmcZeroCommitment(roundId);
        Bid storage entry = _bids[roundId][msg.sender];
        if (entry.commitment == bytes32(0)) {
            _bidders[roundId].push(msg.sender);
            ++r.bidderCount;
        }
        entry.commitment = commitment;
        emit BidCommitted(roundId, msg.sender, commitment);
    }

    /// @inheritdoc IEMCBidding
    function revealBid(
        uint256 roundId,
        uint64 undertakenUsers,
        uint128 undertakenRevenue,
        uint16 askBps,
        bytes32 proposalHash,
        bytes32 salt
    ) external {
        _checkStatus(EmcStatus.Active);
        _checkActiveMember();
        BidRound storage r = _bidRound(roundId);
        if (block.timestamp <= r.commitDeadline) {
            revert EmcRevealNotOpen(roundId, r.commitDeadline, block.timestamp);
        }
        if (block.timestamp > r.revealDeadline) {
            revert EmcRevealClosed(roundId, r.revealDeadline, block.timestamp);
        }
        Bid storage entry = _bids[roundId][msg.sender];
        bytes32 commitment = entry.commitment;
        if (commitment == bytes32(0)) revert EmcNoBid(roundId, msg.sender);
        if (entry.outcome != BidOutcome.None) revert EmcBidAlreadyRevealed(roundId, msg.sender);
        bytes32 computed = keccak256(
            abi.encode(
                address(this), roundId, msg.sender, undertakenUsers, undertakenRevenue, askBps, proposalHash, salt
            )
        );
        if (computed != commitment) revert EmcBidMismatch(roundId, msg.sender, commitment, computed);
        if (askBps > Accrual.BPS) revert EmcBidAskTooHigh(askBps, Accrual.BPS);
        entry.undertakenUsers = undertakenUsers;
        entry.undertakenRevenue = undertakenRevenue;
        entry.askBps = askBps;
        entry.outcome = BidOutcome.Revealed;
        entry.proposalHash = proposalHash;
        ++r.revealedCount;
        emit BidRevealed(roundId, msg.sender, undertakenUsers, undertakenRevenue, askBps, proposalHash);
    }

    /// @inheritdoc IEMCBidding
    function inviteBids(uint256 roundId, address[] calldata invited) external onlyOwner {
        _checkStatus(EmcStatus.Active);
        BidRound storage r = _bidRound(roundId);
        if (r.decidedAt != 0) revert EmcRoundDecided(roundId, r.decidedAt);
        if (block.timestamp <= r.revealDeadline) {
            revert EmcRevealNotOver(roundId, r.revealDeadline, block.timestamp);
        }
        uint256 count = invited.length;
        mapping(address => Bid) storage bids = _bids[roundId];
        for (uint256 i; i < count; ++i) {
            Bid storage entry = bids[invited[i]];
            // An invited bid is no longer Revealed, so a repeated address fails here too.
            if (entry.outcome != BidOutcome.Revealed) {
                revert EmcBidNotRevealed(roundId, invited[i], _outcome(r, entry));
            }
            entry.outcome = BidOutcome.Invited;
        }
        r.decidedAt = uint48(block.timestamp);
        r.invitedCount = uint32(count);
        emit BidsInvited(roundId, invited);
    }

    /// @inheritdoc IEMCBidding
    function lastBidRound() external view returns (uint256) {
        return _bidRoundCount;
    }

    /// @inheritdoc IEMCBidding
    function bidRound(uint256 roundId) external view returns (BidRound memory) {
        return _bidRound(roundId);
    }

    /// @inheritdoc IEMCBidding
    function bidders(uint256 roundId) external view returns (address[] memory) {
        _bidRound(roundId);
        return _bidders[roundId];
    }

    /// @inheritdoc IEMCBidding
    function bid(uint256 roundId, address bidder) external view returns (Bid memory entry) {
        BidRound storage r = _bidRound(roundId);
        entry = _bids[roundId][bidder];
        entry.outcome = _outcome(r, _bids[roundId][bidder]);
    }

    // ---------------------------------------------------------------- internals

    function _bidRound(uint256 roundId) private view returns (BidRound storage r) {
        if (roundId == 0 || roundId > _bidRoundCount) revert EmcUnknownBidRound(roundId);
        r = _bidRounds[roundId];
    }

    function _outcome(BidRound storage r, Bid storage entry) private view returns (BidOutcome) {
        BidOutcome stored = entry.outcome;
        if (stored == BidOutcome.None) {
            if (entry.commitment == bytes32(0)) return BidOutcome.None;
            return block.timestamp > r.revealDeadline ? BidOutcome.Lapsed : BidOutcome.Committed;
        }
        if (stored == BidOutcome.Revealed && r.decidedAt != 0) return BidOutcome.NotInvited;
        return stored;
    }
}
