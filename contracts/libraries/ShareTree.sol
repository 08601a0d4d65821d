// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SharePath} from "../types/Shares.sol";

/// @title ShareTree
/// @notice The commitment a share version keeps on chain instead of its entries: a Merkle root
/// over one leaf per party, sorted by address, in a complete binary tree whose unused leaves
/// are zero. Because the order is fixed and every proof carries its leaf's index, a proof shows
/// not only that a party holds a share but, with the proofs of two neighbouring leaves, that an
/// account holds none: something a claim must be able to show for every version it walks.
/// @dev Leaves are `keccak256(abi.encode(account, partnerBps, operatingBps, valueAddedBps))`
/// (128 bytes hashed, so no leaf can pass for an inner node's 64); an inner node hashes its
/// left child, then its right. `rdh_chain/share_tree.py` builds the same tree.
library ShareTree {
    /// @notice `computeRoot` was given `length` leaves for a tree `width` wide.
    error ShareTreeTooNarrow(uint256 length, uint256 width);

    /// @notice The leaf of `path`'s party.
    function leaf(SharePath calldata path) internal pure returns (bytes32) {
        return keccak256(abi.encode(path.account, path.partnerBps, path.operatingBps, path.valueAddedBps));
    }

    /// @notice The leaf of `account` holding the given basis points.
    function leaf(address account, uint256 partnerBps, uint256 operatingBps, uint256 valueAddedBps)
        internal
        pure
        returns (bytes32 hash)
    {
        // `abi.encode` of the same four words, hashed past the free memory pointer: a
        // proposal hashes a leaf per party and would otherwise leave 128 bytes behind each.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, and(account, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(m, 0x20), and(partnerBps, 0xffff))
            mstore(add(m, 0x40), and(operatingBps, 0xffff))
            mstore(add(m, 0x60), and(valueAddedBps, 0xffff))
            hash := keccak256(m, 0x80)
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
            for {} gt(width, 1) {} {
                width := shr(1, width)
                // Node i of the level above is the hash of nodes 2i and 2i + 1, which no
                // node written before it on this level overwrote.
                for { let i := 0 } lt(i, width) { i := add(i, 1) } {
                    mstore(add(nodes, shl(5, i)), keccak256(add(nodes, shl(6, i)), 0x40))
                }
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
