// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IEMC} from "../interfaces/IEMC.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {CapitalAccount} from "../types/Capital.sol";
import {EmcStatus, SharePath} from "../types/Shares.sol";
import {EMCAccounting} from "./EMCAccounting.sol";

/// @title EMCCapital
/// @notice Members' investments, the losses the capital absorbs, and dissolution. Capital
/// returns after dissolution are served by the module (`EMCReturns`).
/// @dev Capital is held as units of one pool, as a vault holds shares: a loss lowers what the
/// pool is worth, so it reaches every account pro rata without touching any of them. A
/// cumulative loss per unit records what each unit has borne, so that a forfeited pool can be
/// shared in proportion to the losses each account bore. Every operation here is O(1) in the
/// number of members and of versions.
abstract contract EMCCapital is EMCAccounting, IEMC {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @inheritdoc IEMC
    function invest(uint256 amount, SharePath calldata party) external {
        _checkStatus(EmcStatus.Active);
        _checkActiveMember();
        // Only parties to the agreement in force invest in it, and not once they have left.
        _checkParty(msg.sender, party);
        if (_departed(msg.sender)) revert EmcMemberDeparted(msg.sender, _departures[msg.sender].effectivePeriod);
        if (amount == 0) revert EmcZeroAmount();
        uint256 capital = _capital;
        uint256 totalUnits = _capitalUnits;
        // Units are minted at the pool's current worth, rounding down: in favour of the pool.
        // Losses only lower that worth, so a unit never costs more than one token unit.
        uint256 units = totalUnits == 0 ? amount : amount * totalUnits / capital;
        CapitalAccount storage account = _capitalAccounts[msg.sender];
        if (account.invested == 0) ++_investorCount;
        // Count what its units bore so far before their number changes; units of a wiped-out
        // era are worth nothing, and the account starts afresh in this one.
        (uint256 held, uint256 borne) = _capitalPosition(account);
        account.lossBorne = uint128(borne);
        account.lossIndex = _lossPerUnit;
        account.units = (held + units).toUint128();
        account.era = _capitalEra;
        account.invested = (uint256(account.invested) + amount).toUint96();
        _capital = (capital + amount).toUint128();
        _capitalUnits = (totalUnits + units).toUint128();
        _invested += uint128(amount);
        emit Invested(msg.sender, amount, units, capital + amount);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev The capital pays the loss, as far as it goes, to the ME that reports it (it bore
    /// the period's costs); the rest stays uncovered. Both count towards the threshold.
    function _absorbLoss(uint256 period, uint256 loss) internal {
        uint256 capital = _capital;
        uint256 covered = loss < capital ? loss : capital;
        bool newEra;
        if (covered != 0) {
            uint256 lossPerUnit = _lossPerUnit + Math.mulDiv(covered, _LOSS_INDEX_SCALE, _capitalUnits);
            _lossPerUnit = lossPerUnit;
            _capital = uint128(capital - covered);
            _lossesCovered = (uint256(_lossesCovered) + covered).toUint96();
            if (covered == capital) {
                // Wiped out: the era's units stop here; the next investment opens a new era at
                // one unit per token unit.
                uint32 era = _capitalEra;
                _eraEndLossPerUnit[era] = lossPerUnit;
                _capitalUnits = 0;
                _capitalEra = era + 1;
                newEra = true;
            }
        }
        uint256 losses = _losses + loss;
        _losses = losses.toUint128();
        emit LossAbsorbed(period, loss, covered, losses, capital - covered, newEra);
        uint256 threshold = _terms.lossThreshold;
        if (losses >= threshold) _dissolve(period, losses, threshold);
        if (covered != 0) _token.safeTransfer(msg.sender, covered);
    }

    /// @dev Ends the EMC for good. Short of its target, the value-added pool was never earned:
    /// every member's locked value-added credit becomes void, and the pool's whole units are
    /// owed to the investors in proportion to the losses their capital bore, up to those
    /// losses (nobody gains by a dissolution); the rest goes to the development fund.
    function _dissolve(uint256 period, uint256 losses, uint256 threshold) private {
        _status = EmcStatus.Dissolved;
        uint256 released;
        uint256 toInvestors;
        uint256 covered = _lossesCovered;
        if (!_targetReached) {
            _poolForfeited = true;
            released = _poolAccrued / Accrual.BPS;
            toInvestors = released < covered ? released : covered;
            _poolReleased = uint128(released);
            _poolToInvestors = uint128(toInvestors);
            _devFundBalance += uint128(released - toInvestors);
        }
        emit EmcDissolved(period, losses, threshold, _capital, released, toInvestors, released - toInvestors, covered);
    }
}
