"""The index-backed reads: pages and their totals, ``as_of`` with its hash, and answers kept
per version of the index (computed again once the indexer commits), on the real demo index."""

from __future__ import annotations

import asyncio
import gzip
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from web3.types import RPCEndpoint

from api.auth.deps import SESSION_COOKIE, AuthState
from api.cache import Answer, AnswerCache, accepts_gzip
from api.index import IndexProvider, read_only_url
from api.main import create_app
from api.models import MemberSharesPublic
from rdh_chain.index.db import IndexDb
from rdh_chain.types import Role
from tests.api.auth_helpers import sign_in
from tests.api.test_index_routes import Demo, api, demo, sync_index  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("demo")


def _provider(client: TestClient) -> IndexProvider:
    provider: IndexProvider = client.app.state.index  # type: ignore[attr-defined]
    return provider


def _hash(seeded: Demo, block: int) -> str:
    return str(seeded.ledger.w3.eth.get_block(block)["hash"].to_0x_hex())


# -- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["emc", "member"])
def test_history_pages_add_up_to_the_total(api: TestClient, demo: Demo, route: str) -> None:  # noqa: F811
    path = f"/emcs/{demo.emc}/history" if route == "emc" else f"/members/{demo.chef}/history"
    whole = api.get(path, params={"limit": 1000}).json()
    total = whole["total"]

    pages = [api.get(path, params={"limit": 3, "offset": o}).json() for o in range(0, total, 3)]
    past = api.get(path, params={"offset": total}).json()

    assert total == len(whole["items"]) > 3
    assert {p["total"] for p in pages} == {total}
    assert [(p["limit"], p["offset"]) for p in pages] == [(3, o) for o in range(0, total, 3)]
    assert [row for p in pages for row in p["items"]] == whole["items"]
    assert (past["items"], past["total"]) == ([], total)


def test_history_total_counts_the_filtered_rows(api: TestClient, demo: Demo) -> None:  # noqa: F811
    path = f"/emcs/{demo.emc}/history"
    whole = api.get(path, params={"limit": 1000}).json()["items"]
    signed = api.get(path, params={"kind": "version-signed", "limit": 1}).json()

    expected = [r for r in whole if r["kind"] == "version-signed"]
    assert signed["total"] == len(expected) > 1
    assert signed["items"] == expected[:1]


# -- as_of ---------------------------------------------------------------------------------


def test_history_as_of_the_checkpoint_carries_its_hash(api: TestClient, demo: Demo) -> None:  # noqa: F811
    page = api.get(f"/emcs/{demo.emc}/history").json()
    checkpoint = page["checkpoint_block"]

    assert page["as_of"] == {
        "block_number": checkpoint,
        "block_hash": _hash(demo, checkpoint),
        "replica_lag_s": None,  # SQLite: no standby
    }
    assert page["as_of_block"] == checkpoint


def test_history_as_of_an_earlier_block_carries_that_blocks_hash(
    api: TestClient,  # noqa: F811
    demo: Demo,  # noqa: F811
) -> None:
    (created,) = api.get(f"/emcs/{demo.emc}/history", params={"kind": "created"}).json()["items"]
    block = created["block_number"]

    page = api.get(f"/emcs/{demo.emc}/history", params={"as_of": block}).json()
    settled = api.get(f"/emcs/{demo.emc}/history", params={"kind": "settlement"}).json()
    settled_at = settled["items"][0]["block_number"]
    statement = api.get(f"/emcs/{demo.emc}/statement", params={"as_of": settled_at})

    assert page["as_of"] == {
        "block_number": block,
        "block_hash": _hash(demo, block),
        "replica_lag_s": None,
    }
    assert page["as_of"]["block_hash"] == created["block_hash"]
    assert page["items"]
    assert all(r["block_number"] <= block for r in page["items"])
    assert statement.status_code == 200
    assert statement.json()["as_of_block"] == settled_at
    assert statement.headers["X-As-Of-Block"] == str(settled_at)
    assert statement.headers["X-As-Of-Hash"] == _hash(demo, settled_at)


