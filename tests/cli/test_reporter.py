"""``rdh emc reporter``: the owner appoints an ME that settles periods."""

from __future__ import annotations

from web3 import Web3

from rdh_chain.toolchain import Artifact
from tests.cli.conftest import CliWorld

SETTLE = ("--profit", "1,000", "--users", "10", "--revenue", "5,000")


def test_emc_reporter_lets_the_appointed_me_settle(
    world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    cli = world.cli
    appointed = cli.run("emc", "reporter", world.emc, "me2", "--wallet", "owner")
    assert appointed.stdout.startswith(f"appointed {cli.address('me2')} as reporter of {world.emc}")
    cli.run("mint", "me2", "1,000", "--wallet", "treasury")

    cli.run("settle", world.emc, *SETTLE, "--wallet", "me2")

    emc = cli.ledger(w3, artifacts).emc(world.emc)
    assert emc.reporter() == cli.address("me2")
    assert emc.totals().profit == 100_000


def test_emc_reporter_removed_then_settle_exits_1(world: CliWorld) -> None:
    cli = world.cli
    cli.run("emc", "reporter", world.emc, "me2", "--wallet", "owner")
    cli.run("emc", "reporter", world.emc, "--remove", "--wallet", "owner")
    cli.run("mint", "me2", "1,000", "--wallet", "treasury")

    result = cli.run("settle", world.emc, *SETTLE, "--wallet", "me2", code=1)

    assert "EmcNotReporter" in result.stderr
    assert "Only the EMC's owner or the reporter it appointed may settle" in result.stderr


def test_emc_reporter_exits_2_without_account_or_with_both(world: CliWorld) -> None:
    neither = world.cli.run("emc", "reporter", world.emc, "--wallet", "owner", code=2)
    assert "Name the ME to appoint, or pass --remove (not both)." in neither.stderr
    both = world.cli.run(
        "emc", "reporter", world.emc, "me2", "--remove", "--wallet", "owner", code=2
    )
    assert "Name the ME to appoint, or pass --remove (not both)." in both.stderr


def test_emc_reporter_exits_2_when_account_is_a_partner(world: CliWorld) -> None:
    result = world.cli.run("emc", "reporter", world.emc, "chef", "--wallet", "owner", code=2)
    assert "EmcIneligibleReporter" in result.stderr
