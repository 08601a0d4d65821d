"""A real PostgreSQL server for the tests, with a read-write and a read-only role.

Where the server comes from, in order:

1. ``RDH_TEST_POSTGRES_URL``: a server someone runs already, given as the SQLAlchemy
   URL of a superuser (``postgresql+psycopg://postgres:secret@127.0.0.1:5432/postgres``).
   The tests create their roles and databases on it and drop them at the end.
2. PostgreSQL's server binaries (``initdb``, ``pg_ctl``, ``postgres``) on ``PATH`` or
   under ``/usr/lib/postgresql/*/bin`` (Debian's layout): a throwaway cluster in a
   temporary folder, on a free port, its unix socket in that folder too, stopped and
   deleted at the end. No system service is used or touched. ``initdb`` refuses to
   run as root, so as root the cluster belongs to ``RDH_TEST_POSTGRES_OS_USER``, else
   the ``postgres`` account (Debian's package creates it), else ``nobody``.
3. Neither: the PostgreSQL tests are skipped with the reason, except under ``CI=true``,
   where a missing server is a failure (``.ci/run`` installs Debian's ``postgresql``).

Each test database is owned by the writer role (the indexer, Alembic's migrations); the
reader role may connect and ``SELECT`` from every table the writer creates, nothing
more, and its transactions are read-only by default (the gateway connects with it).

Fixtures (registered for the whole suite through ``pytest_plugins`` in
``tests/conftest.py``): ``postgres`` (session: the server) and ``postgres_database``
(a fresh database per test, dropped after it). ``bench`` uses :class:`TempPostgres`
directly. ``python -m tests.support.postgres`` starts a server, prints its URLs and
keeps it until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from rdh_chain.chain import free_port

ENV_URL = "RDH_TEST_POSTGRES_URL"
ENV_OS_USER = "RDH_TEST_POSTGRES_OS_USER"
BINARIES = ("initdb", "pg_ctl", "postgres")
DEBIAN_BINDIRS = "/usr/lib/postgresql/*/bin"
DRIVER = "postgresql+psycopg"
ADMIN_ROLE = "rdh_admin"
# The role a standby streams the WAL as (TempPostgres(replication=True)).
REPLICATION_ROLE = "rdh_replicator"
_START_ATTEMPTS = 3  # another process may take the free port between the pick and the bind
_LOG_TAIL_LINES = 30


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server to test against: no URL given and no binaries found."""


