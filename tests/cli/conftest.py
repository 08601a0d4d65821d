"""The CLI run in-process against the session's anvil, each data folder a temporary one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_typing import ChecksumAddress
from typer.testing import CliRunner, Result
from web3 import Web3

from rdh_chain.chain import AnvilNode
from rdh_chain.cli.context import keystore_address
from rdh_chain.cli.main import app
from rdh_chain.deployment import Deployment
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact

# The Smart Cooking numbers: partner 6%, operating 79%, ME value-added 6%, dev fund 9%.
SHARES = ("chef:partner:600", "owner:operating:7900", "me2:value-added:600", "dev-fund:900")
MEMBERS = {"treasury": "treasury", "owner": "me", "me2": "me", "chef": "partner"}


@dataclass
class Cli:
    """``rdh`` with RDH_DATA_DIR and RDH_RPC_URL set, and nothing else from the environment."""

    data_dir: Path
    rpc_url: str

    def run(self, *args: str, code: int = 0) -> Result:
        """Run ``rdh ARGS`` and check its exit code (the output is shown when it differs)."""
        env = {
            "RDH_DATA_DIR": str(self.data_dir),
            "RDH_RPC_URL": self.rpc_url,
            "RDH_WALLET": None,
            "RDH_PASSWORD": None,
        }
        result = CliRunner().invoke(app, list(args), env=env)
        assert result.exit_code == code, (
            f"rdh {' '.join(args)} exited {result.exit_code}, expected {code}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\n{result.exception!r}"
        )
        return result

    def address(self, wallet: str) -> ChecksumAddress:
        address = keystore_address(self.data_dir / "keystores" / f"{wallet}.json")
        assert address is not None
        return address

    def ledger(self, w3: Web3, artifacts: dict[str, Artifact]) -> Ledger:
        """A read-only SDK view of this folder's deployment, to check the chain directly."""
        return Ledger(w3, Deployment.load(self.data_dir / "deployment.json"), artifacts)

    def setup_members(self, names: Sequence[str] = tuple(MEMBERS)) -> None:
        for name in names:
            self.run("wallet", "new", name)
            self.run("member", "add", name, "--role", MEMBERS[name])


@dataclass(frozen=True)
class CliWorld:
    """A deployed folder with a treasury, two MEs, a partner and an EMC with active shares."""

    cli: Cli
    emc: ChecksumAddress


@pytest.fixture
def cli(anvil: AnvilNode, tmp_path: Path) -> Cli:
    """An empty data folder on the session's anvil (the chain reverts after the test)."""
    return Cli(tmp_path / "data", anvil.rpc_url)


@pytest.fixture(scope="module")
def _module_world(anvil: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> CliWorld:
    cli = Cli(tmp_path_factory.mktemp("cli") / "data", anvil.rpc_url)
    cli.run("deploy")
    cli.setup_members()
    emc = cli.run(
        "emc",
        "create",
        "--owner",
        "owner",
        "--target-users",
        "20000",
        "--target-revenue",
        "10,000,000",
        "--sharing-space",
        "600,000",
        "--loss-threshold",
        "1,000,000",
        "--reason",
        "terms agreed with the platform board",
    ).stdout.strip()
    cli.run("shares", "set", emc, *SHARES, "--wallet", "owner")
    cli.run("mint", "owner", "1,000,000.00", "--wallet", "treasury")
    return CliWorld(cli, Web3.to_checksum_address(emc))


@pytest.fixture
def world(_module_world: CliWorld, anvil: AnvilNode) -> CliWorld:
    """The module's world, inside this test's chain snapshot."""
    return _module_world
