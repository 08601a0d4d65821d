"""Signed cooperation agreements: the EIP-712 typed data of a share version.

Every party a version names signs the same typed data from its own wallet; the
gateway or the CLI hands it out and relays the signatures, so no key ever leaves
its owner. The domain binds the chain id and the EMC's address, the message the
version id, its entries, its document, its nonce and its deadline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain.types import ZERO_ADDRESS, PartySignature, ShareEntry, Version

DOMAIN_NAME = "rdh-chain EMC"
DOMAIN_VERSION = "1"

TYPES: dict[str, list[dict[str, str]]] = {
    "ShareVersion": [
        {"name": "versionId", "type": "uint256"},
        {"name": "entries", "type": "ShareEntry[]"},
        {"name": "documentHash", "type": "bytes32"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
    "ShareEntry": [
        {"name": "account", "type": "address"},
        {"name": "shareClass", "type": "uint8"},
        {"name": "bps", "type": "uint16"},
    ],
}


DOMAIN_TYPE: list[dict[str, str]] = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def emc_domain(chain_id: int, emc: ChecksumAddress) -> dict[str, Any]:
    """The EIP-712 domain of every message an EMC verifies (share versions, attestations)."""
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": chain_id,
        "verifyingContract": emc,
    }


def version_typed_data(
    chain_id: int, emc: ChecksumAddress, version: Version, entries: Sequence[ShareEntry]
) -> dict[str, Any]:
    """The full EIP-712 message (``eth_signTypedData_v4`` form) for ``version``."""
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, **TYPES},
        "primaryType": "ShareVersion",
        "domain": emc_domain(chain_id, emc),
        "message": {
            "versionId": version.id,
            "entries": [
                {"account": e.account, "shareClass": int(e.share_class), "bps": e.bps}
                for e in sorted(entries, key=lambda e: e.sort_key)
            ],
            "documentHash": version.document_hash,
            "nonce": version.nonce,
            "deadline": version.deadline,
        },
    }


def typed_data_digest(typed_data: dict[str, Any]) -> bytes:
    """The 32-byte digest a wallet signs for ``typed_data`` (EIP-191 version 0x01)."""
    signable = encode_typed_data(full_message=typed_data)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign_typed_data(account: LocalAccount, typed_data: dict[str, Any]) -> bytes:
    """``account``'s 65-byte signature of ``typed_data``."""
    return bytes(account.sign_message(encode_typed_data(full_message=typed_data)).signature)


def sign_version(account: LocalAccount, typed_data: dict[str, Any]) -> PartySignature:
    """``account``'s signature of a version's typed data."""
    return PartySignature(signer=account.address, signature=sign_typed_data(account, typed_data))


def typed_data_json(typed_data: Mapping[str, Any]) -> Any:
    """``typed_data`` with bytes as 0x-hex: the JSON ``eth_signTypedData_v4`` takes."""
    if isinstance(typed_data, Mapping):
        return {key: typed_data_json(value) for key, value in typed_data.items()}
    if isinstance(typed_data, list | tuple):
        return [typed_data_json(value) for value in typed_data]
    if isinstance(typed_data, bytes):
        return "0x" + typed_data.hex()
    return typed_data


def typed_data_parties(typed_data: Mapping[str, Any]) -> list[ChecksumAddress]:
    """The wallets that must sign ``typed_data``, in signing order (the fund has none)."""
    accounts = {e["account"] for e in typed_data["message"]["entries"]} - {ZERO_ADDRESS}
    return sorted(accounts, key=lambda a: int(a, 16))


def sort_signatures(signatures: Sequence[PartySignature]) -> list[PartySignature]:
    """Signatures in the order the contract requires: ascending signer address."""
    return sorted(signatures, key=lambda s: int(s.signer, 16))