def find_bindir(path: str | None = None) -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or None.

    ``initdb`` on ``PATH`` first (resolved through symlinks, since the three must come
    from one installation), then Debian's ``/usr/lib/postgresql/<major>/bin``, the
    newest major first.
    """
    candidates: list[Path] = []
    found = shutil.which("initdb", path=path)
    if found is not None:
        candidates.append(Path(found).resolve().parent)
    majors = sorted(glob.glob(DEBIAN_BINDIRS), key=_major_version, reverse=True)
    candidates += [Path(folder) for folder in majors]
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in BINARIES):
            return folder
    return None


def _major_version(folder: str) -> int:
    match = re.search(r"/postgresql/(\d+)/bin$", folder)
    return int(match.group(1)) if match else -1


def missing_reason() -> str:
    """What to do when there is no server: said by the skip, or by the CI failure."""
    return (
        f"no PostgreSQL server: {ENV_URL} is not set and the server binaries "
        f"({', '.join(BINARIES)}) are neither on PATH nor under {DEBIAN_BINDIRS}; "
        "install Debian's postgresql (`apt-get install postgresql`) or set "
        f"{ENV_URL} to a superuser's URL"
    )


def libpq_url(url: str | URL) -> str:
    """An SQLAlchemy URL (``postgresql+psycopg://...``) as libpq's ``postgresql://...``."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass(frozen=True)
class DatabaseUrls:
    """One database, as SQLAlchemy URLs for its two roles."""

    name: str
    read_write: str  # the owner: migrations, the indexer
    read_only: str  # SELECT only, read-only transactions: the gateway


class PostgresCluster:
    """A server reached as a superuser, with a writer and a reader role of its own.

    The roles' names carry a random suffix, so runs sharing one server
    (``RDH_TEST_POSTGRES_URL``) do not meet; :meth:`close` drops every database made
    here, then the roles.
    """

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        if not self.admin_url.drivername.startswith("postgresql"):
            raise ValueError(f"not a PostgreSQL URL: {self.admin_url!r}")
        self.admin_url = self.admin_url.set(drivername=DRIVER)
        suffix = secrets.token_hex(4)
        self.writer = f"rdh_writer_{suffix}"
        self.reader = f"rdh_reader_{suffix}"
        self._writer_password = secrets.token_hex(16)
        self._reader_password = secrets.token_hex(16)
        self._databases: list[str] = []
        self._count = 0
        with self._admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(self.writer), sql.Literal(self._writer_password)
                )
            )
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(self.reader), sql.Literal(self._reader_password)
                )
            )
            # Belt and braces: even a table the reader were granted more on stays
            # unwritable unless a session turns this off on purpose.
            conn.execute(
                sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(
                    sql.Identifier(self.reader)
                )
            )

    def _admin(self, database: str | None = None) -> psycopg.Connection[Any]:
        url = self.admin_url if database is None else self.admin_url.set(database=database)
        return psycopg.connect(libpq_url(url), autocommit=True)

    def _url(self, user: str, password: str, database: str) -> str:
        url = self.admin_url.set(username=user, password=password, database=database)
        return url.render_as_string(hide_password=False)

    def create_database(self, name: str | None = None) -> DatabaseUrls:
        """A new empty database owned by the writer, readable by the reader."""
        if name is None:
            self._count += 1
            name = f"rdh_test_{self._count}_{secrets.token_hex(3)}"
        with self._admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(name), sql.Identifier(self.writer)
                )
            )
            self._databases.append(name)
            conn.execute(
                sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(name))
            )
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(name), sql.Identifier(self.reader)
                )
            )
        writer, reader = sql.Identifier(self.writer), sql.Identifier(self.reader)
        with self._admin(name) as conn:
            # The schema belongs to the writer (migrations create in it); before
            # PostgreSQL 15 every role could create in public, so say it for all.
            conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(writer))
            conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(reader))
            for kind in ("TABLES", "SEQUENCES"):
                conn.execute(
                    sql.SQL(
                        "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
                        "GRANT SELECT ON {} TO {}"
                    ).format(writer, sql.SQL(kind), reader)
                )
        return DatabaseUrls(
            name=name,
            read_write=self._url(self.writer, self._writer_password, name),
            read_only=self._url(self.reader, self._reader_password, name),
        )

    def drop_database(self, name: str) -> None:
        """Drop ``name``, closing whatever connections are still open to it."""
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        with contextlib.suppress(ValueError):
            self._databases.remove(name)

    def close(self) -> None:
        """Drop the databases made here, then the two roles."""
        for name in list(self._databases):
            self.drop_database(name)
        with self._admin() as conn:
            for role in (self.reader, self.writer):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def _server_account() -> pwd.struct_passwd | None:
    """Who runs the server: None for the current user, else a non-root account (as root)."""
    if os.geteuid() != 0:
        return None
    names = [os.environ.get(ENV_OS_USER) or "", "postgres", "nobody"]
    for name in filter(None, names):
        with contextlib.suppress(KeyError):
            account = pwd.getpwnam(name)
            if account.pw_uid != 0:
                return account
    raise PostgresUnavailableError(
        "running as root, and initdb refuses root: no non-root account to run the server "
        f"(tried {', '.join(filter(None, names))}); set {ENV_OS_USER} to one"
    )


def _reachable_by_others(folder: Path) -> bool:
    """Whether every folder from the root down to ``folder`` lets other users pass."""
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in (folder, *folder.parents))


