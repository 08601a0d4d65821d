"""Legacy (EIP-155) transactions signed straight over secp256k1, for sending in bulk.

``eth_account`` signs any transaction type through a general path that costs about half a
millisecond here; a platform sending thousands of transactions notices. This signs the one
shape a free-gas permissioned network needs (a legacy transaction: nonce, gas price, gas,
to, value, data) with coincurve, several times faster, and :func:`check_signer` holds it
to eth_account's bytes for the same fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import coincurve
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain.exceptions import InvalidInputError, TransactionError

__all__ = ["LegacySigner", "LegacyTx", "check_signer", "rlp_encode"]


def _rlp_length(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(size)]) + size


def rlp_encode(item: int | bytes | Sequence[int | bytes]) -> bytes:
    """Recursive-length-prefix encoding of unsigned integers, byte strings and lists."""
    if isinstance(item, int):
        if item < 0:
            raise InvalidInputError("RLP encodes unsigned integers only")
        item = item.to_bytes((item.bit_length() + 7) // 8, "big") if item else b""
    if isinstance(item, bytes):
        if len(item) == 1 and item[0] < 0x80:
            return item
        return _rlp_length(len(item), 0x80) + item
    payload = b"".join(rlp_encode(element) for element in item)
    return _rlp_length(len(payload), 0xC0) + payload


@dataclass(frozen=True, slots=True)
class LegacyTx:
    """The fields of a legacy transaction; ``to`` None creates a contract."""

    nonce: int
    gas_price: int
    gas: int
    to: ChecksumAddress | None
    value: int
    data: bytes

    def fields(self) -> list[int | bytes]:
        to = b"" if self.to is None else bytes.fromhex(self.to[2:])
        return [self.nonce, self.gas_price, self.gas, to, self.value, self.data]


class LegacySigner:
    """Signs legacy transactions for one account on one chain (EIP-155 replay protection)."""

    def __init__(self, account: LocalAccount, chain_id: int) -> None:
        self.account = account
        self.chain_id = chain_id
        self._key = coincurve.PrivateKey(bytes(account.key))

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    def sign(self, tx: LegacyTx) -> bytes:
        """The signed transaction's raw bytes (``keccak`` of them is its hash)."""
        fields = tx.fields()
        digest = keccak(rlp_encode([*fields, self.chain_id, 0, 0]))
        signature = self._key.sign_recoverable(digest, hasher=None)
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:64], "big")
        v = signature[64] + 35 + 2 * self.chain_id
        return rlp_encode([*fields, v, r, s])


def check_signer(signer: LegacySigner) -> None:
    """Raise unless ``signer`` gives eth_account's bytes for the same transaction."""
    tx = LegacyTx(nonce=7, gas_price=3, gas=21_000, to=signer.address, value=5, data=b"\x01\x02")
    theirs = Account.sign_transaction(
        {
            "nonce": tx.nonce,
            "gasPrice": tx.gas_price,
            "gas": tx.gas,
            "to": tx.to,
            "value": tx.value,
            "data": tx.data,
            "chainId": signer.chain_id,
        },
        signer.account.key,
    )
    if signer.sign(tx) != bytes(theirs.raw_transaction):
        raise TransactionError("The bulk signer disagrees with eth_account: reinstall coincurve.")
