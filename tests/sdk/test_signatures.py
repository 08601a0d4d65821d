"""rdh_chain.signatures: wallets' signatures normalized to what the contracts verify.

Raw vectors are EIP-2098's own (its "Test Cases": the key 0x1234...1234 signing two
EIP-191 messages), so the compact form is checked against the standard, not against this
module; eth-account signs the typed data of a share version for the rest. A contract
wallet's signatures are asked of a one-key ERC-1271 wallet on the session's anvil.
"""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from hypothesis import given
from hypothesis import strategies as st
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain.agreements import sign_typed_data, version_typed_data
from rdh_chain.exceptions import InvalidInputError, InvalidSignatureError
from rdh_chain.signatures import (
    MAX_CONTRACT_SIGNATURE_BYTES,
    SECP256K1_N,
    compact_signature,
    contract_accepts,
    normalize_signature,
    recover_signer,
    recover_typed_data_signer,
)
from rdh_chain.types import ZERO_ADDRESS, ShareClass, ShareEntry, Version, VersionStatus
from tests.support.wallets import contract_wallet

EIP2098_KEY = "0x1234567890123456789012345678901234567890123456789012345678901234"
EIP2098_SIGNER = "0x2e988A386a799F506693793c6A5AF6B54dfAaBfB"
# (message, r, s, v, yParityAndS) from EIP-2098's test cases.
EIP2098_VECTORS = [
    (
        "Hello World",
        0x68A020A209D3D56C46F38CC50A33F704F4A9A10A59377F8DD762AC66910E9B90,
        0x7E865AD05C4035AB5792787D4A0297A43617AE897930A6FE4D822B8FAEA52064,
        27,
        0x7E865AD05C4035AB5792787D4A0297A43617AE897930A6FE4D822B8FAEA52064,
    ),
    (
        "It's a small(er) world",
        0x9328DA16089FCBA9BECECA81663203989F2DF5FE1FAA6291A45381C81BD17F76,
        0x139C6D6B623B42DA56557E5E734A43DC83345DDFADEC52CBE24D0CC64F550793,
        28,
        0x939C6D6B623B42DA56557E5E734A43DC83345DDFADEC52CBE24D0CC64F550793,
    ),
]
EMC = to_checksum_address("0x" + "e1" * 20)


