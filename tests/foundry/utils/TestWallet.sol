// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A minimal ERC-1271 contract wallet for the tests: it accepts a 65-byte ECDSA
/// signature `r | s | v` of the hash by its owner key (low s, as OpenZeppelin's ECDSA wants),
/// and refuses everything once `refuse(true)` was called.
contract TestWallet {
    bytes4 internal constant MAGIC = 0x1626ba7e; // isValidSignature(bytes32,bytes)
    uint256 internal constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    address public immutable owner;
    bool public refusing;

    constructor(address owner_) {
        owner = owner_;
    }

    function refuse(bool on) external {
        refusing = on;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (refusing || signature.length != 65) return 0xffffffff;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > HALF_N) return 0xffffffff;
        address signer = ecrecover(hash, v, r, s);
        return signer != address(0) && signer == owner ? MAGIC : bytes4(0xffffffff);
    }
}
