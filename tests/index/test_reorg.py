"""Reorgs: the index rolls back to the common ancestor and reads the new branch.

Branches are made with anvil: ``evm_snapshot``/``evm_revert`` and other transactions
mined on top (a longer, a shorter, an equally long branch), and ``anvil_reorg``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eth_account import Account
from eth_utils.crypto import keccak
from web3.types import RPCEndpoint

from rdh_chain.demo import EMC_METADATA, SMART_COOKING
from rdh_chain.index import queries
from rdh_chain.index.ingest import Indexer
from rdh_chain.types import Role, Strategy
from tests.index.conftest import World, dump, open_indexer


def rpc(world: World, method: str, *params: Any) -> Any:
    reply = world.w3.provider.make_request(RPCEndpoint(method), list(params))
    assert "error" not in reply, reply
    return reply["result"]


def add_members(world: World, count: int, tag: str) -> list[str]:
    admin = world.ledger.connect(world.cast.admin)
    added = []
    for i in range(count):
        member = Account.create().address
        admin.registry.add_member(member, Role.ME, keccak(text=f"{tag} {i}"))
        added.append(member)
    return added


def fresh_index(world: World, tmp_path: Path, name: str) -> Indexer:
    indexer = open_indexer(f"sqlite:///{tmp_path}/{name}.sqlite", world)
    indexer.sync()
    return indexer


def fork(world: World) -> str:
    snapshot: str = rpc(world, "evm_snapshot")
    return snapshot


def revert(world: World, snapshot: str) -> None:
    assert rpc(world, "evm_revert", snapshot) is True
    world.ledger.forget_nonces()


def test_reorg_to_a_longer_branch_rolls_back_and_replays(world: World, tmp_path: Path) -> None:
    indexer = open_indexer(f"sqlite:///{tmp_path}/index.sqlite", world)
    indexer.sync()
    snapshot = fork(world)
    replaced = add_members(world, 2, "old branch")
    indexer.sync()

    revert(world, snapshot)
    kept = add_members(world, 4, "new branch")
    result = indexer.sync()

    assert result.reorgs == 1
    assert result.checkpoint == world.w3.eth.block_number
    with indexer.db.session() as session:
        members = {m.address for m in queries.members(session)}
    assert set(kept) <= members
    assert not set(replaced) & members
    assert dump(indexer.db) == dump(fresh_index(world, tmp_path, "fresh").db)


def test_reorg_to_a_shorter_branch_while_the_indexer_was_down(world: World, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/index.sqlite"
    snapshot = fork(world)
    add_members(world, 5, "old branch")
    first = open_indexer(url, world)
    first.sync()
    first.db.close()

    # Down: the chain goes back and grows a shorter branch; the checkpoint's block is gone.
    revert(world, snapshot)
    add_members(world, 1, "new branch")
    restarted = open_indexer(url, world)
    result = restarted.sync()

    assert result.reorgs == 1
    assert result.checkpoint == world.w3.eth.block_number
    assert dump(restarted.db) == dump(fresh_index(world, tmp_path, "fresh").db)


def test_reorg_that_removes_an_emc_forgets_its_contract_and_logs(
    world: World, tmp_path: Path
) -> None:
    indexer = open_indexer(f"sqlite:///{tmp_path}/index.sqlite", world)
    indexer.sync()
    snapshot = fork(world)
    admin = world.ledger.connect(world.cast.admin)
    owner = world.cast.owner.address
    admin.factory.create_emc(owner, Strategy.EXPLORE, SMART_COOKING, EMC_METADATA)
    indexer.sync()
    with indexer.db.session() as session:
        assert len(queries.emcs(session)) == 2

    revert(world, snapshot)
    add_members(world, 3, "new branch")
    indexer.sync()

    with indexer.db.session() as session:
        assert [e.address for e in queries.emcs(session)] == [world.emc]
    assert len(indexer.reader.addresses) == len(world.deployment.contracts) + 1
    assert dump(indexer.db) == dump(fresh_index(world, tmp_path, "fresh").db)


def test_anvil_reorg_of_the_last_blocks_is_rolled_back(world: World, tmp_path: Path) -> None:
    add_members(world, 3, "before")
    indexer = open_indexer(f"sqlite:///{tmp_path}/index.sqlite", world)
    indexer.sync()
    head = world.w3.eth.block_number

    # Replace the last two blocks (each one member's admission) with two empty ones.
    rpc(world, "anvil_reorg", 2, [])
    assert world.w3.eth.block_number == head
    world.ledger.forget_nonces()
    result = indexer.sync()

    assert result.reorgs == 1
    assert dump(indexer.db) == dump(fresh_index(world, tmp_path, "fresh").db)


def test_confirmations_keep_the_index_behind_the_head_and_out_of_shallow_reorgs(
    world: World, tmp_path: Path
) -> None:
    add_members(world, 4, "before")
    indexer = open_indexer(f"sqlite:///{tmp_path}/index.sqlite", world, confirmations=3)
    result = indexer.sync()
    head = world.w3.eth.block_number
    assert result.checkpoint == head - 3

    rpc(world, "anvil_reorg", 2, [])
    world.ledger.forget_nonces()
    result = indexer.sync()
    assert result.reorgs == 0
    assert result.checkpoint == head - 3
    with indexer.db.session() as session:
        assert queries.lag(session, head).blocks == 3
