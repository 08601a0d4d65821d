"""``rdh audit history|export|verify``, ``rdh statement``'s names and ``rdh member profile|show``
on a seeded Smart Cooking demo.

The module seeds the demo once into a temporary data folder (its wallets, deployment
record and profiles), as ``make run`` does; each test runs ``rdh`` on that folder.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_typing import ChecksumAddress

from rdh_chain.chain import AnvilNode, connect
from rdh_chain.config import Settings
from rdh_chain.demo import DemoCast, ensure_deployment, seed
from rdh_chain.history import COLUMNS, HistoryRow, read_csv, read_json
from rdh_chain.index.db import IndexDb
from rdh_chain.index.schema import RawLogRow
from rdh_chain.ledger import Ledger
from rdh_chain.profiles import ProfileStore
from rdh_chain.toolchain import load_artifacts
from tests.cli.conftest import Cli

UNKNOWN = "0x" + "ab" * 20


@dataclass(frozen=True)
class DemoFolder:
    cli: Cli
    emc: ChecksumAddress
    cast: DemoCast

    def history(self, *args: str) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = json.loads(
            self.cli.run("audit", "history", *args, "--json").stdout
        )
        return rows


@pytest.fixture(scope="module")
def demo(anvil: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> DemoFolder:
    data = tmp_path_factory.mktemp("audit") / "data"
    settings = Settings(data_dir=data, rpc_url=anvil.rpc_url)
    cast = DemoCast.load(settings.keystores)
    deployment = ensure_deployment(settings, cast.admin)
    ledger = Ledger(connect(settings.rpc_url), deployment, load_artifacts())
    emc = seed(ledger, cast, ProfileStore.in_data_dir(data))
    return DemoFolder(Cli(data, anvil.rpc_url), emc, cast)


@pytest.fixture
def folder(demo: DemoFolder, anvil: AnvilNode) -> DemoFolder:
    """The seeded folder inside this test's chain snapshot."""
    return demo


def _words(text: str) -> str:
    """Text without the frame and line breaks of click's rich error box."""
    return " ".join(text.replace("\u2502", " ").split())


# -- history ------------------------------------------------------------------------------


def test_history_of_the_emc_lists_each_row_with_names(folder: DemoFolder) -> None:
    rows = folder.history(folder.emc)
    assert Counter(r["kind"] for r in rows) == {
        "membership": 1,  # the EMC registered as a contract
        "created": 1,
        "terms": 2,
        "version-proposed": 1,
        "version-signed": 15,
        "version-activated": 1,
        "settlement": 1,
        "claim": 1,
    }
    claim = next(r for r in rows if r["kind"] == "claim")
    assert claim["account"] == folder.cast.partners["chef"].address
    assert (claim["account_name"], claim["amount_fen"], claim["amount_rmb"]) == (
        "Chef Zhang Weili",
        5_790_600,
        "57906.00",
    )
    table = folder.cli.run("audit", "history", folder.emc).stdout
    assert "Chef Zhang Weili" in table
    assert "57,906.00" in table
    assert str(claim["transaction_hash"]) in table
    assert str(claim["block_hash"]) in table
    assert "23 row(s)" in table


def test_history_of_a_member_by_wallet_name_or_address(folder: DemoFolder) -> None:
    by_name = folder.history("--member", "chef")
    assert [r["kind"] for r in by_name] == [
        "membership",
        "version-proposed",
        "version-signed",
        "version-activated",
        "claim",
    ]
    chef = folder.cast.partners["chef"].address
    assert folder.history("--member", chef.lower()) == by_name
    # The owner's month, reported (no auditor: the guideline attests losses only).
    (settled,) = folder.history(folder.emc, "--member", "me-smart-cooking", "--kind", "settlement")
    assert (settled["account_name"], settled["period"], settled["profit_rmb"]) == (
        "Smart Cooking ME (Zhang Yu)",
        1,
        "965100.00",
    )
    assert (settled["revenue_fen"], settled["users"], settled["auditor"]) == (
        400_000_000,
        20_000,
        None,
    )


def test_history_filters_by_kind_and_period(folder: DemoFolder) -> None:
    kinds = folder.history(folder.emc, "--kind", "claim", "--kind", "settlement")
    assert [r["kind"] for r in kinds] == ["settlement", "claim"]
    assert [r["kind"] for r in folder.history(folder.emc, "--period", "2")] == ["claim"]
    assert len(folder.history(folder.emc, "--from", "1", "--to", "1")) == 21
    assert folder.history(folder.emc, "--from", "3") == []
    assert (
        "no history rows match"
        in folder.cli.run("audit", "history", folder.emc, "--from", "3").stderr
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((UNKNOWN,), "is not an EMC of this ledger"),
        (("0x1234",), "EMC '0x1234' is not an Ethereum address"),
        (("--member", "0xnothex"), "--member '0xnothex' is not an Ethereum address"),
        (("--member", "nobody"), "--member 'nobody' is neither an address"),
        (("--from", "3", "--to", "2"), "The period range 3-2 is empty"),
        (("--period", "0"), "Periods are numbered from 1"),
        (("--period", "1", "--from", "1"), "either --period N or --from/--to"),
        (("--kind", "payday"), "'payday' is not one of"),
    ],
)
def test_history_refuses_bad_input_with_exit_2(
    folder: DemoFolder, args: tuple[str, ...], message: str
) -> None:
    result = folder.cli.run("audit", "history", *args, code=2)
    assert message in result.stderr


