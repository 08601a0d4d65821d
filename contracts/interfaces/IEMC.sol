// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Bid, BidOutcome, BidRound} from "../types/Bids.sol";
import {
    EmcStatus,
    EmcTerms,
    PartySignature,
    PeriodReport,
    Share,
    ShareClass,
    ShareEntry,
    Version,
    VersionStatus
} from "../types/Shares.sol";

/// @title An ecosystem micro-community (EMC)
/// @notice Holds an EMC's terms, its share versions, the settlement of each period's profit
/// and the members' pull payouts. Settlement and claims cost O(1) gas in the number of members:
/// each settlement only raises the cumulative profit, and each account brings itself up to date
/// (per activated version) when it claims.
interface IEMC {
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

    /// @notice Only the factory may initialize a clone.
    error EmcOnlyFactory(address caller);
    /// @notice `caller` is not the EMC's owner.
    error EmcNotOwner(address caller, address owner);
    /// @notice `caller` is neither the owner nor the appointed reporter (zero if none).
    error EmcNotReporter(address caller, address owner, address reporter);
    /// @notice `account` is not an active ME, so it cannot report for the EMC.
    error EmcIneligibleReporter(address account);
    /// @notice `caller` is not an active member with the role the call needs.
    error EmcCallerNotActive(address caller);
    /// @notice The call needs status `expected`; the EMC is `actual`.
    error EmcWrongStatus(EmcStatus actual, EmcStatus expected);
    /// @notice A version's basis points add up to `totalBps`, not 10,000.
    error EmcShareTotalNot100(uint256 totalBps);
    /// @notice A version must name at least one entry and at most `max`.
    error EmcEntryCount(uint256 count, uint256 max);
    /// @notice Entry `index` has zero basis points.
    error EmcZeroShare(uint256 index);
    /// @notice `account` appears twice in `class`.
    error EmcDuplicateEntry(address account, ShareClass class);
    /// @notice Entries must be sorted by account, then class; entry `index` is out of order.
    error EmcEntriesNotSorted(uint256 index);
    /// @notice A partner's `bps` in `class` lies outside the template's bounds [`min`, `max`].
    error EmcShareOutOfBounds(address account, ShareClass class, uint256 bps, uint256 min, uint256 max);
    /// @notice The version's signing deadline `deadline` is not after `nowTime`.
    error EmcDeadlinePassed(uint256 deadline, uint256 nowTime);
    /// @notice Version `versionId` was proposed against `nonce` activations; there are now
    /// `current`: propose it again and collect new signatures.
    error EmcVersionStale(uint256 versionId, uint256 nonce, uint256 current);
    /// @notice `given` signatures were submitted; the version names `needed` parties.
    error EmcSignatureCount(uint256 given, uint256 needed);
    /// @notice Signatures must be sorted by signer address; entry `index` is out of order.
    error EmcSignersNotSorted(uint256 index);
    /// @notice `signer` is not named in version `versionId`.
    error EmcNotAParty(uint256 versionId, address signer);
    /// @notice `signer`, a party of version `versionId`, was suspended after the proposal.
    error EmcPartyNotActive(uint256 versionId, address signer);
    /// @notice `signer`'s signature of version `versionId` does not verify.
    error EmcInvalidSignature(uint256 versionId, address signer);
    /// @notice `account` is not an active member with the role `class` needs.
    error EmcIneligibleMember(address account, ShareClass class);
    /// @notice A development-fund entry must name account zero; `account` was given.
    error EmcDevFundAccount(address account);
    /// @notice Version `versionId` does not exist.
    error EmcUnknownVersion(uint256 versionId);
    /// @notice Version `versionId` is `status`, not proposed.
    error EmcVersionNotProposed(uint256 versionId, VersionStatus status);
    /// @notice No share version is active yet; activate one before settling.
    error EmcNoActiveVersion();
    /// @notice An amount of zero was given.
    error EmcZeroAmount();
    /// @notice `value` exceeds the largest amount the ledger stores, `max`.
    error EmcAmountTooLarge(uint256 value, uint256 max);
    /// @notice `account` has nothing to claim.
    error EmcNothingToClaim(address account);
    /// @notice The development fund holds `available`; `requested` was asked.
    error EmcDevFundInsufficient(uint256 requested, uint256 available);
    /// @notice The recipient of a withdrawal cannot be the zero address.
    error EmcZeroAddress();
    /// @notice `to` is not a registered member, so it cannot be paid.
    error EmcRecipientNotAllowed(address to);
    /// @notice A bid round needs `nowTime` < `commitDeadline` < `revealDeadline`.
    error EmcBidDeadlines(uint256 commitDeadline, uint256 revealDeadline, uint256 nowTime);
    /// @notice Bid round `roundId` does not exist.
    error EmcUnknownBidRound(uint256 roundId);
    /// @notice Round `roundId` took commitments until `commitDeadline`; it is now `nowTime`.
    error EmcCommitClosed(uint256 roundId, uint256 commitDeadline, uint256 nowTime);
    /// @notice A commitment cannot be zero (round `roundId`).
    error EmcZeroCommitment(uint256 roundId);
    /// @notice Round `roundId` reveals only after `commitDeadline`; it is now `nowTime`.
    error EmcRevealNotOpen(uint256 roundId, uint256 commitDeadline, uint256 nowTime);
    /// @notice Round `roundId` took reveals until `revealDeadline`; it is now `nowTime`.
    error EmcRevealClosed(uint256 roundId, uint256 revealDeadline, uint256 nowTime);
    /// @notice `bidder` committed no bid in round `roundId`.
    error EmcNoBid(uint256 roundId, address bidder);
    /// @notice `bidder` already revealed its bid in round `roundId`.
    error EmcBidAlreadyRevealed(uint256 roundId, address bidder);
    /// @notice The revealed bid hashes to `computed`, not to `bidder`'s `commitment`.
    error EmcBidMismatch(uint256 roundId, address bidder, bytes32 commitment, bytes32 computed);
    /// @notice A bid asks `askBps`, more than `max` basis points.
    error EmcBidAskTooHigh(uint256 askBps, uint256 max);
    /// @notice Round `roundId` can be decided only after `revealDeadline`; it is now `nowTime`.
    error EmcRevealNotOver(uint256 roundId, uint256 revealDeadline, uint256 nowTime);
    /// @notice Round `roundId` was already decided at `decidedAt`.
    error EmcRoundDecided(uint256 roundId, uint256 decidedAt);
    /// @notice Only revealed bids can be invited; `bidder`'s bid in round `roundId` is `outcome`.
    error EmcBidNotRevealed(uint256 roundId, address bidder, BidOutcome outcome);

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

