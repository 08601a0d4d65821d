"""TxSender against a real anvil: nonces, reverts before and at inclusion."""

from __future__ import annotations

import pytest
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain import contract_errors
from rdh_chain.exceptions import ReadOnlyError, TransactionError

from .conftest import SdkWorld


def test_submit_back_to_back_uses_consecutive_nonces_without_waiting(sdk: SdkWorld) -> None:
    treasury = sdk.ledger.connect(sdk.treasury)
    sender = treasury.sender
    assert sender is not None
    data = treasury.token.contract.encode_abi("mint", args=[sdk.alice.address, 1, bytes(32)])

    hashes = [sender.submit(treasury.token.address, data, action="mint") for _ in range(5)]
    results = [sender.wait(h, action="mint") for h in hashes]

    nonces = [sdk.ledger.w3.eth.get_transaction(r.tx_hash)["nonce"] for r in results]
    assert nonces == list(range(nonces[0], nonces[0] + 5))
    assert sdk.ledger.token.balance_of(sdk.alice.address) == 5


def test_transact_raises_decoded_error_when_estimate_reverts(sdk: SdkWorld) -> None:
    alice = sdk.ledger.connect(sdk.alice)
    supply = sdk.ledger.token.total_supply()

    with pytest.raises(contract_errors.TokenNotTreasury) as info:
        alice.token.mint(sdk.alice.address, 100)

    assert info.value.args_by_name == {"caller": sdk.alice.address}
    assert sdk.ledger.token.total_supply() == supply


def test_wait_replays_and_decodes_revert_at_inclusion(sdk: SdkWorld, w3: Web3) -> None:
    sdk.ledger.connect(sdk.treasury).token.mint(sdk.alice.address, 100)
    alice = sdk.ledger.connect(sdk.alice)
    sender = alice.sender
    assert sender is not None
    data = alice.token.contract.encode_abi("transfer", args=[sdk.bob.address, 100])
    w3.provider.make_request(RPCEndpoint("evm_setAutomine"), [False])
    try:
        # Both are estimated against the same state; only one can be paid.
        first = sender.submit(alice.token.address, data, action="transfer")
        second = sender.submit(alice.token.address, data, action="transfer")
        w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    finally:
        w3.provider.make_request(RPCEndpoint("evm_setAutomine"), [True])

    sender.wait(first, action="transfer")
    with pytest.raises(contract_errors.ERC20InsufficientBalance) as info:
        sender.wait(second, action="transfer")

    assert info.value.args_by_name["balance"] == 0
    assert sdk.ledger.token.balance_of(sdk.bob.address) == 100


def test_submit_resyncs_nonce_after_node_rejects(sdk: SdkWorld) -> None:
    treasury = sdk.ledger.connect(sdk.treasury)
    treasury.token.mint(sdk.alice.address, 1)
    sender = treasury.sender
    assert sender is not None
    sender._nonce = 0  # stale, as after a chain rewind another process made

    with pytest.raises(TransactionError, match="rejected"):
        treasury.token.mint(sdk.alice.address, 1)
    treasury.token.mint(sdk.alice.address, 1)

    assert sdk.ledger.token.balance_of(sdk.alice.address) == 2


def test_write_through_read_only_ledger_raises(sdk: SdkWorld) -> None:
    with pytest.raises(ReadOnlyError, match="connect a wallet"):
        sdk.ledger.token.mint(sdk.alice.address, 1)
