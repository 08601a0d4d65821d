"""The fetcher process of :mod:`rdh_chain.index.fetcher`: ``eth_getLogs`` answers as tuples.

Run as a script (``python -I fetch_process.py URL TIMEOUT``), apart from the package: it
imports the standard library and msgspec only. Each line on standard input is one
``eth_getLogs`` filter (JSON); each answer on standard output is a little-endian 8-byte
length, then a pickle of ``("logs", [fields...])`` (:class:`rdh_chain.events.RawLog`'s
fields in order, the address as the node wrote it), ``("refused", (code, message,
data))`` (the node's error) or ``("failed", why)`` (no answer: the parent retries).
"""

from __future__ import annotations

import json
import pickle
import struct
import sys
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from typing import Any
from urllib.parse import urlsplit

import msgspec

HEADER_FORMAT = "<Q"
_HEADER = struct.Struct(HEADER_FORMAT)


class _Log(msgspec.Struct):
    """One log of the node's reply (the fields the index reads; the rest are skipped)."""

    address: str
    topics: list[str]
    data: str
    blockNumber: str  # noqa: N815 (the node's names)
    blockHash: str  # noqa: N815
    transactionHash: str  # noqa: N815
    transactionIndex: str  # noqa: N815
    logIndex: str  # noqa: N815
    blockTimestamp: str | None = None  # noqa: N815
    removed: bool = False


class _Reply(msgspec.Struct):
    result: list[_Log] | None = None
    error: dict[str, Any] | None = None


_decode_reply = msgspec.json.Decoder(_Reply).decode


def _fields(log: _Log) -> tuple[Any, ...]:
    """:class:`RawLog`'s fields, in its order (as :meth:`RawLog.from_json` reads them)."""
    fromhex = bytes.fromhex
    timestamp = log.blockTimestamp
    return (
        log.address,
        tuple([fromhex(t[2:]) for t in log.topics]),
        fromhex(log.data[2:]),
        int(log.blockNumber, 16),
        fromhex(log.blockHash[2:]),
        fromhex(log.transactionHash[2:]),
        int(log.transactionIndex, 16),
        int(log.logIndex, 16),
        None if timestamp is None else int(timestamp, 16),
        log.removed,
    )


def _post(connection: HTTPConnection, path: str, body: bytes) -> tuple[bytes, int]:
    connection.request("POST", path, body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.read(), response.status


def _serve(url: str, timeout: float) -> None:
    parts = urlsplit(url)
    connection_type = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    host = parts.netloc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: HTTPConnection | None = None
    out = sys.stdout.buffer
    for request_id, line in enumerate(sys.stdin.buffer, 1):
        query = json.loads(line)
        body = json.dumps(
            {"jsonrpc": "2.0", "id": request_id, "method": "eth_getLogs", "params": [query]}
        ).encode()
        answer: tuple[str, Any]
        try:
            if connection is not None:
                try:
                    raw, status = _post(connection, path, body)
                except (OSError, HTTPException):  # a kept-alive connection the node closed
                    connection.close()
                    connection = None
            if connection is None:
                connection = connection_type(host, timeout=timeout)
                raw, status = _post(connection, path, body)
            if status != 200 and not raw.startswith(b"{"):
                raise HTTPException(f"HTTP {status}: {raw[:200]!r}")
            reply = _decode_reply(raw)
            result, error = reply.result, reply.error
            if error:
                answer = (
                    "refused",
                    (int(error.get("code", 0)), str(error.get("message", "")), error.get("data")),
                )
            else:
                answer = ("logs", [_fields(log) for log in result or ()])
        except Exception as exc:
            if connection is not None:
                connection.close()
            connection = None
            answer = ("failed", f"eth_getLogs to {url}: {exc!r}")
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_HEADER.pack(len(data)))
        out.write(data)
        out.flush()


if __name__ == "__main__":
    _serve(sys.argv[1], float(sys.argv[2]))
