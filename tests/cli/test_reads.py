"""Reading commands (tables and --json) and the remaining writes, on the module's world."""

from __future__ import annotations

import json
from pathlib import Path

from web3 import Web3

from rdh_chain.toolchain import Artifact
from tests.cli.conftest import CliWorld


def _settle(world: CliWorld, revenue: str) -> None:
    world.cli.run(
        "settle",
        world.emc,
        "--profit",
        "965,100",
        "--users",
        "20000",
        "--revenue",
        revenue,
        "--wallet",
        "owner",
    )


def test_wallet_list_shows_names_and_addresses(world: CliWorld) -> None:
    wallets = json.loads(world.cli.run("wallet", "list", "--json").stdout)
    assert [w["name"] for w in wallets] == ["admin", "chef", "me2", "owner", "treasury"]
    assert wallets[1]["address"] == world.cli.address("chef")
    table = world.cli.run("wallet", "list").stdout
    assert f"chef      {world.cli.address('chef')}" in table


def test_member_list_shows_roles_and_balances(world: CliWorld) -> None:
    members = json.loads(world.cli.run("member", "list", "--json").stdout)
    by_wallet = {m["wallet"]: m for m in members if m["wallet"]}
    assert by_wallet["admin"]["roles"] == ["operator"]
    assert by_wallet["chef"]["roles"] == ["partner"]
    assert by_wallet["owner"]["balance_fen"] == 100_000_000
    # The admin, four members, and the factory and EMC as contracts the token may pay.
    assert len(members) == 7
    assert {m["address"] for m in members if m["roles"] == ["contract"]} == {world.emc}


def test_member_show_prints_status_and_roles(world: CliWorld) -> None:
    shown = world.cli.run("member", "show", "chef").stdout
    assert "status    active" in shown
    assert "roles     partner" in shown
    assert "balance   0.00 RMB" in shown


def test_member_suspend_records_reason_hash_then_reinstates(world: CliWorld) -> None:
    reason = "0x" + Web3.keccak(text="late delivery").hex().removeprefix("0x")
    suspended = world.cli.run("member", "suspend", "chef", "--reason", "late delivery").stdout
    assert f"reason 'late delivery' recorded as {reason}" in suspended
    assert json.loads(world.cli.run("member", "show", "chef", "--json").stdout)["status"] == (
        "suspended"
    )
    # A suspended partner cannot be named in a new version.
    result = world.cli.run(
        "shares",
        "set",
        world.emc,
        "chef:partner:1000",
        "owner:operating:9000",
        "--wallet",
        "owner",
        code=2,
    )
    assert "EmcIneligibleMember" in result.stderr
    world.cli.run("member", "reinstate", "chef")
    assert json.loads(world.cli.run("member", "show", "chef", "--json").stdout)["status"] == (
        "active"
    )


def test_emc_show_reports_terms_version_and_dev_fund(world: CliWorld) -> None:
    _settle(world, "4,000,000")
    shown = json.loads(world.cli.run("emc", "show", world.emc, "--json").stdout)
    assert shown["owner"] == world.cli.address("owner")
    assert shown["terms"]["target_users"] == 20_000
    assert shown["terms"]["target_revenue_fen"] == 1_000_000_000
    assert shown["terms"]["sharing_space_fen"] == 60_000_000
    assert shown["totals"]["profit_fen"] == 96_510_000
    assert shown["totals"]["target_reached"] is False
    assert shown["dev_fund"]["claimable_fen"] == 8_685_900
    assert shown["balance_fen"] == 96_510_000
    entries = shown["active_version"]["entries"]
    # In the contract's order: by account (the fund's zero address first), then class.
    assert entries[0] == {
        "account": "0x" + "00" * 20,
        "wallet": None,
        "class": "dev-fund",
        "bps": 900,
    }
    assert sorted((e["wallet"], e["class"], e["bps"]) for e in entries[1:]) == [
        ("chef", "partner", 600),
        ("me2", "value-added", 600),
        ("owner", "operating", 7900),
    ]
    assert [e["account"] for e in entries[1:]] == sorted(
        (e["account"] for e in entries[1:]), key=lambda a: int(a, 16)
    )
    assert shown["active_version"]["party_count"] == 3
    table = world.cli.run("emc", "show", world.emc).stdout
    assert "target          20,000 users and 10,000,000.00 RMB revenue" in table
    assert "dev fund        86,859.00 RMB available, 0.00 RMB withdrawn" in table
    assert "total 10,000 bps (100.00%)" in table


def test_emc_list_shows_every_emc(world: CliWorld) -> None:
    emcs = json.loads(world.cli.run("emc", "list", "--json").stdout)
    assert [e["address"] for e in emcs] == [world.emc]
    assert emcs[0]["active_version_id"] == 1
    assert world.emc in world.cli.run("emc", "list").stdout


def test_share_shows_locked_value_added_when_target_not_reached(world: CliWorld) -> None:
    _settle(world, "4,000,000")
    me2 = json.loads(world.cli.run("share", "me2", "--json").stdout)["emcs"]
    assert [(s["claimable_fen"], s["locked_fen"], s["paid_fen"]) for s in me2] == [
        (0, 5_790_600, 0)
    ]
    table = world.cli.run("share", "me2").stdout
    assert "value-added 600 bps (6.00%)" in table
    assert "57,906.00" in table


