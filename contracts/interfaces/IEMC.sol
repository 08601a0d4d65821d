// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CapitalAccount, CapitalTotals, Departure} from "../types/Capital.sol";
import {
    EmcStatus, EmcTerms, PartySignature, PeriodReport, Share, ShareEntry, Version
} from "../types/Shares.sol";
import {IEMCErrors} from "./IEMCErrors.sol";

/// @title An ecosystem micro-community (EMC)
/// @notice Holds an EMC's terms, its share versions, the settlement of each period's profit or
/// loss, the members' pull payouts, their capital, departure notices and the EMC's dissolution.
/// Settlement, claims, investment and dissolution cost O(1) gas in the number of members: each
/// settlement only raises a cumulative figure, each account brings itself up to date (per
/// activated version) when it claims, and capital is held as units of one pool. Sealed-bid
/// rounds are in `IEMCBidding`, served at the same address.
interface IEMC is IEMCErrors {
    /// @notice Where an account stands; amounts in token units.
    /// @param claimable Payable now (partner, operating, unlocked value-added and fund credit).
    /// @param locked Value-added credit waiting for the target.
    /// @param paid Everything paid out to the account so far.
    /// @param dust Scaled remainder (in 1/10,000 of a unit) kept by the pool until it adds up.
    struct AccountView {
        uint256 claimable;
        uint256 locked;
        uint256 paid;
        uint256 dust;
    }

    /// @notice The EMC's running totals since registration.
    struct Totals {
        uint256 periods;
        uint256 users;
        uint256 revenue;
        uint256 profit;
        uint256 paid;
        uint256 devFundWithdrawn;
        bool targetReached;
    }

    /// @notice The EMC was initialized for `owner` with `terms`.
    event EmcInitialized(address indexed owner, EmcTerms terms);
    /// @notice Share version `versionId` was proposed by `proposer` with `entries`, to be
    /// signed against `nonce` activations before `deadline`.
    event VersionProposed(
        uint256 indexed versionId,
        address indexed proposer,
        ShareEntry[] entries,
        bytes32 documentHash,
        uint256 nonce,
        uint256 deadline
    );
    /// @notice Share version `versionId`, signed by `signers`, took effect from period
    /// `fromPeriod`, replacing `previousId`.
    event VersionActivated(
        uint256 indexed versionId,
        uint256 indexed epoch,
        uint256 fromPeriod,
        uint256 previousId,
        address[] signers
    );
    /// @notice Period `period` was settled under `versionId`; `report.profit` was deposited by `reporter`.
    event PeriodSettled(
        uint256 indexed period,
        uint256 indexed versionId,
        address indexed reporter,
        PeriodReport report,
        uint256 cumulativeProfit
    );
    /// @notice Cumulative users and revenue reached the target in `period`; value-added credit unlocked.
    event TargetReached(uint256 indexed period, uint256 users, uint256 revenue);
    /// @notice The owner appointed `reporter` (zero: none) in place of `previous`.
    event ReporterChanged(address indexed previous, address indexed reporter);
    /// @notice `account` claimed `amount`; it has been paid `totalPaid` in all.
    event Claimed(address indexed account, uint256 amount, uint256 totalPaid);
    /// @notice The owner paid `amount` from the development fund to `to` for `purpose`.
    event DevFundWithdrawn(address indexed to, uint256 amount, bytes32 indexed purpose, uint256 remaining);

    /// @notice `account` invested `amount`, receiving `units` of the capital, now worth `capital`.
    event Invested(address indexed account, uint256 amount, uint256 units, uint256 capital);
    /// @notice Period `period` made a loss of `loss`; the capital paid `covered` of it to the
    /// reporter. Losses add up to `cumulativeLosses`.
    event LossAbsorbed(uint256 indexed period, uint256 loss, uint256 covered, uint256 cumulativeLosses);
    /// @notice The EMC dissolved in period `period`: its losses `losses` reached `threshold`.
    /// `capital` is left to return; `poolReleased` of value-added credit joined it (or the
    /// development fund, if nobody invested) because the target was not reached.
    event EmcDissolved(
        uint256 indexed period, uint256 losses, uint256 threshold, uint256 capital, uint256 poolReleased
    );
    /// @notice `account` was paid back `amount` for its `units` of the dissolved EMC's capital.
    event CapitalReturned(address indexed account, uint256 amount, uint256 units);
    /// @notice `by` (the owner, or `account` itself) gave `account` notice: it may be left out
    /// of new versions once period `effectivePeriod` is settled.
    event DepartureNoticed(
        address indexed account, address indexed by, uint256 effectivePeriod, bytes32 reasonHash
    );

