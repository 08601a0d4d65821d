"""Answers of the index-backed routes, kept for as long as the index has not changed.

The index changes only when the indexer commits. An answer computed from it (a page of
history, a statement, the EMC list and the views read at the checkpoint block) is the same
bytes for every request until then, so the gateway computes it once per version of the
index and serves the JSON it made. The version is a token from
:meth:`api.index.IndexProvider.version` (SQLite's ``PRAGMA data_version``: it changes
whenever another connection commits, and costs microseconds); a new token empties the cache.

Requests that miss the same key at the same time wait for one computation (single flight)
instead of each building it on a worker thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.responses import Response

T = TypeVar("T")

# At most this many bytes of answers per worker (the oldest used go first).
MAX_BYTES = 64 * 1024 * 1024
# How long the index's checkpoint counts as checked against the chain (a reorg the indexer
# has not rolled back yet, a chain reset): at most one chain call per period per worker.
VERIFY_TTL_S = 1.0


@dataclass(frozen=True, slots=True)
class Answer:
    """A computed answer: its JSON body and the headers that go with it."""

    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        return Response(self.body, media_type="application/json", headers=dict(self.headers))


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
        self._flights: dict[tuple[Hashable, str], asyncio.Future[Answer]] = {}
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
                self._bytes -= len(old.body)
            if len(answer.body) > self.max_bytes:
                return
            self._answers[key] = answer
            self._bytes += len(answer.body)
            while self._bytes > self.max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= len(dropped.body)

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

    async def once(
        self, token: Hashable, key: str, compute: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        """``await compute()``, shared by the requests that ask for ``key`` meanwhile."""
        flight = (token, key)
        running = self._flights.get(flight)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._flights[flight] = future
        try:
            answer = await compute()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        else:
            future.set_result(answer)
            return answer
        finally:
            del self._flights[flight]
