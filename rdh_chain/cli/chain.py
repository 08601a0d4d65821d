"""``rdh chain``: the local anvil node, whose state lives in the data folder."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain.chain.anvil import AnvilConfig, AnvilNode, start_background, stop_background
from rdh_chain.chain.anvil import status as node_status
from rdh_chain.chain.connect import connect
from rdh_chain.cli.context import JsonOption, get_state
from rdh_chain.cli.output import echo, echo_json, fields, when
from rdh_chain.config import RunRecord, Settings
from rdh_chain.deployment import Deployment
from rdh_chain.exceptions import ChainError, ChainNotRunningError, ConfigError, DeploymentError

chain_app = typer.Typer(help="Start, stop and inspect the local chain.", no_args_is_help=True)

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "0.0.0.0", "::1"}


def _local_config(settings: Settings) -> AnvilConfig:
    host = urlsplit(settings.rpc_url).hostname or "127.0.0.1"
    if host not in _LOCAL_HOSTS:
        raise ConfigError(
            f"`rdh chain up` starts a local node, but the RPC URL {settings.rpc_url} is remote; "
            "point --rpc-url (or RDH_RPC_URL) at 127.0.0.1 or manage that node yourself."
        )
    return AnvilConfig.persisted(
        settings.anvil_dir, port=settings.anvil_port, chain_id=settings.chain_id
    )


@chain_app.command("up")
def up(
    ctx: typer.Context,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the node to answer.", min=1)
    ] = 30.0,
) -> None:
    """Start anvil in the background, loading the saved chain state; nothing if it runs."""
    settings = get_state(ctx).settings
    folder = settings.anvil_dir
    running = AnvilNode.from_pidfile(folder)
    if running is not None:
        echo(f"anvil already running at {running.rpc_url} (pid {running.pid}).")
        return
    config = _local_config(settings)
    try:
        chain_id = connect(settings.rpc_url).eth.chain_id
    except ChainNotRunningError:
        chain_id = None
    if chain_id is not None:
        # Someone else's node: it is usable, but `rdh chain down` will not stop it.
        echo(
            f"A node (chain {chain_id}) already answers at {settings.rpc_url}; it was not started "
            f"from {folder}, so `rdh chain down` will not stop it."
        )
        return
    node = start_background(config, folder, timeout)
    echo(f"anvil started at {node.rpc_url} (pid {node.pid}, chain {config.chain_id}).")
    echo(f"state: {config.state_file} (saved on `rdh chain down`); log: {node.log_file}")


@chain_app.command("down")
def down(ctx: typer.Context) -> None:
    """Stop the node started by `rdh chain up`, saving its state."""
    settings = get_state(ctx).settings
    folder = settings.anvil_dir
    if stop_background(folder):
        echo(f"anvil stopped; state saved in {settings.anvil_dir}.")
    else:
        echo(f"No anvil started from {folder} is running.")


@chain_app.command("status")
def status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Whether the node runs, its chain id and block, and the recorded deployment."""
    settings = get_state(ctx).settings
    node = node_status(settings.anvil_dir)
    w3: Web3 | None
    try:
        w3 = connect(settings.rpc_url)
        chain_id: int | None = w3.eth.chain_id
        block: int | None = w3.eth.block_number
    except ChainNotRunningError:
        w3, chain_id, block = None, None, None
    deployment, problem = _deployment_state(settings, w3)
    run = RunRecord.load(settings.data_dir)

    report: dict[str, Any] = {
        "rpc_url": settings.rpc_url,
        "answering": chain_id is not None,
        "chain_id": chain_id,
        "block_number": block,
        "local_node": None
        if node is None
        else {"pid": node.pid, "state_file": str(node.state_file), "log_file": str(node.log_file)},
        "deployment_file": str(settings.deployment_file),
        "deployment": None
        if deployment is None
        else {
            "chain_id": deployment.chain_id,
            "registry": deployment.registry,
            "token": deployment.token,
            "factory": deployment.factory,
            "admin": deployment.admin,
            "block": deployment.block,
        },
        "deployment_problem": problem,
        "run": None
        if run is None
        else {
            "pid": run.pid,
            "rpc_url": run.rpc_url,
            "gateway_url": run.gateway_url,
            "started_at": run.started_at,
            "record": str(settings.run_file),
        },
    }
    if as_json:
        echo_json(report)
        return
    pairs = [
        ("rpc url", settings.rpc_url),
        ("node", "answering" if chain_id is not None else "not answering (`rdh chain up`)"),
        ("local anvil", "not running" if node is None else f"running, pid {node.pid}"),
    ]
    if run is not None:
        pairs += [
            ("make run", f"running since {run.started_at}, pid {run.pid} ({settings.run_file})"),
            ("gateway", run.gateway_url),
        ]
    if chain_id is not None:
        pairs += [("chain id", str(chain_id)), ("block", str(block))]
    if deployment is None:
        pairs.append(("deployment", problem or "none"))
    else:
        pairs += [
            ("deployment", problem or "ok"),
            ("registry", deployment.registry),
            ("token", deployment.token),
            ("factory", deployment.factory),
            ("admin", deployment.admin),
        ]
    fields(pairs)


