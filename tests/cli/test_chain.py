"""`rdh chain`: a node of its own per test, started and stopped through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from rdh_chain.chain import free_port, stop_background
from tests.cli.conftest import Cli


def test_chain_up_keeps_state_when_restarted(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "data", f"http://127.0.0.1:{free_port()}")
    try:
        assert cli.run("chain", "up").stdout.startswith(f"anvil started at {cli.rpc_url}")
        assert cli.run("chain", "up").stdout.startswith(f"anvil already running at {cli.rpc_url}")
        cli.run("deploy")
        before = json.loads(cli.run("chain", "status", "--json").stdout)
        assert before["answering"] is True
        assert before["chain_id"] == 31337
        assert before["block_number"] == 5  # four contracts and the factory's registration
        assert before["deployment_problem"] is None
        assert before["local_node"]["state_file"] == str(cli.data_dir / "anvil" / "state.json")

        assert cli.run("chain", "down").stdout.startswith("anvil stopped;")
        down = json.loads(cli.run("chain", "status", "--json").stdout)
        assert (down["answering"], down["local_node"]) == (False, None)
        assert down["deployment_problem"] == "not checked: the node does not answer"
        assert cli.run("chain", "down").stdout.startswith("No anvil started from")

        cli.run("chain", "up")
        after = json.loads(cli.run("chain", "status", "--json").stdout)
        assert after["block_number"] == 5
        assert after["deployment"] == before["deployment"]
        assert after["deployment_problem"] is None
    finally:
        stop_background(cli.data_dir / "anvil")


def test_chain_status_says_how_to_start_when_nothing_runs(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "data", f"http://127.0.0.1:{free_port()}")
    result = cli.run("chain", "status")
    assert "node         not answering (`rdh chain up`)" in result.stdout
    assert "local anvil  not running" in result.stdout
    assert "run `rdh deploy`" in result.stdout


def test_chain_up_exits_1_when_rpc_url_is_remote(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "data", "http://10.11.12.13:8545")
    result = cli.run("chain", "up", code=1)
    assert result.stderr.startswith(
        "error: `rdh chain up` starts a local node, but the RPC URL http://10.11.12.13:8545 "
        "is remote;"
    )
    assert not (cli.data_dir / "anvil").exists()
