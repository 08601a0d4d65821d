// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IEMC} from "../interfaces/IEMC.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {EntryScan} from "../libraries/EntryScan.sol";
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

    bytes32 private constant _VERSION_TYPEHASH = keccak256(
        "ShareVersion(uint256 versionId,ShareEntry[] entries,bytes32 documentHash,uint256 nonce,"
        "uint256 deadline)ShareEntry(address account,uint8 shareClass,uint16 bps)"
    );

    constructor() EIP712("rdh-chain EMC", "1") {}

    /// @inheritdoc IEMC
    function proposeVersion(
        uint256[] calldata entries,
        bytes32 documentHash,
        uint48 deadline,
        address[] calldata currentParties,
        PartyRoles calldata currentRoles
    ) external onlyOwner returns (uint256 versionId) {
        return _propose(entries, documentHash, deadline, currentParties, currentRoles);
    }

    /// @inheritdoc IEMC
    function activateVersion(uint256 versionId, bytes calldata signatures, PartyRoles calldata roles) external {
        _activate(versionId, signatures, roles);
    }

    /// @inheritdoc IEMC
    function proposeAndActivateVersion(
        uint256[] calldata entries,
        bytes32 documentHash,
        uint48 deadline,
        address[] calldata currentParties,
        PartyRoles calldata currentRoles,
        bytes calldata signatures,
        PartyRoles calldata roles
    ) external onlyOwner returns (uint256 versionId) {
        versionId = _propose(entries, documentHash, deadline, currentParties, currentRoles);
        _activate(versionId, signatures, roles);
    }

    /// @inheritdoc IEMC
    function versionDigest(uint256 versionId) public view returns (bytes32) {
        _checkVersionExists(versionId);
        return _hashTypedDataV4(_versions[versionId].structHash);
    }

    // ---------------------------------------------------------------- internals

    function _propose(
        uint256[] calldata entries,
        bytes32 documentHash,
        uint48 deadline,
        address[] calldata currentParties,
        PartyRoles calldata currentRoles
    ) private returns (uint256 versionId) {
        _checkStatus(EmcStatus.Active);
        uint256 count = entries.length;
        if (count == 0 || count > MAX_ENTRIES) revert EmcEntryCount(count, MAX_ENTRIES);
        if (deadline <= block.timestamp) revert EmcDeadlinePassed(deadline, block.timestamp);
        uint256 restrictions = _registry.restrictions();
        EntryScan.Result memory r;
        {
            EntryScan.Terms memory terms = _scanTerms(currentParties, currentRoles, restrictions);
            r = EntryScan.scan(entries, currentParties, terms, ShareEntries.TYPEHASH);
            if (r.invalid) _revertEntry(entries, r.index, terms);
        }
        bool namesMemberUnderNotice = _terms.noticeCount != 0 && _checkNotices(r.parties);
        _checkRoles(entries, r.newMes, Roles.ME);
        _checkRoles(entries, r.newPartners, Roles.PARTNER);
        if (r.total != Accrual.BPS) revert EmcShareTotalNot100(r.total);
        _checkNobodyLeftOut(currentParties, currentRoles, r.leftOut);
        versionId = ++_terms.versionCount;
        _record(versionId, entries, documentHash, deadline, restrictions, namesMemberUnderNotice, r);
    }

    function _activate(uint256 versionId, bytes calldata signatures, PartyRoles calldata roles) private {
        _checkStatus(EmcStatus.Active);
        Version storage v = _proposedVersion(versionId);
        uint256 epoch = _epochCount;
        if (v.nonce != epoch) revert EmcVersionStale(versionId, v.nonce, epoch);
        if (block.timestamp > v.deadline) revert EmcDeadlinePassed(v.deadline, block.timestamp);
        _checkSignatures(versionId, v, signatures, roles);

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
        emit VersionActivated(versionId, epoch, fromPeriod, previousId, v.structHash, v.partyCount, v.valueAddedBps);
    }

    /// @dev Writes the header of proposal `versionId` from its scan and emits its entries.
    function _record(
        uint256 versionId,
        uint256[] calldata entries,
        bytes32 documentHash,
        uint48 deadline,
        uint256 restrictions,
        bool namesMemberUnderNotice,
        EntryScan.Result memory r
    ) private {
        uint256 parties = r.parties.length;
        uint256 entryCount = entries.length;
        uint256 nonce = _epochCount;
        bytes32 sharesRoot = ShareTree.computeRoot(r.leaves, parties);
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
            valueAddedBps: uint16(r.valueAddedBps),
            devFundBps: uint16(r.devFundBps),
            noticesAtProposal: _terms.noticeCount,
            namesMemberUnderNotice: namesMemberUnderNotice,
            restrictionsAtProposal: uint64(restrictions),
            structHash: keccak256(
                abi.encode(
                    _VERSION_TYPEHASH, versionId, _hashWords(r.entryHashes, entryCount), documentHash, nonce, deadline
                )
            ),
            sharesRoot: sharesRoot,
            partiesHash: _partiesHash(_hashWords(r.parties, parties), r.partnerMask, r.meMask)
        });
        emit VersionProposed(versionId, msg.sender, entries, documentHash, nonce, deadline, sharesRoot);
    }

    /// @dev Checks the parties given for the active version against its commitment and reads
    /// what the scan needs of it. Its members were eligible when it was proposed; if nobody
    /// anywhere was suspended or lost a role since (the registry's restriction count), they
    /// still are, and a member staying on with a kind of share it already held needs no
    /// registry read.
    function _scanTerms(address[] calldata currentParties, PartyRoles calldata currentRoles, uint256 restrictions)
        private
        view
        returns (EntryScan.Terms memory terms)
    {
        terms.partnerMinBps = _terms.partnerMinBps;
        terms.partnerMaxBps = _terms.partnerMaxBps;
        uint256 active = _activeVersionId;
        if (active == 0) {
            if (currentParties.length != 0) revert EmcCurrentPartiesMismatch(0);
            return terms;
        }
        Version storage v = _versions[active];
        bytes32 given;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let size := shl(5, currentParties.length)
            calldatacopy(m, currentParties.offset, size)
            given := keccak256(m, size)
        }
        if (_partiesHash(given, currentRoles.partnerMask, currentRoles.meMask) != v.partiesHash) {
            revert EmcCurrentPartiesMismatch(active);
        }
        if (v.restrictionsAtProposal != restrictions) return terms;
        terms.standingsUnchanged = true;
        terms.partnerMask = currentRoles.partnerMask;
        terms.meMask = currentRoles.meMask;
    }

    /// @dev Reverts with the error of the first entry, up to `index` (where the scan stopped),
    /// that breaks a rule, checked in the order the rules are documented.
    function _revertEntry(uint256[] calldata entries, uint256 index, EntryScan.Terms memory terms) private pure {
        for (uint256 i; i <= index; ++i) {
            uint256 entry = entries[i];
            if (!entry.isWellFormed()) revert EmcMalformedEntry(i, entry);
            address account = entry.account();
            ShareClass class = ShareClass(entry.classCode());
            if (i != 0 && entry.key() <= entries[i - 1].key()) {
                if (entry.key() == entries[i - 1].key()) revert EmcDuplicateEntry(account, class);
                revert EmcEntriesNotSorted(i);
            }
            if (entry.bps() == 0) revert EmcZeroShare(i);
            if (class == ShareClass.DevFund) {
                if (account != _DEV_FUND) revert EmcDevFundAccount(account);
                continue;
            }
            // The registry never registers the zero address.
            if (account == _DEV_FUND) revert EmcIneligibleMember(account, class);
            uint256 bps = entry.bps();
            if (class == ShareClass.Partner && (bps < terms.partnerMinBps || bps > terms.partnerMaxBps)) {
                revert EmcShareOutOfBounds(account, class, bps, terms.partnerMinBps, terms.partnerMaxBps);
            }
        }
        assert(false); // the scan stops only at an entry that breaks a rule
    }

    /// @dev Reverts if a party's departure took effect; returns whether one is under notice
    /// (its notice may run out before activation, which checks again).
    function _checkNotices(address[] memory parties) private view returns (bool underNotice) {
        uint256 periods = _periodCount;
        for (uint256 i; i < parties.length; ++i) {
            Departure storage departure = _departures[parties[i]];
            if (departure.noticedAt == 0) continue;
            if (periods >= departure.effectivePeriod) revert EmcMemberDeparted(parties[i], departure.effectivePeriod);
            underNotice = true;
        }
    }

    /// @dev Asks the registry, in one call, whether `accounts` are active members holding
    /// `role`; reverts naming the first that is not, and its entry's class.
    function _checkRoles(uint256[] calldata entries, address[] memory accounts, bytes32 role) private view {
        if (accounts.length == 0) return;
        uint256 index = _firstInactive(accounts, role);
        if (index == accounts.length) return;
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

    /// @dev `_registry.firstInactive(accounts, role)`, its calldata copied whole (`mcopy`):
    /// Solidity's encoder copies an address array word by word, cleaning each.
    function _firstInactive(address[] memory accounts, bytes32 role) private view returns (uint256 index) {
        address registry = address(_registry);
        bytes4 selector = IMemberRegistry.firstInactive.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let words := add(mload(accounts), 1) // the length, then the accounts
            mstore(m, selector)
            mstore(add(m, 0x04), 0x40) // where the array starts, after the role
            mstore(add(m, 0x24), role)
            mcopy(add(m, 0x44), accounts, shl(5, words))
            if iszero(staticcall(gas(), registry, m, add(0x44, shl(5, words)), 0x00, 0x20)) {
                returndatacopy(m, 0, returndatasize())
                revert(m, returndatasize())
            }
            if lt(returndatasize(), 0x20) { revert(0, 0) }
            index := mload(0x00)
        }
    }

    /// @dev Checks the packed signatures (see `Signatures.packedSigner`) of every party of
    /// `versionId`, sorted by signer. Sorted recovered signers hashing to the version's party
    /// list are exactly its parties, once each.
    function _checkSignatures(
        uint256 versionId,
        Version storage v,
        bytes calldata signatures,
        PartyRoles calldata roles
    ) private view {
        uint256 count = v.partyCount;
        uint256 end = count * Signatures.PACKED_LENGTH;
        if (signatures.length < end) {
            revert EmcSignatureCount(signatures.length / Signatures.PACKED_LENGTH, count);
        }
        bytes32 digest = versionDigest(versionId);
        address[] memory signers = new address[](count);
        uint256 i = Signatures.recoverSorted(signatures, signers, 0, digest);
        while (i < count) {
            // A contract wallet's signature, or one the fast path did not take and this names.
            (address signer, uint256 next, Signatures.PackedError problem) =
                Signatures.packedSigner(signatures, i, end, digest);
            if (problem == Signatures.PackedError.Encoding) revert EmcSignatureEncoding(i);
            if (problem == Signatures.PackedError.Invalid) revert EmcInvalidSignature(versionId, i, signer);
            if (i != 0 && signer <= signers[i - 1]) revert EmcSignersNotSorted(i);
            signers[i] = signer;
            end = next;
            i = Signatures.recoverSorted(signatures, signers, i + 1, digest);
        }
        if (signatures.length != end) revert EmcSignaturesLength(signatures.length, end);
        if (_partiesHash(_hashWords(signers, count), roles.partnerMask, roles.meMask) != v.partiesHash) {
            revert EmcSignersNotParties(versionId);
        }
        // Parties were members in good standing when proposed; only if somebody was suspended
        // or lost a role, or a party may have departed, since then is each signer's standing
        // read again, so the common case pays nothing per signer for it.
        bool recheck = _registry.restrictions() != v.restrictionsAtProposal;
        bool departures = v.namesMemberUnderNotice || v.noticesAtProposal != _terms.noticeCount;
        if (!recheck && !departures) return;
        for (i = 0; i < count; ++i) {
            address signer = signers[i];
            if (recheck && !_inGoodStanding(roles, i, signer)) revert EmcPartyNotActive(versionId, signer);
            if (departures && _departed(signer)) {
                revert EmcMemberDeparted(signer, _departures[signer].effectivePeriod);
            }
        }
    }

    /// @dev What `Version.partiesHash` commits to: the hash of the party list and their roles.
    function _partiesHash(bytes32 listHash, uint256 partnerMask, uint256 meMask) private pure returns (bytes32) {
        return keccak256(abi.encode(listHash, partnerMask, meMask));
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

    /// @dev Reverts naming the first of the active version's parties left out (`leftOut`:
    /// their indexes in `currentParties`) that may not be.
    function _checkNobodyLeftOut(
        address[] calldata currentParties,
        PartyRoles calldata currentRoles,
        uint256[] memory leftOut
    ) private view {
        for (uint256 i; i < leftOut.length; ++i) {
            address member = currentParties[leftOut[i]];
            if (!_mayLeave(currentRoles, leftOut[i], member)) {
                revert EmcMemberLeftOut(member, _departures[member].effectivePeriod);
            }
        }
    }

    /// @dev Whether `member`, party `index` of the active version (its parties' `roles`), may be left
    /// out: a member in good standing keeps its share until it signs a version that changes
    /// it, or its departure notice has run out. One that was suspended or lost the role of a
    /// class it holds may be left out at once: it keeps, and can claim, what it earned, and
    /// renegotiation never waits for the registry.
    function _mayLeave(PartyRoles calldata roles, uint256 index, address member) private view returns (bool) {
        return _departed(member) || !_inGoodStanding(roles, index, member);
    }

    function _proposedVersion(uint256 versionId) private view returns (Version storage v) {
        _checkVersionExists(versionId);
        v = _versions[versionId];
        if (v.status != VersionStatus.Proposed) revert EmcVersionNotProposed(versionId, v.status);
    }
}
