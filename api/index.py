"""The gateway's read-only view of the event index (``rdh_chain.index``).

The gateway never writes the index: only the indexer does (``rdh index follow``, which
``make run`` starts beside the gateway). A SQLite index is opened with ``mode=ro``; on
PostgreSQL the gateway is given a read-only role's URL (``RDH_GATEWAY_INDEX_URL``, by
default the indexer's ``RDH_INDEX_URL``). That URL may name a streaming replica (a hot
standby) of the indexer's primary: its views then carry the standby's replay lag
(:class:`rdh_chain.index.queries.Replica`), which answers show in ``as_of.replica_lag_s``
and ``/health`` in ``index.replica``.

Every route that reads the index opens an :class:`IndexView` from its :class:`IndexReader`:
one session (one snapshot) and the checkpoint, checked against the chain first. An index
that is missing, never synced, of another deployment or at a block the chain no longer has
(a reorg the indexer has not rolled back yet) answers 503 with what to do. The route opens
the view in its own body, so a request holds a database connection only while a worker
thread runs it (a dependency's session would hold one while the request waits for one).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from web3.exceptions import BlockNotFound

from api.cache import Answer, AnswerCache
from rdh_chain.config import Settings
from rdh_chain.exceptions import ConfigError, InvalidInputError
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.errors import IndexConfigError
from rdh_chain.index.settings import IndexSettings
from rdh_chain.ledger import Ledger


class IndexUnavailableError(ConfigError):
    """The index cannot serve this request now (503): missing, behind a reorg, unreadable."""


class ReplicaLagError(IndexUnavailableError):
    """The hot standby read lags its primary more than ``RDH_GATEWAY_MAX_REPLICA_LAG_S``."""


class GatewayIndexSettings(BaseSettings):
    """``RDH_GATEWAY_INDEX_URL``: the index as the gateway reads it (a read-only role on
    PostgreSQL); without it, ``RDH_INDEX_URL``, else ``index.sqlite`` in the data folder.
    ``RDH_GATEWAY_MAX_REPLICA_LAG_S``: on a hot standby, the most replay lag the gateway
    serves the index at (unset: any); past it, index reads answer 503 and the routes that
    can read the chain do."""

    model_config = SettingsConfigDict(env_prefix="RDH_GATEWAY_", frozen=True)

    index_url: str | None = None
    max_replica_lag_s: float | None = Field(default=None, gt=0)


def read_only_url(url: str) -> str:
    """``url`` as the gateway opens it: a SQLite file as a read-only URI, others as given."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # IndexDb.open says what is wrong with it
    if parsed.get_backend_name() != "sqlite":
        return url
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return url
    return f"sqlite:///file:{Path(database).resolve()}?mode=ro&uri=true"


def gateway_index_url(settings: Settings, url: str | None = None) -> str:
    """The index URL for ``settings``: ``url``, else the environment's (see the module)."""
    chosen = url or GatewayIndexSettings().index_url
    if chosen is None:
        chosen = IndexSettings(data_dir=settings.data_dir).database_url
    return read_only_url(chosen)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``file:`` URIs included), None for other databases."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    database = parsed.database
    if database == ":memory:":
        return None
    return Path(database.removeprefix("file:").split("?", 1)[0])