def test_as_of_a_block_without_events_has_no_hash(api: TestClient, demo: Demo) -> None:  # noqa: F811
    page = api.get(f"/members/{demo.chef}/history", params={"as_of": 0}).json()

    assert page["as_of"] == {"block_number": 0, "block_hash": None, "replica_lag_s": None}
    assert (page["items"], page["total"]) == ([], 0)


def test_emc_detail_is_read_at_the_checkpoint(api: TestClient, demo: Demo) -> None:  # noqa: F811
    checkpoint = api.get(f"/emcs/{demo.emc}/history").json()["checkpoint_block"]
    demo.ledger.connect(demo.cast.admin).registry.add_member(Account.create().address, Role.ME)

    detail = api.get(f"/emcs/{demo.emc}")

    assert detail.status_code == 200
    assert detail.headers["X-As-Of-Block"] == str(checkpoint)  # not the chain's new head
    assert detail.headers["X-As-Of-Hash"] == _hash(demo, checkpoint)
    assert detail.json()["address"] == demo.emc


# -- answers kept per version of the index -------------------------------------------------


def test_answers_are_kept_until_the_index_advances(api: TestClient, demo: Demo) -> None:  # noqa: F811
    newcomer = Account.create().address
    path = f"/members/{newcomer}/history"
    cache = _provider(api).cache
    before = api.get(path).json()
    hits = cache.hits

    demo.ledger.connect(demo.cast.admin).registry.add_member(newcomer, Role.ME)
    unsynced = api.get(path).json()  # the index has not seen the block yet
    kept_hits = cache.hits
    checkpoint = sync_index(demo.index_url, demo.ledger.w3, demo.deployment)
    after = api.get(path).json()
    listed = api.get("/emcs").json()

    assert (before["total"], unsynced) == (0, before)
    assert kept_hits == hits + 1  # answered from the cache, not computed again
    assert cache.hits == kept_hits  # the indexer committed: computed again
    assert after["total"] == 1
    assert after["items"][0]["kind"] == "membership"
    assert after["as_of"] == {
        "block_number": checkpoint,
        "block_hash": _hash(demo, checkpoint),
        "replica_lag_s": None,  # SQLite: no standby
    }
    assert listed["checkpoint_block"] == checkpoint


def test_answers_differ_by_query_not_by_its_order(api: TestClient, demo: Demo) -> None:  # noqa: F811
    path = f"/emcs/{demo.emc}/history"

    one = api.get(f"{path}?limit=2&offset=1")
    same = api.get(f"{path}?offset=1&limit=2")
    other = api.get(f"{path}?limit=2&offset=2")

    assert one.content == same.content
    assert one.json()["items"][1] == other.json()["items"][0]


def test_unknown_emc_is_404_from_the_index(api: TestClient, demo: Demo) -> None:  # noqa: F811
    stranger = Account.create().address

    response = api.get(f"/emcs/{stranger}/history")

    assert response.status_code == 404
    assert response.json()["error"] == "NotFoundError"


def test_index_version_changes_when_another_connection_commits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'index.sqlite'}"
    IndexDb.open(url).close()  # migrated
    provider = IndexProvider(read_only_url(url))
    first = provider.version()
    unchanged = provider.version()

    with sqlite3.connect(tmp_path / "index.sqlite") as writer:
        writer.execute("CREATE TABLE scratch (x INTEGER)")
    second = provider.version()
    (tmp_path / "index.sqlite").unlink()
    gone = provider.version()
    IndexDb.open(url).close()  # made again
    again = provider.version()
    provider.forget()

    assert first is not None
    assert unchanged == first
    assert first is not None
    assert second is not None
    assert first != second
    assert gone is None
    assert again is not None
    assert again not in (first, second)


