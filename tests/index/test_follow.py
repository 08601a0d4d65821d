"""Follow mode: new blocks reach the index while it polls; stopping it leaves it committed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from eth_account import Account
from eth_utils.crypto import keccak

from rdh_chain.index import queries
from rdh_chain.index.ingest import Progress
from rdh_chain.types import Role
from tests.index.conftest import World, open_indexer


def test_follow_indexes_new_blocks_until_stopped(world: World, tmp_path: Path) -> None:
    indexer = open_indexer(f"sqlite:///{tmp_path}/index.sqlite", world, poll_interval=0.05)
    stop = threading.Event()
    seen: list[Progress] = []
    thread = threading.Thread(target=indexer.follow, args=(stop, seen.append), daemon=True)
    thread.start()
    try:
        member = Account.create().address
        admin = world.ledger.connect(world.cast.admin)
        block = admin.registry.add_member(member, Role.PARTNER, keccak(text="new")).block_number
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(p.checkpoint >= block for p in seen):
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
    with indexer.db.session() as session:
        point = queries.checkpoint(session)
        added = queries.decoded_logs(session, member=member, names=["MemberAdded"])
    assert point is not None
    assert point.block_number >= block
    assert [d.log.block_number for d in added] == [block]
