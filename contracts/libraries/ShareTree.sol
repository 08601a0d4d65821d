// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SharePath} from "../types/Shares.sol";
import {ShareEntries} from "./ShareEntries.sol";

/// @title ShareTree
/// @notice The commitment a share version keeps on chain instead of its entries: a Merkle root
/// over one leaf per party, sorted by address, in a complete binary tree whose unused leaves
/// are zero. Because the order is fixed and every proof carries its leaf's index, a proof shows
/// not only that a party holds a share but, with the proofs of two neighbouring leaves, that an
/// account holds none: something a claim must be able to show for every version it walks.
/// @dev A party's leaf is built from the EIP-712 struct hashes of its entries, the very hashes
/// its signature covers: the hash of its one entry, or, for a party with several (a partner
/// share beside an ME's, say), `keccak256` of three words, its entries' hashes by class
/// (partner, operating, value-added), zero for a class it lacks. An inner node hashes its left
/// child, then its right: 64 bytes, where a leaf hashes 128 (an entry) or 96, so a leaf can
/// never pass for a node. A proposal reuses the entry hashes it computes for the signatures.
/// `rdh_chain/share_tree.py` builds the same tree.
library ShareTree {
    /// @notice `computeRoot` was given `length` leaves for a tree `width` wide.
    error ShareTreeTooNarrow(uint256 length, uint256 width);

    /// @notice The leaf of `path`'s party.
    function leaf(SharePath calldata path) internal pure returns (bytes32) {
        return leaf(path.account, path.partnerBps, path.operatingBps, path.valueAddedBps);
    }

    /// @notice The leaf of `account` holding the given basis points (zero if it holds none).
    function leaf(address account, uint256 partnerBps, uint256 operatingBps, uint256 valueAddedBps)
        internal
        pure
        returns (bytes32 hash)
    {
        bytes32 typehash = ShareEntries.TYPEHASH;
        // Hashed past the free memory pointer: the preimage of each entry's struct hash, then
        // the three words of a party with several entries.
        assembly ("memory-safe") {
            let m := mload(0x40)
            let byClass := add(m, 0x80)
            let held := 0
            mstore(m, typehash)
            mstore(add(m, 0x20), and(account, 0xffffffffffffffffffffffffffffffffffffffff))
            for { let class := 0 } lt(class, 3) { class := add(class, 1) } {
                let bps := 0
                switch class
                case 0 { bps := and(partnerBps, 0xffff) }
                case 1 { bps := and(operatingBps, 0xffff) }
                default { bps := and(valueAddedBps, 0xffff) }
                let entryHash := 0
                if bps {
                    mstore(add(m, 0x40), class)
                    mstore(add(m, 0x60), bps)
                    entryHash := keccak256(m, 0x80)
                    hash := entryHash
                    held := add(held, 1)
                }
                mstore(add(byClass, shl(5, class)), entryHash)
            }
            if gt(held, 1) { hash := keccak256(byClass, 0x60) }
        }
    }

    /// @notice The tree's depth for `count` leaves: the least `d` with `2**d >= count`.
    function depth(uint256 count) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < count) ++d;
    }

    /// @notice Whether `path` is leaf `path.index` of the `count`-leaf tree with `root`.
    function verify(bytes32 root, uint256 count, SharePath calldata path) internal pure returns (bool) {
        uint256 index = path.index;
        if (index >= count || path.siblings.length != depth(count)) return false;
        bytes32 node = leaf(path);
        for (uint256 i; i < path.siblings.length; ++i) {
            bytes32 sibling = path.siblings[i];
            node = index & 1 == 0 ? _hashPair(node, sibling) : _hashPair(sibling, node);
            index >>= 1;
        }
        return node == root;
    }

    /// @notice The root over `leaves` (in place: the array is overwritten level by level).
    /// @dev `leaves` must be allocated `1 << depth(count)` wide, its unused leaves zero. Each
    /// pair is hashed where it lies in memory: a proposal hashes up to 255 of them.
    function computeRoot(bytes32[] memory leaves, uint256 count) internal pure returns (bytes32 root) {
        uint256 width = uint256(1) << depth(count);
        if (leaves.length < width) revert ShareTreeTooNarrow(leaves.length, width);
        assembly ("memory-safe") {
            let nodes := add(leaves, 0x20)
            // Node i of the level above is the hash of nodes 2i and 2i + 1, which no node
            // written before it on this level overwrote.
            for { let end := add(nodes, shl(5, width)) } gt(end, add(nodes, 0x20)) {} {
                let to := nodes
                for { let from := nodes } lt(from, end) { from := add(from, 0x40) } {
                    mstore(to, keccak256(from, 0x40))
                    to := add(to, 0x20)
                }
                end := to
            }
            root := mload(nodes)
        }
    }

    function _hashPair(bytes32 left, bytes32 right) private pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            hash := keccak256(0x00, 0x40)
        }
    }
}
