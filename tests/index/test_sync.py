"""Syncing a seeded deployment: every rdh-chain log, decoded, with its block."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from web3 import HTTPProvider, Web3

from rdh_chain import events as ev
from rdh_chain.index import queries
from rdh_chain.index.derive import event_json
from rdh_chain.index.fetcher import DEFAULT_TIMEOUT, fetcher_target
from rdh_chain.index.sync import Rpc
from tests.index.conftest import World, dump, open_indexer


def _chain_logs(w3: Web3, world: World) -> list[ev.RawLog]:
    """Every log of the deployment's contracts and its EMC, straight from the node."""
    addresses = [*world.deployment.contracts.values(), world.emc]
    return ev.fetch_logs(w3.provider, world.deployment.block, w3.eth.block_number, addresses)


def test_sync_indexes_every_log_of_every_contract_with_its_block(
    world: World, index_url: str
) -> None:
    indexer = open_indexer(index_url, world)
    result = indexer.sync()

    head = world.w3.eth.block_number
    assert result.checkpoint == head
    expected = _chain_logs(world.w3, world)
    with indexer.db.session() as session:
        point = queries.checkpoint(session)
        decoded = queries.decoded_logs(session)
        emcs = queries.emcs(session)
    assert point is not None
    assert point.block_number == head
    assert point.block_hash == bytes(world.w3.eth.get_block(head)["hash"])
    assert [d.log.key for d in decoded] == [log.key for log in expected]
    assert [e.address for e in emcs] == [world.emc]
    times = {d.log.block_number: d.log.block_timestamp for d in decoded}
    for number, timestamp in times.items():
        assert world.w3.eth.get_block(number)["timestamp"] == timestamp
    names = {d.event.name for d in decoded}
    assert {"EmcCreated", "EmcInitialized", "PeriodSettled", "Claimed", "MemberAdded"} <= names
    indexer.db.close()


def test_sync_twice_adds_nothing_when_the_chain_did_not_move(world: World, sqlite_url: str) -> None:
    indexer = open_indexer(sqlite_url, world)
    indexer.sync()
    before = dump(indexer.db)
    again = indexer.sync()
    assert again.logs == 0
    assert dump(indexer.db) == before


def test_sync_leaves_the_garbage_collector_as_it_found_it(
    world: World, sqlite_url: str, tmp_path: Path
) -> None:
    """A sync collects less often and freezes what was alive before it (ingest's
    ``_batched_collection``); afterwards, also after a sync that failed half way, nothing
    stays frozen and the thresholds are the caller's again."""
    caller = gc.get_threshold()
    gc.set_threshold(1_234, 11, 12)
    try:
        indexer = open_indexer(sqlite_url, world)
        seen: list[tuple[tuple[int, int, int], int]] = []
        indexer.sync(progress=lambda _: seen.append((gc.get_threshold(), gc.get_freeze_count())))
        indexer.db.close()
        (during, frozen), *_ = seen
        assert during[0] > 1_234
        assert frozen > 0
        assert gc.get_threshold() == (1_234, 11, 12)
        assert gc.get_freeze_count() == 0

        def interrupted(_: object) -> None:
            raise KeyboardInterrupt

        failing = open_indexer(f"sqlite:///{tmp_path / 'other.sqlite'}", world)
        with pytest.raises(KeyboardInterrupt):
            failing.sync(progress=interrupted)
        failing.db.close()
        assert gc.get_threshold() == (1_234, 11, 12)
        assert gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(*caller)


def test_members_have_the_registrys_roles_metadata_and_standing(
    world: World, sqlite_url: str
) -> None:
    registry = world.ledger.connect(world.cast.admin).registry
    chef = world.cast.partners["chef"].address
    registry.suspend(chef)
    indexer = open_indexer(sqlite_url, world)
    indexer.sync()
    with indexer.db.session() as session:
        indexed = {m.address: m for m in queries.members(session)}
    on_chain = world.ledger.registry
    assert set(indexed) == set(on_chain.members())
    for address, member in indexed.items():
        record = on_chain.member(address)
        assert member.metadata_hash == record.metadata
        assert {r for r in member.roles if r != "admin"} == {r.value for r in record.roles}
        assert member.active == (address != chef)
    assert "admin" in indexed[world.cast.admin.address].roles


