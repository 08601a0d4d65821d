// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {PartyRoles, ShareClass, ShareEntry, Version, VersionStatus} from "../../../contracts/types/Shares.sol";
import {Entries} from "../utils/Entries.sol";
import {PackedSignatures} from "../utils/PackedSignatures.sol";
import {Vm} from "../utils/Vm.sol";
import {EMCHandlerProofs} from "./EMCHandlerProofs.sol";

/// @notice The handler's activations: every party signs the version's EIP-712 digest with
/// `vm.sign`, the signatures are packed sorted by signer (`PackedSignatures`), and the handler
/// submits them, now and then tampered with, predicting the outcome.
/// @dev The rules restated here (`_activationError`): the EMC recovers each signer from its
/// signature; the recovered signers must be sorted strictly (`EmcSignersNotSorted`) and be
/// exactly the parties (`EmcSignersNotParties`), and nothing may follow the signatures
/// (`EmcSignaturesLength`). Only then, and only if the registry's `restrictions()` moved
/// since the proposal, is each party's standing read again (`EmcPartyNotActive`); a party
/// whose notice ran out since is refused (`EmcMemberDeparted`).
abstract contract EMCHandlerVersions is EMCHandlerProofs {
    using PackedSignatures for PackedSignatures.Signature[];

    // ================================================================== activation

    /// @dev Collects every party's signature and submits them, predicting the outcome.
    /// `tamper` 1 cuts the bytes inside the last fixed part (`EmcSignatureCount`), 2 has one party sign
    /// with another key (which recovers to a stranger: `EmcSignersNotSorted` or
    /// `EmcSignersNotParties`), 3 has a non-party sign in a party's place, sorted again
    /// (`EmcSignersNotParties`), 4 swaps two signatures (`EmcSignersNotSorted`), 5 gives one
    /// signature its high-s twin (`EmcInvalidSignature` naming no signer, or the wallet, which
    /// refuses a high-s signature by its owner), 6 appends bytes (`EmcSignaturesLength`), 7
    /// gives roles that are not the version's (`EmcSignersNotParties`); unless an earlier check
    /// refuses first.
    function _activate(uint256 versionId, uint256 tamper) internal {
        Proposal storage p = _proposals[versionId];
        uint256 n = p.parties.length;
        if (n == 0 || (tamper == 4 && n < 2)) tamper = 0;
        uint256 pick = n == 0 ? 0 : uint256(keccak256(abi.encode(versionId, _now))) % n;
        (PackedSignatures.Signature[] memory sigs, bytes memory packed, uint256 refused) =
            _tamperedSignatures(versionId, tamper, pick);
        PartyRoles memory roles = p.roles;
        if (tamper == 7) {
            // Roles that are not the version's: a bit flipped.
            if (pick % 2 == 0) roles.partnerMask ^= uint256(1) << pick;
            else roles.meMask ^= uint256(1) << pick;
        }
        bytes memory expected = _activationError(versionId, sigs, refused, packed.length, tamper == 7);
        _submit(versionId, packed, roles, expected);
    }

    /// @dev Every party's signature (see `_sign`), tampered with as `tamper` says (see
    /// `_activate`) at party `pick`, and packed; `refused`: the index of a signature its wallet
    /// refuses, if any.
    function _tamperedSignatures(uint256 versionId, uint256 tamper, uint256 pick)
        internal
        view
        returns (PackedSignatures.Signature[] memory sigs, bytes memory packed, uint256 refused)
    {
        Proposal storage p = _proposals[versionId];
        uint256 n = p.parties.length;
        sigs = _sign(versionId);
        bytes32 digest = _versionDigest(versionId, p.entries, DOCUMENT, p.nonce, p.deadline);
        refused = type(uint256).max;
        if (tamper == 2) {
            sigs[pick] = PackedSignatures.ecdsa(_keyOf[p.parties[pick]] + 1, digest);
        } else if (tamper == 3) {
            sigs[pick] = PackedSignatures.ecdsa(_strangerKey(versionId, pick), digest);
            sigs.sort();
        } else if (tamper == 4) {
            uint256 i = 1 + pick % (n - 1);
            (sigs[i - 1], sigs[i]) = (sigs[i], sigs[i - 1]);
        } else if (tamper == 5) {
            address party = p.parties[pick];
            if (_isWallet[party]) {
                // The owner key's high-s twin inside: the wallet refuses it.
                PackedSignatures.Signature memory inner =
                    PackedSignatures.highS(PackedSignatures.ecdsa(_keyOf[party], digest));
                sigs[pick] = PackedSignatures.contractSig(party, abi.encodePacked(inner.r, inner.s, inner.v));
                refused = pick;
            } else {
                sigs[pick] = PackedSignatures.highS(sigs[pick]);
                sigs[pick].signer = address(0); // recovers to nobody, for OpenZeppelin's ECDSA
            }
        }
        packed = sigs.pack();
        if (tamper == 1) {
            // Cut inside the last fixed part (the wallet's data, after the fixed parts, goes too).
            uint256 cut = (n - 1) * PackedSignatures.FIXED + pick % PackedSignatures.FIXED;
            assembly ("memory-safe") {
                mstore(packed, cut)
            }
        }
        if (tamper == 6) packed = bytes.concat(packed, new bytes(1 + pick % 70));
    }

    /// @dev Submits the signatures and roles; the outcome must be `expected`, and an activation
    /// is recorded in the ghost books and checked against the header and the event.
    function _submit(uint256 versionId, bytes memory packed, PartyRoles memory roles, bytes memory expected)
        internal
    {
        Proposal storage p = _proposals[versionId];
        vm.recordLogs();
        (bool ok, bytes memory ret) =
            _call(address(this), abi.encodeCall(IEMC.activateVersion, (versionId, packed, roles)));
        _check(ok, ret, expected, "activateVersion");
        if (!ok) return;
        _checkActivatedEvent(versionId, p);
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

    /// @dev `VersionActivated` is emitted once, with the version's figures and no signers (its
    /// data is five words: from period, previous id, struct hash, party count, pool bps).
    function _checkActivatedEvent(uint256 versionId, Proposal storage p) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = IEMC.VersionActivated.selector;
        bool seen;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(emc) || logs[i].topics[0] != topic) continue;
            assertTrue(!seen, "VersionActivated: emitted twice");
            seen = true;
            assertEq(uint256(logs[i].topics[1]), versionId, "VersionActivated: id");
            assertEq(uint256(logs[i].topics[2]), _epochVersions.length, "VersionActivated: epoch");
            assertEq(logs[i].data.length, 5 * 32, "VersionActivated: data is not five words");
            (uint256 fromPeriod, uint256 previousId, bytes32 structHash, uint256 partyCount, uint256 poolBps) =
                abi.decode(logs[i].data, (uint256, uint256, bytes32, uint256, uint256));
            assertEq(fromPeriod, ghostPeriods + 1, "VersionActivated: from period");
            assertEq(previousId, ghostActiveVersion, "VersionActivated: previous id");
            assertTrue(
                structHash == _versionStructHash(versionId, Entries.hash(p.entries), DOCUMENT, p.nonce, p.deadline),
                "VersionActivated: struct hash"
            );
            assertEq(partyCount, p.parties.length, "VersionActivated: party count");
            uint256 valueAdded;
            for (uint256 j; j < p.entries.length; ++j) {
                if (p.entries[j].class == ShareClass.ValueAdded) valueAdded += p.entries[j].bps;
            }
            assertEq(poolBps, valueAdded, "VersionActivated: value-added bps");
        }
        assertTrue(seen, "VersionActivated: not emitted");
    }

    /// @dev The key of a non-party to sign in party `index`'s place: a member the version does
    /// not name, or a key no one registered.
    function _strangerKey(uint256 versionId, uint256 index) internal view returns (uint256) {
        Proposal storage p = _proposals[versionId];
        for (uint256 i; i < _members.length; ++i) {
            address m = _members[(index + i) % _members.length];
            if (!_inList(p.parties, m)) return _keyOf[m];
        }
        return uint256(keccak256(abi.encode("stranger", versionId, _now))) % PackedSignatures.SECP256K1_N;
    }

    function _inList(address[] storage list, address account) private view returns (bool) {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == account) return true;
        }
        return false;
    }

    /// @dev What `activateVersion` refuses version `versionId` with, given `sigs` (each with
    /// the signer it recovers to; zero for one that recovers to nobody; `refused`: the index
    /// of one its wallet refuses) packed into `length` bytes, in the order it checks: status, the proposal, its nonce and deadline, the number
    /// of signatures, each signer in turn (valid, above the one before), the length, the
    /// signers against the parties, then each party's standing (only if the registry's
    /// restrictions moved since the proposal) and its notice.
    function _activationError(
        uint256 versionId,
        PackedSignatures.Signature[] memory sigs,
        uint256 refused,
        uint256 length,
        bool wrongRoles
    ) internal view returns (bytes memory) {
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
        uint256 end = n * PackedSignatures.FIXED;
        if (length < end) {
            return abi.encodeWithSelector(IEMCErrors.EmcSignatureCount.selector, length / PackedSignatures.FIXED, n);
        }
        for (uint256 i; i < n; ++i) {
            if (sigs[i].v == 0) end += 32 + sigs[i].data.length; // a contract signature's data
        }
        address previous;
        bool parties = true;
        for (uint256 i; i < n; ++i) {
            address signer = sigs[i].signer;
            if (signer == address(0) || i == refused) {
                return abi.encodeWithSelector(IEMCErrors.EmcInvalidSignature.selector, versionId, i, signer);
            }
            if (signer <= previous) return abi.encodeWithSelector(IEMCErrors.EmcSignersNotSorted.selector, i);
            previous = signer;
            if (signer != p.parties[i]) parties = false;
        }
        if (length != end) return abi.encodeWithSelector(IEMCErrors.EmcSignaturesLength.selector, length, end);
        if (!parties || wrongRoles) return abi.encodeWithSelector(IEMCErrors.EmcSignersNotParties.selector, versionId);
        bool recheck = registry.restrictions() != p.restrictions;
        for (uint256 i; i < n; ++i) {
            address a = p.parties[i];
            if (recheck && !_inGoodStanding(a)) {
                return abi.encodeWithSelector(IEMCErrors.EmcPartyNotActive.selector, versionId, a);
            }
            if (ghostDeparted(a)) {
                return abi.encodeWithSelector(IEMCErrors.EmcMemberDeparted.selector, a, ghostNoticeEffective[a]);
            }
        }
        return "";
    }

    /// @dev Every party, ascending, signs the version's EIP-712 digest (built from the
    /// documented typed data, see `_versionDigest`) with its own key; the wallet's owner key
    /// signs for it, as a contract signature.
    function _sign(uint256 versionId) internal view returns (PackedSignatures.Signature[] memory s) {
        Proposal storage p = _proposals[versionId];
        bytes32 digest = _versionDigest(versionId, p.entries, DOCUMENT, p.nonce, p.deadline);
        s = new PackedSignatures.Signature[](p.parties.length);
        for (uint256 i; i < p.parties.length; ++i) {
            address party = p.parties[i];
            s[i] = PackedSignatures.partySig(party, _keyOf[party], _isWallet[party], digest);
        }
    }

    /// @dev Whether the latest proposal can still be activated as far as time and nonce go.
    function _live(uint256 versionId) internal view returns (bool) {
        Proposal storage p = _proposals[versionId];
        return
            ghostVersionStatus[versionId] == VersionStatus.Proposed && p.nonce == ghostActivations && _now <= p.deadline;
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
