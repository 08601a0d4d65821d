"""Object-level authorization: every route of the gateway, and a wallet it must refuse.

The table names every route the app serves; a route added without an entry fails
:func:`test_every_route_has_an_entry`, so each new route states who may call it. For each
protected route, each refused wallet gets its 401 or 403 with the reason, and an allowed
wallet is let through (its answer may still be a 404 or an index's 503, never a refusal).

Balcony's only member is its owner (me2); the chef is a member of Smart Cooking only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from tests.api.auth_helpers import sign_in
from tests.api.helpers import World

# Who calls: a World attribute, or None for a request without a session.
Who = str | None
NOT_SIGNED_IN = (None, 401, "not_signed_in")


@dataclass(frozen=True)
class Access:
    """How to call a route (``path`` with {balcony}, {smart_cooking}, {chef}, {me2} filled
    from the world, and a JSON ``body`` for routes that take one), who is refused (with the
    status and ``error`` code) and who is let through (anyone, by default)."""

    path: str
    refused: tuple[tuple[Who, int, str], ...] = ()
    allowed: tuple[Who, ...] = (None,)  # public by default
    body: dict[str, object] | None = None

    def url(self, world: World) -> str:
        return self.path.format(
            balcony=world.balcony,
            smart_cooking=world.smart_cooking,
            chef=world.chef.address,
            me2=world.me2.address,
        )


def _emc_route(path: str) -> Access:
    """A route of Balcony's, for its members, auditors and operators only."""
    return Access(
        path,
        refused=(
            NOT_SIGNED_IN,
            ("chef", 403, "not_a_member"),  # a member of another EMC
            ("owner", 403, "not_a_member"),  # an ME, but not of this EMC
            ("farm", 403, "not_a_member"),  # suspended
            ("stranger", 403, "not_a_member"),  # never registered
            ("treasury", 403, "not_a_member"),
        ),
        allowed=("me2", "auditor", "admin"),
    )


def _member_route(path: str) -> Access:
    """A page of the chef's, for the chef itself, auditors and operators."""
    return Access(
        path,
        refused=(
            NOT_SIGNED_IN,
            ("owner", 403, "not_yourself"),  # a fellow member of Smart Cooking
            ("me2", 403, "not_yourself"),
            ("farm", 403, "not_yourself"),
            ("stranger", 403, "not_yourself"),
        ),
        allowed=("chef", "auditor", "admin"),
    )


def _bidder_route(path: str) -> Access:
    """A bid of the caller's own in Balcony: for active MEs and partners."""
    return Access(
        path,
        refused=(
            NOT_SIGNED_IN,
            ("farm", 403, "missing_role"),  # suspended: no role counts
            ("stranger", 403, "missing_role"),
            ("treasury", 403, "missing_role"),
            ("auditor", 403, "missing_role"),
        ),
        allowed=("chef", "owner", "me2"),
    )


