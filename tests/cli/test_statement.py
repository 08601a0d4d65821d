"""``rdh statement`` on the CLI's module world (chef 6%, the owner's 79% operating, me2's 6%
value-added, the fund's 9%): two settled months read from the chain, every format, every
refusal."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from rdh_chain.cli.output import SHARE_CLASS_NAMES
from rdh_chain.statement_render import CLASS_NAMES
from tests.cli.conftest import CliWorld

MONTHS = (
    ("--users", "20000", "--units", "20000", "--revenue", "4,000,000", "--cost", "3,034,900",
     "--profit", "965,100"),
    ("--users", "30000", "--units", "30000", "--revenue", "6,300,000", "--cost", "4,700,000",
     "--profit", "1,600,000"),
)  # fmt: skip


@pytest.fixture
def settled(world: CliWorld) -> CliWorld:
    """The world with both months settled and the chef's first share claimed in between."""
    world.cli.run("mint", "owner", "2,000,000", "--wallet", "treasury")
    world.cli.run("settle", world.emc, *MONTHS[0], "--wallet", "owner")
    world.cli.run("claim", world.emc, "--wallet", "chef")
    world.cli.run("settle", world.emc, *MONTHS[1], "--wallet", "owner")
    return world


def test_statement_table_shows_both_months_with_names_and_addresses(settled: CliWorld) -> None:
    text = settled.cli.run("statement", settled.emc).stdout

    assert f"Win-win value-added statement: EMC {settled.emc}" in text
    assert "periods 1-2 of 2 settled" in text
    assert "4,000,000.00" in text
    assert "965,100.00" in text
    assert "48.255" in text  # profit per duck in month 1, RMB
    assert "+10.52%" in text  # and its rise in month 2
    assert "chef" in text
    assert settled.cli.address("chef") in text
    assert "57,906.00" in text


def test_statement_json_out_file_has_exact_figures(settled: CliWorld, tmp_path: Path) -> None:
    out = tmp_path / "statement.json"
    result = settled.cli.run("statement", settled.emc, "--format", "json", "--out", str(out))

    assert f"as json to {out}" in result.stderr
    data = json.loads(out.read_text())
    assert [p["period"] for p in data["periods"]] == [1, 2]
    assert data["periods"][0]["platform_value"]["revenue_fen"] == 400_000_000
    assert data["periods"][1]["marginal_gains"]["change"] == [3047, 6]
    chef = settled.cli.address("chef")
    provider = next(p for p in data["resource_providers"] if p["account"] == chef)
    assert provider["name"] == "chef"
    # 6% of 965,100 + 1,600,000 RMB; the first month's share claimed.
    assert (provider["earned_fen"], provider["paid_fen"]) == (15_390_600, 5_790_600)
    assert provider["claimable_fen"] == 9_600_000
    assert data["positions_block"] == data["as_of_block"]
    assert data["sharing_space"]["earned_fen"] == 5_790_600 + 9_600_000
    assert data["sharing_space"]["unlocked_in"] == 2


def test_statement_of_one_period_as_csv(settled: CliWorld) -> None:
    text = settled.cli.run("statement", settled.emc, "--period", "1", "--format", "csv").stdout

    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["period"] for r in rows} == {"1", "all"}
    cell = {(r["element"], r["period"], r["account"], r["metric"]): r["value"] for r in rows}
    assert cell["user_resources", "1", "", "users"] == "20000"
    assert cell["costs", "1", "", "profit_fen"] == "96510000"
    chef = settled.cli.address("chef")
    assert cell["resource_providers", "1", chef, "earned_fen"] == "5790600"
    assert cell["resource_providers", "all", chef, "paid_fen"] == "5790600"


