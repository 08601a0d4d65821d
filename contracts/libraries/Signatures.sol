// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title Signatures
/// @notice Checks a wallet's signature of an EIP-712 digest: an EOA's ECDSA signature, or one
/// that an ERC-1271 contract wallet (a Safe, say) accepts. Also reads the signers of a packed
/// list of signatures, laid out as a Safe lays out its owners' signatures.
library Signatures {
    /// @notice Bytes of each signature's fixed part in a packed list: `r`, `s`, then `v`.
    uint256 internal constant PACKED_LENGTH = 65;
    /// @dev secp256k1n / 2: a larger `s` is the malleable twin of a valid signature (EIP-2);
    /// OpenZeppelin's ECDSA refuses it too.
    uint256 private constant _HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice What is wrong with a signature of a packed list, if anything.
    enum PackedError {
        None,
        Encoding, // a contract signature whose signer or data is not where the layout says
        Invalid // an ECDSA signature that recovers to nobody, or one the wallet refuses
    }

    /// @dev ECDSA first, ERC-1271 only if that fails: a wallet's own key pays no code-size
    /// lookup (2,600 gas per signer). OpenZeppelin's ECDSA rejects high-s signatures.
    function isValid(address signer, bytes32 digest, bytes calldata signature) internal view returns (bool) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature);
    }

    /// @notice Recovers the signers of the packed list `signatures` (see `packedSigner`) into
    /// `signers`, from index `from` on, while they are ECDSA signatures of `digest` by signers
    /// in strictly increasing order; returns the index of the first one it did not take (a
    /// contract wallet's, one that recovers to nobody or a signer out of order), or
    /// `signers.length`. `packedSigner` then reads or names that one.
    /// @dev The caller checks that `signatures` holds `signers.length` fixed parts. This is
    /// OpenZeppelin's `ECDSA.tryRecover` (`v` 27 or 28, low `s`, a nonzero signer) without the
    /// call per signature: an activation runs it for up to 256 parties, 3,000 gas of each for
    /// the precompile and a few hundred for the rest.
    function recoverSorted(bytes calldata signatures, address[] memory signers, uint256 from, bytes32 digest)
        internal
        view
        returns (uint256 i)
    {
        assembly ("memory-safe") {
            let count := mload(signers)
            let out := add(signers, 0x20)
            let previous := 0
            if from { previous := mload(add(out, shl(5, sub(from, 1)))) }
            // The precompile's input, (digest, v, r, s), past the free memory pointer.
            let m := mload(0x40)
            mstore(m, digest)
            for { i := from } lt(i, count) { i := add(i, 1) } {
                let at := add(signatures.offset, mul(i, PACKED_LENGTH))
                let v := byte(0, calldataload(add(at, 0x40)))
                let s := calldataload(add(at, 0x20))
                // v 0 (a wallet's) or any v the precompile refuses is left to packedSigner.
                if or(iszero(or(eq(v, 27), eq(v, 28))), gt(s, _HALF_ORDER)) { break }
                mstore(add(m, 0x20), v)
                mstore(add(m, 0x40), calldataload(at))
                mstore(add(m, 0x60), s)
                mstore(0x00, 0)
                pop(staticcall(gas(), 0x01, m, 0x80, 0x00, 0x20))
                let signer := mload(0x00)
                // Zero (recovers to nobody) or not above the previous signer: not taken here.
                if iszero(gt(signer, previous)) { break }
                mstore(add(out, shl(5, i)), signer)
                previous := signer
            }
        }
    }

    /// @notice The signer of signature `index` of the packed list `signatures`, of `digest`.
    /// Each signer has a fixed part of `PACKED_LENGTH` bytes, in order, then come the data of
    /// the contract signatures. `v` 27 or 28: an ECDSA signature (`r`, `s`, `v`) by the key it
    /// recovers to. `v` 0: an ERC-1271 signature of the wallet `r`, whose data (a 32-byte
    /// length, then the bytes) starts at offset `s`, which must be `end`: where the data of
    /// the contract signature before it ended, or the fixed parts' end for the first one.
    /// @dev The caller checks that `signatures` holds every fixed part. The signer is recovered
    /// rather than given, so the list carries 65 bytes a signer, and a valid signature of
    /// anything else recovers to an address that is not a party.
    /// @return signer The signer; zero if it is not known (an `Encoding` problem, or an ECDSA
    /// signature that recovers to nobody).
    /// @return next Where this signature's data ends: `end` for an ECDSA signature.
    function packedSigner(bytes calldata signatures, uint256 index, uint256 end, bytes32 digest)
        internal
        view
        returns (address signer, uint256 next, PackedError problem)
    {
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            let at := add(signatures.offset, mul(index, PACKED_LENGTH))
            r := calldataload(at)
            s := calldataload(add(at, 0x20))
            v := byte(0, calldataload(add(at, 0x40)))
        }
        if (v != 0) {
            ECDSA.RecoverError err;
            (signer, err,) = ECDSA.tryRecover(digest, v, r, s);
            if (err != ECDSA.RecoverError.NoError) return (address(0), end, PackedError.Invalid);
            return (signer, end, PackedError.None);
        }
        uint256 start = uint256(s) + 32;
        if (uint256(r) >> 160 != 0 || uint256(s) != end || signatures.length < start) {
            return (address(0), end, PackedError.Encoding);
        }
        uint256 length = uint256(bytes32(signatures[end:start]));
        if (signatures.length - start < length) return (address(0), end, PackedError.Encoding);
        signer = address(uint160(uint256(r)));
        next = start + length;
        if (!SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signatures[start:next])) {
            return (signer, end, PackedError.Invalid);
        }
        return (signer, next, PackedError.None);
    }
}
