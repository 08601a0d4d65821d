"""The history generator's signer: nonces of its own, signatures as eth_account makes them."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak

from bench.batch import Signer
from rdh_chain.agreements import sign_typed_data


@pytest.mark.parametrize("nonce", [0, 1, 127, 128, 70_000])
def test_signer_signs_as_eth_account(nonce: int) -> None:
    account = Account.create()
    signer = Signer(account, 31337, nonce)
    to = Account.create().address
    raw = signer.sign(to, b"\x4e\x71\xd9\x2d", 1_500_000)
    tx = {
        "nonce": nonce,
        "gasPrice": 0,
        "gas": 1_500_000,
        "to": to,
        "value": 0,
        "data": b"\x4e\x71\xd9\x2d",
        "chainId": 31337,
    }
    assert raw == bytes(account.sign_transaction(tx).raw_transaction)
    assert signer.nonce == nonce + 1
    signer.check()


def test_sign_digest_is_the_typed_data_signature() -> None:
    account = Account.create()
    typed = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}],
            "Note": [{"name": "text", "type": "string"}],
        },
        "primaryType": "Note",
        "domain": {"name": "bench"},
        "message": {"text": "a year of history"},
    }
    signable = encode_typed_data(full_message=typed)
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    assert Signer(account, 31337).sign_digest(digest) == sign_typed_data(account, typed)
