"""rdh_chain.agreements: the EIP-712 typed data of a share version, its digest, signatures.

Unit tests without a chain: the digest is checked against a hand-written EIP-712 encoding
built from the type strings in ``contracts/emc/EMCVersions.sol`` and against eth_account.
``tests/contracts/test_signatures.py`` checks the same digest against the contract.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress, Hash32
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from rdh_chain.agreements import (
    DOMAIN_NAME,
    DOMAIN_VERSION,
    TYPES,
    domain_separator,
    pack_signatures,
    sign_version,
    sort_signatures,
    typed_data_digest,
    version_digest,
    version_typed_data,
)
from rdh_chain.types import (
    ZERO_ADDRESS,
    PartySignature,
    ShareClass,
    ShareEntry,
    Version,
    VersionStatus,
)

VERSIONS_SOL = Path(__file__).resolve().parents[2] / "contracts" / "emc" / "EMCVersions.sol"
ENTRIES_SOL = Path(__file__).resolve().parents[2] / "contracts" / "libraries" / "ShareEntries.sol"
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
CHAIN_ID = 31337
EMC = to_checksum_address("0x" + "e1" * 20)
DOCUMENT = keccak(text="cooperation agreement")


def _address(hex_body: str) -> ChecksumAddress:
    return to_checksum_address("0x" + hex_body)


# Addresses whose checksummed spelling sorts differently from their value: "0xB..." comes
# before "0xa..." as a string (upper case first), after it as a number.
LOW = _address("a" + "0" * 38 + "2")
HIGH = _address("b" + "0" * 38 + "4")


def _version(**changes: Any) -> Version:
    fields: dict[str, Any] = {
        "id": 7,
        "status": VersionStatus.PROPOSED,
        "epoch": 0,
        "from_period": 0,
        "entry_count": 4,
        "party_count": 2,
        "nonce": 3,
        "proposed_at": 1_700_000_000,
        "activated_at": 0,
        "deadline": 1_700_086_400,
        "document_hash": DOCUMENT,
        "entries_hash": bytes(32),
        "value_added_bps": 1_000,
        "notices_at_proposal": 0,
        "names_member_under_notice": False,
        "proposed_block": 12,
        "dev_fund_bps": 900,
        "restrictions_at_proposal": 0,
        "shares_root": bytes(32),
        "struct_hash": bytes(32),
        "parties_hash": bytes(32),
    }
    fields.update(changes)
    return Version(**fields)


ENTRIES = [
    ShareEntry(HIGH, ShareClass.OPERATING, 6_000),
    ShareEntry(LOW, ShareClass.VALUE_ADDED, 1_000),
    ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 900),
    ShareEntry(LOW, ShareClass.PARTNER, 500),
    ShareEntry(HIGH, ShareClass.PARTNER, 1_600),
]
CANONICAL = [ENTRIES[2], ENTRIES[3], ENTRIES[1], ENTRIES[4], ENTRIES[0]]


def _typed() -> dict[str, Any]:
    return version_typed_data(CHAIN_ID, EMC, _version(), ENTRIES)


def _solidity_type_string(constant: str) -> str:
    """The concatenated string literals of ``constant``'s keccak256(...): the version's type
    hash in EMCVersions.sol, the entry's (``TYPEHASH``) in ShareEntries.sol."""
    path = VERSIONS_SOL if constant == "_VERSION_TYPEHASH" else ENTRIES_SOL
    source = path.read_text()
    match = re.search(rf"{constant}\s*=\s*keccak256\((.*?)\);", source, re.DOTALL)
    assert match, f"{constant} not found in {path}"
    return "".join(re.findall(r'"([^"]*)"', match.group(1)))


def _encode_type(primary: str) -> str:
    def one(name: str) -> str:
        fields = ",".join(field["type"] + " " + field["name"] for field in TYPES[name])
        return f"{name}({fields})"

    referenced = sorted(
        {f["type"].removesuffix("[]") for f in TYPES[primary]} & set(TYPES) - {primary}
    )
    return one(primary) + "".join(one(name) for name in referenced)


