"""The migrated schema is the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from rdh_chain.index.db import IndexDb, alembic_config
from rdh_chain.index.schema import CHAIN_TABLES, DERIVED_TABLES, Base


def test_migrations_build_exactly_the_models_schema(index_url: str) -> None:
    db = IndexDb.open(index_url)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert context.get_current_revision() == head
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in (*CHAIN_TABLES, *DERIVED_TABLES)} <= tables
    finally:
        db.close()


def test_open_twice_is_a_no_op_when_the_schema_is_current(index_url: str) -> None:
    IndexDb.open(index_url).close()
    db = IndexDb.open(index_url)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        db.close()


def test_sqlite_index_runs_in_wal_with_foreign_keys(sqlite_url: str) -> None:
    db = IndexDb.open(sqlite_url)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        db.close()
