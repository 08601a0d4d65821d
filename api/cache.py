"""Answers of the index-backed routes, kept for as long as the index has not changed.

The index changes only when the indexer commits. An answer computed from it (a page of
history, a statement, the EMC list and the views read at the checkpoint block) is the same
bytes for every request until then, so the gateway computes it once per version of the
index and serves the JSON it made. The version is a token from
:meth:`api.index.IndexProvider.version` (SQLite's ``PRAGMA data_version``: it changes
whenever another connection commits, and costs microseconds); a new token empties the cache.

Requests that miss the same key at the same time wait for one computation (single flight)
instead of each building it on a worker thread.

An answer also keeps its gzip copy (made once, beside the JSON, when that is worth it) for
the clients whose ``Accept-Encoding`` takes gzip, as browsers' does, and an ``ETag`` per
encoding: a client that sends it back in ``If-None-Match`` gets a 304 without the body.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

T = TypeVar("T")

# At most this many bytes of answers per worker (the oldest used go first).
MAX_BYTES = 64 * 1024 * 1024
# How long the index's checkpoint counts as checked against the chain (a reorg the indexer
# has not rolled back yet, a chain reset): at most one chain call per period per worker.
VERIFY_TTL_S = 1.0
# Answers from this size on are kept gzipped too (below it, the header costs what it saves).
GZIP_MIN_BYTES = 1_024
GZIP_LEVEL = 6  # a 786 KB statement: 94 KB in 15 ms, once per version of the index


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value takes gzip (RFC 9110 12.5.3: ``gzip`` or ``*``
    with a non-zero weight; an explicit ``gzip;q=0`` refuses it whatever ``*`` says)."""
    star: bool | None = None
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        name = coding.strip().lower()
        if name not in ("gzip", "x-gzip", "*"):
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
        if name == "*":
            star = weight > 0
        else:
            return weight > 0
    return bool(star)


def _etag(body: bytes, suffix: str = "") -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + suffix + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, RFC 9110 13.1.2)."""
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


@dataclass(frozen=True, slots=True)
class Answer:
    """A computed answer: its JSON body, the headers that go with it, and (for a body worth
    compressing) its gzip copy; each with its ``ETag``."""

    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    gzipped: bytes | None = None
    etag: str = ""
    gzip_etag: str = ""

    @classmethod
    def of(cls, body: bytes, headers: Mapping[str, str] | None = None) -> Answer:
        """The answer of ``body``, compressed and tagged now (on the worker thread that
        computed it), so that serving it costs neither."""
        gzipped = None
        if len(body) >= GZIP_MIN_BYTES:
            # mtime 0: the same body makes the same bytes, in every worker.
            gzipped = gzip.compress(body, GZIP_LEVEL, mtime=0)
            if len(gzipped) >= len(body):
                gzipped = None
        return cls(
            body,
            dict(headers or {}),
            gzipped,
            _etag(body),
            "" if gzipped is None else _etag(body, "-gzip"),
        )

    @property
    def size(self) -> int:
        """The bytes it holds (the cache's measure)."""
        return len(self.body) + (0 if self.gzipped is None else len(self.gzipped))

    def response(self, request: Request | None = None) -> Response:
        """The answer for ``request``: gzipped if its ``Accept-Encoding`` takes gzip, a 304
        if its ``If-None-Match`` names the ``ETag`` of what it would get."""
        headers = dict(self.headers)
        body, etag = self.body, self.etag
        if self.gzipped is not None:
            headers["Vary"] = "Accept-Encoding"
            if request is not None and accepts_gzip(request.headers.get("accept-encoding", "")):
                body, etag = self.gzipped, self.gzip_etag
                headers["Content-Encoding"] = "gzip"
        if etag:
            headers["ETag"] = etag
            match = None if request is None else request.headers.get("if-none-match")
            if match is not None and _matches(match, etag):
                headers.pop("Content-Encoding", None)
                return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)


class AnswerCache:
    """The answers (and values memoized on the way) of one index version, in one worker."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._token: Hashable | None = None
        self._answers: OrderedDict[str, Answer] = OrderedDict()
        self._bytes = 0
        self._memo: dict[Hashable, object] = {}
        self._verified_at: float | None = None
        self._lock = threading.Lock()  # answers are stored from worker threads
        self._flights: dict[tuple[Hashable, Hashable], asyncio.Future[Any]] = {}
        self.hits = 0
        self.misses = 0
        self.verifying = False  # a check against the chain is running (set on the loop)

    def clear(self) -> None:
        """Forget every answer (the checkpoint is no longer on the chain)."""
        with self._lock:
            self._token = None
            self._answers.clear()
            self._memo.clear()
            self._bytes = 0
            self._verified_at = None

    def _switch(self, token: Hashable) -> None:
        """Forget everything of an older version (with the lock held)."""
        if token != self._token:
            self._token = token
            self._answers.clear()
            self._memo.clear()
            self._bytes = 0
            self._verified_at = None

    def get(self, key: str, token: Hashable) -> Answer | None:
        """The answer stored for ``key`` at ``token``, if any."""
        with self._lock:
            if token != self._token:
                return None
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def put(self, key: str, token: Hashable, answer: Answer) -> None:
        """Keep ``answer`` for ``key`` if ``token`` is (or becomes) the current version."""
        with self._lock:
            self._switch(token)
            old = self._answers.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            if answer.size > self.max_bytes:
                return
            self._answers[key] = answer
            self._bytes += answer.size
            while self._bytes > self.max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= dropped.size

    def memo(self, token: Hashable, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per ``key`` and index version (rows a page is sliced from)."""
        with self._lock:
            if token == self._token and key in self._memo:
                found: T = self._memo[key]  # type: ignore[assignment]
                return found
        value = compute()
        with self._lock:
            self._switch(token)
            self._memo[key] = value
        return value

    def memo_get(self, token: Hashable, key: Hashable) -> object | None:
        """What :meth:`memo` keeps for ``key`` at ``token``, or None (from the event loop)."""
        with self._lock:
            return self._memo.get(key) if token == self._token else None

    def verified(self, token: Hashable, now: float | None = None) -> bool:
        """Whether the index at ``token`` was checked against the chain within the TTL."""
        now = time.monotonic() if now is None else now
        with self._lock:
            at = self._verified_at
            return token == self._token and at is not None and now - at < VERIFY_TTL_S

    def mark_verified(self, token: Hashable) -> None:
        with self._lock:
            self._switch(token)
            self._verified_at = time.monotonic()

    async def once(self, token: Hashable, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """``await compute()``, shared by the requests that ask for ``key`` meanwhile (an
        answer, or a value :meth:`memo` keeps)."""
        flight = (token, key)
        running = self._flights.get(flight)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._flights[flight] = future
        try:
            value = await compute()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._flights[flight]