def _hand_digest(
    chain_id: int, emc: ChecksumAddress, version: Version, entries: list[ShareEntry]
) -> bytes:
    """EIP-712 by hand: hashStruct of the version under the domain, as the contract does."""
    domain_type = keccak(
        text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    )
    domain = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [domain_type, keccak(text=DOMAIN_NAME), keccak(text=DOMAIN_VERSION), chain_id, emc],
        )
    )
    entry_type = keccak(text=_solidity_type_string("TYPEHASH"))
    entry_hashes = b"".join(
        keccak(
            encode(
                ["bytes32", "address", "uint8", "uint16"],
                [entry_type, e.account, int(e.share_class), e.bps],
            )
        )
        for e in entries
    )
    struct = keccak(
        encode(
            ["bytes32", "uint256", "bytes32", "bytes32", "uint256", "uint256"],
            [
                keccak(text=_solidity_type_string("_VERSION_TYPEHASH")),
                version.id,
                keccak(entry_hashes),
                version.document_hash,
                version.nonce,
                version.deadline,
            ],
        )
    )
    return keccak(b"\x19\x01" + domain + struct)


# -- typed data --------------------------------------------------------------------------


def test_version_typed_data_has_the_eip712_v4_shape() -> None:
    typed = _typed()
    assert set(typed) == {"types", "primaryType", "domain", "message"}
    assert typed["primaryType"] == "ShareVersion"
    assert set(typed["types"]) == {"EIP712Domain", "ShareVersion", "ShareEntry"}
    assert [f["name"] for f in typed["types"]["EIP712Domain"]] == [
        "name",
        "version",
        "chainId",
        "verifyingContract",
    ]
    assert typed["domain"] == {
        "name": "rdh-chain EMC",
        "version": "1",
        "chainId": CHAIN_ID,
        "verifyingContract": EMC,
    }
    assert typed["message"] == {
        "versionId": 7,
        "entries": [
            {"account": e.account, "shareClass": int(e.share_class), "bps": e.bps}
            for e in CANONICAL
        ],
        "documentHash": DOCUMENT,
        "nonce": 3,
        "deadline": 1_700_086_400,
    }


@pytest.mark.parametrize("constant", ["_VERSION_TYPEHASH", "TYPEHASH"])
def test_types_encode_to_the_contract_type_strings(constant: str) -> None:
    primary = "ShareVersion" if constant == "_VERSION_TYPEHASH" else "ShareEntry"
    assert _encode_type(primary) == _solidity_type_string(constant)


def test_version_typed_data_sorts_entries_by_account_value_then_class() -> None:
    typed = _typed()
    accounts = [e["account"] for e in typed["message"]["entries"]]
    classes = [e["shareClass"] for e in typed["message"]["entries"]]
    assert accounts == [ZERO_ADDRESS, LOW, LOW, HIGH, HIGH]
    assert classes == [3, 0, 2, 0, 1]
    # Any order of the same entries gives the same message.
    reordered = version_typed_data(CHAIN_ID, EMC, _version(), ENTRIES[::-1])
    assert reordered == typed


# -- digest ------------------------------------------------------------------------------


def test_typed_data_digest_matches_eth_account_and_hand_encoding() -> None:
    typed = _typed()
    digest = typed_data_digest(typed)
    signed = Account.create().sign_message(encode_typed_data(full_message=typed))
    assert digest == bytes(signed.message_hash)
    assert digest == _hand_digest(CHAIN_ID, EMC, _version(), CANONICAL)
    assert len(digest) == 32


@pytest.mark.parametrize(
    ("chain_id", "emc", "changes"),
    [
        (CHAIN_ID + 1, EMC, {}),
        (CHAIN_ID, _address("e2" * 20), {}),
        (CHAIN_ID, EMC, {"id": 8}),
        (CHAIN_ID, EMC, {"nonce": 4}),
        (CHAIN_ID, EMC, {"deadline": 1_700_086_401}),
        (CHAIN_ID, EMC, {"document_hash": bytes(32)}),
    ],
    ids=["chain", "emc", "version", "nonce", "deadline", "document"],
)
def test_typed_data_digest_changes_with_every_bound_field(
    chain_id: int, emc: ChecksumAddress, changes: dict[str, Any]
) -> None:
    version = _version(**changes)
    digest = typed_data_digest(version_typed_data(chain_id, emc, version, ENTRIES))
    assert digest != typed_data_digest(_typed())
    assert digest == _hand_digest(chain_id, emc, version, CANONICAL)


def _direct_digest(chain_id: int, emc: ChecksumAddress, version: Version, entries: Any) -> bytes:
    return version_digest(
        domain_separator(chain_id, emc),
        version.id,
        entries,
        document_hash=version.document_hash,
        nonce=version.nonce,
        deadline=version.deadline,
    )


