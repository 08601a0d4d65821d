// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Where a bid stands. Only `Revealed` and `Invited` are stored; `Committed` (a
/// commitment, still hidden), `NotInvited` (revealed, round decided, not invited) and `Lapsed`
/// (never revealed by the reveal deadline) follow from the commitment, the round's clock and
/// its decision, so deciding a round writes only the invited bids.
enum BidOutcome {
    None,
    Committed,
    Revealed,
    Invited,
    NotInvited,
    Lapsed
}

/// @notice A sealed-bid round's header.
/// @param commitDeadline Last timestamp at which a bid can be committed (or replaced).
/// @param revealDeadline Last timestamp at which a committed bid can be revealed; reveals
/// open the second after `commitDeadline`.
/// @param decidedAt When the owner invited the winners (0 until then).
/// @param bidderCount Wallets that committed; `revealedCount` of them revealed and
/// `invitedCount` were invited.
/// @param documentHash Hash of the document describing the places (parts of the target) offered.
struct BidRound {
    uint48 commitDeadline;
    uint48 revealDeadline;
    uint48 decidedAt;
    uint32 bidderCount;
    uint32 revealedCount;
    uint32 invitedCount;
    bytes32 documentHash;
}

/// @notice One wallet's bid in one round. Until it is revealed only `commitment` is set.
/// @param commitment `keccak256(abi.encode(emc, roundId, bidder, undertakenUsers,
/// undertakenRevenue, askBps, proposalHash, salt))`.
/// @param undertakenUsers Part of the users target the bidder undertakes.
/// @param undertakenRevenue Part of the revenue target (token units) it undertakes.
/// @param askBps Share it asks for, in basis points (at most 10,000).
/// @param outcome Where the bid stands (as `bid` reports it, derived where not stored).
/// @param proposalHash Hash of the bidder's proposal document.
struct Bid {
    bytes32 commitment;
    uint64 undertakenUsers;
    uint128 undertakenRevenue;
    uint16 askBps;
    BidOutcome outcome;
    bytes32 proposalHash;
}
