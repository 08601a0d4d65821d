"""``rdh index``: sync, status, rebuild in-process; a sync killed with SIGKILL resumes cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from rdh_chain.chain import AnvilNode
from rdh_chain.cli.main import app
from tests.index.conftest import World, dump, open_indexer
from tests.index.test_ingest import more_history


def _env(data_dir: Path, anvil: AnvilNode, **extra: str) -> dict[str, str]:
    return {"RDH_DATA_DIR": str(data_dir), "RDH_RPC_URL": anvil.rpc_url, **extra}


def _rdh(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={**env, "RDH_INDEX_URL": None})
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.stdout


def test_sync_status_and_rebuild_report_the_checkpoint_and_rows(
    world: World, anvil: AnvilNode, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    world.deployment.save(data / "deployment.json")
    env = _env(data, anvil)
    head = world.w3.eth.block_number

    assert f"indexed to block {head} (head {head})" in _rdh(env, "index", "sync")
    report = json.loads(_rdh(env, "index", "status", "--json"))
    assert report["checkpoint"]["block_number"] == head
    assert report["lag_blocks"] == 0
    assert report["rows"]["raw_logs"] > 0
    assert report["rows"]["members"] == world.ledger.registry.member_count()
    assert (data / "index.sqlite").exists()
    events = report["rows"]["events"]
    assert f"rebuilt {events:,} events" in _rdh(env, "index", "rebuild")


def _checkpoint(path: Path) -> int:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            value = conn.execute(text("SELECT block_number FROM checkpoint")).scalar()
    except Exception:
        value = None
    finally:
        engine.dispose()
    return -1 if value is None else int(value)


def test_sync_killed_with_sigkill_mid_batch_resumes_with_no_gap_and_no_duplicate(
    world: World, anvil: AnvilNode, tmp_path: Path
) -> None:
    more_history(world, mints=4, empty_blocks=120)
    head = world.w3.eth.block_number
    data = tmp_path / "data"
    world.deployment.save(data / "deployment.json")
    index_file = data / "index.sqlite"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RDH_")},
        **_env(data, anvil),
        # One block per batch, a handful of logs per transaction: many commits to cut.
        "RDH_INDEX_BLOCK_RANGE": "1",
        "RDH_INDEX_MAX_BLOCK_RANGE": "1",
        "RDH_INDEX_BATCH_LOGS": "2",
    }
    rdh = str(Path(sys.executable).parent / "rdh")
    reached = []
    for _ in range(2):
        before = _checkpoint(index_file)
        process = subprocess.Popen(
            [rdh, "index", "sync"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while _checkpoint(index_file) < before + 15 and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        reached.append(_checkpoint(index_file))
    assert reached == sorted(reached)
    assert reached[-1] < head, "the sync finished before it was killed: give it more blocks"

    # The rest in-process: the same code, without another interpreter's start-up.
    resumed = open_indexer(f"sqlite:///{index_file}", world)
    resumed.sync()
    reference = open_indexer(f"sqlite:///{tmp_path}/reference.sqlite", world)
    reference.sync()
    assert dump(resumed.db) == dump(reference.db)
