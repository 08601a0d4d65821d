// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The EMC's EIP-712 typed data built from README's type strings, not read from the
/// EMC: what a wallet or the SDK signs. The parties and the auditor sign these, so a contract
/// whose typed data drifted from the documented one would refuse the signatures.
library TypedData {
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant VERSION_TYPEHASH = keccak256(
        "ShareVersion(uint256 versionId,ShareEntry[] entries,bytes32 documentHash,uint256 nonce,uint256 deadline)ShareEntry(address account,uint8 shareClass,uint16 bps)"
    );

    function domainSeparator(address emc) internal view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("rdh-chain EMC"), keccak256("1"), block.chainid, emc));
    }

    function digest(address emc, bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(emc), structHash));
    }

    /// @notice The struct hash of a `ShareVersion` (what a version's `structHash` keeps).
    function versionStructHash(
        uint256 versionId,
        bytes32 entriesHash,
        bytes32 documentHash,
        uint256 nonce,
        uint256 deadline
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(VERSION_TYPEHASH, versionId, entriesHash, documentHash, nonce, deadline));
    }
}