def _deployment_state(settings: Settings, w3: Web3 | None) -> tuple[Deployment | None, str | None]:
    """The recorded deployment and, if it cannot be used, why."""
    if not settings.deployment_file.exists():
        return None, f"no record at {settings.deployment_file}; run `rdh deploy`"
    try:
        deployment = Deployment.load(settings.deployment_file)
    except DeploymentError as exc:
        return None, str(exc)
    if w3 is None:
        return deployment, "not checked: the node does not answer"
    try:
        deployment.check(w3)
    except DeploymentError as exc:
        return deployment, str(exc)
    return deployment, None


_HOUR = 3600


def _anvil_version(w3: Web3, rpc_url: str) -> str:
    """anvil's ``web3_clientVersion``; refuses any other node (a real network's clock is
    the wall clock: nobody may move it)."""
    reply = w3.provider.make_request(RPCEndpoint("web3_clientVersion"), [])
    client = str(reply.get("result") or "an unknown client")
    info = w3.provider.make_request(RPCEndpoint("anvil_nodeInfo"), [])
    if not client.lower().startswith("anvil/") or "result" not in info:
        raise ChainError(
            f"`rdh chain advance` moves the clock of the local anvil only, and the node at "
            f"{rpc_url} is {client} (chain {w3.eth.chain_id}); its time follows the wall "
            "clock, so wait for the deadline instead. For a local chain, run `rdh chain up` "
            "(or `make run`) and point --rpc-url at it."
        )
    return client


@chain_app.command("advance")
def advance(
    ctx: typer.Context,
    hours: Annotated[int, typer.Option("--hours", min=1, help="Hours to move the clock forward.")],
    as_json: JsonOption = False,
) -> None:
    """Move the local anvil's clock forward and mine a block (to pass a bid round's or a
    notice's deadline); refused on any chain that is not anvil."""
    settings = get_state(ctx).settings
    w3 = connect(settings.rpc_url)
    client = _anvil_version(w3, settings.rpc_url)
    before = w3.eth.get_block("latest")
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [hours * _HOUR])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    after = w3.eth.get_block("latest")
    report = {
        "rpc_url": settings.rpc_url,
        "client": client,
        "hours": hours,
        "before": {"block": before["number"], "timestamp": before["timestamp"]},
        "after": {"block": after["number"], "timestamp": after["timestamp"]},
    }
    if as_json:
        echo_json(report)
        return
    echo(
        f"moved the clock of {settings.rpc_url} forward {hours} h: block {after['number']} "
        f"at {when(after['timestamp'])} (was block {before['number']} at "
        f"{when(before['timestamp'])})."
    )
