"""The routes the web page added: the member directory (names beside addresses), the
history as CSV, the statement's chart, verification, and an operator's registration of an
EMC (preview of the terms, then the unsigned transaction), each with the wallets it must
refuse. On the demo's Smart Cooking EMC and its index (``tests/api/test_index_routes.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from api.main import create_app
from rdh_chain.chain import AnvilNode
from rdh_chain.demo import SMART_COOKING
from tests.api.auth_helpers import sign_in
from tests.api.test_index_routes import Demo, demo, sync_index

__all__ = ["demo"]  # the module's demo fixture, shared with the index routes' tests

CRITERIA = {
    "strategy": "explore",
    "market_capacity": SMART_COOKING.market_capacity,
    "consumption_habits": SMART_COOKING.consumption_habits,
    "industry_scale": SMART_COOKING.industry_scale,
    "team_integration": SMART_COOKING.team_integration,
}


@pytest.fixture
def api(demo: Demo, anvil: AnvilNode) -> Iterator[TestClient]:
    demo.ledger.forget_nonces()
    sync_index(demo.index_url, demo.ledger.w3, demo.deployment, demo.profiles)
    with TestClient(create_app(demo.settings)) as client:
        yield client


# -- the directory ---------------------------------------------------------------------


def test_directory_names_every_member_for_a_signed_in_wallet(api: TestClient, demo: Demo) -> None:
    sign_in(api, demo.cast.partners["chef"])

    response = api.get("/members")

    assert response.status_code == 200, response.text
    page = response.json()
    names = {item["address"]: item["name"] for item in page["items"]}
    assert names[demo.chef] == "Chef Zhang Weili"
    assert names[demo.cast.owner.address] == "Smart Cooking ME (Zhang Yu)"
    assert page["total"] == len(page["items"])
    assert {a.address for a in demo.cast.wallets().values()} <= set(names)  # and its contracts
    chef = next(i for i in page["items"] if i["address"] == demo.chef)
    assert chef["roles"] == ["partner"]
    assert chef["verified"] is True


def test_directory_refuses_a_wallet_not_signed_in(api: TestClient) -> None:
    response = api.get("/members")

    assert response.status_code == 401
    assert response.json()["error"] == "not_signed_in"


# -- history export, chart, verification ---------------------------------------------------


def test_history_csv_is_a_download_of_the_filtered_rows(api: TestClient, demo: Demo) -> None:
    sign_in(api, demo.cast.auditor)

    response = api.get(f"/emcs/{demo.emc}/history.csv", params={"kind": "claim"})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    lines = response.text.splitlines()
    assert len(lines) == 2  # the header and the chef's claim
    assert "Chef Zhang Weili" in lines[1]
    rows = api.get(f"/emcs/{demo.emc}/history", params={"kind": "claim"}).json()
    assert rows["total"] == 1


def test_statement_chart_is_an_svg(api: TestClient, demo: Demo) -> None:
    sign_in(api, demo.cast.mes["me-it"])

    response = api.get(f"/emcs/{demo.emc}/statement.svg")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    assert "<svg" in response.text[:1000]


def test_verification_finds_no_mismatch(api: TestClient, demo: Demo) -> None:
    sign_in(api, demo.cast.auditor)

    response = api.get(f"/emcs/{demo.emc}/verify")

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["ok"] is True
    assert result["mismatches"] == []
    assert result["figures"] > 0
    assert result["emc"] == demo.emc


@pytest.mark.parametrize("path", ["history.csv", "statement.svg", "verify"])
def test_audit_routes_refuse_outsiders(api: TestClient, demo: Demo, path: str) -> None:
    assert api.get(f"/emcs/{demo.emc}/{path}").status_code == 401
    outsider = Account.create()
    sign_in(api, outsider)

    response = api.get(f"/emcs/{demo.emc}/{path}")

    assert response.status_code == 403
    assert response.json()["error"] == "not_a_member"


# -- registering an EMC ------------------------------------------------------------------


def test_terms_preview_gives_the_sources_target(api: TestClient, demo: Demo) -> None:
    sign_in(api, demo.cast.admin)

    response = api.post("/platform/terms-preview", json=CRITERIA)

    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["score_percent"] == "80.00"
    assert preview["terms"]["target_users"] == 20_000
    assert preview["terms"]["sharing_space"]["rmb"] == "600,000.00"


def test_register_builds_a_transaction_the_operator_signs(api: TestClient, demo: Demo) -> None:
    sign_in(api, demo.cast.admin)
    owner = demo.cast.mes["me-sales-stores"].address
    before = demo.ledger.factory.emc_count()

    response = api.post("/platform/tx/register-emc", json={**CRITERIA, "owner": owner})

    assert response.status_code == 200, response.text
    tx = response.json()
    assert tx["from"] == demo.cast.admin.address
    assert tx["to"] == demo.deployment.factory
    w3 = demo.ledger.w3
    signed = demo.cast.admin.sign_transaction(
        {
            "to": tx["to"],
            "data": tx["data"],
            "value": int(tx["value"], 16),
            "gas": int(tx["gas"], 16),
            "gasPrice": int(tx["gasPrice"], 16),
            "chainId": int(tx["chainId"], 16),
            "nonce": int(tx["nonce"], 16),
        }
    )
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction)
    )
    assert receipt["status"] == 1
    assert demo.ledger.factory.emc_count() == before + 1
    created = demo.ledger.emc(demo.ledger.factory.emc_at(before))
    assert created.owner() == owner
    assert created.terms().target_users == 20_000


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"market_capacity": 101}, "market_capacity"),
        ({"strategy": "conquer"}, "strategy"),
    ],
)
def test_register_refuses_bad_criteria(
    api: TestClient, demo: Demo, change: dict[str, object], needle: str
) -> None:
    sign_in(api, demo.cast.admin)
    owner = demo.cast.owner.address

    response = api.post("/platform/tx/register-emc", json={**CRITERIA, "owner": owner, **change})

    assert response.status_code == 422
    assert needle in response.text


def test_register_refuses_an_owner_that_is_no_me(api: TestClient, demo: Demo) -> None:
    sign_in(api, demo.cast.admin)

    response = api.post("/platform/tx/register-emc", json={**CRITERIA, "owner": demo.chef})

    assert response.status_code == 422
    assert "not an active ME" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/platform/terms-preview", "/platform/tx/register-emc"])
def test_registration_refuses_wallets_that_are_no_operator(
    api: TestClient, demo: Demo, path: str
) -> None:
    body = {**CRITERIA, "owner": demo.cast.owner.address}
    assert api.post(path, json=body).status_code == 401
    sign_in(api, demo.cast.owner)  # an ME, the EMC's owner: not an operator

    response = api.post(path, json=body)

    assert response.status_code == 403
    assert response.json()["error"] == "missing_role"
    assert "operator" in response.json()["detail"]
