"""Nonces and sessions in one small database that every gateway worker process shares.

SQLite (a file in the data folder, in WAL mode so workers read while one writes) by
default, or PostgreSQL (``RDH_AUTH_STORE_URL``). A session cookie carries a random token;
the store keeps only its SHA-256, so a copy of the database signs nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String, create_engine, delete, event, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from api.auth.settings import MAX_MESSAGE_AGE_SECONDS
from rdh_chain.exceptions import ConfigError

# Nonces nobody used are forgotten after this long (a message is stale after five minutes
# anyway); used ones are kept as long, so a replay is told apart from a made-up nonce.
NONCE_KEPT_SECONDS = 3_600


class AuthStoreError(ConfigError):
    """The session store cannot be opened or written (503)."""


class _Base(DeclarativeBase):
    pass


class NonceRow(_Base):
    __tablename__ = "auth_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    issued_at: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class SessionRow(_Base):
    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(42), index=True)
    roles: Mapped[str] = mapped_column(String(256))  # comma-separated Role values
    admin: Mapped[bool] = mapped_column(Boolean)
    checked_block: Mapped[int] = mapped_column(Integer)  # the roles are as of this block
    checked_at: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)


@dataclass(frozen=True)
class StoredSession:
    address: str
    roles: tuple[str, ...]
    admin: bool
    checked_block: int
    checked_at: float
    expires_at: float


class NonceState:
    FRESH = "fresh"
    USED = "used"
    UNKNOWN = "unknown"
    EXPIRED = "expired"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuthStore:
    """The store at ``url``, opened (and its tables made) on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.shown = make_url(url).render_as_string(hide_password=True)
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._probe: sqlite3.Connection | None = None  # asks SQLite for data_version
        self._probe_file: tuple[int, int] | None = None

    def _open(self) -> Engine:
        parsed = make_url(self.url)
        sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        if sqlite:
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        engine = create_engine(self.url, pool_pre_ping=not sqlite, **kwargs)
        if sqlite:

            @event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA busy_timeout=10000")
                cursor.close()

        try:
            _Base.metadata.create_all(engine)
        except (OperationalError, ProgrammingError):
            # Another worker created the tables at the same moment: they are there now.
            _Base.metadata.create_all(engine)
        return engine

    @property
    def engine(self) -> Engine:
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    try:
                        self._engine = self._open()
                    except (SQLAlchemyError, OSError) as exc:
                        raise AuthStoreError(
                            f"The gateway's session store at {self.shown} cannot be opened "
                            f"({type(exc).__name__}: {str(exc)[:200]}); check "
                            "RDH_AUTH_STORE_URL and that the data folder is writable."
                        ) from exc
                engine = self._engine
        return engine

    @contextmanager
    def _session(self, write: bool = True) -> Iterator[Session]:
        try:
            with Session(self.engine) as session:
                if write:
                    with session.begin():
                        yield session
                else:
                    yield session
        except SQLAlchemyError as exc:
            raise AuthStoreError(
                f"The gateway's session store at {self.shown} cannot be used "
                f"({type(exc).__name__}); check RDH_AUTH_STORE_URL and that the data folder "
                "is writable."
            ) from exc

    # -- nonces ----------------------------------------------------------------------

    def issue_nonce(self, nonce: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._session() as session:
            session.execute(delete(NonceRow).where(NonceRow.issued_at < now - NONCE_KEPT_SECONDS))
            session.add(NonceRow(nonce=nonce, issued_at=now, used_at=None))

    def use_nonce(self, nonce: str, now: float | None = None) -> str:
        """Marks ``nonce`` used if it was issued here within five minutes and never used;
        says which :class:`NonceState` it was in. One statement decides, so two workers
        given the same message cannot both accept it."""
        now = time.time() if now is None else now
        with self._session() as session:
            taken = session.execute(
                update(NonceRow)
                .where(
                    NonceRow.nonce == nonce,
                    NonceRow.used_at.is_(None),
                    NonceRow.issued_at >= now - MAX_MESSAGE_AGE_SECONDS,
                )
                .values(used_at=now)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return NonceState.FRESH
            used = session.scalar(select(NonceRow.used_at).where(NonceRow.nonce == nonce))
            known = used is not None or session.get(NonceRow, nonce) is not None
        if not known:
            return NonceState.UNKNOWN
        return NonceState.USED if used is not None else NonceState.EXPIRED

    # -- sessions --------------------------------------------------------------------

    def create_session(
        self,
        address: str,
        roles: tuple[str, ...],
        admin: bool,
        checked_block: int,
        expires_at: float,
        now: float | None = None,
    ) -> str:
        """A new session; returns the token for the cookie (only its hash is kept)."""
        now = time.time() if now is None else now
        token = secrets.token_urlsafe(32)
        with self._session() as session:
            session.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
            session.add(
                SessionRow(
                    token_hash=token_hash(token),
                    address=address,
                    roles=",".join(roles),
                    admin=admin,
                    checked_block=checked_block,
                    checked_at=now,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return token

    def session(self, token: str, now: float | None = None) -> StoredSession | None:
        """The live session of ``token``, or None (never issued, ended or expired)."""
        now = time.time() if now is None else now
        with self._session(write=False) as session:
            row = session.scalar(
                select(SessionRow).where(SessionRow.token_hash == token_hash(token))
            )
            if row is None or row.expires_at <= now:
                return None
            return StoredSession(
                address=row.address,
                roles=tuple(r for r in row.roles.split(",") if r),
                admin=row.admin,
                checked_block=row.checked_block,
                checked_at=row.checked_at,
                expires_at=row.expires_at,
            )

    def update_roles(
        self,
        token: str,
        roles: tuple[str, ...],
        admin: bool,
        checked_block: int,
        now: float | None = None,
    ) -> None:
        now = time.time() if now is None else now
        with self._session() as session:
            session.execute(
                update(SessionRow)
                .where(SessionRow.token_hash == token_hash(token))
                .values(
                    roles=",".join(roles), admin=admin, checked_block=checked_block, checked_at=now
                )
            )

    def end_session(self, token: str) -> bool:
        with self._session() as session:
            gone = session.execute(
                delete(SessionRow).where(SessionRow.token_hash == token_hash(token))
            )
            return bool(gone.rowcount)  # type: ignore[attr-defined]

    def version(self) -> tuple[int, int, int] | None:
        """A token that changes whenever any process writes the store (a sign-in, a logout,
        roles re-read, a nonce), or None where there is no cheap one (PostgreSQL, a store
        not made yet): SQLite's ``PRAGMA data_version`` on a connection of this process's
        own, with the file's identity. Microseconds: the session check runs it per request
        and reuses what it found while nothing was written."""
        parsed = make_url(self.url)
        database = parsed.database or ""
        if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
            return None
        path = Path(database.removeprefix("file:").split("?", 1)[0])
        try:
            found = path.stat()
        except OSError:
            return None
        identity = (found.st_dev, found.st_ino)
        with self._lock:
            try:
                if self._probe is None or self._probe_file != identity:
                    if self._probe is not None:
                        self._probe.close()
                    self._probe = sqlite3.connect(
                        f"file:{path.resolve()}?mode=ro", uri=True, check_same_thread=False
                    )
                    self._probe_file = identity
                row = self._probe.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error:
                self._probe = None
                return None
        return (*identity, int(row[0]))

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
            if self._probe is not None:
                self._probe.close()
                self._probe = None