@pytest.mark.parametrize(
    ("chain_id", "emc", "changes"),
    [
        (CHAIN_ID, EMC, {}),
        (CHAIN_ID + 1, EMC, {}),
        (CHAIN_ID, _address("e2" * 20), {}),
        (CHAIN_ID, EMC, {"id": 8, "nonce": 0}),
        (CHAIN_ID, EMC, {"deadline": 2**256 - 1, "document_hash": b"\xff" * 32}),
    ],
    ids=["base", "chain", "emc", "first-version", "extremes"],
)
def test_version_digest_is_the_typed_data_digest_hashed_directly(
    chain_id: int, emc: ChecksumAddress, changes: dict[str, Any]
) -> None:
    version = _version(**changes)
    expected = typed_data_digest(version_typed_data(chain_id, emc, version, ENTRIES))
    # Entries in any order: the digest sorts them, as the typed data does.
    assert _direct_digest(chain_id, emc, version, ENTRIES) == expected
    assert _direct_digest(chain_id, emc, version, CANONICAL[::-1]) == expected
    assert _direct_digest(chain_id, emc, version, ENTRIES[1:]) != expected


def test_typed_data_digest_changes_with_any_entry() -> None:
    base = typed_data_digest(_typed())
    for i, entry in enumerate(ENTRIES):
        bumped = ShareEntry(entry.account, entry.share_class, entry.bps + 1)
        entries = [*ENTRIES[:i], bumped, *ENTRIES[i + 1 :]]
        assert typed_data_digest(version_typed_data(CHAIN_ID, EMC, _version(), entries)) != base
    dropped = typed_data_digest(version_typed_data(CHAIN_ID, EMC, _version(), ENTRIES[1:]))
    assert dropped != base


# -- signatures --------------------------------------------------------------------------


def test_sign_version_signature_recovers_to_the_signer() -> None:
    account: LocalAccount = Account.create()
    typed = _typed()
    signature = sign_version(account, typed)
    assert signature.signer == account.address
    assert len(signature.signature) == 65
    assert signature.signature[64] in (27, 28)
    # Canonical low-s, which the contract (OpenZeppelin ECDSA) requires.
    assert int.from_bytes(signature.signature[32:64], "big") <= SECP256K1_N // 2
    signable = encode_typed_data(full_message=typed)
    assert Account.recover_message(signable, signature=signature.signature) == account.address
    # Deterministic (RFC 6979): signing again gives the same bytes.
    assert sign_version(account, typed) == signature


def test_sign_version_signature_does_not_recover_for_other_data() -> None:
    account: LocalAccount = Account.create()
    signature = sign_version(account, _typed())
    other = version_typed_data(CHAIN_ID + 1, EMC, _version(), ENTRIES)
    recovered = Account.recover_message(
        encode_typed_data(full_message=other), signature=signature.signature
    )
    assert recovered != account.address


# -- packed entries and signatures (contracts/libraries/ShareEntries.sol, Signatures.sol) --


@pytest.mark.parametrize(
    "entry", [*ENTRIES, ShareEntry(_address("f" * 40), ShareClass.DEV_FUND, 0xFFFF)]
)
def test_share_entry_packs_into_one_word_and_back(entry: ShareEntry) -> None:
    word = entry.as_abi()
    assert word >> 96 == int(entry.account, 16)
    assert word >> 16 & 0xFF == int(entry.share_class)
    assert word & 0xFFFF == entry.bps
    assert word >> 24 & ((1 << 72) - 1) == 0
    assert ShareEntry.from_word(word) == entry
    # The contract orders entries by the word above the basis points: account, then class.
    assert word >> 16 == entry.sort_key[0] << 80 | entry.sort_key[1]


def test_packed_entries_sort_as_their_sort_keys() -> None:
    words = sorted(e.as_abi() for e in ENTRIES)
    assert [ShareEntry.from_word(w) for w in words] == CANONICAL


