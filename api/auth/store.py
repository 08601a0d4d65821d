"""Nonces and sessions in one small database that every gateway worker process shares.

SQLite (a file in the data folder, in WAL mode so workers read while one writes) by
default, or PostgreSQL (``RDH_AUTH_STORE_URL``). A session cookie carries a random token;
the store keeps only its SHA-256, so a copy of the database signs nobody in.

Handing out a nonce writes nothing: a nonce is its issue time, random digits and an HMAC
of both under a key the store keeps for every worker, so ``GET /auth/nonce``, which anyone
may call, cannot fill the database or hold its write lock. Only a nonce used to sign in
(after its message's signature verified) is recorded, once, so that it works only once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String, create_engine, delete, event, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from api.auth.settings import MAX_MESSAGE_AGE_SECONDS
from rdh_chain.exceptions import ConfigError

# Used nonces are kept this long (a nonce has expired after five minutes anyway), so that a
# replay is told as such rather than as an expired nonce.
NONCE_KEPT_SECONDS = 3_600
# A nonce: 10 digits of issue time (Unix seconds), 16 random hex digits, then 32 hex digits
# of the HMAC-SHA256 of both; letters and digits only, as EIP-4361 asks.
_NONCE = re.compile(r"(?P<issued>[0-9]{10})(?P<random>[0-9a-f]{16})(?P<mac>[0-9a-f]{32})")
_NONCE_KEY_ID = 1
# A nonce issued this far in the future of the checking worker's clock is a forgery or a
# clock out of step: refused like a made-up one.
_NONCE_CLOCK_SKEW_SECONDS = 60


class AuthStoreError(ConfigError):
    """The session store cannot be opened or written (503)."""


class _Base(DeclarativeBase):
    pass


class NonceRow(_Base):
    __tablename__ = "auth_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    issued_at: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class NonceKeyRow(_Base):
    """The key every worker signs and checks nonces with: made once, by the first worker."""

    __tablename__ = "auth_nonce_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))  # 32 random bytes, hex


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


_SESSION_COLUMNS = select(
    SessionRow.address,
    SessionRow.roles,
    SessionRow.admin,
    SessionRow.checked_block,
    SessionRow.checked_at,
    SessionRow.expires_at,
)
_SESSION_SQL = (
    "SELECT address, roles, admin, checked_block, checked_at, expires_at "
    "FROM auth_sessions WHERE token_hash = ?"
)


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
        self._reader: Any = None  # a DBAPI connection of the engine's, for session reads
        self._reader_lock = threading.Lock()
        self._nonce_key: bytes | None = None

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
        except (OperationalError, ProgrammingError, IntegrityError):
            # Another worker created the tables at the same moment (PostgreSQL says so with
            # a unique violation in its catalog): they are there now.
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

    def issue_nonce(self, now: float | None = None) -> str:
        """A new nonce, good for five minutes from ``now``; nothing is written."""
        now = time.time() if now is None else now
        body = f"{int(now):010d}{secrets.token_hex(8)}"
        return body + self._nonce_mac(body)

    def use_nonce(self, nonce: str, now: float | None = None) -> str:
        """Records ``nonce`` used if this store issued it within five minutes and it was
        never used; says which :class:`NonceState` it was in. One insert decides, so two
        workers given the same message cannot both accept it."""
        now = time.time() if now is None else now
        match = _NONCE.fullmatch(nonce)
        if match is None or not hmac.compare_digest(
            match["mac"], self._nonce_mac(match["issued"] + match["random"])
        ):
            return NonceState.UNKNOWN
        issued = int(match["issued"])
        if issued > now + _NONCE_CLOCK_SKEW_SECONDS:
            return NonceState.UNKNOWN
        if now - issued > MAX_MESSAGE_AGE_SECONDS:
            return NonceState.EXPIRED
        try:
            with self._session() as session:
                session.execute(
                    delete(NonceRow).where(NonceRow.issued_at < now - NONCE_KEPT_SECONDS)
                )
                session.add(NonceRow(nonce=nonce, issued_at=float(issued), used_at=now))
        except AuthStoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                return NonceState.USED
            raise
        return NonceState.FRESH

    def _nonce_mac(self, body: str) -> str:
        return hmac.new(self._key(), body.encode(), hashlib.sha256).hexdigest()[:32]

    def _key(self) -> bytes:
        """The store's nonce key, made by the first worker to need it, read by the others."""
        key = self._nonce_key
        if key is None:
            stored = self._read_key()
            if stored is None:
                try:
                    with self._session() as session:
                        session.add(NonceKeyRow(id=_NONCE_KEY_ID, key=secrets.token_hex(32)))
                except AuthStoreError as exc:
                    if not isinstance(exc.__cause__, IntegrityError):  # else another made it
                        raise
                stored = self._read_key()
            if stored is None:
                raise AuthStoreError(
                    f"The gateway's session store at {self.shown} keeps no nonce key after "
                    "writing one; check that RDH_AUTH_STORE_URL names a writable database."
                )
            key = self._nonce_key = bytes.fromhex(stored)
        return key

    def _read_key(self) -> str | None:
        with self._session(write=False) as session:
            row = session.get(NonceKeyRow, _NONCE_KEY_ID)
            return None if row is None else row.key

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
        """The live session of ``token``, or None (never issued, ended or expired).

        Every signed-in request asks this: on SQLite it is one indexed read on a connection
        kept for it (about 10 microseconds; the ORM's path costs nearly a millisecond), so
        a logout through another worker counts from the next request on.
        """
        now = time.time() if now is None else now
        row = self._read_session(token_hash(token))
        if row is None or float(row[5]) <= now:
            return None
        address, roles, admin, checked_block, checked_at, expires_at = row
        return StoredSession(
            address=str(address),
            roles=tuple(r for r in str(roles).split(",") if r),
            admin=bool(admin),
            checked_block=int(checked_block),
            checked_at=float(checked_at),
            expires_at=float(expires_at),
        )

    @property
    def reads_fast(self) -> bool:
        """Whether :meth:`session` takes microseconds (SQLite), not a network round trip."""
        return self.engine.dialect.name == "sqlite"

    def _read_session(self, digest: str) -> tuple[Any, ...] | None:
        engine = self.engine
        if engine.dialect.name != "sqlite":
            with self._session(write=False) as session:
                found = session.execute(_SESSION_COLUMNS.where(SessionRow.token_hash == digest))
                first = found.first()
                return None if first is None else tuple(first)
        try:
            with self._reader_lock:
                if self._reader is None:
                    self._reader = engine.raw_connection()
                cursor = self._reader.cursor()
                try:
                    cursor.execute(_SESSION_SQL, (digest,))
                    found_row: tuple[Any, ...] | None = cursor.fetchone()
                finally:
                    cursor.close()
                return found_row
        except Exception as exc:  # sqlite3's errors; the connection is opened afresh next time
            self._drop_reader()
            raise AuthStoreError(
                f"The gateway's session store at {self.shown} cannot be read "
                f"({type(exc).__name__}); check RDH_AUTH_STORE_URL and the data folder."
            ) from exc

    def _drop_reader(self) -> None:
        with self._reader_lock:
            if self._reader is not None:
                try:
                    self._reader.close()
                finally:
                    self._reader = None

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

    def dispose(self) -> None:
        self._drop_reader()
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
