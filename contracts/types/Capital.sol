// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A member's capital in an EMC, held as units of the pooled capital so that a loss
/// written off the pool reaches every account pro rata at O(1) cost.
/// @param units The account's units; worth `units * capital / totalUnits` while `era` is current.
/// @param era The capital era the units belong to. A loss that wipes the capital out starts a
/// new era: units of an earlier era are worth nothing.
/// @param invested Everything the account has invested in the EMC, in token units.
/// @param lossIndex The EMC's cumulative loss per unit (scaled by 2**128) up to which
/// `lossBorne` is counted.
/// @param lossBorne Losses (token units, rounded down) the account's capital has borne, as of
/// `lossIndex`; a dissolution short of the target repays them from the released pool.
/// @param claimed Whether the account has taken its share of a dissolved EMC's capital and pool.
struct CapitalAccount {
    uint128 units;
    uint32 era;
    uint96 invested;
    uint256 lossIndex;
    uint128 lossBorne;
    bool claimed;
}

/// @notice The EMC's pooled capital and losses.
/// @param capital What the pool is worth now (token units), after losses and returns.
/// @param totalUnits Units outstanding in the current era.
/// @param era Capital era (see `CapitalAccount`).
/// @param invested Everything ever invested.
/// @param losses Cumulative losses reported; the EMC dissolves when they reach its threshold.
/// @param lossesCovered The part of `losses` the capital paid (to the reporting ME).
/// @param returned Capital paid back to investors after dissolution.
/// @param poolReleased Whole units of value-added credit released when the EMC dissolved short
/// of its target.
/// @param poolToInvestors The part of `poolReleased` owed to the investors, in proportion to the
/// losses their capital bore (at most `lossesCovered`); the rest went to the development fund.
/// @param poolPaid The part of `poolToInvestors` paid so far.
/// @param investors Accounts that ever invested; `claims` of them have claimed after dissolution.
/// @param claims Investors that have claimed.
struct CapitalTotals {
    uint256 capital;
    uint256 totalUnits;
    uint256 era;
    uint256 invested;
    uint256 losses;
    uint256 lossesCovered;
    uint256 returned;
    uint256 poolReleased;
    uint256 poolToInvestors;
    uint256 poolPaid;
    uint256 investors;
    uint256 claims;
}

/// @notice The value-added pool against the EMC's sharing space.
/// @param sharingSpace The most the pool ever accrues (the terms' sharing space).
/// @param accrued Value-added credit the pool has accrued, in 1/10,000 token units.
/// @param left What is left of the sharing space, in token units (rounded down).
/// @param fullAtProfit Cumulative profit at which the pool filled the space (0 while it has not).
/// @param excessToDevFund Credit (1/10,000 units) the pool would have accrued beyond the space,
/// which the development fund earned instead.
struct PoolView {
    uint256 sharingSpace;
    uint256 accrued;
    uint256 left;
    uint256 fullAtProfit;
    uint256 excessToDevFund;
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
