// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {PartySignature, ShareClass, ShareEntry, VersionStatus} from "../../../contracts/types/Shares.sol";
import {EMCHandlerBase} from "./EMCHandlerBase.sol";

/// @notice The handler's share versions: random valid splits (and a few that break one rule),
/// every party's signature, activation, each with its predicted outcome.
/// @dev The rules restated here (`_proposalError`, `_activationError`): a proposal names only
/// members in good standing (active, with the role of each class) whose notice has not run
/// out, and must name every member of the active version that is in good standing and whose
/// notice has not run out; the others (suspended, role lost, departed) may be left out at once.
/// Activation re-checks each party's standing only if the registry's `restrictions()` moved
/// since the proposal (`EmcPartyNotActive`), and refuses a party whose notice ran out since.
abstract contract EMCHandlerVersions is EMCHandlerBase {
    struct Proposal {
        uint256 nonce;
        uint256 deadline;
        uint256 restrictions;
        address[] parties;
        ShareEntry[] entries;
    }

    /// @dev The document hash of every proposal the handler makes.
    bytes32 internal constant DOCUMENT = bytes32("doc");

    mapping(uint256 versionId => Proposal) internal _proposals;
    mapping(uint256 versionId => VersionStatus) public ghostVersionStatus;
    uint256 public ghostVersionCount;

    // ================================================================== proposals

    /// @dev The owner proposes a random split: valid seven times in eight, else one that leaves
    /// out a member it must keep or names one it may not (refused, unless the member drawn
    /// turns out to be allowed). Returns the new version's id, 0 if refused.
    function _propose(uint256 seed) internal returns (uint256 versionId) {
        uint256 mode = uint256(keccak256(abi.encode(seed, "propose"))) % 16;
        address leaveOut = address(1); // no member has this address
        address name = address(1);
        if (mode == 0) leaveOut = _firstMember(seed >> 8, _mustKeep);
        else if (mode == 1) name = _firstMember(seed >> 8, _ineligible);
        ShareEntry[] memory entries = _randomEntries(seed, leaveOut, name);
        uint256 deadline = _now + bound(seed >> 32, 1 hours, 20 days);
        bytes memory expected = _proposalError(entries);
        if (expected.length != 0) {
            (bool ok, bytes memory ret) =
                _call(owner, abi.encodeCall(IEMC.proposeVersion, (entries, DOCUMENT, uint48(deadline))));
            _check(ok, ret, expected, "proposeVersion");
            return 0;
        }
        versionId = _proposeEntries(entries, deadline);
    }

    /// @dev What `proposeVersion` refuses `entries` with, in the order it checks.
    function _proposalError(ShareEntry[] memory entries) internal view returns (bytes memory) {
        if (!registry.isActive(owner, Roles.ME)) return _err(IEMCErrors.EmcCallerNotActive.selector, owner);
        if (ghostDissolved) return _activeError();
        for (uint256 i; i < entries.length; ++i) {
            address a = entries[i].account;
            if (a == DEV_FUND) continue;
            if (ghostDeparted(a)) {
                return abi.encodeWithSelector(IEMCErrors.EmcMemberDeparted.selector, a, ghostNoticeEffective[a]);
            }
            if (!_inGoodStanding(a)) {
                return abi.encodeWithSelector(IEMCErrors.EmcIneligibleMember.selector, a, entries[i].class);
            }
        }
        for (uint256 i; i < _heldAccounts.length; ++i) {
            address m = _heldAccounts[i]; // the active version's accounts, in its entries' order
            if (m == DEV_FUND || _names(entries, m) || ghostDeparted(m) || !_inGoodStanding(m)) continue;
            return abi.encodeWithSelector(IEMCErrors.EmcMemberLeftOut.selector, m, ghostNoticeEffective[m]);
        }
        return "";
    }

    function _names(ShareEntry[] memory entries, address account) private pure returns (bool) {
        for (uint256 i; i < entries.length; ++i) {
            if (entries[i].account == account) return true;
        }
        return false;
    }

    function _proposeEntries(ShareEntry[] memory entries, uint256 deadline) internal returns (uint256 versionId) {
        (bool ok, bytes memory ret) =
            _call(owner, abi.encodeCall(IEMC.proposeVersion, (entries, DOCUMENT, uint48(deadline))));
        _check(ok, ret, "", "proposeVersion");
        versionId = abi.decode(ret, (uint256));
        assertEq(versionId, ++ghostVersionCount, "proposeVersion: id");
        Proposal storage p = _proposals[versionId];
        p.nonce = ghostActivations;
        p.deadline = deadline;
        p.restrictions = registry.restrictions();
        for (uint256 i; i < entries.length; ++i) {
            p.entries.push(entries[i]);
            address a = entries[i].account;
            if (a != DEV_FUND && (p.parties.length == 0 || p.parties[p.parties.length - 1] != a)) p.parties.push(a);
        }
        ghostVersionStatus[versionId] = VersionStatus.Proposed;
        _checkProposed(versionId, entries);
        assertTrue(
            emc.versionDigest(versionId) == _versionDigest(versionId, entries, DOCUMENT, p.nonce, deadline),
            "versionDigest: not the documented ShareVersion typed data"
        );
        _stat("proposeVersion: proposed");
    }

    /// @dev The EMC stored the entries proposed, and they keep the version rules.
    function _checkProposed(uint256 versionId, ShareEntry[] memory entries) internal view {
        ShareEntry[] memory stored = module.versionEntries(versionId);
        assertTrue(keccak256(abi.encode(stored)) == keccak256(abi.encode(entries)), "proposeVersion: entries stored");
        uint256 total;
        uint256 valueAdded;
        for (uint256 i; i < stored.length; ++i) {
            total += stored[i].bps;
            if (stored[i].class == ShareClass.ValueAdded) valueAdded += stored[i].bps;
        }
        assertEq(total, BPS, "proposeVersion: entries do not sum to 10,000 bps");
        assertEq(emc.version(versionId).valueAddedBps, valueAdded, "proposeVersion: value-added bps");
    }

    // ================================================================== activation

    /// @dev Collects every party's signature and submits them, predicting the outcome.
    /// `tamper` 1 leaves the last signature out (`EmcSignatureCount`), 2 has one party sign
    /// with another's key (`EmcInvalidSignature`, unless an earlier check refuses first).
    function _activate(uint256 versionId, uint256 tamper) internal {
        Proposal storage p = _proposals[versionId];
        uint256 n = p.parties.length;
        if (n == 0) tamper = 0;
        uint256 forged = tamper == 2 ? uint256(keccak256(abi.encode(versionId, _now))) % n : type(uint256).max;
        bytes memory expected = _activationError(versionId, tamper == 1, forged);
        PartySignature[] memory signatures = _sign(versionId);
        if (tamper == 1) {
            assembly ("memory-safe") {
                mstore(signatures, sub(n, 1))
            }
        } else if (tamper == 2) {
            bytes32 digest = _versionDigest(versionId, p.entries, DOCUMENT, p.nonce, p.deadline);
            (uint8 v, bytes32 r, bytes32 sig) = vm.sign(_keyOf[p.parties[forged]] + 1, digest);
            signatures[forged].signature = abi.encodePacked(r, sig, v);
        }
        (bool ok, bytes memory ret) =
            _call(address(this), abi.encodeCall(IEMC.activateVersion, (versionId, signatures)));
        _check(ok, ret, expected, "activateVersion");
        if (!ok) return;
        uint256 previous = ghostActiveVersion;
        if (previous != 0) ghostVersionStatus[previous] = VersionStatus.Superseded;
        ghostVersionStatus[versionId] = VersionStatus.Active;
        _recordActivation(versionId, p.entries);
        _stat("activateVersion: activated");
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