class TempServer:
    """A throwaway PostgreSQL server process in a temporary folder of its own.

    The folder holds the data directory, the log and the unix socket; :meth:`stop` stops
    the server and deletes it all. Subclasses say how the data directory is made
    (:meth:`_make_data`): ``initdb`` (:class:`TempPostgres`) or a base backup of another
    server (``tests.support.standby.TempStandby``).
    """

    folder_prefix = "rdh-pg-"

    def __init__(
        self,
        bindir: Path | None = None,
        *,
        durable: bool = False,
        settings: Sequence[tuple[str, str]] = (),
    ) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise PostgresUnavailableError(missing_reason())
        self.bindir = found
        self.durable = durable
        self.settings = tuple(settings)
        self.account = _server_account()
        self.folder: Path | None = None
        self.port: int | None = None
        self._password = secrets.token_hex(16)

    @property
    def data_dir(self) -> Path:
        assert self.folder is not None, "not started"
        return self.folder / "data"

    @property
    def log_file(self) -> Path:
        assert self.folder is not None, "not started"
        return self.folder / "postgres.log"

    @property
    def admin_url(self) -> str:
        assert self.port is not None, "not started"
        return URL.create(
            DRIVER,
            username=ADMIN_ROLE,
            password=self._password,
            host="127.0.0.1",
            port=self.port,
            database="postgres",
        ).render_as_string(hide_password=False)

    def _start_server(self) -> None:
        """Make the folder and the data directory, and start the server on a free port."""
        base = Path(tempfile.gettempdir())
        if self.account is not None and not _reachable_by_others(base):
            base = Path("/tmp")  # the server's account must be able to reach its folder
        self.folder = Path(tempfile.mkdtemp(prefix=self.folder_prefix, dir=base))
        try:
            (self.folder / "run").mkdir()
            if self.account is not None:
                for path in (self.folder, self.folder / "run"):
                    os.chown(path, self.account.pw_uid, self.account.pw_gid)
            self._make_data()
            self._start_on_free_port()
        except BaseException:
            self.stop()
            raise

    def _make_data(self) -> None:
        raise NotImplementedError

    def _own(self, path: Path) -> None:
        """Give ``path`` (made here, as root) to the server's account."""
        if self.account is not None:
            os.chown(path, self.account.pw_uid, self.account.pw_gid)

    def _run(self, args: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        kwargs: dict[str, Any] = {}
        if self.account is not None:
            kwargs = {
                "user": self.account.pw_uid,
                "group": self.account.pw_gid,
                "extra_groups": [],
            }
            env["HOME"] = str(self.folder)
        result = subprocess.run(
            list(args),
            env=env,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            **kwargs,
        )
        if check and result.returncode != 0:
            raise PostgresUnavailableError(
                f"{Path(args[0]).name} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()}{self._log_tail()}"
            )
        return result

    def _server_settings(self) -> list[tuple[str, str]]:
        assert self.folder is not None
        settings = [
            ("listen_addresses", "127.0.0.1"),
            ("unix_socket_directories", str(self.folder / "run")),
            ("max_connections", "100"),
        ]
        if not self.durable:
            settings += [("fsync", "off"), ("synchronous_commit", "off")]
        return settings

    def _options(self, port: int) -> str:
        # pg_ctl hands -o to the postmaster through /bin/sh: no spaces in our values. The
        # caller's settings come last: the last -c of a name wins.
        settings = [*self._server_settings(), *self.settings]
        return " ".join([f"-p {port}", *(f"-c {key}={value}" for key, value in settings)])

    def _pg_ctl_start(self, port: int) -> subprocess.CompletedProcess[str]:
        return self._run(
            [
                str(self.bindir / "pg_ctl"),
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_file),
                "--wait",
                "--timeout",
                "60",
                "-o",
                self._options(port),
                "start",
            ],
            check=False,
        )

    def _start_on_free_port(self) -> None:
        for attempt in range(_START_ATTEMPTS):
            port = free_port()
            result = self._pg_ctl_start(port)
            if result.returncode == 0:
                self.port = port
                return
            if "could not bind" not in self._log_tail() or attempt == _START_ATTEMPTS - 1:
                raise PostgresUnavailableError(
                    f"pg_ctl start failed ({result.returncode}): "
                    f"{(result.stderr or result.stdout).strip()}{self._log_tail()}"
                )

    def _log_tail(self) -> str:
        if self.folder is None or not self.log_file.exists():
            return ""
        lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n" + "\n".join(lines[-_LOG_TAIL_LINES:]) if lines else ""

    def stop(self) -> None:
        """Stop the server (fast shutdown, immediate if that fails) and delete its folder."""
        if self.folder is None:
            return
        if self.port is not None:
            pg_ctl = [str(self.bindir / "pg_ctl"), "--pgdata", str(self.data_dir), "--wait"]
            stopped = self._run([*pg_ctl, "--mode", "fast", "stop"], check=False)
            if stopped.returncode != 0:
                self._run([*pg_ctl, "--mode", "immediate", "stop"], check=False)
            self.port = None
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None


