"""How SDK exceptions become HTTP answers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Query
from fastapi.testclient import TestClient
from pydantic import BaseModel
from web3.exceptions import BadFunctionCallOutput

from api.errors import status_for
from api.inputs import Count, RmbAmount
from api.main import create_app
from rdh_chain import contract_errors as ce
from rdh_chain import limits
from rdh_chain.config import Settings
from rdh_chain.exceptions import (
    ArtifactError,
    ChainError,
    ChainNotRunningError,
    DeploymentError,
    InvalidInputError,
    NotFoundError,
    RdhChainError,
    ReadOnlyError,
    UnknownRevertError,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInputError("bad"), 422),
        (ce.EmcShareTotalNot100("bad"), 422),
        (NotFoundError("none"), 404),
        # Both bad input and not found: a missing thing is 404.
        (ce.EmcUnknownVersion("none"), 404),
        (ce.RegistryNotMember("none"), 404),
        (ce.EmcNotOwner("no"), 403),
        (ce.TokenNotTreasury("no"), 403),
        (ce.EmcNothingToClaim("later"), 409),
        (ce.EmcWrongStatus("later"), 409),
        (ChainNotRunningError("down"), 503),
        (DeploymentError("gone"), 503),
        (ChainError("wrong chain"), 503),
        (ArtifactError("build"), 503),
        (UnknownRevertError("?"), 500),
        (ReadOnlyError("bug"), 500),
    ],
)
def test_status_for_maps_sdk_error_to_http_status(error: RdhChainError, status: int) -> None:
    assert status_for(error) == status


def test_sdk_error_answers_message_and_class_when_route_raises(tmp_path: Path) -> None:
    app = create_app(Settings(rpc_url="http://127.0.0.1:9", data_dir=tmp_path))

    @app.get("/refused")
    def refused() -> None:
        raise ce.EmcNotOwner("Only the EMC's owner may do this; sign with the owner's wallet.")

    response = TestClient(app).get("/refused")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the EMC's owner may do this; sign with the owner's wallet.",
        "error": "EmcNotOwner",
    }


def test_contracts_gone_is_503_when_call_hits_address_without_code(tmp_path: Path) -> None:
    # web3 raises this when a call returns nothing from an address without code. (Under
    # ape's pytest plugin, which pads empty uint results, such calls return 0 instead.)
    app = create_app(Settings(rpc_url="http://127.0.0.1:9", data_dir=tmp_path))

    @app.get("/reset")
    def reset() -> None:
        raise BadFunctionCallOutput("Could not transact with/call contract function")

    response = TestClient(app).get("/reset")

    assert response.status_code == 503
    assert response.json() == {
        "detail": "The rdh-chain contracts do not answer at the addresses of the deployment "
        "record: the chain was reset. Remove the deployment record and deploy again "
        "(`rdh deploy`).",
        "error": "DeploymentError",
    }


# -- amounts in requests: the CLI's rules, a 422 that says what to send ----------------------

AMOUNT_FORM = (
    "use digits with at most two decimals and, if you like, commas between groups of "
    "three: 1234, 1234.56 or 1,234,567.89"
)
COUNT_FORM = "use whole digits and, if you like, commas between groups of three: 20000 or 20,000"


class PeriodIn(BaseModel):
    users: Annotated[int, Count(limits.REPORT_USERS)]
    revenue: Annotated[int, RmbAmount(limits.REPORT_REVENUE)]


@pytest.fixture
def amounts(tmp_path: Path) -> TestClient:
    """A gateway with two routes taking amounts (no route of its own takes one yet)."""
    app = create_app(Settings(rpc_url="http://127.0.0.1:9", data_dir=tmp_path))

    @app.get("/invest")
    def invest(
        amount: Annotated[int, RmbAmount(limits.INVESTED, positive=True), Query()],
    ) -> int:
        return amount

    @app.post("/period")
    def period(body: PeriodIn) -> dict[str, int]:
        return body.model_dump()

    return TestClient(app)


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1234", 123_400), ("1234.5", 123_450), ("1,234", 123_400), ("1,234,567.89", 123_456_789)],
)
def test_amount_query_reads_accepted_form_as_exact_fen(
    amounts: TestClient, text: str, fen: int
) -> None:
    response = amounts.get("/invest", params={"amount": text})
    assert (response.status_code, response.json()) == (200, fen)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1e10", "exponents are not accepted"),
        ("1_000", "underscores are not accepted"),
        ("1,0,0", "its commas are misplaced"),
        ("1.005", "it has more than two decimals (RMB counts in fen)"),
        ("-100", "amounts cannot be negative"),
        ("+5", "it takes no sign"),
        ("1 000", "it has a space inside"),
        ("nan", "it is not a number"),
        ("{amount}", "it is not a number"),
        ("\uff15", "only the digits 0-9 are accepted"),
        (".5", "a decimal point needs a digit on each side (0.5, 5 or 5.00)"),
    ],
)
def test_amount_query_answers_422_naming_the_accepted_form(
    amounts: TestClient, text: str, reason: str
) -> None:
    response = amounts.get("/invest", params={"amount": text})
    assert response.status_code == 422
    assert response.json() == {
        "detail": f"amount (query): {text!r}: {reason}; {AMOUNT_FORM}.",
        "error": "InvalidInputError",
    }


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("0", "amount (query): '0': it must be more than 0 RMB."),
        (
            "9" * 80,
            f"amount (query): {int('9' * 80):,}.00 RMB is too large: at most "
            "792,281,625,142,643,375,935,439,503.35 RMB (CapitalAccount.invested is a uint96 "
            "of fen).",
        ),
    ],
    ids=["zero", "80-digits"],
)
def test_amount_query_answers_422_for_zero_and_out_of_range(
    amounts: TestClient, text: str, detail: str
) -> None:
    response = amounts.get("/invest", params={"amount": text})
    assert (response.status_code, response.json()["detail"]) == (422, detail)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"users": "20,000", "revenue": 1e30},
            f"revenue (body): 1e+30 is not text; {AMOUNT_FORM}.",
        ),
        ({"users": "20,000", "revenue": 100}, f"revenue (body): 100 is not text; {AMOUNT_FORM}."),
        (
            {"users": "1e3", "revenue": "1"},
            f"users (body): '1e3': exponents are not accepted; {COUNT_FORM}.",
        ),
        (
            {"users": str(2**64), "revenue": "1"},
            "users (body): 18,446,744,073,709,551,616 is too large: at most "
            "18,446,744,073,709,551,615 (PeriodReport.users is a uint64).",
        ),
    ],
    ids=["json-float", "json-int", "users-exponent", "users-uint64"],
)
def test_amount_body_answers_422_never_500(
    amounts: TestClient, body: dict[str, Any], detail: str
) -> None:
    response = amounts.post("/period", json=body)
    assert response.status_code == 422
    assert response.json() == {"detail": detail, "error": "InvalidInputError"}


def test_amount_body_reads_rmb_text_as_fen(amounts: TestClient) -> None:
    response = amounts.post("/period", json={"users": "20,000", "revenue": "4,000,000.00"})
    assert response.json() == {"users": 20_000, "revenue": 400_000_000}


def test_amount_fields_document_the_accepted_form(amounts: TestClient) -> None:
    schema = amounts.get("/openapi.json").json()["components"]["schemas"]["PeriodIn"]
    assert schema["properties"]["revenue"]["type"] == "string"
    assert schema["properties"]["revenue"]["description"] == (
        f"RMB: {AMOUNT_FORM}; at most 3,402,823,669,209,384,634,633,746,074,317,682,114.55 RMB."
    )
