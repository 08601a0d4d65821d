"""`rdh chain`: a node of its own per test, started and stopped through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result
from web3 import Web3

from rdh_chain.chain import AnvilNode, free_port, stop_background
from rdh_chain.cli.main import app
from rdh_chain.config import RunRecord, Settings
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


# -- rdh chain advance -------------------------------------------------------------------


def _latest(w3: Web3) -> tuple[int, int]:
    block = w3.eth.get_block("latest")
    return block["number"], block["timestamp"]


def test_chain_advance_moves_the_anvil_clock_and_mines_a_block(cli: Cli, w3: Web3) -> None:
    number, timestamp = _latest(w3)

    result = cli.run("chain", "advance", "--hours", "72", "--json")

    report = json.loads(result.stdout)
    assert report["client"].startswith("anvil/")
    assert report["before"] == {"block": number, "timestamp": timestamp}
    after_number, after_timestamp = _latest(w3)
    assert report["after"] == {"block": after_number, "timestamp": after_timestamp}
    assert after_number == number + 1
    assert after_timestamp >= timestamp + 72 * 3600
    text = cli.run("chain", "advance", "--hours", "1").stdout
    assert text.startswith(f"moved the clock of {cli.rpc_url} forward 1 h: block {number + 2} at ")


def test_chain_advance_refuses_zero_hours(cli: Cli, w3: Web3) -> None:
    before = _latest(w3)
    result = cli.run("chain", "advance", "--hours", "0", code=2)
    assert "Invalid value for '--hours'" in result.output
    assert _latest(w3) == before


class _OtherClient(ThreadingHTTPServer):
    """Another node's JSON-RPC face in front of the session's anvil: it calls itself Geth
    and has no anvil_* methods, as a Geth or Besu node would answer; everything else,
    evm_increaseTime included (Hardhat has it), goes to the anvil behind it."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.methods: list[str] = []
        super().__init__(("127.0.0.1", 0), _Forward)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Forward(BaseHTTPRequestHandler):
    server: _OtherClient

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = json.loads(body)
        method = str(request["method"])
        self.server.methods.append(method)
        if method == "web3_clientVersion":
            reply = {"jsonrpc": "2.0", "id": request["id"], "result": GETH_VERSION}
        elif method.startswith("anvil_"):
            reply = {
                "jsonrpc": "2.0",
                "id": request["id"],
                "error": {"code": -32601, "message": f"the method {method} does not exist"},
            }
        else:
            upstream = urllib.request.Request(
                self.server.upstream, data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(upstream, timeout=10) as response:
                reply = json.loads(response.read())
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


GETH_VERSION = "Geth/v1.14.12-stable/linux-amd64/go1.23.4"


@pytest.fixture
def other_client(anvil: AnvilNode) -> Iterator[_OtherClient]:
    server = _OtherClient(anvil.rpc_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_chain_advance_exits_1_on_a_node_that_is_not_anvil(
    tmp_path: Path, other_client: _OtherClient, w3: Web3
) -> None:
    cli = Cli(tmp_path / "data", other_client.url)
    before = _latest(w3)

    result = cli.run("chain", "advance", "--hours", "72", code=1)

    assert result.stderr == (
        f"error: `rdh chain advance` moves the clock of the local anvil only, and the node at "
        f"{other_client.url} is {GETH_VERSION} (chain 31337); its time follows the wall clock, "
        "so wait for the deadline instead. For a local chain, run `rdh chain up` (or "
        "`make run`) and point --rpc-url at it.\n"
    )
    assert "evm_increaseTime" not in other_client.methods
    assert "evm_mine" not in other_client.methods
    assert _latest(w3) == before


def test_chain_advance_exits_1_when_no_node_answers(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "data", f"http://127.0.0.1:{free_port()}")
    result = cli.run("chain", "advance", "--hours", "1", code=1)
    assert result.stderr.startswith(f"error: No Ethereum node answers at {cli.rpc_url}")


# -- the CLI in another shell: what the data folder records ----------------------------


def _run_without_rpc_url(data_dir: Path, *args: str, code: int = 0) -> Result:
    """``rdh ARGS`` with only RDH_DATA_DIR set: a second shell beside `make run`."""
    env = {"RDH_DATA_DIR": str(data_dir), "RDH_RPC_URL": None, "RDH_CHAIN_ID": None}
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    return result


def _record(data_dir: Path, rpc_url: str, pid: int) -> RunRecord:
    record = RunRecord(
        pid=pid,
        rpc_url=rpc_url,
        chain_id=31337,
        api_host="127.0.0.1",
        api_port=8123,
        started_at="2026-01-01T00:00:00+00:00",
    )
    record.save(data_dir)
    return record


def test_cli_uses_the_chain_and_gateway_the_data_folder_records(cli: Cli, anvil: AnvilNode) -> None:
    cli.run("deploy")
    _record(cli.data_dir, anvil.rpc_url, os.getpid())

    status = json.loads(_run_without_rpc_url(cli.data_dir, "chain", "status", "--json").stdout)

    assert (status["rpc_url"], status["answering"]) == (anvil.rpc_url, True)
    assert status["deployment_problem"] is None
    assert status["run"]["gateway_url"] == "http://127.0.0.1:8123"
    assert status["run"]["pid"] == os.getpid()
    text = _run_without_rpc_url(cli.data_dir, "chain", "status").stdout
    assert "gateway      http://127.0.0.1:8123" in text
    assert _run_without_rpc_url(cli.data_dir, "emc", "list").stdout.startswith("No EMCs yet")


def test_cli_ignores_the_record_of_a_run_that_is_gone(cli: Cli, anvil: AnvilNode) -> None:
    # A process that has exited (and been reaped): its pid names nothing now.
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    _record(cli.data_dir, anvil.rpc_url, int(gone.stdout))

    status = json.loads(_run_without_rpc_url(cli.data_dir, "chain", "status", "--json").stdout)

    assert status["rpc_url"] == Settings.model_fields["rpc_url"].default
    assert status["run"] is None


def test_an_rpc_url_given_wins_over_the_record(cli: Cli, anvil: AnvilNode) -> None:
    elsewhere = f"http://127.0.0.1:{free_port()}"
    _record(cli.data_dir, anvil.rpc_url, os.getpid())

    by_option = _run_without_rpc_url(
        cli.data_dir, "--rpc-url", elsewhere, "chain", "status", "--json"
    )
    by_env = cli.run("chain", "status", "--json")  # RDH_RPC_URL set

    assert json.loads(by_option.stdout)["rpc_url"] == elsewhere
    assert json.loads(by_env.stdout)["rpc_url"] == anvil.rpc_url == cli.rpc_url


def test_cli_uses_a_local_anvil_started_on_another_port(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "data", f"http://127.0.0.1:{free_port()}")
    try:
        cli.run("chain", "up")
        status = json.loads(_run_without_rpc_url(cli.data_dir, "chain", "status", "--json").stdout)
        assert (status["rpc_url"], status["answering"]) == (cli.rpc_url, True)
        assert status["local_node"] is not None
    finally:
        stop_background(cli.data_dir / "anvil")
