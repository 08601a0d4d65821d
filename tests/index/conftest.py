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
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
