"""Bad inputs get a 4xx that says what to send, in the gateway's error shape, and quote what
was sent by a short prefix only: malformed addresses, basis points above 10,000, bodies past
the limit, 100 KB path segments and query values, routes and methods that do not exist."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import anyio
import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel
from starlette.types import Message, Scope

from api.auth.deps import SESSION_COOKIE
from api.body_limit import MAX_BODY_BYTES
from api.inputs import Bps
from api.main import create_app
from rdh_chain.config import Settings
from tests.api.auth_helpers import sign_in
from tests.api.helpers import World

ADDRESS_FORM = "expected 0x followed by 40 hex digits."
LONG = "0x" + "a" * 99_998  # a 100 KB path segment
LONG_SHOWN = "'0x" + "a" * 47 + "... (100,000 characters)"
# An answer quoting at most a prefix: far below the 100 KB sent.
SHORT_ANSWER = 600


@pytest.fixture
def auditor(client: TestClient, world: World) -> TestClient:
    """Signed in as the auditor, who reads every EMC and member: refusals of form, not of
    access (tests/api/test_access.py has those)."""
    sign_in(client, world.auditor)
    return client


def _asgi_get(app: FastAPI, target: str, cookies: TestClient) -> tuple[int, dict[str, Any]]:
    """GET ``target`` (path and query) straight through the ASGI interface: httpx refuses URLs
    over 64 KB, a server on the network need not. With the cookies of ``cookies``; the
    status and the JSON body, whose length is checked here."""
    path, _, query = target.partition("?")
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"cookie", f"{SESSION_COOKIE}={cookies.cookies[SESSION_COOKIE]}".encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    anyio.run(app, scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert len(body) < SHORT_ANSWER, body[:200]
    return sent[0]["status"], json.loads(body)


def _routes(world: World) -> list[tuple[str, str]]:
    """(path with {} where the bad address goes, what the answer calls it)."""
    emc = world.smart_cooking
    return [
        ("/emcs/{}", "EMC address"),
        ("/emcs/{}/versions/1", "EMC address"),
        ("/emcs/{}/versions/1/typed-data", "EMC address"),
        ("/emcs/{}/bids", "EMC address"),
        ("/emcs/{}/bids/1", "EMC address"),
        ("/emcs/{}/history", "EMC address"),
        ("/emcs/{}/statement", "EMC address"),
        ("/emcs/{}/capital/" + world.chef.address, "EMC address"),
        (f"/emcs/{emc}/capital/{{}}", "account address"),
        ("/members/{}", "member address"),
        ("/members/{}/share", "member address"),
        ("/members/{}/history", "member address"),
        (f"/emcs/{emc}/history?member={{}}", "member address"),
        (f"/members/{world.chef.address}/share?emc={{}}", "EMC address"),
        (f"/members/{world.chef.address}/history?emc={{}}", "EMC address"),
    ]


@pytest.mark.parametrize("bad", ["smart-cooking", "0x12", "0x" + "g" * 40, "0x" + "a" * 41])
def test_malformed_address_is_422_naming_the_address_and_its_form(
    auditor: TestClient, world: World, bad: str
) -> None:
    for path, what in _routes(world):
        response = auditor.get(path.format(bad))
        assert response.status_code == 422, path
        assert response.json() == {
            "detail": f"{what} {bad!r} is not an Ethereum address: {ADDRESS_FORM}",
            "error": "InvalidInputError",
        }, path


def test_100_kb_address_is_422_quoting_a_short_prefix(
    gateway: FastAPI, auditor: TestClient, world: World
) -> None:
    for path, what in _routes(world):
        assert _asgi_get(gateway, path.format(LONG), auditor) == (
            422,
            {
                "detail": f"{what} {LONG_SHOWN} is not an Ethereum address: {ADDRESS_FORM}",
                "error": "InvalidInputError",
            },
        ), path


def test_wrong_checksum_is_422_saying_to_recopy(auditor: TestClient, world: World) -> None:
    address = world.smart_cooking
    i = next(i for i, c in enumerate(address) if i > 1 and c.isalpha())
    wrong = address[:i] + address[i].swapcase() + address[i + 1 :]
    response = auditor.get(f"/emcs/{wrong}")
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": f"EMC address {wrong!r} has a wrong checksum (mixed case); re-copy it or "
            "use lower case.",
            "error": "InvalidInputError",
        },
    )


def test_100_kb_number_in_the_path_is_422_without_echo(
    gateway: FastAPI, auditor: TestClient, world: World
) -> None:
    target = f"/emcs/{world.smart_cooking}/versions/{'9' * 100_000}"
    status, body = _asgi_get(gateway, target, auditor)
    assert (status, body["detail"]) == (
        422,
        "version_id (path): Unable to parse input string as an integer, exceeded maximum size.",
    )


def test_unknown_route_is_404_in_the_error_shape_quoting_a_short_prefix(
    gateway: FastAPI, auditor: TestClient
) -> None:
    assert _asgi_get(gateway, "/" + "x" * 100_000, auditor) == (
        404,
        {
            "detail": "No route at '/" + "x" * 48 + "... (100,001 characters); the routes are "
            "listed at /docs.",
            "error": "NoSuchRouteError",
        },
    )


def test_wrong_method_is_405_naming_the_allowed_ones(client: TestClient) -> None:
    response = client.delete("/emcs")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json() == {
        "detail": "DELETE is not allowed at '/emcs'; use GET.",
        "error": "MethodNotAllowedError",
    }


# -- bodies past the limit -----------------------------------------------------------------

TOO_LARGE = (
    f"The request body is too large: the gateway takes at most {MAX_BODY_BYTES:,} bytes and "
    "this one is {sent}. Send only the fields the route documents (see /docs)."
)


class ShareIn(BaseModel):
    bps: Annotated[int, Bps()]
    note: str = ""


@pytest.fixture
def bodies(tmp_path: Path) -> Iterator[TestClient]:
    """A gateway with a route that reads a body (the gateway's own take none over a few KB)
    and one taking basis points in the query."""
    app: FastAPI = create_app(Settings(rpc_url="http://127.0.0.1:9", data_dir=tmp_path))

    @app.post("/shares")
    def shares(body: ShareIn) -> int:
        return body.bps

    @app.get("/share")
    def share(bps: Annotated[int, Bps(), Query()]) -> int:
        return bps

    with TestClient(app) as client:
        yield client


def test_body_past_the_limit_is_413_by_its_length_before_any_route(client: TestClient) -> None:
    response = client.post("/emcs", content=b"x" * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert response.json() == {
        "detail": TOO_LARGE.format(sent=f"{MAX_BODY_BYTES + 1:,} bytes"),
        "error": "RequestTooLargeError",
    }


def test_body_at_the_limit_reaches_the_route(bodies: TestClient) -> None:
    body = b'{"bps": 600, "note": "' + b"n" * (MAX_BODY_BYTES - 30) + b'"}'
    assert len(body) <= MAX_BODY_BYTES
    response = bodies.post("/shares", content=body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (200, 600)


def test_body_without_a_length_is_413_once_it_passes_the_limit(bodies: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"bps": 600, "note": "'
        for _ in range(MAX_BODY_BYTES // 4096 + 1):
            yield b"n" * 4096
        yield b'"}'

    response = bodies.post(
        "/shares", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json() == {
        "detail": TOO_LARGE.format(sent="more than that"),
        "error": "RequestTooLargeError",
    }


# -- basis points ----------------------------------------------------------------------------

BPS_FORM = "give basis points from 0 to 10,000 (600 is 6.00%)"


@pytest.mark.parametrize(
    ("bps", "detail"),
    [
        (
            10_001,
            f"bps (body): 10,001 bps is more than 10,000 bps (100.00% of profit); {BPS_FORM}.",
        ),
        (
            2**256,
            f"bps (body): {2**256:,} bps is more than 10,000 bps (100.00% of profit); {BPS_FORM}.",
        ),
        (-1, "bps (body): Input should be greater than or equal to 0."),
        (6.5, "bps (body): Input should be a valid integer, got a number with a fractional part."),
        (True, f"bps (body): True is not a number; {BPS_FORM}."),
    ],
    ids=["10001", "2**256", "negative", "fraction", "bool"],
)
def test_bps_out_of_range_is_422_saying_the_range(
    bodies: TestClient, bps: object, detail: str
) -> None:
    response = bodies.post("/shares", json={"bps": bps})
    assert response.status_code == 422
    assert response.json() == {"detail": detail, "error": "InvalidInputError"}


def test_bps_in_the_query_above_10000_is_422(bodies: TestClient) -> None:
    assert bodies.get("/share", params={"bps": "10000"}).json() == 10_000
    response = bodies.get("/share", params={"bps": "10001"})
    assert (response.status_code, response.json()["detail"]) == (
        422,
        f"bps (query): 10,001 bps is more than 10,000 bps (100.00% of profit); {BPS_FORM}.",
    )


def test_bps_schema_declares_the_range(bodies: TestClient) -> None:
    schema = bodies.get("/openapi.json").json()["components"]["schemas"]["ShareIn"]
    assert schema["properties"]["bps"] | {"title": "Bps"} == {
        "type": "integer",
        "minimum": 0,
        "maximum": 10_000,
        "description": "Basis points of profit: 0 to 10,000 (600 is 6.00%).",
        "examples": [600],
        "title": "Bps",
    }


def test_body_that_is_not_utf8_is_422_like_other_malformed_bodies(bodies: TestClient) -> None:
    response = bodies.post(
        "/shares", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": "The request body is not JSON text (UTF-8); send the route's fields as a "
            "JSON object (see /docs).",
            "error": "InvalidInputError",
        },
    )


def test_body_that_is_not_json_is_422_saying_where(bodies: TestClient) -> None:
    response = bodies.post("/shares", content=b"{bps", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("1 (body): JSON decode error")


def test_sign_in_message_of_8_kb_of_junk_is_422_at_once(client: TestClient) -> None:
    # The siwe package's ABNF parser spent 17 s of a worker on this; its regular-expression
    # parser refuses it at once.
    junk = "0" * 8_000
    response = client.post("/auth/siwe", json={"message": junk, "signature": "0x" + "ab" * 65})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("message is not an EIP-4361 sign-in message (")


def test_wrong_method_on_a_path_with_two_routes_names_both(
    auditor: TestClient, world: World
) -> None:
    path = f"/emcs/{world.smart_cooking}/versions/1/signatures"
    response = auditor.delete(path)
    assert (response.status_code, response.headers["allow"]) == (405, "GET, POST")


def test_wrong_method_on_a_literal_path_is_405_not_the_templates_422(auditor: TestClient) -> None:
    # GET /tx/raw would match GET /tx/{tx_hash}; /tx/raw is a path of its own (POST only).
    response = auditor.get("/tx/raw")
    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert response.json() == {
        "detail": "GET is not allowed at '/tx/raw'; use POST.",
        "error": "MethodNotAllowedError",
    }
    assert auditor.options("/tx/raw").headers["allow"] == "POST"


def test_malformed_transaction_hash_is_422_naming_its_form(auditor: TestClient) -> None:
    response = auditor.get("/tx/0x1234")
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": "tx_hash (path): expected 0x followed by 64 hex digits, got '0x1234'.",
            "error": "InvalidInputError",
        },
    )
