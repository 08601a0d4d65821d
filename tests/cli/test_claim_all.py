"""``rdh claim --all``: every EMC where the wallet has credit, claimed at once; again: nothing."""

from __future__ import annotations

import json

from web3 import Web3

from tests.cli.conftest import SHARES, Cli, CliWorld

SETTLEMENT = ("--profit", "965,100", "--users", "20000", "--revenue", "10,000,000")
COSTS = ("--units", "20000", "--cost", "3,034,900", "--wallet", "owner")


def _second_emc(cli: Cli) -> str:
    emc = cli.run(
        "emc", "create", "--owner", "owner", "--target-users", "20000",
        "--target-revenue", "10,000,000", "--sharing-space", "600,000",
        "--loss-threshold", "1,000,000", "--reason", "a second scenario",
    ).stdout.strip()  # fmt: skip
    cli.run("shares", "set", emc, *SHARES, "--wallet", "owner")
    return emc


def test_claim_all_claims_from_every_emc_with_credit_and_then_finds_nothing(
    world: CliWorld, w3: Web3
) -> None:
    cli = world.cli
    other = Web3.to_checksum_address(_second_emc(cli))
    cli.run("mint", "owner", "1,000,000.00", "--wallet", "treasury")  # a profit to pay in each
    for emc in (world.emc, other):
        cli.run("settle", emc, *SETTLEMENT, *COSTS)
    chef = cli.address("chef")

    first = cli.run("claim", "--all", "--wallet", "chef", "--json")

    body = json.loads(first.stdout)
    assert [(c["emc"], c["claimed_fen"], c["outcome"]) for c in body["claims"]] == [
        (world.emc, 5_790_600, "mined"),  # the article's 57,906.00 RMB, from each
        (other, 5_790_600, "mined"),
    ]
    assert body["claimed_fen"] == 11_581_200
    assert "claimed 115,812.00 RMB from 2 of 2 EMC(s)" in first.stderr
    nonce = w3.eth.get_transaction_count(chef)

    again = cli.run("claim", "--all", "--wallet", "chef", "--json")

    assert json.loads(again.stdout)["claims"] == []
    assert "nothing to claim in any EMC" in again.stderr
    assert w3.eth.get_transaction_count(chef) == nonce


def test_claim_needs_one_emc_or_all(world: CliWorld) -> None:
    neither = world.cli.run("claim", "--wallet", "chef", code=2)
    both = world.cli.run("claim", world.emc, "--all", "--wallet", "chef", code=2)

    assert "Name one EMC, or pass --all" in neither.stderr
    assert "Name one EMC, or pass --all" in both.stderr
