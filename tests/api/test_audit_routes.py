"""The auditor's files and checks: history and statement exports, and verification.

On the demo's Smart Cooking EMC and its SQLite index (the fixtures of
``test_index_routes``); a tampered copy of the index must make the verification fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from rdh_chain import events as ev
from rdh_chain.demo import PROFILES, YUAN
from rdh_chain.history import HistoryFilter, filter_rows, read_csv, read_json
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.schema import RawLogRow
from tests.api.auth_helpers import sign_in
from tests.api.test_index_routes import Demo, all_rows, api, demo, row_keys

__all__ = ["api", "demo"]  # the fixtures, shared with test_index_routes


def test_history_exports_as_csv_and_json_with_every_proof(api: TestClient, demo: Demo) -> None:
    expected = filter_rows(all_rows(demo), HistoryFilter(emc=demo.emc))
    block = demo.ledger.w3.eth.block_number

    as_csv = api.get(f"/emcs/{demo.emc}/history.csv")
    as_json = api.get(f"/emcs/{demo.emc}/history.json")

    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.headers["content-disposition"] == (
        f'attachment; filename="history-{demo.emc}-block-{block}.csv"'
    )
    assert read_csv(as_csv.text) == expected
    assert as_json.headers["content-type"] == "application/json"
    assert read_json(as_json.text) == expected
    assert row_keys(expected)  # the demo's EMC has a history
    assert all(r.transaction_hash and r.block_hash for r in expected)


def test_history_export_in_another_format_is_422(api: TestClient, demo: Demo) -> None:
    response = api.get(f"/emcs/{demo.emc}/history.xlsx")

    assert response.status_code == 422
    assert "csv" in response.json()["detail"]


def test_statement_exports_csv_json_and_charts(api: TestClient, demo: Demo) -> None:
    as_json = api.get(f"/emcs/{demo.emc}/statement.json")
    as_csv = api.get(f"/emcs/{demo.emc}/statement.csv")
    svg = api.get(f"/emcs/{demo.emc}/statement.svg")
    png = api.get(f"/emcs/{demo.emc}/statement.png")

    assert as_json.json() == api.get(f"/emcs/{demo.emc}/statement").json()
    profit = [
        line.split(",")
        for line in as_csv.text.splitlines()
        if line.startswith("costs,1,") and ",profit_fen," in line
    ]
    assert [cells[-1] for cells in profit] == [str(965_100 * YUAN)]
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<?xml")
    assert "<svg" in svg.text
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_statement_of_an_address_that_is_no_emc_is_404(api: TestClient, demo: Demo) -> None:
    response = api.get(f"/emcs/{demo.chef}/statement.svg")

    assert response.status_code == 404
    assert "No EMC at" in response.json()["detail"]


def test_verify_finds_nothing_on_the_demos_emc(api: TestClient, demo: Demo) -> None:
    head = demo.ledger.w3.eth.get_block("latest")

    body = api.get(f"/emcs/{demo.emc}/verify").json()

    assert body["ok"] is True
    assert body["mismatches"] == []
    assert (body["block"], body["block_hash"]) == (head["number"], "0x" + head["hash"].hex())
    assert body["emcs"] == 1
    assert body["events"] > 0
    assert body["figures"] > body["accounts"] > 10  # eleven MEs and the partners


def test_verify_reports_a_tampered_index_row_with_the_accounts_name(
    api: TestClient, demo: Demo, tmp_path: Path
) -> None:
    """The chef's claim raised by 1,000 fen in a copy of the index: the event and the
    figures it moves no longer match the chain."""
    copy = tmp_path / "index.sqlite"
    shutil.copyfile(demo.settings.data_dir / "index.sqlite", copy)
    url = f"sqlite:///{copy}"
    db = IndexDb.open(url, upgrade=False)
    try:
        with db.transaction() as session:
            (claim,) = [
                d.log
                for d in queries.decoded_logs(session, emc=demo.emc)
                if isinstance(d.event, ev.Claimed) and d.event.account == demo.chef
            ]
            row = session.get(RawLogRow, (claim.block_number, claim.log_index))
            assert row is not None
            amount = int.from_bytes(row.data[:32], "big")
            row.data = (amount + 1_000).to_bytes(32, "big") + row.data[32:]
    finally:
        db.close()

    with TestClient(create_app(demo.settings, index_url=url)) as tampered:
        sign_in(tampered, demo.cast.auditor)
        body = tampered.get(f"/emcs/{demo.emc}/verify").json()

    assert body["ok"] is False
    fields = {m["field"] for m in body["mismatches"]}
    assert {"Claimed.amount", "account.paid", "account.claimable"} <= fields
    (paid,) = [m for m in body["mismatches"] if m["field"] == "account.paid"]
    assert (paid["account"], paid["recomputed"]) == (demo.chef, amount + 1_000)
    assert paid["account_name"] == PROFILES["chef"].name
