"""The local chain: starting, stopping and finding anvil, persisting its state, connecting."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.types import RPCEndpoint, Wei

from rdh_chain.chain import (
    AnvilConfig,
    AnvilNode,
    connect,
    free_port,
    start_background,
    status,
    stop_background,
)
from rdh_chain.exceptions import ChainError, ChainNotRunningError, ToolchainError

RECIPIENT = Web3.to_checksum_address("0x000000000000000000000000000000000000dEaD")


@pytest.fixture
def nodes() -> Iterator[list[AnvilNode]]:
    """Nodes a test starts; any still running at its end are stopped."""
    started: list[AnvilNode] = []
    yield started
    for node in started:
        if node.is_running():
            node.stop()


def _start(nodes: list[AnvilNode], data_dir: Path, **config: Any) -> AnvilNode:
    node = AnvilNode(AnvilConfig(port=free_port(), **config), data_dir)
    nodes.append(node)
    node.start()
    return node


def _pay(w3: Web3, to: ChecksumAddress, wei: int, *, mined: bool = True) -> HexBytes:
    """Send ``wei`` from a dev account; by default wait until anvil has mined it."""
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": to, "value": Wei(wei)})
    if mined:
        w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10, poll_latency=0.01)
    return tx_hash


def test_state_persists_across_restart(tmp_path: Path, nodes: list[AnvilNode]) -> None:
    state_file = tmp_path / "state.json"
    first = _start(nodes, tmp_path, state_file=state_file)
    w3 = connect(first.rpc_url)
    tx_hash = _pay(w3, RECIPIENT, 12_345)
    block = w3.eth.block_number

    assert first.stop() is True  # exited on SIGTERM, so anvil wrote its state
    assert state_file.is_file()

    # anvil writes the state on SIGTERM; no --state-interval is needed for that.
    second = _start(nodes, tmp_path, state_file=state_file)
    w3 = connect(second.rpc_url)
    assert w3.eth.get_balance(RECIPIENT) == 12_345
    assert w3.eth.block_number == block
    assert w3.eth.get_transaction_receipt(tx_hash)["status"] == 1


def test_restart_without_state_file_starts_empty(tmp_path: Path, nodes: list[AnvilNode]) -> None:
    first = _start(nodes, tmp_path)
    _pay(connect(first.rpc_url), RECIPIENT, 1)
    first.stop()

    second = _start(nodes, tmp_path)

    assert connect(second.rpc_url).eth.get_balance(RECIPIENT) == 0


def test_stop_removes_pid_file(tmp_path: Path, nodes: list[AnvilNode]) -> None:
    node = _start(nodes, tmp_path, chain_id=4242)
    record = json.loads(node.pid_file.read_text())
    assert record["pid"] == node.pid
    assert record["config"]["chain_id"] == 4242

    node.stop()

    assert not node.pid_file.exists()
    assert not node.is_running()


def test_stop_background_stops_node_found_through_pid_file(
    tmp_path: Path, nodes: list[AnvilNode]
) -> None:
    started = start_background(AnvilConfig(port=free_port()), tmp_path)
    nodes.append(started)

    found = status(tmp_path)
    assert found is not None
    assert (found.pid, found.rpc_url, found.block_number) == (started.pid, started.rpc_url, 0)

    assert stop_background(tmp_path) is True
    assert not started.is_running()
    assert status(tmp_path) is None
    assert stop_background(tmp_path) is False


def test_node_started_by_exited_process_is_found_and_stopped(tmp_path: Path) -> None:
    # `rdh chain up` returns while its node keeps running; `rdh chain down` is
    # another process that only has the pid file to go by.
    port = free_port()
    script = (
        "import sys; from pathlib import Path; from rdh_chain.chain import *; "
        "start_background(AnvilConfig(port=int(sys.argv[1])), Path(sys.argv[2]))"
    )
    subprocess.run([sys.executable, "-c", script, str(port), str(tmp_path)], check=True)
    try:
        found = status(tmp_path)
        assert found is not None
        assert found.rpc_url == f"http://127.0.0.1:{port}"
        assert connect(found.rpc_url).eth.chain_id == 31337
    finally:
        stopped = stop_background(tmp_path)

    assert stopped is True
    assert status(tmp_path) is None
    with pytest.raises(ChainNotRunningError):
        connect(f"http://127.0.0.1:{port}")


def test_start_background_persists_state_in_data_dir_by_default(
    tmp_path: Path, nodes: list[AnvilNode]
) -> None:
    node = start_background(data_dir=tmp_path / "data")
    nodes.append(node)

    assert node.config.state_file == tmp_path / "data" / "state.json"


def test_from_pidfile_removes_pid_file_of_exited_process(tmp_path: Path) -> None:
    exited = subprocess.Popen(["true"])
    exited.wait()
    pid_file = tmp_path / "anvil.pid"
    record = {"pid": exited.pid, "config": AnvilConfig(port=free_port()).to_json()}
    pid_file.write_text(json.dumps(record))

    assert AnvilNode.from_pidfile(tmp_path) is None
    assert not pid_file.exists()


def test_from_pidfile_ignores_live_process_that_is_not_anvil(tmp_path: Path) -> None:
    # A recycled pid must never be signalled: this one is pytest itself.
    pid_file = tmp_path / "anvil.pid"
    record = {"pid": os.getpid(), "config": AnvilConfig(port=free_port()).to_json()}
    pid_file.write_text(json.dumps(record))

    assert AnvilNode.from_pidfile(tmp_path) is None
    assert stop_background(tmp_path) is False


def test_start_raises_when_data_dir_already_has_running_node(
    tmp_path: Path, nodes: list[AnvilNode]
) -> None:
    _start(nodes, tmp_path)

    with pytest.raises(ChainError, match="run `rdh chain down` first"):
        _start(nodes, tmp_path)


def test_start_raises_when_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        with pytest.raises(ChainError, match=f"Port {port} on 127.0.0.1 is already in use"):
            AnvilNode(AnvilConfig(port=port), tmp_path).start()


def test_start_raises_toolchain_error_when_binary_missing(tmp_path: Path) -> None:
    config = AnvilConfig(port=free_port(), binary=tmp_path / "anvil")

    with pytest.raises(ToolchainError, match="run `npm ci`"):
        AnvilNode(config, tmp_path).start()


def test_start_raises_with_log_tail_when_anvil_exits(tmp_path: Path) -> None:
    config = AnvilConfig(port=free_port(), extra_args=("--no-such-flag",))

    with pytest.raises(ChainError, match=r"(?s)exited with code \d+.*--no-such-flag"):
        AnvilNode(config, tmp_path).start()
    assert not (tmp_path / "anvil.pid").exists()


def test_no_mining_holds_transactions_until_evm_mine(
    tmp_path: Path, nodes: list[AnvilNode]
) -> None:
    w3 = connect(_start(nodes, tmp_path, no_mining=True).rpc_url)

    tx_hash = _pay(w3, RECIPIENT, 7, mined=False)
    assert w3.eth.block_number == 0

    w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    assert w3.eth.block_number == 1
    assert w3.eth.get_transaction_receipt(tx_hash)["blockNumber"] == 1


def test_prune_history_keeps_only_the_last_blocks_states(
    tmp_path: Path, nodes: list[AnvilNode]
) -> None:
    """A pruned node answers at its recent blocks and refuses older ones; it is started
    without --max-persisted-states, which anvil refuses beside --prune-history."""
    config = AnvilConfig(port=free_port(), prune_history=2)
    assert "--max-persisted-states" not in config.command()
    w3 = connect(_start(nodes, tmp_path, prune_history=2).rpc_url)
    for _ in range(6):
        _pay(w3, RECIPIENT, 1)

    assert w3.eth.get_balance(RECIPIENT, block_identifier=6) == 6
    with pytest.raises(Web3RPCError, match="BlockOutOfRangeError"):
        w3.eth.get_balance(RECIPIENT, block_identifier=1)
    assert len(w3.eth.get_block(1)["transactions"]) == 1  # the blocks themselves are kept


def test_connect_raises_chain_not_running_when_nothing_listens() -> None:
    url = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(
        ChainNotRunningError, match=r"start one with `rdh chain up` \(or `make run`\)"
    ):
        connect(url)


def test_connect_raises_chain_error_on_unexpected_chain_id(anvil: AnvilNode) -> None:
    with pytest.raises(ChainError, match="is chain 31337, expected 1"):
        connect(anvil.rpc_url, expected_chain_id=1)


def test_session_chain_accepts_zero_fee_transactions(w3: Web3) -> None:
    # Base fee and gas price are 0, but eth_maxPriorityFeePerGas still suggests
    # 1 gwei: gas is free for senders that set zero fees explicitly.
    assert w3.eth.chain_id == 31337
    sender = w3.eth.accounts[0]
    before = w3.eth.get_balance(sender)

    tx_hash = w3.eth.send_transaction(
        {
            "from": sender,
            "to": RECIPIENT,
            "value": Wei(1),
            "maxFeePerGas": Wei(0),
            "maxPriorityFeePerGas": Wei(0),
        }
    )

    # anvil mines just after answering; wait rather than race it for the receipt.
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10, poll_latency=0.01)
    assert receipt["effectiveGasPrice"] == 0
    assert w3.eth.get_balance(sender) == before - 1
