// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {
    EmcStatus,
    EmcTerms,
    PartyRoles,
    PeriodReport,
    ReportAttestation,
    SharePath,
    ShareProof
} from "../types/Shares.sol";
import {IEMCErrors} from "./IEMCErrors.sol";

/// @title An ecosystem micro-community (EMC)
/// @notice Holds an EMC's terms, its share versions, the settlement of each period's profit or
/// loss, the members' pull payouts, their investments and the EMC's dissolution.
/// Settlement, claims, investment and dissolution cost O(1) gas in the number of members: each
/// settlement only raises a cumulative figure, each account brings itself up to date (per
/// activated version) when it claims, and capital is held as units of one pool. Bids, notices,
/// the development fund, sweeps and capital returns are in `IEMCModule`, served at the same
/// address.
interface IEMC is IEMCErrors {
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
    /// signed against `nonce` activations before `deadline`. The entries are kept nowhere
    /// else: `sharesRoot` is the root of their share tree (see `ShareTree`), which the header
    /// keeps to check each account's share against.
    event VersionProposed(
        uint256 indexed versionId,
        address indexed proposer,
        uint256[] entries,
        bytes32 documentHash,
        uint256 nonce,
        uint256 deadline,
        bytes32 sharesRoot
    );
    /// @notice Share version `versionId`, signed by every party it names, took effect from
    /// period `fromPeriod` (opening activation epoch `epoch`), replacing `previousId`.
    /// `structHash` is the EIP-712 struct hash of the version that every party signed, `partyCount`
    /// the wallets it names (its signers: the accounts of its `VersionProposed` entries but the
    /// development fund) and `valueAddedBps` the value-added pool's part of each profit under it.
    event VersionActivated(
        uint256 indexed versionId,
        uint256 indexed epoch,
        uint256 fromPeriod,
        uint256 previousId,
        bytes32 structHash,
        uint256 partyCount,
        uint256 valueAddedBps
    );
    /// @notice Period `period` was settled under `versionId`; `report.profit` was deposited by
    /// `reporter`; `auditor` attested the report (zero if nobody did).
    event PeriodSettled(
        uint256 indexed period,
        uint256 indexed versionId,
        address indexed reporter,
        PeriodReport report,
        uint256 cumulativeProfit,
        address auditor
    );
    /// @notice Cumulative users and revenue reached the target in `period`; value-added credit unlocked.
    event TargetReached(uint256 indexed period, uint256 users, uint256 revenue);
    /// @notice In `period` the value-added pool filled the sharing space: value-added shares
    /// earn on cumulative profit up to `fullAtProfit`, and the pool accrued `accrued` (1/10,000
    /// units) in all. Beyond that point each version's value-added basis points earn for the
    /// development fund.
    event ValueAddedPoolFilled(uint256 indexed period, uint256 fullAtProfit, uint256 accrued);
    /// @notice `account` claimed `amount`, of which `valueAdded` was value-added credit and the
    /// rest partner, operating or fund credit; it has been paid `totalPaid` in all.
    event Claimed(address indexed account, uint256 amount, uint256 valueAdded, uint256 totalPaid);
    /// @notice `account` invested `amount`, receiving `units` of the capital, now worth `capital`.
    event Invested(address indexed account, uint256 amount, uint256 units, uint256 capital);
    /// @notice Period `period` made a loss of `loss`; the capital paid `covered` of it to the
    /// reporter and is left with `capitalLeft`; `newEra` says it was wiped out (its units are
    /// void from now on). Losses add up to `cumulativeLosses`.
    event LossAbsorbed(
        uint256 indexed period,
        uint256 loss,
        uint256 covered,
        uint256 cumulativeLosses,
        uint256 capitalLeft,
        bool newEra
    );
    /// @notice The EMC dissolved in period `period`: its losses `losses` reached `threshold`.
    /// `capital` is left to return to the current era's units. Short of the target, the
    /// value-added pool released `poolReleased` whole units: `poolToInvestors` of it is owed to
    /// the investors in proportion to the losses their capital bore (out of `lossesCovered`),
    /// `poolToDevFund` went to the development fund.
    event EmcDissolved(
        uint256 indexed period,
        uint256 losses,
        uint256 threshold,
        uint256 capital,
        uint256 poolReleased,
        uint256 poolToInvestors,
        uint256 poolToDevFund,
        uint256 lossesCovered
    );

    /// @notice Sets the owner and terms of a fresh clone; called once, by the factory.
    function initialize(address owner_, EmcTerms calldata terms_) external;

