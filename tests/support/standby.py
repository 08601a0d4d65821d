"""A PostgreSQL primary and a streaming hot standby of it, both on loopback, for the tests.

The primary is a :class:`tests.support.postgres.TempPostgres` made with
``replication=True`` (``wal_level=replica``, a replication role allowed over loopback in
``pg_hba.conf``); the standby is a :class:`TempStandby`: ``pg_basebackup -R`` of the
primary into a temporary folder of its own (a replication slot, so the primary keeps the
WAL the standby has not received), started on a free port. It streams the primary's WAL
and replays it (``hot_standby``: it answers reads meanwhile, and refuses every write). Both
are stopped and deleted at the end. A standby needs the server binaries on this machine
(``pg_basebackup`` among them), so ``RDH_TEST_POSTGRES_URL`` does not stand in for them:
without binaries the tests that ask for a standby skip, or fail under ``CI=true``
(``.ci/run`` installs Debian's ``postgresql``, which has ``pg_basebackup``).

Fixtures (registered through ``pytest_plugins`` in ``tests/conftest.py``): ``replication``
(session: the primary and its standby) and ``replicated_database`` (a fresh database on
the primary per test, already on the standby too: its URLs on both).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.support.postgres import (
    REPLICATION_ROLE,
    DatabaseUrls,
    PostgresCluster,
    PostgresUnavailableError,
    TempPostgres,
    TempServer,
    _interrupt,
    libpq_url,
)

# How long the tests wait for the standby to replay what the primary wrote (it takes
# milliseconds on loopback; a loaded machine may take seconds).
REPLAY_TIMEOUT_S = 60.0


class TempStandby(TempServer):
    """A hot standby of ``primary`` (a running ``TempPostgres(replication=True)``).

    Its roles and databases are the primary's (a physical copy), so a primary's URL with
    the standby's port reads the standby (:meth:`url_of`).
    """

    folder_prefix = "rdh-pg-standby-"

    def __init__(self, primary: TempPostgres) -> None:
        if not primary.replication or primary.port is None:
            raise ValueError("the primary must be a started TempPostgres(replication=True)")
        super().__init__(primary.bindir, durable=primary.durable, settings=primary.settings)
        self.primary = primary
        self._password = primary._password  # the same superuser: a copy of the primary
        self.slot = f"rdh_standby_{secrets.token_hex(4)}"

    def __enter__(self) -> TempStandby:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Take a base backup of the primary, and start replaying its WAL on a free port."""
        self._start_server()

    def _make_data(self) -> None:
        primary_port = self.primary.port
        assert primary_port is not None
        bindir = self.bindir
        basebackup = bindir / "pg_basebackup"
        if not os.access(basebackup, os.X_OK):
            raise PostgresUnavailableError(
                f"no pg_basebackup beside initdb in {bindir}: install the PostgreSQL client "
                "of the same version (Debian's postgresql has both)"
            )
        conninfo = psycopg.conninfo.make_conninfo(
            host="127.0.0.1",
            port=primary_port,
            user=REPLICATION_ROLE,
            password=self.primary.replication_password,
            application_name=self.slot,
        )
        self._run(
            [
                str(basebackup),
                "--pgdata",
                str(self.data_dir),
                "--dbname",
                conninfo,
                "--write-recovery-conf",  # standby.signal and primary_conninfo
                "--wal-method=stream",
                "--create-slot",
                "--slot",
                self.slot,
                "--checkpoint=fast",
                "--no-sync",
            ]
        )

    def _server_settings(self) -> list[tuple[str, str]]:
        settings = super()._server_settings()
        # A standby needs at least the primary's max_connections, WAL senders and the like:
        # the same settings as the primary's make sure of it.
        return [
            *settings,
            ("hot_standby", "on"),
            ("max_wal_senders", "10"),
            ("max_replication_slots", "10"),
            ("wal_retrieve_retry_interval", "500ms"),
        ]

    def url_of(self, url: str) -> str:
        """``url`` (of the primary) with the standby's port: the same role and database."""
        assert self.port is not None, "not started"
        return make_url(url).set(port=self.port).render_as_string(hide_password=False)


def _lsn(conn: psycopg.Connection[tuple[object, ...]], query: str) -> str:
    row = conn.execute(query).fetchone()
    assert row is not None, query
    assert row[0] is not None, query
    return str(row[0])


