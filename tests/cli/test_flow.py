"""One EMC from deployment to payout, through the CLI only, with exact amounts."""

from __future__ import annotations

import json

from web3 import Web3

from rdh_chain.toolchain import Artifact
from rdh_chain.types import ShareClass
from tests.cli.conftest import SHARES, Cli


def test_commands_pay_exact_shares_when_run_from_deploy_to_claim(
    cli: Cli, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
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
        "100,000",
        "--reason",
        "terms agreed with the platform board",
    ).stdout.strip()
    assert Web3.is_checksum_address(emc)

    shares = cli.run("shares", "set", emc, *SHARES, "--wallet", "owner").stdout
    assert "proposed version 1" in shares
    assert "activated version 1 from period 1" in shares
    assert "total 10,000 bps (100.00%)" in shares

    minted = cli.run("mint", "owner", "1,000,000.00", "--wallet", "treasury").stdout
    assert "minted 1,000,000.00 RMB" in minted

    settled = cli.run(
        "settle",
        emc,
        "--profit",
        "965,100",
        "--users",
        "20000",
        "--revenue",
        "10,000,000",
        "--units",
        "20000",
        "--cost",
        "3,034,900",
        "--wallet",
        "owner",
    ).stdout
    assert f"settled period 1 of {emc}: profit 965,100.00 RMB, 20,000 users" in settled
    assert "target reached: yes" in settled

    # The chef's 6% of 965,100.00 is the article's 57,906.00.
    claimed = cli.run("claim", emc, "--wallet", "chef").stdout
    assert claimed.startswith(f"claimed 57,906.00 RMB from {emc} to {cli.address('chef')}")

    chef = json.loads(cli.run("share", "chef", "--json").stdout)
    assert chef == {
        "account": cli.address("chef"),
        "emcs": [
            {
                "emc": emc,
                "version_id": 1,
                "bps": {"partner": 600},
                "total_bps": 600,
                "claimable_fen": 0,
                "locked_fen": 0,
                "paid_fen": 5_790_600,
                "dust": 0,
            }
        ],
    }
    owner = cli.run("share", "owner", "--emc", emc).stdout
    assert "operating 7,900 bps (79.00%)" in owner
    assert "762,429.00" in owner  # 79% claimable, not yet claimed
    me2 = json.loads(cli.run("share", "me2", "--json").stdout)["emcs"][0]
    assert (me2["claimable_fen"], me2["locked_fen"]) == (5_790_600, 0)  # target reached

    ledger = cli.ledger(w3, artifacts)
    client = ledger.emc(Web3.to_checksum_address(emc))
    assert ledger.token.balance_of(cli.address("chef")) == 5_790_600
    assert ledger.token.balance_of(cli.address("owner")) == 100_000_000 - 96_510_000
    assert ledger.token.balance_of(client.address) == 96_510_000 - 5_790_600
    assert ledger.dev_fund(client).claimable == 8_685_900
    assert client.shares_of(1, cli.address("me2")) == {ShareClass.VALUE_ADDED: 600}
