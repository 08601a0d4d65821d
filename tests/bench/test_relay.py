"""bench.relay: the gateway's relay of activations, measured from this process against a
gateway of its own (the figures' structure only: tests assert no wall-clock time)."""

from __future__ import annotations

from itertools import pairwise

from eth_account import Account
from web3 import Web3

from bench.relay import LAST_SIGNATURE, SIGNATURE, _entries, _figures, measure
from rdh_chain.chain import AnvilNode
from rdh_chain.toolchain import Artifact
from rdh_chain.types import TOTAL_BPS


def test_entries_differ_each_round_and_sum_to_the_whole() -> None:
    parties = [Account.create() for _ in range(3)]
    rounds = [_entries(parties, n) for n in range(4)]
    assert all(sum(e.bps for e in entries) == TOTAL_BPS for entries in rounds)
    assert all(a != b for a, b in pairwise(rounds))


def test_figures_give_rate_median_and_p99() -> None:
    figures = _figures([0.1] * 99 + [1.0])
    assert figures["count"] == 100
    assert figures["p50_ms"] == 100.0
    assert figures["p99_ms"] == 100.0  # nearest rank: the 99th of 100
    assert figures["rps"] == round(100 / (9.9 + 1.0), 1)


def test_measure_relays_each_round_through_a_gateway_process(
    anvil: AnvilNode, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    figures = measure(w3, artifacts, anvil.rpc_url, rounds=2, party_count=2)

    assert set(figures) == {LAST_SIGNATURE, SIGNATURE}
    assert figures[LAST_SIGNATURE]["count"] == 2
    assert figures[SIGNATURE]["count"] == 2
    assert all(row["p99_ms"] > 0 and row["rps"] > 0 for row in figures.values())
