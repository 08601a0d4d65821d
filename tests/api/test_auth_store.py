"""The session store on SQLite and on PostgreSQL: nonces used once, sessions until they end."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.auth.settings import MAX_MESSAGE_AGE_SECONDS, AuthSettings
from api.auth.store import AuthStore, AuthStoreError, NonceState
from api.main import create_app
from tests.api.auth_helpers import sign_in
from tests.api.conftest import TEST_SITE
from tests.api.helpers import World
from tests.support.postgres import DatabaseUrls

ADDRESS = "0x" + "ab" * 20


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuthStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gateway' / 'auth.sqlite'}"
    else:
        database: DatabaseUrls = request.getfixturevalue("postgres_database")
        url = database.read_write
    opened = AuthStore(url)
    yield opened
    opened.dispose()


def test_a_nonce_is_fresh_once_then_used(store: AuthStore) -> None:
    nonce = store.issue_nonce()
    assert store.use_nonce(nonce) == NonceState.FRESH
    assert store.use_nonce(nonce) == NonceState.USED
    assert store.use_nonce(store.issue_nonce()) == NonceState.FRESH


@pytest.mark.parametrize(
    "change",
    [
        lambda n: "madeUpNonce123",
        lambda n: n[:-1] + ("0" if n[-1] != "0" else "1"),  # another MAC
        lambda n: n[:10] + "f" * 16 + n[26:],  # another random part under the same MAC
        lambda n: f"{int(n[:10]) + 1:010d}" + n[10:],  # a later issue time
        lambda n: n.upper(),
        lambda n: n + "0",
    ],
    ids=["made-up", "mac", "random", "time", "case", "longer"],
)
def test_a_nonce_this_store_did_not_give_out_is_unknown(
    store: AuthStore, change: Callable[[str], str]
) -> None:
    forged = change(store.issue_nonce())
    assert store.use_nonce(forged) == NonceState.UNKNOWN


def test_giving_out_nonces_writes_nothing(store: AuthStore) -> None:
    nonces = {store.issue_nonce() for _ in range(200)}
    assert len(nonces) == 200
    assert all(re.fullmatch(r"[0-9a-f]{58}", n) for n in nonces)  # EIP-4361: alphanumeric
    with store.engine.connect() as connection:
        (count,) = connection.exec_driver_sql("SELECT count(*) FROM auth_nonces").one()
    assert count == 0


def test_every_worker_on_the_store_takes_the_others_nonces(store: AuthStore) -> None:
    other = AuthStore(store.url)  # another worker process's view of the same database
    try:
        nonce = store.issue_nonce()
        assert other.use_nonce(nonce) == NonceState.FRESH
        assert store.use_nonce(nonce) == NonceState.USED
        assert store.use_nonce(other.issue_nonce()) == NonceState.FRESH
    finally:
        other.dispose()


def test_workers_opening_a_new_store_at_once_agree_on_one_nonce_key(store: AuthStore) -> None:
    workers = [AuthStore(store.url) for _ in range(6)]  # none has read the key yet
    try:
        with ThreadPoolExecutor(len(workers)) as pool:
            nonces = list(pool.map(lambda worker: worker.issue_nonce(), workers))
        assert [store.use_nonce(n) for n in nonces] == [NonceState.FRESH] * len(workers)
    finally:
        for worker in workers:
            worker.dispose()


def test_a_nonce_of_another_store_is_unknown(store: AuthStore, tmp_path: Path) -> None:
    other = AuthStore(f"sqlite:///{tmp_path / 'other' / 'auth.sqlite'}")
    try:
        assert store.use_nonce(other.issue_nonce()) == NonceState.UNKNOWN
    finally:
        other.dispose()


def test_a_nonce_unused_for_five_minutes_has_expired(store: AuthStore) -> None:
    issued = time.time()
    nonce = store.issue_nonce(issued)
    assert store.use_nonce(nonce, issued + MAX_MESSAGE_AGE_SECONDS + 1) == NonceState.EXPIRED
    assert store.use_nonce(nonce, issued + MAX_MESSAGE_AGE_SECONDS - 1) == NonceState.FRESH


def test_a_nonce_issued_in_the_future_of_this_clock_is_unknown(store: AuthStore) -> None:
    now = time.time()
    assert store.use_nonce(store.issue_nonce(now + 3_600), now) == NonceState.UNKNOWN


def test_threads_racing_for_one_nonce_get_it_once(store: AuthStore) -> None:
    nonce = store.issue_nonce()
    with ThreadPoolExecutor(8) as pool:
        states = list(pool.map(lambda _: store.use_nonce(nonce), range(8)))
    assert sorted(states) == sorted([NonceState.FRESH] + [NonceState.USED] * 7)


def test_a_session_reads_back_until_it_ends(store: AuthStore) -> None:
    token = store.create_session(ADDRESS, ("me", "auditor"), False, 7, time.time() + 60)
    stored = store.session(token)
    assert stored is not None
    assert (stored.address, stored.roles, stored.admin, stored.checked_block) == (
        ADDRESS,
        ("me", "auditor"),
        False,
        7,
    )
    store.update_roles(token, (), True, 9)
    again = store.session(token)
    assert again is not None
    assert (again.roles, again.admin, again.checked_block) == ((), True, 9)
    assert store.end_session(token) is True
    assert store.session(token) is None
    assert store.end_session(token) is False


def test_a_session_past_its_expiry_is_gone(store: AuthStore) -> None:
    now = time.time()
    token = store.create_session(ADDRESS, (), False, 1, now + 60, now)
    assert store.session(token, now + 59) is not None
    assert store.session(token, now + 60) is None


def test_only_the_tokens_hash_is_stored(store: AuthStore) -> None:
    token = store.create_session(ADDRESS, (), False, 1, time.time() + 60)
    with store.engine.connect() as connection:
        dumped = " ".join(
            str(value)
            for row in connection.exec_driver_sql("SELECT * FROM auth_sessions")
            for value in row
        )
    assert token not in dumped


def test_an_unusable_store_says_what_to_check(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    broken = AuthStore(f"sqlite:///{blocker / 'auth.sqlite'}")
    with pytest.raises(AuthStoreError, match="RDH_AUTH_STORE_URL"):
        broken.issue_nonce()


def test_the_gateway_signs_in_with_a_postgresql_store(
    world: World, postgres_database: DatabaseUrls
) -> None:
    auth = AuthSettings(public_url=TEST_SITE, store_url=postgres_database.read_write)
    app = create_app(world.settings, auth_settings=auth)
    with TestClient(app) as client:
        sign_in(client, world.chef)
        assert client.get("/auth/me").json()["address"] == world.chef.address
        assert client.get(f"/members/{world.chef.address}").status_code == 200
        client.post("/auth/logout")
        assert client.get("/auth/me").status_code == 401
    app.state.auth.store.dispose()
