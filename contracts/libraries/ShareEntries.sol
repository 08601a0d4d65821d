// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ShareClass, ShareEntry} from "../types/Shares.sol";

/// @title ShareEntries
/// @notice A share entry packed into one word, as proposals pass and `VersionProposed` events
/// carry them: `account` in bits 96-255, `class` in bits 16-23, `bps` in bits 0-15, the bits
/// between zero. A version's entries are sorted by account, then class: as words, strictly
/// increasing `key`s. One word is a third of the calldata, the event data and the decoding
/// of an ABI-encoded `ShareEntry`; the typed data the parties sign lists `ShareEntry`s as before.
/// @dev `rdh_chain/types.py` (`ShareEntry.pack`) packs the same words.
library ShareEntries {
    /// @notice The EIP-712 type hash of a `ShareEntry`, as the parties sign a version's entries.
    bytes32 internal constant TYPEHASH = keccak256("ShareEntry(address account,uint8 shareClass,uint16 bps)");

    /// @notice The bits of an entry that must be zero.
    uint256 internal constant RESERVED = ((uint256(1) << 72) - 1) << 24;

    /// @notice Packs `entry`.
    function pack(ShareEntry memory entry) internal pure returns (uint256) {
        return uint256(uint160(entry.account)) << 96 | uint256(entry.class) << 16 | entry.bps;
    }

    /// @notice The account and class of `entry`: what orders entries and must not repeat.
    function key(uint256 entry) internal pure returns (uint256) {
        return entry >> 16;
    }

    function account(uint256 entry) internal pure returns (address) {
        return address(uint160(entry >> 96));
    }

    /// @dev The class's code; a valid one is at most `ShareClass.DevFund`.
    function classCode(uint256 entry) internal pure returns (uint256) {
        return (entry >> 16) & 0xff;
    }

    function bps(uint256 entry) internal pure returns (uint256) {
        return entry & 0xffff;
    }

    /// @notice Whether `entry` is a well-formed word: reserved bits zero, a known class.
    function isWellFormed(uint256 entry) internal pure returns (bool) {
        return entry & RESERVED == 0 && classCode(entry) <= uint256(ShareClass.DevFund);
    }
}
