// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EmcTerms} from "../types/Shares.sol";
import {Criteria, Formula, Strategy} from "../types/Targets.sol";

/// @title Target guidelines
/// @notice The versioned formulas, published by the template stewards, that turn the
/// platform's four criteria into an EMC's target and value-added sharing space.
interface ITargetGuidelines {
    /// @notice `caller` is not an active template steward.
    error GuidelinesNotSteward(address caller);
    /// @notice The weights add up to `totalBps`, not 10,000.
    error GuidelinesWeightsNot100(uint256 totalBps);
    /// @notice A formula needs positive full-score targets and a sharing space of at most 10,000 bps.
    error GuidelinesInvalidFormula(uint256 usersAtFullScore, uint256 revenueAtFullScore, uint256 sharingSpaceBps);
    /// @notice Partner bounds must satisfy 0 < `min` <= `max` <= 10,000 basis points.
    error GuidelinesInvalidPartnerBounds(uint256 min, uint256 max);
    /// @notice `minScore` exceeds the full score of 1,000,000.
    error GuidelinesInvalidMinScore(uint256 minScore);
    /// @notice A formula needs a loss threshold above zero basis points of the revenue target.
    error GuidelinesZeroLossThreshold();
    /// @notice A formula must allow a departure notice of at least one period.
    error GuidelinesZeroNoticeBound();
    /// @notice A criterion scored `value`; criteria run from 0 to 100.
    error GuidelinesCriterionOutOfRange(uint256 index, uint256 value);
    /// @notice No formula has been published for `strategy` (or not version `version`).
    error GuidelinesNoFormula(Strategy strategy, uint256 version);
    /// @notice The scenario scored `score`, below the guideline's minimum `minScore`.
    error GuidelinesScoreTooLow(uint256 score, uint256 minScore);

    /// @notice Steward `by` published version `version` of `strategy`'s formula, for `rationale`.
    event FormulaPublished(
        Strategy indexed strategy, uint256 indexed version, Formula formula, bytes32 rationale, address indexed by
    );

    /// @notice Publishes a new version of `strategy`'s formula; only active stewards may.
    function publishFormula(Strategy strategy, Formula calldata f, bytes32 rationale)
        external
        returns (uint256 version);

    /// @notice The number of versions published for `strategy` (the current one is the last).
    function formulaCount(Strategy strategy) external view returns (uint256);

    /// @notice Version `version` (from 1) of `strategy`'s formula.
    function formula(Strategy strategy, uint256 version) external view returns (Formula memory);

    /// @notice The weighted score (0-1,000,000) of `criteria` under `strategy`'s current formula.
    function score(Strategy strategy, Criteria calldata criteria) external view returns (uint256);

    /// @notice The terms `strategy`'s current formula generates for `criteria`, and its version.
    function generateTerms(Strategy strategy, Criteria calldata criteria, bytes32 metadata)
        external
        view
        returns (EmcTerms memory terms, uint256 version);
}
