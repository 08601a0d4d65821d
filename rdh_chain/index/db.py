"""The index database: its engine, its sessions, and its schema brought up to date on open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
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
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise IndexConfigError(
            f"Cannot open the index database {engine.url!r} ({exc.orig}); check RDH_INDEX_URL."
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