    /// @notice Proposes a share version; only the owner may. Returns its id (from 1).
    /// @param entries One word each (`ShareEntries`: account, class, basis points), sorted by
    /// account, then class; partner shares within the terms' bounds; basis points summing to
    /// 10,000.
    /// @param deadline Last timestamp at which the signed version can be activated.
    /// @param currentParties The active version's parties (every account its entries name but
    /// the development fund), sorted by address; empty before the first activation.
    /// @param currentRoles Which of them hold which kinds of share there (zero before the first
    /// activation). Both are checked against the active version's `partiesHash`: nobody may be
    /// left out who must not be, and a role a staying party held needs no registry read.
    function proposeVersion(
        uint256[] calldata entries,
        bytes32 documentHash,
        uint48 deadline,
        address[] calldata currentParties,
        PartyRoles calldata currentRoles
    ) external returns (uint256 versionId);

    /// @notice Makes a proposed version the active one from the next period on, given the
    /// EIP-712 signature of every party it names, sorted by signer. Anyone may submit them.
    /// @param signatures Packed as a Safe packs its owners' signatures (`Signatures.packedSigner`):
    /// 65 bytes a party, `r`, `s`, `v`; `v` 0 for an ERC-1271 wallet, whose address is `r`
    /// and whose signature data follows the fixed parts at offset `s`. Signers are recovered.
    /// @param roles Which of its parties hold which kinds of share (from its entries), checked
    /// with the signers against its `partiesHash`.
    function activateVersion(uint256 versionId, bytes calldata signatures, PartyRoles calldata roles) external;

    /// @notice `proposeVersion` and `activateVersion` in one transaction, for a version whose
    /// parties signed its draft: the typed data of the id it will get (`versionCount() + 1`)
    /// at the current nonce. Only the owner may; the proposal is recorded and emitted as usual.
    /// Signatures made for another id or nonce do not recover to the parties, so a proposal
    /// that got in first makes this revert rather than activate something nobody signed.
    function proposeAndActivateVersion(
        uint256[] calldata entries,
        bytes32 documentHash,
        uint48 deadline,
        address[] calldata currentParties,
        PartyRoles calldata currentRoles,
        bytes calldata signatures,
        PartyRoles calldata roles
    ) external returns (uint256 versionId);

    /// @notice The EIP-712 digest each party of version `versionId` signs: the typed data
    /// `ShareVersion(versionId, entries, documentHash, nonce, deadline)` under this EMC's domain.
    function versionDigest(uint256 versionId) external view returns (bytes32);

    /// @notice Records a period's figures and deposits its profit from the caller (the owner or its
    /// reporter), who must have approved the EMC for `report.profit`. A period whose cost
    /// exceeds its revenue is a loss: the capital pays it to the caller as far as it goes, and
    /// the EMC dissolves when its cumulative losses reach the terms' threshold.
    function settle(PeriodReport calldata report) external returns (uint256 period);

    /// @notice Settles a period like `settle`, with an auditor's attestation of the report: an
    /// active auditor's EIP-712 signature of `reportDigest(report, next period, deadline)`.
    /// Required when the terms ask for attested reports, and for a loss that draws on capital.
    function settleAttested(PeriodReport calldata report, ReportAttestation calldata attestation)
        external
        returns (uint256 period);

    /// @notice The EIP-712 digest an auditor signs to attest `report` as period `period`, valid
    /// until `deadline`: `PeriodReport(period, users, units, revenue, cost, profit,
    /// documentHash, deadline)` under this EMC's domain.
    function reportDigest(PeriodReport calldata report, uint256 period, uint256 deadline)
        external
        view
        returns (bytes32);

    /// @notice Pays the caller everything it can claim. Suspended members may claim too.
    /// @param proofs The caller's share in each version activated since it was last brought up
    /// to date: one proof per epoch of `unsyncedEpochs(caller)`, in order (none in the common
    /// case of no new version since its last claim).
    function claim(ShareProof[] calldata proofs) external returns (uint256 amount);

    /// @notice Invests `amount` of the caller's credit in the EMC's capital, for units at the
    /// capital's current worth. Active parties to the version in force, and not departed, may
    /// invest while the EMC is active; the caller must have approved the EMC for `amount`.
    /// @param party The caller's leaf in the active version's share tree.
    function invest(uint256 amount, SharePath calldata party) external;

    /// @notice The module that serves `IEMCModule` for every clone of the template.
    function module() external view returns (address);

    /// @notice The EMC's owner (its leading ME).
    function owner() external view returns (address);

    /// @notice The EMC's lifecycle status.
    function status() external view returns (EmcStatus);

    /// @notice The running totals.
    function totals() external view returns (Totals memory);
}
