"""``rdh shares propose|set --from-round N``: invited bidders become entries at their asks."""

from __future__ import annotations

import json

from web3 import Web3
from web3.types import RPCEndpoint

from tests.cli.conftest import CliWorld

HOUR = 3600


def _advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])


def _bid(world: CliWorld, wallet: str, ask: str) -> None:
    world.cli.run(
        "bid",
        "commit",
        world.emc,
        "1",
        "--users",
        "10",
        "--revenue",
        "10",
        "--ask",
        ask,
        "--wallet",
        wallet,
    )


def _decided_round(world: CliWorld, w3: Web3) -> None:
    """Round 1: chef asks 500 bps, me2 300 and owner 100; chef and me2 are invited."""
    cli, emc = world.cli, world.emc
    cli.run("bid", "open", emc, "--commit-hours", "1", "--reveal-hours", "1", "--wallet", "owner")
    for wallet, ask in (("chef", "500"), ("me2", "300"), ("owner", "100")):
        _bid(world, wallet, ask)
    _advance(w3, HOUR + 1)
    for wallet in ("chef", "me2", "owner"):
        cli.run("bid", "reveal", emc, "1", "--wallet", wallet)
    _advance(w3, HOUR)
    cli.run("bid", "invite", emc, "1", "chef", "me2", "--wallet", "owner")


def _entries(world: CliWorld, version: int) -> list[tuple[str, str, int]]:
    shown = json.loads(
        world.cli.run("shares", "show", world.emc, "--version", str(version), "--json").stdout
    )
    return sorted(
        (e["wallet"] or "fund", e["class"], e["bps"]) for e in shown["version"]["entries"]
    )


def test_shares_set_from_round_adds_invited_bidders_at_their_asks(
    world: CliWorld, w3: Web3
) -> None:
    _decided_round(world, w3)
    result = world.cli.run(
        "shares",
        "set",
        world.emc,
        "owner:operating:8200",
        "dev-fund:1000",
        "--from-round",
        "1",
        "--wallet",
        "owner",
    )
    assert "activated version 2" in result.stdout
    assert "from bid round 1: chef partner 500 bps, me2 value-added 300 bps" in result.stderr
    assert _entries(world, 2) == [
        ("chef", "partner", 500),
        ("fund", "dev-fund", 1000),
        ("me2", "value-added", 300),
        ("owner", "operating", 8200),
    ]


def test_shares_propose_from_round_lets_an_entry_by_hand_override_a_bid(
    world: CliWorld, w3: Web3
) -> None:
    _decided_round(world, w3)
    result = world.cli.run(
        "shares",
        "propose",
        world.emc,
        "me2:value-added:400",
        "owner:operating:8100",
        "dev-fund:1000",
        "--from-round",
        "1",
        "--json",
        "--wallet",
        "owner",
    )
    assert json.loads(result.stdout)["version_id"] == 2
    assert "from bid round 1: chef partner 500 bps\n" in result.stderr
    assert _entries(world, 2) == [
        ("chef", "partner", 500),
        ("fund", "dev-fund", 1000),
        ("me2", "value-added", 400),
        ("owner", "operating", 8100),
    ]


def test_shares_from_round_exits_2_before_the_round_is_decided(world: CliWorld) -> None:
    cli, emc = world.cli, world.emc
    cli.run("bid", "open", emc, "--wallet", "owner")
    result = cli.run("shares", "propose", emc, "--from-round", "1", "--wallet", "owner", code=2)
    assert "bid round 1 of" in result.stderr
    assert "is not decided yet" in result.stderr
    unknown = cli.run("shares", "propose", emc, "--from-round", "7", "--wallet", "owner", code=2)
    assert "EmcUnknownBidRound" in unknown.stderr


def test_shares_without_entries_or_round_exits_2(world: CliWorld) -> None:
    for command in ("propose", "set"):
        result = world.cli.run("shares", command, world.emc, "--wallet", "owner", code=2)
        assert "Give the version's entries" in result.stderr
        assert "--from-round N" in result.stderr


def test_shares_set_from_active_keeps_the_entries_neither_bids_nor_hand_replace(
    world: CliWorld, w3: Web3
) -> None:
    _decided_round(world, w3)
    result = world.cli.run(
        "shares",
        "set",
        world.emc,
        "--from-active",
        "--from-round",
        "1",
        "owner:operating:8300",
        "--wallet",
        "owner",
    )
    assert "activated version 2" in result.stdout
    # The bids replace chef's 600 and me2's 600, the hand owner's 7,900; the fund's 900 stays.
    assert _entries(world, 2) == [
        ("chef", "partner", 500),
        ("fund", "dev-fund", 900),
        ("me2", "value-added", 300),
        ("owner", "operating", 8300),
    ]


def test_shares_propose_from_active_alone_changes_only_the_entries_given(
    world: CliWorld,
) -> None:
    result = world.cli.run(
        "shares",
        "propose",
        world.emc,
        "--from-active",
        "chef:partner:500",
        "owner:operating:8000",
        "--json",
        "--wallet",
        "owner",
    )
    assert json.loads(result.stdout)["version_id"] == 2
    assert _entries(world, 2) == [
        ("chef", "partner", 500),
        ("fund", "dev-fund", 900),
        ("me2", "value-added", 600),
        ("owner", "operating", 8000),
    ]


def test_shares_from_active_exits_2_before_signing_when_the_total_is_not_10000(
    world: CliWorld,
) -> None:
    result = world.cli.run(
        "shares",
        "set",
        world.emc,
        "--from-active",
        "chef:partner:500",
        "--wallet",
        "owner",
        code=2,
    )
    assert result.stderr == (
        "error: the version's entries add up to 9,900 bps (99.00%), 100 bps (1.00%) short of "
        "10,000 bps (100%): chef partner 500, owner operating 7,900, me2 value-added 600, "
        "dev-fund 900. Change the basis points so that they add up to 10,000.\n"
    )
    shown = json.loads(world.cli.run("shares", "show", world.emc, "--json").stdout)
    assert (shown["version_count"], shown["version"]["id"]) == (1, 1)
