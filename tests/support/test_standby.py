"""The standby fixture: a base backup of the primary that streams and replays its WAL."""

from __future__ import annotations

import time

import psycopg
import pytest

from tests.support.postgres import libpq_url
from tests.support.standby import (
    REPLAY_TIMEOUT_S,
    ReplicatedDatabase,
    Replication,
    TempStandby,
)


def test_standby_replays_what_the_primary_commits(
    replication: Replication, replicated_database: ReplicatedDatabase
) -> None:
    with psycopg.connect(libpq_url(replicated_database.primary.read_write)) as conn:
        conn.execute("CREATE TABLE blocks (number bigint PRIMARY KEY)")
        conn.execute("INSERT INTO blocks VALUES (1), (2)")

    replication.wait_replayed()

    with psycopg.connect(libpq_url(replicated_database.standby.read_only)) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        assert conn.execute("SELECT number FROM blocks ORDER BY 1").fetchall() == [(1,), (2,)]


def test_standby_refuses_every_write(
    replication: Replication, replicated_database: ReplicatedDatabase
) -> None:
    with psycopg.connect(libpq_url(replicated_database.primary.read_write)) as conn:
        conn.execute("CREATE TABLE checkpoint (block bigint)")
    replication.wait_replayed()

    with psycopg.connect(libpq_url(replicated_database.standby.read_write)) as conn:
        for statement in (
            "INSERT INTO checkpoint VALUES (1)",
            "CREATE TABLE planted (x int)",
            "DROP TABLE checkpoint",
        ):
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute(statement)
            conn.rollback()


def test_standby_streams_from_the_primary_and_is_deleted_after_use(
    replication: Replication,
) -> None:
    with TempStandby(replication.primary) as standby:
        folder = standby.folder
        assert folder is not None
        assert (standby.data_dir / "standby.signal").exists()  # pg_basebackup -R
        deadline = time.monotonic() + REPLAY_TIMEOUT_S
        with psycopg.connect(libpq_url(replication.primary.admin_url), autocommit=True) as conn:
            while True:  # its WAL receiver starts once it accepts connections
                row = conn.execute(
                    "SELECT state FROM pg_stat_replication WHERE application_name = %s",
                    (standby.slot,),
                ).fetchone()
                if row == ("streaming",) or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        assert row == ("streaming",)
    assert not folder.exists()
