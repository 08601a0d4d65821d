// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ShareClass, ShareEntry} from "../../../contracts/types/Shares.sol";

/// @notice The handler's ghost accounting, all in one place: what entered and left the EMC,
/// what each account earned (in 1/10,000 fen, as `Accrual` counts it), the capital, the
/// lifecycle flags. Every figure is restated from the calls the handler made, never read
/// back from the EMC, so the invariants compare two independent books.
/// @dev The money rules the model follows are those of `contracts/emc/*.sol` today; the
/// places that change with the audit rewrite are marked `REWRITE:`.
abstract contract EMCGhost {
    uint256 internal constant BPS = 10_000;
    address internal constant DEV_FUND = address(0);

    // ------------------------------------------------------------ money in and out
    /// @notice Credit that entered the EMC: profits deposited, investments, direct transfers.
    uint256 public ghostDeposited;
    uint256 public ghostInvested;
    uint256 public ghostStray;
    /// @notice Credit that left it: claims, fund withdrawals, loss cover paid to the reporter,
    /// capital returned after dissolution.
    uint256 public ghostClaimed;
    uint256 public ghostWithdrawn;
    uint256 public ghostLossCovered;
    uint256 public ghostCapitalReturned;
    /// @notice Stray credit moved into the development fund by `sweep` (REWRITE: always 0 today).
    uint256 public ghostSwept;

    // ------------------------------------------------------------ periods
    uint256 public ghostPeriods;
    uint256 public ghostUsers;
    uint256 public ghostRevenue;
    uint256 public ghostLosses;
    bool public ghostTargetReached;
    bool public ghostDissolved;
    /// @notice Dissolved short of the target: locked value-added credit is void.
    bool public ghostForfeited;
    /// @notice Value-added credit settled so far (1/10,000 fen): each version's pool bps
    /// times the profit settled under it.
    uint256 public ghostPoolCredit;
    /// @notice Whole fen of the pool released at dissolution, and where to.
    uint256 public ghostReleased;
    bool public ghostReleasedToFund;

    // ------------------------------------------------------------ entitlements
    /// @notice What each account earned (1/10,000 fen): partner, operating and fund bps times
    /// the profit settled while it held them; likewise value-added bps, separately.
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
    uint256 public ghostActivations;
    bytes32 public ghostActiveEntriesHash;

    // ------------------------------------------------------------ capital
    struct Holding {
        uint256 units;
        uint256 era;
    }

    uint256 public ghostCapital;
    uint256 public ghostTotalUnits;
    uint256 public ghostEra;
    mapping(address account => Holding) internal _holdings;

    // ------------------------------------------------------------ membership
    /// @notice Named in any proposed version: may invest.
    mapping(address account => bool) public ghostKnown;
    mapping(address account => uint256) public ghostNoticeEffective;
    mapping(address account => bool) public ghostNoticed;
    uint256 public ghostNoticeCount;

    // ============================================================ recording

    function _recordActivation(uint256 versionId, ShareEntry[] memory entries) internal {
        for (uint256 i; i < _heldAccounts.length; ++i) {
            delete _held[_heldAccounts[i]];
        }
        delete _heldAccounts;
        for (uint256 i; i < entries.length; ++i) {
            ShareEntry memory e = entries[i];
            Held storage h = _held[e.account];
            if (h.freeBps == 0 && h.valueAddedBps == 0) _heldAccounts.push(e.account);
            if (e.class == ShareClass.ValueAdded) h.valueAddedBps += e.bps;
            else h.freeBps += e.bps;
        }
        ghostActiveVersion = versionId;
        ++ghostActivations;
        ghostActiveEntriesHash = keccak256(abi.encode(entries));
    }

    function _recordProposal(ShareEntry[] memory entries) internal {
        for (uint256 i; i < entries.length; ++i) {
            ghostKnown[entries[i].account] = true;
        }
    }

    /// @dev Settles one period as `EMCSettlement.settle` does: figures first, then the target,
    /// then the profit's credit or the loss (which may dissolve the EMC). Returns the loss
    /// cover the reporter is paid.
    function _recordPeriod(uint256 users, uint256 revenue, uint256 profit, uint256 loss)
        internal
        returns (uint256 covered)
    {
        ++ghostPeriods;
        ghostUsers += users;
        ghostRevenue += revenue;
        if (!ghostTargetReached && ghostUsers >= _targetUsers() && ghostRevenue >= _targetRevenue()) {
            ghostTargetReached = true;
        }
        if (profit != 0) {
            ghostDeposited += profit;
            for (uint256 i; i < _heldAccounts.length; ++i) {
                address a = _heldAccounts[i];
                Held memory h = _held[a];
                ghostFreeCredit[a] += uint256(h.freeBps) * profit;
                ghostValueAddedCredit[a] += uint256(h.valueAddedBps) * profit;
                ghostPoolCredit += uint256(h.valueAddedBps) * profit;
            }
        }
        if (loss != 0) covered = _recordLoss(loss);
    }

    function _recordLoss(uint256 loss) private returns (uint256 covered) {
        // REWRITE: only an attested loss (settleAttested) draws on the capital.
        covered = loss < ghostCapital ? loss : ghostCapital;
        if (covered != 0) {
            ghostCapital -= covered;
            ghostLossCovered += covered;
            if (ghostCapital == 0) {
                ghostTotalUnits = 0;
                ++ghostEra;
            }
        }
        ghostLosses += loss;
        if (ghostLosses >= _lossThreshold()) _recordDissolution();
    }

    function _recordDissolution() private {
        ghostDissolved = true;
        if (ghostTargetReached) return;
        ghostForfeited = true;
        // REWRITE: the forfeited pool goes to the investors in proportion to the losses their
        // capital bore, paid by claimCapital; today it joins the capital (pro rata to units).
        ghostReleased = ghostPoolCredit / BPS;
        if (ghostReleased == 0) return;
        if (ghostTotalUnits != 0) ghostCapital += ghostReleased;
        else ghostReleasedToFund = true;
    }

    function _recordClaim(address account, uint256 amount) internal {
        ghostClaimed += amount;
        ghostPaid[account] += amount;
    }

    function _recordWithdrawal(uint256 amount) internal {
        ghostWithdrawn += amount;
        ghostPaid[DEV_FUND] += amount;
    }

    /// @dev Units at the capital's current worth, as `EMCCapital.invest` mints them; returns
    /// false (and records nothing) where the ledger cannot store them.
    function _previewInvestment(address account, uint256 amount) internal view returns (bool fits, uint256 units) {
        units = ghostTotalUnits == 0 || ghostCapital == 0 ? amount : amount * ghostTotalUnits / ghostCapital;
        uint256 held = _holdings[account].era == ghostEra ? _holdings[account].units : 0;
        fits = held + units <= type(uint128).max && ghostTotalUnits + units <= type(uint128).max
            && ghostCapital + amount <= type(uint128).max;
    }

    function _recordInvestment(address account, uint256 amount, uint256 units) internal {
        Holding storage h = _holdings[account];
        uint256 held = h.era == ghostEra ? h.units : 0;
        h.units = held + units;
        h.era = ghostEra;
        ghostCapital += amount;
        ghostTotalUnits += units;
        ghostInvested += amount;
    }

    function ghostUnitsOf(address account) public view returns (uint256) {
        Holding memory h = _holdings[account];
        return h.era == ghostEra ? h.units : 0;
    }

    /// @dev Pro rata of what is left, as `EMCCapital.claimCapital` pays it.
    function _previewCapitalReturn(address account) internal view returns (uint256 units, uint256 amount) {
        units = ghostUnitsOf(account);
        amount = units == 0 ? 0 : units * ghostCapital / ghostTotalUnits;
    }

    function _recordCapitalReturn(address account, uint256 units, uint256 amount) internal {
        _holdings[account].units = 0;
        ghostCapital -= amount;
        ghostTotalUnits -= units;
        ghostCapitalReturned += amount;
    }

    function _recordStray(uint256 amount) internal {
        ghostStray += amount;
    }

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
        uint256 swept;
        uint256 periods;
        uint256 users;
        uint256 revenue;
        uint256 losses;
        bool targetReached;
        bool dissolved;
        bool forfeited;
        uint256 poolCredit;
        uint256 released;
        uint256 unreleasedPoolDust;
        uint256 capital;
        uint256 totalUnits;
        uint256 era;
        uint256 activeVersion;
        bytes32 activeEntriesHash;
    }

    /// @notice One account's part of the books.
    struct AccountBook {
        uint256 paid;
        uint256 entitlement;
        uint256 freeCredit;
        uint256 units;
        bool noticed;
        uint256 noticeEffective;
    }

    function book() external view returns (Book memory b) {
        b.deposited = ghostDeposited;
        b.invested = ghostInvested;
        b.stray = ghostStray;
        b.claimed = ghostClaimed;
        b.withdrawn = ghostWithdrawn;
        b.lossCovered = ghostLossCovered;
        b.capitalReturned = ghostCapitalReturned;
        b.swept = ghostSwept;
        b.periods = ghostPeriods;
        b.users = ghostUsers;
        b.revenue = ghostRevenue;
        b.losses = ghostLosses;
        b.targetReached = ghostTargetReached;
        b.dissolved = ghostDissolved;
        b.forfeited = ghostForfeited;
        b.poolCredit = ghostPoolCredit;
        b.released = ghostReleased;
        b.unreleasedPoolDust = ghostUnreleasedPoolDust();
        b.capital = ghostCapital;
        b.totalUnits = ghostTotalUnits;
        b.era = ghostEra;
        b.activeVersion = ghostActiveVersion;
        b.activeEntriesHash = ghostActiveEntriesHash;
    }

    function accountBooks(address[] calldata accounts) external view returns (AccountBook[] memory books) {
        books = new AccountBook[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            books[i] = AccountBook({
                paid: ghostPaid[a],
                entitlement: ghostEntitlement(a),
                freeCredit: ghostFreeCredit[a],
                units: ghostUnitsOf(a),
                noticed: ghostNoticed[a],
                noticeEffective: ghostNoticeEffective[a]
            });
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

    /// @notice The most `account` can be owed (1/10,000 fen): its bps times the profit
    /// settled while it held them, value-added credit only while the pool is not forfeited,
    /// and for the fund the pool released to it (and, after the rewrite, what was swept).
    function ghostEntitlement(address account) public view returns (uint256 credit) {
        credit = ghostFreeCredit[account];
        if (!ghostForfeited) credit += ghostValueAddedCredit[account];
        if (account == DEV_FUND && ghostReleasedToFund) credit += ghostReleased * BPS;
        // REWRITE: + ghostSwept * BPS for the fund; the pool's part above the sharing space
        // moves from the members' value-added credit to the fund.
    }

    /// @notice The part of a forfeited pool that no whole fen could carry (under one fen).
    function ghostUnreleasedPoolDust() public view returns (uint256) {
        return ghostForfeited ? ghostPoolCredit - ghostReleased * BPS : 0;
    }

    function _targetUsers() internal view virtual returns (uint256);
    function _targetRevenue() internal view virtual returns (uint256);
    function _lossThreshold() internal view virtual returns (uint256);
}
