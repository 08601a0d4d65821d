"""GET /health, and every route's answer when the chain or the deployment is missing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from web3 import Web3

from api.main import create_app
from rdh_chain.chain import AnvilConfig, AnvilNode, connect, free_port
from rdh_chain.config import Settings
from rdh_chain.deployment import Deployment, deploy
from rdh_chain.reverts import RevertDecoder
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from tests.api.helpers import World


def test_health_returns_chain_and_deployment_when_up(
    client: TestClient, world: World, w3: Web3
) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body.pop("index")["state"] == "missing"  # test_index_routes checks the rest
    assert body == {
        "status": "ok",
        "chain_id": 31337,
        "block": w3.eth.block_number,
        "deployment": {
            "chain_id": 31337,
            "registry": world.deployment.registry,
            "token": world.deployment.token,
            "factory": world.deployment.factory,
            "guidelines": world.deployment.guidelines,
            "admin": world.admin.address,
            "block": world.deployment.block,
        },
    }


# Member pages need a signed-in wallet first (401); signing in needs the chain's id.
@pytest.mark.parametrize("path", ["/health", "/emcs", "/auth/nonce"])
def test_routes_are_503_when_no_node_answers(path: str, tmp_path: Path) -> None:
    rpc_url = f"http://127.0.0.1:{free_port()}"
    client = TestClient(create_app(Settings(rpc_url=rpc_url, data_dir=tmp_path)))

    response = client.get(path)

    assert response.status_code == 503
    assert response.json() == {
        "detail": f"No Ethereum node answers at {rpc_url} (ConnectionError); "
        "start one with `rdh chain up` (or `make run`).",
        "error": "ChainNotRunningError",
    }


def test_health_is_503_when_no_deployment_record(anvil: AnvilNode, tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(rpc_url=anvil.rpc_url, data_dir=tmp_path)))

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json() == {
        "detail": f"No deployment record at {tmp_path / 'deployment.json'}; "
        "run `rdh deploy` first.",
        "error": "DeploymentError",
    }


@pytest.fixture
def spare_node(tmp_path: Path) -> Iterator[AnvilNode]:
    """An anvil of this test's own, to stop or wipe without touching the session's."""
    node = AnvilNode(AnvilConfig(port=free_port()), tmp_path / "anvil")
    node.start()
    yield node
    if node.is_running():
        node.stop()


def _deploy_to(node: AnvilNode, artifacts: dict[str, Artifact], data_dir: Path) -> Deployment:
    decoder = RevertDecoder(a.abi for a in artifacts.values())
    deployment = deploy(TxSender(connect(node.rpc_url), Account.create(), decoder), artifacts)
    deployment.save(data_dir / "deployment.json")
    return deployment


def test_routes_are_503_when_node_stops_after_ledger_opened(
    spare_node: AnvilNode, artifacts: dict[str, Artifact], tmp_path: Path
) -> None:
    _deploy_to(spare_node, artifacts, tmp_path)
    client = TestClient(create_app(Settings(rpc_url=spare_node.rpc_url, data_dir=tmp_path)))
    assert client.get("/emcs").json()["items"] == []

    spare_node.stop()
    first, again = client.get("/emcs"), client.get("/health")

    expected = {
        "detail": f"The node at {spare_node.rpc_url} stopped answering (ConnectionError); "
        "start it with `rdh chain up` (or `make run`).",
        "error": "ChainNotRunningError",
    }
    assert (first.status_code, first.json()) == (503, expected)
    assert (again.status_code, again.json()) == (503, expected)


def test_health_recovers_when_chain_restarted_empty_and_deployed_again(
    spare_node: AnvilNode, artifacts: dict[str, Artifact], tmp_path: Path
) -> None:
    old = _deploy_to(spare_node, artifacts, tmp_path)
    client = TestClient(create_app(Settings(rpc_url=spare_node.rpc_url, data_dir=tmp_path)))
    assert client.get("/health").status_code == 200

    spare_node.stop()
    spare_node.start()  # no state file: an empty chain at the same URL
    stale = client.get("/health")
    new = _deploy_to(spare_node, artifacts, tmp_path)
    # The 503 made the app forget its ledger, so it reads the new record.
    recovered = client.get("/emcs"), client.get("/health")

    assert stale.status_code == 503
    assert stale.json() == {
        "detail": f"No registry contract at {old.registry}: the chain was reset. "
        "Remove the deployment record and deploy again.",
        "error": "DeploymentError",
    }
    assert (recovered[0].status_code, recovered[0].json()["items"]) == (200, [])
    assert recovered[1].status_code == 200
    assert recovered[1].json()["deployment"]["registry"] == new.registry
