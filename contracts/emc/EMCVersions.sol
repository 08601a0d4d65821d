// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IEMC} from "../interfaces/IEMC.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {Roles} from "../libraries/Roles.sol";
import {ShareTree} from "../libraries/ShareTree.sol";
import {Signatures} from "../libraries/Signatures.sol";
import {Departure} from "../types/Capital.sol";
import {
    EmcStatus,
    PartyRoles,
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
/// @dev A version's entries are not written to storage (78,000 gas an entry): the proposal
/// checks them in calldata, emits them, and keeps three commitments: the EIP-712 hash the
/// parties sign, the root of a share tree with one leaf per party (`ShareTree`), against which
/// each account proves its share when it is brought up to date, and the hash of the party
/// list, against which activation checks the signers. Each activation opens an epoch starting
/// at the cumulative profit of that moment; `EMCAccounting` walks the epochs per account.
abstract contract EMCVersions is EMCStorage, IEMC, EIP712 {
    using SafeCast for uint256;

    bytes32 private constant _ENTRY_TYPEHASH =
        keccak256("ShareEntry(address account,uint8 shareClass,uint16 bps)");
    bytes32 private constant _VERSION_TYPEHASH = keccak256(
        "ShareVersion(uint256 versionId,ShareEntry[] entries,bytes32 documentHash,uint256 nonce,"
        "uint256 deadline)ShareEntry(address account,uint8 shareClass,uint16 bps)"
    );

    /// @dev What the proposal loop gathers from the entries.
    struct Tally {
        uint256 total;
        uint256 valueAddedBps;
        uint256 devFundBps;
        uint256 parties;
        uint256 partnerMask;
        uint256 meMask;
        bool namesMemberUnderNotice;
        bytes32[] entryHashes;
        bytes32[] leaves;
        address[] partyList;
    }

    /// @dev The active version the proposal replaces, walked beside the new parties.
    struct Current {
        uint256 versionId;
        uint256 next;
        bool standingsUnchanged;
        address leftOut; // the first party left out that may not be (checked after the total)
    }

    constructor() EIP712("rdh-chain EMC", "1") {}

    /// @inheritdoc IEMC
    function proposeVersion(
        ShareEntry[] calldata entries,
        bytes32 documentHash,
        uint48 deadline,
        address[] calldata currentParties
    ) external onlyOwner returns (uint256 versionId) {
        _checkStatus(EmcStatus.Active);
        uint256 count = entries.length;
        if (count == 0 || count > MAX_ENTRIES) revert EmcEntryCount(count, MAX_ENTRIES);
        if (deadline <= block.timestamp) revert EmcDeadlinePassed(deadline, block.timestamp);
        uint256 restrictions = _registry.restrictions();
        Tally memory t;
        {
            Current memory current = _current(currentParties, restrictions);
            t = _tally(entries, currentParties, current);
            if (t.total != Accrual.BPS) revert EmcShareTotalNot100(t.total);
            _checkNobodyLeftOut(current);
        }
        versionId = ++_versionCount;
        uint256 nonce = _epochCount;
        bytes32 sharesRoot = _record(versionId, nonce, count, deadline, documentHash, restrictions, t);
        emit VersionProposed(versionId, msg.sender, entries, documentHash, nonce, deadline, sharesRoot);
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

    // ---------------------------------------------------------------- internals

    /// @dev Writes the header of proposal `versionId` from its tally; returns its share root.
    function _record(
        uint256 versionId,
        uint256 nonce,
        uint256 entryCount,
        uint48 deadline,
        bytes32 documentHash,
        uint256 restrictions,
        Tally memory t
    ) private returns (bytes32 sharesRoot) {
        uint256 parties = t.parties;
        address[] memory partyList = t.partyList;
        assembly ("memory-safe") {
            mstore(partyList, parties) // trim the list to its parties
        }
        sharesRoot = ShareTree.computeRoot(t.leaves, parties);
        _versions[versionId] = Version({
            status: VersionStatus.Proposed,
            epoch: 0,
            fromPeriod: 0,
            entryCount: uint16(entryCount),
            partyCount: uint16(parties),
            nonce: nonce.toUint16(),
            proposedAt: uint48(block.timestamp),
            activatedAt: 0,
            deadline: deadline,
            proposedBlock: uint48(block.number),
            valueAddedBps: uint16(t.valueAddedBps),
            devFundBps: uint16(t.devFundBps),
            noticesAtProposal: _noticeCount,
            namesMemberUnderNotice: t.namesMemberUnderNotice,
            restrictionsAtProposal: uint64(restrictions),
            documentHash: documentHash,
            entriesHash: keccak256(abi.encodePacked(t.entryHashes)),
            sharesRoot: sharesRoot,
            partiesHash: keccak256(abi.encodePacked(partyList))
        });
        _partyRoles[versionId] = PartyRoles({partnerMask: t.partnerMask, meMask: t.meMask});
    }

    /// @dev Checks the parties given for the active version against its commitment. Its
    /// members were eligible when it was proposed; if nobody anywhere was suspended or lost a
    /// role since (the registry's restriction count), they still are, and a member staying on
    /// with a kind of share it already held needs no registry read.
    function _current(address[] calldata currentParties, uint256 restrictions)
        private
        view
        returns (Current memory current)
    {
        uint256 active = _activeVersionId;
        current.versionId = active;
        if (active == 0) {
            if (currentParties.length != 0) revert EmcCurrentPartiesMismatch(0);
            return current;
        }
        Version storage v = _versions[active];
        if (keccak256(abi.encodePacked(currentParties)) != v.partiesHash) revert EmcCurrentPartiesMismatch(active);
        current.standingsUnchanged = v.restrictionsAtProposal == restrictions;
    }

    /// @dev One pass over the entries, in canonical order (account, then class; so one
    /// account's entries are adjacent, and duplicates too): checks each, hashes it for the
    /// signatures, folds each account's entries into its leaf, and walks the active version's
    /// parties beside the new ones to check that nobody is left out who may not be.
    function _tally(ShareEntry[] calldata entries, address[] calldata currentParties, Current memory current)
        private
        view
        returns (Tally memory t)
    {
        uint256 count = entries.length;
        t.entryHashes = new bytes32[](count);
        // At most one leaf per entry; the tree's unused leaves stay zero.
        t.leaves = new bytes32[](uint256(1) << ShareTree.depth(count));
        t.partyList = new address[](count);
        Share memory share;
        bool roleKnown;
        for (uint256 i; i < count; ++i) {
            ShareEntry calldata entry = entries[i];
            address account = entry.account;
            if (i != 0) _checkOrder(entries[i - 1], entry, i);
            if (entry.bps == 0) revert EmcZeroShare(i);
            if (i == 0 || entries[i - 1].account != account) {
                share = Share(0, 0, 0, 0);
                roleKnown = account != _DEV_FUND && _walkCurrent(currentParties, current, account);
            }
            if (_checkEligible(entry, current, roleKnown)) t.namesMemberUnderNotice = true;
            _addShare(share, entry);
            t.total += entry.bps;
            if (entry.class == ShareClass.ValueAdded) t.valueAddedBps += entry.bps;
            t.entryHashes[i] = keccak256(abi.encode(_ENTRY_TYPEHASH, account, entry.class, entry.bps));
            if (i + 1 == count || entries[i + 1].account != account) _closeAccount(t, account, share);
        }
        // The active version's parties above the last new one are all left out.
        while (current.next < currentParties.length) {
            _checkMayLeave(current, current.next, currentParties[current.next]);
            ++current.next;
        }
    }

    /// @dev Moves the walk over the active version's parties up to `account`, checking that
    /// each one passed may be left out; returns whether `account` stays on with standing that
    /// needs no new registry read.
    function _walkCurrent(address[] calldata currentParties, Current memory current, address account)
        private
        view
        returns (bool)
    {
        uint256 n = currentParties.length;
        uint256 next = current.next;
        while (next < n && currentParties[next] < account) {
            _checkMayLeave(current, next, currentParties[next]);
            ++next;
        }
        bool stays = next < n && currentParties[next] == account;
        current.next = stays ? next + 1 : next;
        return stays && current.standingsUnchanged;
    }

    /// @dev Adds `account`'s folded share to the tally: the development fund as a figure of the
    /// header, any other account as a party with a leaf.
    function _closeAccount(Tally memory t, address account, Share memory share) private pure {
        if (account == _DEV_FUND) {
            t.devFundBps = share.devFundBps;
            return;
        }
        uint256 index = t.parties++;
        t.partyList[index] = account;
        t.leaves[index] = ShareTree.leaf(account, share.partnerBps, share.operatingBps, share.valueAddedBps);
        if (share.partnerBps != 0) t.partnerMask |= uint256(1) << index;
        if (share.operatingBps != 0 || share.valueAddedBps != 0) t.meMask |= uint256(1) << index;
    }

    /// @dev Every party's signature of `versionId`, sorted by signer; returns the signers.
    /// Sorted signers hashing to the version's party list are exactly its parties, once each.
    function _checkSignatures(uint256 versionId, Version storage v, PartySignature[] calldata signatures)
        private
        view
        returns (address[] memory signers)
    {
        uint256 count = signatures.length;
        signers = new address[](count);
        address previous;
        for (uint256 i; i < count; ++i) {
            address signer = signatures[i].signer;
            if (signer <= previous) revert EmcSignersNotSorted(i);
            signers[i] = signer;
            previous = signer;
        }
        if (keccak256(abi.encodePacked(signers)) != v.partiesHash) revert EmcSignersNotParties(versionId);
        bytes32 digest = versionDigest(versionId);
        // Parties were members in good standing when proposed; only if somebody was suspended
        // or lost a role, or a party may have departed, since then is each signer's standing
        // read again, so the common case pays nothing per signer for it.
        bool recheck = _registry.restrictions() != v.restrictionsAtProposal;
        bool departures = v.namesMemberUnderNotice || v.noticesAtProposal != _noticeCount;
        for (uint256 i; i < count; ++i) {
            address signer = signers[i];
            if (recheck && !_inGoodStanding(versionId, i, signer)) revert EmcPartyNotActive(versionId, signer);
            if (departures && _departed(signer)) {
                revert EmcMemberDeparted(signer, _departures[signer].effectivePeriod);
            }
            if (!Signatures.isValid(signer, digest, signatures[i].signature)) {
                revert EmcInvalidSignature(versionId, signer);
            }
        }
    }

    /// @dev Entries arrive sorted, so a repeated (account, class) was already rejected.
    function _addShare(Share memory s, ShareEntry calldata entry) private pure {
        if (entry.class == ShareClass.Partner) s.partnerBps = entry.bps;
        else if (entry.class == ShareClass.Operating) s.operatingBps = entry.bps;
        else if (entry.class == ShareClass.ValueAdded) s.valueAddedBps = entry.bps;
        else s.devFundBps = entry.bps;
    }

    function _checkNobodyLeftOut(Current memory current) private view {
        address member = current.leftOut;
        if (member != address(0)) revert EmcMemberLeftOut(member, _departures[member].effectivePeriod);
    }

    /// @dev Records `member` in `current.leftOut` (the first one only) unless it may be left
    /// out: a member of the active version in good standing keeps its share until it signs a
    /// version that changes it, or its departure notice has run out. One that was suspended
    /// or lost the role of a class it holds may be left out at once: it keeps, and can claim,
    /// what it earned, and renegotiation never waits for the registry.
    function _checkMayLeave(Current memory current, uint256 index, address member) private view {
        if (current.leftOut != address(0) || _departed(member)) return;
        if (!_inGoodStanding(current.versionId, index, member)) return;
        current.leftOut = member;
    }

    /// @dev Reverts unless `entry` may be proposed; returns whether its account is under notice.
    /// `roleKnown`: the account stays on from the active version and nobody's standing changed
    /// since, so a kind of share it already held needs no registry read.
    function _checkEligible(ShareEntry calldata entry, Current memory current, bool roleKnown)
        private
        view
        returns (bool underNotice)
    {
        if (entry.class == ShareClass.DevFund) {
            if (entry.account != _DEV_FUND) revert EmcDevFundAccount(entry.account);
            return false;
        }
        // No notice was ever given in this EMC: no departure record to read.
        if (_noticeCount != 0) {
            Departure storage departure = _departures[entry.account];
            if (departure.noticedAt != 0) {
                if (_periodCount >= departure.effectivePeriod) {
                    revert EmcMemberDeparted(entry.account, departure.effectivePeriod);
                }
                // Its notice may run out before the version is activated: activation checks again.
                underNotice = true;
            }
        }
        bool partner = entry.class == ShareClass.Partner;
        if (partner) {
            uint256 min = _terms.partnerMinBps;
            uint256 max = _terms.partnerMaxBps;
            if (entry.bps < min || entry.bps > max) {
                revert EmcShareOutOfBounds(entry.account, entry.class, entry.bps, min, max);
            }
        }
        if (roleKnown && _heldRole(current, partner)) return underNotice;
        bytes32 role = partner ? Roles.PARTNER : Roles.ME;
        if (!_registry.isActive(entry.account, role)) revert EmcIneligibleMember(entry.account, entry.class);
    }

    /// @dev Whether the account just matched in the active version (at `current.next - 1`) held
    /// a share of the kind `partner` says there.
    function _heldRole(Current memory current, bool partner) private view returns (bool) {
        PartyRoles storage roles = _partyRoles[current.versionId];
        uint256 mask = partner ? roles.partnerMask : roles.meMask;
        return (mask >> (current.next - 1)) & 1 == 1;
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
