"""The routes that read the index: history, statements, the EMC list and /health's index.

The demo's Smart Cooking EMC is seeded on a deployment of this module's own (its members'
metadata are their profiles' hashes, so names are verified), and a SQLite index of it is
synced in the data folder, where the gateway finds it by default and opens it read-only.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import pytest
from eth_account import Account
from eth_typing import ChecksumAddress
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from web3 import Web3
from web3.types import RPCEndpoint

from api.auth.settings import AuthSettings
from api.history_models import RowKindName
from api.index import IndexProvider
from api.main import create_app
from rdh_chain.chain import AnvilNode
from rdh_chain.config import Settings
from rdh_chain.demo import MES, PARTNERS, PROFILES, YUAN, DemoCast, seed
from rdh_chain.deployment import Deployment, deploy
from rdh_chain.history import HistoryFilter, HistoryRow, RowKind, build_history, filter_rows
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.names import refresh_names
from rdh_chain.index.settings import IndexSettings
from rdh_chain.ledger import Ledger
from rdh_chain.profiles import ProfileStore, match_profiles
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from rdh_chain.types import Role
from tests.api.auth_helpers import sign_in
from tests.api.helpers import World
from tests.support.postgres import DatabaseUrls


@dataclass(frozen=True)
class Demo:
    settings: Settings
    ledger: Ledger
    cast: DemoCast
    emc: ChecksumAddress
    index_url: str  # the indexer's (read-write) URL of the SQLite index

    @property
    def deployment(self) -> Deployment:
        return self.ledger.deployment

    @property
    def profiles(self) -> Path:
        return self.settings.data_dir / "profiles"

    @property
    def chef(self) -> ChecksumAddress:
        return self.cast.partners["chef"].address


def sync_index(url: str, w3: Web3, deployment: Deployment, profiles: Path | None = None) -> int:
    """Sync the index at ``url`` to the chain's head, naming its members from ``profiles``
    (as ``rdh index sync`` does); its checkpoint block."""
    db = IndexDb.open(url)
    try:
        indexer = Indexer(
            db, w3.provider, deployment, queries.default_decoder(), IndexSettings(url=url)
        )
        checkpoint = indexer.sync().checkpoint
        if profiles is not None:
            with db.transaction() as session:
                refresh_names(session, ProfileStore(profiles))
        return checkpoint
    finally:
        db.close()


@pytest.fixture(scope="module")
def demo(
    anvil: AnvilNode,
    w3: Web3,
    artifacts: dict[str, Artifact],
    tmp_path_factory: pytest.TempPathFactory,
) -> Demo:
    data_dir = tmp_path_factory.mktemp("demo-data")
    cast = DemoCast(
        admin=Account.create(),
        treasury=Account.create(),
        auditor=Account.create(),
        steward=Account.create(),
        mes={name: Account.create() for name, _, _ in MES},
        partners={name: Account.create() for name in PARTNERS},
    )
    deployment = deploy(TxSender(w3, cast.admin, Ledger.decoder_for(artifacts)), artifacts)
    deployment.save(data_dir / "deployment.json")
    ledger = Ledger(w3, deployment, artifacts)
    emc = seed(ledger, cast, ProfileStore.in_data_dir(data_dir))
    url = f"sqlite:///{data_dir / 'index.sqlite'}"
    sync_index(url, w3, deployment, data_dir / "profiles")
    settings = Settings(rpc_url=anvil.rpc_url, data_dir=data_dir)
    return Demo(settings, ledger, cast, emc, url)


@pytest.fixture
def api(demo: Demo, anvil: AnvilNode) -> Iterator[TestClient]:
    """The gateway on the demo's data folder (its index found there, synced to the head:
    other modules' fixtures may have added blocks since), in a chain snapshot, signed in as
    the demo's auditor (who reads every EMC's history and every member's)."""
    demo.ledger.forget_nonces()
    sync_index(demo.index_url, demo.ledger.w3, demo.deployment, demo.profiles)
    with TestClient(create_app(demo.settings)) as client:
        sign_in(client, demo.cast.auditor)
        yield client


