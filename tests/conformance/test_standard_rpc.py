"""Nothing outside tests depends on anvil: a platform's month through a Besu-like node.

anvil mines a block every 2 seconds (``--block-time 2``, as a QBFT network would), behind a
proxy that refuses every ``anvil_``, ``evm_``, ``hardhat_`` and ``debug_`` method and caps
``eth_getLogs`` ranges as Besu does (:func:`tests.support.rpc_proxy.standard_only`). The CLI
deploys, imports the members, creates the EMC, signs its shares, settles and claims; the
indexer syncs; the auditor verifies and reads the statement; the gateway answers, sign-in
included. Only ``rdh chain advance``, which is for the local anvil alone, is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from api.main import create_app
from rdh_chain.chain import AnvilConfig, AnvilNode, free_port
from rdh_chain.config import Settings
from tests.api.auth_helpers import sign_in
from tests.cli.conftest import SHARES, Cli
from tests.support.rpc_proxy import RpcProxy, rpc_proxy, standard_only

CHAIN_ID = 31337
BLOCK_SECONDS = 2
WALLETS = {"treasury": "treasury", "owner": "me", "me2": "me", "chef": "partner"}


@pytest.fixture(scope="module")
def besu_like(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RpcProxy]:
    folder = tmp_path_factory.mktemp("interval-anvil")
    config = AnvilConfig(port=free_port(), chain_id=CHAIN_ID, block_time=BLOCK_SECONDS)
    with AnvilNode(config, folder) as node, rpc_proxy(node.rpc_url, standard_only) as proxy:
        yield proxy


def test_a_platforms_month_runs_on_standard_json_rpc_with_two_second_blocks(
    besu_like: RpcProxy, tmp_path: Path
) -> None:
    cli = Cli(tmp_path / "data", besu_like.url)
    auditor = Account.create()
    cli.run("deploy")
    for name in WALLETS:
        cli.run("wallet", "new", name)
    members = cli.data_dir / "members.csv"
    members.write_text(
        "account,role,kind,name,note\n"
        + "".join(f"keystores/{n}.json,{role},,,\n" for n, role in WALLETS.items())
        + f"{auditor.address},auditor,auditor,The auditor,\n",
        encoding="utf-8",
    )
    cli.run("member", "import", str(cli.data_dir / "members.csv"))
    emc = cli.run(
        "emc", "create", "--owner", "owner", "--target-users", "20000",
        "--target-revenue", "10,000,000", "--sharing-space", "600,000",
        "--loss-threshold", "1,000,000", "--reason", "terms agreed with the platform board",
    ).stdout.strip()  # fmt: skip
    cli.run("shares", "set", emc, *SHARES, "--wallet", "owner")
    cli.run("mint", "owner", "1,000,000.00", "--wallet", "treasury")
    periods = cli.data_dir / "periods.csv"
    periods.write_text(
        "emc,period,users,revenue,cost,profit,units\n"
        f"{emc},1,20000,10000000,3034900,965100,20000\n",
        encoding="utf-8",
    )
    cli.run("settle", "--batch", str(periods), "--wallet", "owner")
    claimed = json.loads(cli.run("claim", "--all", "--wallet", "chef", "--json").stdout)
    assert claimed["claimed_fen"] == 5_790_600  # the article's 57,906.00 RMB

    cli.run("index", "sync")
    verified = cli.run("audit", "verify", emc)
    assert "no mismatch" in verified.stdout
    statement = json.loads(cli.run("statement", emc, "--format", "json").stdout)
    assert statement["periods"][0]["costs"]["profit_fen"] == 96_510_000

    settings = Settings(rpc_url=besu_like.url, data_dir=cli.data_dir, chain_id=CHAIN_ID)
    with TestClient(create_app(settings)) as gateway:
        assert gateway.get("/health").status_code == 200
        listed = gateway.get("/emcs").json()
        assert emc in [item["address"] for item in listed["items"]]
        sign_in(gateway, auditor)
        history = gateway.get(f"/emcs/{emc}/history", params={"kind": "claim"}).json()
        assert history["total"] == 1
    assert not besu_like.refused, f"non-standard calls: {dict(besu_like.refused)}"
    assert besu_like.calls["eth_getLogs"] > 0

    refused = cli.run("chain", "advance", "--hours", "1", code=1)

    assert "moves the clock of the local anvil only" in refused.stderr
    assert set(besu_like.refused) == {"anvil_nodeInfo"}