def test_share_says_so_when_account_is_in_no_emc(world: CliWorld) -> None:
    result = world.cli.run("share", "treasury")
    assert result.stdout == (
        f"{world.cli.address('treasury')} is named in no EMC's active share version "
        "and has been paid nothing.\n"
    )


def test_shares_set_propose_only_leaves_active_version_until_signed_and_activated(
    world: CliWorld, tmp_path: Path
) -> None:
    proposed = world.cli.run(
        "shares",
        "set",
        world.emc,
        "chef:partner:1000",
        "owner:operating:7500",
        "me2:value-added:600",
        "dev-fund:900",
        "--propose-only",
        "--wallet",
        "owner",
    )
    assert proposed.stdout.startswith(f"proposed version 2 of {world.emc} (tx 0x")
    assert "activated version" not in proposed.stdout
    assert "next: every party signs" in proposed.stderr
    active = json.loads(world.cli.run("shares", "show", world.emc, "--json").stdout)
    assert (active["version_count"], active["version"]["id"]) == (2, 1)
    second = json.loads(
        world.cli.run("shares", "show", world.emc, "--version", "2", "--json").stdout
    )["version"]
    assert (second["status"], second["party_count"], second["signers"]) == ("proposed", 3, None)
    assert {p["wallet"] for p in second["parties"]} == {"chef", "owner", "me2"}

    files = []
    for name in ("chef", "owner", "me2"):
        files.append(str(tmp_path / f"{name}.json"))
        world.cli.run("shares", "sign", world.emc, "2", "--wallet", name, "--out", files[-1])
    assert world.cli.run(
        "shares", "activate", world.emc, "2", *files, "--wallet", "owner"
    ).stdout.startswith("activated version 2 from period 1, signed by 3 parties")
    shown = world.cli.run("shares", "show", world.emc).stdout
    assert "version      2 of 2 (active)" in shown
    rows = [line.split() for line in shown.splitlines()]
    assert [world.cli.address("chef"), "chef", "partner", "1,000", "10.00%"] in rows
    first = json.loads(
        world.cli.run("shares", "show", world.emc, "--version", "1", "--json").stdout
    )["version"]
    assert first["status"] == "superseded"  # every version stays readable, with its signers
    assert {s["wallet"] for s in first["signers"]} == {"chef", "owner", "me2"}


def test_devfund_withdraw_pays_and_records_purpose_hash(
    world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    _settle(world, "4,000,000")
    result = world.cli.run(
        "devfund",
        "withdraw",
        world.emc,
        "--to",
        "me2",
        "--amount",
        "1,000",
        "--purpose",
        "R&D kitchen",
        "--wallet",
        "owner",
    ).stdout
    purpose = "0x" + Web3.keccak(text="R&D kitchen").hex().removeprefix("0x")
    assert f"purpose 'R&D kitchen' recorded as {purpose}" in result
    assert "the fund has 85,859.00 RMB left" in result
    ledger = world.cli.ledger(w3, artifacts)
    emc = ledger.emc(world.emc)
    assert emc.totals().dev_fund_withdrawn == 100_000
    assert ledger.token.balance_of(world.cli.address("me2")) == 100_000


def test_mint_signs_with_keystore_file_and_password_file(
    world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    keystores = world.cli.data_dir / "keystores"
    world.cli.run(
        "mint",
        "chef",
        "12.34",
        "--keystore",
        str(keystores / "treasury.json"),
        "--password-file",
        str(keystores / ".password"),
    )
    assert world.cli.ledger(w3, artifacts).token.balance_of(world.cli.address("chef")) == 1234


def test_mint_exits_2_when_both_wallet_and_keystore_given(world: CliWorld) -> None:
    keystore = world.cli.data_dir / "keystores" / "treasury.json"
    result = world.cli.run(
        "mint", "chef", "1", "--wallet", "treasury", "--keystore", str(keystore), code=2
    )
    assert result.stderr == "error: Pass either --wallet or --keystore, not both.\n"


def test_mint_exits_1_when_password_wrong(world: CliWorld, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not the password\n")
    result = world.cli.run(
        "mint", "chef", "1", "--wallet", "treasury", "--password-file", str(wrong), code=1
    )
    assert result.stderr.startswith("error: Cannot decrypt ")
    assert "wrong password or damaged file." in result.stderr


def test_emc_list_quiet_prints_only_the_addresses(world: CliWorld) -> None:
    assert world.cli.run("emc", "list", "--quiet").stdout == f"{world.emc}\n"
    assert world.cli.run("emc", "list", "-q").stdout == f"{world.emc}\n"


def test_shares_show_version_0_exits_2_naming_the_versions_there_are(world: CliWorld) -> None:
    result = world.cli.run("shares", "show", world.emc, "--version", "0", code=2)

    assert result.stderr == (
        f"error: --version 0: there is no version 0; {world.emc} has version 1, the active one "
        "is 1. Leave out --version for the active one.\n"
    )
    assert result.stdout == ""
    shown = json.loads(world.cli.run("shares", "show", world.emc, "--json").stdout)
    assert shown["version"]["id"] == 1


def test_shares_parties_prints_each_party_by_its_wallet_name(world: CliWorld) -> None:
    result = world.cli.run("shares", "parties", world.emc, "1")

    assert sorted(result.stdout.split()) == ["chef", "me2", "owner"]
    unknown = world.cli.run("shares", "parties", world.emc, "9", code=2)
    assert "EmcUnknownVersion(versionId=9)" in unknown.stderr