def all_rows(demo: Demo) -> list[HistoryRow]:
    """Every history row as ``rdh audit history`` builds it: all events, profile names."""
    db = IndexDb.open(demo.index_url, upgrade=False)
    try:
        with db.session() as session:
            decoded = queries.decoded_logs(session)
            metadata = {m.address: m.metadata_hash for m in queries.members(session)}
    finally:
        db.close()
    store = ProfileStore.in_data_dir(demo.settings.data_dir)
    names = {a: m.label for a, m in match_profiles(metadata, store).items() if m.label}
    return build_history(decoded, names)


def keys(items: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    return [(i["block_number"], i["log_index"], i["kind"]) for i in items]


def row_keys(rows: list[HistoryRow]) -> list[tuple[int, int, str]]:
    return [(r.block_number, r.log_index, r.kind.value) for r in rows]


def test_row_kind_names_are_the_sdks() -> None:
    assert list(get_args(RowKindName)) == [k.value for k in RowKind]


# -- /health ---------------------------------------------------------------------------


def test_health_reports_a_synced_index_of_this_deployment(api: TestClient, demo: Demo) -> None:
    head = demo.ledger.w3.eth.get_block("latest")

    body = api.get("/health").json()

    assert body["block"] == head["number"]
    index = body["index"]
    assert (
        index["url"] == f"sqlite:///file:{demo.settings.data_dir / 'index.sqlite'}?mode=ro&uri=true"
    )
    assert (index["state"], index["deployment_matches"], index["detail"]) == ("synced", True, None)
    assert (index["checkpoint_block"], index["head"]) == (head["number"], head["number"])
    assert (index["lag_blocks"], index["lag_seconds"]) == (0, 0)
    assert index["checkpoint_time"] is not None


def test_health_reports_lag_when_blocks_are_mined_after_the_checkpoint(
    api: TestClient, demo: Demo, w3: Web3
) -> None:
    checkpoint = w3.eth.block_number
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [60])
    for _ in range(3):
        w3.provider.make_request(RPCEndpoint("evm_mine"), [])

    index = api.get("/health").json()["index"]

    assert (index["state"], index["checkpoint_block"]) == ("behind", checkpoint)
    assert (index["head"], index["lag_blocks"]) == (checkpoint + 3, 3)
    assert index["lag_seconds"] >= 60


def test_health_reports_a_missing_index_and_keeps_answering(
    world: World, client: TestClient
) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    index = response.json()["index"]
    path = world.settings.data_dir / "index.sqlite"
    assert index == {
        "state": "missing",
        "url": f"sqlite:///file:{path}?mode=ro&uri=true",
        "deployment_matches": None,
        "checkpoint_block": None,
        "checkpoint_time": None,
        "head": index["head"],
        "lag_blocks": None,
        "lag_seconds": None,
        "replica": None,
        "detail": f"There is no index at {path}: start the indexer (`rdh index follow`; "
        "`make run` starts it) or point RDH_GATEWAY_INDEX_URL at the index.",
    }


# -- history -----------------------------------------------------------------------------


def test_emc_history_gives_the_cli_rows_with_names(api: TestClient, demo: Demo) -> None:
    expected = filter_rows(all_rows(demo), HistoryFilter(emc=demo.emc))

    body = api.get(f"/emcs/{demo.emc}/history", params={"limit": 1000}).json()

    assert body["total"] == len(expected) == len(body["items"])
    assert keys(body["items"]) == row_keys(expected)
    assert body["as_of_block"] == body["checkpoint_block"] == demo.ledger.w3.eth.block_number
    (claim,) = [i for i in body["items"] if i["kind"] == "claim"]
    assert claim["account"] == {"address": demo.chef, "name": PROFILES["chef"].name}
    assert claim["amount"] == {"fen": 57_906 * YUAN, "rmb": "57,906.00"}
    assert claim["period"] == 2  # claimed after period 1 was settled
    (settled,) = [i for i in body["items"] if i["kind"] == "settlement"]
    assert settled["period"] == 1
    assert settled["revenue"]["fen"] == 4_000_000 * YUAN
    assert settled["profit"]["fen"] == 965_100 * YUAN
    assert settled["users"] == 20_000
    assert len(settled["block_hash"]) == 66
    assert settled["block_time"].endswith("Z")


