// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "./Vm.sol";

/// @notice Packs the parties' signatures as `activateVersion` takes them, the way a Safe packs
/// its owners' (restated from `Signatures.packedSigner`, not using it): per signer, sorted by
/// signer, a fixed part of 65 bytes `r | s | v`: for an EOA its ECDSA signature (`v` 27 or
/// 28); for an ERC-1271 wallet `r` = the wallet (left-padded), `s` = the offset, from the start
/// of the packed bytes, of its data (a 32-byte length, then the bytes the wallet checks), `v`
/// 0. The data parts follow the fixed parts, in signer order, each where the previous ended.
library PackedSignatures {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 internal constant FIXED = 65;
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /// @notice One signer's signature. `v` 0: a contract wallet's, `data` what it checks.
    struct Signature {
        address signer;
        uint8 v;
        bytes32 r;
        bytes32 s;
        bytes data;
    }

    /// @notice `key`'s ECDSA signature of `digest` (forge signs with low s).
    function ecdsa(uint256 key, bytes32 digest) internal pure returns (Signature memory sig) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        sig = Signature(vm.addr(key), v, r, s, "");
    }

    /// @notice The address of `key`.
    function ecdsaAddress(uint256 key) internal pure returns (address) {
        return vm.addr(key);
    }

    /// @notice A contract signature of `wallet`: `data` goes to its `isValidSignature`.
    function contractSig(address wallet, bytes memory data) internal pure returns (Signature memory sig) {
        sig = Signature(wallet, 0, bytes32(uint256(uint160(wallet))), 0, data);
    }

    /// @notice The ECDSA signature `key` makes of `digest` for a wallet that key owns (what
    /// `TestWallet` accepts), as the wallet's contract signature.
    function walletSig(address wallet, uint256 key, bytes32 digest) internal pure returns (Signature memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return contractSig(wallet, abi.encodePacked(r, s, v));
    }

    /// @notice A party's signature of `digest`: a wallet's contract signature by its owner
    /// `key`, else `key`'s ECDSA signature.
    function partySig(address party, uint256 key, bool wallet, bytes32 digest)
        internal
        pure
        returns (Signature memory)
    {
        return wallet ? walletSig(party, key, digest) : ecdsa(key, digest);
    }

    /// @notice The same signature with `s` replaced by `n - s` and `v` flipped: it recovers to
    /// the same key, but OpenZeppelin's ECDSA refuses it (malleable).
    function highS(Signature memory sig) internal pure returns (Signature memory) {
        return Signature(sig.signer, sig.v == 27 ? 28 : 27, sig.r, bytes32(SECP256K1_N - uint256(sig.s)), "");
    }

    /// @notice Sorts `list` by signer, ascending (insertion sort; the lists are short).
    function sort(Signature[] memory list) internal pure {
        for (uint256 i = 1; i < list.length; ++i) {
            Signature memory current = list[i];
            uint256 j = i;
            while (j > 0 && list[j - 1].signer > current.signer) {
                list[j] = list[j - 1];
                --j;
            }
            list[j] = current;
        }
    }

    /// @notice `list` packed in its order (see the contract's notice).
    function pack(Signature[] memory list) internal pure returns (bytes memory fixedParts) {
        bytes memory data;
        uint256 end = list.length * FIXED;
        for (uint256 i; i < list.length; ++i) {
            Signature memory sig = list[i];
            if (sig.v == 0) {
                fixedParts = abi.encodePacked(fixedParts, sig.r, end + data.length, uint8(0));
                data = abi.encodePacked(data, sig.data.length, sig.data);
            } else {
                fixedParts = abi.encodePacked(fixedParts, sig.r, sig.s, sig.v);
            }
        }
        return bytes.concat(fixedParts, data);
    }

    /// @notice `list` sorted by signer, then packed.
    function sortAndPack(Signature[] memory list) internal pure returns (bytes memory) {
        sort(list);
        return pack(list);
    }

    /// @notice Every key's ECDSA signature of `digest`, sorted by signer, packed.
    function signAll(uint256[] memory keys, bytes32 digest) internal pure returns (bytes memory) {
        Signature[] memory list = new Signature[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            list[i] = ecdsa(keys[i], digest);
        }
        return sortAndPack(list);
    }

    /// @notice Overwrites the 32 bytes of `packed` at `offset` with `word`.
    function setWord(bytes memory packed, uint256 offset, bytes32 word) internal pure {
        require(offset + 32 <= packed.length, "setWord: out of range");
        assembly ("memory-safe") {
            mstore(add(add(packed, 0x20), offset), word)
        }
    }

    /// @notice The fixed part of signature `index`: `r` at `index * 65`, `s` 32 bytes on.
    function rAt(uint256 index) internal pure returns (uint256) {
        return index * FIXED;
    }

    function sAt(uint256 index) internal pure returns (uint256) {
        return index * FIXED + 32;
    }
}
