// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IEMC} from "../interfaces/IEMC.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {Roles} from "../libraries/Roles.sol";
import {ShareEntries} from "../libraries/ShareEntries.sol";
import {ShareTree} from "../libraries/ShareTree.sol";
import {Signatures} from "../libraries/Signatures.sol";
import {Departure} from "../types/Capital.sol";
import {EmcStatus, PartyRoles, ShareClass, Version, VersionStatus} from "../types/Shares.sol";
import {EMCStorage} from "./EMCStorage.sol";

/// @title EMCVersions
/// @notice Share versions: proposed by the owner, signed by every party they name (EIP-712),
/// activated at a period boundary by whoever submits the signatures, and kept forever.
/// @dev A version's entries are not written to storage (78,000 gas an entry): the proposal
/// checks them in calldata (one word each, `ShareEntries`), emits them, and keeps three
/// commitments: the EIP-712 hash the parties sign, the root of a share tree with one leaf per
/// party (`ShareTree`), against which each account proves its share when it is brought up to
/// date, and the hash of the party list, against which activation checks the signers it
/// recovers. The registry is asked once per proposal about every account whose standing is
/// not already known. Each activation opens an epoch starting at the cumulative profit of
/// that moment; `EMCAccounting` walks the epochs per account.
abstract contract EMCVersions is EMCStorage, IEMC, EIP712 {
    using SafeCast for uint256;
    using ShareEntries for uint256;

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
        // Accounts whose role the registry must confirm, asked together after the loop.
        uint256 meQueries;
        uint256 partnerQueries;
        address[] newMes;
        address[] newPartners;
    }

    /// @dev The account whose entries the loop is folding into its leaf.
    struct Party {
        address account;
        uint256 partnerBps;
        uint256 operatingBps;
        uint256 valueAddedBps;
        bool known; // it stays on from the active version and nobody's standing changed since
        bool meQueued; // its ME role is known or queued for the registry
    }

    /// @dev The active version the proposal replaces, walked beside the new parties, and the
    /// terms every entry is checked against.
    struct Current {
        uint256 versionId;
        uint256 next;
        bool standingsUnchanged;
        bool notices; // a departure notice was ever given in this EMC
        uint256 partnerMask;
        uint256 meMask;
        uint256 partnerMinBps;
        uint256 partnerMaxBps;
        address leftOut; // the first party left out that may not be (checked after the total)
    }

    constructor() EIP712("rdh-chain EMC", "1") {}

    /// @inheritdoc IEMC
    function proposeVersion(
        uint256[] calldata entries,
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
            _checkRoles(entries, t.newMes, t.meQueries, Roles.ME);
            _checkRoles(entries, t.newPartners, t.partnerQueries, Roles.PARTNER);
            if (t.total != Accrual.BPS) revert EmcShareTotalNot100(t.total);
            _checkNobodyLeftOut(current);
        }
        versionId = ++_versionCount;
        uint256 nonce = _epochCount;
        bytes32 sharesRoot = _record(versionId, nonce, count, deadline, documentHash, restrictions, t);
        emit VersionProposed(versionId, msg.sender, entries, documentHash, nonce, deadline, sharesRoot);
    }

    /// @inheritdoc IEMC
    function activateVersion(uint256 versionId, bytes calldata signatures) external {
        _checkStatus(EmcStatus.Active);
        Version storage v = _proposedVersion(versionId);
        uint256 epoch = _epochCount;
        if (v.nonce != epoch) revert EmcVersionStale(versionId, v.nonce, epoch);
        if (block.timestamp > v.deadline) revert EmcDeadlinePassed(v.deadline, block.timestamp);
        _checkSignatures(versionId, v, signatures);

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
        emit VersionActivated(versionId, epoch, fromPeriod, previousId, v.entriesHash, v.partyCount, v.valueAddedBps);
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
            entriesHash: _hashWords(t.entryHashes, entryCount),
            sharesRoot: sharesRoot,
            partiesHash: _hashWords(t.partyList, parties)
        });
        _partyRoles[versionId] = PartyRoles({partnerMask: t.partnerMask, meMask: t.meMask});
    }

    /// @dev Checks the parties given for the active version against its commitment and reads
    /// what the loop needs of it. Its members were eligible when it was proposed; if nobody
    /// anywhere was suspended or lost a role since (the registry's restriction count), they
    /// still are, and a member staying on with a kind of share it already held needs no
    /// registry read.
    function _current(address[] calldata currentParties, uint256 restrictions)
        private
        view
        returns (Current memory current)
    {
        current.notices = _noticeCount != 0;
        current.partnerMinBps = _terms.partnerMinBps;
        current.partnerMaxBps = _terms.partnerMaxBps;
        uint256 active = _activeVersionId;
        current.versionId = active;
        if (active == 0) {
            if (currentParties.length != 0) revert EmcCurrentPartiesMismatch(0);
            return current;
        }
        Version storage v = _versions[active];
        bytes32 given;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let size := shl(5, currentParties.length)
            calldatacopy(m, currentParties.offset, size)
            given := keccak256(m, size)
        }
        if (given != v.partiesHash) revert EmcCurrentPartiesMismatch(active);
        current.standingsUnchanged = v.restrictionsAtProposal == restrictions;
        if (current.standingsUnchanged) {
            PartyRoles storage roles = _partyRoles[active];
            current.partnerMask = roles.partnerMask;
            current.meMask = roles.meMask;
        }
    }

    /// @dev One pass over the entries, in canonical order (strictly increasing keys: account,
    /// then class; so one account's entries are adjacent): checks each, hashes it for the
    /// signatures, folds each account's entries into its leaf, queues the accounts whose
    /// roles the registry must confirm, and walks the active version's parties beside the new
    /// ones to check that nobody is left out who may not be.
    function _tally(uint256[] calldata entries, address[] calldata currentParties, Current memory current)
        private
        view
        returns (Tally memory t)
    {
        uint256 count = entries.length;
        t.entryHashes = new bytes32[](count);
        // At most one leaf per entry; the tree's unused leaves stay zero.
        t.leaves = new bytes32[](uint256(1) << ShareTree.depth(count));
        t.partyList = new address[](count);
        t.newMes = new address[](count);
        t.newPartners = new address[](count);
        Party memory party;
        uint256 previousKey;
        for (uint256 i; i < count; ++i) {
            uint256 entry = entries[i];
            if (!entry.isWellFormed()) revert EmcMalformedEntry(i, entry);
            uint256 key = entry.key();
            if (i != 0 && key <= previousKey) _revertOrder(previousKey, key, i);
            previousKey = key;
            uint256 bps = entry.bps();
            if (bps == 0) revert EmcZeroShare(i);
            address account = entry.account();
            if (i == 0 || account != party.account) {
                if (i != 0) _closeParty(t, party);
                _openParty(t, party, account, currentParties, current);
            }
            ShareClass class = ShareClass(entry.classCode());
            _addEntry(t, party, current, class, bps);
            t.entryHashes[i] = _entryHash(account, class, bps);
        }
        _closeParty(t, party);
        // The active version's parties above the last new one are all left out.
        while (current.next < currentParties.length) {
            _checkMayLeave(current, current.next, currentParties[current.next]);
            ++current.next;
        }
    }

    /// @dev Starts folding `account`'s entries: walks the active version's parties up to it
    /// and checks its departure notice, if any.
    function _openParty(
        Tally memory t,
        Party memory party,
        address account,
        address[] calldata currentParties,
        Current memory current
    ) private view {
        party.account = account;
        party.partnerBps = 0;
        party.operatingBps = 0;
        party.valueAddedBps = 0;
        party.meQueued = false;
        party.known = account != _DEV_FUND && _walkCurrent(currentParties, current, account);
        if (!current.notices || account == _DEV_FUND) return;
        Departure storage departure = _departures[account];
        if (departure.noticedAt == 0) return;
        if (_periodCount >= departure.effectivePeriod) revert EmcMemberDeparted(account, departure.effectivePeriod);
        // Its notice may run out before the version is activated: activation checks again.
        t.namesMemberUnderNotice = true;
    }

    /// @dev Checks one entry of `party` and adds it to the party and the tally. A role the
    /// party held in the active version, with nobody's standing changed since, is known;
    /// any other is queued for the registry, once per account and kind.
    function _addEntry(Tally memory t, Party memory party, Current memory current, ShareClass class, uint256 bps)
        private
        pure
    {
        address account = party.account;
        t.total += bps;
        if (class == ShareClass.DevFund) {
            if (account != _DEV_FUND) revert EmcDevFundAccount(account);
            t.devFundBps = bps;
            return;
        }
        // The registry never registers the zero address.
        if (account == _DEV_FUND) revert EmcIneligibleMember(account, class);
        if (class == ShareClass.Partner) {
            if (bps < current.partnerMinBps || bps > current.partnerMaxBps) {
                revert EmcShareOutOfBounds(account, class, bps, current.partnerMinBps, current.partnerMaxBps);
            }
            party.partnerBps = bps;
            if (!(party.known && _heldRole(current, current.partnerMask))) t.newPartners[t.partnerQueries++] = account;
            return;
        }
        if (class == ShareClass.Operating) {
            party.operatingBps = bps;
        } else {
            party.valueAddedBps = bps;
            t.valueAddedBps += bps;
        }
        if (party.meQueued) return;
        party.meQueued = true;
        if (!(party.known && _heldRole(current, current.meMask))) t.newMes[t.meQueries++] = account;
    }

    /// @dev Adds the folded party to the tally: the development fund is a figure of the
    /// header, any other account a party with a leaf.
    function _closeParty(Tally memory t, Party memory party) private pure {
        address account = party.account;
        if (account == _DEV_FUND) return;
        uint256 index = t.parties++;
        t.partyList[index] = account;
        t.leaves[index] = ShareTree.leaf(account, party.partnerBps, party.operatingBps, party.valueAddedBps);
        if (party.partnerBps != 0) t.partnerMask |= uint256(1) << index;
        if (party.operatingBps != 0 || party.valueAddedBps != 0) t.meMask |= uint256(1) << index;
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

    /// @dev Whether the account just matched in the active version (at `current.next - 1`)
    /// has its bit set in `mask`, one of that version's role masks.
    function _heldRole(Current memory current, uint256 mask) private pure returns (bool) {
        return (mask >> (current.next - 1)) & 1 == 1;
    }

    /// @dev Asks the registry, in one call, whether the `count` queued `accounts` are active
    /// members holding `role`; reverts naming the first that is not, and its entry's class.
    function _checkRoles(uint256[] calldata entries, address[] memory accounts, uint256 count, bytes32 role)
        private
        view
    {
        if (count == 0) return;
        assembly ("memory-safe") {
            mstore(accounts, count) // trim the queue to what was queued
        }
        uint256 index = _registry.firstInactive(accounts, role);
        if (index == count) return;
        address account = accounts[index];
        // Only on the way to a revert: find the entry that needed the role, for its class.
        for (uint256 i;; ++i) {
            uint256 entry = entries[i];
            ShareClass class = ShareClass(entry.classCode());
            if (entry.account() == account && (class == ShareClass.Partner) == (role == Roles.PARTNER)) {
                revert EmcIneligibleMember(account, class);
            }
        }
    }

    /// @dev Checks the packed signatures (see `Signatures.packedSigner`) of every party of
    /// `versionId`, sorted by signer. Sorted recovered signers hashing to the version's party
    /// list are exactly its parties, once each.
    function _checkSignatures(uint256 versionId, Version storage v, bytes calldata signatures) private view {
        uint256 count = v.partyCount;
        uint256 end = count * Signatures.PACKED_LENGTH;
        if (signatures.length < end) {
            revert EmcSignatureCount(signatures.length / Signatures.PACKED_LENGTH, count);
        }
        bytes32 digest = versionDigest(versionId);
        address[] memory signers = new address[](count);
        address previous;
        for (uint256 i; i < count; ++i) {
            (address signer, uint256 next, Signatures.PackedError problem) =
                Signatures.packedSigner(signatures, i, end, digest);
            if (problem == Signatures.PackedError.Encoding) revert EmcSignatureEncoding(i);
            if (problem == Signatures.PackedError.Invalid) revert EmcInvalidSignature(versionId, i, signer);
            if (signer <= previous) revert EmcSignersNotSorted(i);
            signers[i] = signer;
            previous = signer;
            end = next;
        }
        if (signatures.length != end) revert EmcSignaturesLength(signatures.length, end);
        if (_hashWords(signers, count) != v.partiesHash) revert EmcSignersNotParties(versionId);
        // Parties were members in good standing when proposed; only if somebody was suspended
        // or lost a role, or a party may have departed, since then is each signer's standing
        // read again, so the common case pays nothing per signer for it.
        bool recheck = _registry.restrictions() != v.restrictionsAtProposal;
        bool departures = v.namesMemberUnderNotice || v.noticesAtProposal != _noticeCount;
        if (!recheck && !departures) return;
        for (uint256 i; i < count; ++i) {
            address signer = signers[i];
            if (recheck && !_inGoodStanding(versionId, i, signer)) revert EmcPartyNotActive(versionId, signer);
            if (departures && _departed(signer)) {
                revert EmcMemberDeparted(signer, _departures[signer].effectivePeriod);
            }
        }
    }

    /// @dev The EIP-712 struct hash of one `ShareEntry`, hashed past the free memory pointer
    /// (`abi.encode` would leave 128 bytes of memory behind each of up to 256 entries).
    function _entryHash(address account, ShareClass class, uint256 bps) private pure returns (bytes32 hash) {
        bytes32 typehash = _ENTRY_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typehash)
            mstore(add(m, 0x20), account)
            mstore(add(m, 0x40), class)
            mstore(add(m, 0x60), bps)
            hash := keccak256(m, 0x80)
        }
    }

    /// @dev `keccak256(abi.encodePacked(words[:count]))`, hashed in place.
    function _hashWords(bytes32[] memory words, uint256 count) private pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            hash := keccak256(add(words, 0x20), shl(5, count))
        }
    }

    /// @dev `keccak256(abi.encodePacked(accounts[:count]))`: each address padded to a word.
    function _hashWords(address[] memory accounts, uint256 count) private pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            hash := keccak256(add(accounts, 0x20), shl(5, count))
        }
    }

    /// @dev Entry `index`'s key is not above the previous one's: a repeat, or out of order.
    function _revertOrder(uint256 previousKey, uint256 key, uint256 index) private pure {
        if (key == previousKey) {
            revert EmcDuplicateEntry(address(uint160(key >> 80)), ShareClass(uint8(key)));
        }
        revert EmcEntriesNotSorted(index);
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

    function _proposedVersion(uint256 versionId) private view returns (Version storage v) {
        _checkVersionExists(versionId);
        v = _versions[versionId];
        if (v.status != VersionStatus.Proposed) revert EmcVersionNotProposed(versionId, v.status);
    }
}