def test_emc_history_filters_by_kind_period_and_member(api: TestClient, demo: Demo) -> None:
    url = f"/emcs/{demo.emc}/history"

    claims = api.get(url, params={"kind": "claim"}).json()
    signed = api.get(url, params=[("kind", "version-signed"), ("kind", "version-activated")])
    period_2 = api.get(url, params={"period_from": 2, "period_to": 2}).json()
    chef = api.get(url, params={"member": demo.chef}).json()

    assert [i["kind"] for i in claims["items"]] == ["claim"]
    kinds = [i["kind"] for i in signed.json()["items"]]
    assert kinds.count("version-activated") == 1
    assert kinds.count("version-signed") == len(MES) + len(PARTNERS)
    assert {i["period"] for i in period_2["items"]} == {2}
    assert "claim" in [i["kind"] for i in period_2["items"]]
    assert chef["total"] > 0
    assert all(demo.chef in i["involved"] for i in chef["items"])


def test_emc_history_pages_with_limit_and_offset(api: TestClient, demo: Demo) -> None:
    url = f"/emcs/{demo.emc}/history"
    whole = api.get(url, params={"limit": 1000}).json()

    page = api.get(url, params={"limit": 5, "offset": 3}).json()

    assert (page["total"], page["limit"], page["offset"]) == (whole["total"], 5, 3)
    assert page["items"] == whole["items"][3:8]


def test_emc_history_as_of_a_block_before_the_settlement_leaves_it_out(
    api: TestClient, demo: Demo
) -> None:
    url = f"/emcs/{demo.emc}/history"
    whole = api.get(url, params={"limit": 1000}).json()
    (settled,) = [i for i in whole["items"] if i["kind"] == "settlement"]

    before = api.get(url, params={"as_of": settled["block_number"] - 1, "limit": 1000}).json()

    assert before["as_of_block"] == settled["block_number"] - 1
    assert before["checkpoint_block"] == whole["checkpoint_block"]
    assert [i for i in whole["items"] if i["block_number"] < settled["block_number"]] == before[
        "items"
    ]


def test_history_as_of_beyond_the_checkpoint_is_422(api: TestClient, demo: Demo) -> None:
    checkpoint = demo.ledger.w3.eth.block_number

    response = api.get(f"/emcs/{demo.emc}/history", params={"as_of": checkpoint + 1})

    assert response.status_code == 422
    assert response.json() == {
        "detail": f"as_of {checkpoint + 1} is beyond the index's checkpoint (block "
        f"{checkpoint}); ask for a block at or below it, or wait for the indexer to catch up.",
        "error": "InvalidInputError",
    }


def test_history_of_an_address_that_is_no_emc_is_404(api: TestClient, demo: Demo) -> None:
    response = api.get(f"/emcs/{demo.deployment.registry}/history")

    assert response.status_code == 404
    assert response.json()["error"] == "NotFoundError"


def test_history_with_a_bad_kind_is_422(api: TestClient, demo: Demo) -> None:
    response = api.get(f"/emcs/{demo.emc}/history", params={"kind": "payout"})

    assert response.status_code == 422
    assert response.json()["error"] == "InvalidInputError"


def test_member_history_gives_the_cli_rows(api: TestClient, demo: Demo) -> None:
    expected = filter_rows(all_rows(demo), HistoryFilter(member=demo.chef))

    body = api.get(f"/members/{demo.chef}/history", params={"limit": 1000}).json()
    claims = api.get(f"/members/{demo.chef}/history", params={"kind": "claim", "emc": demo.emc})

    assert keys(body["items"]) == row_keys(expected)
    assert {i["kind"] for i in body["items"]} >= {"membership", "version-signed", "claim"}
    (claim,) = claims.json()["items"]
    assert (claim["period"], claim["amount"]["fen"]) == (2, 57_906 * YUAN)


def test_member_history_of_an_unknown_address_is_empty(api: TestClient) -> None:
    body = api.get("/members/0x" + "12" * 20 + "/history").json()

    assert (body["total"], body["items"]) == (0, [])


# -- statement ---------------------------------------------------------------------------


