// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IEMCModule} from "../interfaces/IEMCModule.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {Roles} from "../libraries/Roles.sol";
import {EMCAccounting} from "./EMCAccounting.sol";

/// @title EMCFunds
/// @notice The development fund, sweeps of credit nobody is owed, and the reporter.
abstract contract EMCFunds is EMCAccounting, IEMCModule, ReentrancyGuardTransient {
    using Accrual for Accrual.Position;
    using SafeERC20 for IERC20;

    /// @inheritdoc IEMCModule
    function withdrawDevFund(address to, uint256 amount, bytes32 purpose) external nonReentrant onlyOwner {
        if (to == address(0)) revert EmcZeroAddress();
        if (amount == 0) revert EmcZeroAmount();
        // The token lets this contract pay anyone; the registry decides who may be paid, and
        // credit paid to a contract (an EMC, or the factory, registered as the registrar)
        // would leave the members' hands.
        if (
            !_registry.transferAllowed(address(this), to) || to == _factory
                || _registry.isActive(to, Roles.CONTRACT)
        ) {
            revert EmcRecipientNotAllowed(to);
        }
        (Accrual.Position memory fund, Earned memory e) = _earned(_DEV_FUND, _noProofs());
        uint256 available = _devFundBalance + e.free;
        if (amount > available) revert EmcDevFundInsufficient(amount, available);
        _devFundBalance = uint128(available - amount);
        fund.paid += uint72(amount);
        _positions[_DEV_FUND] = fund;
        _totalPaid += uint72(amount);
        _devFundWithdrawn += uint128(amount);
        emit DevFundWithdrawn(to, amount, purpose, available - amount);
        _token.safeTransfer(to, amount);
    }

    /// @inheritdoc IEMCModule
    function sweep() external nonReentrant returns (uint256 amount) {
        if (msg.sender != _owner || !_registry.isActive(msg.sender, Roles.ME)) {
            if (!_registry.isActive(msg.sender, Roles.TREASURY)) revert EmcNotSweeper(msg.sender, _owner);
        }
        amount = _sweepable();
        if (amount == 0) revert EmcNothingToSweep();
        _swept += SafeCast.toUint96(amount);
        uint256 balance = _devFundBalance + amount;
        _devFundBalance = uint128(balance);
        (, Earned memory e) = _earned(_DEV_FUND, _noProofs());
        emit Swept(msg.sender, amount, balance + e.free);
    }

    /// @inheritdoc IEMCModule
    function sweepable() external view returns (uint256) {
        return _sweepable();
    }

    /// @inheritdoc IEMCModule
    function setReporter(address reporter_) external onlyOwner {
        if (reporter_ != address(0) && !_registry.isActive(reporter_, Roles.ME)) {
            revert EmcIneligibleReporter(reporter_);
        }
        address previous = _reporter;
        _reporter = reporter_;
        emit ReporterChanged(previous, reporter_);
    }

    /// @inheritdoc IEMCModule
    function reporter() external view returns (address) {
        return _reporter;
    }

    /// @dev The whole units the EMC holds above what it owes: everything that entered by the
    /// rules (profits, investments, earlier sweeps) less what left (claims, fund withdrawals,
    /// the capital's loss cover, capital returns, pool shares paid). Every account's dust stays
    /// owed. A forfeited pool's voided fraction (under one unit) needs no term of its own: it
    /// can never make the difference a whole unit larger.
    function _sweepable() private view returns (uint256) {
        uint256 entered = uint256(_cumProfit) + _invested + _swept;
        uint256 left = uint256(_totalPaid) + _lossesCovered + _capitalReturned + _poolPaid;
        uint256 held = _token.balanceOf(address(this));
        return held > entered - left ? held - (entered - left) : 0;
    }
}
