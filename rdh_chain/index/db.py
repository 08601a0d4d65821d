"""The index database: its engine, its sessions, and its schema brought up to date on open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from rdh_chain.index.errors import IndexConfigError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_index_engine(url: str, **kwargs: Any) -> Engine:
    """An engine on ``url``; SQLite files get WAL, foreign keys and their folder."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise IndexConfigError(
            f"RDH_INDEX_URL {url!r} is not a database URL; use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/DB."
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers (the gateway) never block the indexer's writes, nor it them.
    cursor.execute("PRAGMA journal_mode=WAL")
    # A committed batch survives a process kill in WAL mode with NORMAL; only a power
    # loss may drop the last commits, which the next sync fetches again.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def alembic_config(engine: Engine | None = None) -> Config:
    """The Alembic configuration of the index (``script_location`` in the package)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema on ``engine`` to ``revision`` (the newest by default)."""
    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql" and connection.scalar(
                text("SELECT pg_is_in_recovery()")
            ):
                raise IndexConfigError(
                    f"The index database {engine.url!r} is a PostgreSQL hot standby (a "
                    "read-only replica): the indexer writes the primary. Point RDH_INDEX_URL "
                    "at the primary; gateways may read the standby (RDH_GATEWAY_INDEX_URL)."
                )
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except DBAPIError as exc:
        raise IndexConfigError(
            f"Cannot open or migrate the index database {engine.url!r} ({exc.orig}); check "
            "RDH_INDEX_URL (the indexer's role must own the schema; readers open it with "
            "upgrade=False)."
        ) from exc


class IndexDb:
    """An open index database: ``session()`` for reads, ``transaction()`` for one batch."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True, **engine_kwargs: Any) -> IndexDb:
        """Open the index at ``url``, creating or migrating its schema unless ``upgrade=False``."""
        engine = create_index_engine(url, **engine_kwargs)
        if upgrade:
            migrate(engine)
        return cls(engine)

    def check_current(self) -> None:
        """Raise unless the schema is at the newest revision (for readers, which never migrate).

        The gateway opens the index with ``upgrade=False`` (on PostgreSQL its role may only
        read) and calls this: the indexer (``rdh index sync``) is what migrates.
        """
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        try:
            with self.engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_revision()
        except OperationalError as exc:
            raise IndexConfigError(
                f"Cannot read the index database {self.engine.url!r} ({exc.orig})."
            ) from exc
        if current != head:
            raise IndexConfigError(
                f"The index at {self.engine.url!r} has schema {current or 'none'}, not {head}: "
                "run `rdh index sync` (it migrates the schema) first."
            )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or not at all."""
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
