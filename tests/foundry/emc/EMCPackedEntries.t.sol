// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {ShareClass, ShareEntry} from "../../../contracts/types/Shares.sol";
import {Entries} from "../utils/Entries.sol";
import {TypedData} from "../utils/TypedData.sol";
import {Vm} from "../utils/Vm.sol";
import {EMCLifecycleChecks} from "./EMCLifecycleChecks.sol";

/// @notice Proposals pass their entries packed one word each (`ShareEntries`): a word with a
/// reserved bit set or a class above the fund's is refused (`EmcMalformedEntry`), words must
/// be strictly increasing by account and class (`EmcEntriesNotSorted`, `EmcDuplicateEntry`),
/// `VersionProposed` carries the words as given, and the version's `structHash` is the EIP-712
/// struct hash of the `ShareVersion` whose entries the words stand for, computed here from the
/// words.
contract EMCPackedEntriesTest is EMCLifecycleChecks {
    /// @dev The first version's words (fund, partners, MEs; 14 words) and the active parties.
    function _started() internal returns (uint256[] memory words, address[] memory current) {
        handler.start(true);
        vm.warp(handler.now_());
        words = Entries.pack(handler.versionEntries(1));
        current = _activeParties();
    }

    function _proposeWords(uint256[] memory words, address[] memory current)
        internal
        returns (bool ok, bytes memory ret)
    {
        address owner = handler.owner();
        bytes memory data = abi.encodeCall(
            IEMC.proposeVersion, (words, bytes32("packed"), uint48(block.timestamp + 1 days), current, _activeRoles())
        );
        vm.prank(owner);
        (ok, ret) = address(emc).call(data);
    }

    function _assertRefused(uint256[] memory words, address[] memory current, bytes memory expected, string memory what)
        internal
    {
        uint256 count = module.versionCount();
        (bool ok, bytes memory ret) = _proposeWords(words, current);
        assertTrue(!ok, string.concat(what, ": proposed"));
        assertTrue(
            keccak256(ret) == keccak256(expected),
            string.concat(what, ": refused with ", vm.toString(ret), ", expected ", vm.toString(expected))
        );
        assertEq(module.versionCount(), count, string.concat(what, ": version count changed"));
    }

    /// @dev The error the pass over `words` stops at for their order, restated: the first
    /// word whose key (`word >> 16`) is not above the one before; nothing if they are sorted.
    function _orderError(uint256[] memory words) internal pure returns (bytes memory) {
        for (uint256 k = 1; k < words.length; ++k) {
            uint256 key = Entries.key(words[k]);
            uint256 previous = Entries.key(words[k - 1]);
            if (key == previous) {
                return abi.encodeWithSelector(
                    IEMCErrors.EmcDuplicateEntry.selector, address(uint160(words[k] >> 96)), uint8(words[k] >> 16)
                );
            }
            if (key < previous) return abi.encodeWithSelector(IEMCErrors.EmcEntriesNotSorted.selector, k);
        }
        return "";
    }

    // ================================================================== malformed words

    /// @notice Any reserved bit (24-95), or a class code from 4 to 255, in any word: refused
    /// naming the word's index and the word.
    function testFuzz_proposeVersion_refusesAMalformedWord(uint256 index, uint256 junk, bool classCode) public {
        (uint256[] memory words, address[] memory current) = _started();
        uint256 i = bound(index, 0, words.length - 1);
        if (classCode) {
            uint256 class = bound(junk, 4, 255);
            words[i] = (words[i] & ~(uint256(0xff) << 16)) | (class << 16);
        } else {
            uint256 bits = junk & Entries.RESERVED_BITS;
            if (bits == 0) bits = uint256(1) << (24 + junk % 72);
            words[i] |= bits;
        }
        _assertRefused(
            words, current, abi.encodeWithSelector(IEMCErrors.EmcMalformedEntry.selector, i, words[i]), "malformed"
        );
    }

    /// @notice Every reserved bit on its own, and every class code above the fund's, each in
    /// the first and the last word.
    function test_proposeVersion_refusesEachReservedBitAndClass() public {
        (uint256[] memory words, address[] memory current) = _started();
        uint256 last = words.length - 1;
        for (uint256 bit = 24; bit < 96; ++bit) {
            for (uint256 k; k < 2; ++k) {
                uint256 i = k == 0 ? 0 : last;
                uint256 good = words[i];
                words[i] = good | (uint256(1) << bit);
                _assertRefused(
                    words, current, abi.encodeWithSelector(IEMCErrors.EmcMalformedEntry.selector, i, words[i]), "bit"
                );
                words[i] = good;
            }
        }
        for (uint256 class = 4; class < 256; class += 7) {
            uint256 good = words[last];
            words[last] = (good & ~(uint256(0xff) << 16)) | (class << 16);
            _assertRefused(
                words,
                current,
                abi.encodeWithSelector(IEMCErrors.EmcMalformedEntry.selector, last, words[last]),
                "class"
            );
            words[last] = good;
        }
        // The words unspoilt: proposed.
        (bool ok, bytes memory ret) = _proposeWords(words, current);
        assertTrue(ok, string.concat("the valid words: ", vm.toString(ret)));
    }

    // ================================================================== order

    /// @notice Two words swapped, or one copied over a later one: refused at the first word
    /// not above the one before, as a duplicate if it repeats it.
    function testFuzz_proposeVersion_refusesUnsortedAndRepeatedWords(uint256 a, uint256 b, bool copy) public {
        (uint256[] memory words, address[] memory current) = _started();
        uint256 n = words.length;
        uint256 i = bound(a, 0, n - 2);
        uint256 j = bound(b, i + 1, n - 1);
        if (copy) words[j] = words[i];
        else (words[i], words[j]) = (words[j], words[i]);
        bytes memory expected = _orderError(words);
        assertTrue(expected.length != 0, "still sorted");
        _assertRefused(words, current, expected, copy ? "repeated" : "swapped");
    }

    /// @notice Random well-formed words for accounts nobody registered (operating or
    /// value-added classes, which have no bounds), in random order: refused at the first word
    /// out of order; sorted, refused by the registry at the first entry (`EmcIneligibleMember`),
    /// asked only after the whole pass.
    function testFuzz_proposeVersion_randomWordsOrderThenStanding(uint256[8] memory raw, uint256 length) public {
        vm.warp(handler.now_());
        uint256 n = bound(length, 1, 8);
        uint256[] memory words = new uint256[](n);
        for (uint256 k; k < n; ++k) {
            uint256 account = raw[k] >> 96;
            if (account == 0) account = 1;
            uint256 class = 1 + (raw[k] >> 16) % 2; // Operating, ValueAdded
            words[k] = account << 96 | class << 16 | (1 + raw[k] % 1_000);
        }
        bytes memory expected = _orderError(words);
        if (expected.length == 0) {
            expected = abi.encodeWithSelector(
                IEMCErrors.EmcIneligibleMember.selector, address(uint160(words[0] >> 96)), uint8(words[0] >> 16)
            );
        }
        _assertRefused(words, new address[](0), expected, "random words");
    }

    // ================================================================== what a proposal keeps

    /// @notice A random valid split, proposed as words: `VersionProposed` carries exactly the
    /// words given; the version's `structHash` is the `ShareVersion` struct hash over the
    /// EIP-712 hash of the entries decoded here from the emitted words (`ShareEntry(address
    /// account,uint8 shareClass,uint16 bps)` per word, the hashes hashed together), and the
    /// digest the parties sign is the documented typed data.
    function testFuzz_proposeVersion_emitsTheWordsAndCommitsToTheirHash(uint256 seed) public {
        vm.warp(handler.now_());
        ShareEntry[] memory entries = _randomSplit(seed);
        uint256[] memory words = Entries.pack(entries);
        vm.recordLogs();
        (bool ok, bytes memory ret) = _proposeWords(words, new address[](0));
        assertTrue(ok, string.concat("proposed: ", vm.toString(ret)));
        uint256 id = abi.decode(ret, (uint256));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256[] memory emitted;
        bool seen;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(emc) || logs[i].topics[0] != IEMC.VersionProposed.selector) continue;
            assertTrue(!seen, "emitted twice");
            seen = true;
            (emitted,,,,) = abi.decode(logs[i].data, (uint256[], bytes32, uint256, uint256, bytes32));
        }
        assertTrue(seen, "VersionProposed not emitted");
        assertEq(emitted.length, words.length, "emitted entry count");
        for (uint256 i; i < words.length; ++i) {
            assertEq(emitted[i], words[i], "emitted word");
        }
        bytes32[] memory hashes = new bytes32[](emitted.length);
        for (uint256 i; i < emitted.length; ++i) {
            uint256 w = emitted[i];
            hashes[i] = keccak256(
                abi.encode(
                    keccak256("ShareEntry(address account,uint8 shareClass,uint16 bps)"),
                    address(uint160(w >> 96)),
                    (w >> 16) & 0xff,
                    w & 0xffff
                )
            );
        }
        bytes32 entriesHash = keccak256(abi.encodePacked(hashes));
        assertTrue(entriesHash == Entries.hash(entries), "the words do not stand for the entries");
        assertEq(module.version(id).entryCount, entries.length, "entry count");
        bytes32 structHash =
            TypedData.versionStructHash(id, entriesHash, bytes32("packed"), 0, block.timestamp + 1 days);
        assertTrue(module.version(id).structHash == structHash, "structHash != the ShareVersion of the emitted words");
        assertTrue(emc.versionDigest(id) == TypedData.digest(address(emc), structHash), "version digest");
    }

    /// @dev A random valid first version: the fund first, then each member two times in three,
    /// partners within the bounds, MEs an operating and/or a value-added share.
    function _randomSplit(uint256 seed) internal view returns (ShareEntry[] memory entries) {
        address[] memory m = handler.members();
        entries = new ShareEntry[](1 + 2 * m.length);
        uint256 n = 1;
        uint256 total;
        for (uint256 i; i < m.length; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            if (r % 3 == 0) continue;
            if (handler.isPartner(m[i])) {
                uint16 bps = uint16(bound(r >> 8, terms.partnerMinBps, terms.partnerMaxBps));
                entries[n++] = ShareEntry(m[i], ShareClass.Partner, bps);
                total += bps;
                continue;
            }
            uint256 kind = (r >> 24) % 3;
            if (kind != 1) {
                uint16 bps = uint16(1 + (r >> 32) % 500);
                entries[n++] = ShareEntry(m[i], ShareClass.Operating, bps);
                total += bps;
            }
            if (kind != 0) {
                uint16 bps = uint16(1 + (r >> 48) % 500);
                entries[n++] = ShareEntry(m[i], ShareClass.ValueAdded, bps);
                total += bps;
            }
        }
        entries[0] = ShareEntry(DEV_FUND, ShareClass.DevFund, uint16(BPS - total));
        assembly ("memory-safe") {
            mstore(entries, n)
        }
    }
}