def test_statement_charts_are_written_as_png_and_svg(settled: CliWorld, tmp_path: Path) -> None:
    png, svg = tmp_path / "trend.png", tmp_path / "trend.svg"
    settled.cli.run("statement", settled.emc, "--format", "png", "--out", str(png))
    settled.cli.run("statement", settled.emc, "--format", "SVG", "--out", str(svg))

    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert png.stat().st_size > 20_000
    assert ElementTree.parse(svg).getroot().tag.endswith("svg")
    assert f"EMC {settled.emc}" in svg.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "1", "--from", "1"), "not both"),
        (("--from", "3"), "the range 3.. holds no settled period: 2 period(s) are settled"),
        (("--period", "5"), "period 5 holds no settled period"),
        (("--from", "2", "--to", "1"), "is empty"),
        (("--format", "png"), "write it to a file with --out FILE"),
        (("--format", "json", "--out", "/nonexistent/folder/s.json"), "does not exist"),
    ],
)
def test_statement_refuses_bad_input(
    settled: CliWorld, args: tuple[str, ...], message: str
) -> None:
    result = settled.cli.run("statement", settled.emc, *args, code=2)
    assert message in result.stderr


def test_statement_refuses_an_unknown_format(settled: CliWorld) -> None:
    result = settled.cli.run("statement", settled.emc, "--format", "xls", code=2)
    assert "'xls' is not one of" in result.stderr


def test_statement_refuses_an_out_that_is_a_folder(settled: CliWorld, tmp_path: Path) -> None:
    result = settled.cli.run("statement", settled.emc, "--out", str(tmp_path), code=2)
    assert f"--out {tmp_path} is a folder: name a file" in result.stderr


def test_statement_refuses_an_address_that_is_not_an_emc(world: CliWorld) -> None:
    chef = world.cli.address("chef")
    result = world.cli.run("statement", chef, code=2)
    assert f"{chef} is not an EMC of this ledger" in result.stderr


def test_statement_refuses_an_emc_without_a_settled_period(world: CliWorld) -> None:
    result = world.cli.run("statement", world.emc, code=2)
    assert "has settled no period yet" in result.stderr


def test_statement_from_the_index_equals_the_chains_and_stays_at_its_checkpoint(
    settled: CliWorld, tmp_path: Path
) -> None:
    cli, emc = settled.cli, settled.emc
    url = f"sqlite:///{tmp_path / 'index.sqlite'}"
    cli.run("index", "sync", "--index-url", url)

    indexed = cli.run("statement", emc, "--format", "json", "--source", "index", "--index-url", url)
    chain = cli.run("statement", emc, "--format", "json", "--source", "chain")
    assert json.loads(indexed.stdout) == json.loads(chain.stdout)

    # A third month the index has not seen: it still reads the first two, and what the
    # chef can claim as of its checkpoint block.
    third = ("--users", "1000", "--units", "1000", "--revenue", "300,000", "--profit", "200,000")
    cli.run("settle", emc, *third, "--wallet", "owner")
    behind = cli.run("statement", emc, "--format", "json", "--source", "index", "--index-url", url)
    data = json.loads(behind.stdout)
    assert "block(s) behind the chain's head; `rdh index sync` catches up" in behind.stderr
    assert data["settled_periods"] == 2
    assert data == json.loads(chain.stdout)
    auto = json.loads(cli.run("statement", emc, "--format", "json", "--index-url", url).stdout)
    assert auto["settled_periods"] == 2  # auto reads the index when there is one
    cli.run("index", "sync", "--index-url", url)
    synced = cli.run("statement", emc, "--format", "json", "--source", "index", "--index-url", url)
    assert json.loads(synced.stdout)["settled_periods"] == 3


def test_statement_from_the_index_refuses_when_there_is_none(settled: CliWorld) -> None:
    result = settled.cli.run("statement", settled.emc, "--source", "index", code=2)
    assert "There is no index at sqlite:///" in result.stderr
    assert "`rdh index sync` or use --source chain" in result.stderr


def test_statement_spells_the_share_classes_as_the_cli_does() -> None:
    assert dict(CLASS_NAMES) == dict(SHARE_CLASS_NAMES)
