"""rdh_chain.demo: the seeded Smart Cooking EMC has the source's figures, seeding twice
changes nothing, and the seeded auditor's attestations are accepted."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils.crypto import keccak
from fastapi.testclient import TestClient
from web3 import Web3

from api.main import create_app
from rdh_chain.chain import free_port
from rdh_chain.config import RunRecord, Settings
from rdh_chain.demo import (
    MES,
    PARTNERS,
    PROFILES,
    YUAN,
    DemoCast,
    index_location,
    run,
    seed,
    serve_processes,
)
from rdh_chain.deployment import deploy
from rdh_chain.events import PeriodSettled
from rdh_chain.exceptions import ConfigError
from rdh_chain.ledger import Ledger
from rdh_chain.profiles import ProfileStore
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from rdh_chain.types import EmcStatus, PeriodReport, Role
from tests.api.auth_helpers import sign_in


@pytest.fixture
def demo(w3: Web3, artifacts: dict[str, Artifact], anvil: object) -> tuple[Ledger, DemoCast]:
    """A fresh deployment by the demo's admin, and the demo's cast (wallets in memory)."""
    cast = DemoCast(
        admin=Account.create(),
        treasury=Account.create(),
        auditor=Account.create(),
        steward=Account.create(),
        mes={name: Account.create() for name, _, _ in MES},
        partners={name: Account.create() for name in PARTNERS},
    )
    deployment = deploy(TxSender(w3, cast.admin, Ledger.decoder_for(artifacts)), artifacts)
    return Ledger(w3, deployment, artifacts), cast


def test_seed_gives_the_sources_figures_when_run_on_a_fresh_deployment(
    demo: tuple[Ledger, DemoCast],
) -> None:
    ledger, cast = demo
    emc = ledger.emc(seed(ledger, cast))

    terms = emc.terms()
    assert (terms.target_users, terms.target_revenue) == (20_000, 10_000_000 * YUAN)
    assert terms.sharing_space == 600_000 * YUAN
    assert (terms.max_notice_periods, terms.attest_all_reports) == (12, False)
    totals = emc.totals()
    assert (totals.periods, totals.users) == (1, 20_000)
    assert (totals.revenue, totals.profit) == (4_000_000 * YUAN, 965_100 * YUAN)
    assert emc.position(cast.partners["chef"].address).paid == 57_906 * YUAN
    # The 6% value-added pool of month 1, well inside the sharing space.
    assert emc.pool().accrued_fen == 57_906 * YUAN
    assert ledger.registry.is_active(cast.auditor.address, Role.AUDITOR)


def test_seed_sends_nothing_when_run_again(demo: tuple[Ledger, DemoCast], w3: Web3) -> None:
    ledger, cast = demo
    first = seed(ledger, cast)
    block = w3.eth.block_number

    assert seed(ledger, cast) == first
    assert w3.eth.block_number == block


def test_seeded_auditor_attests_a_loss_drawn_on_capital(demo: tuple[Ledger, DemoCast]) -> None:
    ledger, cast = demo
    emc = ledger.emc(seed(ledger, cast))
    ledger.connect(cast.partners["chef"]).invest(emc, 50_000 * YUAN)
    loss = PeriodReport(users=10, units=10, revenue=100_000 * YUAN, cost=400_000 * YUAN, profit=0)
    deadline = int(ledger.w3.eth.get_block("latest")["timestamp"]) + 3_600

    attestation = ledger.connect(cast.auditor).attest(emc, loss, deadline)
    _, result = ledger.connect(cast.owner).settle(emc, loss, attestation)

    settled = emc.settlement(result)
    assert (settled.period, settled.loss, settled.covered) == (2, 300_000 * YUAN, 50_000 * YUAN)
    assert emc.event(result, PeriodSettled).auditor == cast.auditor.address
    assert emc.status() is EmcStatus.ACTIVE


def test_seed_records_each_profiles_hash_and_writes_the_documents(
    demo: tuple[Ledger, DemoCast], tmp_path: Path
) -> None:
    ledger, cast = demo
    store = ProfileStore(tmp_path / "profiles")
    seed(ledger, cast, store)
    block = ledger.w3.eth.block_number

    for name, account in cast.wallets().items():
        metadata = ledger.registry.member(account.address).metadata
        assert metadata == PROFILES[name].hash, name
        assert store.get(metadata) == PROFILES[name]
    assert PROFILES["chef"].name == "Chef Zhang Weili"
    assert seed(ledger, cast, store)
    assert ledger.w3.eth.block_number == block


def test_seed_sets_the_profile_hash_again_over_an_older_seeding(
    demo: tuple[Ledger, DemoCast],
) -> None:
    ledger, cast = demo
    seed(ledger, cast)
    chef = cast.partners["chef"].address
    ledger.connect(cast.admin).registry.set_metadata(chef, keccak(text=f"demo partner {chef}"))

    seed(ledger, cast)

    assert ledger.registry.member(chef).metadata == PROFILES["chef"].hash


# -- run: the index beside the gateway -------------------------------------------------


def test_run_syncs_the_index_before_serving_and_the_gateway_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(rpc_url=f"http://127.0.0.1:{free_port()}", data_dir=tmp_path)
    seen: dict[str, object] = {}

    def serve(served: Settings) -> None:
        # What the gateway process would see: its default index, in the data folder.
        client = TestClient(create_app(served))
        seen["health"] = client.get("/health").json()["index"]
        emc = client.get("/emcs").json()["items"][0]["address"]
        sign_in(client, DemoCast.load(served.keystores).auditor)  # history is for auditors
        seen["history"] = client.get(f"/emcs/{emc}/history", params={"kind": "claim"}).json()

    run(settings, serve=serve)

    index = seen["health"]
    assert isinstance(index, dict)
    assert (index["state"], index["lag_blocks"], index["deployment_matches"]) == ("synced", 0, True)
    history = seen["history"]
    assert isinstance(history, dict)
    (claim,) = history["items"]
    assert claim["account"]["name"] == PROFILES["chef"].name
    assert claim["amount"]["fen"] == 57_906 * YUAN
    welcome = capsys.readouterr().out
    assert f"  index        {tmp_path / 'index.sqlite'} (at block " in welcome
    assert "/history" in welcome


def test_index_location_hides_a_postgresql_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RDH_INDEX_URL", "postgresql+psycopg://indexer:secret@db.example/rdh")

    assert index_location(Settings(data_dir=tmp_path)) == (
        "postgresql+psycopg://indexer:***@db.example/rdh"
    )


def _sleeper(marker: Path) -> list[str]:
    """A child that writes ``marker`` once it has started, then sleeps until stopped."""
    code = f"import pathlib, time; pathlib.Path({str(marker)!r}).touch(); time.sleep(60)"
    return [sys.executable, "-c", code]


def test_serve_processes_stops_every_child_on_ctrl_c(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    markers = [tmp_path / "indexer", tmp_path / "gateway"]

    def interrupt_once_started() -> None:
        deadline = time.monotonic() + 30
        while not all(m.exists() for m in markers) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)  # to this process alone, as `kill -INT` would

    timer = threading.Thread(target=interrupt_once_started)
    timer.start()
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="rdh.demo"):
        serve_processes(
            [("indexer", _sleeper(markers[0])), ("gateway", _sleeper(markers[1]))], dict(os.environ)
        )
    timer.join()

    assert time.monotonic() - started < 30  # stopped, not slept out
    assert [r.getMessage() for r in caplog.records] == ["gateway stopped", "indexer stopped"]


def test_serve_processes_fails_when_the_gateway_exits_and_stops_the_indexer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    failing = [sys.executable, "-c", "raise SystemExit(3)"]

    with (
        caplog.at_level(logging.INFO, logger="rdh.demo"),
        pytest.raises(ConfigError, match=r"^The gateway exited with status 3; its messages"),
    ):
        serve_processes(
            [("indexer", _sleeper(tmp_path / "indexer")), ("gateway", failing)],
            dict(os.environ),
        )

    assert [r.getMessage() for r in caplog.records] == ["indexer stopped"]


def test_run_refuses_to_start_twice_from_one_data_folder(tmp_path: Path) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        RunRecord(
            pid=other.pid,
            rpc_url="http://127.0.0.1:9545",
            chain_id=31337,
            api_host="127.0.0.1",
            api_port=9000,
            started_at="2026-01-01T00:00:00+00:00",
        ).save(tmp_path)
        settings = Settings(rpc_url=f"http://127.0.0.1:{free_port()}", data_dir=tmp_path)

        with pytest.raises(ConfigError) as refused:
            run(settings, serve=lambda _: None)

        assert str(refused.value) == (
            f"`make run` already runs from {tmp_path} (pid {other.pid}, since "
            "2026-01-01T00:00:00+00:00): its chain is http://127.0.0.1:9545 and its gateway "
            "http://127.0.0.1:9000. Use it from another shell (the CLI finds it), or stop it "
            "with Ctrl-C first."
        )
        assert not (tmp_path / "anvil").exists()  # nothing started
    finally:
        other.kill()
        other.wait()