def test_statement_gives_the_seeds_figures(api: TestClient, demo: Demo) -> None:
    response = api.get(f"/emcs/{demo.emc}/statement")

    assert response.status_code == 200
    body = response.json()
    block = demo.ledger.w3.eth.block_number
    assert (body["as_of_block"], body["positions_block"], body["settled_periods"]) == (
        block,
        block,
        1,
    )
    (month,) = body["periods"]
    assert month["user_resources"] == {
        "users": 20_000,
        "users_to_date": 20_000,
        "target_users": 20_000,
    }
    assert month["revenues"] == {"revenue_fen": 4_000_000 * YUAN}
    assert month["costs"]["profit_fen"] == 965_100 * YUAN
    assert month["earned_fen"][demo.chef] == 57_906 * YUAN
    (chef,) = [p for p in body["resource_providers"] if p["account"] == demo.chef]
    assert chef["name"] == PROFILES["chef"].name
    assert chef["kind"] == "partner"
    assert chef["shares"] == [{"version_id": 1, "class": "partner", "bps": 600}]
    assert (chef["earned_fen"], chef["paid_fen"], chef["claimable_fen"]) == (
        57_906 * YUAN,
        57_906 * YUAN,
        0,
    )
    assert body["sharing_space"]["earned_fen"] == 57_906 * YUAN


def test_statement_of_a_period_not_settled_is_422(api: TestClient, demo: Demo) -> None:
    response = api.get(f"/emcs/{demo.emc}/statement", params={"period": 2})

    assert response.status_code == 422
    assert response.json() == {
        "detail": "period 2 holds no settled period: 1 period(s) are settled so far.",
        "error": "InvalidInputError",
    }


# -- the EMC list ------------------------------------------------------------------------


def test_emc_list_reads_the_index_at_its_checkpoint(api: TestClient, demo: Demo) -> None:
    checkpoint = demo.ledger.w3.eth.block_number
    admin = demo.ledger.connect(demo.cast.admin)
    admin.registry.add_member(demo.cast.mes["me-it"].address, Role.PARTNER)  # a block more

    response = api.get("/emcs")

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "1"
    assert response.headers["X-As-Of-Block"] == str(checkpoint)
    page = response.json()
    assert (page["total"], page["checkpoint_block"]) == (1, checkpoint)
    assert page["as_of"] == {
        "block_number": checkpoint,
        "block_hash": demo.ledger.w3.eth.get_block(checkpoint)["hash"].to_0x_hex(),
        "replica_lag_s": None,
    }
    (emc,) = page["items"]
    assert emc["address"] == demo.emc
    assert emc["totals"]["periods"] == 1


def test_emc_list_as_of_a_block_before_the_emc_was_created_is_empty(
    api: TestClient, demo: Demo
) -> None:
    created = api.get(f"/emcs/{demo.emc}/history", params={"kind": "created"}).json()
    (row,) = created["items"]

    before = api.get("/emcs", params={"as_of": row["block_number"] - 1})
    at = api.get("/emcs", params={"as_of": row["block_number"]})

    assert (before.json()["items"], before.json()["total"]) == ([], 0)
    assert before.headers["X-Total-Count"] == "0"
    (emc,) = at.json()["items"]
    assert (emc["address"], emc["totals"]["periods"], emc["status"]) == (demo.emc, 0, "active")


def test_emc_list_as_of_a_block_the_index_has_not_reached_reads_the_chain(
    api: TestClient, demo: Demo
) -> None:
    checkpoint = demo.ledger.w3.eth.block_number
    demo.ledger.connect(demo.cast.admin).registry.add_member(Account.create().address, Role.ME)

    ahead = api.get("/emcs", params={"as_of": checkpoint + 1})
    beyond = api.get("/emcs", params={"as_of": checkpoint + 2})

    assert ahead.headers["X-As-Of-Block"] == str(checkpoint + 1)
    assert [e["address"] for e in ahead.json()["items"]][-1] == demo.emc
    assert ahead.json()["checkpoint_block"] is None  # read from the chain
    assert beyond.status_code == 422
    assert beyond.json()["detail"] == (
        f"as_of {checkpoint + 2} is beyond the chain's latest block ({checkpoint + 1}); ask "
        "for a block at or below it."
    )


