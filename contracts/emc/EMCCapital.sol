// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IEMC} from "../interfaces/IEMC.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {CapitalAccount, CapitalTotals} from "../types/Capital.sol";
import {EmcStatus} from "../types/Shares.sol";
import {EMCStorage} from "./EMCStorage.sol";

/// @title EMCCapital
/// @notice Members' investments, the losses the capital absorbs, and dissolution.
/// @dev Capital is held as units of one pool, as a vault holds shares: a loss lowers what the
/// pool is worth, so it reaches every account pro rata without touching any of them. Every
/// operation here is O(1) in the number of members; dissolution walks the share versions
/// (about one a month), never the members.
abstract contract EMCCapital is EMCStorage, IEMC {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @inheritdoc IEMC
    function invest(uint256 amount) external {
        _checkStatus(EmcStatus.Active);
        _checkActiveMember();
        // Only members of this EMC (named in one of its versions, not departed) invest in it.
        if (_positions[msg.sender].flags & Accrual.KNOWN == 0) revert EmcNotAMember(msg.sender);
        if (_departed(msg.sender)) revert EmcMemberDeparted(msg.sender, _departures[msg.sender].effectivePeriod);
        if (amount == 0) revert EmcZeroAmount();
        uint256 capital = _capital;
        uint256 totalUnits = _capitalUnits;
        // Units are minted at the pool's current worth, rounding down: in favour of the pool.
        // Losses only lower that worth, so a unit never costs more than one token unit.
        uint256 units = totalUnits == 0 ? amount : amount * totalUnits / capital;
        CapitalAccount storage account = _capitalAccounts[msg.sender];
        uint32 era = _capitalEra;
        // Units of a wiped-out era are worth nothing; the account starts afresh.
        uint256 held = account.era == era ? account.units : 0;
        account.units = (held + units).toUint128();
        account.era = era;
        account.invested = (uint256(account.invested) + amount).toUint96();
        _capital = (capital + amount).toUint128();
        _capitalUnits = (totalUnits + units).toUint128();
        _invested += uint128(amount);
        emit Invested(msg.sender, amount, units, capital + amount);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IEMC
    function claimCapital() external returns (uint256 amount) {
        _checkStatus(EmcStatus.Dissolved);
        CapitalAccount storage account = _capitalAccounts[msg.sender];
        uint256 units = account.era == _capitalEra ? account.units : 0;
        if (units == 0) revert EmcNothingToClaim(msg.sender);
        uint256 capital = _capital;
        uint256 totalUnits = _capitalUnits;
        // Pro rata of what is left; the last account out takes the rounding remainder.
        amount = units * capital / totalUnits;
        account.units = 0;
        _capital = uint128(capital - amount);
        _capitalUnits = uint128(totalUnits - units);
        _capitalReturned += uint128(amount);
        emit CapitalReturned(msg.sender, amount, units);
        if (amount != 0) _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IEMC
    function capitalTotals() external view returns (CapitalTotals memory) {
        return CapitalTotals({
            capital: _capital,
            totalUnits: _capitalUnits,
            era: _capitalEra,
            invested: _invested,
            losses: _losses,
            lossesCovered: _lossesCovered,
            returned: _capitalReturned,
            poolReleased: _poolReleased
        });
    }

    /// @inheritdoc IEMC
    function capitalOf(address account) external view returns (CapitalAccount memory held, uint256 value) {
        held = _capitalAccounts[account];
        if (held.era != _capitalEra) held.units = 0;
        uint256 totalUnits = _capitalUnits;
        value = totalUnits == 0 ? 0 : uint256(held.units) * _capital / totalUnits;
    }

    /// @dev The capital pays the loss, as far as it goes, to the ME that reports it (it bore
    /// the period's costs); the rest stays uncovered. Both count towards the threshold.
    function _absorbLoss(uint256 period, uint256 loss) internal {
        uint256 capital = _capital;
        uint256 covered = loss < capital ? loss : capital;
        if (covered != 0) {
            _capital = uint128(capital - covered);
            _lossesCovered = (uint256(_lossesCovered) + covered).toUint96();
            if (covered == capital) {
                // Wiped out: the next investment opens a new era at one unit per token unit.
                _capitalUnits = 0;
                ++_capitalEra;
            }
        }
        uint256 losses = _losses + loss;
        _losses = losses.toUint128();
        emit LossAbsorbed(period, loss, covered, losses);
        uint256 threshold = _terms.lossThreshold;
        if (losses >= threshold) _dissolve(period, losses, threshold);
        if (covered != 0) _token.safeTransfer(msg.sender, covered);
    }

    /// @dev Ends the EMC for good. Short of its target, the value-added pool was never earned:
    /// the credit it holds goes to the capital that bore the losses (to the development fund if
    /// no capital is left to receive it), and every member's locked value-added credit becomes
    /// void.
    function _dissolve(uint256 period, uint256 losses, uint256 threshold) private {
        _status = EmcStatus.Dissolved;
        uint256 released;
        if (!_targetReached) {
            _poolForfeited = true;
            released = _valueAddedPool();
            if (released != 0) {
                _poolReleased = uint128(released);
                if (_capitalUnits != 0) _capital += uint128(released);
                else _devFundBalance += uint128(released);
            }
        }
        emit EmcDissolved(period, losses, threshold, _capital, released);
    }

    /// @dev Whole units of value-added credit settled so far: each epoch's pool basis points
    /// times the profit settled under it.
    function _valueAddedPool() private view returns (uint256) {
        uint256 epochCount = _epochCount;
        uint256 credit;
        for (uint256 e; e < epochCount; ++e) {
            Epoch memory epoch = _epochs[e];
            uint256 end = e + 1 < epochCount ? _epochs[e + 1].startProfit : _cumProfit;
            credit += uint256(_versions[epoch.versionId].valueAddedBps) * (end - epoch.startProfit);
        }
        return credit / Accrual.BPS;
    }
}
