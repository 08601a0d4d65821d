"""``rdh_chain.verify`` on real lifecycles: the events alone give every figure the chain holds,
at every block; a tampered event and a chain whose state its events do not explain are each
reported as the specific figures they change."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from typer.testing import CliRunner, Result
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain.cli.main import app
from rdh_chain.events import Claimed, Decoded, EventDecoder
from rdh_chain.verify import Mismatch, Verification, chain_events
from tests.audit.helpers import verify_cast as _verify
from tests.contracts.helpers import Cast, revert, snapshot
from tests.contracts.test_events import Lifecycle, _run


@pytest.fixture(scope="module")
def life(cast: Cast) -> Iterator[Lifecycle]:
    """test_events' lifecycle (two EMCs through everything), run once for the module."""
    snapshot_id = snapshot(cast.w3)
    cast.refresh()
    try:
        yield _run(cast)
    finally:
        revert(cast.w3, snapshot_id)
        cast.refresh()


def _fields(result: Verification) -> set[tuple[str, str, ChecksumAddress | None]]:
    return {(m.source, m.field, m.account) for m in result.mismatches}


def test_the_events_lifecycle_verifies_exactly_at_the_head(life: Lifecycle) -> None:
    result = _verify(life.cast)

    assert result.mismatches == ()
    # cast's base EMC and the lifecycle's two; the fund and every party, claimer and investor.
    assert (result.emcs, result.accounts) == (3, 13)
    assert result.events == 157
    assert result.fields == 154


def test_the_events_lifecycle_verifies_at_every_block(life: Lifecycle) -> None:
    """Each read is pinned to the block, and the replay stops there: every intermediate
    state (mid-claim, between a loss and a dissolution, before a sweep) agrees too. From
    the lifecycle's first block: anvil may have dropped older states after other modules'
    reverts."""
    cast = life.cast
    head = cast.w3.eth.block_number
    events = chain_events(cast.w3, cast.deployment, cast.artifacts, head)
    start = int(life.results["create_a"].receipt["blockNumber"])
    assert head - start > 50
    for block in range(start, head + 1):
        result = _verify(cast, block, events)
        assert result.mismatches == (), f"block {block}"


def _tamper_claim(cast: Cast, events: list[Decoded], account: ChecksumAddress) -> list[Decoded]:
    """The events with ``account``'s first claim raised by one fen in its log's data."""
    decoder = EventDecoder.from_abis(a.abi for a in cast.artifacts.values())
    out = list(events)
    for i, d in enumerate(out):
        if isinstance(d.event, Claimed) and d.event.account == account:
            amount = int.from_bytes(d.log.data[:32], "big") + 1
            log = dataclasses.replace(d.log, data=amount.to_bytes(32, "big") + d.log.data[32:])
            tampered = decoder.decode(log)
            assert tampered is not None
            out[i] = tampered
            return out
    raise AssertionError(f"{account} never claimed")


def test_a_tampered_claim_event_is_reported_in_the_event_and_in_the_figures_it_moves(
    life: Lifecycle,
) -> None:
    cast, chef = life.cast, life.cast.chef.address
    head = cast.w3.eth.block_number
    events = _tamper_claim(cast, chain_events(cast.w3, cast.deployment, cast.artifacts, head), chef)

    result = _verify(cast, head, events)

    a = life.a.address
    assert {(m.emc, m.source, m.field, m.account) for m in result.mismatches} == {
        # The claim pays one fen more than was claimable, and its running total disagrees.
        (a, "event", "Claimed.amount", chef),
        (a, "event", "Claimed.total_paid", chef),
        # Against the chain: the chef was paid one fen more, so has one fen less to claim.
        (a, "state", "account.paid", chef),
        (a, "state", "account.claimable", chef),
        (a, "state", "totals.paid", None),
        # The token's Transfer says what really left, so the model finds the EMC owing one
        # fen less than it holds: the later sweep took less than the model allows, and one
        # fen more is sweepable now than on chain.
        (a, "event", "Swept.amount", None),
        (a, "state", "sweepable", None),
    }
    paid = next(m for m in result.mismatches if m.field == "account.paid")
    assert paid.expected == life.a.position(chef).paid + 1
    assert paid.on_chain == life.a.position(chef).paid


def _set_storage(w3: Web3, address: ChecksumAddress, slot: int, value: int) -> None:
    reply = w3.provider.make_request(
        RPCEndpoint("anvil_setStorageAt"),
        [address, hex(slot), "0x" + value.to_bytes(32, "big").hex()],
    )
    assert "error" not in reply, reply


def _mapping_slot(key: ChecksumAddress, slot: int) -> int:
    return int.from_bytes(keccak(bytes(12) + bytes.fromhex(key[2:]) + slot.to_bytes(32, "big")))


def _emc_slot(cast: Cast, label: str) -> int:
    layout = cast.artifacts["EMC"].storage_layout
    (found,) = [v for v in layout["storage"] if v["label"] == label]
    return int(found["slot"])


