"""api.relaying.parse_raw_transaction: what a posted raw transaction is, without a chain.

Whatever bytes are posted, the answer is the transaction's signer and fields or a
RelayRefusedError (a 422), never another exception (a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hypothesis import given
from hypothesis import strategies as st

from api.relaying import RelayRefusedError, parse_raw_transaction

EMC = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
ACCOUNT: LocalAccount = Account.from_key("0x" + "42" * 32)
BASE = {"to": EMC, "data": "0x4e71d92d", "value": 0, "gas": 90_000, "nonce": 7}


@pytest.mark.parametrize(
    "fields",
    [
        {**BASE, "gasPrice": 0, "chainId": 31337},  # legacy, EIP-155
        {**BASE, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0, "chainId": 31337, "type": 2},
        {**BASE, "gasPrice": 0, "chainId": 31337, "accessList": [], "type": 1},
    ],
)
def test_parse_reads_signer_chain_destination_and_data(fields: dict[str, Any]) -> None:
    raw = "0x" + bytes(ACCOUNT.sign_transaction(fields).raw_transaction).hex()

    sender, tx = parse_raw_transaction(raw)

    assert sender == ACCOUNT.address
    assert (tx.chain_id, tx.to, tx.data, tx.value) == (31337, EMC, "0x4e71d92d", 0)


def test_parse_reads_a_pre_eip155_transaction_as_of_no_chain() -> None:
    signed = Account.sign_transaction({**BASE, "gasPrice": 0}, ACCOUNT.key)
    _, tx = parse_raw_transaction("0x" + bytes(signed.raw_transaction).hex())
    assert tx.chain_id is None


@given(st.binary(max_size=300))
def test_parse_refuses_any_other_bytes_with_a_relay_refusal(raw: bytes) -> None:
    try:
        sender, _ = parse_raw_transaction("0x" + raw.hex())
    except RelayRefusedError as exc:
        message = str(exc)
    else:  # random bytes that happen to decode: a signer was recovered from them
        message = "not a signed transaction" if sender.startswith("0x") else ""
    assert "not a signed transaction" in message
