"""ECDSA signatures as wallets return them, normalized to the form the contracts verify.

The EMC checks signatures with OpenZeppelin's ``ECDSA``: 65 bytes ``r || s || v`` with
``v`` 27 or 28 and ``s`` in the lower half of the curve order. Wallets do not all answer
that way: some hardware wallets give ``v`` as the bare recovery id (0 or 1), and EIP-2098
wallets a 64-byte compact signature ``r || yParityAndS``. Both are rewritten, not refused;
a high-``s`` signature (malleable: its twin with ``n - s`` verifies too) is refused, since
the contract would refuse it.

A contract wallet (a Safe, say) signs with ERC-1271 instead: whatever bytes its
``isValidSignature`` accepts; :func:`contract_accepts` asks it, as the EMC does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_keys.constants import SECPK1_N
from eth_keys.datatypes import Signature
from eth_keys.exceptions import BadSignature
from eth_typing import ChecksumAddress
from eth_utils.exceptions import ValidationError as KeysValidationError
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError

from rdh_chain.agreements import typed_data_digest
from rdh_chain.exceptions import InvalidSignatureError

# The order of secp256k1's group; a valid ``s`` is at most half of it (EIP-2).
SECP256K1_N: int = SECPK1_N
_HALF_N = SECP256K1_N // 2
_S_MASK = (1 << 255) - 1
# The most bytes taken as one contract wallet's signature: a Safe's is 65 bytes an owner, so
# this covers a Safe of 31.
MAX_CONTRACT_SIGNATURE_BYTES = 2_048
# ``isValidSignature(bytes32,bytes)``'s selector, which it returns to accept (ERC-1271).
_ERC1271_MAGIC = bytes.fromhex("1626ba7e")
# The most gas an off-chain check lets a wallet's ``isValidSignature`` use: a Safe's of 31
# owners takes about 250,000; the bound keeps a wallet named by anybody (a sign-in message
# names any address) from holding the node for a whole block's gas.
CONTRACT_CHECK_GAS = 1_000_000


def signature_bytes(signature: str | bytes) -> bytes:
    """A signature given as 0x-hex text (or bytes) as bytes; refuses anything else."""
    if isinstance(signature, bytes):
        return signature
    text = signature.strip()
    if not text.startswith(("0x", "0X")):
        raise InvalidSignatureError(
            "The signature must be 0x-prefixed hex (what eth_signTypedData_v4 returns)."
        )
    try:
        return bytes.fromhex(text[2:])
    except ValueError as exc:
        raise InvalidSignatureError(
            "The signature is not hex: send the 0x-prefixed string the wallet returned."
        ) from exc


def normalize_signature(signature: str | bytes) -> bytes:
    """``signature`` as the 65 bytes ``r || s || v`` (``v`` 27 or 28) the contracts verify.

    Takes 65-byte signatures with ``v`` 27/28 (as they are) or 0/1 (the recovery id, as
    some hardware wallets return it), and 64-byte EIP-2098 compact signatures. Raises
    :class:`InvalidSignatureError` for any other length or ``v``, a zero or out-of-range
    ``r`` or ``s``, and a high ``s``.
    """
    raw = signature_bytes(signature)
    if len(raw) == 65:
        r, s, v = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]
        if v in (0, 1):
            v += 27
        elif v not in (27, 28):
            raise InvalidSignatureError(
                f"The signature's v byte is {v}; a wallet signs with 27 or 28 (or 0 or 1). "
                "Sign again with eth_signTypedData_v4 and send what the wallet returns."
            )
    elif len(raw) == 64:
        r = int.from_bytes(raw[:32], "big")
        parity_and_s = int.from_bytes(raw[32:], "big")
        s, v = parity_and_s & _S_MASK, 27 + (parity_and_s >> 255)
    else:
        raise InvalidSignatureError(
            f"The signature is {len(raw)} bytes; a wallet's signature is 65 bytes "
            "(r, s, v) or 64 (EIP-2098 compact). Send the whole 0x-string the wallet returned."
        )
    if not 0 < r < SECP256K1_N or not 0 < s < SECP256K1_N:
        raise InvalidSignatureError(
            "The signature's r or s is out of range: it is no secp256k1 signature."
        )
    if s > _HALF_N:
        raise InvalidSignatureError(
            "The signature has a high s value (EIP-2), which the contracts refuse as "
            "malleable; sign again with a wallet that produces canonical signatures."
        )
    return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v])


def compact_signature(signature: str | bytes) -> bytes:
    """``signature`` in its 64-byte EIP-2098 form (``r || yParityAndS``)."""
    full = normalize_signature(signature)
    parity_and_s = int.from_bytes(full[32:64], "big") | ((full[64] - 27) << 255)
    return full[:32] + parity_and_s.to_bytes(32, "big")


def recover_signer(digest: bytes, signature: str | bytes) -> ChecksumAddress:
    """The address whose key signed the 32-byte ``digest`` (after normalizing ``signature``)."""
    full = normalize_signature(signature)
    r, s = int.from_bytes(full[:32], "big"), int.from_bytes(full[32:64], "big")
    try:
        key = Signature(vrs=(full[64] - 27, r, s)).recover_public_key_from_msg_hash(digest)
    except (BadSignature, KeysValidationError) as exc:
        raise InvalidSignatureError(
            "No key recovers from this signature; sign the typed data again."
        ) from exc
    return ChecksumAddress(key.to_checksum_address())


def recover_typed_data_signer(
    typed_data: Mapping[str, Any], signature: str | bytes
) -> ChecksumAddress:
    """The address that signed ``typed_data`` (``eth_signTypedData_v4``) with ``signature``."""
    return recover_signer(typed_data_digest(dict(typed_data)), signature)


__all__ = [
    "SECP256K1_N",
    "compact_signature",
    "normalize_signature",
    "recover_signer",
    "recover_typed_data_signer",
    "signature_bytes",
]


def contract_accepts(w3: Web3, wallet: ChecksumAddress, digest: bytes, signature: bytes) -> bool:
    """Whether ``wallet`` is a contract whose ERC-1271 ``isValidSignature(digest, signature)``
    answers the magic value, as OpenZeppelin's ``SignatureChecker`` asks it (an account
    without code, a revert, running out of ``CONTRACT_CHECK_GAS`` or any other answer:
    no)."""
    if len(signature) > MAX_CONTRACT_SIGNATURE_BYTES or not w3.eth.get_code(wallet):
        return False
    data = _ERC1271_MAGIC + abi_encode(["bytes32", "bytes"], [digest, signature])
    try:
        answer = bytes(w3.eth.call({"to": wallet, "data": data, "gas": CONTRACT_CHECK_GAS}))
    except (ContractLogicError, Web3RPCError):  # it reverted, or the node's EVM stopped it
        return False
    return len(answer) >= 32 and answer[:32] == _ERC1271_MAGIC + bytes(28)