@dataclass
class Replication:
    """A primary and its hot standby, as the tests use them."""

    primary: TempPostgres
    standby: TempStandby

    @property
    def cluster(self) -> PostgresCluster:
        """The primary's roles and databases (``create_database`` makes them there)."""
        assert self.primary.cluster is not None
        return self.primary.cluster

    def on_standby(self, urls: DatabaseUrls) -> DatabaseUrls:
        """``urls`` (a database of the primary) as the standby serves them."""
        return DatabaseUrls(
            name=urls.name,
            read_write=self.standby.url_of(urls.read_write),
            read_only=self.standby.url_of(urls.read_only),
        )

    def wait_replayed(self, timeout: float = REPLAY_TIMEOUT_S) -> None:
        """Return once the standby has replayed everything the primary has written so far."""
        with psycopg.connect(libpq_url(self.primary.admin_url), autocommit=True) as conn:
            # The insert position: with synchronous_commit off, a commit may not be written yet.
            target = _lsn(conn, "SELECT pg_current_wal_insert_lsn()")
        deadline = time.monotonic() + timeout
        with psycopg.connect(libpq_url(self.standby.admin_url), autocommit=True) as conn:
            while True:
                row = conn.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn, pg_last_wal_replay_lsn()",
                    (target,),
                ).fetchone()
                assert row is not None
                if row[0]:
                    return
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"the standby replayed up to {row[1]}, not the primary's {target}, "
                        f"in {timeout} s{self.standby._log_tail()}"
                    )
                time.sleep(0.02)

    def _standby_admin(self, statement: str) -> None:
        with psycopg.connect(libpq_url(self.standby.admin_url), autocommit=True) as conn:
            conn.execute(statement)

    def pause_replay(self) -> None:
        """Stop applying the WAL on the standby (it still receives it): a lagging replica."""
        self._standby_admin("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self._standby_admin("SELECT pg_wal_replay_resume()")


def _unavailable(exc: PostgresUnavailableError) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {exc}", pytrace=False)
    pytest.skip(str(exc))


@pytest.fixture(scope="session")
def replication() -> Iterator[Replication]:
    """A primary and a streaming hot standby of it, both throwaway (see the module)."""
    try:
        primary = TempPostgres(replication=True)
        primary.start()
    except PostgresUnavailableError as exc:
        _unavailable(exc)
    try:
        standby = TempStandby(primary)
        try:
            standby.start()
        except PostgresUnavailableError as exc:
            _unavailable(exc)
        try:
            yield Replication(primary, standby)
        finally:
            standby.stop()
    finally:
        primary.stop()


@dataclass(frozen=True)
class ReplicatedDatabase:
    """One database: its URLs on the primary (the indexer's) and on the standby."""

    primary: DatabaseUrls
    standby: DatabaseUrls


@pytest.fixture
def replicated_database(replication: Replication) -> Iterator[ReplicatedDatabase]:
    """A fresh database on the primary, replayed onto the standby before the test starts."""
    urls = replication.cluster.create_database()
    replication.wait_replayed()
    yield ReplicatedDatabase(urls, replication.on_standby(urls))
    replication.resume_replay()  # a test that paused it leaves it running again
    replication.cluster.drop_database(urls.name)


def main() -> int:
    """Start a primary and a standby of it, print their URLs and keep them until interrupted
    (SIGINT or SIGTERM): to try the indexer on the one and the gateway on the other."""
    # A background job's SIGINT is ignored by the shell that started it: take SIGTERM too.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        primary = TempPostgres(replication=True)
        try:
            urls = primary.start().create_database("rdh")
            with TempStandby(primary) as standby:
                Replication(primary, standby).wait_replayed()
                print(f"primary, read-write (RDH_INDEX_URL):         {urls.read_write}")
                print(
                    f"standby, read-only (RDH_GATEWAY_INDEX_URL): {standby.url_of(urls.read_only)}"
                )
                print("Ctrl-C (or SIGTERM) stops both servers and deletes them", flush=True)
                with contextlib.suppress(KeyboardInterrupt):
                    signal.pause()
        finally:
            primary.stop()
    except PostgresUnavailableError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