class TempPostgres(TempServer):
    """A throwaway PostgreSQL cluster: ``with TempPostgres() as cluster: ...``.

    ``durable=False`` (the tests) turns fsync and synchronous commit off, since the
    cluster is deleted anyway; the benchmark keeps PostgreSQL's defaults.
    ``replication=True`` makes it a primary that standbys can stream from
    (``tests.support.standby``): ``wal_level=replica``, WAL senders and slots, full page
    writes kept, and :data:`REPLICATION_ROLE` allowed to replicate over loopback.
    """

    def __init__(
        self,
        bindir: Path | None = None,
        *,
        durable: bool = False,
        settings: Sequence[tuple[str, str]] = (),
        replication: bool = False,
    ) -> None:
        super().__init__(bindir, durable=durable, settings=settings)
        self.replication = replication
        self.replication_password = secrets.token_hex(16)
        self.cluster: PostgresCluster | None = None

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> PostgresCluster:
        """initdb, start on a free port, and connect as the superuser."""
        self._start_server()
        try:
            if self.replication:
                with psycopg.connect(libpq_url(self.admin_url), autocommit=True) as conn:
                    conn.execute(
                        sql.SQL("CREATE ROLE {} REPLICATION LOGIN PASSWORD {}").format(
                            sql.Identifier(REPLICATION_ROLE),
                            sql.Literal(self.replication_password),
                        )
                    )
            self.cluster = PostgresCluster(self.admin_url)
        except BaseException:
            self.stop()
            raise
        return self.cluster

    def _make_data(self) -> None:
        assert self.folder is not None
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self._password + "\n", encoding="utf-8")
        self._own(pwfile)
        self._run(
            [
                str(self.bindir / "initdb"),
                "--pgdata",
                str(self.data_dir),
                "--username",
                ADMIN_ROLE,
                "--pwfile",
                str(pwfile),
                "--auth-local",
                "trust",
                "--auth-host",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            ]
        )
        pwfile.unlink()
        if self.replication:
            # initdb's pg_hba.conf lets every role replicate from loopback today; say
            # which one does, rather than lean on a default.
            with (self.data_dir / "pg_hba.conf").open("a", encoding="utf-8") as hba:
                hba.write(f"host replication {REPLICATION_ROLE} 127.0.0.1/32 scram-sha-256\n")

    def _server_settings(self) -> list[tuple[str, str]]:
        settings = super()._server_settings()
        if self.replication:
            # A standby's base backup and its replay need full page writes.
            settings += [
                ("wal_level", "replica"),
                ("max_wal_senders", "10"),
                ("max_replication_slots", "10"),
            ]
        elif not self.durable:
            settings += [("full_page_writes", "off")]
        return settings

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        self.cluster = None
        super().stop()


@contextlib.contextmanager
def postgres_server(*, durable: bool = False) -> Iterator[PostgresCluster]:
    """The server the tests use: ``RDH_TEST_POSTGRES_URL``'s, else a :class:`TempPostgres`.

    Raises :class:`PostgresUnavailableError` when there is neither.
    """
    url = os.environ.get(ENV_URL)
    if url:
        cluster = PostgresCluster(url)
        try:
            yield cluster
        finally:
            cluster.close()
        return
    with TempPostgres(durable=durable) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """The session's PostgreSQL server (see the module's docstring for where it comes from).

    Skips the tests that ask for it when there is none, but fails them under ``CI=true``.
    """
    try:
        with postgres_server() as cluster:
            yield cluster
    except PostgresUnavailableError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture
def postgres_database(postgres: PostgresCluster) -> Iterator[DatabaseUrls]:
    """A fresh database for one test: its read-write and read-only URLs."""
    urls = postgres.create_database()
    yield urls
    postgres.drop_database(urls.name)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Start a throwaway server and print its URLs until interrupted (SIGINT or SIGTERM)."""
    # A background job's SIGINT is ignored by the shell that started it: take SIGTERM too.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        with TempPostgres() as cluster:
            urls = cluster.create_database("rdh")
            print(f"admin      {cluster.admin_url.render_as_string(hide_password=False)}")
            print(f"read-write {urls.read_write}")
            print(f"read-only  {urls.read_only}")
            print("Ctrl-C (or SIGTERM) stops the server and deletes it", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
    except PostgresUnavailableError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