def test_emc_list_pages_with_limit_and_offset(api: TestClient) -> None:
    first = api.get("/emcs", params={"limit": 1}).json()
    past = api.get("/emcs", params={"offset": 1}).json()

    assert (len(first["items"]), first["total"], first["limit"], first["offset"]) == (1, 1, 1, 0)
    assert (past["items"], past["total"], past["limit"], past["offset"]) == ([], 1, 100, 1)


def test_emc_list_reads_the_chain_without_an_index(client: TestClient, world: World) -> None:
    response = client.get("/emcs")

    assert [e["address"] for e in response.json()["items"]] == [world.smart_cooking, world.balcony]
    assert response.headers["X-Total-Count"] == "2"
    assert response.json()["total"] == 2


# -- 503s ----------------------------------------------------------------------------------


def test_history_is_503_without_an_index(client: TestClient, world: World) -> None:
    sign_in(client, world.auditor)
    response = client.get(f"/emcs/{world.smart_cooking}/history")

    assert response.status_code == 503
    path = world.settings.data_dir / "index.sqlite"
    assert response.json() == {
        "detail": f"There is no index at {path}: start the indexer (`rdh index follow`; "
        "`make run` starts it) or point RDH_GATEWAY_INDEX_URL at the index.",
        "error": "IndexUnavailableError",
    }


def test_history_is_503_when_the_index_is_of_another_deployment(world: World, demo: Demo) -> None:
    client = TestClient(create_app(world.settings, index_url=demo.index_url))
    sign_in(client, world.auditor)

    response = client.get(f"/members/{world.chef.address}/history")
    health = client.get("/health").json()["index"]

    assert response.status_code == 503
    assert "is of another deployment" in response.json()["detail"]
    assert (health["state"], health["deployment_matches"]) == ("other-deployment", False)


def test_history_is_503_when_the_checkpoint_was_reorganised_away(
    demo: Demo, w3: Web3, anvil: AnvilNode, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'index.sqlite'}"
    snapshot = w3.provider.make_request(RPCEndpoint("evm_snapshot"), [])["result"]
    demo.ledger.forget_nonces()
    demo.ledger.connect(demo.cast.admin).registry.add_member(Account.create().address, Role.ME)
    checkpoint = sync_index(url, w3, demo.deployment)
    w3.provider.make_request(RPCEndpoint("evm_revert"), [snapshot])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])  # another block at that height
    client = TestClient(create_app(demo.settings, index_url=url))
    sign_in(client, demo.cast.auditor)

    response = client.get(f"/emcs/{demo.emc}/history")
    health = client.get("/health").json()["index"]
    listed = client.get("/emcs")

    assert response.status_code == 503
    assert response.json()["detail"] == (
        f"The index at sqlite:///file:{tmp_path / 'index.sqlite'}?mode=ro&uri=true is at block "
        f"{checkpoint}, which the chain no longer has (a reorg, or the chain was reset): the "
        "indexer rolls it back on its next poll (`rdh index follow`); try again in a moment."
    )
    assert health["state"] == "reorged"
    assert listed.status_code == 200  # the list falls back to the chain
    assert listed.headers["X-As-Of-Block"] == str(w3.eth.block_number)


# -- read-only ----------------------------------------------------------------------------


def test_gateway_cannot_write_a_sqlite_index(api: TestClient) -> None:
    provider: IndexProvider = api.app.state.index  # type: ignore[attr-defined]
    api.get("/health")  # opens it

    with provider.get().engine.begin() as conn, pytest.raises(DBAPIError, match="readonly"):
        conn.execute(text("DELETE FROM events"))


def test_gateway_reads_postgresql_with_a_read_only_role_and_cannot_write(
    demo: Demo, w3: Web3, anvil: AnvilNode, postgres_database: DatabaseUrls, api: TestClient
) -> None:
    sync_index(postgres_database.read_write, w3, demo.deployment, demo.profiles)
    client = TestClient(create_app(demo.settings, index_url=postgres_database.read_only))
    sign_in(client, demo.cast.auditor)

    history = client.get(f"/emcs/{demo.emc}/history", params={"limit": 1000})
    health = client.get("/health").json()["index"]

    assert history.status_code == 200
    assert history.json() == api.get(f"/emcs/{demo.emc}/history", params={"limit": 1000}).json()
    assert (health["state"], health["lag_blocks"]) == ("synced", 0)
    assert postgres_database.read_only.split("@", 1)[1] in health["url"]
    assert "***" in health["url"]
    provider: IndexProvider = client.app.state.index  # type: ignore[attr-defined]
    for statement in ("DELETE FROM events", "CREATE TABLE gateway_was_here (x int)"):
        with provider.get().engine.begin() as conn, pytest.raises(DBAPIError):
            conn.execute(text(statement))


