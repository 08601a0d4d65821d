"""Schemathesis over the gateway's OpenAPI document, against the world of ``conftest.py``.

Every operation is called with the document's examples (which name the world's real EMC
and member), with boundary values and with generated requests, valid and not: no answer is
a 5xx, and every answer matches the document (status, content type, headers, body).

A request the schema allows may still be refused with a 422 for what no JSON schema can
say: a state the ledger or the clock has not reached (a block beyond the checkpoint, a
period not settled, an EMC with no period, a deadline passed; the refusal names the
parameter), a mixed-case address whose EIP-55 checksum is wrong, a period range whose first
period comes after its last, a sign-in message that is not EIP-4361 text, bytes that are
not a signed transaction, an amount past
its contract field, a signature no key (or another key) made. Any other 422 to a request
the schema allows fails the test.

The run signs in (a session cookie on every request) and, where a wallet is refused (403),
tries the next of a few: it reaches what each route answers to a wallet it serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from eth_account import Account
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import positive_data_acceptance
from web3 import Web3

from api.auth.deps import SESSION_COOKIE
from api.auth.settings import AuthSettings
from api.examples import emc_address
from api.inputs import ADDRESS_PATTERN, EMC_EXAMPLE, MEMBER_EXAMPLE
from api.main import create_app
from rdh_chain.chain import AnvilNode
from rdh_chain.config import Settings
from rdh_chain.demo import MES, PARTNERS, DemoCast, ensure_deployment, seed
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.settings import IndexSettings
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from tests.api.auth_helpers import sign_in
from tests.api.helpers import World

# Parameters whose valid range depends on the ledger's state, not on their form.
STATE_BOUND = (
    *("as_of", "period", "from_period", "to_period", "period_from", "period_to"),
    "deadline",  # one that has passed already
)
# Rules on the form that no JSON schema states, by the refusal's words.
BEYOND_SCHEMA = (
    "has a wrong checksum (mixed case)",
    "the first period must not come after",
    "is not an EIP-4361 sign-in message",
    "is not a signed transaction",  # RLP of a signed transaction
    "is too large: at most",  # an amount past its contract field (the description says it)
    "it must be more than 0 RMB",
    # What the ledger holds (or not yet).
    "has settled no period yet",
    "holds no settled period",
    "formula is published yet",
)
# A signature that no secp256k1 key made, or that another key made: no schema says that.
CRYPTOGRAPHY = "InvalidSignatureError"
TEST_SITE = "http://testserver"  # TestClient's base URL, which sign-in messages name
# Examples per operation and phase: the run over every operation stays near a minute.
MAX_EXAMPLES = 15


def _sync_index(url: str, w3: Web3, world: World) -> None:
    db = IndexDb.open(url)
    try:
        indexer = Indexer(
            db, w3.provider, world.deployment, queries.default_decoder(), IndexSettings(url=url)
        )
        indexer.sync()
    finally:
        db.close()


@pytest.fixture(scope="module")
def indexed_gateway(world: World, w3: Web3, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """A gateway on the world with a synced SQLite index of it (the world's own gateway
    has none, which other tests rely on)."""
    path: Path = tmp_path_factory.mktemp("schema-index") / "index.sqlite"
    url = f"sqlite:///{path}"
    _sync_index(url, w3, world)
    return create_app(
        world.settings, index_url=url, auth_settings=AuthSettings(public_url=TEST_SITE)
    )


def _session_of(app: FastAPI, account: LocalAccount) -> str:
    """A session cookie of ``account`` on ``app``."""
    with TestClient(app) as client:
        sign_in(client, account)
        token = client.cookies[SESSION_COOKIE]
    assert isinstance(token, str)
    return token


@pytest.fixture(scope="module")
def cookies(indexed_gateway: FastAPI, world: World) -> list[str]:
    """Sessions to call with, each tried when the one before was refused (403): the auditor
    (reads every EMC and member's pages, attests reports), the registry admin (an operator:
    registers EMCs), Smart Cooking's owner (an ME, its reporter) and the chef (a partner of
    it). The run reaches past 401s and 403s to what each route answers; test_access.py
    checks the refusals."""
    wallets = (world.auditor, world.admin, world.owner, world.chef)
    return [f"{SESSION_COOKIE}={_session_of(indexed_gateway, w)}" for w in wallets]


@pytest.fixture(scope="module")
def api_schema(indexed_gateway: FastAPI) -> BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", indexed_gateway)


schema = schemathesis.pytest.from_fixture("api_schema")


def _check_refusal_of_valid_request(case: Case[Any], status: int, answer: Any) -> None:
    """A 422 to a request the schema allows is one of the refusals the module names."""
    if status != 422 or case.meta is None or not case.meta.generation.mode.is_positive:
        return
    body = case.body if isinstance(case.body, dict) else {}
    given = {**(case.query or {}), **body}
    detail = answer.get("detail", "") if isinstance(answer, dict) else ""
    state_bound = any(p in given and p in detail for p in STATE_BOUND)
    cryptography = isinstance(answer, dict) and answer.get("error") == CRYPTOGRAPHY
    assert state_bound or cryptography or any(r in detail for r in BEYOND_SCHEMA), (
        f"{case.operation.label} refused a request its schema allows: {answer}"
    )


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_gateway_answers_every_generated_request_within_its_schema(
    case: Case[Any], cookies: list[str], indexed_gateway: FastAPI, world: World
) -> None:
    if case.path == "/auth/logout":  # would end a shared session: a session of its own
        cookies = [f"{SESSION_COOKIE}={_session_of(indexed_gateway, world.stranger)}"]
    for cookie in cookies:
        response = case.call_and_validate(
            headers={"Cookie": cookie}, excluded_checks=[positive_data_acceptance]
        )
        if response.status_code != 403:
            break
    assert response.status_code < 500, response.text
    content_type = " ".join(response.headers.get("content-type", []))
    body = response.json() if "json" in content_type else None
    _check_refusal_of_valid_request(case, response.status_code, body)


# -- the document itself -----------------------------------------------------------------


@pytest.fixture
def document(indexed_gateway: FastAPI) -> Iterator[dict[str, Any]]:
    with TestClient(indexed_gateway) as client:
        response = client.get("/openapi.json")
        assert response.status_code == 200
        yield response.json()


def _address_parameters(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path, item in document["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if name in ("address", "account", "emc", "member"):
                    out.append((f"{path} {name}", parameter))
    return out


def test_every_address_parameter_declares_the_address_pattern(
    document: dict[str, Any],
) -> None:
    parameters = _address_parameters(document)
    assert len(parameters) >= 14  # every path's address, the capital account, the filters
    for where, parameter in parameters:
        assert parameter["schema"]["pattern"] == ADDRESS_PATTERN, where


def test_address_examples_name_the_worlds_first_emc_and_its_admin(
    document: dict[str, Any], world: World
) -> None:
    # The world's factory created Smart Cooking first; the deployment registered its admin.
    examples = {w: p["schema"]["examples"] for w, p in _address_parameters(document)}
    emcs = {w: e for w, e in examples.items() if w.endswith((" emc", "/emcs/{address} address"))}
    assert emcs
    assert all(e == [world.smart_cooking] for e in emcs.values()), emcs
    assert examples["/members/{address} address"] == [world.admin.address]
    assert examples["/emcs/{address}/capital/{account} account"] == [world.admin.address]
    assert EMC_EXAMPLE not in str(document)
    assert MEMBER_EXAMPLE not in str(document)


def test_emc_address_derives_the_factorys_emcs_in_creation_order(world: World) -> None:
    assert emc_address(world.deployment.factory, 0) == world.smart_cooking
    assert emc_address(world.deployment.factory, 1) == world.balcony


def test_examples_are_the_stand_ins_without_a_deployment_record(tmp_path: Path) -> None:
    app = create_app(Settings(rpc_url="http://127.0.0.1:9", data_dir=tmp_path))
    with TestClient(app) as client:
        text = client.get("/openapi.json").text
    assert EMC_EXAMPLE in text
    assert MEMBER_EXAMPLE in text


def test_examples_name_the_emc_and_operator_the_demo_creates(
    anvil: AnvilNode, w3: Web3, artifacts: dict[str, Artifact], tmp_path: Path
) -> None:
    # As `make run` does: deploy with the demo's admin, then seed Smart Cooking.
    settings = Settings(rpc_url=anvil.rpc_url, data_dir=tmp_path)
    cast = DemoCast(
        admin=Account.create(),
        treasury=Account.create(),
        auditor=Account.create(),
        steward=Account.create(),
        mes={name: Account.create() for name, _, _ in MES},
        partners={name: Account.create() for name in PARTNERS},
    )
    deployment = ensure_deployment(settings, cast.admin)
    smart_cooking = seed(Ledger(w3, deployment, artifacts), cast)

    app = create_app(settings, auth_settings=AuthSettings(public_url=TEST_SITE))
    with TestClient(app) as client:
        document = client.get("/openapi.json").json()
        sign_in(client, cast.admin)
        member = client.get(f"/members/{cast.admin.address}").json()
    examples = {w: p["schema"]["examples"] for w, p in _address_parameters(document)}
    assert examples["/emcs/{address} address"] == [smart_cooking]
    assert examples["/members/{address} address"] == [cast.admin.address]
    assert member["roles"] == ["operator"]


def test_every_read_answers_200_to_its_examples(
    indexed_gateway: FastAPI, document: dict[str, Any], world: World
) -> None:
    # The examples name real things: an auditor reading them gets answers, not 404s.
    fixed = {"version_id": "1"}
    called = 0
    with TestClient(indexed_gateway) as client:
        sign_in(client, world.auditor)
        for path, item in document["paths"].items():
            operation = item.get("get")
            if operation is None:
                continue
            values: dict[str, str] = {}
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path":
                    continue
                schema_of = parameter["schema"]
                name = parameter["name"]
                if schema_of.get("pattern") == ADDRESS_PATTERN:
                    values[name] = str(schema_of["examples"][0])
                elif "enum" in schema_of:
                    values[name] = str(schema_of["enum"][0])
                elif name in fixed:
                    values[name] = fixed[name]
            if any(
                f"{{{p['name']}}}" in path and p["name"] not in values
                for p in operation.get("parameters", [])
            ):
                continue  # a round or a transaction: the world has none to name
            response = client.get(path.format(**values))
            assert response.status_code == 200, (path, response.text[:300])
            called += 1
    assert called >= 15  # every EMC, member, version, history and statement read
