"""``rdh_chain.verify`` on real lifecycles: the events alone give every figure the chain holds,
at every block; a tampered event and a chain whose state its events do not explain are each
reported as the specific figures they change."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from typer.testing import CliRunner, Result
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain.accounting import BPS, replay
from rdh_chain.cli.main import app
from rdh_chain.events import Claimed, Decoded, EventDecoder, Invested
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.schema import RawLogRow
from rdh_chain.index.settings import IndexSettings
from rdh_chain.verify import Mismatch, Verification, chain_events
from tests.audit.helpers import verify_cast as _verify
from tests.contracts.helpers import Cast, revert, snapshot
from tests.contracts.test_events import Lifecycle, life
from tests.index.proxy import capped_proxy

__all__ = ["life"]  # test_events' module fixture: the lifecycle, run once for this module


def _fields(result: Verification) -> set[tuple[str, str, ChecksumAddress | None]]:
    return {(m.source, m.field, m.account) for m in result.mismatches}


def test_the_events_lifecycle_verifies_exactly_at_the_head(life: Lifecycle) -> None:
    result = _verify(life.cast)

    assert result.mismatches == ()
    # cast's base EMC and the lifecycle's two; the fund and every party, claimer and investor.
    assert (result.emcs, result.accounts) == (3, 13)
    assert result.events == 157
    assert result.fields == 206  # 196 figures, the 5 versions' share roots and struct hashes


def test_the_events_lifecycle_verifies_at_every_block(life: Lifecycle) -> None:
    """Each read is pinned to the block, and the replay stops there: every intermediate
    state (mid-claim, between a loss and a dissolution, before a sweep) agrees too. From
    the lifecycle's first block: anvil may have dropped older states after other modules'
    reverts."""
    cast = life.cast
    head = cast.w3.eth.block_number
    events = chain_events(cast.w3, cast.deployment, cast.artifacts, head)
    start = int(life.results["create_a"].receipt["blockNumber"])
    assert head - start > 40  # every step of the lifecycle a block of its own
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


def _rdh(
    cast: Cast, data_dir: Path, *args: str, index: bool = False, rpc_url: str | None = None
) -> Result:
    cast.deployment.save(data_dir / "deployment.json")
    env = {
        "RDH_DATA_DIR": str(data_dir),
        "RDH_RPC_URL": rpc_url or str(getattr(cast.w3.provider, "endpoint_uri", "")),
        "RDH_WALLET": None,
        "RDH_PASSWORD": None,
    }
    # Wide enough for the table's addresses on one line.
    source = [] if index else ["--source", "chain"]
    command = ["audit", "verify", *source, *args]
    return CliRunner().invoke(app, command, env={**env, "COLUMNS": "250"})


def test_rdh_audit_verify_exits_0_with_what_it_checked(life: Lifecycle, tmp_path: Path) -> None:
    head = life.cast.w3.eth.block_number
    result = _rdh(life.cast, tmp_path)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "verified: 3 EMC(s), 13 account(s), 157 event(s) from the node, 206 figure(s) at "
        f"block {head}; no mismatch"
    )


def test_rdh_audit_verify_reads_the_chain_in_the_ranges_a_capped_node_accepts(
    life: Lifecycle, tmp_path: Path
) -> None:
    """The chain is read as the indexer reads it: refused eth_getLogs ranges shrink."""
    head = life.cast.w3.eth.block_number
    upstream = str(getattr(life.cast.w3.provider, "endpoint_uri", ""))
    with capped_proxy(upstream, max_blocks=8, max_results=30, style="besu") as proxy:
        result = _rdh(life.cast, tmp_path, rpc_url=proxy.url)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "verified: 3 EMC(s), 13 account(s), 157 event(s) from the node, 206 figure(s) at "
        f"block {head}; no mismatch"
    )
    assert proxy.refused > 0
    assert proxy.widest <= 8


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


# -- from the index -------------------------------------------------------------------------


def _synced_index(cast: Cast, data_dir: Path) -> str:
    """The deployment indexed into ``data_dir``/index.sqlite up to the head; its URL."""
    url = f"sqlite:///{data_dir / 'index.sqlite'}"
    db = IndexDb.open(url)
    try:
        decoder = EventDecoder.from_abis(a.abi for a in cast.artifacts.values())
        Indexer(db, cast.w3.provider, cast.deployment, decoder, IndexSettings(url=url)).sync()
    finally:
        db.close()
    return url


def test_rdh_audit_verify_reads_the_index_at_its_checkpoint(
    life: Lifecycle, tmp_path: Path
) -> None:
    """The index in the data folder is used without being named, at its checkpoint: blocks
    mined after it are not the index's, so not verified."""
    cast = life.cast
    _synced_index(cast, tmp_path)
    checkpoint = cast.w3.eth.block_number
    cast.mint(life.a.address, 10)  # one block past the checkpoint

    result = _rdh(cast, tmp_path, index=True)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "verified: 3 EMC(s), 13 account(s), 157 event(s) from the index, 206 figure(s) at "
        f"block {checkpoint}; no mismatch"
    )