# -- gzip and ETag -------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["history", "statement"])
def test_a_cached_answer_is_gzipped_only_for_clients_that_take_gzip(
    api: TestClient,  # noqa: F811
    demo: Demo,  # noqa: F811
    route: str,
) -> None:
    path = f"/emcs/{demo.emc}/{route}"
    plain = api.get(path, headers={"Accept-Encoding": "identity"})
    zipped = api.get(path, headers={"Accept-Encoding": "br;q=1.0, gzip;q=0.5"})
    refused = api.get(path, headers={"Accept-Encoding": "*, gzip;q=0"})

    assert (plain.status_code, zipped.status_code, refused.status_code) == (200, 200, 200)
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert "content-encoding" not in refused.headers
    assert int(zipped.headers["content-length"]) < int(plain.headers["content-length"])
    assert {r.headers["vary"] for r in (plain, zipped, refused)} == {"Accept-Encoding"}
    assert zipped.json() == plain.json() == refused.json()  # httpx decodes the gzip copy
    assert zipped.headers["etag"] != plain.headers["etag"] == refused.headers["etag"]


def test_an_etag_sent_back_gets_a_304_without_the_body(api: TestClient, demo: Demo) -> None:  # noqa: F811
    path = f"/emcs/{demo.emc}/history"
    first = api.get(path, headers={"Accept-Encoding": "gzip"})
    etag = first.headers["etag"]

    again = api.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    weak = api.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": f'"x", W/{etag}'})
    other_encoding = api.get(path, headers={"Accept-Encoding": "identity", "If-None-Match": etag})
    other_page = api.get(
        path, params={"limit": 1}, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )

    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert weak.status_code == 304
    assert again.headers["vary"] == "Accept-Encoding"
    assert other_encoding.status_code == 200
    assert other_encoding.json() == first.json()
    assert other_page.status_code == 200


@pytest.mark.parametrize(
    ("header", "takes"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("GZIP;q=0.1", True),
        ("x-gzip", True),
        ("*", True),
        ("", False),
        ("identity", False),
        ("br, deflate", False),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("*, gzip;q=0", False),
        ("gzip;q=0, *", False),
        ("*;q=0", False),
        ("gzip;q=bad", False),
    ],
)
def test_accept_encoding_takes_gzip_as_rfc_9110_says(header: str, takes: bool) -> None:
    assert accepts_gzip(header) is takes


def test_an_answer_keeps_a_gzip_copy_only_when_it_is_worth_it() -> None:
    small = Answer.of(b"{}")
    large = Answer.of(b'{"items": [' + b'{"a": 1}, ' * 500 + b"{}]}")

    assert small.gzipped is None
    assert large.gzipped is not None
    assert gzip.decompress(large.gzipped) == large.body
    assert large.size == len(large.body) + len(large.gzipped)
    assert large.etag != large.gzip_etag


# -- the cache itself ----------------------------------------------------------------------


def test_cache_computes_a_missed_key_once_for_concurrent_requests() -> None:
    cache = AnswerCache()
    computed = []

    async def compute() -> Answer:
        computed.append(1)
        await asyncio.sleep(0.01)
        return Answer(b"{}")

    async def main() -> list[Answer]:
        return await asyncio.gather(*(cache.once("v1", "/emcs?", compute) for _ in range(5)))

    answers = asyncio.run(main())

    assert len(computed) == 1
    assert {a.body for a in answers} == {b"{}"}


def test_cache_forgets_everything_of_an_older_version() -> None:
    cache = AnswerCache()
    cache.put("/a?", "v1", Answer(b"1"))
    cache.memo("v1", "rows", lambda: [1, 2])

    cache.put("/b?", "v2", Answer(b"2"))

    assert cache.get("/a?", "v1") is None
    assert cache.get("/a?", "v2") is None
    assert cache.memo_get("v2", "rows") is None
    assert cache.get("/b?", "v2") == Answer(b"2")


def test_cache_drops_the_least_recently_used_past_its_size() -> None:
    cache = AnswerCache(max_bytes=10)
    cache.put("/a?", "v", Answer(b"aaaa"))
    cache.put("/b?", "v", Answer(b"bbbb"))
    assert cache.get("/a?", "v") is not None  # /a is now the most recently used

    cache.put("/c?", "v", Answer(b"cccc"))

    assert cache.get("/b?", "v") is None
    assert cache.get("/a?", "v") is not None
    assert cache.get("/c?", "v") is not None


# -- live values at one block --------------------------------------------------------------


