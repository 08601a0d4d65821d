"""``rdh settle --batch``: many periods of many EMCs, in waves; again: nothing is sent."""

from __future__ import annotations

import json

from web3 import Web3

from rdh_chain.toolchain import Artifact
from tests.cli.conftest import CliWorld
from tests.cli.test_claim_all import _second_emc

HEADER = "emc,period,users,revenue,cost,profit,units,document,attestation\n"
MONTH = "20000,10000000,3034900,965100,20000,,"  # the article's month: 965,100.00 RMB profit


def test_settle_batch_settles_every_period_in_order_and_a_second_run_sends_nothing(
    world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    cli = world.cli
    other = Web3.to_checksum_address(_second_emc(cli))
    cli.run("mint", "owner", "3,000,000.00", "--wallet", "treasury")
    file = cli.data_dir / "periods.csv"
    file.write_text(
        HEADER
        + f"{world.emc},2,{MONTH}\n"  # out of order in the file: settled after period 1
        + f"{world.emc},1,{MONTH}\n"
        + f"{other},1,{MONTH}\n",
        encoding="utf-8",
    )

    first = cli.run("settle", "--batch", str(file), "--wallet", "owner", "--json")

    rows = json.loads(first.stdout)
    assert [(r["line"], r["period"], r["status"]) for r in rows] == [
        (2, 2, "settled"),
        (3, 1, "settled"),
        (4, 1, "settled"),
    ]
    ledger = cli.ledger(w3, artifacts)
    assert ledger.emc(world.emc).totals().periods == 2
    assert ledger.emc(other).totals().profit == 96_510_000
    owner = cli.address("owner")
    nonce = w3.eth.get_transaction_count(owner)

    again = cli.run("settle", "--batch", str(file), "--wallet", "owner", "--json")

    assert {r["status"] for r in json.loads(again.stdout)} == {"on chain already"}
    assert w3.eth.get_transaction_count(owner) == nonce


def test_a_failing_period_holds_back_its_emcs_later_periods_only(
    world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    """A profit above revenue minus cost is refused by the EMC; its period 2 is held back,
    never sent, while the other EMC's period lands."""
    cli = world.cli
    other = Web3.to_checksum_address(_second_emc(cli))
    cli.run("mint", "owner", "3,000,000.00", "--wallet", "treasury")
    file = cli.data_dir / "periods.csv"
    file.write_text(
        HEADER
        + f"{world.emc},1,20000,1000000,900000,965100,20000,,\n"  # profit above the margin
        + f"{world.emc},2,{MONTH}\n"
        + f"{other},1,{MONTH}\n",
        encoding="utf-8",
    )

    result = cli.run("settle", "--batch", str(file), "--wallet", "owner", "--json", code=1)

    rows = json.loads(result.stdout)
    assert [r["status"] for r in rows] == ["failed", "held back", "settled"]
    assert "EmcProfitAboveMargin" in rows[0]["error"]
    ledger = cli.ledger(w3, artifacts)
    assert ledger.emc(world.emc).totals().periods == 0
    assert ledger.emc(other).totals().periods == 1


def test_rows_that_leave_a_gap_or_are_malformed_are_all_named_first(world: CliWorld) -> None:
    cli = world.cli
    file = cli.data_dir / "periods.csv"
    file.write_text(
        HEADER + f"{world.emc},2,{MONTH}\n" + f"{world.emc},x,{MONTH}\n" + "0x12,1,1,1,,,,,\n",
        encoding="utf-8",
    )

    bad = cli.run("settle", "--batch", str(file), "--wallet", "owner", code=2)

    assert "2 row(s) to fix before anything is sent" in bad.stderr
    assert "line 3: period" in bad.stderr
    assert "line 4: emc" in bad.stderr
    file.write_text(HEADER + f"{world.emc},2,{MONTH}\n", encoding="utf-8")

    gap = cli.run("settle", "--batch", str(file), "--wallet", "owner", code=2)

    assert "period 2 does not follow period 0" in gap.stderr


def test_batch_and_one_periods_options_do_not_mix(world: CliWorld) -> None:
    file = world.cli.data_dir / "periods.csv"
    file.write_text(HEADER, encoding="utf-8")

    mixed = world.cli.run("settle", world.emc, "--batch", str(file), "--wallet", "owner", code=2)
    missing = world.cli.run("settle", world.emc, "--wallet", "owner", code=2)

    assert "--batch takes the periods from the file" in mixed.stderr
    assert "give --users and --revenue" in missing.stderr
