// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The platform's two target guidelines: explore a new market or exploit a known one.
enum Strategy {
    Explore,
    Exploit
}

/// @notice The four criteria the platform scores an EMC's scenario on, each 0 to 100.
struct Criteria {
    uint8 marketCapacity;
    uint8 consumptionHabits;
    uint8 industryScale;
    uint8 teamIntegration;
}

/// @notice How a guideline turns criteria into an EMC's terms, as the template stewards publish it.
/// @dev The weighted score is `sum(weight_i * criterion_i)` over the four criteria (weights in
/// basis points summing to 10,000, criteria 0-100), so a perfect scenario scores 1,000,000.
/// Targets scale linearly with the score; the sharing space is a share of the revenue target.
/// @param weightsBps Weights of market capacity, consumption habits, industry scale and team
/// integration, in that order.
/// @param usersAtFullScore Target users of a scenario scoring 100 on every criterion.
/// @param revenueAtFullScore Target ecosystem revenue (fen) of such a scenario.
/// @param sharingSpaceBps The value-added sharing space, in basis points of the revenue target.
/// @param partnerMinBps Least share of profit the template lets a partner be given.
/// @param partnerMaxBps Largest such share.
/// @param minScore Scenarios scoring below this (0-1,000,000) are not registered.
/// @param lossThresholdBps The EMC's loss threshold, in basis points of the revenue target:
/// cumulative losses at which it dissolves.
/// @param maxNoticePeriods Longest departure notice (periods) in EMCs registered under it.
/// @param attestAllReports Whether those EMCs need an auditor's attestation of every period
/// report (otherwise only of a loss that draws on invested capital).
struct Formula {
    uint16[4] weightsBps;
    uint64 usersAtFullScore;
    uint96 revenueAtFullScore;
    uint16 sharingSpaceBps;
    uint16 partnerMinBps;
    uint16 partnerMaxBps;
    uint32 minScore;
    uint16 lossThresholdBps;
    uint16 maxNoticePeriods;
    bool attestAllReports;
}