BALCONY = "/emcs/{balcony}"
ROUTES: dict[tuple[str, str], Access] = {
    ("GET", "/"): Access("/"),
    ("GET", "/openapi.json"): Access("/openapi.json"),
    ("GET", "/docs"): Access("/docs"),
    ("MOUNT", "/docs-assets"): Access("/docs-assets/swagger-ui-bundle.js"),
    ("MOUNT", "/static"): Access("/static/app.js"),
    ("GET", "/health"): Access("/health"),
    ("GET", "/emcs"): Access("/emcs"),  # the public list
    ("GET", "/auth/nonce"): Access("/auth/nonce"),
    ("POST", "/auth/siwe"): Access("/auth/siwe"),  # 422 without a body: not a refusal
    ("POST", "/auth/logout"): Access("/auth/logout"),
    ("GET", "/auth/me"): Access("/auth/me", refused=(NOT_SIGNED_IN,), allowed=("stranger",)),
    ("GET", "/emcs/{address}"): _emc_route(BALCONY),
    ("GET", "/emcs/{address}/history"): _emc_route(BALCONY + "/history"),
    ("GET", "/emcs/{address}/statement"): _emc_route(BALCONY + "/statement"),
    ("GET", "/emcs/{address}/history.{fmt}"): _emc_route(BALCONY + "/history.csv"),
    ("GET", "/emcs/{address}/statement.{fmt}"): _emc_route(BALCONY + "/statement.svg"),
    ("GET", "/emcs/{address}/verify"): _emc_route(BALCONY + "/verify"),
    ("GET", "/emcs/{address}/versions/{version_id}"): _emc_route(BALCONY + "/versions/1"),
    ("GET", "/emcs/{address}/versions/{version_id}/typed-data"): _emc_route(
        BALCONY + "/versions/1/typed-data"
    ),
    # Another account's capital is for the EMC's members; one's own is always readable.
    ("GET", "/emcs/{address}/capital/{account}"): Access(
        BALCONY + "/capital/{me2}",
        refused=(
            NOT_SIGNED_IN,
            ("chef", 403, "not_a_member"),
            ("farm", 403, "not_a_member"),
            ("stranger", 403, "not_a_member"),
        ),
        allowed=("me2", "auditor"),
    ),
    # Every active ME reads bid rounds (nodes bid in EMCs they are not members of yet).
    ("GET", "/emcs/{address}/bids"): Access(
        BALCONY + "/bids",
        refused=(
            NOT_SIGNED_IN,
            ("chef", 403, "not_a_member"),  # a partner, not an ME
            ("farm", 403, "not_a_member"),
            ("stranger", 403, "not_a_member"),
        ),
        allowed=("owner", "me2", "auditor"),
    ),
    ("GET", "/emcs/{address}/bids/{round_id}"): Access(
        BALCONY + "/bids/1",
        refused=(
            NOT_SIGNED_IN,
            ("chef", 403, "not_a_member"),
            ("farm", 403, "not_a_member"),
            ("stranger", 403, "not_a_member"),
        ),
        allowed=("owner", "me2", "auditor"),
    ),
    # Relaying (tests/api/test_relay.py has each route's refusals with bodies, on chain).
    ("GET", "/emcs/{address}/versions/{version_id}/signatures"): _emc_route(
        BALCONY + "/versions/1/signatures"
    ),
    ("POST", "/emcs/{address}/versions/{version_id}/signatures"): _emc_route(
        BALCONY + "/versions/1/signatures"
    ),
    ("POST", "/emcs/{address}/versions/{version_id}/activation"): _emc_route(
        BALCONY + "/versions/1/activation"
    ),
    ("POST", "/emcs/{address}/tx/claim"): _emc_route(BALCONY + "/tx/claim"),
    ("POST", "/emcs/{address}/tx/approve"): _emc_route(BALCONY + "/tx/approve"),
    ("POST", "/emcs/{address}/tx/invest"): _emc_route(BALCONY + "/tx/invest"),
    ("POST", "/emcs/{address}/tx/settle"): _emc_route(BALCONY + "/tx/settle"),
    # Active MEs and partners bid, in EMCs they are not members of yet.
    ("POST", "/emcs/{address}/tx/commit-bid"): _bidder_route(BALCONY + "/tx/commit-bid"),
    ("POST", "/emcs/{address}/tx/reveal-bid"): _bidder_route(BALCONY + "/tx/reveal-bid"),
    ("POST", "/emcs/{address}/reports/typed-data"): Access(
        BALCONY + "/reports/typed-data",
        refused=(
            NOT_SIGNED_IN,
            ("me2", 403, "missing_role"),  # its owner, not an auditor
            ("chef", 403, "missing_role"),
            ("farm", 403, "missing_role"),
            ("stranger", 403, "missing_role"),
        ),
        allowed=("auditor",),
    ),
    # Any signed-in wallet relays its own transactions; a transaction is read by its
    # sender, auditors and operators (another wallet's refusal: test_relay.py).
    ("POST", "/tx"): Access("/tx", refused=(NOT_SIGNED_IN,), allowed=("stranger",)),
    ("GET", "/tx/{tx_hash}"): Access(
        "/tx/0x" + "ab" * 32, refused=(NOT_SIGNED_IN,), allowed=("chef", "auditor")
    ),
    ("GET", "/members/{address}"): _member_route("/members/{chef}"),
    ("GET", "/members/{address}/share"): _member_route("/members/{chef}/share"),
    ("GET", "/members/{address}/history"): _member_route("/members/{chef}/history"),
}


def served(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers; mounts as ("MOUNT", prefix)."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, Mount):
            found.add(("MOUNT", route.path))
        elif isinstance(route, APIRoute | Route):
            found.update((m, route.path) for m in route.methods or () if m != "HEAD")
        elif hasattr(route, "effective_route_contexts"):  # an included router (FastAPI 0.16x)
            for context in route.effective_route_contexts():
                found.update((m, context.path) for m in context.methods if m != "HEAD")
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return found


def test_every_route_has_an_entry(gateway: FastAPI) -> None:
    routes = served(gateway)
    assert len(routes) > len(ROUTES) / 2  # the walk found the included routers' routes
    missing = routes - set(ROUTES)
    assert not missing, f"routes without an entry in ROUTES (say who may call them): {missing}"
    assert not set(ROUTES) - routes, "entries for routes that no longer exist"


Caller = Callable[[str, "Access", Who], tuple[int, dict[str, object]]]


@pytest.fixture
def call(gateway: FastAPI, world: World) -> Caller:
    """Calls a route in a fresh client, signed in as ``who`` first (unless None)."""

    def request(method: str, access: Access, who: Who) -> tuple[int, dict[str, object]]:
        with TestClient(gateway) as client:
            if who is not None:
                sign_in(client, getattr(world, who))
            verb = "GET" if method == "MOUNT" else method
            answer = client.request(verb, access.url(world), json=access.body)
            ctype = answer.headers.get("content-type", "")
            return answer.status_code, answer.json() if "json" in ctype else {}

    return request


REFUSALS = [
    pytest.param(key, who, status, code, id=f"{key[0]} {key[1]} as {who}")
    for key, access in ROUTES.items()
    for who, status, code in access.refused
]
ALLOWED = [
    pytest.param(key, who, id=f"{key[0]} {key[1]} as {who}")
    for key, access in ROUTES.items()
    for who in access.allowed
]


@pytest.mark.parametrize(("key", "who", "status", "code"), REFUSALS)
def test_route_refuses_the_wallet(
    call: Caller, key: tuple[str, str], who: Who, status: int, code: str
) -> None:
    answer_status, body = call(key[0], ROUTES[key], who)
    assert (answer_status, body.get("error")) == (status, code), body
    assert body["detail"]


@pytest.mark.parametrize(("key", "who"), ALLOWED)
def test_route_lets_the_wallet_through(call: Caller, key: tuple[str, str], who: Who) -> None:
    answer_status, body = call(key[0], ROUTES[key], who)
    assert answer_status not in (401, 403), body
    assert answer_status < 500 or body.get("error") == "IndexUnavailableError", body
