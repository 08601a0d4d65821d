"""Syncing a seeded deployment: every rdh-chain log, decoded, with its block."""

from __future__ import annotations

from web3 import Web3

from rdh_chain import events as ev
from rdh_chain.index import queries
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
