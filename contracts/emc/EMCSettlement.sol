// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IEMC} from "../interfaces/IEMC.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {Roles} from "../libraries/Roles.sol";
import {Signatures} from "../libraries/Signatures.sol";
import {EmcStatus, PeriodReport, ReportAttestation, ShareProof} from "../types/Shares.sol";
import {EMCCapital} from "./EMCCapital.sol";

/// @title EMCSettlement
/// @notice Settling periods (profits and losses, attested where the terms or the capital need
/// it) and pull payouts, at O(1) gas in the number of members.
/// @dev Settling a period only raises `_cumProfit` (and the pool's accrual). An account is
/// brought up to date lazily, epoch by epoch, when it claims: O(epochs since its last claim),
/// about one a month.
abstract contract EMCSettlement is EMCCapital, EIP712, ReentrancyGuardTransient {
    using Accrual for Accrual.Position;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    bytes32 private constant _REPORT_TYPEHASH = keccak256(
        "PeriodReport(uint256 period,uint64 users,uint64 units,uint128 revenue,uint128 cost,uint128 profit,"
        "bytes32 documentHash,uint256 deadline)"
    );

    /// @inheritdoc IEMC
    function settle(PeriodReport calldata report) external nonReentrant onlyReporter returns (uint256 period) {
        return _settle(report, address(0));
    }

    /// @inheritdoc IEMC
    function settleAttested(PeriodReport calldata report, ReportAttestation calldata attestation)
        external
        nonReentrant
        onlyReporter
        returns (uint256 period)
    {
        address auditor = attestation.auditor;
        if (!_registry.isActive(auditor, Roles.AUDITOR)) revert EmcNotAuditor(auditor);
        if (block.timestamp > attestation.deadline) {
            revert EmcDeadlinePassed(attestation.deadline, block.timestamp);
        }
        bytes32 digest = reportDigest(report, _periodCount + 1, attestation.deadline);
        if (!Signatures.isValid(auditor, digest, attestation.signature)) {
            revert EmcInvalidAttestation(auditor, digest);
        }
        return _settle(report, auditor);
    }

    /// @inheritdoc IEMC
    function reportDigest(PeriodReport calldata report, uint256 period, uint256 deadline)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    _REPORT_TYPEHASH,
                    period,
                    report.users,
                    report.units,
                    report.revenue,
                    report.cost,
                    report.profit,
                    report.documentHash,
                    deadline
                )
            )
        );
    }

    /// @inheritdoc IEMC
    /// @dev The payee needs no registry check: only accounts that were eligible members when
    /// a version named them earn anything, and registry records are never removed.
    function claim(ShareProof[] calldata proofs) external nonReentrant returns (uint256 amount) {
        (Accrual.Position memory p, Earned memory e) = _earned(msg.sender, proofs);
        amount = e.free + e.valueAdded;
        if (amount == 0) revert EmcNothingToClaim(msg.sender);
        if (e.locked != 0 || p.has(Accrual.HAS_LOCKED)) {
            _locked[msg.sender] = e.locked;
            p.set(Accrual.HAS_LOCKED, e.locked != 0);
        }
        uint256 paid = p.paid + amount;
        p.paid = uint72(paid);
        _positions[msg.sender] = p;
        _totalPaid += uint72(amount);
        emit Claimed(msg.sender, amount, e.valueAdded, paid);
        _token.safeTransfer(msg.sender, amount);
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

    /// @dev Records the report (attested by `auditor`, zero if none) and moves its money: the
    /// profit in from the caller, or the capital's cover of a loss out to it.
    function _settle(PeriodReport calldata report, address auditor) private returns (uint256 period) {
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
        // Unattested reports are taken on the reporter's word only where nobody else's money
        // is at stake: not under terms that ask for attestation, not a loss drawn on capital.
        if (auditor == address(0) && (_attestAll || (loss != 0 && _capital != 0))) {
            revert EmcAttestationRequired(loss, _capital);
        }
        uint256 previousProfit = _cumProfit;
        uint256 cumProfit = previousProfit + profit;
        if (cumProfit > _MAX_CUMULATIVE) revert EmcAmountTooLarge(cumProfit, _MAX_CUMULATIVE);
        // Widened before adding, so an overflow reaches a custom error, not a panic.
        uint256 users = uint256(_cumUsers) + report.users;
        uint256 revenue = uint256(_cumRevenue) + report.revenue;
        if (revenue > type(uint96).max) revert EmcAmountTooLarge(revenue, type(uint96).max);

        period = ++_periodCount;
        _cumProfit = uint72(cumProfit);
        _cumUsers = users.toUint56();
        _cumRevenue = uint96(revenue);
        emit PeriodSettled(period, versionId, msg.sender, report, cumProfit, auditor);

        uint256 poolBps = _activePoolBps;
        if (poolBps != 0 && profit != 0) _accruePool(period, poolBps, previousProfit, profit);
        if (!_targetReached && users >= _terms.targetUsers && revenue >= _terms.targetRevenue) {
            _targetReached = true;
            emit TargetReached(period, users, revenue);
        }
        if (loss != 0) _absorbLoss(period, loss);
        else if (profit != 0) _token.safeTransferFrom(msg.sender, address(this), profit);
    }

    /// @dev Adds the pool's part of `profit` to its accrual, up to the sharing space. The
    /// period that fills the space fixes `_poolFullAt`, the cumulative profit up to which
    /// value-added shares earn; beyond it their basis points earn for the development fund,
    /// which accounts for them lazily (see EMCAccounting), so no later settlement pays for it.
    function _accruePool(uint256 period, uint256 poolBps, uint256 previousProfit, uint256 profit) private {
        if (_poolFull) return;
        uint256 accrued = _poolAccrued;
        uint256 room = uint256(_terms.sharingSpace) * Accrual.BPS - accrued;
        uint256 credit = poolBps * profit;
        if (credit <= room) {
            _poolAccrued = uint88(accrued + credit);
            return;
        }
        // Value-added shares earn on the part of the profit whose pool credit still fits.
        uint256 fullAt = previousProfit + room / poolBps;
        accrued += (room / poolBps) * poolBps;
        _poolAccrued = uint88(accrued);
        _poolFullAt = uint72(fullAt);
        _poolFull = true;
        emit ValueAddedPoolFilled(period, fullAt, accrued);
    }
}
