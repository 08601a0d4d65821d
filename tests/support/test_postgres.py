"""The PostgreSQL fixture: a real server, a writer that writes, a reader that cannot."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.support.postgres import (
    DatabaseUrls,
    PostgresCluster,
    TempPostgres,
    _server_account,
    find_bindir,
    libpq_url,
)


def test_writer_creates_and_writes_and_reader_reads(postgres_database: DatabaseUrls) -> None:
    with psycopg.connect(libpq_url(postgres_database.read_write)) as conn:
        conn.execute("CREATE TABLE blocks (number bigint PRIMARY KEY, hash bytea NOT NULL)")
        conn.execute("INSERT INTO blocks VALUES (1, '\\x01'), (2, '\\x02')")
    with psycopg.connect(libpq_url(postgres_database.read_only)) as conn:
        rows = conn.execute("SELECT number FROM blocks ORDER BY number").fetchall()
    assert rows == [(1,), (2,)]


def test_reader_cannot_write_even_outside_a_read_only_transaction(
    postgres_database: DatabaseUrls,
) -> None:
    with psycopg.connect(libpq_url(postgres_database.read_write)) as conn:
        conn.execute("CREATE TABLE checkpoint (id int PRIMARY KEY, block bigint NOT NULL)")
        conn.execute("INSERT INTO checkpoint VALUES (1, 10)")
    with psycopg.connect(libpq_url(postgres_database.read_only), autocommit=True) as conn:
        # Its sessions start read-only...
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("UPDATE checkpoint SET block = 11")
        # ...and turning that off leaves it without the privileges.
        conn.execute("SET default_transaction_read_only = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE checkpoint SET block = 11")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO checkpoint VALUES (2, 12)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM checkpoint")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE planted (id int)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DROP TABLE checkpoint")
    with psycopg.connect(libpq_url(postgres_database.read_write)) as conn:
        assert conn.execute("SELECT block FROM checkpoint").fetchall() == [(10,)]


def test_urls_work_with_sqlalchemy(postgres_database: DatabaseUrls) -> None:
    writer = create_engine(postgres_database.read_write)
    reader = create_engine(postgres_database.read_only)
    try:
        with writer.begin() as conn:
            conn.execute(text("CREATE TABLE events (id serial PRIMARY KEY, name text)"))
            conn.execute(text("INSERT INTO events (name) VALUES ('PeriodSettled')"))
        with reader.connect() as conn:
            assert conn.execute(text("SELECT name FROM events")).scalars().all() == [
                "PeriodSettled"
            ]
    finally:
        writer.dispose()
        reader.dispose()


def test_databases_are_apart(postgres: PostgresCluster) -> None:
    first, second = postgres.create_database(), postgres.create_database()
    try:
        with psycopg.connect(libpq_url(first.read_write)) as conn:
            conn.execute("CREATE TABLE only_here (id int)")
        with (
            psycopg.connect(libpq_url(second.read_only)) as conn,
            pytest.raises(psycopg.errors.UndefinedTable),
        ):
            conn.execute("SELECT * FROM only_here")
    finally:
        postgres.drop_database(first.name)
        postgres.drop_database(second.name)


def test_find_bindir_finds_none_without_binaries(tmp_path: Path) -> None:
    # An empty PATH; Debian's folders may still be there, and then they are what it finds.
    found = find_bindir(path=str(tmp_path))
    assert found is None or found.match("/usr/lib/postgresql/*/bin")


@pytest.mark.skipif(find_bindir() is None, reason="no PostgreSQL server binaries")
def test_temp_server_is_deleted_after_use() -> None:
    server = TempPostgres()
    with server as cluster:
        folder = server.folder
        assert folder is not None
        assert folder.exists()
        with psycopg.connect(libpq_url(cluster.admin_url)) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        account = _server_account()
        if os.geteuid() == 0:
            # initdb refuses root: the cluster belongs to another account.
            assert account is not None
            assert server.data_dir.stat().st_uid == account.pw_uid
    assert not folder.exists()
