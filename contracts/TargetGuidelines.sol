// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {ITargetGuidelines} from "./interfaces/ITargetGuidelines.sol";
import {Roles} from "./libraries/Roles.sol";
import {EmcTerms} from "./types/Shares.sol";
import {Criteria, Formula, Strategy} from "./types/Targets.sol";

/// @title TargetGuidelines
/// @notice Every formula version stays readable, so an auditor can recompute any EMC's terms
/// from the version its creation recorded.
contract TargetGuidelines is ITargetGuidelines {
    uint256 private constant _BPS = 10_000;
    uint256 private constant _FULL_SCORE = 1_000_000;

    IMemberRegistry private immutable _registry;
    mapping(Strategy strategy => Formula[]) private _formulas;

    constructor(IMemberRegistry registry_) {
        _registry = registry_;
    }

    /// @inheritdoc ITargetGuidelines
    function publishFormula(Strategy strategy, Formula calldata f, bytes32 rationale)
        external
        returns (uint256 version)
    {
        if (!_registry.isActive(msg.sender, Roles.STEWARD)) revert GuidelinesNotSteward(msg.sender);
        uint256 totalBps = uint256(f.weightsBps[0]) + f.weightsBps[1] + f.weightsBps[2] + f.weightsBps[3];
        if (totalBps != _BPS) revert GuidelinesWeightsNot100(totalBps);
        if (f.usersAtFullScore == 0 || f.revenueAtFullScore == 0 || f.sharingSpaceBps > _BPS) {
            revert GuidelinesInvalidFormula(f.usersAtFullScore, f.revenueAtFullScore, f.sharingSpaceBps);
        }
        if (f.partnerMinBps == 0 || f.partnerMinBps > f.partnerMaxBps || f.partnerMaxBps > _BPS) {
            revert GuidelinesInvalidPartnerBounds(f.partnerMinBps, f.partnerMaxBps);
        }
        if (f.minScore > _FULL_SCORE) revert GuidelinesInvalidMinScore(f.minScore);
        if (f.lossThresholdBps == 0) revert GuidelinesZeroLossThreshold();
        if (f.maxNoticePeriods == 0) revert GuidelinesZeroNoticeBound();
        _formulas[strategy].push(f);
        version = _formulas[strategy].length;
        emit FormulaPublished(strategy, version, f, rationale, msg.sender);
    }

    /// @inheritdoc ITargetGuidelines
    function formulaCount(Strategy strategy) external view returns (uint256) {
        return _formulas[strategy].length;
    }

    /// @inheritdoc ITargetGuidelines
    function formula(Strategy strategy, uint256 version) external view returns (Formula memory) {
        return _formula(strategy, version);
    }

    /// @inheritdoc ITargetGuidelines
    function score(Strategy strategy, Criteria calldata criteria) public view returns (uint256) {
        return _score(_formula(strategy, _formulas[strategy].length), criteria);
    }

    /// @inheritdoc ITargetGuidelines
    function generateTerms(Strategy strategy, Criteria calldata criteria, bytes32 metadata)
        external
        view
        returns (EmcTerms memory terms, uint256 version)
    {
        version = _formulas[strategy].length;
        Formula storage f = _formula(strategy, version);
        uint256 s = _score(f, criteria);
        if (s < f.minScore) revert GuidelinesScoreTooLow(s, f.minScore);
        uint256 revenue = uint256(f.revenueAtFullScore) * s / _FULL_SCORE;
        terms = EmcTerms({
            targetUsers: uint64(uint256(f.usersAtFullScore) * s / _FULL_SCORE),
            targetRevenue: uint96(revenue),
            sharingSpace: uint96(revenue * f.sharingSpaceBps / _BPS),
            lossThreshold: uint96(revenue * f.lossThresholdBps / _BPS),
            partnerMinBps: f.partnerMinBps,
            partnerMaxBps: f.partnerMaxBps,
            maxNoticePeriods: f.maxNoticePeriods,
            attestAllReports: f.attestAllReports,
            metadata: metadata
        });
    }

    function _formula(Strategy strategy, uint256 version) private view returns (Formula storage) {
        Formula[] storage versions = _formulas[strategy];
        if (version == 0 || version > versions.length) revert GuidelinesNoFormula(strategy, version);
        return versions[version - 1];
    }

    function _score(Formula storage f, Criteria calldata c) private view returns (uint256) {
        uint8[4] memory values = [c.marketCapacity, c.consumptionHabits, c.industryScale, c.teamIntegration];
        uint256 total;
        for (uint256 i; i < 4; ++i) {
            if (values[i] > 100) revert GuidelinesCriterionOutOfRange(i, values[i]);
            total += uint256(f.weightsBps[i]) * values[i];
        }
        return total;
    }
}
