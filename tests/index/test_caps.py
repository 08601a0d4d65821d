"""eth_getLogs ranges adapt to a node's block-range and result-count caps."""

from __future__ import annotations

from collections import Counter

import pytest
from web3 import HTTPProvider, Web3

from rdh_chain import events as ev
from rdh_chain.chain import AnvilNode
from rdh_chain.index.db import IndexDb
from rdh_chain.index.errors import IndexSyncError
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.settings import IndexSettings
from rdh_chain.log_ranges import BlockRange
from rdh_chain.verify import chain_events
from tests.index.conftest import World, dump, open_indexer
from tests.index.proxy import STYLES, capped_proxy


def _most_logs_in_a_block(world: World) -> int:
    logs = ev.fetch_logs(
        world.w3.provider,
        world.deployment.block,
        world.w3.eth.block_number,
        [*world.deployment.contracts.values(), world.emc],
    )
    return max(Counter(log.block_number for log in logs).values())


@pytest.mark.parametrize("style", STYLES)
def test_sync_through_capped_node_gives_the_same_index_as_uncapped(
    world: World, anvil: AnvilNode, tmp_path: object, style: str
) -> None:
    direct = open_indexer(f"sqlite:///{tmp_path}/direct.sqlite", world)
    direct.sync()
    cap = _most_logs_in_a_block(world)
    with capped_proxy(anvil.rpc_url, max_blocks=4, max_results=cap, style=style) as proxy:
        db = IndexDb.open(f"sqlite:///{tmp_path}/capped.sqlite")
        indexer = Indexer(
            db,
            Web3(HTTPProvider(proxy.url)).provider,
            world.deployment,
            world.decoder,
            IndexSettings(block_range=1_000, max_block_range=1_000),
        )
        result = indexer.sync()
    assert result.checkpoint == world.w3.eth.block_number
    assert proxy.refused > 0
    assert proxy.widest <= 4
    assert dump(db) == dump(direct.db)


def test_range_grows_back_after_refusals() -> None:
    sizes = BlockRange(initial=1_000, maximum=1_000)
    sizes.refused(1_000)
    sizes.refused(500)
    assert sizes.size == 250
    sizes.succeeded(250)
    sizes.succeeded(500)
    assert sizes.size == 1_000


def test_sync_fails_with_the_nodes_message_when_one_block_is_over_the_cap(
    world: World, anvil: AnvilNode, tmp_path: object
) -> None:
    with capped_proxy(anvil.rpc_url, max_blocks=1_000, max_results=1, style="besu") as proxy:
        db = IndexDb.open(f"sqlite:///{tmp_path}/capped.sqlite")
        indexer = Indexer(
            db, Web3(HTTPProvider(proxy.url)).provider, world.deployment, world.decoder
        )
        with pytest.raises(IndexSyncError, match="query returned more than 1 results"):
            indexer.sync()


@pytest.mark.parametrize("style", STYLES)
def test_verify_reads_its_events_through_a_capped_node(
    world: World, anvil: AnvilNode, style: str
) -> None:
    """rdh_chain.verify reads with the same adaptive ranges as the index (log_ranges)."""
    head = world.w3.eth.block_number
    direct = chain_events(world.w3, world.deployment, world.artifacts, head)
    cap = _most_logs_in_a_block(world)
    with capped_proxy(anvil.rpc_url, max_blocks=4, max_results=cap, style=style) as proxy:
        capped = chain_events(
            Web3(HTTPProvider(proxy.url)), world.deployment, world.artifacts, head
        )
    assert proxy.refused > 0
    assert proxy.widest <= 4
    assert capped == direct


def test_a_refusal_other_than_the_ranges_is_raised_not_shrunk() -> None:
    ranges = BlockRange(initial=8, maximum=8)

    def refuse(first: int, last: int) -> list[ev.RawLog]:
        raise ev.LogQueryError(-32000, "header not found", None)

    with pytest.raises(ev.LogQueryError, match="header not found"):
        ranges.attempt(1, 8, refuse)
    assert ranges.size == 8
    assert ranges.attempt(1, 8, lambda first, last: []) == []
