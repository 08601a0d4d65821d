"""Index fixtures: a database URL per backend (SQLite always; PostgreSQL when there is one).

PostgreSQL comes from ``tests.support.postgres`` (a throwaway server, or
``RDH_TEST_POSTGRES_URL``'s) when that module is there; otherwise from
``RDH_TEST_POSTGRES_URL`` alone (a superuser's URL: a database is made per test), else
the PostgreSQL cases are skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_typing import ChecksumAddress
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from web3 import Web3

from rdh_chain.chain import AnvilNode
from rdh_chain.demo import MES, PARTNERS, DemoCast, seed
from rdh_chain.deployment import Deployment, deploy
from rdh_chain.events import EventDecoder
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.schema import CHAIN_TABLES, DERIVED_TABLES
from rdh_chain.index.settings import IndexSettings
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender

ENV_URL = "RDH_TEST_POSTGRES_URL"


def _own_database(admin_url: str) -> Iterator[str]:
    name = f"rdh_index_{secrets.token_hex(4)}"
    admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def index_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty index database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'index.sqlite'}"
        return
    if _support_registered(request):
        yield request.getfixturevalue("postgres_database").read_write
        return
    admin_url = os.environ.get(ENV_URL)
    if not admin_url:
        pytest.skip(f"no PostgreSQL: set {ENV_URL} to a superuser's URL")
    yield from _own_database(admin_url)


def _support_registered(request: pytest.FixtureRequest) -> bool:
    """Whether ``tests.support.postgres``'s fixtures are there (``pytest_plugins``)."""
    try:
        request.getfixturevalue("postgres")
    except pytest.FixtureLookupError:
        return False
    return True


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'index.sqlite'}"


@dataclass(frozen=True)
class World:
    """A deployment seeded with the demo's Smart Cooking EMC (a period settled, a claim)."""

    w3: Web3
    ledger: Ledger
    cast: DemoCast
    emc: ChecksumAddress
    artifacts: dict[str, Artifact]

    @property
    def deployment(self) -> Deployment:
        return self.ledger.deployment

    @property
    def decoder(self) -> EventDecoder:
        return EventDecoder.from_abis(a.abi for a in self.artifacts.values())


@pytest.fixture(scope="module")
def _seeded(w3: Web3, artifacts: dict[str, Artifact]) -> World:
    cast = DemoCast(
        admin=Account.create(),
        treasury=Account.create(),
        auditor=Account.create(),
        steward=Account.create(),
        mes={name: Account.create() for name, _, _ in MES},
        partners={name: Account.create() for name in PARTNERS},
    )
    deployment = deploy(TxSender(w3, cast.admin, Ledger.decoder_for(artifacts)), artifacts)
    ledger = Ledger(w3, deployment, artifacts)
    emc = seed(ledger, cast)
    return World(w3, ledger, cast, emc, artifacts)


@pytest.fixture
def world(_seeded: World, anvil: AnvilNode) -> World:
    """The module's seeded deployment inside this test's chain snapshot, with fresh nonces."""
    _seeded.ledger.forget_nonces()
    return _seeded


def open_indexer(url: str, world: World, **settings: Any) -> Indexer:
    db = IndexDb.open(url)
    return Indexer(
        db, world.w3.provider, world.deployment, world.decoder, IndexSettings(url=url, **settings)
    )


def dump(db: IndexDb) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted: two indexes of one chain compare equal."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in (*CHAIN_TABLES, *DERIVED_TABLES):
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out
