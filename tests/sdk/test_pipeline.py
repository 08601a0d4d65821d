"""Many transactions at once (rdh_chain.pipeline) against a real anvil: every row's outcome,
refusals decoded before anything is sent, rejected nonces filled, reverts at inclusion."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from rdh_chain import events as ev
from rdh_chain.exceptions import ContractRevertError, TransactionError
from rdh_chain.pipeline import Call, Pipeline, Status
from rdh_chain.raw_tx import LegacySigner, LegacyTx, check_signer, rlp_encode
from rdh_chain.types import Role
from tests.sdk.conftest import SdkWorld

ADD_MEMBER_GAS = 250_000


def _add(
    world: SdkWorld, account: str, label: str, gas: int | None = None, role: Role = Role.PARTNER
) -> Call:
    registry = world.ledger.registry
    data = registry.calldata("addMember", account, role.id, bytes(32))
    return Call(world.admin, registry.address, data, label, gas)


def _pipeline(world: SdkWorld) -> Pipeline:
    return Pipeline(world.ledger.w3, world.ledger.decoder, batch_size=64)


@pytest.mark.parametrize(
    ("item", "encoded"),
    [
        (b"dog", b"\x83dog"),
        ([b"cat", b"dog"], b"\xc8\x83cat\x83dog"),
        (b"", b"\x80"),
        ([], b"\xc0"),
        (0, b"\x80"),
        (15, b"\x0f"),
        (1024, b"\x82\x04\x00"),
        (b"a" * 56, b"\xb8\x38" + b"a" * 56),
        ([b"a" * 60], b"\xf8\x3e\xb8\x3c" + b"a" * 60),
    ],
)
def test_rlp_encode_matches_the_spec(item: bytes | int | list[bytes], encoded: bytes) -> None:
    assert rlp_encode(item) == encoded


def test_rlp_encode_refuses_negative_integers() -> None:
    with pytest.raises(ValueError, match="unsigned"):
        rlp_encode(-1)


def test_the_bulk_signer_signs_what_eth_account_signs() -> None:
    account = Account.create()
    signer = LegacySigner(account, 31337)
    check_signer(signer)
    tx = LegacyTx(nonce=300, gas_price=0, gas=123_456, to=account.address, value=0, data=b"\xff")
    theirs = Account.sign_transaction(
        {"nonce": 300, "gasPrice": 0, "gas": 123_456, "to": account.address, "value": 0}
        | {"data": b"\xff", "chainId": 31337},
        account.key,
    )
    assert signer.sign(tx) == bytes(theirs.raw_transaction)


def test_a_batch_lands_in_order_with_every_receipt(sdk: SdkWorld) -> None:
    accounts = [Account.create().address for _ in range(150)]
    calls = [_add(sdk, a, f"add member {i}") for i, a in enumerate(accounts)]

    report = _pipeline(sdk).send(calls)

    assert report.ok, [o.describe() for o in report.failures]
    assert [o.status for o in report.outcomes] == [Status.MINED] * len(calls)
    added = [
        sdk.ledger.registry.event(o.result, ev.MemberAdded) for o in report.outcomes if o.result
    ]
    assert [e.account for e in added] == accounts
    assert all(sdk.ledger.member(a).roles == (Role.PARTNER,) for a in accounts)
    blocks = [o.result.block_number for o in report.outcomes if o.result]
    assert blocks == sorted(blocks)


def test_many_senders_get_their_own_nonces(sdk: SdkWorld, w3: Web3) -> None:
    senders: list[LocalAccount] = [Account.create() for _ in range(40)]
    calls = [
        Call(sender, sender.address, b"", f"{i}: {sender.address} #{n}", gas=21_000)
        for n in range(3)
        for i, sender in enumerate(senders)
    ]

    report = _pipeline(sdk).send(calls)

    assert report.ok, [o.describe() for o in report.failures]
    assert all(w3.eth.get_transaction_count(s.address) == 3 for s in senders)


def test_large_calls_go_in_requests_of_bounded_size_and_all_land(sdk: SdkWorld) -> None:
    """Twelve 100 KB calls (2.4 MB of hex; gas for EIP-7623's calldata floor, 10 a zero
    byte) in one send: one request that size is refused by anvil ("Invalid request");
    split by size, every one lands."""
    sender: LocalAccount = Account.create()
    calls = [
        Call(sender, sender.address, bytes(100_000), f"large {i}", gas=1_200_000) for i in range(12)
    ]
    pipeline = _pipeline(sdk)
    requests = list(pipeline._chunks([("eth_sendRawTransaction", ["0x" + "00" * 100_000])] * 12))

    report = pipeline.send(calls)

    assert report.ok, [o.describe() for o in report.failures]
    assert [len(r) for r in requests] == [4, 4, 4]
    assert [len(r) for r in pipeline._chunks([("eth_blockNumber", [])] * 150)] == [64, 64, 22]


def test_a_call_whose_estimate_reverts_is_refused_and_never_sent(sdk: SdkWorld, w3: Web3) -> None:
    fresh = [Account.create().address for _ in range(3)]
    nonce = w3.eth.get_transaction_count(sdk.admin.address)
    calls = [
        _add(sdk, fresh[0], "Zhou"),
        _add(sdk, sdk.alice.address, "Alice", role=Role.ME),  # she is an ME already
        _add(sdk, fresh[1], "Wu"),
    ]

    report = _pipeline(sdk).send(calls)

    assert [o.status for o in report.outcomes] == [Status.MINED, Status.REFUSED, Status.MINED]
    refused = report.outcomes[1]
    assert isinstance(refused.error, ContractRevertError)
    assert refused.error.error_name == "RegistryRoleAlreadyHeld"
    assert refused.tx_hash is None
    assert w3.eth.get_transaction_count(sdk.admin.address) == nonce + 2
    with pytest.raises(TransactionError, match=r"1 of 3 transaction\(s\) failed") as raised:
        report.raise_for_failures()
    assert "row 2, Alice: refused" in str(raised.value)


def test_a_rejected_transaction_is_reported_and_its_nonce_filled(sdk: SdkWorld, w3: Web3) -> None:
    """A gas limit above the block's is turned down by the node when sent; the later calls
    of the same sender, already sent, land once a transfer fills the nonce."""
    fresh = [Account.create().address for _ in range(3)]
    block_gas = int(w3.eth.get_block("latest")["gasLimit"])
    calls = [
        _add(sdk, fresh[0], "first", gas=ADD_MEMBER_GAS),
        _add(sdk, fresh[1], "too much gas", gas=block_gas + 1),
        _add(sdk, fresh[2], "third", gas=ADD_MEMBER_GAS),
    ]

    report = _pipeline(sdk).send(calls)

    assert [o.status for o in report.outcomes] == [Status.MINED, Status.REJECTED, Status.MINED]
    assert report.fillers == 1
    assert "the node rejected it" in str(report.outcomes[1].error)
    registry = sdk.ledger.registry
    assert not registry.has_role(fresh[1], Role.PARTNER)
    assert registry.has_role(fresh[2], Role.PARTNER)


def test_a_transaction_reverting_at_inclusion_is_reported_with_its_error(sdk: SdkWorld) -> None:
    """With fixed gas nothing is estimated: the same member added twice in one batch
    mines the first and reverts the second, whose error is recovered by replaying it."""
    fresh = Account.create().address
    calls = [_add(sdk, fresh, "once", ADD_MEMBER_GAS), _add(sdk, fresh, "twice", ADD_MEMBER_GAS)]

    report = _pipeline(sdk).send(calls)

    first, second = report.outcomes
    assert first.status is Status.MINED
    assert second.status is Status.REVERTED
    assert second.result is not None
    assert second.result.receipt["status"] == 0
    assert isinstance(second.error, ContractRevertError)
    assert second.error.error_name == "RegistryRoleAlreadyHeld"
