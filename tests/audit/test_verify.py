"""``rdh_chain.verify`` on real lifecycles: the events alone give every figure the chain holds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rdh_chain.verify import Verification, chain_events, verify
from tests.contracts.helpers import Cast, revert, snapshot
from tests.contracts.test_events import Lifecycle, _run


@pytest.fixture(scope="module")
def life(cast: Cast) -> Iterator[Lifecycle]:
    snapshot_id = snapshot(cast.w3)
    cast.refresh()
    try:
        yield _run(cast)
    finally:
        revert(cast.w3, snapshot_id)
        cast.refresh()


def _verify(cast: Cast, block: int | None = None) -> Verification:
    block = cast.w3.eth.block_number if block is None else block
    events = chain_events(cast.w3, cast.deployment, cast.artifacts, block)
    return verify(cast.w3, cast.artifacts, cast.deployment, events, block)


def test_the_events_lifecycle_verifies_exactly(life: Lifecycle) -> None:
    result = _verify(life.cast)
    for m in result.mismatches:
        print(m)
    print(result.block, result.emcs, result.accounts, result.events, result.fields)
    assert result.ok
    assert result.emcs >= 2
