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
from eth_keys.datatypes import Signature
from eth_keys.exceptions import BadSignature
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from eth_utils.exceptions import ValidationError

from rdh_chain.exceptions import InvalidInputError
from rdh_chain.types import (
    ZERO_ADDRESS,
    PartySignature,
    ShareClass,
    ShareEntry,
    Version,
    version_struct_hash,
)

DOMAIN_NAME = "rdh-chain EMC"
DOMAIN_VERSION = "1"
# Bytes of an ECDSA signature, and of each party's fixed part in ``pack_signatures``.
SIGNATURE_BYTES = 65

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
_DOMAIN_TYPEHASH = keccak(
    text="EIP712Domain(" + ",".join(f"{f['type']} {f['name']}" for f in DOMAIN_TYPE) + ")"
)


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
    return draft_typed_data(
        chain_id,
        emc,
        version.id,
        entries,
        document_hash=version.document_hash,
        nonce=version.nonce,
        deadline=version.deadline,
    )


def draft_typed_data(
    chain_id: int,
    emc: ChecksumAddress,
    version_id: int,
    entries: Sequence[ShareEntry],
    *,
    document_hash: bytes,
    nonce: int,
    deadline: int,
) -> dict[str, Any]:
    """The EIP-712 message of version ``version_id`` with ``entries``, proposed or not: the
    parties may sign a draft before it is proposed (``proposeAndActivateVersion``)."""
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, **TYPES},
        "primaryType": "ShareVersion",
        "domain": emc_domain(chain_id, emc),
        "message": {
            "versionId": version_id,
            "entries": [
                {"account": e.account, "shareClass": int(e.share_class), "bps": e.bps}
                for e in sorted(entries, key=lambda e: e.sort_key)
            ],
            "documentHash": document_hash,
            "nonce": nonce,
            "deadline": deadline,
        },
    }


def domain_separator(chain_id: int, emc: ChecksumAddress) -> bytes:
    """The EIP-712 domain separator of ``emc``'s messages (``emc_domain``, hashed)."""
    return keccak(
        _DOMAIN_TYPEHASH
        + keccak(text=DOMAIN_NAME)
        + keccak(text=DOMAIN_VERSION)
        + chain_id.to_bytes(32, "big")
        + bytes(12)
        + bytes.fromhex(emc[2:])
    )


def version_digest(
    domain: bytes,
    version_id: int,
    entries: Sequence[ShareEntry],
    *,
    document_hash: bytes,
    nonce: int,
    deadline: int,
) -> bytes:
    """The digest of ``draft_typed_data``'s message under ``domain`` (a
    ``domain_separator``), hashed directly: what a caller signing thousands of versions
    uses instead of ``typed_data_digest``, which encodes the typed data generically."""
    struct_hash = version_struct_hash(version_id, entries, document_hash, nonce, deadline)
    return keccak(b"\x19\x01" + domain + struct_hash)


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


def draft_from_json(data: Any) -> dict[str, Any]:
    """The typed data of a share version from its JSON (``typed_data_json``), checked to be
    one: the SDK's types and domain, entries with an account, a class and basis points, a
    32-byte document hash. Raises InvalidInputError saying what is wrong."""
    try:
        if data["primaryType"] != "ShareVersion" or data["types"] != {
            "EIP712Domain": DOMAIN_TYPE,
            **TYPES,
        }:
            raise ValueError("its types are not a share version's")
        domain, message = data["domain"], data["message"]
        if (domain["name"], domain["version"]) != (DOMAIN_NAME, DOMAIN_VERSION):
            raise ValueError(f"its domain is not an EMC's ({DOMAIN_NAME!r}, {DOMAIN_VERSION!r})")
        document_hash = bytes.fromhex(str(message["documentHash"]).removeprefix("0x"))
        if len(document_hash) != 32:
            raise ValueError("its documentHash is not 32 bytes")
        return draft_typed_data(
            int(domain["chainId"]),
            to_checksum_address(domain["verifyingContract"]),
            int(message["versionId"]),
            [
                ShareEntry(
                    to_checksum_address(e["account"]),
                    ShareClass(int(e["shareClass"])),
                    int(e["bps"]),
                )
                for e in message["entries"]
            ],
            document_hash=document_hash,
            nonce=int(message["nonce"]),
            deadline=int(message["deadline"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        reason = str(exc) if type(exc) is ValueError else f"{type(exc).__name__}: {exc}"
        raise InvalidInputError(
            f"not the typed data of a share version: {reason}; use the file that "
            "`rdh shares draft` or `rdh shares typed-data` wrote"
        ) from exc


def typed_data_parties(typed_data: Mapping[str, Any]) -> list[ChecksumAddress]:
    """The wallets that must sign ``typed_data``, in signing order (the fund has none)."""
    accounts = {e["account"] for e in typed_data["message"]["entries"]} - {ZERO_ADDRESS}
    return sorted(accounts, key=lambda a: int(a, 16))


def sort_signatures(signatures: Sequence[PartySignature]) -> list[PartySignature]:
    """Signatures in the order the contract requires: ascending signer address."""
    return sorted(signatures, key=lambda s: int(s.signer, 16))


def pack_signatures(signatures: Sequence[PartySignature], digest: bytes) -> bytes:
    """The ``signatures`` argument of ``EMC.activateVersion``: packed as a Safe packs its
    owners' signatures (contracts/libraries/Signatures.sol).

    Sorted by signer, each party has 65 bytes: ``r``, ``s`` and ``v`` (27 or 28) of an
    ECDSA signature that recovers to it from ``digest``; any other signature is a contract
    wallet's (ERC-1271): ``r`` is the wallet's address, ``v`` 0 and ``s`` the offset of its
    data (a 32-byte length, then the bytes) after the fixed parts, in signer order. A
    65-byte signature that does not recover to its signer goes as a contract signature too,
    so the EMC names that signer when its wallet (or its lack of code) refuses it.
    """
    ordered = sort_signatures(signatures)
    fixed = bytearray()
    tail = bytearray()
    end = len(ordered) * SIGNATURE_BYTES
    for party in ordered:
        ecdsa = _ecdsa_parts(party, digest)
        if ecdsa is not None:
            fixed += ecdsa
            continue
        offset = end + len(tail)
        fixed += bytes(12) + bytes.fromhex(party.signer[2:]) + offset.to_bytes(32, "big") + b"\x00"
        tail += len(party.signature).to_bytes(32, "big") + party.signature
    return bytes(fixed + tail)


def _ecdsa_parts(party: PartySignature, digest: bytes) -> bytes | None:
    """``r || s || v`` (``v`` 27 or 28) if ``party.signature`` is ``party.signer``'s ECDSA
    signature of ``digest``; None otherwise."""
    signature = party.signature
    if len(signature) != SIGNATURE_BYTES or signature[64] not in (0, 1, 27, 28):
        return None
    v = signature[64] % 27  # some wallets write v as 0 or 1
    try:
        key = Signature(
            vrs=(v, int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big"))
        )
        recovered = key.recover_public_key_from_msg_hash(digest).to_checksum_address()
    except (BadSignature, ValidationError):
        return None
    if recovered != party.signer:
        return None
    return signature[:64] + bytes([27 + v])
