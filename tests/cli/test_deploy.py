"""`rdh deploy`: one working deployment per data folder unless forced."""

from __future__ import annotations

from web3 import Web3

from rdh_chain.deployment import Deployment
from tests.cli.conftest import Cli


def test_deploy_creates_admin_wallet_when_missing(cli: Cli, w3: Web3) -> None:
    result = cli.run("deploy")
    admin = cli.address("admin")
    assert result.stderr.startswith(f"Created wallet admin ({admin}) in ")
    deployment = Deployment.load(cli.data_dir / "deployment.json")
    assert deployment.admin == admin
    deployment.check(w3)
    assert f"registry     {deployment.registry}" in result.stdout


def test_deploy_exits_1_when_a_working_deployment_is_recorded(cli: Cli) -> None:
    cli.run("deploy")
    record = (cli.data_dir / "deployment.json").read_bytes()
    result = cli.run("deploy", code=1)
    registry = Deployment.load(cli.data_dir / "deployment.json").registry
    assert result.stderr.startswith(f"error: Already deployed on chain 31337 (registry {registry}")
    assert "pass --force to deploy a new set and replace the record." in result.stderr
    assert (cli.data_dir / "deployment.json").read_bytes() == record


def test_deploy_replaces_record_when_forced(cli: Cli, w3: Web3) -> None:
    cli.run("deploy")
    first = Deployment.load(cli.data_dir / "deployment.json")
    cli.run("deploy", "--force")
    second = Deployment.load(cli.data_dir / "deployment.json")
    assert second.registry != first.registry
    assert second.admin == first.admin  # the same admin wallet, not a new one
    second.check(w3)


def test_deploy_redeploys_when_recorded_contracts_have_no_code(cli: Cli, w3: Web3) -> None:
    nowhere = Web3.to_checksum_address("0x" + "ab" * 20)
    record = Deployment(31337, nowhere, nowhere, nowhere, nowhere, nowhere, 1)
    record.save(cli.data_dir / "deployment.json")
    result = cli.run("deploy")
    assert (
        "has no code on this chain (registry, token, guidelines, factory missing): the chain "
        "was reset. "
        "Deploying anew." in result.stderr
    )
    Deployment.load(cli.data_dir / "deployment.json").check(w3)


def test_deploy_exits_1_when_record_is_for_another_chain(cli: Cli) -> None:
    nowhere = Web3.to_checksum_address("0x" + "ab" * 20)
    record = Deployment(999, nowhere, nowhere, nowhere, nowhere, nowhere, 1)
    record.save(cli.data_dir / "deployment.json")
    result = cli.run("deploy", code=1)
    assert "records a deployment on chain 999, but the node is chain 31337" in result.stderr
    assert Deployment.load(cli.data_dir / "deployment.json").chain_id == 999


def test_commands_exit_1_when_nothing_deployed(cli: Cli) -> None:
    result = cli.run("emc", "list", code=1)
    assert result.stderr == (
        f"error: No deployment record at {cli.data_dir / 'deployment.json'}; "
        "run `rdh deploy` first.\n"
    )