def test_a_paid_figure_written_into_storage_is_reported_for_that_account(life: Lifecycle) -> None:
    """anvil_setStorageAt raises the chef's ``paid`` in EMC A's ``_positions`` (a uint72 at
    byte 22 of the struct's word) with no event to explain it."""
    cast, chef, a = life.cast, life.cast.chef.address, life.a.address
    slot = _mapping_slot(chef, _emc_slot(cast, "_positions"))
    word = int.from_bytes(cast.w3.eth.get_storage_at(a, slot))
    paid = (word >> (22 * 8)) & (2**72 - 1)
    assert paid == life.a.position(chef).paid
    snapshot_id = snapshot(cast.w3)
    try:
        _set_storage(cast.w3, a, slot, word + (1_000 << (22 * 8)))
        cast.w3.provider.make_request(RPCEndpoint("evm_mine"), [])

        result = _verify(cast)
    finally:
        revert(cast.w3, snapshot_id)

    by_field = {(m.emc, m.field, m.account): m for m in result.mismatches}
    assert set(by_field) >= {(a, "account.paid", chef)}
    assert {m.source for m in result.mismatches} == {"state"}
    assert {m.emc for m in result.mismatches} == {a}
    assert by_field[(a, "account.paid", chef)] == Mismatch(
        a, chef, "account.paid", paid, paid + 1_000
    )


def _balance_slot(cast: Cast, holder: ChecksumAddress) -> int:
    """The slot of ``holder``'s balance in the token's balance mapping (found by search)."""
    balance = cast.balance(holder)
    for base in range(10):
        slot = _mapping_slot(holder, base)
        if int.from_bytes(cast.w3.eth.get_storage_at(cast.deployment.token, slot)) == balance:
            return slot
    raise AssertionError("no balance mapping in the token's first ten slots")


def test_credit_the_token_events_do_not_explain_is_reported_as_the_balance_and_sweepable(
    life: Lifecycle,
) -> None:
    """EMC B's credit raised in the token's storage, no Transfer behind it: the balance the
    events give and what a sweep could take both disagree with the chain."""
    cast, b = life.cast, life.b.address
    held = cast.balance(b)
    slot = _balance_slot(cast, b)
    snapshot_id = snapshot(cast.w3)
    try:
        _set_storage(cast.w3, cast.deployment.token, slot, held + 500)
        cast.w3.provider.make_request(RPCEndpoint("evm_mine"), [])

        result = _verify(cast)
    finally:
        revert(cast.w3, snapshot_id)

    assert {(m.emc, m.field, m.expected, m.on_chain) for m in result.mismatches} == {
        (b, "balance", held, held + 500),
        (b, "sweepable", 0, 500),
    }


def test_credit_sent_straight_to_an_emc_is_explained_by_its_transfer(life: Lifecycle) -> None:
    """Not a mismatch: the Transfer event says it, and the model finds it sweepable."""
    cast = life.cast
    cast.mint(life.a.address, 1_234)

    result = _verify(cast)

    assert result.mismatches == ()
    assert life.a.sweepable() == 1_234


# -- rdh audit verify -------------------------------------------------------------------------


def _rdh(cast: Cast, data_dir: Path, *args: str) -> Result:
    cast.deployment.save(data_dir / "deployment.json")
    env = {
        "RDH_DATA_DIR": str(data_dir),
        "RDH_RPC_URL": str(getattr(cast.w3.provider, "endpoint_uri", "")),
        "RDH_WALLET": None,
        "RDH_PASSWORD": None,
    }
    # Wide enough for the table's addresses on one line.
    return CliRunner().invoke(app, ["audit", "verify", *args], env={**env, "COLUMNS": "250"})


def test_rdh_audit_verify_exits_0_with_what_it_checked(life: Lifecycle, tmp_path: Path) -> None:
    head = life.cast.w3.eth.block_number
    result = _rdh(life.cast, tmp_path)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"verified: 3 EMC(s), 13 account(s), 157 event(s), 154 figure(s) at block {head}; "
        "no mismatch"
    )


def test_rdh_audit_verify_checks_one_emc_at_a_block(life: Lifecycle, tmp_path: Path) -> None:
    block = int(life.results["p3_b"].receipt["blockNumber"])  # dissolved, nothing claimed yet

    result = _rdh(life.cast, tmp_path, life.b.address, "--block", str(block))

    assert result.exit_code == 0, result.output
    assert "verified: 1 EMC(s)" in result.stdout
    assert f"at block {block};" in result.stdout


def test_rdh_audit_verify_exits_1_and_lists_a_paid_figure_written_into_storage(
    life: Lifecycle, tmp_path: Path
) -> None:
    cast, chef, a = life.cast, life.cast.chef.address, life.a.address
    slot = _mapping_slot(chef, _emc_slot(cast, "_positions"))
    word = int.from_bytes(cast.w3.eth.get_storage_at(a, slot))
    paid = life.a.position(chef).paid
    snapshot_id = snapshot(cast.w3)
    try:
        _set_storage(cast.w3, a, slot, word + (7 << (22 * 8)))
        cast.w3.provider.make_request(RPCEndpoint("evm_mine"), [])
        result = _rdh(cast, tmp_path, a)
    finally:
        revert(cast.w3, snapshot_id)

    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert "mismatch(es)" in lines[0]
    (row,) = [line for line in lines if "account.paid" in line]
    assert a in row
    assert chef in row
    assert f"{paid:,}" in row
    assert f"{paid + 7:,}" in row


def test_rdh_audit_verify_refuses_a_block_past_the_head(life: Lifecycle, tmp_path: Path) -> None:
    head = life.cast.w3.eth.block_number
    result = _rdh(life.cast, tmp_path, "--block", str(head + 10))

    assert result.exit_code == 2
    assert "past the chain's head" in result.stderr
