"""The migrated schema is the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, delete, insert, inspect, select, text
from sqlalchemy.exc import DBAPIError

from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb, alembic_config, migrate
from rdh_chain.index.errors import IndexConfigError
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.schema import CHAIN_TABLES, DERIVED_TABLES, Base, EventRow
from tests.index.conftest import World, _support_registered, dump, open_indexer
from tests.index.test_ingest import more_history


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


def test_check_current_refuses_an_index_never_migrated(sqlite_url: str) -> None:
    reader = IndexDb.open(sqlite_url, upgrade=False)
    try:
        with pytest.raises(IndexConfigError, match="run `rdh index sync`"):
            reader.check_current()
        IndexDb.open(sqlite_url).close()
        reader.check_current()
    finally:
        reader.close()


def test_index_of_another_deployment_is_refused(world: World, sqlite_url: str) -> None:
    open_indexer(sqlite_url, world).db.close()
    other = dataclasses.replace(world.deployment, registry=world.deployment.token)
    db = IndexDb.open(sqlite_url)
    with pytest.raises(IndexConfigError, match="belongs to the deployment with registry"):
        Indexer(db, world.w3.provider, other, world.decoder)
    db.close()


def test_read_only_role_reads_the_index_and_cannot_write_it(
    request: pytest.FixtureRequest, world: World
) -> None:
    if not _support_registered(request):
        pytest.skip("needs tests.support.postgres (a server with a read-only role)")
    urls = request.getfixturevalue("postgres_database")
    writer = open_indexer(urls.read_write, world)
    writer.sync()
    reader = IndexDb.open(urls.read_only, upgrade=False)
    try:
        reader.check_current()
        with reader.session() as session:
            point = queries.checkpoint(session)
            assert point is not None
            assert point.block_number == world.w3.eth.block_number
            assert queries.decoded_logs(session, emc=world.emc)
        with pytest.raises(DBAPIError, match=r"read-only|permission denied"):  # noqa: SIM117
            with reader.transaction() as session:
                session.execute(delete(EventRow))
    finally:
        reader.close()
        writer.db.close()


def _copy_rows_into(source: IndexDb, engine: Engine) -> MetaData:
    """``source``'s rows in the database at ``engine`` (an older schema, the same columns)."""
    old = MetaData()
    old.reflect(engine)
    with source.engine.connect() as reading, engine.begin() as writing:
        for table in (*CHAIN_TABLES, *DERIVED_TABLES):
            rows = [dict(r._mapping) for r in reading.execute(select(table))]
            if rows:
                writing.execute(insert(old.tables[table.name]), rows)
    return old


def _keys(engine: Engine, table: str) -> tuple[list[str], list[list[str]]]:
    """A table's primary key and its indexes' columns, as the database reports them."""
    inspector = inspect(engine)
    indexes = sorted(list(map(str, i["column_names"])) for i in inspector.get_indexes(table))
    return list(inspector.get_pk_constraint(table)["constrained_columns"]), indexes


def test_migration_0003_rekeys_an_index_made_at_0002_keeping_its_rows(
    world: World, index_url: str, tmp_path: Path
) -> None:
    more_history(world, mints=3, empty_blocks=6)
    reference = open_indexer(f"sqlite:///{tmp_path}/reference.sqlite", world)
    reference.sync()
    expected = dump(reference.db)
    assert expected["raw_logs"]
    assert expected["event_accounts"]

    # An index at 0002 (the old keys and indexes) holding the same rows.
    engine = create_engine(index_url)
    migrate(engine, "0002")
    _copy_rows_into(reference.db, engine)
    assert _keys(engine, "raw_logs")[0] == ["block_hash", "log_index"]
    assert _keys(engine, "event_accounts")[1] == [["account"]]
    engine.dispose()

    db = IndexDb.open(index_url)  # migrates to the head
    try:
        assert dump(db) == expected
        assert _keys(db.engine, "raw_logs") == (["block_number", "log_index"], [])
        assert _keys(db.engine, "events") == (
            ["block_number", "log_index"],
            [["emc", "block_number", "log_index"]],
        )
        assert _keys(db.engine, "event_accounts") == (["account", "block_number", "log_index"], [])
        if db.dialect == "sqlite":
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                sql = conn.exec_driver_sql(
                    "SELECT group_concat(sql) FROM sqlite_master WHERE type = 'table' AND "
                    "name IN ('blocks', 'raw_logs', 'events', 'event_accounts')"
                ).scalar_one()
                assert str(sql).count("WITHOUT ROWID") == 4
        # The upgraded index goes on syncing, and is the one made at the head.
        more_history(world, mints=2, empty_blocks=4)
        Indexer(db, world.w3.provider, world.deployment, world.decoder).sync()
        reference.sync()
        assert dump(db) == dump(reference.db)

        # Back to 0002 and up again: the rows stay.
        rows = dump(db)
        config = alembic_config(db.engine)
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        assert _keys(db.engine, "raw_logs")[0] == ["block_hash", "log_index"]
        assert dump(db) == rows
        migrate(db.engine)
        assert dump(db) == rows
    finally:
        db.close()
        reference.db.close()