def _b32(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _typed_data(party: LocalAccount, chain_id: int = 31337) -> dict[str, object]:
    version = Version(
        id=2,
        status=VersionStatus.PROPOSED,
        epoch=0,
        from_period=0,
        entry_count=2,
        party_count=1,
        nonce=1,
        proposed_at=1_700_000_000,
        activated_at=0,
        deadline=4_102_444_800,
        document_hash=keccak(text="agreement"),
        entries_hash=bytes(32),
        value_added_bps=0,
        notices_at_proposal=0,
        names_member_under_notice=False,
        proposed_block=1,
        dev_fund_bps=1_000,
        restrictions_at_proposal=0,
        shares_root=bytes(32),
        struct_hash=bytes(32),
        parties_hash=bytes(32),
    )
    entries = [
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ShareEntry(party.address, ShareClass.OPERATING, 9_000),
    ]
    return version_typed_data(chain_id, EMC, version, entries)


@pytest.mark.parametrize(("message", "r", "s", "v", "compact"), EIP2098_VECTORS)
def test_compact_signature_matches_eip2098_vectors(
    message: str, r: int, s: int, v: int, compact: int
) -> None:
    full = _b32(r) + _b32(s) + bytes([v])
    assert compact_signature(full) == _b32(r) + _b32(compact)
    assert normalize_signature(_b32(r) + _b32(compact)) == full


@pytest.mark.parametrize(("message", "r", "s", "v", "compact"), EIP2098_VECTORS)
def test_recover_signer_reads_every_form_of_the_eip2098_vectors(
    message: str, r: int, s: int, v: int, compact: int
) -> None:
    digest = _hash_eip191_message(encode_defunct(text=message))
    forms = [
        _b32(r) + _b32(s) + bytes([v]),  # as most wallets return it
        _b32(r) + _b32(s) + bytes([v - 27]),  # v as the recovery id (some hardware wallets)
        _b32(r) + _b32(compact),  # EIP-2098 compact
    ]
    for form in forms:
        assert recover_signer(digest, form) == EIP2098_SIGNER
        assert recover_signer(digest, "0x" + form.hex()) == EIP2098_SIGNER


def test_eth_account_signs_the_eip2098_vectors() -> None:
    for message, r, s, v, _ in EIP2098_VECTORS:
        signed = Account.sign_message(encode_defunct(text=message), EIP2098_KEY)
        assert (signed.r, signed.s, signed.v) == (r, s, v)


def test_normalize_signature_keeps_a_canonical_signature_as_it_is() -> None:
    party: LocalAccount = Account.create()
    signature = sign_typed_data(party, _typed_data(party))
    assert normalize_signature(signature) == signature
    assert normalize_signature("0x" + signature.hex()) == signature


@given(st.binary(min_size=32, max_size=32))
def test_every_form_of_a_typed_data_signature_recovers_its_signer(key: bytes) -> None:
    if not 0 < int.from_bytes(key, "big") < SECP256K1_N:
        return
    party: LocalAccount = Account.from_key(key)
    typed = _typed_data(party)
    signature = sign_typed_data(party, typed)
    v0 = signature[:64] + bytes([signature[64] - 27])
    for form in (signature, v0, compact_signature(signature)):
        assert normalize_signature(form) == signature
        assert recover_typed_data_signer(typed, form) == party.address


def test_recover_typed_data_signer_gives_another_address_for_another_chain() -> None:
    party: LocalAccount = Account.create()
    other_chain = sign_typed_data(party, _typed_data(party, chain_id=1))
    assert recover_typed_data_signer(_typed_data(party), other_chain) != party.address


def test_normalize_signature_refuses_a_high_s() -> None:
    _, r, s, v, _ = EIP2098_VECTORS[0]
    twin = _b32(r) + _b32(SECP256K1_N - s) + bytes([55 - v])  # the malleable twin
    with pytest.raises(InvalidSignatureError, match="high s value"):
        normalize_signature(twin)


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (bytes(65), "out of range"),
        (_b32(1) + _b32(1) + bytes([29]), "v byte is 29"),
        (_b32(1) + _b32(SECP256K1_N) + bytes([27]), "out of range"),
        (bytes(63), "63 bytes"),
        (bytes(66), "66 bytes"),
        (b"", "0 bytes"),
        ("deadbeef", "0x-prefixed hex"),
        ("0xnothex", "not hex"),
    ],
)
def test_normalize_signature_refuses_what_is_no_signature(
    signature: bytes | str, message: str
) -> None:
    with pytest.raises(InvalidSignatureError, match=message):
        normalize_signature(signature)


def test_invalid_signature_error_is_an_input_error() -> None:
    # The gateway answers InvalidInputError with a 422.
    assert issubclass(InvalidSignatureError, InvalidInputError)


# -- contract wallets (ERC-1271) -------------------------------------------------------------


def test_contract_accepts_asks_the_wallets_is_valid_signature(w3: Web3) -> None:
    key = Account.create()
    wallet = contract_wallet(w3, key)
    digest = keccak(text="a version's digest")
    signed = bytes(key.unsafe_sign_hash(digest).signature)

    assert contract_accepts(w3, wallet, digest, signed)
    assert not contract_accepts(w3, wallet, keccak(text="other data"), signed)
    assert not contract_accepts(
        w3, wallet, digest, bytes(Account.create().unsafe_sign_hash(digest).signature)
    )
    assert not contract_accepts(w3, wallet, digest, signed + bytes(MAX_CONTRACT_SIGNATURE_BYTES))


def test_contract_accepts_nothing_for_an_account_without_code(w3: Web3) -> None:
    key = Account.create()
    digest = keccak(text="a version's digest")
    assert not contract_accepts(
        w3, key.address, digest, bytes(key.unsafe_sign_hash(digest).signature)
    )


def test_contract_accepts_nothing_from_a_wallet_that_runs_out_of_gas(w3: Web3) -> None:
    wallet = Account.create().address
    loop = "0x5b600056"  # JUMPDEST PUSH1 0 JUMP: spins until the gas runs out
    w3.provider.make_request(RPCEndpoint("anvil_setCode"), [wallet, loop])
    assert not contract_accepts(w3, wallet, bytes(32), bytes(65))