@pytest.mark.parametrize("who", ["chef", "admin"])
def test_member_share_batched_reads_match_the_sdks(api: TestClient, demo: Demo, who: str) -> None:  # noqa: F811
    account = demo.chef if who == "chef" else demo.cast.admin.address
    expected = MemberSharesPublic.from_sdk(account, demo.ledger.shares(account))
    one = MemberSharesPublic.from_sdk(
        account, [demo.ledger.share(demo.ledger.emc(demo.emc), account)]
    )

    every = api.get(f"/members/{account}/share")
    only = api.get(f"/members/{account}/share", params={"emc": demo.emc})

    assert every.status_code == 200
    assert every.json() == expected.model_dump(mode="json", by_alias=True)
    assert only.json() == one.model_dump(mode="json", by_alias=True)


# -- the session check, cheap per request, still seeing changes ---------------------------


def test_a_session_ends_at_once_when_another_worker_logs_it_out(demo: Demo) -> None:  # noqa: F811
    path = f"/members/{demo.chef}/history"
    with TestClient(create_app(demo.settings)) as one, TestClient(create_app(demo.settings)) as two:
        sign_in(one, demo.cast.auditor)
        two.cookies.set(SESSION_COOKIE, one.cookies[SESSION_COOKIE])
        first = two.get(path)
        again = two.get(path)

        one.post("/auth/logout")
        ended = two.get(path)

    assert (first.status_code, again.status_code) == (200, 200)
    assert ended.status_code == 401
    assert ended.json()["error"] == "session_ended"


def test_concurrent_requests_due_for_the_role_check_make_one_and_none_while_unchanged(
    demo: Demo,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.auth import deps as auth_deps

    checks = []
    real = auth_deps._may_have_changed

    def counted(*args: Any) -> bool | None:
        checks.append(1)
        return real(*args)

    monkeypatch.setattr(auth_deps, "_may_have_changed", counted)
    path = f"/members/{demo.chef}/history"
    sync_index(demo.index_url, demo.ledger.w3, demo.deployment)
    with TestClient(create_app(demo.settings)) as client:
        state: AuthState = client.app.state.auth  # type: ignore[attr-defined]
        state.index_check_seconds = 0  # due on every request
        sign_in(client, demo.cast.auditor)
        cookie = client.cookies[SESSION_COOKIE]

        async def burst(n: int) -> list[int]:
            transport = httpx.ASGITransport(app=client.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver", cookies={SESSION_COOKIE: cookie}
            ) as many:
                answers = await asyncio.gather(*(many.get(path) for _ in range(n)))
            return [a.status_code for a in answers]

        first = asyncio.run(burst(20))
        after_first = len(checks)
        unchanged = asyncio.run(burst(20))
        after_unchanged = len(checks)
        demo.ledger.w3.provider.make_request(RPCEndpoint("evm_mine"), [])
        sync_index(demo.index_url, demo.ledger.w3, demo.deployment)  # a new index version
        changed = asyncio.run(burst(20))

    assert first == unchanged == changed == [200] * 20
    assert after_first == 1  # one check for the 20 requests that found it due at once
    assert after_unchanged == 1  # the index has not changed since: no check
    assert len(checks) == 2  # the index committed: checked again, once


def test_a_session_sees_a_suspension_once_indexed(demo: Demo) -> None:  # noqa: F811
    auditor = Account.create()
    admin = demo.ledger.connect(demo.cast.admin)
    admin.registry.add_member(auditor.address, Role.AUDITOR)
    sync_index(demo.index_url, demo.ledger.w3, demo.deployment)
    path = f"/members/{demo.chef}/history"
    with TestClient(create_app(demo.settings)) as client:
        state: AuthState = client.app.state.auth  # type: ignore[attr-defined]
        state.index_check_seconds = 0  # ask the index on every request
        sign_in(client, auditor)
        before = client.get(path)

        admin.registry.suspend(auditor.address)
        sync_index(demo.index_url, demo.ledger.w3, demo.deployment)
        after = client.get(path)

    assert before.status_code == 200
    assert after.status_code == 403
