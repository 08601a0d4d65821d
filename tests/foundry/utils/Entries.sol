// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ShareEntries} from "../../../contracts/libraries/ShareEntries.sol";
import {ShareClass, ShareEntry} from "../../../contracts/types/Shares.sol";

/// @notice Share entries in the two forms the tests meet: the typed-data form the parties
/// sign (`ShareEntry`) and the packed words proposals pass and `VersionProposed` carries
/// (`ShareEntries`: account in bits 96-255, class in bits 16-23, bps in bits 0-15, the bits
/// between zero). Packing uses the contracts' `ShareEntries.pack`; unpacking and the EIP-712
/// hash are restated here, independently of the EMC.
library Entries {
    bytes32 internal constant ENTRY_TYPEHASH = keccak256("ShareEntry(address account,uint8 shareClass,uint16 bps)");

    /// @notice The bits of a word that must be zero (24-95), restated.
    uint256 internal constant RESERVED_BITS = ((uint256(1) << 96) - 1) ^ ((uint256(1) << 24) - 1);

    function pack(ShareEntry[] memory entries) internal pure returns (uint256[] memory words) {
        words = new uint256[](entries.length);
        for (uint256 i; i < entries.length; ++i) {
            words[i] = ShareEntries.pack(entries[i]);
        }
    }

    /// @notice The entries of well-formed `words` (a class above `DevFund` panics).
    function unpack(uint256[] memory words) internal pure returns (ShareEntry[] memory entries) {
        entries = new ShareEntry[](words.length);
        for (uint256 i; i < words.length; ++i) {
            uint256 w = words[i];
            entries[i] = ShareEntry(address(uint160(w >> 96)), ShareClass(uint8(w >> 16)), uint16(w));
        }
    }

    /// @notice The EIP-712 hash of `entries` as a `ShareEntry[]` member of the typed data:
    /// each entry's struct hash, in order, hashed together.
    function hash(ShareEntry[] memory entries) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](entries.length);
        for (uint256 i; i < entries.length; ++i) {
            hashes[i] =
                keccak256(abi.encode(ENTRY_TYPEHASH, entries[i].account, uint8(entries[i].class), entries[i].bps));
        }
        return keccak256(abi.encodePacked(hashes));
    }

    /// @notice The order key of a word: account and class (`word >> 16`).
    function key(uint256 word) internal pure returns (uint256) {
        return word >> 16;
    }
}
