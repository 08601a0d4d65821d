// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IEMC} from "./interfaces/IEMC.sol";
import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {Accrual} from "./libraries/Accrual.sol";
import {Roles} from "./libraries/Roles.sol";
import {
    EmcStatus,
    EmcTerms,
    PeriodReport,
    Share,
    ShareClass,
    ShareEntry,
    Version,
    VersionStatus
} from "./types/Shares.sol";

/// @title EMC
/// @notice The fixed EMC template. The factory deploys it once and clones it per EMC; the
/// registry, token and factory are immutables of the template, so every clone shares them
/// without storing them.
/// @dev Accounting: settling a period only raises `_cumProfit`. Each activation of a version
/// opens an epoch that starts at the cumulative profit of that moment, so versions take
/// effect at period boundaries. An account is brought up to date lazily, epoch by epoch,
/// when it claims: payouts cost O(1) in the number of members and O(epochs since the
/// account's last claim), which is about one per month.
contract EMC is IEMC, ReentrancyGuardTransient {
    using Accrual for Accrual.Position;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @notice Most entries a version may have; bounds the proposal loop.
    uint256 public constant MAX_ENTRIES = 256;
    /// @dev The development fund's account key: the fund has no wallet.
    address private constant _DEV_FUND = address(0);
    /// @dev Cumulative profit must fit a position's checkpoint.
    uint256 private constant _MAX_CUMULATIVE = type(uint80).max;

    struct Epoch {
        uint32 versionId;
        uint128 startProfit;
    }

    IMemberRegistry private immutable _registry;
    IERC20 private immutable _token;
    address private immutable _factory;

    // Slot 0: read by every call.
    address private _owner;
    EmcStatus private _status;
    bool private _targetReached;
    uint32 private _periodCount;
    uint32 private _activeVersionId;
    // Slot 1: what settlements raise and claims read and write.
    uint80 private _cumProfit;
    uint80 private _totalPaid;
    uint32 private _epochCount;
    uint64 private _cumUsers;
    // Slot 2.
    uint128 private _cumRevenue;
    uint32 private _versionCount;
    // Slot 3: the development fund's payable balance (as of its checkpoint) and withdrawals.
    uint128 private _devFundBalance;
    uint128 private _devFundWithdrawn;

    EmcTerms private _terms;
    mapping(uint256 epoch => Epoch) private _epochs;
    mapping(uint256 versionId => Version) private _versions;
    mapping(uint256 versionId => address[]) private _versionAccounts;
    mapping(uint256 versionId => mapping(address account => Share)) private _shares;
    mapping(address account => Accrual.Position) private _positions;
    mapping(address account => uint256) private _locked;

    constructor(IMemberRegistry registry_, IERC20 token_, address factory_) {
        _registry = registry_;
        _token = token_;
        _factory = factory_;
    }

    modifier onlyOwner() {
        _checkOwner();
        _;
    }

    // ---------------------------------------------------------------- setup

    /// @inheritdoc IEMC
    /// @dev No Initializable: `_status` leaves `None` here, and only the factory may call,
    /// in the same transaction that creates the clone.
    function initialize(address owner_, EmcTerms calldata terms_) external {
        if (msg.sender != _factory) revert EmcOnlyFactory(msg.sender);
        if (_status != EmcStatus.None) revert EmcWrongStatus(_status, EmcStatus.None);
        _owner = owner_;
        _status = EmcStatus.Active;
        _terms = terms_;
        emit EmcInitialized(owner_, terms_);
    }

    // ---------------------------------------------------------------- versions

    /// @inheritdoc IEMC
    function proposeVersion(ShareEntry[] calldata entries, bytes32 documentHash)
        external
        onlyOwner
        returns (uint256 versionId)
    {
        _checkStatus(EmcStatus.Active);
        uint256 count = entries.length;
        if (count == 0 || count > MAX_ENTRIES) revert EmcEntryCount(count, MAX_ENTRIES);
        versionId = ++_versionCount;
        uint32 nextEpoch = _epochCount;
        uint256 total;
        for (uint256 i; i < count; ++i) {
            ShareEntry calldata entry = entries[i];
            if (entry.bps == 0) revert EmcZeroShare(i);
            _checkEligible(entry.account, entry.class);
            _addShare(versionId, entry);
            total += entry.bps;
            Accrual.Position storage position = _positions[entry.account];
            if (!position.known) {
                position.known = true;
                position.epoch = nextEpoch;
            }
        }
        if (total != Accrual.BPS) revert EmcShareTotalNot100(total);
        _versions[versionId] = Version({
            status: VersionStatus.Proposed,
            epoch: 0,
            fromPeriod: 0,
            entryCount: uint32(count),
            proposedAt: uint64(block.timestamp),
            activatedAt: 0,
            documentHash: documentHash
        });
        emit VersionProposed(versionId, msg.sender, entries, documentHash);
    }

    /// @inheritdoc IEMC
    function activateVersion(uint256 versionId) external onlyOwner {
        _checkStatus(EmcStatus.Active);
        Version storage v = _proposedVersion(versionId);
        uint256 previousId = _activeVersionId;
        if (previousId != 0) _versions[previousId].status = VersionStatus.Superseded;
        uint256 epoch = _epochCount;
        _epochs[epoch] = Epoch({versionId: uint32(versionId), startProfit: _cumProfit});
        _epochCount = uint32(epoch + 1);
        uint32 fromPeriod = _periodCount + 1;
        v.status = VersionStatus.Active;
        v.epoch = uint32(epoch);
        v.fromPeriod = fromPeriod;
        v.activatedAt = uint64(block.timestamp);
        _activeVersionId = uint32(versionId);
        emit VersionActivated(versionId, epoch, fromPeriod, previousId);
    }

    // ---------------------------------------------------------------- settlement

    /// @inheritdoc IEMC
    function settle(PeriodReport calldata report) external nonReentrant onlyOwner returns (uint256 period) {
        _checkStatus(EmcStatus.Active);
        uint256 versionId = _activeVersionId;
        if (versionId == 0) revert EmcNoActiveVersion();
        uint256 profit = report.profit;
        if (profit == 0) revert EmcZeroAmount();
        uint256 cumProfit = _cumProfit + profit;
        if (cumProfit > _MAX_CUMULATIVE) revert EmcAmountTooLarge(cumProfit, _MAX_CUMULATIVE);
        uint256 users = _cumUsers + report.users;
        uint256 revenue = _cumRevenue + report.revenue;

        period = ++_periodCount;
        _cumProfit = uint80(cumProfit);
        _cumUsers = users.toUint64();
        _cumRevenue = revenue.toUint128();
        emit PeriodSettled(period, versionId, msg.sender, report, cumProfit);

        if (!_targetReached && users >= _terms.targetUsers && revenue >= _terms.targetRevenue) {
            _targetReached = true;
            emit TargetReached(period, users, revenue);
        }
        _token.safeTransferFrom(msg.sender, address(this), profit);
    }

    /// @inheritdoc IEMC
    function claim() external nonReentrant returns (uint256 amount) {
        uint256 locked;
        Accrual.Position memory p;
        (p, amount, locked) = _accrued(msg.sender);
        if (amount == 0) revert EmcNothingToClaim(msg.sender);
        if (locked != 0 || p.hasLocked) {
            _locked[msg.sender] = locked;
            p.hasLocked = locked != 0;
        }
        uint256 paid = p.paid + amount;
        p.paid = uint80(paid);
        _positions[msg.sender] = p;
        _totalPaid += uint80(amount);
        emit Claimed(msg.sender, amount, paid);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IEMC
    function withdrawDevFund(address to, uint256 amount, bytes32 purpose) external nonReentrant onlyOwner {
        if (to == address(0)) revert EmcZeroAddress();
        if (amount == 0) revert EmcZeroAmount();
        (Accrual.Position memory fund, uint256 accrued,) = _accrued(_DEV_FUND);
        uint256 available = _devFundBalance + accrued;
        if (amount > available) revert EmcDevFundInsufficient(amount, available);
        _devFundBalance = uint128(available - amount);
        fund.paid += uint80(amount);
        _positions[_DEV_FUND] = fund;
        _totalPaid += uint80(amount);
        _devFundWithdrawn += uint128(amount);
        emit DevFundWithdrawn(to, amount, purpose, available - amount);
        _token.safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IEMC
    function owner() external view returns (address) {
        return _owner;
    }

    /// @inheritdoc IEMC
    function status() external view returns (EmcStatus) {
        return _status;
    }

    /// @inheritdoc IEMC
    function terms() external view returns (EmcTerms memory) {
        return _terms;
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
    function activeVersionId() external view returns (uint256) {
        return _activeVersionId;
    }

    /// @inheritdoc IEMC
    function versionCount() external view returns (uint256) {
        return _versionCount;
    }

    /// @inheritdoc IEMC
    function version(uint256 versionId) external view returns (Version memory) {
        _checkVersionExists(versionId);
        return _versions[versionId];
    }

    /// @inheritdoc IEMC
    function versionEntries(uint256 versionId) external view returns (ShareEntry[] memory entries) {
        _checkVersionExists(versionId);
        address[] storage accounts = _versionAccounts[versionId];
        entries = new ShareEntry[](_versions[versionId].entryCount);
        uint256 n;
        for (uint256 i; i < accounts.length; ++i) {
            Share memory s = _shares[versionId][accounts[i]];
            n = _appendEntry(entries, n, accounts[i], ShareClass.Partner, s.partnerBps);
            n = _appendEntry(entries, n, accounts[i], ShareClass.Operating, s.operatingBps);
            n = _appendEntry(entries, n, accounts[i], ShareClass.ValueAdded, s.valueAddedBps);
            n = _appendEntry(entries, n, accounts[i], ShareClass.DevFund, s.devFundBps);
        }
    }

    /// @inheritdoc IEMC
    function shareOf(uint256 versionId, address account) external view returns (Share memory) {
        _checkVersionExists(versionId);
        return _shares[versionId][account];
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

    // ---------------------------------------------------------------- internals

    /// @dev `account`'s position brought up to date, what it may be paid now and its locked
    /// value-added credit, walking the epochs it has not been accounted for (one, for an
    /// account that claims every period). Amounts never exceed the cumulative profit
    /// (< 2**80), so the narrow casts cannot truncate.
    function _accrued(address account)
        private
        view
        returns (Accrual.Position memory p, uint256 payable_, uint256 locked)
    {
        p = _positions[account];
        uint256 epochCount = _epochCount;
        if (p.known && p.epoch < epochCount) {
            uint256 cumProfit = _cumProfit;
            Accrual.Credit memory credit;
            for (uint256 e = p.epoch; e < epochCount; ++e) {
                uint256 end = e + 1 < epochCount ? _epochs[e + 1].startProfit : cumProfit;
                uint256 versionId;
                uint256 start;
                if (e == p.epoch && p.synced) {
                    // A synced account's checkpoint is already past its epoch's start, and the
                    // last epoch's version is the active one: no epoch read in the common case.
                    start = p.checkpoint;
                    versionId = e + 1 == epochCount ? _activeVersionId : _epochs[e].versionId;
                } else {
                    Epoch memory epoch = _epochs[e];
                    versionId = epoch.versionId;
                    start = epoch.startProfit;
                }
                if (end > start) {
                    Share memory s = _shares[versionId][account];
                    uint256 delta = end - start;
                    credit.free += (uint256(s.partnerBps) + s.operatingBps + s.devFundBps) * delta;
                    credit.locked += uint256(s.valueAddedBps) * delta;
                }
            }
            (payable_, locked) = p.book(credit);
            p.synced = true;
            p.epoch = uint32(epochCount - 1);
            p.checkpoint = uint80(cumProfit);
        }
        if (p.hasLocked) locked += _locked[account];
        if (_targetReached) {
            payable_ += locked + p.unlockDust();
            locked = 0;
        }
    }

    function _addShare(uint256 versionId, ShareEntry calldata entry) private {
        Share storage s = _shares[versionId][entry.account];
        bool isNew = s.partnerBps == 0 && s.operatingBps == 0 && s.valueAddedBps == 0 && s.devFundBps == 0;
        uint16 held;
        if (entry.class == ShareClass.Partner) {
            held = s.partnerBps;
            s.partnerBps = entry.bps;
        } else if (entry.class == ShareClass.Operating) {
            held = s.operatingBps;
            s.operatingBps = entry.bps;
        } else if (entry.class == ShareClass.ValueAdded) {
            held = s.valueAddedBps;
            s.valueAddedBps = entry.bps;
        } else {
            held = s.devFundBps;
            s.devFundBps = entry.bps;
        }
        if (held != 0) revert EmcDuplicateEntry(entry.account, entry.class);
        if (isNew) _versionAccounts[versionId].push(entry.account);
    }

    function _checkEligible(address account, ShareClass class) private view {
        if (class == ShareClass.DevFund) {
            if (account != _DEV_FUND) revert EmcDevFundAccount(account);
            return;
        }
        bytes32 role = class == ShareClass.Partner ? Roles.PARTNER : Roles.ME;
        if (!_registry.isActive(account, role)) revert EmcIneligibleMember(account, class);
    }

    function _proposedVersion(uint256 versionId) private view returns (Version storage v) {
        _checkVersionExists(versionId);
        v = _versions[versionId];
        if (v.status != VersionStatus.Proposed) revert EmcVersionNotProposed(versionId, v.status);
    }

    function _checkVersionExists(uint256 versionId) private view {
        if (versionId == 0 || versionId > _versionCount) revert EmcUnknownVersion(versionId);
    }

    function _checkOwner() private view {
        address owner_ = _owner;
        if (msg.sender != owner_) revert EmcNotOwner(msg.sender, owner_);
        if (!_registry.isActive(owner_, Roles.ME)) revert EmcCallerNotActive(owner_);
    }

    function _checkStatus(EmcStatus expected) private view {
        if (_status != expected) revert EmcWrongStatus(_status, expected);
    }

    function _appendEntry(ShareEntry[] memory entries, uint256 n, address account, ShareClass class, uint16 bps)
        private
        pure
        returns (uint256)
    {
        if (bps == 0) return n;
        entries[n] = ShareEntry({account: account, class: class, bps: bps});
        return n + 1;
    }
}
