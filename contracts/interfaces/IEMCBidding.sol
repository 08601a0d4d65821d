// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Bid, BidOutcome, BidRound} from "../types/Bids.sol";

/// @title Sealed-bid rounds of an EMC
/// @notice The owner offers places (parts of the target); active MEs and partners commit the
/// hash of a bid, reveal it once commits are closed, and the owner invites the winners.
/// @dev Part of `IEMCModule`, served by the `EMCModule` contract through the template's
/// fallback; call it at the EMC's address like the rest of `IEMC`.
interface IEMCBidding {
    /// @notice A bid round needs `nowTime` < `commitDeadline` < `revealDeadline`.
    error EmcBidDeadlines(uint256 commitDeadline, uint256 revealDeadline, uint256 nowTime);
    /// @notice Bid round `roundId` does not exist.
    error EmcUnknownBidRound(uint256 roundId);
    /// @notice Round `roundId` took commitments until `commitDeadline`; it is now `nowTime`.
    error EmcCommitClosed(uint256 roundId, uint256 commitDeadline, uint256 nowTime);
    /// @notice A commitment cannot be zero (round `roundId`).
    error EmcZeroCommitment(uint256 roundId);
    /// @notice Round `roundId` reveals only after `commitDeadline`; it is now `nowTime`.
    error EmcRevealNotOpen(uint256 roundId, uint256 commitDeadline, uint256 nowTime);
    /// @notice Round `roundId` took reveals until `revealDeadline`; it is now `nowTime`.
    error EmcRevealClosed(uint256 roundId, uint256 revealDeadline, uint256 nowTime);
    /// @notice `bidder` committed no bid in round `roundId`.
    error EmcNoBid(uint256 roundId, address bidder);
    /// @notice `bidder` already revealed its bid in round `roundId`.
    error EmcBidAlreadyRevealed(uint256 roundId, address bidder);
    /// @notice The revealed bid hashes to `computed`, not to `bidder`'s `commitment`.
    error EmcBidMismatch(uint256 roundId, address bidder, bytes32 commitment, bytes32 computed);
    /// @notice A bid asks `askBps`, more than `max` basis points.
    error EmcBidAskTooHigh(uint256 askBps, uint256 max);
    /// @notice Round `roundId` can be decided only after `revealDeadline`; it is now `nowTime`.
    error EmcRevealNotOver(uint256 roundId, uint256 revealDeadline, uint256 nowTime);
    /// @notice Round `roundId` was already decided at `decidedAt`.
    error EmcRoundDecided(uint256 roundId, uint256 decidedAt);
    /// @notice Only revealed bids can be invited; `bidder`'s bid in round `roundId` is `outcome`.
    error EmcBidNotRevealed(uint256 roundId, address bidder, BidOutcome outcome);

    /// @notice The owner opened bid round `roundId` for the places `documentHash` describes.
    event BidRoundOpened(
        uint256 indexed roundId, uint256 commitDeadline, uint256 revealDeadline, bytes32 documentHash
    );
    /// @notice `bidder` committed (or replaced) its sealed bid `commitment` in round `roundId`.
    event BidCommitted(uint256 indexed roundId, address indexed bidder, bytes32 commitment);
    /// @notice `bidder` revealed its bid in round `roundId`.
    event BidRevealed(
        uint256 indexed roundId,
        address indexed bidder,
        uint256 undertakenUsers,
        uint256 undertakenRevenue,
        uint256 askBps,
        bytes32 proposalHash
    );
    /// @notice The owner decided round `roundId` by inviting `invited`; every other bid lost.
    event BidsInvited(uint256 indexed roundId, address[] invited);

    /// @notice Opens a sealed-bid round; only the owner may. Returns its id (from 1).
    /// @param commitDeadline Last timestamp at which bids can be committed; after now.
    /// @param revealDeadline Last timestamp at which bids can be revealed; after `commitDeadline`.
    /// @param documentHash Hash of the document describing the places (parts of the target) offered.
    function openBidRound(uint48 commitDeadline, uint48 revealDeadline, bytes32 documentHash)
        external
        returns (uint256 roundId);

    /// @notice Commits the caller's sealed bid, or replaces it, until the commit deadline.
    /// Any active ME or partner may bid.
    /// @param commitment `keccak256(abi.encode(emc, roundId, bidder, undertakenUsers,
    /// undertakenRevenue, askBps, proposalHash, salt))`, so it reveals only for its bidder.
    function commitBid(uint256 roundId, bytes32 commitment) external;

    /// @notice Reveals the caller's bid, after the commit deadline and up to the reveal
    /// deadline; the values must hash to its commitment.
    function revealBid(
        uint256 roundId,
        uint64 undertakenUsers,
        uint128 undertakenRevenue,
        uint16 askBps,
        bytes32 proposalHash,
        bytes32 salt
    ) external;

    /// @notice Decides round `roundId`, once, after the reveal deadline: invites `invited`
    /// (each must have revealed); every other bid lost. Only the owner may.
    function inviteBids(uint256 roundId, address[] calldata invited) external;

    /// @notice The id of the last bid round opened, 0 before the first (ids run from 1 to this).
    function lastBidRound() external view returns (uint256);

    /// @notice The header of bid round `roundId`.
    function bidRound(uint256 roundId) external view returns (BidRound memory);

    /// @notice The wallets that committed a bid in round `roundId`, in order of first commit.
    function bidders(uint256 roundId) external view returns (address[] memory);

    /// @notice `bidder`'s bid in round `roundId` with its outcome now (all zero if none).
    function bid(uint256 roundId, address bidder) external view returns (Bid memory);
}
