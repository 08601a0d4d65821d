// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The classes a basis-point share of an EMC's period profit can belong to.
/// @dev `Partner`: an external partner's share, paid each period.
///      `Operating`: an ME's operating share, paid each period.
///      `ValueAdded`: an ME's part of the value-added pool, claimable once the target is reached.
///      `DevFund`: the EMC's development fund; its entry names no wallet (account 0).
enum ShareClass {
    Partner,
    Operating,
    ValueAdded,
    DevFund
}

/// @notice One line of a share version: `account` gets `bps` of each period's profit in `class`.
/// Proposals and events carry entries packed one to a word (`ShareEntries`); the typed data
/// the parties sign lists them as this struct.
struct ShareEntry {
    address account;
    ShareClass class;
    uint16 bps;
}

/// @notice What the platform set for an EMC when it registered it.
/// @param targetUsers Users the EMC must reach before the value-added pool unlocks.
/// @param targetRevenue Ecosystem revenue (token units) the EMC must reach, likewise.
/// @param sharingSpace The value-added sharing space (token units): the most the ME value-added
/// pool ever accrues; profit credit the pool would accrue beyond it goes to the development fund.
/// @param lossThreshold Cumulative losses (token units) at which the EMC dissolves itself.
/// @param partnerMinBps Least share of profit a partner may be given in a version.
/// @param partnerMaxBps Largest share of profit a partner may be given in a version.
/// @param maxNoticePeriods Longest departure notice, in periods, a member may give or be given.
/// @param attestAllReports Whether every period report needs an auditor's attestation (otherwise
/// only a loss report that draws on the members' capital does).
/// @param metadata Hash or content id of the EMC's off-chain description.
/// @dev The targets and the sharing space fill the first slot, which a settlement reads; the
/// rest of the figures fill the second.
struct EmcTerms {
    uint64 targetUsers;
    uint96 targetRevenue;
    uint96 sharingSpace;
    uint96 lossThreshold;
    uint16 partnerMinBps;
    uint16 partnerMaxBps;
    uint16 maxNoticePeriods;
    bool attestAllReports;
    bytes32 metadata;
}

/// @notice A period's figures as reported at settlement. A period with `cost` above `revenue`
/// made a loss of the difference and deposits no profit; otherwise `profit` (at most
/// `revenue - cost`) is deposited with the report.
struct PeriodReport {
    uint64 users;
    uint64 units;
    uint128 revenue;
    uint128 cost;
    uint128 profit;
    bytes32 documentHash;
}

/// @notice An auditor's attestation of a period report: its EIP-712 signature of
/// `PeriodReport(uint256 period,uint64 users,uint64 units,uint128 revenue,uint128 cost,uint128 profit,
/// bytes32 documentHash,uint256 deadline)` under the EMC's domain, valid until `deadline`.
/// @param auditor The attesting auditor (an active member with the auditor role); an EOA or an
/// ERC-1271 contract wallet.
struct ReportAttestation {
    address auditor;
    uint256 deadline;
    bytes signature;
}

/// @notice The lifecycle of a share version.
enum VersionStatus {
    None,
    Proposed,
    Active,
    Superseded
}

/// @notice A share version's header. Its entries are not stored: they are in its
/// `VersionProposed` event, and the header commits to them twice: `structHash`, which every
/// party signs, and `sharesRoot`, against which claims prove each account's share. Like
/// 0xSplits, it keeps hashes of what callers pass again when it is needed: the parties and
/// their roles (`partiesHash`) at activation and at the next proposal.
/// @param epoch Index in the activation history once active (0 before).
/// @param fromPeriod The first period settled under this version (0 before activation).
/// @param entryCount How many entries the version has.
/// @param partyCount How many distinct wallets it names, each of which must sign it: the
/// leaves of its share tree.
/// @param nonce The number of versions activated before it was proposed; it can only be
/// activated while that number holds, so signatures never outlive the agreement they amend.
/// @param deadline Last timestamp at which it can be activated.
/// @param proposedBlock The block of its proposal, where its `VersionProposed` event is.
/// @param valueAddedBps The value-added pool's part of each period's profit under it.
/// @param devFundBps The development fund's part of each period's profit under it.
/// @param noticesAtProposal Departure notices given in the EMC before the proposal.
/// @param namesMemberUnderNotice Whether it names a member whose notice was running.
/// @param restrictionsAtProposal The registry's restriction count when it was proposed.
/// @param structHash EIP-712 struct hash of its `ShareVersion` (version id, entries, document
/// hash, nonce, deadline), which every party signs (`versionDigest`).
/// @param sharesRoot Root of its share tree (see `ShareTree`): one leaf per party.
/// @param partiesHash `keccak256(abi.encode(keccak256(abi.encodePacked(parties)), roles))` of its
/// parties, sorted by address, and their `PartyRoles`.
struct Version {
    VersionStatus status;
    uint16 epoch;
    uint32 fromPeriod;
    uint16 entryCount;
    uint16 partyCount;
    uint16 nonce;
    uint48 proposedAt;
    uint48 activatedAt;
    uint48 deadline;
    uint48 proposedBlock;
    uint16 valueAddedBps;
    uint16 devFundBps;
    uint32 noticesAtProposal;
    bool namesMemberUnderNotice;
    uint64 restrictionsAtProposal;
    bytes32 structHash;
    bytes32 sharesRoot;
    bytes32 partiesHash;
}

/// @notice Which of a version's parties hold which kinds of share, by their index among the
/// parties: bit `i` of `partnerMask` says party `i` holds a partner share, of `meMask` an
/// operating or value-added one. Not stored: `Version.partiesHash` commits to them, and
/// activation and the next proposal pass them (the `VersionProposed` entries give them).
struct PartyRoles {
    uint256 partnerMask;
    uint256 meMask;
}

/// @notice One party's leaf of a version's share tree and the path from it to the root.
/// @param index The leaf's position among the version's parties, sorted by address.
/// @param siblings The sibling hashes from the leaf up to the root.
struct SharePath {
    uint256 index;
    address account;
    uint16 partnerBps;
    uint16 operatingBps;
    uint16 valueAddedBps;
    bytes32[] siblings;
}

/// @notice What an account holds in one version, shown against its share tree.
/// @param path The account's own leaf; for an account the version does not name, the leaf of
/// the party just below it (`account` zero if there is none).
/// @param next Only for an account the version does not name: the leaf of the party just above
/// it (`account` zero if there is none). Two neighbouring leaves prove there is none between.
struct ShareProof {
    SharePath path;
    SharePath next;
}

/// @notice The lifecycle of an EMC: `Active` from registration; `Dissolved` for good once its
/// cumulative losses reach the threshold (claims, capital returns and fund withdrawals only).
enum EmcStatus {
    None,
    Active,
    Dissolved
}
