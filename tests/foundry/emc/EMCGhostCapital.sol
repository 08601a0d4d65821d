// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice The handler's ghost books of the capital: investments as units of one pool, the
/// losses it covers, what each unit bore (a cumulative loss per unit, as README "The model"
/// states it), and dissolution's split of a forfeited pool between the investors (by borne
/// losses, up to them) and the development fund.
abstract contract EMCGhostCapital {
    uint256 internal constant BPS = 10_000;
    address internal constant DEV_FUND = address(0);
    /// @dev Scale of the cumulative loss per unit (2**128).
    uint256 internal constant LOSS_INDEX_SCALE = 1 << 128;

    struct Holding {
        uint256 units;
        uint256 era;
        uint256 invested;
        uint256 lossIndex;
        uint256 lossBorne;
        bool claimed;
    }

    uint256 public ghostInvested;
    uint256 public ghostLossCovered;
    uint256 public ghostCapitalReturned;
    uint256 public ghostPoolPaid;
    uint256 public ghostLosses;
    uint256 public ghostCapital;
    uint256 public ghostTotalUnits;
    uint256 public ghostEra;
    uint256 public ghostLossPerUnit;
    mapping(uint256 era => uint256) public ghostEraEndLossPerUnit;
    mapping(address account => Holding) internal _holdings;
    uint256 public ghostInvestorCount;
    uint256 public ghostCapitalClaims;
    /// @notice How many floors the borne losses went through (each covered loss's index step,
    /// each account's count at an investment, one more per investor for its count now): the
    /// losses covered exceed the losses borne, summed over investors, by less than this.
    uint256 public ghostBorneRoundings;

    bool public ghostDissolved;
    /// @notice Dissolved short of the target: value-added credit is void.
    bool public ghostForfeited;
    /// @notice Whole fen of the pool released at dissolution, and the part owed to investors.
    uint256 public ghostReleased;
    uint256 public ghostPoolToInvestors;

    /// @dev The capital pays the loss as far as it goes (only an attested loss reaches it while
    /// there is capital); a loss that takes all of it closes the era. Every loss counts towards
    /// the threshold.
    function _recordLoss(uint256 loss) internal returns (uint256 covered) {
        covered = loss < ghostCapital ? loss : ghostCapital;
        if (covered != 0) {
            ghostLossPerUnit += Math.mulDiv(covered, LOSS_INDEX_SCALE, ghostTotalUnits);
            ++ghostBorneRoundings;
            ghostCapital -= covered;
            ghostLossCovered += covered;
            if (ghostCapital == 0) {
                ghostEraEndLossPerUnit[ghostEra] = ghostLossPerUnit;
                ghostTotalUnits = 0;
                ++ghostEra;
            }
        }
        ghostLosses += loss;
        if (ghostLosses >= _lossThreshold()) _recordDissolution();
    }

    /// @dev Short of the target the pool's whole fen are released: the investors are owed up to
    /// the losses they bore, the development fund the rest.
    function _recordDissolution() private {
        ghostDissolved = true;
        if (_targetReachedForDissolution()) return;
        ghostForfeited = true;
        ghostReleased = _poolAccruedForDissolution() / BPS;
        ghostPoolToInvestors = ghostReleased < ghostLossCovered ? ghostReleased : ghostLossCovered;
    }

    /// @dev Units at the capital's current worth (rounded down), as `EMCCapital.invest` mints
    /// them; `fits` false where the ledger cannot store the result.
    function _previewInvestment(address account, uint256 amount) internal view returns (bool fits, uint256 units) {
        units = ghostTotalUnits == 0 ? amount : amount * ghostTotalUnits / ghostCapital;
        Holding memory h = ghostHolding(account);
        fits = h.units + units <= type(uint128).max && ghostTotalUnits + units <= type(uint128).max
            && ghostCapital + amount <= type(uint128).max && h.invested + amount <= type(uint96).max;
    }

    function _recordInvestment(address account, uint256 amount, uint256 units) internal {
        Holding memory now_ = ghostHolding(account);
        Holding storage h = _holdings[account];
        if (h.invested == 0) ++ghostInvestorCount;
        ++ghostBorneRoundings;
        h.lossBorne = now_.lossBorne;
        h.lossIndex = ghostLossPerUnit;
        h.units = now_.units + units;
        h.era = ghostEra;
        h.invested += amount;
        ghostCapital += amount;
        ghostTotalUnits += units;
        ghostInvested += amount;
    }

    /// @notice `account`'s holding as of now: its units if they are of the current era (else
    /// zero), and the losses they bore up to now (up to their era's end for a wiped-out era).
    function ghostHolding(address account) public view returns (Holding memory h) {
        h = _holdings[account];
        bool current = h.era == ghostEra;
        uint256 index = current ? ghostLossPerUnit : ghostEraEndLossPerUnit[h.era];
        if (h.units != 0) h.lossBorne += Math.mulDiv(h.units, index - h.lossIndex, LOSS_INDEX_SCALE);
        if (!current) h.units = 0;
        h.lossIndex = ghostLossPerUnit;
    }

    function ghostUnitsOf(address account) public view returns (uint256) {
        return ghostHolding(account).units;
    }

    /// @dev What `claimCapital` pays `account`: its units' part of the capital (the last units
    /// out take the remainder, since they are all the units) and its share of the released pool
    /// (pro rata to borne losses; the last investor to claim takes what is left of it).
    function _previewCapitalReturn(address account)
        internal
        view
        returns (Holding memory h, uint256 returned, uint256 poolShare)
    {
        h = ghostHolding(account);
        returned = h.units == 0 ? 0 : h.units * ghostCapital / ghostTotalUnits;
        if (ghostPoolToInvestors == 0) return (h, returned, 0);
        poolShare = ghostCapitalClaims + 1 == ghostInvestorCount
            ? ghostPoolToInvestors - ghostPoolPaid
            : _proRataPoolShare(h.lossBorne);
    }

    function _proRataPoolShare(uint256 borne) internal view returns (uint256) {
        return ghostPoolToInvestors == 0 ? 0 : Math.mulDiv(ghostPoolToInvestors, borne, ghostLossCovered);
    }

    function _recordCapitalReturn(address account, Holding memory h, uint256 returned, uint256 poolShare) internal {
        Holding storage stored = _holdings[account];
        stored.units = 0;
        stored.lossBorne = h.lossBorne;
        stored.lossIndex = ghostLossPerUnit;
        stored.claimed = true;
        ghostCapital -= returned;
        ghostTotalUnits -= h.units;
        ghostCapitalReturned += returned;
        ghostPoolPaid += poolShare;
        ++ghostCapitalClaims;
    }

    function _lossThreshold() internal view virtual returns (uint256);
    function _poolAccruedForDissolution() internal view virtual returns (uint256);
    function _targetReachedForDissolution() internal view virtual returns (bool);
}
