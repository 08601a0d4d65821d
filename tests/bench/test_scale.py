"""The simulated year (``make bench-scale``) at its ``--quick`` size: every transaction
landed, the index verified clean, the EMCs where the year left them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.scale import QUICK, ScaleResults, anvil_config, main, play
from rdh_chain.chain import AnvilNode, connect
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.types import EmcStatus


@pytest.fixture(scope="module")
def year(
    tmp_path_factory: pytest.TempPathFactory, artifacts: dict[str, Artifact]
) -> Iterator[tuple[ScaleResults, Ledger]]:
    folder = tmp_path_factory.mktemp("scale")
    with AnvilNode(anvil_config(), folder) as node:
        w3 = connect(node.rpc_url)
        results = play(w3, artifacts, QUICK, folder, lambda message: None)
        ledger = Ledger(w3, results.deployment, artifacts)
        yield results, ledger


def test_quick_year_verifies_clean_with_every_version_and_period_on_chain(
    year: tuple[ScaleResults, Ledger],
) -> None:
    results, ledger = year

    assert results.verification.mismatches == ()
    assert results.verification.emcs == QUICK.emcs
    # Every EMC settles every period but the dissolved ones, which stop at their last.
    assert results.dissolved == QUICK.dissolutions
    assert results.settled_periods == QUICK.emcs * QUICK.periods
    assert results.versions == QUICK.emcs * QUICK.periods
    assert results.statements == QUICK.emcs
    assert results.indexed_events > results.figures.events > 0
    calls = results.figures.calls
    assert calls["addMember"] == QUICK.mes + QUICK.partners
    assert calls["createEmc"] == QUICK.emcs
    assert calls["proposeVersion"] == calls["activateVersion"] == results.versions
    assert calls["settle"] + calls["settleAttested"] == results.settled_periods
    assert calls["commitBid"] == calls["revealBid"] == 3 * QUICK.bid_rounds
    assert calls["claim"] > 0
    assert calls["invest"] > 0
    assert results.largest_emc == QUICK.max_size
    for address in results.emcs:
        emc = ledger.emc(address)
        assert emc.totals().periods == QUICK.periods
        assert emc.active_version_id() == QUICK.periods


def test_quick_year_dissolves_its_first_emc_and_leaves_the_terminated_member_out(
    year: tuple[ScaleResults, Ledger],
) -> None:
    results, ledger = year
    dissolved = ledger.emc(results.emcs[0])
    (terminating_address,) = results.terminating
    terminating = ledger.emc(terminating_address)

    assert dissolved.status() is EmcStatus.DISSOLVED
    assert terminating.status() is EmcStatus.ACTIVE
    (left,) = results.departed
    assert left in terminating.share_tree(1).parties
    assert left not in terminating.current_parties()
    assert terminating.departure_of(left).effective_period == 2


def test_main_writes_the_figures_under_scale_and_keeps_the_rest(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    output.write_text(json.dumps({"index": {"events": 1}}), encoding="utf-8")

    assert main(["--quick", "--output", str(output)]) == 0

    record = json.loads(output.read_text(encoding="utf-8"))
    assert record["index"] == {"events": 1}
    scale = record["scale"]
    assert scale["mismatches"] == 0
    assert scale["size"]["emcs"] == QUICK.emcs
    assert scale["transactions"] == sum(scale["transactions_by_operation"].values())
    assert set(scale["gas_by_operation"]) == set(scale["transactions_by_operation"])