def test_event_json_is_the_events_as_json(world: World, sqlite_url: str) -> None:
    indexer = open_indexer(sqlite_url, world)
    indexer.sync()
    with indexer.db.session() as session:
        decoded = queries.decoded_logs(session)
    for item in decoded:
        assert event_json(item.event) == item.event.as_json()


def test_decoded_logs_filter_by_emc_member_name_and_block(world: World, sqlite_url: str) -> None:
    indexer = open_indexer(sqlite_url, world)
    indexer.sync()
    chef = world.cast.partners["chef"].address
    with indexer.db.session() as session:
        of_emc = queries.decoded_logs(session, emc=world.emc)
        of_chef = queries.decoded_logs(session, member=chef)
        settled = queries.decoded_logs(session, names=["PeriodSettled"])
        everything = queries.decoded_logs(session)
        first_half = queries.decoded_logs(
            session, upto_block=everything[len(everything) // 2].log.block_number
        )
    names = [d.event.name for d in of_emc]
    # The factory's terms and creation, the EMC's own events, the token's moves to and from it.
    assert {
        "EmcCreated",
        "EmcTermsGenerated",
        "EmcInitialized",
        "VersionActivated",
        "PeriodSettled",
        "Claimed",
        "Transfer",
    } <= set(names)
    # From other contracts: the factory's, the token's and the registry's about the EMC.
    elsewhere = {d.event.name for d in of_emc if d.log.address != world.emc}
    assert elsewhere == {
        "EmcCreated",
        "EmcTermsGenerated",
        "Transfer",
        "Approval",
        "SystemContractRegistered",
        "MemberAdded",
        "RoleGranted",
    }
    chef_names = {d.event.name for d in of_chef}
    assert {"MemberAdded", "VersionProposed", "VersionActivated", "Claimed"} <= chef_names
    assert [d.log.address for d in settled] == [world.emc]
    assert first_half == everything[: len(first_half)]
    assert all(d.log.block_number <= first_half[-1].log.block_number for d in first_half)


def test_the_fetcher_process_reads_what_the_provider_reads(world: World) -> None:
    """eth_getLogs through the fetcher process gives the logs fetch_logs reads in-process;
    a fetcher process that dies is started again (the failed request retried)."""
    w3 = world.w3
    rpc = Rpc(w3.provider)
    assert rpc.fetcher is not None  # a plain HTTP provider: the process reads
    assert Rpc(w3.provider, fetch_process=False).fetcher is None
    addresses = [*world.deployment.contracts.values(), world.emc]
    head = w3.eth.block_number
    expected = ev.fetch_logs(w3.provider, world.deployment.block, head, addresses)
    assert expected
    assert rpc.logs(world.deployment.block, head, addresses) == expected
    process = rpc.fetcher._process
    assert process is not None
    process.kill()
    process.wait()
    assert rpc.logs(world.deployment.block, head, addresses) == expected
    assert rpc.fetcher._process is not process
    rpc.close()


def test_the_fetcher_process_only_for_plain_http_providers(world: World) -> None:
    endpoint = str(world.w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    assert fetcher_target(HTTPProvider(endpoint)) == (endpoint, DEFAULT_TIMEOUT)
    assert fetcher_target(HTTPProvider(endpoint, request_kwargs={"timeout": 3})) == (endpoint, 3.0)
    headers = {"headers": {"Authorization": "Bearer x"}}
    assert fetcher_target(HTTPProvider(endpoint, request_kwargs=headers)) is None

    class Wrapped(HTTPProvider):
        pass

    assert fetcher_target(Wrapped(endpoint)) is None
