"""Shared fixtures: one anvil per test session, a snapshot around every test that touches it.

Request ``w3`` (or ``anvil``) and the chain is reverted after the test, so no
test sees another's transactions. Session- and module-scoped fixtures that
deploy contracts run before the snapshot, so their contracts stay.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain.chain import AnvilConfig, AnvilNode, connect, free_port
from rdh_chain.toolchain import Artifact, load_artifacts

# The PostgreSQL server and per-test databases (``postgres``, ``postgres_database``); a
# primary with a hot standby (``replication``, ``replicated_database``).
pytest_plugins = ["tests.support.postgres", "tests.support.standby"]

CHAIN_ID = 31337

# Property tests run a real chain per example: a few dozen locally, hundreds in CI.
settings.register_profile("dev", max_examples=50)
settings.register_profile("ci", max_examples=300)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


@pytest.fixture(scope="session")
def anvil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilNode]:
    """A fresh anvil on a free port, without a state file, for the whole session."""
    node = AnvilNode(
        AnvilConfig(port=free_port(), chain_id=CHAIN_ID), tmp_path_factory.mktemp("anvil")
    )
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def w3(anvil: AnvilNode) -> Web3:
    """Web3 on the session's anvil; its unlocked dev accounts are ``w3.eth.accounts``."""
    return connect(anvil.rpc_url, expected_chain_id=CHAIN_ID)


@pytest.fixture(autouse=True)
def _chain_snapshot(request: pytest.FixtureRequest) -> Iterator[None]:
    # Autouse fixtures run first within their scope, so the snapshot is taken
    # before any function-scoped fixture deploys or sends anything.
    if "anvil" not in request.fixturenames:
        yield
        return
    web3: Web3 = request.getfixturevalue("w3")
    snapshot = web3.provider.make_request(RPCEndpoint("evm_snapshot"), [])["result"]
    yield
    reply = web3.provider.make_request(RPCEndpoint("evm_revert"), [snapshot])
    assert reply.get("result") is True, f"evm_revert({snapshot}) failed: {reply}"


@pytest.fixture(scope="session")
def artifacts() -> dict[str, Artifact]:
    """The compiled contracts from ``rdh_chain/_build/contracts.json`` (``make test`` builds
    them first)."""
    return load_artifacts()