# -- export -------------------------------------------------------------------------------


def test_export_csv_and_json_hold_the_whole_history_and_read_back(
    folder: DemoFolder, tmp_path: Path
) -> None:
    shown = [HistoryRow.from_record(r) for r in folder.history(folder.emc)]
    csv_file, json_file = tmp_path / "h.csv", tmp_path / "h.json"
    out = folder.cli.run(
        "audit", "export", folder.emc, "--format", "csv", "--out", str(csv_file)
    ).stdout
    assert out.strip() == f"wrote 23 row(s) to {csv_file}"
    folder.cli.run("audit", "export", folder.emc, "--format", "json", "--out", str(json_file))
    text = csv_file.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert read_csv(text) == shown
    assert read_json(json_file.read_text(encoding="utf-8")) == shown
    records = json.loads(json_file.read_text(encoding="utf-8"))
    assert list(records[0]) == list(COLUMNS)
    chef_only = tmp_path / "chef.json"
    folder.cli.run(
        "audit", "export", "--member", "chef", "--format", "json", "--out", str(chef_only)
    )
    assert len(json.loads(chef_only.read_text(encoding="utf-8"))) == 5


def test_export_refuses_an_unwritable_out_or_a_bad_format(
    folder: DemoFolder, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder" / "h.csv"
    result = folder.cli.run("audit", "export", folder.emc, "--out", str(missing), code=2)
    assert f"Cannot write --out {missing}" in result.stderr
    assert not missing.parent.exists()
    result = folder.cli.run("audit", "export", folder.emc, "--out", str(tmp_path), code=2)
    assert "is a directory" in _words(result.stderr)  # click's own check of the path
    result = folder.cli.run(
        "audit", "export", folder.emc, "--format", "xml", "--out", str(tmp_path / "h"), code=2
    )
    assert "'xml' is not one of" in result.stderr
    result = folder.cli.run("audit", "export", UNKNOWN, "--out", str(tmp_path / "h"), code=2)
    assert "is not an EMC of this ledger" in result.stderr


# -- profiles -----------------------------------------------------------------------------


def test_member_show_prints_the_matched_profile(folder: DemoFolder) -> None:
    shown = folder.cli.run("member", "show", "chef").stdout
    assert "name      Chef Zhang Weili" in shown
    assert "kind      partner" in shown
    assert "profile   matched" in shown
    data = json.loads(folder.cli.run("member", "show", "food-processor", "--json").stdout)
    assert data["profile"]["status"] == "matched"
    assert (data["profile"]["name"], data["profile"]["kind"]) == ("Huifa Group", "partner")
    listed = folder.cli.run("member", "list").stdout
    assert "The duck farm" in listed
    assert "Haier Smart Home Platform" in listed


def test_member_profile_records_the_hash_when_an_operator_signs(folder: DemoFolder) -> None:
    result = folder.cli.run(
        "member",
        "profile",
        "duck-farm",
        "--name",
        "Liuhe duck farm",
        "--kind",
        "partner",
        "--note",
        "Supplies the ducks.",
    )
    assert "registry metadata set to 0x" in result.stdout
    data = json.loads(folder.cli.run("member", "show", "duck-farm", "--json").stdout)
    assert data["profile"]["status"] == "matched"
    assert data["profile"]["name"] == "Liuhe duck farm"
    assert data["metadata"] == data["profile"]["hash"]
    names = {r["account_name"] for r in folder.history("--member", "duck-farm")}
    assert "Liuhe duck farm" in names
    again = folder.cli.run(
        "member",
        "profile",
        "duck-farm",
        "--name",
        "Liuhe duck farm",
        "--kind",
        "partner",
        "--note",
        "Supplies the ducks.",
    )
    assert "the registry already records it" in again.stdout


def test_member_profile_signed_by_a_non_operator_is_stored_but_unverified(
    folder: DemoFolder,
) -> None:
    result = folder.cli.run(
        "member", "profile", "me-it", "--name", "IT platform ME", "--kind", "me", "-w", "me-it"
    )
    assert "not recorded on chain" in result.stderr
    assert "is not an active operator" in result.stderr
    data = json.loads(folder.cli.run("member", "show", "me-it", "--json").stdout)
    # The registry still records the demo's profile, which the store still holds.
    assert (data["profile"]["status"], data["profile"]["name"]) == ("matched", "IT ME")


def test_a_profile_the_registry_does_not_record_shows_as_unverified(
    folder: DemoFolder,
) -> None:
    members = json.loads(folder.cli.run("member", "list", "--json").stdout)
    (registrar,) = [m for m in members if m["roles"] == ["registrar"]]
    assert registrar["profile"]["status"] == "missing"
    folder.cli.run(
        "member",
        "profile",
        registrar["address"],
        "--name",
        "EMC factory",
        "--kind",
        "OPERATOR",
        "--wallet",
        "chef",
    )
    shown = folder.cli.run("member", "show", registrar["address"]).stdout
    assert "name      EMC factory (unverified)" in shown
    assert "profile   MISMATCH: the stored profile's hash is not the registry's metadata" in shown
    rows = folder.history("--member", registrar["address"], "--kind", "membership")
    named = {r["account_name"] for r in rows if r["account"] == registrar["address"]}
    assert named == {"EMC factory (unverified)"}


def test_member_profile_refuses_bad_input(folder: DemoFolder) -> None:
    result = folder.cli.run("member", "profile", "chef", "--name", "Chef", "--kind", "cook", code=2)
    assert "'cook' is not one of" in result.stderr
    result = folder.cli.run("member", "profile", "chef", "--name", "  ", "--kind", "me", code=2)
    assert "A profile needs a name" in result.stderr
    result = folder.cli.run("member", "profile", UNKNOWN, "--name", "X", "--kind", "me", code=2)
    assert "is not a registered member" in result.stderr


# -- the index as the source --------------------------------------------------------------


def test_history_from_the_index_equals_the_history_from_the_chain(
    folder: DemoFolder, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'index.sqlite'}"
    result = folder.cli.run("audit", "history", "--source", "index", "--index-url", url, code=2)
    assert f"There is no index at {url}; run `rdh index sync`" in result.stderr
    auto = folder.cli.run("audit", "history", folder.emc, "--index-url", url, "--json")
    assert f"No index to read (there is no index at {url})" in auto.stderr
    folder.cli.run("index", "sync", "--index-url", url)

    from_index = folder.history(folder.emc, "--source", "index", "--index-url", url)
    from_chain = folder.history(folder.emc, "--source", "chain")
    assert from_index == from_chain
    assert len(from_index) == 23
    whole = folder.history("--source", "index", "--index-url", url)
    assert whole == folder.history("--source", "chain")
    # Behind the chain, the index says so and shows what it holds.
    folder.cli.run("member", "profile", "chef", "--name", "Chef Zhang Weili", "--kind", "partner")
    behind = folder.cli.run(
        "audit", "history", "--member", "chef", "--source", "index", "--index-url", url
    )
    assert "read from the index at block" in behind.stderr
    export = tmp_path / "h.json"
    folder.cli.run(
        "audit",
        "export",
        folder.emc,
        "--format",
        "json",
        "--out",
        str(export),
        "--source",
        "index",
        "--index-url",
        url,
    )
    assert [r.record() for r in read_json(export.read_text(encoding="utf-8"))] == from_chain


def test_audit_help_lists_history_export_then_verify(cli: Cli) -> None:
    text = cli.run("audit", "--help").stdout
    box = text[text.index("Commands") :].splitlines()[1:]
    # "│ history  Who bid, ..." starts each command's entry; its wrapped lines are indented.
    commands = [line.split()[1] for line in box if line[2:3].isalpha()]
    assert commands == ["history", "export", "verify"]


# -- names in every auditor's view ---------------------------------------------------------


def test_statement_names_the_providers_from_their_profiles(folder: DemoFolder) -> None:
    data = json.loads(folder.cli.run("statement", folder.emc, "--format", "json").stdout)
    names = {p["account"]: p["name"] for p in data["resource_providers"]}
    assert names[folder.cast.partners["chef"].address] == "Chef Zhang Weili"
    assert names[folder.cast.partners["food-processor"].address] == "Huifa Group"
    assert names[folder.cast.mes["me-marketing"].address] == "Marketing ME"
    table = folder.cli.run("statement", folder.emc).stdout
    assert "Chef Zhang Weili" in table
    assert folder.cast.partners["chef"].address in table


def test_verify_names_the_accounts_of_a_tampered_index_row(
    folder: DemoFolder, tmp_path: Path
) -> None:
    """The chef's claim raised by 1,000 fen in the index: the mismatches name the chef (from
    the profiles the index holds) beside its address."""
    url = f"sqlite:///{tmp_path / 'index.sqlite'}"
    folder.cli.run("index", "sync", "--index-url", url)
    (claim,) = folder.history(folder.emc, "--kind", "claim")
    db = IndexDb.open(url, upgrade=False)
    try:
        with db.transaction() as session:
            key = (int(str(claim["block_number"])), int(str(claim["log_index"])))
            row = session.get(RawLogRow, key)
            assert row is not None
            amount = int.from_bytes(row.data[:32], "big")
            row.data = (amount + 1_000).to_bytes(32, "big") + row.data[32:]
    finally:
        db.close()

    result = folder.cli.run(
        "audit", "verify", folder.emc, "--source", "index", "--index-url", url, code=1
    )

    (paid,) = [line for line in result.stdout.splitlines() if "account.paid" in line]
    chef = folder.cast.partners["chef"].address
    assert f"Chef Zhang Weili ({chef})" in paid