    /// @notice Sets the owner and terms of a fresh clone; called once, by the factory.
    function initialize(address owner, EmcTerms calldata terms) external;

    /// @notice Proposes a share version; only the owner may. Returns its id (from 1).
    /// @param entries Sorted by account, then class; partner shares within the terms' bounds;
    /// basis points summing to 10,000.
    /// @param deadline Last timestamp at which the signed version can be activated.
    function proposeVersion(ShareEntry[] calldata entries, bytes32 documentHash, uint48 deadline)
        external
        returns (uint256 versionId);

    /// @notice Makes a proposed version the active one from the next period on, given the
    /// EIP-712 signature of every party it names, sorted by signer. Anyone may submit them.
    function activateVersion(uint256 versionId, PartySignature[] calldata signatures) external;

    /// @notice The EIP-712 digest each party of version `versionId` signs: the typed data
    /// `ShareVersion(versionId, entries, documentHash, nonce, deadline)` under this EMC's domain.
    function versionDigest(uint256 versionId) external view returns (bytes32);

    /// @notice Records a period's figures and deposits its profit from the caller (the owner or its
    /// reporter), who must have approved the EMC for `report.profit`. A period whose cost
    /// exceeds its revenue is a loss: the capital pays it to the caller as far as it goes, and
    /// the EMC dissolves when its cumulative losses reach the terms' threshold.
    function settle(PeriodReport calldata report) external returns (uint256 period);

    /// @notice Appoints `reporter`, an active ME, to report and settle periods beside the
    /// owner (zero removes it); only the owner may.
    function setReporter(address reporter) external;

    /// @notice The appointed reporter, or zero.
    function reporter() external view returns (address);

    /// @notice Pays the caller everything it can claim. Suspended members may claim too.
    function claim() external returns (uint256 amount);

    /// @notice Pays `amount` of the development fund to `to` for `purpose`; only the owner may.
    function withdrawDevFund(address to, uint256 amount, bytes32 purpose) external;

    /// @notice Invests `amount` of the caller's credit in the EMC's capital, for units at the
    /// capital's current worth. Active members named in a version of the EMC, and not departed,
    /// may invest while it is active; the caller must have approved the EMC for `amount`.
    function invest(uint256 amount) external;

    /// @notice Pays the caller its part of a dissolved EMC's remaining capital, pro rata to
    /// its units. Suspended members may claim too.
    function claimCapital() external returns (uint256 amount);

    /// @notice The capital, losses and what dissolution released.
    function capitalTotals() external view returns (CapitalTotals memory);

    /// @notice `account`'s capital units (zero if wiped out) and what they are worth now.
    function capitalOf(address account) external view returns (CapitalAccount memory held, uint256 value);

    /// @notice The owner gives `account`, a member of the active version, notice of
    /// termination, effective once `noticePeriods` more periods are settled.
    function terminate(address account, uint32 noticePeriods, bytes32 reasonHash) external;

    /// @notice The caller, a member of the active version, gives notice that it leaves,
    /// effective once `noticePeriods` more periods are settled.
    function resign(uint32 noticePeriods, bytes32 reasonHash) external;

    /// @notice `account`'s departure notice (all zero if none).
    function departureOf(address account) external view returns (Departure memory);

    /// @notice The module that serves `IEMCBidding` for every clone of the template.
    function biddingModule() external view returns (address);

    /// @notice The EMC's owner (its leading ME).
    function owner() external view returns (address);

    /// @notice The EMC's lifecycle status.
    function status() external view returns (EmcStatus);

    /// @notice The terms set at registration.
    function terms() external view returns (EmcTerms memory);

    /// @notice The running totals.
    function totals() external view returns (Totals memory);

    /// @notice The active version's id, or 0 before the first activation.
    function activeVersionId() external view returns (uint256);

    /// @notice How many versions were ever proposed (ids run from 1 to this).
    function versionCount() external view returns (uint256);

    /// @notice The header of version `versionId`.
    function version(uint256 versionId) external view returns (Version memory);

    /// @notice The entries of version `versionId`, in the order they were proposed.
    function versionEntries(uint256 versionId) external view returns (ShareEntry[] memory);

    /// @notice The basis points `account` holds in version `versionId`.
    function shareOf(uint256 versionId, address account) external view returns (Share memory);

    /// @notice Where `account` stands now, as if it had just been brought up to date.
    /// Pass the zero address for the development fund.
    function accountOf(address account) external view returns (AccountView memory);
}
