// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EntryScan} from "../../../contracts/libraries/EntryScan.sol";
import {Entries} from "../utils/Entries.sol";
import {ShareTrees} from "../utils/ShareTrees.sol";
import {TestBase} from "../utils/Test.sol";
import {Sort} from "../utils/Sort.sol";

/// @notice `EntryScan.scan` for the tests: it reads its entries and parties from calldata.
contract EntryScanHarness {
    function scan(
        uint256[] calldata entries,
        address[] calldata currentParties,
        EntryScan.Terms memory terms,
        bytes32 entryTypehash
    ) external pure returns (EntryScan.Result memory) {
        return EntryScan.scan(entries, currentParties, terms, entryTypehash);
    }
}

/// @notice A plain-Solidity restatement of the proposal's scan of its packed entries
/// (`EntryScan`, in assembly), in its two passes. Pass 1, per entry in order: its form
/// (reserved bits 24-95 zero, class at most 3), its order (key `word >> 16` strictly above
/// the previous one's, zero before the first: a partner share of account zero breaks the
/// order, the EMC names it), a share above zero; its hash and the total. Pass 2, per entry:
/// its account's folding: a new account closes the previous one's leaf (`ShareTrees.leafHash`)
/// and walks the active version's parties below it (each left out); a fund entry must name
/// account zero, any other entry a nonzero account; a partner share must be within the
/// bounds; a partner or ME role is queued for the registry unless the account stays on from
/// the active version with that role, nobody's standing having changed. Each pass stops at
/// the first entry that breaks one of its rules: a pass-1 failure hides a pass-2 one before it.
library EntryScanReference {
    /// @notice The rule an entry breaks: pass 1's, then pass 2's.
    enum Rule {
        None,
        Malformed,
        OutOfOrder,
        ZeroShare,
        DevFundAccount,
        ZeroAccount,
        PartnerBounds
    }

    /// @dev The walk's state, in memory (too many locals for the stack otherwise).
    struct Walk {
        address[] parties;
        address[] newMes;
        address[] newPartners;
        uint256[] leftOut;
        uint256 partyCount;
        uint256 meCount;
        uint256 partnerCount;
        uint256 leftCount;
        uint256 next; // the next of the active version's parties to walk past
        address account; // the account being folded
        uint256[3] bps; // its partner, operating and value-added shares
        bool known;
        uint256 knownIndex;
        bool meQueued;
        address[] current; // the active version's parties
        EntryScan.Terms terms;
    }

    /// @return r The scan's result (`invalid` and `index` set at the entry a pass stopped at).
    /// @return rule The rule that entry breaks.
    function scan(uint256[] memory entries, address[] memory current, EntryScan.Terms memory terms, bytes32 typehash)
        internal
        pure
        returns (EntryScan.Result memory r, Rule rule)
    {
        uint256 n = entries.length;
        uint256 width = 1;
        while (width < n) width <<= 1;
        r.entryHashes = new bytes32[](n);
        r.leaves = new bytes32[](width);
        for (uint256 i; i < n; ++i) {
            rule = _check(entries, i);
            if (rule != Rule.None) return (_halt(r, i), rule);
            uint256 word = entries[i];
            r.entryHashes[i] =
                keccak256(abi.encode(typehash, address(uint160(word >> 96)), (word >> 16) & 0xff, word & 0xffff));
            r.total += word & 0xffff;
        }
        Walk memory w;
        w.parties = new address[](n);
        w.newMes = new address[](n);
        w.newPartners = new address[](n);
        w.leftOut = new uint256[](current.length);
        w.current = current;
        w.terms = terms;
        for (uint256 i; i < n; ++i) {
            address a = address(uint160(entries[i] >> 96));
            if (i == 0 || a != w.account) {
                if (i != 0) _close(r, w);
                _open(w, a);
            }
            rule = _add(w, a, (entries[i] >> 16) & 0xff, entries[i] & 0xffff, r);
            if (rule != Rule.None) return (_halt(r, i), rule);
        }
        _close(r, w);
        while (w.next < current.length) {
            w.leftOut[w.leftCount++] = w.next++;
        }
        r.parties = _trim(w.parties, w.partyCount);
        r.newMes = _trim(w.newMes, w.meCount);
        r.newPartners = _trim(w.newPartners, w.partnerCount);
        uint256[] memory leftOut = w.leftOut;
        uint256 leftCount = w.leftCount;
        assembly ("memory-safe") {
            mstore(leftOut, leftCount)
        }
        r.leftOut = leftOut;
    }

    /// @dev Pass 1's rules for entry `i`: its form, order and share.
    function _check(uint256[] memory entries, uint256 i) private pure returns (Rule) {
        uint256 word = entries[i];
        if ((word >> 24) & ((uint256(1) << 72) - 1) != 0 || (word >> 16) & 0xff > 3) return Rule.Malformed;
        if (word >> 16 <= (i == 0 ? 0 : entries[i - 1] >> 16)) return Rule.OutOfOrder;
        if (word & 0xffff == 0) return Rule.ZeroShare;
        return Rule.None;
    }

    /// @dev Starts folding `a`: walks the active version's parties below it (left out).
    function _open(Walk memory w, address a) private pure {
        address[] memory current = w.current;
        w.account = a;
        w.bps = [uint256(0), 0, 0];
        w.known = false;
        w.meQueued = false;
        if (a == address(0)) return;
        while (w.next < current.length && current[w.next] < a) {
            w.leftOut[w.leftCount++] = w.next++;
        }
        if (w.next < current.length && current[w.next] == a) {
            w.known = w.terms.standingsUnchanged;
            w.knownIndex = w.next;
            ++w.next;
        }
    }

    /// @dev Adds one entry of the folded account: pass 2's rule it breaks, if any.
    function _add(Walk memory w, address a, uint256 class, uint256 share, EntryScan.Result memory r)
        private
        pure
        returns (Rule)
    {
        EntryScan.Terms memory terms = w.terms;
        if (class == 3) {
            if (a != address(0)) return Rule.DevFundAccount;
            r.devFundBps = share;
            return Rule.None;
        }
        if (a == address(0)) return Rule.ZeroAccount;
        if (class == 0) {
            if (share < terms.partnerMinBps || share > terms.partnerMaxBps) return Rule.PartnerBounds;
            w.bps[0] = share;
            if (!(w.known && (terms.partnerMask >> w.knownIndex) & 1 == 1)) w.newPartners[w.partnerCount++] = a;
            return Rule.None;
        }
        w.bps[class] = share;
        if (w.meQueued) return Rule.None;
        w.meQueued = true;
        if (!(w.known && (terms.meMask >> w.knownIndex) & 1 == 1)) w.newMes[w.meCount++] = a;
        return Rule.None;
    }

    /// @dev Adds the folded account's leaf (the fund, account zero, has none).
    function _close(EntryScan.Result memory r, Walk memory w) private pure {
        address account = w.account;
        if (account == address(0)) return;
        uint256 index = w.partyCount++;
        w.parties[index] = account;
        r.leaves[index] = ShareTrees.leafHash(account, w.bps[0], w.bps[1], w.bps[2]);
        if (w.bps[0] != 0) r.partnerMask |= uint256(1) << index;
        if (w.bps[1] != 0 || w.bps[2] != 0) r.meMask |= uint256(1) << index;
        r.valueAddedBps += w.bps[2];
    }

    function _halt(EntryScan.Result memory r, uint256 i) private pure returns (EntryScan.Result memory) {
        r.invalid = true;
        r.index = i;
        return r;
    }

    function _trim(address[] memory list, uint256 count) private pure returns (address[] memory) {
        assembly ("memory-safe") {
            mstore(list, count)
        }
        return list;
    }
}

