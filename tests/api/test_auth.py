"""Sign-In with Ethereum: the flow, every refusal, sessions shared by workers, roles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from eth_account import Account
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web3 import Web3

from api.auth.deps import SESSION_COOKIE
from api.auth.settings import AuthSettings
from api.main import create_app
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.types import Role
from tests.api.auth_helpers import (
    sign,
    sign_in,
    sign_in_as_wallet,
    siwe_message,
)
from tests.api.conftest import TEST_SITE
from tests.api.helpers import World
from tests.support.wallets import contract_wallet


def _post(client: TestClient, message: str, signature: str) -> tuple[int, dict[str, str]]:
    answer = client.post("/auth/siwe", json={"message": message, "signature": signature})
    body: dict[str, str] = answer.json()
    return answer.status_code, body


def _refused(client: TestClient, message: str, signature: str, code: str) -> str:
    status, body = _post(client, message, signature)
    assert (status, body["error"]) == (401, code), body
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/auth/me").status_code == 401
    return body["detail"]


def test_nonce_names_this_gateway_and_chain(client: TestClient, world: World) -> None:
    body = client.get("/auth/nonce").json()
    assert (body["domain"], body["uri"], body["chain_id"], body["version"]) == (
        "testserver",
        TEST_SITE,
        world.deployment.chain_id,
        "1",
    )
    assert len(body["nonce"]) >= 8
    assert body["nonce"] != client.get("/auth/nonce").json()["nonce"]


def test_sign_in_sets_a_strict_http_only_cookie_and_me_names_the_roles(
    client: TestClient, world: World
) -> None:
    message = siwe_message(client, world.chef)
    answer = client.post(
        "/auth/siwe", json={"message": message, "signature": sign(world.chef, message)}
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["address"], answer.json()["roles"]) == (world.chef.address, ["partner"])
    cookie = answer.headers["set-cookie"].lower()
    assert f"{SESSION_COOKIE}=" in cookie
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "secure" not in cookie.replace("samesite", "")  # http: a Secure cookie is never sent
    me = client.get("/auth/me").json()
    assert (me["address"], me["roles"], me["admin"]) == (world.chef.address, ["partner"], False)


def test_sign_in_as_the_admin_says_admin(client: TestClient, world: World) -> None:
    sign_in(client, world.admin)
    me = client.get("/auth/me").json()
    assert (me["roles"], me["admin"]) == (["operator"], True)


def test_a_suspended_member_signs_in_with_no_role(client: TestClient, world: World) -> None:
    sign_in(client, world.farm)
    assert client.get("/auth/me").json()["roles"] == []


def test_an_unregistered_wallet_signs_in_with_no_role(client: TestClient, world: World) -> None:
    sign_in(client, world.stranger)
    me = client.get("/auth/me").json()
    assert (me["address"], me["roles"]) == (world.stranger.address, [])


def test_the_cookie_is_secure_when_the_gateway_is_https(world: World) -> None:
    app = create_app(
        world.settings, auth_settings=AuthSettings(public_url="https://ledger.example.org")
    )
    with TestClient(app, base_url="https://ledger.example.org") as client:
        message = siwe_message(client, world.chef)
        answer = client.post(
            "/auth/siwe", json={"message": message, "signature": sign(world.chef, message)}
        )
        assert answer.status_code == 200, answer.text
        assert "; secure" in answer.headers["set-cookie"].lower()
        assert client.get("/auth/me").json()["address"] == world.chef.address


def test_me_refuses_without_a_session(client: TestClient) -> None:
    answer = client.get("/auth/me")
    assert (answer.status_code, answer.json()["error"]) == (401, "not_signed_in")
    assert "POST /auth/siwe" in answer.json()["detail"]


def test_replayed_message_is_refused(client: TestClient, world: World) -> None:
    message = siwe_message(client, world.chef)
    signature = sign(world.chef, message)
    assert _post(client, message, signature)[0] == 200
    client.cookies.clear()
    detail = _refused(client, message, signature, "replayed")
    assert "already used" in detail


def test_expired_message_is_refused(client: TestClient, world: World) -> None:
    now = datetime.now(UTC)
    message = siwe_message(
        client,
        world.chef,
        issued_at=now - timedelta(minutes=2),
        expiration_time=now - timedelta(minutes=1),
    )
    assert "expired" in _refused(client, message, sign(world.chef, message), "expired")


def test_message_issued_more_than_five_minutes_ago_is_refused(
    client: TestClient, world: World
) -> None:
    message = siwe_message(client, world.chef, issued_at=datetime.now(UTC) - timedelta(minutes=6))
    detail = _refused(client, message, sign(world.chef, message), "stale")
    assert "more than five minutes ago" in detail


def test_message_issued_in_the_future_is_refused(client: TestClient, world: World) -> None:
    message = siwe_message(client, world.chef, issued_at=datetime.now(UTC) + timedelta(hours=1))
    assert "clock" in _refused(client, message, sign(world.chef, message), "not_yet_valid")


def test_message_valid_only_later_is_refused(client: TestClient, world: World) -> None:
    later = datetime.now(UTC) + timedelta(minutes=1)
    message = siwe_message(client, world.chef, not_before=later)
    assert "valid only from" in _refused(
        client, message, sign(world.chef, message), "not_yet_valid"
    )


def test_signing_in_again_ends_the_session_before(client: TestClient, world: World) -> None:
    sign_in(client, world.chef)
    first = client.cookies[SESSION_COOKIE]
    sign_in(client, world.owner)
    assert client.get("/auth/me").json()["address"] == world.owner.address
    with TestClient(client.app) as other:
        other.cookies.set(SESSION_COOKIE, first)
        answer = other.get("/auth/me")
        assert (answer.status_code, answer.json()["error"]) == (401, "session_ended")


def test_message_for_another_domain_is_refused(client: TestClient, world: World) -> None:
    message = siwe_message(client, world.chef, domain="evil.example")
    detail = _refused(client, message, sign(world.chef, message), "other_domain")
    assert "evil.example" in detail
    assert "testserver" in detail


def test_message_for_another_uri_is_refused(client: TestClient, world: World) -> None:
    message = siwe_message(client, world.chef, uri="https://evil.example/login")
    detail = _refused(client, message, sign(world.chef, message), "other_uri")
    assert "https://evil.example/login" in detail


def test_message_for_another_chain_is_refused(client: TestClient, world: World) -> None:
    message = siwe_message(client, world.chef, chain_id=1)
    detail = _refused(client, message, sign(world.chef, message), "other_chain")
    assert f"chain 1, but this ledger runs on chain {world.deployment.chain_id}" in detail


def test_tampered_message_is_refused(client: TestClient, world: World) -> None:
    message = siwe_message(client, world.chef)
    signature = sign(world.chef, message)
    # Someone swaps the wallet after it signed: the signature no longer matches.
    tampered = message.replace(world.chef.address, world.admin.address)
    detail = _refused(client, tampered, signature, "tampered")
    assert world.admin.address in detail
    # The nonce was not used up by the refused attempt: the real message still works.
    assert _post(client, message, signature)[0] == 200


def test_message_signed_by_another_wallet_is_refused(client: TestClient, world: World) -> None:
    message = siwe_message(client, world.admin)  # names the admin
    _refused(client, message, sign(world.chef, message), "tampered")


@pytest.mark.parametrize("signature", ["0x1234", "not hex", "0x" + "zz" * 65, "0x" + "ab" * 64])
def test_malformed_signature_is_refused(client: TestClient, world: World, signature: str) -> None:
    message = siwe_message(client, world.chef)
    assert "65 bytes" in _refused(client, message, signature, "bad_signature")


def test_unrecoverable_signature_is_refused(client: TestClient, world: World) -> None:
    message = siwe_message(client, world.chef)
    assert "no wallet" in _refused(client, message, "0x" + "00" * 65, "bad_signature")


def test_nonce_never_given_out_is_refused(client: TestClient, world: World) -> None:
    message = siwe_message(client, world.chef, nonce="madeUpNonce123")
    assert "never gave out" in _refused(client, message, sign(world.chef, message), "unknown_nonce")


def test_a_contract_wallet_signs_in_with_a_signature_its_code_accepts(
    client: TestClient, world: World, w3: Web3
) -> None:
    key = Account.create()
    wallet = contract_wallet(w3, key)

    sign_in_as_wallet(client, wallet, key)

    me = client.get("/auth/me").json()
    assert (me["address"], me["roles"]) == (wallet, [])  # no member: signed in all the same


def test_a_contract_wallet_refuses_another_keys_signature(
    client: TestClient, world: World, w3: Web3
) -> None:
    wallet = contract_wallet(w3, Account.create())
    message = siwe_message(client, world.chef, address=wallet)

    detail = _refused(client, message, sign(Account.create(), message), "tampered")
    assert f"not {wallet}'s signature of this message" in detail


def test_an_empty_signature_is_asked_of_a_contract_wallet_only(
    client: TestClient, world: World, w3: Web3
) -> None:
    wallet = contract_wallet(w3, Account.create())  # it approved nothing on chain
    for_wallet = siwe_message(client, world.chef, address=wallet)
    for_key = siwe_message(client, world.chef)

    assert f"not {wallet}'s signature" in _refused(client, for_wallet, "0x", "tampered")
    assert "is no contract wallet" in _refused(client, for_key, "0x", "bad_signature")


def test_a_signature_longer_than_a_keys_is_refused_for_a_wallet_without_code(
    client: TestClient, world: World
) -> None:
    message = siwe_message(client, world.chef)
    long = sign(world.chef, message) + "00" * 65

    detail = _refused(client, message, long, "bad_signature")
    assert f"{world.chef.address} is no contract wallet" in detail


def test_not_a_siwe_message_is_a_422(client: TestClient, world: World) -> None:
    answer = client.post(
        "/auth/siwe", json={"message": "let me in", "signature": sign(world.chef, "let me in")}
    )
    assert answer.status_code == 422
    assert "EIP-4361" in answer.json()["detail"]


def test_logout_ends_the_session_for_every_worker(gateway: FastAPI, world: World) -> None:
    # A second app on the same data folder is another worker process's view of the store.
    other = create_app(world.settings, auth_settings=AuthSettings(public_url=TEST_SITE))
    with TestClient(gateway) as first, TestClient(other) as second:
        sign_in(first, world.chef)
        token = first.cookies[SESSION_COOKIE]
        second.cookies.set(SESSION_COOKIE, token)
        assert second.get("/auth/me").json()["address"] == world.chef.address
        out = second.post("/auth/logout")
        assert out.json() == {"signed_out": True}
        assert "max-age=0" in out.headers["set-cookie"].lower()  # the browser drops it
        answer = first.get("/auth/me")
        assert (answer.status_code, answer.json()["error"]) == (401, "session_ended")
        assert first.post("/auth/logout").json() == {"signed_out": False}


def test_a_nonce_works_once_across_workers(gateway: FastAPI, world: World) -> None:
    other = create_app(world.settings, auth_settings=AuthSettings(public_url=TEST_SITE))
    with TestClient(gateway) as first, TestClient(other) as second:
        message = siwe_message(first, world.chef)
        signature = sign(world.chef, message)
        assert _post(second, message, signature)[0] == 200
        assert _post(first, message, signature)[1]["error"] == "replayed"


@pytest.fixture
def rechecking(world: World) -> Iterator[TestClient]:
    """A gateway that re-reads roles on every request (no index tells it when)."""
    auth = AuthSettings(public_url=TEST_SITE, recheck_seconds=0)
    with TestClient(create_app(world.settings, auth_settings=auth)) as client:
        yield client


def test_roles_are_read_again_after_a_suspension(
    rechecking: TestClient, world: World, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    sign_in(rechecking, world.chef)
    assert rechecking.get("/auth/me").json()["roles"] == ["partner"]
    Ledger(w3, world.deployment, artifacts).connect(world.admin).registry.suspend(
        world.chef.address
    )
    assert rechecking.get("/auth/me").json()["roles"] == []


def test_roles_are_read_again_after_a_grant(
    rechecking: TestClient, world: World, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    newcomer = Account.create()
    sign_in(rechecking, newcomer)
    assert rechecking.get("/auth/me").json()["roles"] == []
    registry = Ledger(w3, world.deployment, artifacts).connect(world.admin).registry
    registry.add_member(newcomer.address, Role.AUDITOR)
    assert rechecking.get("/auth/me").json()["roles"] == ["auditor"]