    /// @notice The owner opened bid round `roundId` for the places `documentHash` describes.
    event BidRoundOpened(
        uint256 indexed roundId, uint256 commitDeadline, uint256 revealDeadline, bytes32 documentHash
    );
    /// @notice `bidder` committed (or replaced) its sealed bid `commitment` in round `roundId`.
    event BidCommitted(uint256 indexed roundId, address indexed bidder, bytes32 commitment);
    /// @notice `bidder` revealed its bid in round `roundId`.
    event BidRevealed(
        uint256 indexed roundId,
        address indexed bidder,
        uint256 undertakenUsers,
        uint256 undertakenRevenue,
        uint256 askBps,
        bytes32 proposalHash
    );
    /// @notice The owner decided round `roundId` by inviting `invited`; every other bid lost.
    event BidsInvited(uint256 indexed roundId, address[] invited);

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
    /// reporter), who must have approved the EMC for `report.profit`.
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

    /// @notice Opens a sealed-bid round; only the owner may. Returns its id (from 1).
    /// @param commitDeadline Last timestamp at which bids can be committed; after now.
    /// @param revealDeadline Last timestamp at which bids can be revealed; after `commitDeadline`.
    /// @param documentHash Hash of the document describing the places (parts of the target) offered.
    function openBidRound(uint48 commitDeadline, uint48 revealDeadline, bytes32 documentHash)
        external
        returns (uint256 roundId);

    /// @notice Commits the caller's sealed bid, or replaces it, until the commit deadline.
    /// Any active ME or partner may bid.
    /// @param commitment `keccak256(abi.encode(emc, roundId, bidder, undertakenUsers,
    /// undertakenRevenue, askBps, proposalHash, salt))`, so it reveals only for its bidder.
    function commitBid(uint256 roundId, bytes32 commitment) external;

    /// @notice Reveals the caller's bid, after the commit deadline and up to the reveal
    /// deadline; the values must hash to its commitment.
    function revealBid(
        uint256 roundId,
        uint64 undertakenUsers,
        uint128 undertakenRevenue,
        uint16 askBps,
        bytes32 proposalHash,
        bytes32 salt
    ) external;

    /// @notice Decides round `roundId`, once, after the reveal deadline: invites `invited`
    /// (each must have revealed); every other bid lost. Only the owner may.
    function inviteBids(uint256 roundId, address[] calldata invited) external;

    /// @notice The id of the last bid round opened, 0 before the first (ids run from 1 to this).
    function lastBidRound() external view returns (uint256);

    /// @notice The header of bid round `roundId`.
    function bidRound(uint256 roundId) external view returns (BidRound memory);

    /// @notice The wallets that committed a bid in round `roundId`, in order of first commit.
    function bidders(uint256 roundId) external view returns (address[] memory);

    /// @notice `bidder`'s bid in round `roundId` with its outcome now (all zero if none).
    function bid(uint256 roundId, address bidder) external view returns (Bid memory);

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
