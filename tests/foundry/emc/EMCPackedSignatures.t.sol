// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {PartyRoles} from "../../../contracts/types/Shares.sol";
import {Entries} from "../utils/Entries.sol";
import {PackedSignatures} from "../utils/PackedSignatures.sol";
import {TestWallet} from "../utils/TestWallet.sol";
import {Vm} from "../utils/Vm.sol";
import {EMCSignaturesBase} from "./EMCSignaturesBase.sol";

/// @notice `activateVersion` takes the parties' signatures packed as a Safe packs them and
/// recovers the signers: ERC-1271 contract wallets (`v` 0) mixed with EOAs in any position
/// activate; every malformed packing is refused with the error naming what is wrong
/// (`EmcSignatureEncoding`, `EmcSignaturesLength`, `EmcSignatureCount`); an ECDSA signature
/// that recovers to nobody (high s, a bad `v`) or a wallet that refuses is
/// `EmcInvalidSignature`; a valid signature of another version recovers to a stranger, which
/// the sort and party checks refuse.
contract EMCPackedSignaturesTest is EMCSignaturesBase {
    using PackedSignatures for PackedSignatures.Signature[];

    // ================================================================== wallets and EOAs

    /// @notice One to four wallets, at addresses (so positions among the parties) drawn at
    /// random, mixed with the EOAs: the packed signatures activate the version, and
    /// `VersionActivated` names no signers.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_activateVersion_walletsAndEoasInAnyPosition(uint256 seed, uint256 count) public {
        count = bound(count, 1, 4);
        (uint256 id, address[] memory parties) = _proposeWithWallets(count, seed);
        bytes memory packed = _sigs(parties, emc.versionDigest(id)).pack();
        assertEq(packed.length, parties.length * 65 + _walletCount(parties) * (32 + 65), "packed length");
        vm.recordLogs();
        (bool ok, bytes memory ret) = _activate(id, packed);
        assertTrue(ok, string.concat("activation: ", vm.toString(ret)));
        assertEq(module.activeVersionId(), id, "active version");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool seen;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] != IEMC.VersionActivated.selector) continue;
            seen = true;
            assertEq(logs[i].data.length, 5 * 32, "VersionActivated: five words, no signers");
            (,,, uint256 partyCount,) = abi.decode(logs[i].data, (uint256, uint256, bytes32, uint256, uint256));
            assertEq(partyCount, parties.length, "VersionActivated: party count");
        }
        assertTrue(seen, "VersionActivated not emitted");
    }

    /// @notice A wallet's fixed part with bits above the address in `r`, or an offset that is
    /// not where its data must start: `EmcSignatureEncoding` at its index.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_activateVersion_refusesAWalletsBadFixedPart(uint256 seed, uint256 junk, bool offset) public {
        (uint256 id, address[] memory parties) = _proposeWithWallets(1, seed);
        PackedSignatures.Signature[] memory sigs = _sigs(parties, emc.versionDigest(id));
        bytes memory packed = sigs.pack();
        uint256 w = _firstWallet(parties);
        if (offset) {
            uint256 good = _dataOffset(sigs, w);
            uint256 bad = junk == good ? good + 1 : junk;
            PackedSignatures.setWord(packed, PackedSignatures.sAt(w), bytes32(bad));
        } else {
            uint256 high = junk >> 160 << 160;
            if (high == 0) high = uint256(1) << (160 + junk % 96);
            PackedSignatures.setWord(packed, PackedSignatures.rAt(w), bytes32(high | uint256(uint160(parties[w]))));
        }
        _assertRefused(id, packed, _encoding(w), offset ? "bad offset" : "bits above the wallet's address");
    }

    /// @notice The packed bytes cut short in the wallets' data, or a wallet's length word past
    /// the end: `EmcSignatureEncoding` at the wallet whose data does not fit.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_activateVersion_refusesAWalletsDataOutOfBounds(uint256 seed, uint256 junk, bool cut) public {
        (uint256 id, address[] memory parties) = _proposeWithWallets(1, seed);
        PackedSignatures.Signature[] memory sigs = _sigs(parties, emc.versionDigest(id));
        bytes memory packed = sigs.pack();
        uint256 w = _firstWallet(parties);
        uint256 dataAt = _dataOffset(sigs, w);
        if (cut) {
            uint256 length = bound(junk, parties.length * PackedSignatures.FIXED, packed.length - 1);
            assembly ("memory-safe") {
                mstore(packed, length)
            }
        } else {
            uint256 available = packed.length - dataAt - 32;
            PackedSignatures.setWord(packed, dataAt, bytes32(bound(junk, available + 1, type(uint256).max)));
        }
        // Cut short: the first wallet whose data does not fit (the fixture's wallet may come first).
        uint256 refused = cut ? _firstCutShort(sigs, packed.length) : w;
        _assertRefused(id, packed, _encoding(refused), cut ? "data cut short" : "length past the end");
    }

    /// @notice Bytes after the last wallet's data: `EmcSignaturesLength(length, expected)`.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_activateVersion_refusesTrailingBytes(uint256 seed, uint256 count, uint256 extra) public {
        (uint256 id, address[] memory parties) = _proposeWithWallets(bound(count, 1, 3), seed);
        bytes memory packed = _sigs(parties, emc.versionDigest(id)).pack();
        uint256 end = packed.length;
        extra = bound(extra, 1, 300);
        bytes memory tail = new bytes(extra);
        for (uint256 i; i < extra; ++i) {
            tail[i] = bytes1(uint8(uint256(keccak256(abi.encode(seed, i)))));
        }
        packed = bytes.concat(packed, tail);
        _assertRefused(
            id,
            packed,
            abi.encodeWithSelector(IEMCErrors.EmcSignaturesLength.selector, end + extra, end),
            "trailing bytes"
        );
    }

    /// @notice Fewer bytes than the parties' fixed parts: `EmcSignatureCount(given, parties)`.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_activateVersion_refusesTooFewSignatures(uint256 seed, uint256 length) public {
        (uint256 id, address[] memory parties) = _proposeWithWallets(1, seed);
        bytes memory packed = _sigs(parties, emc.versionDigest(id)).pack();
        uint256 n = parties.length;
        length = bound(length, 0, n * PackedSignatures.FIXED - 1);
        assembly ("memory-safe") {
            mstore(packed, length)
        }
        _assertRefused(
            id,
            packed,
            abi.encodeWithSelector(IEMCErrors.EmcSignatureCount.selector, length / PackedSignatures.FIXED, n),
            "too few"
        );
    }

    // ================================================================== invalid signatures

    /// @notice An EOA's signature with high s (the same key's, malleated) or a `v` other than
    /// 27 and 28 (and 0, a wallet's): it recovers to nobody, `EmcInvalidSignature` naming no
    /// signer, at its index.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_activateVersion_refusesAnEcdsaSignatureRecoveringToNobody(uint256 seed, uint256 pick, uint8 v)
        public
    {
        (uint256 id, address[] memory parties) = _proposeWithWallets(1, seed);
        PackedSignatures.Signature[] memory sigs = _sigs(parties, emc.versionDigest(id));
        uint256 i = bound(pick, 0, parties.length - 1);
        while (_isWallet[parties[i]]) i = (i + 1) % parties.length;
        if (v == 27 || v == 28) sigs[i] = PackedSignatures.highS(sigs[i]);
        else sigs[i].v = v == 0 ? 1 : v;
        _assertRefused(id, sigs.pack(), _invalid(id, i, address(0)), "recovers to nobody");
    }

    /// @notice A wallet that refuses, one given a signature by a key other than its owner's,
    /// and an EOA party's own valid signature given as a contract signature (no code to
    /// ask): `EmcInvalidSignature` naming the wallet or EOA, at its index.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_activateVersion_refusesWhatAWalletRefuses(uint256 seed, uint256 pick) public {
        (uint256 id, address[] memory parties) = _proposeWithWallets(2, seed);
        bytes32 digest = emc.versionDigest(id);
        PackedSignatures.Signature[] memory sigs = _sigs(parties, digest);
        uint256 w = _firstWallet(parties);
        TestWallet(parties[w]).refuse(true);
        _assertRefused(id, sigs.pack(), _invalid(id, w, parties[w]), "refusing wallet");
        TestWallet(parties[w]).refuse(false);

        sigs[w] = PackedSignatures.walletSig(parties[w], _walletKey[parties[w]] + 1, digest);
        _assertRefused(id, sigs.pack(), _invalid(id, w, parties[w]), "another key than the wallet's owner's");
        sigs[w] = PackedSignatures.walletSig(parties[w], _walletKey[parties[w]], digest);

        uint256 i = bound(pick, 0, parties.length - 1);
        while (_isWallet[parties[i]]) i = (i + 1) % parties.length;
        PackedSignatures.Signature memory own = sigs[i];
        sigs[i] = PackedSignatures.contractSig(parties[i], abi.encodePacked(own.r, own.s, own.v));
        _assertRefused(id, sigs.pack(), _invalid(id, i, parties[i]), "an EOA's signature as a contract's");
        sigs[i] = own;

        (bool ok, bytes memory ret) = _activate(id, sigs.pack());
        assertTrue(ok, string.concat("the good signatures: ", vm.toString(ret)));
    }

    /// @notice A party's valid signature of another version (proposed beside it, as live):
    /// from an EOA it recovers to a stranger, refused by the sort (`EmcSignersNotSorted` at
    /// its index or the next) or, sorted by chance, by the party check
    /// (`EmcSignersNotParties`); a wallet refuses it (`EmcInvalidSignature`).
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_activateVersion_refusesASignatureOfAnotherVersion(uint256 seed, uint256 pick) public {
        (uint256 id, address[] memory parties) = _proposeWithWallets(1, seed);
        uint256[] memory words = Entries.pack(handler.versionEntries(1));
        address owner = handler.owner();
        address[] memory current = _activeParties();
        PartyRoles memory roles = _activeRoles();
        vm.prank(owner);
        uint256 other = emc.proposeVersion(words, bytes32("other"), uint48(block.timestamp + 2 days), current, roles);
        bytes32 digest = emc.versionDigest(id);
        PackedSignatures.Signature[] memory sigs = _sigs(parties, digest);
        uint256 i = bound(pick, 0, parties.length - 1);
        address p = parties[i];
        bytes memory expected;
        if (_isWallet[p]) {
            sigs[i] = _partySig(p, emc.versionDigest(other));
            expected = _invalid(id, i, p);
        } else {
            sigs[i] = PackedSignatures.ecdsa(_keyOf[p], emc.versionDigest(other));
            address stranger = ecrecover(digest, sigs[i].v, sigs[i].r, sigs[i].s);
            assertTrue(stranger != address(0) && stranger != p, "recovered the party");
            if (i != 0 && stranger <= parties[i - 1]) {
                expected = abi.encodeWithSelector(IEMCErrors.EmcSignersNotSorted.selector, i);
            } else if (i + 1 < parties.length && parties[i + 1] <= stranger) {
                expected = abi.encodeWithSelector(IEMCErrors.EmcSignersNotSorted.selector, i + 1);
            } else {
                expected = abi.encodeWithSelector(IEMCErrors.EmcSignersNotParties.selector, id);
            }
        }
        _assertRefused(id, sigs.pack(), expected, "another version's signature");
    }

    /// @notice The signatures of every party but one (a stranger's, sorted in), whoever they
    /// are: `EmcSignersNotParties`.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_activateVersion_refusesAStrangerSortedIn(uint256 seed, uint256 pick, uint256 key) public {
        (uint256 id, address[] memory parties) = _proposeWithWallets(1, seed);
        bytes32 digest = emc.versionDigest(id);
        PackedSignatures.Signature[] memory sigs = _sigs(parties, digest);
        uint256 i = bound(pick, 0, parties.length - 1);
        key = bound(key, 1, PackedSignatures.SECP256K1_N - 1);
        address stranger = vm.addr(key);
        for (uint256 k; k < parties.length; ++k) {
            vm.assume(parties[k] != stranger);
        }
        sigs[i] = PackedSignatures.ecdsa(key, digest);
        _assertRefused(
            id,
            sigs.sortAndPack(),
            abi.encodeWithSelector(IEMCErrors.EmcSignersNotParties.selector, id),
            "a stranger sorted in"
        );
    }

    /// @notice An offset within 32 of 2**256, where `s + 32` would overflow: `packedSigner`
    /// compares it with where the data must start before adding to it, so this is
    /// `EmcSignatureEncoding` at the wallet's index, not a panic.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_activateVersion_refusesAnOffsetNearTheTop(uint256 seed, uint256 k) public {
        (uint256 id, address[] memory parties) = _proposeWithWallets(1, seed);
        PackedSignatures.Signature[] memory sigs = _sigs(parties, emc.versionDigest(id));
        bytes memory packed = sigs.pack();
        uint256 w = _firstWallet(parties);
        PackedSignatures.setWord(packed, PackedSignatures.sAt(w), bytes32(type(uint256).max - bound(k, 0, 31)));
        _assertRefused(id, packed, _encoding(w), "offset near the top");
    }
}
