"""rdh_chain.pinned_reads: views read at one block in one batch, or one by one when refused."""

from __future__ import annotations

from typing import Any

import pytest

from rdh_chain.chain import AnvilNode, connect
from rdh_chain.ledger import Ledger
from rdh_chain.pinned_reads import PinnedReads
from rdh_chain.structs import struct_from_abi
from rdh_chain.toolchain import Artifact
from rdh_chain.types import EmcTerms, Position, Totals
from tests.api.helpers import World


@pytest.fixture
def ledger(world: World, anvil: AnvilNode, artifacts: dict[str, Artifact]) -> Ledger:
    # A Web3 of its own: the session's is shared with tests that patch or batch on it.
    return Ledger(connect(anvil.rpc_url), world.deployment, artifacts)


def _read(ledger: Ledger, world: World, block: int) -> list[Any]:
    emc = ledger.emc(world.smart_cooking)
    reads = PinnedReads(ledger.w3, block)
    reads.add(emc, "owner")
    reads.add(emc, "terms")
    reads.add(emc, "totals")
    proofs = [p.as_abi() for p in emc.share_proofs(world.chef.address, block=block)]
    reads.add(emc, "accountOf", world.chef.address, proofs)
    return reads.execute()


def test_pinned_reads_give_what_the_clients_read_in_one_batch(
    ledger: Ledger, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider: Any = ledger.w3.provider
    batches: list[int] = []
    original = provider.make_batch_request

    def counted(requests: list[Any]) -> Any:
        batches.append(len(requests))
        return original(requests)

    monkeypatch.setattr(provider, "make_batch_request", counted)
    emc = ledger.emc(world.smart_cooking)
    block = ledger.w3.eth.block_number

    owner, terms, totals, chef = _read(ledger, world, block)

    assert batches == [4]
    assert owner == emc.owner(block=block)
    assert EmcTerms.from_abi(terms) == emc.terms(block=block)
    assert struct_from_abi(Totals, totals) == emc.totals(block=block)
    assert struct_from_abi(Position, chef) == emc.position(world.chef.address, block=block)


def test_pinned_reads_read_one_by_one_when_the_node_refuses_batches(
    ledger: Ledger, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    block = ledger.w3.eth.block_number
    expected = _read(ledger, world, block)

    def refused(requests: list[Any]) -> Any:
        raise ValueError("batch requests are not supported")

    monkeypatch.setattr(ledger.w3.provider, "make_batch_request", refused)

    assert _read(ledger, world, block) == expected
