// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IEMC} from "../interfaces/IEMC.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {Roles} from "../libraries/Roles.sol";
import {Signatures} from "../libraries/Signatures.sol";
import {Departure} from "../types/Capital.sol";
import {
    EmcStatus,
    PartySignature,
    Share,
    ShareClass,
    ShareEntry,
    Version,
    VersionStatus
} from "../types/Shares.sol";
import {EMCStorage} from "./EMCStorage.sol";

/// @title EMCVersions
/// @notice Share versions: proposed by the owner, signed by every party they name (EIP-712),
/// activated at a period boundary by whoever submits the signatures, and kept forever.
/// @dev Each activation opens an epoch starting at the cumulative profit of that moment;
/// `EMCSettlement` walks the epochs to account each member lazily. Activation costs O(1) in
/// the entries and one signature check per party: the entries were stored and hashed when
/// the version was proposed.
abstract contract EMCVersions is EMCStorage, IEMC, EIP712 {
    using SafeCast for uint256;

    bytes32 private constant _ENTRY_TYPEHASH =
        keccak256("ShareEntry(address account,uint8 shareClass,uint16 bps)");
    bytes32 private constant _VERSION_TYPEHASH = keccak256(
        "ShareVersion(uint256 versionId,ShareEntry[] entries,bytes32 documentHash,uint256 nonce,"
        "uint256 deadline)ShareEntry(address account,uint8 shareClass,uint16 bps)"
    );

    constructor() EIP712("rdh-chain EMC", "1") {}

    /// @inheritdoc IEMC
    function proposeVersion(ShareEntry[] calldata entries, bytes32 documentHash, uint48 deadline)
        external
        onlyOwner
        returns (uint256 versionId)
    {
        _checkStatus(EmcStatus.Active);
        uint256 count = entries.length;
        if (count == 0 || count > MAX_ENTRIES) revert EmcEntryCount(count, MAX_ENTRIES);
        if (deadline <= block.timestamp) revert EmcDeadlinePassed(deadline, block.timestamp);
        versionId = ++_versionCount;
        uint32 nextEpoch = _epochCount;
        // Beyond the pool's fill point the versions' value-added basis points earn for the
        // development fund whether or not a version names it, so the fund is accounted for
        // from the first epoch on.
        if (versionId == 1) _positions[_DEV_FUND].flags |= Accrual.KNOWN;
        uint256 total;
        uint256 valueAddedBps;
        bool namesMemberUnderNotice;
        bytes32[] memory entryHashes = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            ShareEntry calldata entry = entries[i];
            // One canonical order (account, then class) makes duplicates adjacent and lets
            // anyone rebuild the signed entries from `versionEntries`.
            if (i != 0) _checkOrder(entries[i - 1], entry, i);
            if (entry.bps == 0) revert EmcZeroShare(i);
            if (_checkEligible(entry)) namesMemberUnderNotice = true;
            _addShare(versionId, entry);
            total += entry.bps;
            if (entry.class == ShareClass.ValueAdded) valueAddedBps += entry.bps;
            entryHashes[i] = keccak256(abi.encode(_ENTRY_TYPEHASH, entry.account, entry.class, entry.bps));
            Accrual.Position storage position = _positions[entry.account];
            if (position.flags & Accrual.KNOWN == 0) {
                position.flags = Accrual.KNOWN;
                position.epoch = nextEpoch;
            }
        }
        if (total != Accrual.BPS) revert EmcShareTotalNot100(total);
        _checkNobodyLeftOut(versionId);
        uint256 accounts = _versionAccounts[versionId].length;
        _restrictionsAtProposal[versionId] = _registry.restrictions();
        _versions[versionId] = Version({
            status: VersionStatus.Proposed,
            epoch: 0,
            fromPeriod: 0,
            entryCount: uint16(count),
            // The development fund (account zero, sorted first) has no wallet to sign.
            partyCount: uint16(entries[0].account == _DEV_FUND ? accounts - 1 : accounts),
            nonce: uint256(nextEpoch).toUint16(),
            proposedAt: uint48(block.timestamp),
            activatedAt: 0,
            deadline: deadline,
            documentHash: documentHash,
            entriesHash: keccak256(abi.encodePacked(entryHashes)),
            valueAddedBps: uint16(valueAddedBps),
            noticesAtProposal: _noticeCount,
            namesMemberUnderNotice: namesMemberUnderNotice
        });
        emit VersionProposed(versionId, msg.sender, entries, documentHash, nextEpoch, deadline);
    }

    /// @inheritdoc IEMC
    function activateVersion(uint256 versionId, PartySignature[] calldata signatures) external {
        _checkStatus(EmcStatus.Active);
        Version storage v = _proposedVersion(versionId);
        uint256 epoch = _epochCount;
        if (v.nonce != epoch) revert EmcVersionStale(versionId, v.nonce, epoch);
        if (block.timestamp > v.deadline) revert EmcDeadlinePassed(v.deadline, block.timestamp);
        if (signatures.length != v.partyCount) revert EmcSignatureCount(signatures.length, v.partyCount);
        address[] memory signers = _checkSignatures(versionId, v, signatures);

        uint256 previousId = _activeVersionId;
        if (previousId != 0) _versions[previousId].status = VersionStatus.Superseded;
        _epochs[epoch] = Epoch({versionId: uint32(versionId), startProfit: _cumProfit});
        _epochCount = uint32(epoch + 1);
        uint32 fromPeriod = _periodCount + 1;
        v.status = VersionStatus.Active;
        v.epoch = uint16(epoch);
        v.fromPeriod = fromPeriod;
        v.activatedAt = uint48(block.timestamp);
        _activeVersionId = uint32(versionId);
        _activePoolBps = v.valueAddedBps;
        emit VersionActivated(
            versionId, epoch, fromPeriod, previousId, signers, v.entriesHash, v.partyCount, v.valueAddedBps
        );
    }

    /// @inheritdoc IEMC
    function versionDigest(uint256 versionId) public view returns (bytes32) {
        _checkVersionExists(versionId);
        Version storage v = _versions[versionId];
        return _hashTypedDataV4(
            keccak256(
                abi.encode(_VERSION_TYPEHASH, versionId, v.entriesHash, v.documentHash, v.nonce, v.deadline)
            )
        );
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

    // ---------------------------------------------------------------- internals

    /// @dev Every party's signature of `versionId`, sorted by signer; returns the signers.
    function _checkSignatures(uint256 versionId, Version storage v, PartySignature[] calldata signatures)
        private
        view
        returns (address[] memory signers)
    {
        bytes32 digest = versionDigest(versionId);
        // Parties were members in good standing when proposed; only if somebody was suspended
        // or lost a role, or a party may have departed, since then is each signer's standing
        // read again, so the common case pays nothing per signer for it.
        bool recheck = _registry.restrictions() != _restrictionsAtProposal[versionId];
        bool departures = v.namesMemberUnderNotice || v.noticesAtProposal != _noticeCount;
        uint256 count = signatures.length;
        signers = new address[](count);
        address previous;
        for (uint256 i; i < count; ++i) {
            address signer = signatures[i].signer;
            // Strictly ascending signers: no party can be counted twice.
            if (signer <= previous) revert EmcSignersNotSorted(i);
            if (!_isParty(versionId, signer)) revert EmcNotAParty(versionId, signer);
            if (recheck && !_inGoodStanding(versionId, signer)) revert EmcPartyNotActive(versionId, signer);
            if (departures && _departed(signer)) {
                revert EmcMemberDeparted(signer, _departures[signer].effectivePeriod);
            }
            if (!Signatures.isValid(signer, digest, signatures[i].signature)) {
                revert EmcInvalidSignature(versionId, signer);
            }
            signers[i] = signer;
            previous = signer;
        }
    }

    /// @dev Entries arrive sorted, so a repeated (account, class) was already rejected.
    function _addShare(uint256 versionId, ShareEntry calldata entry) private {
        Share storage s = _shares[versionId][entry.account];
        if (s.partnerBps == 0 && s.operatingBps == 0 && s.valueAddedBps == 0 && s.devFundBps == 0) {
            _versionAccounts[versionId].push(entry.account);
        }
        if (entry.class == ShareClass.Partner) s.partnerBps = entry.bps;
        else if (entry.class == ShareClass.Operating) s.operatingBps = entry.bps;
        else if (entry.class == ShareClass.ValueAdded) s.valueAddedBps = entry.bps;
        else s.devFundBps = entry.bps;
    }

    /// @dev A member of the active version in good standing keeps its share until it signs a
    /// version that changes it, or its departure notice has run out. One that was suspended
    /// or lost the role of a class it holds may be left out at once: it keeps, and can claim,
    /// what it earned, and renegotiation never waits for the registry.
    function _checkNobodyLeftOut(uint256 versionId) private view {
        uint256 active = _activeVersionId;
        if (active == 0) return;
        address[] storage members = _versionAccounts[active];
        uint256 count = members.length;
        for (uint256 i; i < count; ++i) {
            address member = members[i];
            if (member == _DEV_FUND || _isParty(versionId, member) || _departed(member)) continue;
            if (!_inGoodStanding(active, member)) continue;
            revert EmcMemberLeftOut(member, _departures[member].effectivePeriod);
        }
    }

    /// @dev Reverts unless `entry` may be proposed; returns whether its account is under notice.
    function _checkEligible(ShareEntry calldata entry) private view returns (bool underNotice) {
        if (entry.class == ShareClass.DevFund) {
            if (entry.account != _DEV_FUND) revert EmcDevFundAccount(entry.account);
            return false;
        }
        Departure storage departure = _departures[entry.account];
        if (departure.noticedAt != 0) {
            if (_periodCount >= departure.effectivePeriod) {
                revert EmcMemberDeparted(entry.account, departure.effectivePeriod);
            }
            // Its notice may run out before the version is activated: activation checks again.
            underNotice = true;
        }
        if (entry.class == ShareClass.Partner) {
            uint256 min = _terms.partnerMinBps;
            uint256 max = _terms.partnerMaxBps;
            if (entry.bps < min || entry.bps > max) {
                revert EmcShareOutOfBounds(entry.account, entry.class, entry.bps, min, max);
            }
        }
        bytes32 role = entry.class == ShareClass.Partner ? Roles.PARTNER : Roles.ME;
        if (!_registry.isActive(entry.account, role)) revert EmcIneligibleMember(entry.account, entry.class);
    }

    function _checkOrder(ShareEntry calldata previous, ShareEntry calldata entry, uint256 index)
        private
        pure
    {
        if (previous.account == entry.account) {
            if (previous.class == entry.class) revert EmcDuplicateEntry(entry.account, entry.class);
            if (previous.class < entry.class) return;
        } else if (previous.account < entry.account) {
            return;
        }
        revert EmcEntriesNotSorted(index);
    }

    function _proposedVersion(uint256 versionId) private view returns (Version storage v) {
        _checkVersionExists(versionId);
        v = _versions[versionId];
        if (v.status != VersionStatus.Proposed) revert EmcVersionNotProposed(versionId, v.status);
    }
}
