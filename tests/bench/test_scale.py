"""The simulated year (``make bench-scale``) at its ``--quick`` size: every transaction
landed, the index verified clean, the EMCs where the year left them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3
from web3.types import Wei

import bench.scale as scale_module
from bench.scale import QUICK, Figures, ScaleResults, _Sender, anvil_config, main, play
from rdh_chain.chain import AnvilNode, connect
from rdh_chain.ledger import Ledger
from rdh_chain.pipeline import Call, Pipeline
from rdh_chain.reverts import RevertDecoder
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
    # Every version went in as a signed draft, in one transaction.
    assert calls["proposeAndActivateVersion"] == results.versions
    assert calls["proposeVersion"] == calls["activateVersion"] == 0
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


def test_the_sender_sends_in_rounds_each_senders_calls_in_nonce_order(
    w3: Web3, artifacts: dict[str, Artifact], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scale_module, "ROUND_CALLS", 2)
    first, second = Account.create(), Account.create()
    for account in (first, second):
        w3.eth.send_transaction(
            {"from": w3.eth.accounts[0], "to": account.address, "value": Wei(10**18)}
        )
    sink = Account.create().address
    # The first sender's three calls straddle two rounds; each carries its place as value.
    calls = [
        Call(sender, sink, b"", f"transfer: {place}", 21_000, place)
        for place, sender in enumerate([first, second, first, first, second], start=1)
    ]
    figures = Figures()
    pipeline = Pipeline(w3, RevertDecoder(a.abi for a in artifacts.values()))

    receipts = _Sender(pipeline, figures).send(calls)

    sent = [w3.eth.get_transaction(r["transactionHash"]) for r in receipts]
    # Grouped by sender in the order given, the nonces of each following each other.
    assert [(tx["from"], tx["nonce"], tx["value"]) for tx in sent] == [
        (first.address, 0, 1),
        (first.address, 1, 3),
        (first.address, 2, 4),
        (second.address, 0, 2),
        (second.address, 1, 5),
    ]
    # Three rounds ([first, first], [first, second], [second]), each asking its senders'
    # nonces once the last round was mined.
    assert pipeline.rpc_calls["eth_getTransactionCount"] == 4
    assert figures.transactions == figures.calls["transfer"] == 5
