"""The index on a PostgreSQL hot standby: readable, its replay lag measured, never written.

A primary and a streaming standby of it run on loopback (``tests.support.standby``); the
indexer writes the primary, and what it writes is read back from the standby.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.errors import IndexConfigError
from tests.support.postgres import libpq_url
from tests.support.standby import REPLAY_TIMEOUT_S, ReplicatedDatabase, Replication


def _replica(url: str) -> queries.Replica | None:
    db = IndexDb.open(url, upgrade=False)
    try:
        with db.session() as session:
            return queries.replica(session)
    finally:
        db.close()


def test_replica_is_none_on_the_primary_and_sqlite(
    replicated_database: ReplicatedDatabase,
) -> None:
    assert _replica(replicated_database.primary.read_only) is None
    assert _replica("sqlite://") is None


def test_replica_of_a_caught_up_standby_has_no_lag(
    replication: Replication, replicated_database: ReplicatedDatabase
) -> None:
    IndexDb.open(replicated_database.primary.read_write).close()  # the schema, migrated
    replication.wait_replayed()

    found = _replica(replicated_database.standby.read_only)

    assert found is not None
    assert (found.lag_seconds, found.lag_whole_seconds, found.unreplayed_bytes) == (0.0, 0, 0)
    assert found.receiving
    assert found.replayed_at is not None


def test_replica_lag_grows_while_the_standby_does_not_replay(
    replication: Replication, replicated_database: ReplicatedDatabase
) -> None:
    IndexDb.open(replicated_database.primary.read_write).close()
    replication.wait_replayed()
    replication.pause_replay()
    with psycopg.connect(libpq_url(replicated_database.primary.read_write)) as conn:
        conn.execute("CREATE TABLE written_meanwhile (x int)")

    deadline = time.monotonic() + REPLAY_TIMEOUT_S
    found = _replica(replicated_database.standby.read_only)
    while found is not None and found.lag_whole_seconds < 1 and time.monotonic() < deadline:
        time.sleep(0.1)  # polling: the assertion is on what is found
        found = _replica(replicated_database.standby.read_only)

    assert found is not None
    assert found.lag_whole_seconds >= 1
    assert found.unreplayed_bytes > 0  # received, not applied
    replication.resume_replay()
    replication.wait_replayed()
    caught_up = _replica(replicated_database.standby.read_only)
    assert caught_up is not None
    assert (caught_up.lag_seconds, caught_up.unreplayed_bytes) == (0.0, 0)


def test_indexer_refuses_a_standby_and_says_to_write_the_primary(
    replicated_database: ReplicatedDatabase,
) -> None:
    with pytest.raises(IndexConfigError, match="is a PostgreSQL hot standby") as raised:
        IndexDb.open(replicated_database.standby.read_write)

    assert "Point RDH_INDEX_URL at the primary" in str(raised.value)


def test_standby_refuses_writes_even_from_the_indexers_role(
    replication: Replication, replicated_database: ReplicatedDatabase
) -> None:
    IndexDb.open(replicated_database.primary.read_write).close()
    replication.wait_replayed()
    db = IndexDb.open(replicated_database.standby.read_write, upgrade=False)
    try:
        for statement in ("DELETE FROM events", "CREATE TABLE indexer_was_here (x int)"):
            with pytest.raises(DBAPIError) as raised, db.transaction() as session:
                session.execute(text(statement))
            assert isinstance(raised.value.orig, psycopg.errors.ReadOnlySqlTransaction)
    finally:
        db.close()
