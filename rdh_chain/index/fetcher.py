"""``eth_getLogs`` in a process of its own, so that parsing the node's JSON overlaps writing.

A backfill's CPU goes to three things of about the same size: parsing the JSON the node
sends (a log is about 700 bytes of hex), decoding and deriving the rows, and SQLite.
Under the GIL a thread cannot overlap the first with the others; a process can. The
process (:mod:`rdh_chain.index.fetch_process`, run as a script: it imports no more than
the standard library and msgspec, so it starts in a few tens of milliseconds) reads one
query a line on its standard input, asks the node, and writes back the logs as pickled
tuples of :class:`RawLog`'s fields (bytes and ints: quick to unpickle), or the node's
refusal, or the connection's failure; it exits when its standard input closes (its
parent died).

Only for plain web3 ``HTTPProvider``s without custom request options
(:func:`fetcher_target`); anything else reads through the provider itself.
"""

from __future__ import annotations

import atexit
import json
import pickle
import struct
import subprocess
import sys
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rdh_chain.events import LogQueryError, RawLog
from rdh_chain.index.fetch_process import HEADER_FORMAT
from rdh_chain.structs import checksum

CHILD = Path(__file__).with_name("fetch_process.py")
DEFAULT_TIMEOUT = 120.0
_HEADER = struct.Struct(HEADER_FORMAT)


def fetcher_target(provider: Any) -> tuple[str, float] | None:
    """The HTTP URL and timeout to fetch logs with for ``provider``, or None: read
    through it (not a plain web3 ``HTTPProvider``, or one with options of its own)."""
    try:
        from web3 import HTTPProvider
    except ImportError:  # pragma: no cover (web3 is a dependency)
        return None
    if type(provider) is not HTTPProvider or "make_request" in vars(provider):
        return None  # a subclass, a wrapped or patched provider: its own requests
    options = dict(getattr(provider, "_request_kwargs", None) or {})
    timeout = options.pop("timeout", DEFAULT_TIMEOUT)
    if options or not isinstance(timeout, int | float):
        return None  # headers, auth, proxies of its own
    url = str(provider.endpoint_uri or "")
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return url, float(timeout)


class LogFetcher:
    """The parent's side: one query at a time (a lock), the process started on demand."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer = weakref.finalize(self, _stop, [None])

    def logs(self, from_block: int, to_block: int, addresses: Sequence[str]) -> list[RawLog]:
        """The logs of ``addresses`` in ``[from_block, to_block]``, as :func:`fetch_logs`."""
        query = {"fromBlock": hex(from_block), "toBlock": hex(to_block), "address": list(addresses)}
        with self._lock:
            process = self._started()
            assert process.stdin is not None
            assert process.stdout is not None
            try:
                process.stdin.write(json.dumps(query).encode() + b"\n")
                process.stdin.flush()
                header = process.stdout.read(_HEADER.size)
                if len(header) < _HEADER.size:
                    raise EOFError
                (size,) = _HEADER.unpack(header)
                body = process.stdout.read(size)
                if len(body) < size:
                    raise EOFError
            except (OSError, EOFError) as exc:
                self._kill()
                raise ConnectionError(f"the log fetcher process stopped ({exc!r})") from exc
        kind, payload = pickle.loads(body)
        if kind == "logs":
            return [RawLog(checksum(fields[0]), *fields[1:]) for fields in payload]
        if kind == "refused":
            code, message, data = payload
            raise LogQueryError(code, message, data)
        raise ConnectionError(str(payload))

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                # -I: neither the environment nor the script's folder on its path.
                [sys.executable, "-I", str(CHILD), self.url, repr(self.timeout)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, _stop, [self._process])
        return self._process

    def _kill(self) -> None:
        if self._process is not None:
            _stop([self._process])
            self._process = None

    def close(self) -> None:
        with self._lock:
            self._kill()


def _stop(holder: list[subprocess.Popen[bytes] | None]) -> None:
    process = holder[0]
    if process is None or process.poll() is not None:
        return
    try:
        if process.stdin is not None:
            process.stdin.close()  # the child's signal to exit
        process.wait(timeout=2)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
        process.wait()


_FETCHERS: weakref.WeakSet[LogFetcher] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for fetcher in list(_FETCHERS):
        fetcher.close()


def log_fetcher(url: str, timeout: float = DEFAULT_TIMEOUT) -> LogFetcher:
    fetcher = LogFetcher(url, timeout)
    _FETCHERS.add(fetcher)
    return fetcher
