"""The gateway reading a PostgreSQL hot standby while the indexer writes the primary.

A primary and a streaming standby of it run on loopback (``tests.support.standby``). The
indexer syncs the primary; a gateway given the standby's read-only URL
(``RDH_GATEWAY_INDEX_URL``) serves what the standby has replayed, says in ``as_of`` how far
the standby's replay is behind (``replica_lag_s``), and answers 503 with what to do when the
standby is down. Visibility is polled for (replay is asynchronous); assertions are on what
the gateway answers, never on how long it took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from web3 import Web3

from api.auth.settings import AuthSettings
from api.index import IndexProvider
from api.main import create_app
from rdh_chain.chain import AnvilNode
from rdh_chain.config import Settings
from rdh_chain.deployment import Deployment, deploy
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.settings import IndexSettings
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from rdh_chain.types import Role
from tests.api.auth_helpers import sign_in
from tests.api.helpers import SMART_COOKING_TERMS
from tests.support.standby import (
    REPLAY_TIMEOUT_S,
    ReplicatedDatabase,
    Replication,
    TempStandby,
)

TEST_SITE = "http://testserver"  # TestClient's base URL
REASON = bytes.fromhex("5b" * 32)


@dataclass(frozen=True)
class Site:
    settings: Settings
    ledger: Ledger
    admin: LocalAccount
    owner: LocalAccount  # an ME, owner of the EMCs made here
    auditor: LocalAccount  # reads every EMC's history
    first_emc: ChecksumAddress

    @property
    def deployment(self) -> Deployment:
        return self.ledger.deployment

    def create_emc(self) -> ChecksumAddress:
        self.ledger.forget_nonces()  # each test starts from the module's snapshot
        emc, _ = self.ledger.connect(self.admin).factory.create_emc_with_terms(
            self.owner.address, SMART_COOKING_TERMS, REASON
        )
        return emc

    def gateway(self, index_url: str) -> TestClient:
        app = create_app(
            self.settings, index_url=index_url, auth_settings=AuthSettings(public_url=TEST_SITE)
        )
        return TestClient(app)


@pytest.fixture(scope="module")
def site(
    anvil: AnvilNode,
    w3: Web3,
    artifacts: dict[str, Artifact],
    tmp_path_factory: pytest.TempPathFactory,
) -> Site:
    admin, owner, auditor = (Account.create() for _ in range(3))
    deployment = deploy(TxSender(w3, admin, Ledger.decoder_for(artifacts)), artifacts)
    settings = Settings(rpc_url=anvil.rpc_url, data_dir=tmp_path_factory.mktemp("standby-data"))
    deployment.save(settings.deployment_file)
    ledger = Ledger(w3, deployment, artifacts)
    registry = ledger.connect(admin).registry
    registry.add_member(owner.address, Role.ME)
    registry.add_member(auditor.address, Role.AUDITOR)
    emc, _ = ledger.connect(admin).factory.create_emc_with_terms(
        owner.address, SMART_COOKING_TERMS, REASON
    )
    return Site(settings, ledger, admin, owner, auditor, emc)


def sync(url: str, site: Site) -> int:
    """What `rdh index sync` does, on the primary at ``url``: its new checkpoint block."""
    db = IndexDb.open(url)
    try:
        indexer = Indexer(
            db,
            site.ledger.w3.provider,
            site.deployment,
            queries.default_decoder(),
            IndexSettings(url=url),
        )
        return indexer.sync().checkpoint
    finally:
        db.close()


def poll(read: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool]) -> Any:
    """``read()`` again until ``done`` says yes (or the replay timeout passes): the last."""
    deadline = time.monotonic() + REPLAY_TIMEOUT_S
    while True:
        body = read()
        if done(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def emc_list(client: TestClient) -> dict[str, Any]:
    answer = client.get("/emcs")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_gateway_on_a_standby_serves_what_the_indexer_writes_to_the_primary(
    site: Site, replication: Replication, replicated_database: ReplicatedDatabase
) -> None:
    first = sync(replicated_database.primary.read_write, site)
    client = site.gateway(replicated_database.standby.read_only)

    before = poll(lambda: emc_list(client), lambda b: b["checkpoint_block"] == first)
    second_emc = site.create_emc()
    second = sync(replicated_database.primary.read_write, site)
    after = poll(lambda: emc_list(client), lambda b: b["checkpoint_block"] == second)
    sign_in(client, site.auditor)
    history = client.get(f"/emcs/{second_emc}/history")
    health = client.get("/health").json()["index"]

    assert (before["total"], before["as_of"]["block_number"]) == (1, first)
    assert before["as_of"]["replica_lag_s"] == 0
    assert (after["total"], after["as_of"]["block_number"]) == (2, second)
    assert [item["address"] for item in after["items"]] == [site.first_emc, second_emc]
    assert after["as_of"]["replica_lag_s"] == 0
    assert history.status_code == 200, history.text
    assert history.json()["as_of"]["replica_lag_s"] == 0
    assert (history.json()["checkpoint_block"], history.json()["total"] > 0) == (second, True)
    assert (health["state"], health["checkpoint_block"]) == ("synced", second)
    assert health["replica"]["receiving"] is True
    assert health["replica"]["lag_seconds"] >= 0
    assert str(replication.standby.port) in health["url"]
    # The gateway's connection to the standby cannot write, whatever it tries.
    provider: IndexProvider = client.app.state.index  # type: ignore[attr-defined]
    with provider.get().engine.begin() as conn, pytest.raises(DBAPIError, match="read-only"):
        conn.execute(text("DELETE FROM events"))


def test_lagging_standby_serves_its_replayed_checkpoint_and_says_its_lag(
    site: Site, replication: Replication, replicated_database: ReplicatedDatabase
) -> None:
    first = sync(replicated_database.primary.read_write, site)
    client = site.gateway(replicated_database.standby.read_only)
    poll(lambda: emc_list(client), lambda b: b["checkpoint_block"] == first)

    replication.pause_replay()
    site.create_emc()
    second = sync(replicated_database.primary.read_write, site)
    lagging = poll(lambda: emc_list(client), lambda b: b["as_of"]["replica_lag_s"] >= 1)
    health = client.get("/health").json()["index"]
    replication.resume_replay()
    caught_up = poll(lambda: emc_list(client), lambda b: b["checkpoint_block"] == second)

    assert lagging["as_of"]["replica_lag_s"] >= 1
    assert (lagging["total"], lagging["checkpoint_block"]) == (1, first)  # not replayed yet
    assert health["state"] == "behind"
    assert health["checkpoint_block"] == first
    assert health["replica"]["lag_seconds"] >= 1
    assert health["replica"]["unreplayed_bytes"] > 0
    assert health["replica"]["receiving"] is True
    assert (caught_up["total"], caught_up["as_of"]["replica_lag_s"]) == (2, 0)


def test_gateway_on_the_primary_shows_no_replica_lag(
    site: Site, replicated_database: ReplicatedDatabase
) -> None:
    checkpoint = sync(replicated_database.primary.read_write, site)
    client = site.gateway(replicated_database.primary.read_only)

    page = emc_list(client)
    health = client.get("/health").json()["index"]

    assert (page["checkpoint_block"], page["as_of"]["replica_lag_s"]) == (checkpoint, None)
    assert (health["state"], health["replica"]) == ("synced", None)


def test_standby_that_is_down_answers_503_saying_what_to_do(
    site: Site, replication: Replication, replicated_database: ReplicatedDatabase
) -> None:
    sync(replicated_database.primary.read_write, site)
    standby = TempStandby(replication.primary)  # one of this test's own, to stop
    standby.start()
    try:
        Replication(replication.primary, standby).wait_replayed()
        url = standby.url_of(replicated_database.primary.read_only)
        client = site.gateway(url)
        sign_in(client, site.auditor)
        assert client.get(f"/emcs/{site.first_emc}/history").status_code == 200
    finally:
        standby.stop()

    history = client.get(f"/emcs/{site.first_emc}/history")
    health = client.get("/health")
    listed = client.get("/emcs")
    fresh = site.gateway(url)  # a gateway started while the standby is down
    sign_in(fresh, site.auditor)
    fresh_history = fresh.get(f"/emcs/{site.first_emc}/history")

    assert history.status_code == 503
    detail = history.json()["detail"]
    assert detail.startswith("Cannot reach the index's database at postgresql+psycopg://")
    assert "start that PostgreSQL server" in detail
    assert "RDH_GATEWAY_INDEX_URL" in detail
    assert history.json()["error"] == "IndexUnavailableError"
    assert (health.status_code, health.json()["index"]["state"]) == (200, "missing")
    assert health.json()["index"]["detail"].startswith("Cannot reach the index's database")
    assert listed.status_code == 200  # the list falls back to the chain
    assert listed.json()["checkpoint_block"] is None
    assert fresh_history.status_code == 503
    assert fresh_history.json()["detail"].startswith("Cannot reach the index's database")


def test_standby_lagging_past_the_limit_answers_503_and_lists_from_the_chain(
    site: Site,
    replication: Replication,
    replicated_database: ReplicatedDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = sync(replicated_database.primary.read_write, site)
    monkeypatch.setenv("RDH_GATEWAY_MAX_REPLICA_LAG_S", "1")
    client = site.gateway(replicated_database.standby.read_only)
    sign_in(client, site.auditor)
    path = f"/emcs/{site.first_emc}/history"

    def history() -> dict[str, Any]:
        answer = client.get(path)
        return {"status": answer.status_code, "body": answer.json()}

    served = poll(history, lambda a: a["status"] == 200)
    replication.pause_replay()
    try:
        site.create_emc()
        second = sync(replicated_database.primary.read_write, site)
        refused = poll(history, lambda a: a["status"] == 503)
        listed = emc_list(client)
        health = client.get("/health").json()["index"]
    finally:
        replication.resume_replay()
    recovered = poll(history, lambda a: a["status"] == 200 and a["body"]["total"] > 0)

    assert served["body"]["checkpoint_block"] == first
    assert refused["status"] == 503
    assert refused["body"]["error"] == "ReplicaLagError"
    detail = refused["body"]["detail"]
    assert detail.startswith("The index's hot standby at postgresql+psycopg://")
    assert "more than this gateway serves (RDH_GATEWAY_MAX_REPLICA_LAG_S=1)" in detail
    assert "has not applied it" in detail  # its receiver runs: the replay is what waits
    assert "RDH_GATEWAY_INDEX_URL" in detail
    # The list reads the chain instead: both EMCs, no checkpoint.
    assert (listed["total"], listed["checkpoint_block"]) == (2, None)
    assert (health["state"], health["checkpoint_block"]) == ("lagging-standby", first)
    assert health["replica"]["lag_seconds"] > 1
    assert health["detail"].startswith("The index's hot standby at postgresql+psycopg://")
    assert "RDH_GATEWAY_MAX_REPLICA_LAG_S=1" in health["detail"]
    assert recovered["status"] == 200
    assert recovered["body"]["checkpoint_block"] == second