def shown_url(url: str) -> str:
    """The URL without its password, for messages and ``/health``."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.password is None:
        return url  # as given (SQLAlchemy would escape a SQLite URI's "file:")
    return parsed.render_as_string(hide_password=True)


# Sync routes run on anyio's worker threads (40 by default), each holding at most one index
# session: a pool as large never makes a request wait for a connection.
_POOL_SIZE = 5
_MAX_OVERFLOW = 35


class IndexProvider:
    """The app's one read-only index database, opened on first use (like the ledger).

    Opening lazily lets the gateway start before the indexer has made the index; a
    failure is not cached, so the index is found once the indexer has written it.
    """

    def __init__(self, url: str, *, max_replica_lag_s: float | None = None) -> None:
        self.url = url
        self.max_replica_lag_s = max_replica_lag_s
        self.shown = shown_url(url)
        self.path = sqlite_file(url)
        self._db: IndexDb | None = None
        self._file: tuple[int, int] | None = None  # the SQLite file opened (device, inode)
        self._lock = threading.Lock()
        self.cache = AnswerCache()
        self._probe: sqlite3.Connection | None = None  # asks SQLite for data_version
        self._probe_file: tuple[int, int] | None = None
        self._probe_lock = threading.Lock()
        # Whether the database opened is a PostgreSQL hot standby (then every view reads
        # its replay lag too); found when it is opened.
        self.standby = False

    def version(self) -> Hashable | None:
        """A token that changes whenever the indexer commits, or None where there is no cheap
        one (PostgreSQL: the checkpoint read in the request's session is the token then).

        SQLite's ``PRAGMA data_version`` on a connection of the gateway's own changes when
        any other connection commits; with the file's identity, a deleted and rebuilt index
        is a new version too. It reads the WAL's shared-memory header: microseconds, so it
        runs on the event loop. None also while there is no file to read.
        """
        if self.path is None:
            return None
        identity = self._identity()
        if identity is None:
            return None
        with self._probe_lock:
            try:
                if self._probe is None or self._probe_file != identity:
                    if self._probe is not None:
                        self._probe.close()
                    self._probe = sqlite3.connect(
                        f"file:{self.path.resolve()}?mode=ro", uri=True, check_same_thread=False
                    )
                    self._probe_file = identity
                row = self._probe.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error:
                self._probe = None
                return None
        return (identity, int(row[0]))

    def get(self) -> IndexDb:
        db = self._db
        if db is not None and self.path is not None and self._identity() != self._file:
            # Deleted (and maybe made again, `rm index.sqlite; rdh index sync`): open connections
            # would go on reading the old file.
            self.forget()
            db = None
        if db is None:
            with self._lock:
                if self._db is None:
                    self._file = self._identity()
                    self._db = self._open()
                db = self._db
        return db

    def _identity(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            found = self.path.stat()
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def _open(self) -> IndexDb:
        path = self.path
        if path is not None and not path.exists():
            raise IndexUnavailableError(
                f"There is no index at {path}: start the indexer (`rdh index follow`; "
                "`make run` starts it) or point RDH_GATEWAY_INDEX_URL at the index."
            )
        try:
            db = IndexDb.open(  # the gateway never migrates
                self.url, upgrade=False, pool_size=_POOL_SIZE, max_overflow=_MAX_OVERFLOW
            )
        except IndexConfigError as exc:
            raise IndexUnavailableError(str(exc)) from exc
        try:
            db.check_current()
            with db.session() as session:
                self.standby = queries.replica(session) is not None
        except (IndexConfigError, SQLAlchemyError) as exc:
            db.close()
            detail = self.unreachable(exc) or (
                f"The index at {self.shown} cannot be read yet ({exc}); the indexer creates "
                "it (`rdh index sync` or `rdh index follow`)."
            )
            raise IndexUnavailableError(detail) from exc
        return db

    def check_lag(self, replica: queries.Replica) -> None:
        """Raise :class:`ReplicaLagError` if ``replica`` lags more than
        ``max_replica_lag_s``."""
        limit = self.max_replica_lag_s
        if limit is None or replica.lag_seconds <= limit:
            return
        receiver = (
            "it receives the primary's WAL but has not applied it (replay paused, or a long "
            "query holds it back)"
            if replica.receiving
            else "it does not reach the primary"
        )
        raise ReplicaLagError(
            f"The index's hot standby at {self.shown} is {replica.lag_seconds:.0f} s behind "
            f"its primary, more than this gateway serves (RDH_GATEWAY_MAX_REPLICA_LAG_S="
            f"{limit:g}): {receiver}. Check its replication (pg_stat_wal_receiver, "
            "pg_is_wal_replay_paused()), or point RDH_GATEWAY_INDEX_URL at the primary."
        )

    def unreachable(self, exc: BaseException) -> str | None:
        """What to do when ``exc`` (or what caused it) says the database server does not
        answer, else None (SQLite files say so on their own: see :meth:`_open`)."""
        if self.path is not None:
            return None
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, OperationalError):
            cause = cause.__cause__
        if cause is None:
            return None
        # No SQLSTATE: the connection failed or broke; class 08: connection exceptions;
        # 57P0x: the server is shutting down, crashed or is starting.
        state = getattr(cause.orig, "sqlstate", None)
        if state is not None and not state.startswith(("08", "57P0")):
            return None
        reason = (str(cause.orig).strip().splitlines() or [type(cause.orig).__name__])[0]
        return (
            f"Cannot reach the index's database at {self.shown} ({reason}): start that "
            "PostgreSQL server (a standby must also reach the primary the indexer writes), "
            "or point RDH_GATEWAY_INDEX_URL at one that runs (the primary serves reads too); "
            "then try again."
        )

    def forget(self) -> None:
        with self._lock:
            db, self._db = self._db, None
        if db is not None:
            db.close()
        with self._probe_lock:
            probe, self._probe = self._probe, None
        if probe is not None:
            probe.close()


@dataclass(frozen=True)
class IndexView:
    """One request's read of the index: a session (one snapshot) and its checkpoint, and
    on a PostgreSQL hot standby how far its replay was behind the primary."""

    session: Session
    checkpoint: queries.Checkpoint
    replica: queries.Replica | None = None

    @property
    def replica_lag_s(self) -> int | None:
        """The standby's lag in whole seconds (see :class:`queries.Replica`); None on a
        primary or SQLite."""
        return None if self.replica is None else self.replica.lag_whole_seconds

    @property
    def block(self) -> int:
        """The checkpoint's block: everything up to it is in the index."""
        return self.checkpoint.block_number

    def as_of(self, block: int | None) -> int:
        """The block to read up to: ``block`` if the index has reached it, else the checkpoint."""
        if block is None:
            return self.block
        if block > self.block:
            raise InvalidInputError(
                f"as_of {block} is beyond the index's checkpoint (block {self.block}); ask for "
                "a block at or below it, or wait for the indexer to catch up."
            )
        return block


def check_checkpoint(
    point: queries.Checkpoint | None, ledger: Ledger, shown: str, *, on_chain_too: bool = True
) -> None:
    """Raise :class:`IndexUnavailableError` unless ``point`` is this deployment's and its
    block is still on the chain (that last check, a chain call, unless ``on_chain_too`` is
    False: checked a moment ago)."""
    if point is None:
        raise IndexUnavailableError(
            f"The index at {shown} has never been synced: start the indexer "
            "(`rdh index follow`; `make run` starts it)."
        )
    d = ledger.deployment
    if (point.chain_id, point.registry, point.factory) != (d.chain_id, d.registry, d.factory):
        raise IndexUnavailableError(
            f"The index at {shown} is of another deployment (registry {point.registry} on "
            f"chain {point.chain_id}, not {d.registry} on chain {d.chain_id}): delete it and "
            "let the indexer rebuild it, or point RDH_GATEWAY_INDEX_URL at this one's."
        )
    if on_chain_too and not on_chain(ledger, point):
        raise IndexUnavailableError(
            f"The index at {shown} is at block {point.block_number}, which the chain no longer "
            "has (a reorg, or the chain was reset): the indexer rolls it back on its next "
            "poll (`rdh index follow`); try again in a moment."
        )


def on_chain(ledger: Ledger, point: queries.Checkpoint) -> bool:
    """Whether the chain's block at the checkpoint is the one the index recorded."""
    if point.block_hash is None:  # synced to before the deployment's first block
        return True
    try:
        block = ledger.w3.eth.get_block(point.block_number)
    except BlockNotFound:
        return False
    return bytes(block["hash"]) == point.block_hash


T = TypeVar("T")

_BACKGROUND: set[asyncio.Task[None]] = set()  # checks running (tasks need a reference)

Built = BaseModel | tuple[BaseModel, dict[str, str]]
"""What a route's builder returns: the answer, and the headers that go with it."""


def cache_key(request: Request) -> str:
    """The path with its query, parameters in order (``?b=1&a=2`` is ``?a=2&b=1``)."""
    query = urlencode(sorted(request.query_params.multi_items()))
    return f"{request.url.path}?{query}"


def _answer(built: Built) -> Answer:
    model, headers = built if isinstance(built, tuple) else (built, {})
    return Answer.of(model.model_dump_json(by_alias=True).encode(), headers)


@dataclass(frozen=True)
class IndexReader:
    """What a route needs to open the index: the app's provider and its ledger (opened on
    first use, from a worker thread: it asks the chain)."""

    provider: IndexProvider
    open_ledger: Callable[[], Ledger]

    @property
    def ledger(self) -> Ledger:
        return self.open_ledger()

    @property
    def cache(self) -> AnswerCache:
        return self.provider.cache

    @contextmanager
    def view(self, *, token: Hashable | None = None) -> Iterator[IndexView]:
        """The index at its checkpoint, in one session; :class:`IndexUnavailableError` (503)
        unless it is this deployment's and its checkpoint is still on the chain (asked of
        the chain at most once a second per index version, see ``VERIFY_TTL_S``)."""
        with self.provider.get().session() as session:
            point = queries.checkpoint(session)
            version = version_of(token, point)
            checked = self.cache.verified(version)
            check_checkpoint(point, self.ledger, self.provider.shown, on_chain_too=not checked)
            if not checked:
                self.cache.mark_verified(version)
            assert point is not None  # checked above
            yield IndexView(session, point, self._replica(session))

    def _replica(self, session: Session) -> queries.Replica | None:
        """The standby's replay, or None on a primary; :class:`ReplicaLagError` when it
        lags more than the gateway serves (``RDH_GATEWAY_MAX_REPLICA_LAG_S``)."""
        replica = queries.replica(session) if self.provider.standby else None
        if replica is not None:
            self.provider.check_lag(replica)
        return replica

    @contextmanager
    def view_if_synced(self) -> Iterator[IndexView | None]:
        """:meth:`view`, or None where that would be a 503 (for routes that can read the
        chain instead)."""
        try:
            db = self.provider.get()
        except IndexUnavailableError:
            yield None
            return
        with db.session() as session:
            replica: queries.Replica | None = None
            try:
                point = queries.checkpoint(session)
                check_checkpoint(point, self.ledger, self.provider.shown)
                replica = self._replica(session)
            except (IndexUnavailableError, SQLAlchemyError):
                point = None
            yield None if point is None else IndexView(session, point, replica)

    async def answer(self, request: Request, build: Callable[[IndexView], Built]) -> Response:
        """``build``'s answer for this request, computed once per version of the index.

        A hit costs a dictionary look-up and the version probe, on the event loop; a miss
        (or a checkpoint due for its check against the chain) runs on a worker thread, once
        for all the requests that want it meanwhile.
        """
        key = cache_key(request)
        token = self.provider.version()
        if token is not None:
            hit = self.cache.get(key, token)
            if hit is not None:
                self.cache.hits += 1
                if not self.cache.verified(token):
                    self._verify_soon(token)
                return hit.response(request)
        self.cache.misses += 1
        flight_token: Hashable = ("unversioned",) if token is None else token
        answer = await self.cache.once(
            flight_token, key, lambda: run_in_threadpool(self._compute, key, build)
        )
        return answer.response(request)

    def _verify_soon(self, token: Hashable) -> None:
        """Check the checkpoint against the chain again, on a worker thread, while the
        answers are served (no request waits for the chain); a checkpoint the chain no
        longer has empties the cache, so the next requests get the 503 that says why."""
        if self.cache.verifying:
            return
        self.cache.verifying = True

        def verify() -> None:
            try:
                with self.view(token=token):
                    pass
            except (IndexUnavailableError, SQLAlchemyError):
                self.cache.clear()
            finally:
                self.cache.verifying = False

        task = asyncio.get_running_loop().create_task(run_in_threadpool(verify))
        _BACKGROUND.add(task)
        task.add_done_callback(_BACKGROUND.discard)

    def _compute(self, key: str, build: Callable[[IndexView], Built]) -> Answer:
        token = self.provider.version()  # before the session's snapshot: never newer
        with self.view(token=token) as view:
            version = version_of(token, view.checkpoint)
            if view.replica is not None:
                # A standby's answers say its lag (``as_of.replica_lag_s``), which changes
                # while its checkpoint does not: one answer per key and second of lag.
                key = f"{key}#replica_lag_s={view.replica_lag_s}"
            found = self.cache.get(key, version)
            if found is not None:  # computed meanwhile, or only the check was due
                return found
            answer = _answer(build(view))
        self.cache.put(key, version, answer)
        return answer

    def memo(self, view: IndexView, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per ``key`` and version of the index (see :class:`AnswerCache`)."""
        return self.cache.memo(version_of(self.provider.version(), view.checkpoint), key, compute)


def version_of(token: Hashable | None, point: queries.Checkpoint | None) -> Hashable:
    """The version an answer is kept under: the provider's token, else (PostgreSQL) the
    checkpoint itself."""
    return token if token is not None else ("checkpoint", point)
