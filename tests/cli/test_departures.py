"""``rdh emc terminate`` and ``rdh emc resign``: notices, how `rdh emc show` lists them,
and a version that leaves a member out once its notice has run out."""

from __future__ import annotations

import json

from rdh_chain.cli.context import text_hash
from tests.cli.conftest import CliWorld

WITHOUT_CHEF = ("owner:operating:8500", "me2:value-added:600", "dev-fund:900")


def _settle(world: CliWorld) -> None:
    world.cli.run(
        "settle",
        world.emc,
        "--profit",
        "1,000",
        "--users",
        "1",
        "--revenue",
        "1,000",
        "--wallet",
        "owner",
    )


def test_notices_are_listed_pending_then_effective(world: CliWorld) -> None:
    cli, emc = world.cli, world.emc
    chef, me2 = cli.address("chef"), cli.address("me2")
    terminated = cli.run(
        "emc",
        "terminate",
        emc,
        "chef",
        "--notice",
        "2",
        "--reason",
        "missed deliveries",
        "--wallet",
        "owner",
    ).stdout
    assert terminated.startswith(
        f"gave {chef} notice of termination from {emc}: effective once period 2 is settled"
    )
    assert f"recorded as 0x{text_hash('missed deliveries').hex()}" in terminated
    resigned = cli.run(
        "emc", "resign", emc, "--notice", "1", "--reason", "moving on", "--wallet", "me2"
    ).stdout
    assert resigned.startswith(f"{me2} gave notice of leaving {emc}: effective once period 1")

    _settle(world)
    shown = json.loads(cli.run("emc", "show", emc, "--json").stdout)
    by_account = {d["account"]: d for d in shown["departures"]}
    assert by_account[chef]["by"] == "owner"
    assert by_account[chef]["wallet"] == "chef"
    assert (by_account[chef]["effective_period"], by_account[chef]["state"]) == (2, "pending")
    assert by_account[chef]["reason_hash"] == "0x" + text_hash("missed deliveries").hex()
    assert (by_account[me2]["by"], by_account[me2]["state"]) == ("member", "effective")
    assert len(shown["departures"]) == 2
    table = cli.run("emc", "show", emc).stdout
    assert "AFTER PERIOD" in table
    assert "pending" in table
    assert "effective" in table


def test_version_leaves_a_member_out_once_its_notice_ran_out(world: CliWorld) -> None:
    cli, emc = world.cli, world.emc
    cli.run("emc", "terminate", emc, "chef", "--notice", "1", "--reason", "r", "--wallet", "owner")
    early = cli.run("shares", "set", emc, *WITHOUT_CHEF, "--wallet", "owner", code=1)
    assert "EmcMemberLeftOut" in early.stderr
    _settle(world)
    later = cli.run("shares", "set", emc, *WITHOUT_CHEF, "--wallet", "owner").stdout
    assert "activated version 2 from period 2" in later
    shown = json.loads(cli.run("emc", "show", emc, "--json").stdout)
    assert shown["departures"] == []  # chef is no party of the active version any more


def test_emc_show_says_when_nobody_was_given_notice(world: CliWorld) -> None:
    table = world.cli.run("emc", "show", world.emc).stdout
    assert "no member of the active version has been given notice" in table
    assert json.loads(world.cli.run("emc", "show", world.emc, "--json").stdout)["departures"] == []


def test_terminate_and_resign_refuse_what_the_contract_refuses(world: CliWorld) -> None:
    cli, emc = world.cli, world.emc
    notice = ("--notice", "1", "--reason", "r")
    owner = cli.run("emc", "terminate", emc, "owner", *notice, "--wallet", "owner", code=2)
    assert "EmcOwnerCannotDepart" in owner.stderr
    short = cli.run(
        "emc",
        "terminate",
        emc,
        "chef",
        "--notice",
        "0",
        "--reason",
        "r",
        "--wallet",
        "owner",
        code=2,
    )
    assert "EmcNoticeOutOfBounds" in short.stderr
    not_owner = cli.run("emc", "terminate", emc, "chef", *notice, "--wallet", "me2", code=1)
    assert "EmcNotOwner" in not_owner.stderr
    stranger = cli.run("emc", "resign", emc, *notice, "--wallet", "treasury", code=1)
    assert "EmcNotAMember" in stranger.stderr
    cli.run("emc", "resign", emc, *notice, "--wallet", "chef")
    twice = cli.run("emc", "terminate", emc, "chef", *notice, "--wallet", "owner", code=1)
    assert "EmcAlreadyDeparting" in twice.stderr
    negative = cli.run(
        "emc", "resign", emc, "--notice", "-1", "--reason", "r", "--wallet", "me2", code=2
    )
    assert "--notice must not be negative" in negative.stderr
    missing = cli.run("emc", "resign", emc, "--notice", "1", "--wallet", "me2", code=2)
    assert "--reason" in missing.stderr
