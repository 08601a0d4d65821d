// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PartyRoles, ShareClass, ShareEntry, SharePath, ShareProof} from "../../../contracts/types/Shares.sol";
import {Entries} from "./Entries.sol";

/// @notice A share version's tree built in the tests from its entries, as a party or the SDK
/// (`rdh_chain/share_tree.py`) builds it, independently of `ShareTree`: one leaf per party
/// (every account but the development fund), sorted by address, in a complete binary tree
/// padded with zero leaves; a party's leaf is built from the EIP-712 struct hashes of its
/// entries, `keccak256(abi.encode(ENTRY_TYPEHASH, account, classCode, bps))`: its one entry's
/// hash, or, for a party with several, `keccak256` of three words, its partner (class 0),
/// operating (1) and value-added (2) entries' hashes, zero for a class it lacks; inner node
/// `keccak256(left, right)`. From it come
/// the version's `sharesRoot`, its parties' roles and `partiesHash`, each party's path, and
/// each account's proof (its own leaf, or the parties just below and just above it).
library ShareTrees {
    /// @notice One party's folded shares.
    struct Leaf {
        address account;
        uint16 partnerBps;
        uint16 operatingBps;
        uint16 valueAddedBps;
    }

    /// @notice The tree: its leaves and every level's hashes (level 0: the padded leaves).
    struct Tree {
        Leaf[] leaves;
        bytes32[][] levels;
        bytes32 root;
    }

    /// @notice The parties of `entries` (canonical order: by account, then class), folded.
    function leavesOf(ShareEntry[] memory entries) internal pure returns (Leaf[] memory leaves) {
        leaves = new Leaf[](entries.length);
        uint256 n;
        for (uint256 i; i < entries.length; ++i) {
            ShareEntry memory e = entries[i];
            if (e.class == ShareClass.DevFund) continue;
            if (n == 0 || leaves[n - 1].account != e.account) leaves[n++].account = e.account;
            Leaf memory l = leaves[n - 1];
            if (e.class == ShareClass.Partner) l.partnerBps = e.bps;
            else if (e.class == ShareClass.Operating) l.operatingBps = e.bps;
            else l.valueAddedBps = e.bps;
        }
        assembly ("memory-safe") {
            mstore(leaves, n)
        }
    }

    function build(ShareEntry[] memory entries) internal pure returns (Tree memory) {
        return build(leavesOf(entries));
    }

    /// @notice The tree of packed entries (`ShareEntries` words, as `VersionProposed` carries
    /// them), decoded by `Entries.unpack`.
    function build(uint256[] memory words) internal pure returns (Tree memory) {
        return build(leavesOf(Entries.unpack(words)));
    }

    /// @notice The tree over `leaves` (sorted by account, distinct, none zero).
    function build(Leaf[] memory leaves) internal pure returns (Tree memory t) {
        t.leaves = leaves;
        uint256 d = depth(leaves.length);
        t.levels = new bytes32[][](d + 1);
        bytes32[] memory level = new bytes32[](uint256(1) << d);
        for (uint256 i; i < leaves.length; ++i) {
            level[i] = leafHash(leaves[i]);
        }
        t.levels[0] = level;
        for (uint256 k = 1; k <= d; ++k) {
            bytes32[] memory below = level;
            level = new bytes32[](below.length / 2);
            for (uint256 i; i < level.length; ++i) {
                level[i] = keccak256(abi.encodePacked(below[2 * i], below[2 * i + 1]));
            }
            t.levels[k] = level;
        }
        t.root = level[0];
    }

    function leafHash(Leaf memory l) internal pure returns (bytes32) {
        return leafHash(l.account, l.partnerBps, l.operatingBps, l.valueAddedBps);
    }

    /// @notice The leaf of `account` holding the given basis points (at least one of them
    /// above zero, as every party's are).
    function leafHash(address account, uint256 partnerBps, uint256 operatingBps, uint256 valueAddedBps)
        internal
        pure
        returns (bytes32)
    {
        bytes32[3] memory byClass = [
            entryHash(account, 0, partnerBps), entryHash(account, 1, operatingBps), entryHash(account, 2, valueAddedBps)
        ];
        uint256 held;
        bytes32 only;
        for (uint256 c; c < 3; ++c) {
            if (byClass[c] == bytes32(0)) continue;
            ++held;
            only = byClass[c];
        }
        return held == 1 ? only : keccak256(abi.encode(byClass));
    }

    /// @notice The EIP-712 struct hash of `account`'s entry of class code `class`, or zero if
    /// it holds no share of that class.
    function entryHash(address account, uint256 class, uint256 bps) internal pure returns (bytes32) {
        if (bps == 0) return bytes32(0);
        return keccak256(abi.encode(Entries.ENTRY_TYPEHASH, account, class, bps));
    }

    /// @notice The least `d` with `2**d >= count`.
    function depth(uint256 count) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < count) ++d;
    }

    function parties(Tree memory t) internal pure returns (address[] memory accounts) {
        accounts = new address[](t.leaves.length);
        for (uint256 i; i < accounts.length; ++i) {
            accounts[i] = t.leaves[i].account;
        }
    }

    /// @notice Which parties hold which kinds of share: bit `i` of `partnerMask` for party `i`
    /// with a partner share, of `meMask` with an operating or value-added one.
    function roles(Tree memory t) internal pure returns (PartyRoles memory r) {
        for (uint256 i; i < t.leaves.length; ++i) {
            Leaf memory l = t.leaves[i];
            if (l.partnerBps != 0) r.partnerMask |= uint256(1) << i;
            if (l.operatingBps != 0 || l.valueAddedBps != 0) r.meMask |= uint256(1) << i;
        }
    }

    /// @notice What a version's `partiesHash` commits to: the party list's hash and their roles,
    /// `keccak256(abi.encode(keccak256(abi.encodePacked(parties)), partnerMask, meMask))`.
    function partiesHash(Tree memory t) internal pure returns (bytes32) {
        PartyRoles memory r = roles(t);
        return keccak256(abi.encode(keccak256(abi.encodePacked(parties(t))), r.partnerMask, r.meMask));
    }

    /// @notice Whether `account` is a party, and its index (else the index of the first party
    /// above it: the number of parties below).
    function find(Tree memory t, address account) internal pure returns (bool found, uint256 index) {
        while (index < t.leaves.length && t.leaves[index].account < account) ++index;
        found = index < t.leaves.length && t.leaves[index].account == account;
    }

    /// @notice Party `index`'s path to the root.
    function path(Tree memory t, uint256 index) internal pure returns (SharePath memory p) {
        Leaf memory l = t.leaves[index];
        p.index = index;
        p.account = l.account;
        p.partnerBps = l.partnerBps;
        p.operatingBps = l.operatingBps;
        p.valueAddedBps = l.valueAddedBps;
        p.siblings = new bytes32[](t.levels.length - 1);
        uint256 pos = index;
        for (uint256 k; k < p.siblings.length; ++k) {
            p.siblings[k] = t.levels[k][pos ^ 1];
            pos >>= 1;
        }
    }

    /// @notice `account`'s path if it is a party, else the empty path (account zero).
    function partyPath(Tree memory t, address account) internal pure returns (SharePath memory p) {
        (bool found, uint256 index) = find(t, account);
        if (found) return path(t, index);
        p.siblings = new bytes32[](0);
    }

    /// @notice What `account` holds in the version: its own leaf, or the neighbouring leaves
    /// with no party between them (account zero for a missing neighbour).
    function proof(Tree memory t, address account) internal pure returns (ShareProof memory pr) {
        (bool found, uint256 index) = find(t, account);
        pr.next.siblings = new bytes32[](0);
        if (found) {
            pr.path = path(t, index);
            return pr;
        }
        pr.path.siblings = new bytes32[](0);
        if (index != 0) pr.path = path(t, index - 1);
        if (index < t.leaves.length) pr.next = path(t, index);
    }

    /// @notice The absence proof for `account` that skips its own leaf (the parties around
    /// it, not adjacent): what a party that wants to hide its share would show.
    function skippingProof(Tree memory t, address account) internal pure returns (ShareProof memory pr) {
        (, uint256 index) = find(t, account);
        pr.path.siblings = new bytes32[](0);
        pr.next.siblings = new bytes32[](0);
        if (index != 0) pr.path = path(t, index - 1);
        if (index + 1 < t.leaves.length) pr.next = path(t, index + 1);
    }

    /// @notice Whether `p` hashes up to `root` as leaf `p.index` of a `count`-leaf tree
    /// (restated for the tests; the EMC's is `ShareTree.verify`).
    function verify(bytes32 root, uint256 count, SharePath memory p) internal pure returns (bool) {
        if (p.index >= count || p.siblings.length != depth(count)) return false;
        bytes32 node = leafHash(p.account, p.partnerBps, p.operatingBps, p.valueAddedBps);
        uint256 pos = p.index;
        for (uint256 k; k < p.siblings.length; ++k) {
            node = pos & 1 == 0
                ? keccak256(abi.encodePacked(node, p.siblings[k]))
                : keccak256(abi.encodePacked(p.siblings[k], node));
            pos >>= 1;
        }
        return node == root;
    }

    /// @notice A deep copy of `p` (so a tampered copy leaves the original alone).
    function copy(SharePath memory p) internal pure returns (SharePath memory c) {
        c = SharePath(p.index, p.account, p.partnerBps, p.operatingBps, p.valueAddedBps, new bytes32[](p.siblings.length));
        for (uint256 i; i < p.siblings.length; ++i) {
            c.siblings[i] = p.siblings[i];
        }
    }

    function copy(ShareProof memory p) internal pure returns (ShareProof memory) {
        return ShareProof(copy(p.path), copy(p.next));
    }
}
