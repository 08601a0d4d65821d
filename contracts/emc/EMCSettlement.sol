// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IEMC} from "../interfaces/IEMC.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {Roles} from "../libraries/Roles.sol";
import {EmcStatus, PeriodReport, Share} from "../types/Shares.sol";
import {EMCCapital} from "./EMCCapital.sol";

/// @title EMCSettlement
/// @notice Settling periods (profits and losses), pull payouts and the development fund, at
/// O(1) gas in the number of members.
/// @dev Settling a period only raises `_cumProfit`. An account is brought up to date
/// lazily, epoch by epoch, when it claims: O(epochs since its last claim), about one a month.
abstract contract EMCSettlement is EMCCapital, ReentrancyGuardTransient {
    using Accrual for Accrual.Position;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @inheritdoc IEMC
    function settle(PeriodReport calldata report) external nonReentrant onlyReporter returns (uint256 period) {
        _checkStatus(EmcStatus.Active);
        uint256 versionId = _activeVersionId;
        if (versionId == 0) revert EmcNoActiveVersion();
        uint256 profit = report.profit;
        uint256 loss;
        if (report.cost > report.revenue) {
            loss = report.cost - report.revenue;
            if (profit != 0) revert EmcProfitWithLoss(profit, loss);
        } else if (profit > report.revenue - report.cost) {
            revert EmcProfitAboveMargin(profit, report.revenue - report.cost);
        }
        uint256 cumProfit = _cumProfit + profit;
        if (cumProfit > _MAX_CUMULATIVE) revert EmcAmountTooLarge(cumProfit, _MAX_CUMULATIVE);
        // Widened before adding, so an overflow reaches SafeCast's error, not a panic.
        uint256 users = uint256(_cumUsers) + report.users;
        uint256 revenue = uint256(_cumRevenue) + report.revenue;

        period = ++_periodCount;
        _cumProfit = uint72(cumProfit);
        _cumUsers = users.toUint64();
        _cumRevenue = revenue.toUint128();
        emit PeriodSettled(period, versionId, msg.sender, report, cumProfit);

        if (!_targetReached && users >= _terms.targetUsers && revenue >= _terms.targetRevenue) {
            _targetReached = true;
            emit TargetReached(period, users, revenue);
        }
        if (loss != 0) _absorbLoss(period, loss);
        else if (profit != 0) _token.safeTransferFrom(msg.sender, address(this), profit);
    }

    /// @inheritdoc IEMC
    /// @dev The payee needs no registry check: only accounts that were eligible members when
    /// a version named them have a position, and registry records are never removed.
    function claim() external nonReentrant returns (uint256 amount) {
        uint256 locked;
        Accrual.Position memory p;
        (p, amount, locked) = _accrued(msg.sender);
        if (amount == 0) revert EmcNothingToClaim(msg.sender);
        if (locked != 0 || p.has(Accrual.HAS_LOCKED)) {
            _locked[msg.sender] = locked;
            p.set(Accrual.HAS_LOCKED, locked != 0);
        }
        uint256 paid = p.paid + amount;
        p.paid = uint72(paid);
        _positions[msg.sender] = p;
        _totalPaid += uint72(amount);
        emit Claimed(msg.sender, amount, paid);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IEMC
    function withdrawDevFund(address to, uint256 amount, bytes32 purpose) external nonReentrant onlyOwner {
        if (to == address(0)) revert EmcZeroAddress();
        if (amount == 0) revert EmcZeroAmount();
        // The token lets this contract pay anyone; the registry decides who may be paid.
        if (!_registry.transferAllowed(address(this), to)) revert EmcRecipientNotAllowed(to);
        (Accrual.Position memory fund, uint256 accrued,) = _accrued(_DEV_FUND);
        uint256 available = _devFundBalance + accrued;
        if (amount > available) revert EmcDevFundInsufficient(amount, available);
        _devFundBalance = uint128(available - amount);
        fund.paid += uint72(amount);
        _positions[_DEV_FUND] = fund;
        _totalPaid += uint72(amount);
        _devFundWithdrawn += uint128(amount);
        emit DevFundWithdrawn(to, amount, purpose, available - amount);
        _token.safeTransfer(to, amount);
    }

    /// @inheritdoc IEMC
    function setReporter(address reporter_) external onlyOwner {
        if (reporter_ != address(0) && !_registry.isActive(reporter_, Roles.ME)) {
            revert EmcIneligibleReporter(reporter_);
        }
        address previous = _reporter;
        _reporter = reporter_;
        emit ReporterChanged(previous, reporter_);
    }

    /// @inheritdoc IEMC
    function reporter() external view returns (address) {
        return _reporter;
    }

    /// @inheritdoc IEMC
    function totals() external view returns (Totals memory) {
        return Totals({
            periods: _periodCount,
            users: _cumUsers,
            revenue: _cumRevenue,
            profit: _cumProfit,
            paid: _totalPaid,
            devFundWithdrawn: _devFundWithdrawn,
            targetReached: _targetReached
        });
    }

    /// @inheritdoc IEMC
    function accountOf(address account) external view returns (AccountView memory) {
        (Accrual.Position memory p, uint256 payable_, uint256 locked) = _accrued(account);
        if (account == _DEV_FUND) payable_ += _devFundBalance;
        return AccountView({
            claimable: payable_,
            locked: locked,
            paid: p.paid,
            dust: uint256(p.freeDust) + p.lockedDust
        });
    }

    /// @dev `account`'s position brought up to date, what it may be paid now and its locked
    /// value-added credit. Walks the epochs the account has not been accounted for; in the
    /// common case (no new version since its last claim) that is one epoch whose shares the
    /// position caches, so nothing but the position and slot 1 is read. Amounts never exceed
    /// the cumulative profit (< 2**72), so the narrow casts cannot truncate.
    function _accrued(address account)
        private
        view
        returns (Accrual.Position memory p, uint256 payable_, uint256 locked)
    {
        p = _positions[account];
        uint256 epochCount = _epochCount;
        if (p.has(Accrual.KNOWN) && p.epoch < epochCount) {
            uint256 cumProfit = _cumProfit;
            Accrual.Credit memory credit;
            for (uint256 e = p.epoch; e < epochCount; ++e) {
                uint256 start;
                uint256 freeBps;
                uint256 lockedBps;
                if (e == p.epoch && p.has(Accrual.SYNCED)) {
                    start = p.checkpoint;
                    freeBps = p.freeBps;
                    lockedBps = p.lockedBps;
                } else {
                    Epoch memory epoch = _epochs[e];
                    start = epoch.startProfit;
                    Share memory s = _shares[epoch.versionId][account];
                    freeBps = uint256(s.partnerBps) + s.operatingBps + s.devFundBps;
                    lockedBps = s.valueAddedBps;
                }
                uint256 end = e + 1 < epochCount ? _epochs[e + 1].startProfit : cumProfit;
                credit.free += freeBps * (end - start);
                credit.locked += lockedBps * (end - start);
                p.freeBps = uint16(freeBps);
                p.lockedBps = uint16(lockedBps);
            }
            (payable_, locked) = p.book(credit);
            p.set(Accrual.SYNCED, true);
            p.epoch = uint32(epochCount - 1);
            p.checkpoint = uint72(cumProfit);
        }
        if (p.has(Accrual.HAS_LOCKED)) locked += _locked[account];
        if (_targetReached) {
            payable_ += locked + p.unlockDust();
            locked = 0;
        } else if (_poolForfeited) {
            // Dissolved short of the target: the pool went to the capital (see EMCCapital).
            locked = 0;
            p.lockedDust = 0;
        }
    }
}
