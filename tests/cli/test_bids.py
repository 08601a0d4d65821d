"""``rdh bid``: a sealed-bid round through the CLI, from opening to every outcome."""

from __future__ import annotations

import json
from pathlib import Path

from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain.bids import SealedBid
from tests.cli.conftest import Cli, CliWorld

HOUR = 3600


def _advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])


def _outcomes(cli: Cli, emc: str) -> dict[str, str]:
    data = json.loads(cli.run("bid", "list", emc, "1", "--json").stdout)
    (round_,) = data["rounds"]
    return {b["wallet"]: b["outcome"] for b in round_["bids"]}


def test_bid_commands_run_a_round_to_every_outcome(world: CliWorld, w3: Web3) -> None:
    cli, emc = world.cli, world.emc
    opened = cli.run(
        "bid", "open", emc, "--commit-hours", "1", "--reveal-hours", "1", "--wallet", "owner"
    ).stdout
    assert f"opened bid round 1 of {emc}" in opened

    committed = cli.run(
        "bid",
        "commit",
        emc,
        "1",
        "--users",
        "5000",
        "--revenue",
        "2,000,000",
        "--ask",
        "300",
        "--wallet",
        "me2",
    ).stdout
    me2 = cli.address("me2")
    path = cli.data_dir / "bids" / f"{emc}-1-{me2}.json"
    assert str(path) in committed
    sealed = SealedBid.load(path)
    assert (sealed.users, sealed.revenue, sealed.ask_bps) == (5_000, 200_000_000, 300)
    assert path.stat().st_mode & 0o077 == 0  # the salt is the bidder's secret
    cli.run(
        "bid",
        "commit",
        emc,
        "1",
        "--users",
        "1000",
        "--revenue",
        "10",
        "--ask",
        "600",
        "--wallet",
        "chef",
    )
    cli.run(
        "bid",
        "commit",
        emc,
        "1",
        "--users",
        "1",
        "--revenue",
        "1",
        "--ask",
        "1",
        "--wallet",
        "owner",
    )
    # Nothing of a bid is readable before it is revealed.
    listed = cli.run("bid", "list", emc).stdout
    assert "committed" in listed
    assert "5,000" not in listed
    assert _outcomes(cli, emc) == {"me2": "committed", "chef": "committed", "owner": "committed"}

    early = cli.run("bid", "reveal", emc, "1", "--wallet", "me2", code=1)
    assert "EmcRevealNotOpen" in early.stderr

    _advance(w3, HOUR + 1)
    late = cli.run(
        "bid",
        "commit",
        emc,
        "1",
        "--users",
        "9",
        "--revenue",
        "9",
        "--ask",
        "9",
        "--wallet",
        "me2",
        code=1,
    )
    assert "commit deadline has passed" in late.stderr
    assert SealedBid.load(path) == sealed  # the refused commit left the kept bid alone
    revealed = cli.run("bid", "reveal", emc, "1", "--wallet", "me2").stdout
    assert "revealed the bid" in revealed
    assert "2,000,000.00 RMB" in revealed
    cli.run("bid", "reveal", emc, "1", "--wallet", "chef")
    assert _outcomes(cli, emc) == {"me2": "revealed", "chef": "revealed", "owner": "committed"}

    early_invite = cli.run("bid", "invite", emc, "1", "me2", "--wallet", "owner", code=1)
    assert "reveal deadline" in early_invite.stderr
    _advance(w3, HOUR)
    unrevealed = cli.run("bid", "invite", emc, "1", "owner", "--wallet", "owner", code=2)
    assert "Only revealed bids can be invited" in unrevealed.stderr
    invited = cli.run("bid", "invite", emc, "1", "me2", "--wallet", "owner").stdout
    assert "invited 1" in invited
    assert me2 in invited
    assert _outcomes(cli, emc) == {"me2": "invited", "chef": "not-invited", "owner": "lapsed"}
    table = cli.run("bid", "list", emc).stdout
    assert "1 invited" in table
    assert "5,000" in table
    assert "3.00%" in table


def test_bid_reveal_refuses_a_missing_sealed_bid(world: CliWorld, tmp_path: Path) -> None:
    cli, emc = world.cli, world.emc
    cli.run("bid", "open", emc, "--wallet", "owner")
    missing = cli.run(
        "bid", "reveal", emc, "1", "--file", str(tmp_path / "none.json"), "--wallet", "me2", code=2
    )
    assert "no sealed bid" in missing.stderr


def test_bid_list_says_when_there_are_no_rounds(world: CliWorld) -> None:
    assert "has no bid rounds" in world.cli.run("bid", "list", world.emc).stdout