def test_rdh_audit_verify_exits_1_on_a_tampered_index_row(life: Lifecycle, tmp_path: Path) -> None:
    """The chef's claim in EMC A raised by 1,000 fen in the index's raw log row: the event
    no longer matches the model, and the figures it moves no longer match the chain."""
    cast, chef, a = life.cast, life.cast.chef.address, life.a.address
    url = _synced_index(cast, tmp_path)
    claim = life.results["claim_chef"].receipt
    (log,) = [x for x in claim["logs"] if x["address"] == a]
    db = IndexDb.open(url, upgrade=False)
    try:
        with db.transaction() as session:
            row = session.get(RawLogRow, (int(log["blockNumber"]), int(log["logIndex"])))
            assert row is not None
            amount = int.from_bytes(row.data[:32], "big")
            row.data = (amount + 1_000).to_bytes(32, "big") + row.data[32:]
    finally:
        db.close()

    result = _rdh(cast, tmp_path, "--index-url", url, index=True)

    assert result.exit_code == 1, result.output
    cells = [line.split("│") for line in result.stdout.splitlines() if line.startswith("│")]
    rows = {c[3].strip() for c in cells}
    assert {"Claimed.amount", "Claimed.total_paid", "account.paid", "account.claimable"} <= rows
    (paid,) = [line for line in result.stdout.splitlines() if "account.paid" in line]
    assert chef in paid
    assert f"{amount + 1_000:,}" in paid
    assert "events from the index" in result.stderr


def test_rdh_audit_verify_refuses_a_block_past_the_index(life: Lifecycle, tmp_path: Path) -> None:
    cast = life.cast
    url = _synced_index(cast, tmp_path)
    checkpoint = cast.w3.eth.block_number
    cast.mint(life.a.address, 10)

    result = _rdh(cast, tmp_path, "--index-url", url, "--block", str(checkpoint + 1), index=True)

    assert result.exit_code == 2
    assert "past the index's checkpoint" in result.stderr


def test_every_account_earned_what_it_was_paid_and_is_owed_to_the_unit(life: Lifecycle) -> None:
    """README's conservation, account by account: what the events credit it, in 1/10,000
    fen, is its paid, claimable and locked fen and its dust (EMC B's forfeited pool aside)."""
    cast = life.cast
    books = replay(chain_events(cast.w3, cast.deployment, cast.artifacts, cast.w3.eth.block_number))
    for book in (books.emcs[life.a.address], books.emcs[life.b.address]):
        for account in book.known_accounts():
            p = book.position(account)
            assert book.earned(account) == (p.paid + p.claimable + p.locked) * BPS + p.dust


def test_rdh_audit_verify_json_lists_each_mismatch(life: Lifecycle, tmp_path: Path) -> None:
    cast, b = life.cast, life.b.address
    held = cast.balance(b)
    slot = _balance_slot(cast, b)
    snapshot_id = snapshot(cast.w3)
    try:
        _set_storage(cast.w3, cast.deployment.token, slot, held + 3)
        cast.w3.provider.make_request(RPCEndpoint("evm_mine"), [])
        result = _rdh(cast, tmp_path, b, "--json")
    finally:
        revert(cast.w3, snapshot_id)

    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert (report["source"], report["emcs"]) == ("chain", 1)
    assert [(m["field"], m["recomputed"], m["on_chain"]) for m in report["mismatches"]] == [
        ("balance", held, held + 3),
        ("sweepable", 0, 3),
    ]


def test_rdh_audit_verify_without_an_index_reads_the_node(life: Lifecycle, tmp_path: Path) -> None:
    result = _rdh(life.cast, tmp_path, life.a.address, index=True)

    assert result.exit_code == 0, result.output
    assert "from the node" in result.stdout
    assert "No index" in result.stderr


def test_rdh_audit_verify_exits_1_on_an_event_deleted_from_the_index(
    life: Lifecycle, tmp_path: Path
) -> None:
    """ME 3's investment in EMC B deleted from the index: the capital, ME 3's holding and
    the credit the events give fall short of the chain's."""
    cast, b, me3 = life.cast, life.b.address, life.cast.mes[3].address
    url = _synced_index(cast, tmp_path)
    invested = [
        d
        for d in chain_events(cast.w3, cast.deployment, cast.artifacts, cast.w3.eth.block_number)
        if isinstance(d.event, Invested) and d.log.address == b and d.event.account == me3
    ]
    (gone,) = invested
    db = IndexDb.open(url, upgrade=False)
    try:
        with db.transaction() as session:
            row = session.get(RawLogRow, (gone.log.block_number, gone.log.log_index))
            assert row is not None
            session.delete(row)  # the history reads raw logs (joined to events): the event is gone
    finally:
        db.close()

    result = _rdh(cast, tmp_path, b, "--json", index=True)

    assert result.exit_code == 1, result.output
    found = {(m["field"], m["account"]) for m in json.loads(result.stdout)["mismatches"]}
    # Every figure that investment moved: the capital's, ME 3's, what the losses covered
    # and the pool shares they earned, the credit the EMC owes.
    assert {
        ("capital.invested", None),
        ("capital.investors", None),
        ("capital.losses_covered", None),
        ("capital_of.invested", me3),
        ("capital_of.loss_borne", me3),
        ("LossAbsorbed", None),
        ("EmcDissolved", None),
        ("CapitalReturned.pool_share", me3),
        ("sweepable", None),
    } <= found
