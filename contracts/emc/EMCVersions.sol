// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../interfaces/IEMC.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {Roles} from "../libraries/Roles.sol";
import {EmcStatus, Share, ShareClass, ShareEntry, Version, VersionStatus} from "../types/Shares.sol";
import {EMCStorage} from "./EMCStorage.sol";

/// @title EMCVersions
/// @notice Share versions: proposed by the owner, activated at a period boundary, kept forever.
/// @dev Each activation opens an epoch starting at the cumulative profit of that moment;
/// `EMCSettlement` walks the epochs to account each member lazily.
abstract contract EMCVersions is EMCStorage {
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
            if (position.flags & Accrual.KNOWN == 0) {
                position.flags = Accrual.KNOWN;
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

    // ---------------------------------------------------------------- internals

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
