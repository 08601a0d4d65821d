// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IEMCErrors} from "../interfaces/IEMCErrors.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {Roles} from "../libraries/Roles.sol";
import {Bid, BidRound} from "../types/Bids.sol";
import {CapitalAccount, Departure} from "../types/Capital.sol";
import {ShareTree} from "../libraries/ShareTree.sol";
import {EmcStatus, PartyRoles, SharePath, Version, VersionStatus} from "../types/Shares.sol";

/// @title EMCStorage
/// @notice The EMC template's state and the checks every part of it shares.
/// @dev The template is split by concern over this one layout. `EMC` holds the parts on the
/// paths that run every period (versions, settlement, claims, investment); `EMCModule` holds
/// the rest (bids, notices, the development fund, sweeps, capital returns) and every clone
/// reaches it through the template's fallback with a delegatecall, so both contracts must
/// lay out storage identically: both inherit it from here and declare no state of their own
/// (`tests/toolchain/test_storage_layout.py` compares solc's layouts). Clones share the
/// immutables through the template's and the module's code.
abstract contract EMCStorage is IEMCErrors {
    /// @notice Most entries a version may have; bounds the proposal loop.
    uint256 public constant MAX_ENTRIES = 256;
    /// @dev The development fund's account key: the fund has no wallet.
    address internal constant _DEV_FUND = address(0);
    /// @dev Cumulative profit must fit a position's checkpoint.
    uint256 internal constant _MAX_CUMULATIVE = type(uint72).max;
    /// @dev Scale of the cumulative loss per capital unit: fine enough that any loss of one
    /// token unit moves it while fewer than 2**128 units are outstanding.
    uint256 internal constant _LOSS_INDEX_SCALE = 1 << 128;

    /// @dev `EmcTerms` as stored, with the version count and the count of departure notices
    /// in its second slot, beside the partner bounds every proposal reads and the notice
    /// bound every notice reads: `initialize` writes that slot, so the first proposal's and
    /// the first notice's counts cost 2,900 gas rather than the 20,000 of a fresh slot, and
    /// a proposal reads the notice count for free.
    struct StoredTerms {
        uint64 targetUsers;
        uint96 targetRevenue;
        uint96 sharingSpace;
        uint96 lossThreshold;
        uint16 partnerMinBps;
        uint16 partnerMaxBps;
        uint16 maxNoticePeriods;
        bool attestAllReports;
        uint32 versionCount;
        uint32 noticeCount;
        bytes32 metadata;
    }

    struct Epoch {
        uint32 versionId;
        uint128 startProfit;
    }

    IMemberRegistry internal immutable _registry;
    IERC20 internal immutable _token;
    address internal immutable _factory;

    // Slot 0: who, what state, which version; read by every settlement.
    address internal _owner;
    EmcStatus internal _status;
    uint32 internal _periodCount;
    uint32 internal _activeVersionId;
    /// @dev The active version's value-added basis points (its pool's part of each profit).
    uint16 internal _activePoolBps;
    /// @dev `EmcTerms.attestAllReports`, kept here so that a settlement reads it for free.
    bool internal _attestAll;
    // Slot 1: what settlements raise and claims pay; the only slot a steady claim reads
    // beside the claimant's position.
    uint72 internal _cumProfit;
    uint72 internal _totalPaid;
    uint32 internal _epochCount;
    uint56 internal _cumUsers;
    bool internal _targetReached;
    /// @dev Set when the EMC dissolved short of its target: locked value-added credit is void.
    bool internal _poolForfeited;
    /// @dev Set when the value-added pool filled the sharing space (at `_poolFullAt`), so that
    /// a claim reads the fill point only once it exists.
    bool internal _poolFull;
    // Slot 2: the rest of what a settlement raises.
    uint96 internal _cumRevenue;
    /// @dev Value-added credit accrued by the pool, in 1/10,000 units; never above the sharing
    /// space (at most `_MAX_CUMULATIVE * 10_000`, which fits).
    uint88 internal _poolAccrued;
    /// @dev The cumulative profit at which the pool filled the sharing space (with `_poolFull`).
    /// Value-added shares earn on cumulative profit up to this point only; beyond it their
    /// basis points earn for the development fund.
    uint72 internal _poolFullAt;
    // Slot 3: the development fund's balance beyond its position (a forfeited pool's part,
    // sweeps, less withdrawals) and what sweeps brought in: a sweep writes both at once.
    uint128 internal _devFundBalance;
    /// @dev Credit swept into the development fund from what the EMC held above its debts.
    uint96 internal _swept;
    // Slot 4.
    uint128 internal _devFundWithdrawn;

    StoredTerms internal _terms;
    mapping(uint256 epoch => Epoch) internal _epochs;
    mapping(uint256 versionId => Version) internal _versions;
    mapping(address account => Accrual.Position) internal _positions;
    mapping(address account => uint256) internal _locked;
    // Sealed-bid rounds; nothing on the settlement paths reads them.
    uint256 internal _bidRoundCount;
    mapping(uint256 roundId => BidRound) internal _bidRounds;
    mapping(uint256 roundId => address[]) internal _bidders;
    mapping(uint256 roundId => mapping(address bidder => Bid)) internal _bids;

    /// @dev The ME the owner appointed to report and settle periods (zero: the owner alone).
    address internal _reporter;

    // Capital and losses; nothing on the profit settlement or claim paths reads them.
    uint128 internal _capital;
    uint128 internal _capitalUnits;
    uint128 internal _losses;
    uint96 internal _lossesCovered;
    uint32 internal _capitalEra;
    uint128 internal _invested;
    uint128 internal _capitalReturned;
    uint128 internal _poolReleased;
    uint128 internal _poolToInvestors;
    uint128 internal _poolPaid;
    uint32 internal _investorCount;
    uint32 internal _capitalClaims;
    /// @dev Cumulative loss per capital unit, scaled by `_LOSS_INDEX_SCALE`, over every era.
    uint256 internal _lossPerUnit;
    /// @dev `_lossPerUnit` when each era was wiped out: where its units stopped bearing losses.
    mapping(uint256 era => uint256) internal _eraEndLossPerUnit;
    mapping(address account => CapitalAccount) internal _capitalAccounts;
    // Departure notices.
    mapping(address account => Departure) internal _departures;

    constructor(IMemberRegistry registry_, IERC20 token_, address factory_) {
        _registry = registry_;
        _token = token_;
        _factory = factory_;
    }

    modifier onlyOwner() {
        _checkOwner();
        _;
    }

    /// @dev The owner or the reporter it appointed; the owner is checked first, so the
    /// owner's own settlements read nothing more than before.
    modifier onlyReporter() {
        _checkReporter();
        _;
    }

    function _checkOwner() internal view {
        address owner_ = _owner;
        if (msg.sender != owner_) revert EmcNotOwner(msg.sender, owner_);
        if (!_registry.isActive(owner_, Roles.ME)) revert EmcCallerNotActive(owner_);
    }

    function _checkReporter() internal view {
        address caller = msg.sender;
        if (caller == _owner) {
            _checkOwner();
            return;
        }
        address reporter = _reporter;
        if (caller != reporter || reporter == address(0)) {
            revert EmcNotReporter(caller, _owner, reporter);
        }
        if (!_registry.isActive(caller, Roles.ME)) revert EmcCallerNotActive(caller);
    }

    /// @dev Active MEs and partners may bid and invest; partners pay a second registry read.
    function _checkActiveMember() internal view {
        if (!_registry.isActive(msg.sender, Roles.ME) && !_registry.isActive(msg.sender, Roles.PARTNER)) {
            revert EmcCallerNotActive(msg.sender);
        }
    }

    function _checkStatus(EmcStatus expected) internal view {
        if (_status != expected) revert EmcWrongStatus(_status, expected);
    }

    function _checkVersionExists(uint256 versionId) internal view {
        // Every id up to the count is at least proposed: a status of None is an unknown id.
        if (_versions[versionId].status == VersionStatus.None) revert EmcUnknownVersion(versionId);
    }

    /// @dev Reverts unless `path` shows that the active version gives `account` a share.
    function _checkParty(address account, SharePath calldata path) internal view {
        uint256 active = _activeVersionId;
        if (active == 0 || path.account != account) revert EmcNotAMember(account);
        Version storage v = _versions[active];
        if (!ShareTree.verify(v.sharesRoot, v.partyCount, path)) revert EmcInvalidShareProof(account, v.epoch);
    }

    /// @dev Whether `account`, party `index` of a version whose parties hold `roles`, is still
    /// an active member with the role of every kind of share it holds there (partner: the
    /// partner role; operating and value-added: the ME role).
    function _inGoodStanding(PartyRoles calldata roles, uint256 index, address account) internal view returns (bool) {
        if ((roles.partnerMask >> index) & 1 == 1 && !_registry.isActive(account, Roles.PARTNER)) return false;
        if ((roles.meMask >> index) & 1 == 1 && !_registry.isActive(account, Roles.ME)) return false;
        return true;
    }

    /// @dev Whether `account`'s departure notice has run out.
    function _departed(address account) internal view returns (bool) {
        Departure storage d = _departures[account];
        return d.noticedAt != 0 && _periodCount >= d.effectivePeriod;
    }
}
