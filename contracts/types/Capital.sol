// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A member's capital in an EMC, held as units of the pooled capital so that a loss
/// written off the pool reaches every account pro rata at O(1) cost.
/// @param units The account's units; worth `units * capital / totalUnits` while `era` is current.
/// @param era The capital era the units belong to. A loss that wipes the capital out starts a
/// new era: units of an earlier era are worth nothing.
/// @param invested Everything the account has invested in the EMC, in token units.
struct CapitalAccount {
    uint128 units;
    uint32 era;
    uint96 invested;
}

/// @notice The EMC's pooled capital and losses.
/// @param capital What the pool is worth now (token units), after losses and returns.
/// @param totalUnits Units outstanding in the current era.
/// @param era Capital era (see `CapitalAccount`).
/// @param invested Everything ever invested.
/// @param losses Cumulative losses reported; the EMC dissolves when they reach its threshold.
/// @param lossesCovered The part of `losses` the capital paid (to the reporting ME).
/// @param returned Capital paid back to investors after dissolution.
/// @param poolReleased Value-added credit released to the capital (or, without investors, to
/// the development fund) when the EMC dissolved short of its target.
struct CapitalTotals {
    uint256 capital;
    uint256 totalUnits;
    uint256 era;
    uint256 invested;
    uint256 losses;
    uint256 lossesCovered;
    uint256 returned;
    uint256 poolReleased;
}

/// @notice A departure notice: the owner terminating a member, or a member leaving.
/// @param effectivePeriod Once this period is settled, a new version may leave the member out
/// without its signature. Until then its share can change only with its signature.
/// @param noticedAt When the notice was given.
/// @param byOwner Whether the owner terminated the member (true) or it left (false).
/// @param reasonHash Hash of the document giving the reason.
struct Departure {
    uint32 effectivePeriod;
    uint48 noticedAt;
    bool byOwner;
    bytes32 reasonHash;
}