def test_gateway_finds_the_index_once_the_indexer_has_written_it(
    demo: Demo, tmp_path: Path, anvil: AnvilNode
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(demo.settings.data_dir / "deployment.json", data_dir)
    client = TestClient(create_app(Settings(rpc_url=demo.settings.rpc_url, data_dir=data_dir)))
    sign_in(client, demo.cast.auditor)
    assert client.get(f"/emcs/{demo.emc}/history").status_code == 503

    sync_index(f"sqlite:///{data_dir / 'index.sqlite'}", demo.ledger.w3, demo.deployment)

    assert client.get(f"/emcs/{demo.emc}/history").status_code == 200


def test_names_come_from_the_index_without_the_gateway_having_the_profiles(
    demo: Demo, tmp_path: Path, anvil: AnvilNode
) -> None:
    data_dir = tmp_path / "data"  # a gateway elsewhere: the deployment record, no profiles
    data_dir.mkdir()
    shutil.copy(demo.settings.data_dir / "deployment.json", data_dir)
    settings = Settings(rpc_url=demo.settings.rpc_url, data_dir=data_dir)
    client = TestClient(create_app(settings, index_url=demo.index_url))
    sign_in(client, demo.cast.auditor)

    body = client.get(f"/members/{demo.chef}/history", params={"kind": "claim"}).json()

    (claim,) = body["items"]
    assert claim["account"] == {"address": demo.chef, "name": PROFILES["chef"].name}


def test_gateway_reads_an_index_deleted_and_synced_again(
    demo: Demo, tmp_path: Path, anvil: AnvilNode
) -> None:
    path = tmp_path / "index.sqlite"
    url = f"sqlite:///{path}"
    sync_index(url, demo.ledger.w3, demo.deployment)
    client = TestClient(create_app(demo.settings, index_url=url))
    sign_in(client, demo.cast.auditor)
    assert client.get(f"/emcs/{demo.emc}/history").status_code == 200

    for file in tmp_path.glob("index.sqlite*"):
        file.unlink()
    gone = client.get(f"/emcs/{demo.emc}/history")
    sync_index(url, demo.ledger.w3, demo.deployment)
    back = client.get(f"/emcs/{demo.emc}/history")

    assert (gone.status_code, gone.json()["error"]) == (503, "IndexUnavailableError")
    assert gone.json()["detail"].startswith(f"There is no index at {path}: ")
    assert back.status_code == 200
    assert back.json()["total"] > 0


# -- sign-in: roles read again when the index says they changed ---------------------------


def test_a_session_loses_its_role_once_the_index_has_the_suspension(
    demo: Demo, w3: Web3, anvil: AnvilNode, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'index.sqlite'}"  # the module's index stays as it was
    demo.ledger.forget_nonces()
    sync_index(url, w3, demo.deployment)
    asks_every_time = AuthSettings(index_check_seconds=0)
    client = TestClient(create_app(demo.settings, index_url=url, auth_settings=asks_every_time))
    auditor = demo.cast.auditor
    sign_in(client, auditor)
    assert client.get(f"/emcs/{demo.emc}/history").status_code == 200

    demo.ledger.connect(demo.cast.admin).registry.suspend(auditor.address)
    # Until the index has the suspension, nothing says the roles changed: none are read.
    assert client.get("/auth/me").json()["roles"] == ["auditor"]
    sync_index(url, w3, demo.deployment)

    assert client.get("/auth/me").json()["roles"] == []
    refused = client.get(f"/emcs/{demo.emc}/history")
    assert (refused.status_code, refused.json()["error"]) == (403, "not_a_member")
