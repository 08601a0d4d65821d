// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {PartyRoles, ShareClass, ShareEntry, Version, VersionStatus} from "../../../contracts/types/Shares.sol";
import {Entries} from "../utils/Entries.sol";
import {ShareTrees} from "../utils/ShareTrees.sol";
import {Vm} from "../utils/Vm.sol";
import {EMCHandlerSplits} from "./EMCHandlerSplits.sol";

/// @notice The handler's share-version proposals: random valid splits (and a few that break
/// one rule), each with its predicted outcome. The EMC keeps no entries, only their
/// commitments: the handler keeps every proposal's entries (in the typed-data form the parties
/// sign; proposals pass them packed one word each, `Entries.pack`) and the parties and share
/// tree built from them (`ShareTrees`). The random splits are in `EMCHandlerSplits`, trees and
/// proofs in `EMCHandlerProofs`, signatures and activation in `EMCHandlerVersions`.
/// @dev The rules restated here (`_proposalError`): a proposal gives the active version's
/// parties and their roles exactly (`EmcCurrentPartiesMismatch`); one pass over well-formed, strictly
/// increasing words (`EmcMalformedEntry`, `EmcEntriesNotSorted`, `EmcDuplicateEntry`) refuses a
/// member whose notice ran out; then the registry is asked, once for the MEs and once for the
/// partners, whether each is in good standing (`EmcIneligibleMember`, the first in entry
/// order); last, the proposal must name every member of the active version that is in good
/// standing and whose notice has not run out; the others (suspended, role lost, departed) may
/// be left out at once.
abstract contract EMCHandlerProposals is EMCHandlerSplits {
    struct Proposal {
        uint256 nonce;
        uint256 deadline;
        uint256 restrictions;
        address[] parties;
        PartyRoles roles; // which parties hold which kinds of share (`ShareTrees.roles`)
        ShareEntry[] entries;
        bytes32 structHash; // of its ShareVersion typed data, built here
        bytes32 sharesRoot; // built here from the entries (`ShareTrees`)
        bytes32 partiesHash;
    }

    /// @dev The document hash of every proposal the handler makes.
    bytes32 internal constant DOCUMENT = bytes32("doc");

    mapping(uint256 versionId => Proposal) internal _proposals;
    mapping(uint256 versionId => VersionStatus) public ghostVersionStatus;
    uint256 public ghostVersionCount;

    // ================================================================== proposals

    /// @dev The owner proposes a random split: valid most of the time, else (one in sixteen
    /// each) one that leaves out a member it must keep or names one it may not (refused,
    /// unless the member drawn turns out to be allowed), a wrong list of the active version's
    /// parties (`EmcCurrentPartiesMismatch`), a malformed word, two words swapped or one word
    /// repeated. Returns the new version's id, 0 if refused.
    function _propose(uint256 seed) internal returns (uint256 versionId) {
        uint256 mode = uint256(keccak256(abi.encode(seed, "propose"))) % 16;
        address leaveOut = address(1); // no member has this address
        address name = address(1);
        if (mode == 0) leaveOut = _firstMember(seed >> 8, _mustKeep);
        else if (mode == 1) name = _firstMember(seed >> 8, _ineligible);
        ShareEntry[] memory entries = _randomEntries(seed, leaveOut, name);
        uint256 deadline = _now + bound(seed >> 32, 1 hours, 20 days);
        address[] memory current = _currentParties();
        PartyRoles memory roles = _currentRoles();
        if (mode == 2) {
            // A wrong list, or the right one with a role bit flipped (roles count only once a
            // version is active).
            if ((seed >> 72) % 2 == 0) current = _wrongParties(current, seed >> 64);
            else if ((seed >> 73) % 2 == 0) roles.partnerMask ^= uint256(1) << ((seed >> 80) % 16);
            else roles.meMask ^= uint256(1) << ((seed >> 80) % 16);
        }
        uint256[] memory words = Entries.pack(entries);
        bytes memory spoilt = (mode >= 3 && mode <= 5) ? _spoilWords(words, mode, seed >> 96) : bytes("");
        bytes memory expected = _proposalError(entries, current, roles, spoilt);
        if (expected.length != 0) {
            (bool ok, bytes memory ret) = _call(
                owner, abi.encodeCall(IEMC.proposeVersion, (words, DOCUMENT, uint48(deadline), current, roles))
            );
            _check(ok, ret, expected, "proposeVersion");
            return 0;
        }
        versionId = _proposeEntries(entries, deadline);
    }

    /// @dev Spoils the (valid) `words` as `mode` says and returns the error the pass over the
    /// words must stop at: 3 a malformed word (a reserved bit, or a class above the fund's), 4
    /// two neighbours swapped, 5 a word repeated in its successor's place. Nothing if there are
    /// too few words to swap or repeat.
    function _spoilWords(uint256[] memory words, uint256 mode, uint256 seed) internal pure returns (bytes memory) {
        uint256 n = words.length;
        if (mode == 3) {
            uint256 i = seed % n;
            if ((seed >> 8) % 2 == 0) words[i] |= uint256(1) << (24 + (seed >> 16) % 72);
            else words[i] = (words[i] & ~(uint256(0xff) << 16)) | (4 + (seed >> 16) % 252) << 16;
            return abi.encodeWithSelector(IEMCErrors.EmcMalformedEntry.selector, i, words[i]);
        }
        if (n < 2) return "";
        uint256 j = 1 + seed % (n - 1);
        if (mode == 4) {
            (words[j - 1], words[j]) = (words[j], words[j - 1]);
            return abi.encodeWithSelector(IEMCErrors.EmcEntriesNotSorted.selector, j);
        }
        words[j] = words[j - 1];
        return abi.encodeWithSelector(
            IEMCErrors.EmcDuplicateEntry.selector, address(uint160(words[j] >> 96)), uint8(words[j] >> 16)
        );
    }

    /// @dev The active version's parties, sorted (none before the first activation).
    function _currentParties() internal view returns (address[] memory) {
        return _proposals[ghostActiveVersion].parties;
    }

    /// @dev The active version's parties' roles (zeros before the first activation).
    function _currentRoles() internal view returns (PartyRoles memory) {
        return _proposals[ghostActiveVersion].roles;
    }

    /// @dev A list that is not `current`: one party short, one repeated, or reversed; a member
    /// before the first activation.
    function _wrongParties(address[] memory current, uint256 seed) internal view returns (address[] memory wrong) {
        uint256 n = current.length;
        uint256 kind = seed % 3;
        if (n == 0) {
            wrong = new address[](1);
            wrong[0] = _member(seed >> 2);
        } else if (kind == 0) {
            wrong = new address[](n - 1);
            uint256 skip = (seed >> 2) % n;
            for (uint256 i; i + 1 < n; ++i) {
                wrong[i] = current[i < skip ? i : i + 1];
            }
        } else if (kind == 1 || n == 1) {
            wrong = new address[](n + 1);
            for (uint256 i; i < n; ++i) {
                wrong[i] = current[i];
            }
            wrong[n] = current[n - 1];
        } else {
            wrong = new address[](n);
            for (uint256 i; i < n; ++i) {
                wrong[i] = current[n - 1 - i];
            }
        }
    }

    /// @dev What `proposeVersion` refuses `entries` with, in the order it checks: the caller,
    /// the status, the active version's parties given, then one pass over the words (`spoilt`:
    /// where the pass stops on a spoilt word, the entries being valid otherwise; each account
    /// named must not have departed), the registry's standing of the MEs and then of the
    /// partners named, and last the first party of the active version left out that was not
    /// free to go (`EmcMemberLeftOut`).
    function _proposalError(
        ShareEntry[] memory entries,
        address[] memory current,
        PartyRoles memory roles,
        bytes memory spoilt
    ) internal view returns (bytes memory) {
        if (!registry.isActive(owner, Roles.ME)) return _err(IEMCErrors.EmcCallerNotActive.selector, owner);
        if (ghostDissolved) return _activeError();
        address[] memory kept = _currentParties();
        PartyRoles memory keptRoles = _currentRoles();
        bool rolesDiffer = roles.partnerMask != keptRoles.partnerMask || roles.meMask != keptRoles.meMask;
        if (
            keccak256(abi.encodePacked(current)) != keccak256(abi.encodePacked(kept))
                || (ghostActiveVersion != 0 && rolesDiffer)
        ) {
            return abi.encodeWithSelector(IEMCErrors.EmcCurrentPartiesMismatch.selector, ghostActiveVersion);
        }
        if (spoilt.length != 0) return spoilt;
        uint256 next;
        address leftOut; // reported after every entry's own checks (and the total)
        for (uint256 i; i < entries.length; ++i) {
            address a = entries[i].account;
            if (a == DEV_FUND) continue;
            if (i == 0 || entries[i - 1].account != a) {
                while (next < kept.length && kept[next] < a) {
                    if (leftOut == address(0) && _mustKeep(kept[next])) leftOut = kept[next];
                    ++next;
                }
                if (next < kept.length && kept[next] == a) ++next;
            }
            if (ghostDeparted(a)) {
                return abi.encodeWithSelector(IEMCErrors.EmcMemberDeparted.selector, a, ghostNoticeEffective[a]);
            }
        }
        bytes memory ineligible = _firstIneligible(entries, false);
        if (ineligible.length == 0) ineligible = _firstIneligible(entries, true);
        if (ineligible.length != 0) return ineligible;
        for (; next < kept.length && leftOut == address(0); ++next) {
            if (_mustKeep(kept[next])) leftOut = kept[next];
        }
        return leftOut == address(0) ? bytes("") : _leftOut(leftOut);
    }

    /// @dev `EmcIneligibleMember` for the first entry, of the partners' or the MEs' classes,
    /// whose account is not active in the role its class needs; nothing if there is none.
    function _firstIneligible(ShareEntry[] memory entries, bool partners) private view returns (bytes memory) {
        bytes32 role = partners ? Roles.PARTNER : Roles.ME;
        for (uint256 i; i < entries.length; ++i) {
            ShareEntry memory e = entries[i];
            if (e.class == ShareClass.DevFund || (e.class == ShareClass.Partner) != partners) continue;
            if (!registry.isActive(e.account, role)) {
                return abi.encodeWithSelector(IEMCErrors.EmcIneligibleMember.selector, e.account, e.class);
            }
        }
        return "";
    }

    function _leftOut(address m) private view returns (bytes memory) {
        return abi.encodeWithSelector(IEMCErrors.EmcMemberLeftOut.selector, m, ghostNoticeEffective[m]);
    }

    function _proposeEntries(ShareEntry[] memory entries, uint256 deadline) internal returns (uint256 versionId) {
        vm.recordLogs();
        uint256[] memory words = Entries.pack(entries);
        (bool ok, bytes memory ret) = _call(
            owner,
            abi.encodeCall(IEMC.proposeVersion, (words, DOCUMENT, uint48(deadline), _currentParties(), _currentRoles()))
        );
        _check(ok, ret, "", "proposeVersion");
        versionId = abi.decode(ret, (uint256));
        assertEq(versionId, ++ghostVersionCount, "proposeVersion: id");
        Proposal storage p = _proposals[versionId];
        p.nonce = ghostActivations;
        p.deadline = deadline;
        p.restrictions = registry.restrictions();
        for (uint256 i; i < entries.length; ++i) {
            p.entries.push(entries[i]);
        }
        ShareTrees.Tree memory tree = ShareTrees.build(entries);
        address[] memory parties = ShareTrees.parties(tree);
        for (uint256 i; i < parties.length; ++i) {
            p.parties.push(parties[i]);
        }
        p.roles = ShareTrees.roles(tree);
        p.structHash = _versionStructHash(versionId, Entries.hash(entries), DOCUMENT, p.nonce, deadline);
        p.sharesRoot = tree.root;
        p.partiesHash = ShareTrees.partiesHash(tree);
        ghostVersionStatus[versionId] = VersionStatus.Proposed;
        _checkProposed(versionId, entries, words, p);
        assertTrue(
            emc.versionDigest(versionId) == _versionDigest(versionId, entries, DOCUMENT, p.nonce, deadline),
            "versionDigest: not the documented ShareVersion typed data"
        );
        _stat("proposeVersion: proposed");
    }

    /// @dev The header the EMC keeps of the proposal commits to the entries proposed (the
    /// EIP-712 struct hash of the version, the share tree's root and the party list and roles
    /// built here from them), and the
    /// `VersionProposed` event (where the entries now live) carries the words proposed and the
    /// root; the words it carries decode to the entries.
    function _checkProposed(uint256 versionId, ShareEntry[] memory entries, uint256[] memory words, Proposal storage p)
        internal
    {
        Version memory v = module.version(versionId);
        uint256 valueAdded;
        uint256 devFund;
        bool underNotice;
        for (uint256 i; i < entries.length; ++i) {
            if (entries[i].class == ShareClass.ValueAdded) valueAdded += entries[i].bps;
            if (entries[i].class == ShareClass.DevFund) devFund += entries[i].bps;
            if (ghostNoticed[entries[i].account]) underNotice = true;
        }
        assertEq(uint256(v.status), uint256(VersionStatus.Proposed), "proposeVersion: status");
        assertEq(v.epoch, 0, "proposeVersion: epoch");
        assertEq(v.fromPeriod, 0, "proposeVersion: from period");
        assertEq(v.entryCount, entries.length, "proposeVersion: entry count");
        assertEq(v.partyCount, p.parties.length, "proposeVersion: party count");
        assertEq(v.nonce, p.nonce, "proposeVersion: nonce");
        assertEq(v.proposedAt, _now, "proposeVersion: proposed at");
        assertEq(v.activatedAt, 0, "proposeVersion: activated at");
        assertEq(v.deadline, p.deadline, "proposeVersion: deadline");
        assertEq(v.proposedBlock, block.number, "proposeVersion: proposed block");
        assertEq(v.valueAddedBps, valueAdded, "proposeVersion: value-added bps");
        assertEq(v.devFundBps, devFund, "proposeVersion: fund bps");
        assertEq(v.noticesAtProposal, ghostNoticeCount, "proposeVersion: notices at proposal");
        assertEq(v.namesMemberUnderNotice, underNotice, "proposeVersion: names a member under notice");
        assertEq(v.restrictionsAtProposal, p.restrictions, "proposeVersion: restrictions at proposal");
        assertTrue(v.structHash == p.structHash, "proposeVersion: struct hash != the ShareVersion built here");
        assertTrue(v.sharesRoot == p.sharesRoot, "proposeVersion: shares root != the tree built from the entries");
        assertTrue(v.partiesHash == p.partiesHash, "proposeVersion: parties hash != the parties of the entries");
        _checkProposedEvent(versionId, entries, words, p);
    }

    function _checkProposedEvent(
        uint256 versionId,
        ShareEntry[] memory entries,
        uint256[] memory words,
        Proposal storage p
    ) private {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = IEMC.VersionProposed.selector;
        bool seen;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(emc) || logs[i].topics[0] != topic) continue;
            assertTrue(!seen, "VersionProposed: emitted twice");
            seen = true;
            assertEq(uint256(logs[i].topics[1]), versionId, "VersionProposed: id");
            assertEq(address(uint160(uint256(logs[i].topics[2]))), owner, "VersionProposed: proposer");
            (uint256[] memory emitted, bytes32 doc, uint256 nonce, uint256 deadline, bytes32 root) =
                abi.decode(logs[i].data, (uint256[], bytes32, uint256, uint256, bytes32));
            assertTrue(keccak256(abi.encode(emitted)) == keccak256(abi.encode(words)), "VersionProposed: entries");
            assertTrue(
                keccak256(abi.encode(Entries.unpack(emitted))) == keccak256(abi.encode(entries)),
                "VersionProposed: entries do not decode to those proposed"
            );
            assertTrue(doc == DOCUMENT, "VersionProposed: document hash");
            assertEq(nonce, p.nonce, "VersionProposed: nonce");
            assertEq(deadline, p.deadline, "VersionProposed: deadline");
            assertTrue(root == p.sharesRoot, "VersionProposed: shares root");
            assertTrue(ShareTrees.build(emitted).root == root, "VersionProposed: root != the tree of its words");
        }
        assertTrue(seen, "VersionProposed: not emitted");
    }
}