/// @notice Differential: the assembly scan and the plain-Solidity one agree on random entries
/// (mostly sorted, from a small pool of accounts with the fund's zero among them, some
/// malformed, repeated, zero, out of bounds) against random active parties and terms: the
/// same entry found invalid (the first a pass stops at), or none, and then every figure,
/// hash, leaf and list.
contract EntryScanTest is TestBase {
    EntryScanHarness internal harness;

    function setUp() public {
        harness = new EntryScanHarness();
    }

    function _account(uint256 k) internal pure returns (address) {
        return k == 0 ? address(0) : address(uint160(uint256(keccak256(abi.encode("entry scan account", k)))));
    }

    /// @dev `n` words from the pool: one time in two clean (well-formed, shares above zero, the
    /// fund's class only at account zero, partners within `[min, max]`, sorted, repeats
    /// dropped), else noisy (anything, sorted three times in four).
    function _words(uint256 seed, uint256 n, uint256 min, uint256 max) internal pure returns (uint256[] memory words) {
        bool clean = seed % 2 == 0;
        words = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, "word", i)));
            uint256 k = r % 7;
            uint256 class = (r >> 8) % 4;
            if (k == 0 && (clean || (r >> 12) % 4 != 0)) class = 3; // the fund, mostly as it should be
            if (clean && k != 0 && class == 3) class = (r >> 12) % 3;
            uint256 share = (r >> 16) % 16 == 0 && !clean ? 0 : 1 + (r >> 24) % 800;
            if (clean && class == 0) share = min + (r >> 24) % (max - min + 1);
            if (share == 0 && clean) share = 1;
            uint256 w = uint256(uint160(_account(k))) << 96 | class << 16 | share;
            if (!clean && (r >> 40) % 32 == 0) w |= uint256(1) << (24 + (r >> 48) % 72); // a reserved bit
            if (!clean && (r >> 56) % 32 == 0) w = (w & ~(uint256(0xff) << 16)) | (4 + (r >> 64) % 252) << 16;
            words[i] = w;
        }
        if (clean || (seed >> 1) % 4 != 0) Sort.words(words);
        if (!clean) return words;
        uint256 m;
        for (uint256 i; i < n; ++i) {
            if (m == 0 || words[i] >> 16 != words[m - 1] >> 16) words[m++] = words[i];
        }
        assembly ("memory-safe") {
            mstore(words, m)
        }
    }

    function _current(uint256 mask) internal pure returns (address[] memory list) {
        list = new address[](6);
        uint256 n;
        for (uint256 k = 1; k <= 6; ++k) {
            if ((mask >> k) & 1 == 1) list[n++] = _account(k);
        }
        assembly ("memory-safe") {
            mstore(list, n)
        }
        for (uint256 i = 1; i < n; ++i) {
            address a = list[i];
            uint256 j = i;
            while (j > 0 && list[j - 1] > a) {
                list[j] = list[j - 1];
                --j;
            }
            list[j] = a;
        }
    }

    /// @notice The generator reaches every outcome (valid, and each rule of either pass the
    /// scan stops at), in 400 draws, each compared as the fuzz test compares them.
    function test_scan_theDrawsReachEveryOutcome() public view {
        uint256[7] memory seen; // by `EntryScanReference.Rule`
        for (uint256 k; k < 400; ++k) {
            uint256 r = uint256(keccak256(abi.encode("draw", k)));
            ++seen[uint256(_compare(r, r >> 8, r >> 16, r >> 24, r >> 32, r >> 40, r >> 48, (r >> 56) & 1 == 1))];
        }
        for (uint256 p; p < seen.length; ++p) {
            assertTrue(seen[p] != 0, string.concat("never drawn: rule ", vm.toString(p)));
        }
        assertTrue(seen[0] >= 40, "too few valid draws");
    }

    /// forge-config: default.fuzz.runs = 1024
    /// forge-config: ci.fuzz.runs = 10000
    function testFuzz_scan_agreesWithThePlainSolidityPass(
        uint256 seed,
        uint256 count,
        uint256 currentMask,
        uint256 min,
        uint256 span,
        uint256 partnerMask,
        uint256 meMask,
        bool unchanged
    ) public view {
        _compare(seed, count, currentMask, min, span, partnerMask, meMask, unchanged);
    }

    function _compare(
        uint256 seed,
        uint256 count,
        uint256 currentMask,
        uint256 min,
        uint256 span,
        uint256 partnerMask,
        uint256 meMask,
        bool unchanged
    ) internal view returns (EntryScanReference.Rule rule) {
        min = bound(min, 1, 500);
        EntryScan.Terms memory terms = EntryScan.Terms(min, min + bound(span, 0, 600), partnerMask, meMask, unchanged);
        uint256[] memory words = _words(seed, bound(count, 1, 12), terms.partnerMinBps, terms.partnerMaxBps);
        address[] memory current = _current(currentMask);
        EntryScan.Result memory got = harness.scan(words, current, terms, Entries.ENTRY_TYPEHASH);
        EntryScan.Result memory want;
        (want, rule) = EntryScanReference.scan(words, current, terms, Entries.ENTRY_TYPEHASH);
        assertEq(got.invalid, want.invalid, "invalid");
        assertEq(got.index, want.index, "invalid entry's index");
        if (want.invalid) return rule;
        assertEq(got.total, want.total, "total");
        assertEq(got.valueAddedBps, want.valueAddedBps, "value-added bps");
        assertEq(got.devFundBps, want.devFundBps, "fund bps");
        assertEq(got.partnerMask, want.partnerMask, "partner mask");
        assertEq(got.meMask, want.meMask, "ME mask");
        assertTrue(keccak256(abi.encode(got.entryHashes)) == keccak256(abi.encode(want.entryHashes)), "entry hashes");
        assertTrue(keccak256(abi.encode(got.leaves)) == keccak256(abi.encode(want.leaves)), "leaves");
        assertTrue(keccak256(abi.encode(got.parties)) == keccak256(abi.encode(want.parties)), "parties");
        assertTrue(keccak256(abi.encode(got.newMes)) == keccak256(abi.encode(want.newMes)), "new MEs");
        assertTrue(keccak256(abi.encode(got.newPartners)) == keccak256(abi.encode(want.newPartners)), "new partners");
        assertTrue(keccak256(abi.encode(got.leftOut)) == keccak256(abi.encode(want.leftOut)), "left out");
    }
}
