// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ShareClass, ShareEntry} from "../../../contracts/types/Shares.sol";
import {Entries} from "../utils/Entries.sol";
import {EMCGhostCapital} from "./EMCGhostCapital.sol";

/// @notice The handler's ghost accounting of profit: what entered and left the EMC, what each
/// account earned (in 1/10,000 fen, as `Accrual` counts it), the value-added pool against the
/// sharing space, the lifecycle flags. Every figure is restated from the calls the handler
/// made, never read back from the EMC, so the invariants compare two independent books.
/// @dev Credit is booked eagerly here, period by period, where the EMC books it lazily, epoch
/// by epoch, at claims: the same sums, since every rule is linear in the profit settled under
/// each version. The capital, losses and dissolution are in `EMCGhostCapital`.
abstract contract EMCGhost is EMCGhostCapital {
    // ------------------------------------------------------------ money in and out
    /// @notice Credit that entered the EMC: profits deposited, investments (`ghostInvested`),
    /// direct transfers (stray credit).
    uint256 public ghostDeposited;
    uint256 public ghostStray;
    /// @notice Credit that left it: claims and fund withdrawals (loss cover, capital returns and
    /// pool shares are in `EMCGhostCapital`).
    uint256 public ghostClaimed;
    uint256 public ghostWithdrawn;
    /// @notice Stray credit moved into the development fund by `sweep`.
    uint256 public ghostSwept;

    // ------------------------------------------------------------ periods
    uint256 public ghostPeriods;
    uint256 public ghostUsers;
    uint256 public ghostRevenue;
    bool public ghostTargetReached;

    // ------------------------------------------------------------ the value-added pool
    /// @notice What the pool accrued (1/10,000 fen): each profit period's pool bps times the
    /// profit, up to the sharing space.
    uint256 public ghostPoolAccrued;
    bool public ghostPoolFull;
    /// @notice The cumulative profit up to which value-added shares earn, once the pool is full.
    uint256 public ghostPoolFullAt;
    /// @notice What the pool's bps earned for the fund beyond `ghostPoolFullAt` (1/10,000 fen).
    uint256 public ghostPoolExcess;

    // ------------------------------------------------------------ entitlements
    /// @notice What each account earned (1/10,000 fen): partner, operating and fund bps times
    /// the profit settled while it held them (for the fund also the pool's excess); value-added
    /// bps times the part of that profit below the pool's fill point, separately.
    mapping(address account => uint256) public ghostFreeCredit;
    mapping(address account => uint256) public ghostValueAddedCredit;
    /// @notice What the EMC paid each account (the fund: what was withdrawn from it).
    mapping(address account => uint256) public ghostPaid;

    /// @notice The active version's shares, restated from the entries the handler proposed.
    struct Held {
        uint16 freeBps;
        uint16 valueAddedBps;
    }

    mapping(address account => Held) internal _held;
    address[] internal _heldAccounts;
    uint256 public ghostActiveVersion;
    uint256 public ghostActivePoolBps;
    uint256 public ghostActivations;
    bytes32 public ghostActiveEntriesHash;

    // ------------------------------------------------------------ membership
    mapping(address account => uint256) public ghostNoticeEffective;
    mapping(address account => bool) public ghostNoticed;
    uint256 public ghostNoticeCount;

    // ============================================================ recording

    function _recordActivation(uint256 versionId, ShareEntry[] memory entries) internal {
        for (uint256 i; i < _heldAccounts.length; ++i) {
            delete _held[_heldAccounts[i]];
        }
        delete _heldAccounts;
        uint256 poolBps;
        for (uint256 i; i < entries.length; ++i) {
            ShareEntry memory e = entries[i];
            Held storage h = _held[e.account];
            if (h.freeBps == 0 && h.valueAddedBps == 0) _heldAccounts.push(e.account);
            if (e.class == ShareClass.ValueAdded) {
                h.valueAddedBps += e.bps;
                poolBps += e.bps;
            } else {
                h.freeBps += e.bps;
            }
        }
        ghostActiveVersion = versionId;
        ghostActivePoolBps = poolBps;
        ++ghostActivations;
        ghostActiveEntriesHash = _entriesHash(entries);
    }

    /// @notice The EIP-712 hash of `entries`, as a version's `entriesHash` (`Entries.hash`).
    function _entriesHash(ShareEntry[] memory entries) internal pure returns (bytes32) {
        return Entries.hash(entries);
    }

    /// @dev Settles one period as `EMCSettlement._settle` does: figures, the profit's credit
    /// (the pool up to the sharing space), the target, then the loss (which may dissolve the
    /// EMC). Returns the loss cover the reporter is paid.
    function _recordPeriod(uint256 users, uint256 revenue, uint256 profit, uint256 loss)
        internal
        returns (uint256 covered)
    {
        ++ghostPeriods;
        ghostUsers += users;
        ghostRevenue += revenue;
        if (profit != 0) _recordProfit(profit);
        if (!ghostTargetReached && ghostUsers >= _targetUsers() && ghostRevenue >= _targetRevenue()) {
            ghostTargetReached = true;
        }
        if (loss != 0) covered = _recordLoss(loss);
    }

    /// @dev The pool accrues its bps of the profit until the next piece would pass the sharing
    /// space: that period fixes the fill point at the previous cumulative profit plus
    /// floor(room / pool bps). Value-added bps earn on the profit below the fill point, and for
    /// the fund on the profit beyond it; every other share on all of it.
    function _recordProfit(uint256 profit) private {
        uint256 start = ghostDeposited;
        uint256 end = start + profit;
        ghostDeposited = end;
        uint256 poolBps = ghostActivePoolBps;
        if (poolBps != 0 && !ghostPoolFull) {
            uint256 room = _sharingSpace() * BPS - ghostPoolAccrued;
            if (poolBps * profit <= room) {
                ghostPoolAccrued += poolBps * profit;
            } else {
                ghostPoolFullAt = start + room / poolBps;
                ghostPoolAccrued += (room / poolBps) * poolBps;
                ghostPoolFull = true;
            }
        }
        uint256 belowFill = ghostPoolFull ? _min(end, ghostPoolFullAt) - _min(start, ghostPoolFullAt) : profit;
        for (uint256 i; i < _heldAccounts.length; ++i) {
            address a = _heldAccounts[i];
            Held memory h = _held[a];
            ghostFreeCredit[a] += uint256(h.freeBps) * profit;
            ghostValueAddedCredit[a] += uint256(h.valueAddedBps) * belowFill;
        }
        uint256 excess = poolBps * (profit - belowFill);
        ghostFreeCredit[DEV_FUND] += excess;
        ghostPoolExcess += excess;
    }

    function _recordClaim(address account, uint256 amount) internal {
        ghostClaimed += amount;
        ghostPaid[account] += amount;
    }

    function _recordWithdrawal(uint256 amount) internal {
        ghostWithdrawn += amount;
        ghostPaid[DEV_FUND] += amount;
    }

    function _recordStray(uint256 amount) internal {
        ghostStray += amount;
    }

    function _recordSweep(uint256 amount) internal {
        ghostSwept += amount;
    }

    /// @dev A notice, or the owner's shorter one replacing a running notice.
    function _recordNotice(address account, uint256 noticePeriods) internal {
        ghostNoticed[account] = true;
        ghostNoticeEffective[account] = ghostPeriods + noticePeriods;
        ++ghostNoticeCount;
    }

    // ============================================================ reading

    /// @notice Every scalar of the books, for one call per check.
    struct Book {
        uint256 deposited;
        uint256 invested;
        uint256 stray;
        uint256 claimed;
        uint256 withdrawn;
        uint256 lossCovered;
        uint256 capitalReturned;
        uint256 poolPaid;
        uint256 swept;
        uint256 periods;
        uint256 users;
        uint256 revenue;
        uint256 losses;
        bool targetReached;
        bool dissolved;
        bool forfeited;
        uint256 poolAccrued;
        bool poolFull;
        uint256 poolFullAt;
        uint256 poolExcess;
        uint256 released;
        uint256 poolToInvestors;
        uint256 unreleasedPoolDust;
        uint256 capital;
        uint256 totalUnits;
        uint256 era;
        uint256 investors;
        uint256 capitalClaims;
        uint256 borneRoundings;
        uint256 activeVersion;
        uint256 activePoolBps;
        bytes32 activeEntriesHash;
    }

    /// @notice One account's part of the books.
    struct AccountBook {
        uint256 paid;
        uint256 entitlement;
        uint256 freeCredit;
        uint256 valueAddedCredit;
        Holding holding; // units of the current era only, borne losses up to now
        uint256 poolShare; // of a released pool, pro rata to borne losses (0 once claimed)
    }

    function book() external view returns (Book memory b) {
        b.deposited = ghostDeposited;
        b.invested = ghostInvested;
        b.stray = ghostStray;
        b.claimed = ghostClaimed;
        b.withdrawn = ghostWithdrawn;
        b.lossCovered = ghostLossCovered;
        b.capitalReturned = ghostCapitalReturned;
        b.poolPaid = ghostPoolPaid;
        b.swept = ghostSwept;
        b.periods = ghostPeriods;
        b.users = ghostUsers;
        b.revenue = ghostRevenue;
        b.losses = ghostLosses;
        b.targetReached = ghostTargetReached;
        b.dissolved = ghostDissolved;
        b.forfeited = ghostForfeited;
        b.poolAccrued = ghostPoolAccrued;
        b.poolFull = ghostPoolFull;
        b.poolFullAt = ghostPoolFullAt;
        b.poolExcess = ghostPoolExcess;
        b.released = ghostReleased;
        b.poolToInvestors = ghostPoolToInvestors;
        b.unreleasedPoolDust = ghostUnreleasedPoolDust();
        b.capital = ghostCapital;
        b.totalUnits = ghostTotalUnits;
        b.era = ghostEra;
        b.investors = ghostInvestorCount;
        b.capitalClaims = ghostCapitalClaims;
        b.borneRoundings = ghostBorneRoundings;
        b.activeVersion = ghostActiveVersion;
        b.activePoolBps = ghostActivePoolBps;
        b.activeEntriesHash = ghostActiveEntriesHash;
    }

    function accountBooks(address[] calldata accounts) external view returns (AccountBook[] memory books) {
        books = new AccountBook[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            AccountBook memory ab = books[i];
            ab.paid = ghostPaid[a];
            ab.entitlement = ghostEntitlement(a);
            ab.freeCredit = ghostFreeCredit[a];
            ab.valueAddedCredit = ghostValueAddedCredit[a];
            ab.holding = ghostHolding(a);
            if (!ab.holding.claimed) ab.poolShare = _proRataPoolShare(ab.holding.lossBorne);
        }
    }

    /// @notice Whether `account`'s notice has run out.
    function ghostDeparted(address account) public view returns (bool) {
        return ghostNoticed[account] && ghostPeriods >= ghostNoticeEffective[account];
    }

    /// @notice Whether the active version gives `account` a share.
    function ghostHolds(address account) public view returns (bool) {
        Held memory h = _held[account];
        return h.freeBps != 0 || h.valueAddedBps != 0;
    }

    /// @notice The most `account` can be owed (1/10,000 fen): its bps times the profit settled
    /// while it held them (value-added bps only on the profit below the pool's fill point, and
    /// nothing once the pool is forfeited); for the fund also the pool's excess beyond the fill
    /// point, the part of a released pool the investors are not owed, and what was swept.
    function ghostEntitlement(address account) public view returns (uint256 credit) {
        credit = ghostFreeCredit[account];
        if (!ghostForfeited) credit += ghostValueAddedCredit[account];
        if (account == DEV_FUND) credit += (ghostReleased - ghostPoolToInvestors + ghostSwept) * BPS;
    }

    /// @notice The part of a forfeited pool that no whole fen could carry (under one fen).
    function ghostUnreleasedPoolDust() public view returns (uint256) {
        return ghostForfeited ? ghostPoolAccrued - ghostReleased * BPS : 0;
    }

    function _poolAccruedForDissolution() internal view override returns (uint256) {
        return ghostPoolAccrued;
    }

    function _targetReachedForDissolution() internal view override returns (bool) {
        return ghostTargetReached;
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    function _targetUsers() internal view virtual returns (uint256);
    function _targetRevenue() internal view virtual returns (uint256);
    function _sharingSpace() internal view virtual returns (uint256);
}
