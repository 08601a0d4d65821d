// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {
    PartySignature,
    ShareClass,
    ShareEntry,
    SharePath,
    ShareProof,
    Version,
    VersionStatus
} from "../../../contracts/types/Shares.sol";
import {ShareTrees} from "../utils/ShareTrees.sol";
import {Vm} from "../utils/Vm.sol";
import {EMCHandlerBase} from "./EMCHandlerBase.sol";

/// @notice The handler's share versions: random valid splits (and a few that break one rule),
/// every party's signature, activation, each with its predicted outcome. The EMC keeps no
/// entries, only their commitments: the handler keeps every proposal's entries, builds its
/// share tree (`ShareTrees`) and from it the proofs claims and `accountOf` show, the paths an
/// investment or a notice shows, and the active version's parties a proposal names.
/// @dev The rules restated here (`_proposalError`, `_activationError`): a proposal gives the
/// active version's parties exactly (`EmcCurrentPartiesMismatch`), names only
/// members in good standing (active, with the role of each class) whose notice has not run
/// out, and must name every member of the active version that is in good standing and whose
/// notice has not run out; the others (suspended, role lost, departed) may be left out at once.
/// Activation re-checks each party's standing only if the registry's `restrictions()` moved
/// since the proposal (`EmcPartyNotActive`), and refuses a party whose notice ran out since;
/// its signers, sorted, must be exactly the parties (`EmcSignersNotSorted`,
/// `EmcSignersNotParties`).
abstract contract EMCHandlerVersions is EMCHandlerBase {
    struct Proposal {
        uint256 nonce;
        uint256 deadline;
        uint256 restrictions;
        address[] parties;
        ShareEntry[] entries;
        bytes32 sharesRoot; // built here from the entries (`ShareTrees`)
        bytes32 partiesHash;
    }

    /// @dev The document hash of every proposal the handler makes.
    bytes32 internal constant DOCUMENT = bytes32("doc");

    mapping(uint256 versionId => Proposal) internal _proposals;
    mapping(uint256 versionId => VersionStatus) public ghostVersionStatus;
    uint256 public ghostVersionCount;
    /// @notice The version each activation epoch opened with, as the handler activated them.
    uint256[] internal _epochVersions;
    /// @notice The first epoch each account has not been brought up to date with (claims
    /// write an account's position; the fund needs no proofs).
    mapping(address account => uint256) public ghostSyncedTo;

    // ================================================================== proposals

    /// @dev The owner proposes a random split: valid seven times in eight, else one that leaves
    /// out a member it must keep or names one it may not (refused, unless the member drawn
    /// turns out to be allowed), or one in sixteen with a wrong list of the active version's
    /// parties (`EmcCurrentPartiesMismatch`). Returns the new version's id, 0 if refused.
    function _propose(uint256 seed) internal returns (uint256 versionId) {
        uint256 mode = uint256(keccak256(abi.encode(seed, "propose"))) % 16;
        address leaveOut = address(1); // no member has this address
        address name = address(1);
        if (mode == 0) leaveOut = _firstMember(seed >> 8, _mustKeep);
        else if (mode == 1) name = _firstMember(seed >> 8, _ineligible);
        ShareEntry[] memory entries = _randomEntries(seed, leaveOut, name);
        uint256 deadline = _now + bound(seed >> 32, 1 hours, 20 days);
        address[] memory current = _currentParties();
        if (mode == 2) current = _wrongParties(current, seed >> 64);
        bytes memory expected = _proposalError(entries, current);
        if (expected.length != 0) {
            (bool ok, bytes memory ret) =
                _call(owner, abi.encodeCall(IEMC.proposeVersion, (entries, DOCUMENT, uint48(deadline), current)));
            _check(ok, ret, expected, "proposeVersion");
            return 0;
        }
        versionId = _proposeEntries(entries, deadline);
    }

    /// @dev The active version's parties, sorted (none before the first activation).
    function _currentParties() internal view returns (address[] memory) {
        return _proposals[ghostActiveVersion].parties;
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
    /// the status, the active version's parties given, then one pass over the entries in
    /// address order (each account named must not have departed and must be in good
    /// standing), and last the first party of the active version left out that was not free
    /// to go (`EmcMemberLeftOut`).
    function _proposalError(ShareEntry[] memory entries, address[] memory current)
        internal
        view
        returns (bytes memory)
    {
        if (!registry.isActive(owner, Roles.ME)) return _err(IEMCErrors.EmcCallerNotActive.selector, owner);
        if (ghostDissolved) return _activeError();
        address[] memory kept = _currentParties();
        if (keccak256(abi.encodePacked(current)) != keccak256(abi.encodePacked(kept))) {
            return abi.encodeWithSelector(IEMCErrors.EmcCurrentPartiesMismatch.selector, ghostActiveVersion);
        }
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
            if (!_inGoodStanding(a)) {
                return abi.encodeWithSelector(IEMCErrors.EmcIneligibleMember.selector, a, entries[i].class);
            }
        }
        for (; next < kept.length && leftOut == address(0); ++next) {
            if (_mustKeep(kept[next])) leftOut = kept[next];
        }
        return leftOut == address(0) ? bytes("") : _leftOut(leftOut);
    }

    function _leftOut(address m) private view returns (bytes memory) {
        return abi.encodeWithSelector(IEMCErrors.EmcMemberLeftOut.selector, m, ghostNoticeEffective[m]);
    }

    function _proposeEntries(ShareEntry[] memory entries, uint256 deadline) internal returns (uint256 versionId) {
        vm.recordLogs();
        (bool ok, bytes memory ret) = _call(
            owner, abi.encodeCall(IEMC.proposeVersion, (entries, DOCUMENT, uint48(deadline), _currentParties()))
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
        p.sharesRoot = tree.root;
        p.partiesHash = ShareTrees.partiesHash(tree);
        ghostVersionStatus[versionId] = VersionStatus.Proposed;
        _checkProposed(versionId, entries, p);
        assertTrue(
            emc.versionDigest(versionId) == _versionDigest(versionId, entries, DOCUMENT, p.nonce, deadline),
            "versionDigest: not the documented ShareVersion typed data"
        );
        _stat("proposeVersion: proposed");
    }

    /// @dev The header the EMC keeps of the proposal commits to the entries proposed (their
    /// EIP-712 hash, the share tree's root and the party list built here from them), and the
    /// `VersionProposed` event (where the entries now live) carries them and the root.
    function _checkProposed(uint256 versionId, ShareEntry[] memory entries, Proposal storage p) internal {
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
        assertTrue(v.documentHash == DOCUMENT, "proposeVersion: document hash");
        assertTrue(v.entriesHash == _entriesHash(entries), "proposeVersion: entries hash");
        assertTrue(v.sharesRoot == p.sharesRoot, "proposeVersion: shares root != the tree built from the entries");
        assertTrue(v.partiesHash == p.partiesHash, "proposeVersion: parties hash != the parties of the entries");

        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = IEMC.VersionProposed.selector;
        bool seen;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(emc) || logs[i].topics[0] != topic) continue;
            assertTrue(!seen, "VersionProposed: emitted twice");
            seen = true;
            assertEq(uint256(logs[i].topics[1]), versionId, "VersionProposed: id");
            assertEq(address(uint160(uint256(logs[i].topics[2]))), owner, "VersionProposed: proposer");
            (ShareEntry[] memory emitted, bytes32 doc, uint256 nonce, uint256 deadline, bytes32 root) =
                abi.decode(logs[i].data, (ShareEntry[], bytes32, uint256, uint256, bytes32));
            assertTrue(keccak256(abi.encode(emitted)) == keccak256(abi.encode(entries)), "VersionProposed: entries");
            assertTrue(doc == DOCUMENT, "VersionProposed: document hash");
            assertEq(nonce, p.nonce, "VersionProposed: nonce");
            assertEq(deadline, p.deadline, "VersionProposed: deadline");
            assertTrue(root == p.sharesRoot, "VersionProposed: shares root");
        }
        assertTrue(seen, "VersionProposed: not emitted");
    }

    // ================================================================== trees and proofs

    /// @notice The tree of version `versionId`, built from the entries the handler proposed.
    function _tree(uint256 versionId) internal view returns (ShareTrees.Tree memory) {
        return ShareTrees.build(_proposals[versionId].entries);
    }

    /// @notice The epochs `[from, to)` in which `account` must show its share, as the handler's
    /// claims leave them.
    function ghostUnsynced(address account) public view returns (uint256 from, uint256 to) {
        if (account == DEV_FUND) return (0, 0);
        return (ghostSyncedTo[account], _epochVersions.length);
    }

    /// @notice `account`'s share proofs for `claim` and `accountOf`: one per unsynced epoch,
    /// from each epoch's version's tree.
    function proofsFor(address account) public view returns (ShareProof[] memory proofs) {
        (uint256 from, uint256 to) = ghostUnsynced(account);
        proofs = new ShareProof[](to - from);
        for (uint256 e = from; e < to; ++e) {
            proofs[e - from] = ShareTrees.proof(_tree(_epochVersions[e]), account);
        }
    }

    /// @notice `proofsFor` of each of `accounts`, each epoch's tree built once: account `i`'s
    /// proofs are `counts[i]` of `proofs`, after those of the accounts before it.
    function proofsForAll(address[] calldata accounts)
        external
        view
        returns (ShareProof[] memory proofs, uint256[] memory counts)
    {
        uint256 epochs = _epochVersions.length;
        counts = new uint256[](accounts.length);
        uint256[] memory from = new uint256[](accounts.length);
        uint256[] memory offset = new uint256[](accounts.length);
        uint256 total;
        uint256 first = epochs;
        for (uint256 i; i < accounts.length; ++i) {
            (uint256 f, uint256 to) = ghostUnsynced(accounts[i]);
            from[i] = f;
            counts[i] = to - f;
            offset[i] = total;
            total += to - f;
            if (to > f && f < first) first = f;
        }
        proofs = new ShareProof[](total);
        for (uint256 e = first; e < epochs; ++e) {
            ShareTrees.Tree memory tree = _tree(_epochVersions[e]);
            for (uint256 i; i < accounts.length; ++i) {
                if (e >= from[i] && e - from[i] < counts[i]) {
                    proofs[offset[i] + e - from[i]] = ShareTrees.proof(tree, accounts[i]);
                }
            }
        }
    }

    /// @notice `account`'s path in the active version (the empty path if it holds no share).
    function activePath(address account) public view returns (SharePath memory) {
        return ShareTrees.partyPath(_tree(ghostActiveVersion), account);
    }

    /// @dev What `_checkParty` refuses `path` for `account` with: `EmcNotAMember` unless the
    /// path names the account in an active version, `EmcInvalidShareProof` unless it is the
    /// account's leaf in the active version's tree.
    function _pathError(address account, SharePath memory path) internal view returns (bytes memory) {
        uint256 active = ghostActiveVersion;
        if (active == 0 || path.account != account) return _err(IEMCErrors.EmcNotAMember.selector, account);
        Proposal storage p = _proposals[active];
        if (!ShareTrees.verify(p.sharesRoot, p.parties.length, path)) {
            return abi.encodeWithSelector(IEMCErrors.EmcInvalidShareProof.selector, account, ghostActivations - 1);
        }
        return "";
    }

    /// @dev A path that is not `account`'s leaf: another basis point, another index, a sibling
    /// changed, another party's path (`EmcNotAMember` then), or for a non-party a forged leaf.
    function _tamperPath(address account, SharePath memory path, uint256 seed)
        internal
        view
        returns (SharePath memory t)
    {
        t = ShareTrees.copy(path);
        uint256 kind = seed % 4;
        if (kind == 3 && _proposals[ghostActiveVersion].parties.length > 1) {
            ShareTrees.Tree memory tree = _tree(ghostActiveVersion);
            (bool found, uint256 index) = ShareTrees.find(tree, account);
            uint256 other = (seed >> 2) % tree.leaves.length;
            if (found && other == index) other = (other + 1) % tree.leaves.length;
            return ShareTrees.path(tree, other);
        }
        t.account = account;
        if (kind == 1) t.index = t.index ^ (1 + (seed >> 2) % 3);
        else if (kind == 2 && t.siblings.length != 0) t.siblings[(seed >> 2) % t.siblings.length] ^= bytes32(uint256(1));
        else if ((seed >> 4) % 3 == 0) ++t.partnerBps;
        else if ((seed >> 4) % 3 == 1) ++t.operatingBps;
        else ++t.valueAddedBps;
    }

    /// @notice The ghost's entries, parties, root and party-list hash of version `versionId`.
    function versionEntries(uint256 versionId) external view returns (ShareEntry[] memory) {
        return _proposals[versionId].entries;
    }

    function versionParties(uint256 versionId) external view returns (address[] memory) {
        return _proposals[versionId].parties;
    }

    function ghostSharesRoot(uint256 versionId) external view returns (bytes32) {
        return _proposals[versionId].sharesRoot;
    }

    function ghostPartiesHash(uint256 versionId) external view returns (bytes32) {
        return _proposals[versionId].partiesHash;
    }

    function ghostEpochVersion(uint256 epoch) external view returns (uint256) {
        return _epochVersions[epoch];
    }

    /// @notice Every version's root, party-list hash and status as the handler has them (index
    /// `id - 1`), and every epoch's version: one read for the invariants.
    function versionCommitments()
        external
        view
        returns (bytes32[] memory roots, bytes32[] memory partiesHashes, uint256[] memory statuses, uint256[] memory epochs)
    {
        uint256 count = ghostVersionCount;
        roots = new bytes32[](count);
        partiesHashes = new bytes32[](count);
        statuses = new uint256[](count);
        for (uint256 id = 1; id <= count; ++id) {
            roots[id - 1] = _proposals[id].sharesRoot;
            partiesHashes[id - 1] = _proposals[id].partiesHash;
            statuses[id - 1] = uint256(ghostVersionStatus[id]);
        }
        epochs = _epochVersions;
    }

    // ================================================================== activation

    /// @dev Collects every party's signature and submits them, predicting the outcome.
    /// `tamper` 1 leaves the last signature out (`EmcSignatureCount`), 2 has one party sign
    /// with another's key (`EmcInvalidSignature`, unless an earlier check refuses first), 3 has
    /// a non-party sign in a party's place (`EmcSignersNotParties`), 4 swaps two signatures
    /// (`EmcSignersNotSorted`).
    function _activate(uint256 versionId, uint256 tamper) internal {
        Proposal storage p = _proposals[versionId];
        uint256 n = p.parties.length;
        if (n == 0 || (tamper == 4 && n < 2)) tamper = 0;
        uint256 pick = n == 0 ? 0 : uint256(keccak256(abi.encode(versionId, _now))) % n;
        uint256 forged = tamper == 2 ? pick : type(uint256).max;
        PartySignature[] memory signatures = _sign(versionId);
        bytes memory expected = _activationError(versionId, tamper == 1, forged);
        if (tamper == 1) {
            assembly ("memory-safe") {
                mstore(signatures, sub(n, 1))
            }
        } else if (tamper == 2) {
            bytes32 digest = _versionDigest(versionId, p.entries, DOCUMENT, p.nonce, p.deadline);
            (uint8 v, bytes32 r, bytes32 sig) = vm.sign(_keyOf[p.parties[forged]] + 1, digest);
            signatures[forged].signature = abi.encodePacked(r, sig, v);
        } else if (tamper == 3) {
            _replaceSigner(versionId, signatures, pick);
            if (_signatureChecksReached(versionId)) {
                expected = abi.encodeWithSelector(IEMCErrors.EmcSignersNotParties.selector, versionId);
            }
        } else if (tamper == 4) {
            uint256 i = 1 + pick % (n - 1);
            (signatures[i - 1], signatures[i]) = (signatures[i], signatures[i - 1]);
            if (_signatureChecksReached(versionId)) {
                expected = abi.encodeWithSelector(IEMCErrors.EmcSignersNotSorted.selector, i);
            }
        }
        (bool ok, bytes memory ret) =
            _call(address(this), abi.encodeCall(IEMC.activateVersion, (versionId, signatures)));
        _check(ok, ret, expected, "activateVersion");
        if (!ok) return;
        uint256 previous = ghostActiveVersion;
        if (previous != 0) ghostVersionStatus[previous] = VersionStatus.Superseded;
        ghostVersionStatus[versionId] = VersionStatus.Active;
        _recordActivation(versionId, p.entries);
        _epochVersions.push(versionId);
        assertEq(module.epochVersion(_epochVersions.length - 1), versionId, "epochVersion: not the version activated");
        Version memory header = module.version(versionId);
        assertEq(header.epoch, _epochVersions.length - 1, "activateVersion: epoch");
        assertEq(header.fromPeriod, ghostPeriods + 1, "activateVersion: from period");
        assertEq(header.activatedAt, _now, "activateVersion: activated at");
        _stat("activateVersion: activated");
    }

    /// @dev Party `index`'s signature replaced by a non-party's (a member the version does not
    /// name, or a wallet no one registered), the list sorted again: as many signatures as
    /// parties, sorted, but not the parties.
    function _replaceSigner(uint256 versionId, PartySignature[] memory signatures, uint256 index) internal view {
        Proposal storage p = _proposals[versionId];
        address stranger = address(uint160(uint256(keccak256(abi.encode("stranger", versionId, _now)))));
        for (uint256 i; i < _members.length; ++i) {
            address m = _members[(index + i) % _members.length];
            if (!_inList(p.parties, m)) {
                stranger = m;
                break;
            }
        }
        bytes32 digest = _versionDigest(versionId, p.entries, DOCUMENT, p.nonce, p.deadline);
        uint256 key = _keyOf[stranger] != 0 ? _keyOf[stranger] : 1;
        (uint8 v, bytes32 r, bytes32 sig) = vm.sign(key, digest);
        signatures[index] = PartySignature(stranger, abi.encodePacked(r, sig, v));
        for (uint256 i = 1; i < signatures.length; ++i) {
            PartySignature memory current = signatures[i];
            uint256 j = i;
            while (j > 0 && signatures[j - 1].signer > current.signer) {
                signatures[j] = signatures[j - 1];
                --j;
            }
            signatures[j] = current;
        }
    }

    function _inList(address[] storage list, address account) private view returns (bool) {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == account) return true;
        }
        return false;
    }

    /// @dev Whether activation would reach the signatures: an error before them wins.
    function _signatureChecksReached(uint256 versionId) private view returns (bool) {
        Proposal storage p = _proposals[versionId];
        return !ghostDissolved && ghostVersionStatus[versionId] == VersionStatus.Proposed
            && p.nonce == ghostActivations && _now <= p.deadline;
    }

    /// @dev What `activateVersion` refuses version `versionId` with, in the order it checks:
    /// status, the proposal, its nonce and deadline, the number of signatures, then each
    /// signer's standing (only if the registry's restrictions moved since the proposal), its
    /// notice and its signature (`forged`: the index of the one signed with a wrong key).
    function _activationError(uint256 versionId, bool oneMissing, uint256 forged) internal view returns (bytes memory) {
        Proposal storage p = _proposals[versionId];
        VersionStatus vs = ghostVersionStatus[versionId];
        if (ghostDissolved) return _activeError();
        if (vs != VersionStatus.Proposed) {
            return abi.encodeWithSelector(IEMCErrors.EmcVersionNotProposed.selector, versionId, vs);
        }
        if (p.nonce != ghostActivations) {
            return abi.encodeWithSelector(IEMCErrors.EmcVersionStale.selector, versionId, p.nonce, ghostActivations);
        }
        if (_now > p.deadline) return abi.encodeWithSelector(IEMCErrors.EmcDeadlinePassed.selector, p.deadline, _now);
        uint256 n = p.parties.length;
        if (oneMissing) return abi.encodeWithSelector(IEMCErrors.EmcSignatureCount.selector, n - 1, n);
        bool recheck = registry.restrictions() != p.restrictions;
        for (uint256 i; i < n; ++i) {
            address a = p.parties[i];
            if (recheck && !_inGoodStanding(a)) {
                return abi.encodeWithSelector(IEMCErrors.EmcPartyNotActive.selector, versionId, a);
            }
            if (ghostDeparted(a)) {
                return abi.encodeWithSelector(IEMCErrors.EmcMemberDeparted.selector, a, ghostNoticeEffective[a]);
            }
            if (i == forged) return abi.encodeWithSelector(IEMCErrors.EmcInvalidSignature.selector, versionId, a);
        }
        return "";
    }

    /// @dev Every party, ascending, signs the version's EIP-712 digest (built from the
    /// documented typed data, see `_versionDigest`) with its own key.
    function _sign(uint256 versionId) internal view returns (PartySignature[] memory s) {
        Proposal storage p = _proposals[versionId];
        bytes32 digest = _versionDigest(versionId, p.entries, DOCUMENT, p.nonce, p.deadline);
        s = new PartySignature[](p.parties.length);
        for (uint256 i; i < p.parties.length; ++i) {
            (uint8 v, bytes32 r, bytes32 sig) = vm.sign(_keyOf[p.parties[i]], digest);
            s[i] = PartySignature(p.parties[i], abi.encodePacked(r, sig, v));
        }
    }

    /// @dev Whether the latest proposal can still be activated as far as time and nonce go.
    function _live(uint256 versionId) internal view returns (bool) {
        Proposal storage p = _proposals[versionId];
        return
            ghostVersionStatus[versionId] == VersionStatus.Proposed && p.nonce == ghostActivations && _now <= p.deadline;
    }

    // ================================================================== splits

    /// @dev A member of the active version in good standing whose notice has not run out: no
    /// version may leave it out.
    function _mustKeep(address account) internal view returns (bool) {
        return ghostHolds(account) && !ghostDeparted(account) && _inGoodStanding(account);
    }

    /// @dev Whether `account` may be named in a new version.
    function _eligible(address account) internal view returns (bool) {
        return !ghostDeparted(account) && _inGoodStanding(account);
    }

    function _ineligible(address account) internal view returns (bool) {
        return !_eligible(account);
    }

    /// @dev A random split summing to 10,000 bps, sorted (fund first, then by account and
    /// class): every member that must be kept, other eligible members two times in three,
    /// partners within the terms' bounds, MEs with an operating and/or value-added share, the
    /// fund most of the time. `leaveOut` is left out and `name` named whatever the rules say.
    function _randomEntries(uint256 seed, address leaveOut, address name)
        internal
        view
        returns (ShareEntry[] memory entries)
    {
        entries = new ShareEntry[](1 + ME_COUNT * 2 + PARTNER_COUNT);
        uint256 n;
        if (seed % 5 != 0) entries[n++] = ShareEntry(DEV_FUND, ShareClass.DevFund, 0);
        uint256 partnerBps;
        for (uint256 i; i < _members.length; ++i) {
            address m = _members[i];
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            if (m == leaveOut) continue;
            if (m != name && !_mustKeep(m) && (!_eligible(m) || r % 3 == 0)) continue;
            if (_isPartner[m]) {
                uint256 bps = bound(r >> 8, _terms.partnerMinBps, _terms.partnerMaxBps);
                entries[n++] = ShareEntry(m, ShareClass.Partner, uint16(bps));
                partnerBps += bps;
            } else {
                uint256 kind = (r >> 8) % 3; // 0: operating, 1: value-added, 2: both
                if (kind != 1) entries[n++] = ShareEntry(m, ShareClass.Operating, 0);
                if (kind != 0) entries[n++] = ShareEntry(m, ShareClass.ValueAdded, 0);
            }
        }
        // Partners' bps are set; the rest goes to the other entries, at least 1 bps each.
        uint256 others;
        for (uint256 i; i < n; ++i) {
            if (entries[i].class != ShareClass.Partner) ++others;
        }
        if (others == 0) {
            // Only partners (or nobody): the fund takes the rest (shift everything one place).
            for (uint256 i = n; i > 0; --i) {
                entries[i] = entries[i - 1];
            }
            entries[0] = ShareEntry(DEV_FUND, ShareClass.DevFund, 0);
            ++n;
            others = 1;
        }
        uint256 rest = BPS - partnerBps;
        uint256[] memory weights = new uint256[](n);
        uint256 totalWeight;
        for (uint256 i; i < n; ++i) {
            if (entries[i].class == ShareClass.Partner) continue;
            weights[i] = 1 + uint256(keccak256(abi.encode(seed, "w", i))) % 100;
            totalWeight += weights[i];
        }
        uint256 given;
        uint256 last;
        for (uint256 i; i < n; ++i) {
            if (entries[i].class == ShareClass.Partner) continue;
            uint256 bps = 1 + (rest - others) * weights[i] / totalWeight;
            entries[i].bps = uint16(bps);
            given += bps;
            last = i;
        }
        entries[last].bps += uint16(rest - given);
        assembly ("memory-safe") {
            mstore(entries, n)
        }
    }

    /// @dev The first version: every member with a share, partners 400 bps each, the MEs an
    /// operating and a value-added share each. With the fund (`withFund`): 200 value-added bps
    /// per ME (1,000 in all: the pool fills the 900,000-fen space at 9,000,000 fen of profit),
    /// the fund the rest. Without it: 1,000 per ME (5,000 in all: the pool fills at 1,800,000
    /// fen, a period or two, mostly before a version names the fund, which is owed the excess
    /// from then on all the same), the owner the rest.
    function _agreeInitialVersion(bool withFund) internal override {
        ShareEntry[] memory entries = new ShareEntry[](ME_COUNT * 2 + PARTNER_COUNT + 1);
        uint256 n;
        if (withFund) entries[n++] = ShareEntry(DEV_FUND, ShareClass.DevFund, 900);
        uint16 operating = withFund ? 1_200 : 760;
        uint16 valueAdded = withFund ? 200 : 1_000;
        uint256 left = withFund ? BPS - 900 : BPS;
        uint256 ownerOperating;
        for (uint256 i; i < _members.length; ++i) {
            address m = _members[i];
            if (_isPartner[m]) {
                entries[n++] = ShareEntry(m, ShareClass.Partner, 400);
                left -= 400;
            } else {
                if (m == owner) ownerOperating = n;
                entries[n++] = ShareEntry(m, ShareClass.Operating, operating);
                entries[n++] = ShareEntry(m, ShareClass.ValueAdded, valueAdded);
                left -= operating + valueAdded;
            }
        }
        entries[withFund ? 0 : ownerOperating].bps += uint16(left);
        assembly ("memory-safe") {
            mstore(entries, n)
        }
        _activate(_proposeEntries(entries, _now + 1 days), 0);
        if (withFund) _stat("first version: with the fund, 1,000 value-added bps");
        else _stat("first version: without the fund, 5,000 value-added bps");
    }
}
