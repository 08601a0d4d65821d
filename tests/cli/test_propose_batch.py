"""``rdh shares propose --batch``: a version in many EMCs at once; again: nothing is sent."""

from __future__ import annotations

import json

from web3 import Web3

from rdh_chain.toolchain import Artifact
from rdh_chain.types import ZERO_ADDRESS, ShareClass, VersionStatus, entries_hash
from tests.cli.conftest import SHARES, CliWorld
from tests.cli.test_claim_all import _second_emc

HEADER = "emc,entries,document,deadline\n"
# Version 2: the chef at 5%, the owner's operating share the difference.
V2 = "chef:partner:500 owner:operating:8000 me2:value-added:600 dev-fund:900"
DOCUMENT = "0x" + "ab" * 32


def test_propose_batch_proposes_in_every_emc_and_a_second_run_sends_nothing(
    world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    cli = world.cli
    other = Web3.to_checksum_address(_second_emc(cli))
    (cli.data_dir / "v2.csv").write_text(
        "account,class,bps\nchef,partner,500\nowner,operating,8000\nme2,value-added,600\n"
        ",dev-fund,900\n",
        encoding="utf-8",
    )
    file = cli.data_dir / "versions.csv"
    file.write_text(
        HEADER + f"{world.emc},{V2},{DOCUMENT},2099-01-01T00:00:00+08:00\n{other},v2.csv,,\n",
        encoding="utf-8",
    )

    first = cli.run("shares", "propose", "--batch", str(file), "--wallet", "owner", "--json")

    rows = json.loads(first.stdout)
    assert [(r["line"], r["entries"], r["status"], r["version_id"]) for r in rows] == [
        (2, 4, "proposed", 2),
        (3, 4, "proposed", 2),
    ]
    ledger = cli.ledger(w3, artifacts)
    for emc in (world.emc, other):
        client = ledger.emc(emc)
        version = client.version(2)
        assert version.status is VersionStatus.PROPOSED
        chef = [e for e in client.version_entries(2) if e.share_class is ShareClass.PARTNER]
        assert [(e.account, e.bps) for e in chef] == [(cli.address("chef"), 500)]
        # The hash the batch compares with is the one the EMC keeps.
        assert entries_hash(client.version_entries(2)) == version.entries_hash
    assert ledger.emc(world.emc).version(2).document_hash == bytes.fromhex(DOCUMENT[2:])
    # 2099-01-01 00:00 in UTC+8, eight hours before midnight UTC
    assert ledger.emc(world.emc).version(2).deadline == 4_070_908_800 - 8 * 3600
    owner = cli.address("owner")
    nonce = w3.eth.get_transaction_count(owner)

    again = cli.run("shares", "propose", "--batch", str(file), "--wallet", "owner", "--json")

    assert [(r["status"], r["version_id"]) for r in json.loads(again.stdout)] == [
        ("on chain already", 2),
        ("on chain already", 2),
    ]
    assert w3.eth.get_transaction_count(owner) == nonce


def test_a_refused_row_is_reported_and_the_others_land_or_are_found_active(
    world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    """Shares summing to 99% are refused by the EMC (nothing sent for that row); the
    active version's own entries are found active; the third EMC's row lands."""
    cli = world.cli
    second = Web3.to_checksum_address(_second_emc(cli))
    third = Web3.to_checksum_address(_second_emc(cli))
    short = "chef:partner:500 owner:operating:7900 me2:value-added:600 dev-fund:900"
    file = cli.data_dir / "versions.csv"
    file.write_text(
        HEADER + f"{world.emc},{short},,\n{second},{' '.join(SHARES)},,\n{third},{V2},,\n",
        encoding="utf-8",
    )

    result = cli.run(
        "shares", "propose", "--batch", str(file), "--wallet", "owner", "--json", code=1
    )

    rows = json.loads(result.stdout)
    assert [(r["status"], r["version_id"]) for r in rows] == [
        ("failed", None),
        ("active already", 1),
        ("proposed", 2),
    ]
    assert "EmcShareTotalNot100" in rows[0]["error"]
    assert rows[0]["tx"] is None  # refused on its estimate: never sent
    ledger = cli.ledger(w3, artifacts)
    assert ledger.emc(world.emc).version_count() == 1
    assert ledger.emc(second).version_count() == 1
    assert ledger.emc(third).version_count() == 2


def test_rows_that_are_malformed_or_repeat_an_emc_are_all_named_first(
    world: CliWorld, w3: Web3
) -> None:
    cli = world.cli
    file = cli.data_dir / "versions.csv"
    file.write_text(
        HEADER
        + f"{world.emc},chef:partner:lots,,\n"
        + f"0x12,{V2},,\n"
        + f"{world.emc},{V2},0x12,\n"
        + f"{world.emc},{V2},,tomorrow\n"
        + f"{world.emc},missing.csv,,\n",
        encoding="utf-8",
    )
    owner = cli.address("owner")
    nonce = w3.eth.get_transaction_count(owner)

    bad = cli.run("shares", "propose", "--batch", str(file), "--wallet", "owner", code=2)

    assert "5 row(s) to fix before anything is sent" in bad.stderr
    for line in ("line 2: share entry", "line 3: emc", "line 4: document", "line 5: deadline"):
        assert line in bad.stderr
    assert "line 6: Cannot read" in bad.stderr
    file.write_text(HEADER + f"{world.emc},{V2},,\n" * 2, encoding="utf-8")

    repeated = cli.run("shares", "propose", "--batch", str(file), "--wallet", "owner", code=2)

    assert "One row per EMC: line 3 repeats" in repeated.stderr
    assert w3.eth.get_transaction_count(owner) == nonce


def test_batch_and_one_versions_arguments_do_not_mix(world: CliWorld) -> None:
    file = world.cli.data_dir / "versions.csv"
    file.write_text(HEADER, encoding="utf-8")

    mixed = world.cli.run(
        "shares", "propose", world.emc, "--batch", str(file), "--wallet", "owner", code=2
    )
    missing = world.cli.run("shares", "propose", "--wallet", "owner", code=2)
    empty = world.cli.run("shares", "propose", "--batch", str(file), "--wallet", "owner", code=2)

    assert "--batch takes the EMCs, entries, documents and deadlines from the file" in (
        mixed.stderr
    )
    assert "Name the EMC and its entries, or give --batch FILE" in missing.stderr
    assert "The file has no rows below its header" in empty.stderr


def test_a_row_from_the_active_version_changes_only_the_entries_it_names(
    world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    cli = world.cli
    file = cli.data_dir / "versions.csv"
    file.write_text(
        HEADER + f"{world.emc},active chef:partner:400 owner:operating:8100,,\n", encoding="utf-8"
    )

    result = cli.run("shares", "propose", "--batch", str(file), "--wallet", "owner")

    assert "1 proposed" in result.stderr
    entries = cli.ledger(w3, artifacts).emc(world.emc).version_entries(2)
    by_class = {(e.account, e.share_class): e.bps for e in entries}
    assert by_class == {
        (cli.address("chef"), ShareClass.PARTNER): 400,
        (cli.address("owner"), ShareClass.OPERATING): 8100,
        (cli.address("me2"), ShareClass.VALUE_ADDED): 600,
        (ZERO_ADDRESS, ShareClass.DEV_FUND): 900,
    }
    again = cli.run("shares", "propose", "--batch", str(file), "--wallet", "owner")
    assert "1 on chain already" in again.stderr
