// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title Signatures
/// @notice Checks a wallet's signature of an EIP-712 digest: an EOA's ECDSA signature, or one
/// that an ERC-1271 contract wallet (a Safe, say) accepts.
library Signatures {
    /// @dev ECDSA first, ERC-1271 only if that fails: a wallet's own key pays no code-size
    /// lookup (2,600 gas per signer). OpenZeppelin's ECDSA rejects high-s signatures.
    function isValid(address signer, bytes32 digest, bytes calldata signature) internal view returns (bool) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature);
    }
}
