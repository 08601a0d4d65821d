"""The SDK's connection serves many threads at once (the gateway's worker threads) without
urllib3 discarding connections ("Connection pool is full")."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from rdh_chain.chain import AnvilNode, connect
from rdh_chain.chain.connect import HTTP_POOL_SIZE

THREADS = 40  # anyio's default thread limiter: what a FastAPI gateway runs sync routes on


def test_many_threads_share_the_connection_without_a_full_pool(
    anvil: AnvilNode, caplog: pytest.LogCaptureFixture
) -> None:
    w3 = connect(anvil.rpc_url)
    start = threading.Barrier(THREADS)

    def reads(_: int) -> int:
        start.wait(timeout=30)
        return sum(w3.eth.block_number >= 0 for _ in range(10))

    with (
        caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"),
        ThreadPoolExecutor(THREADS) as pool,
    ):
        done = list(pool.map(reads, range(THREADS)))

    assert done == [10] * THREADS
    full = [r.getMessage() for r in caplog.records if "Connection pool is full" in r.getMessage()]
    assert full == []
    assert HTTP_POOL_SIZE >= THREADS