@pytest.mark.parametrize(
    ("word", "problem"),
    [
        (1 << 24, "reserved bits"),
        (1 << 95 | 7, "reserved bits"),
        (1 << 256, "reserved bits"),
        (4 << 16 | 1, "class 4 is unknown"),
        (0xFF << 16, "class 255 is unknown"),
    ],
)
def test_share_entry_from_word_refuses_a_malformed_word(word: int, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ShareEntry.from_word(word | int(LOW, 16) << 96)


def _digest_signature(account: LocalAccount, digest: bytes) -> PartySignature:
    return PartySignature(
        account.address, bytes(account.unsafe_sign_hash(Hash32(digest)).signature)
    )


DIGEST = keccak(text="a version's digest")


def test_pack_signatures_lays_ecdsa_signatures_out_in_signer_order() -> None:
    accounts: list[LocalAccount] = [Account.create() for _ in range(3)]
    signatures = [_digest_signature(a, DIGEST) for a in accounts]
    packed = pack_signatures(signatures, DIGEST)
    ordered = sorted(signatures, key=lambda s: int(s.signer, 16))
    assert packed == b"".join(s.signature for s in ordered)
    assert pack_signatures(list(reversed(signatures)), DIGEST) == packed
    assert pack_signatures([], DIGEST) == b""


@pytest.mark.parametrize("recovery_id", [0, 1])
def test_pack_signatures_writes_v_as_27_or_28(recovery_id: int) -> None:
    # Keys until one signs with this recovery id: some wallets give v as 0 or 1.
    while True:
        account: LocalAccount = Account.create()
        signature = _digest_signature(account, DIGEST)
        if signature.signature[64] == 27 + recovery_id:
            break
    bare = PartySignature(account.address, signature.signature[:64] + bytes([recovery_id]))
    assert pack_signatures([bare], DIGEST) == signature.signature
    assert pack_signatures([signature], DIGEST) == signature.signature


def test_pack_signatures_appends_contract_signatures_data_after_the_fixed_parts() -> None:
    eoa: LocalAccount = Account.create()
    by_key = _digest_signature(eoa, DIGEST)
    # Two contract wallets (ERC-1271): their signatures are whatever they verify.
    low, high = _address("0" * 39 + "1"), _address("f" * 40)
    low_data, high_data = b"\x11" * 70, b"\x22" * 3
    packed = pack_signatures(
        [PartySignature(high, high_data), by_key, PartySignature(low, low_data)], DIGEST
    )
    end = 3 * 65
    assert packed[:65] == bytes(12) + bytes.fromhex(low[2:]) + end.to_bytes(32, "big") + b"\x00"
    assert packed[65:130] == by_key.signature
    second = end + 32 + len(low_data)
    assert packed[130:195] == (
        bytes(12) + bytes.fromhex(high[2:]) + second.to_bytes(32, "big") + b"\x00"
    )
    assert packed[end:second] == len(low_data).to_bytes(32, "big") + low_data
    assert packed[second:] == len(high_data).to_bytes(32, "big") + high_data


@pytest.mark.parametrize("case", ["other digest", "other signer", "not a signature"])
def test_pack_signatures_sends_what_does_not_recover_to_its_signer_as_a_contract_signature(
    case: str,
) -> None:
    account: LocalAccount = Account.create()
    if case == "other digest":
        raw = _digest_signature(account, keccak(text="another version")).signature
    elif case == "other signer":
        raw = _digest_signature(Account.create(), DIGEST).signature
    else:
        raw = bytes(64) + b"\x1b"  # r = s = 0: nothing recovers from it
    packed = pack_signatures([PartySignature(account.address, raw)], DIGEST)
    # Then the EMC asks the signer's code (ERC-1271), and names it when that refuses.
    assert packed == (
        bytes(12)
        + bytes.fromhex(account.address[2:])
        + (65).to_bytes(32, "big")
        + b"\x00"
        + (65).to_bytes(32, "big")
        + raw
    )


def test_low_and_high_addresses_sort_apart_as_strings_and_as_numbers() -> None:
    assert LOW.startswith("0xa")
    assert HIGH.startswith("0xB")
    assert HIGH < LOW
    assert int(LOW, 16) < int(HIGH, 16)


def test_sort_signatures_orders_by_address_value_not_spelling() -> None:
    a = PartySignature(HIGH, b"h")
    b = PartySignature(LOW, b"l")
    c = PartySignature(_address("0" * 39 + "1"), b"c")
    assert sort_signatures([a, b, c]) == [c, b, a]
    assert sort_signatures([c, a, b]) == [c, b, a]
    assert sort_signatures([]) == []
    # A duplicated signer stays duplicated: the contract, not the SDK, refuses it.
    assert sort_signatures([a, b, a]) == [b, a, a]


def test_share_entry_sort_key_orders_by_address_value_then_class() -> None:
    assert sorted(ENTRIES, key=lambda e: e.sort_key) == CANONICAL
    assert sorted(ENTRIES, key=lambda e: e.sort_key) != sorted(
        ENTRIES, key=lambda e: (e.account, int(e.share_class))
    )
