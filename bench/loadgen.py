"""``python -m bench.loadgen URL [--connections N] [--seconds S]``: a closed-loop HTTP/1.1 load
generator, run as a process of its own beside the gateway.

Each of N connections is kept alive and sends its next GET as soon as the previous answer
has been read whole (closed loop, as ``wrk`` and ``oha`` do), for a warm-up and then S
seconds; it prints one JSON line: requests, errors, requests/s and latency percentiles.
Raw asyncio streams (uvloop when installed): a client in the same interpreter as the
server, or a heavy client library, would measure itself as much as the gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Tally:
    """What the connections saw during the measured window."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0
    body_bytes: int = 0
    answered: int = 0  # every answer, warm-up and late ones included


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    """(status, body length) of one response with a Content-Length (what the gateway sends)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
            break
    else:
        raise ValueError("response without Content-Length (chunked answers are not supported)")
    if length:
        await reader.readexactly(length)
    return status, length


async def _connection(
    host: str,
    port: int,
    requests: Sequence[bytes],
    start: float,
    end: float,
    tally: Tally,
    offset: int,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = offset
    try:
        while True:
            sent = time.perf_counter()
            if sent >= end:
                return
            writer.write(requests[i % len(requests)])
            i += 1
            try:
                status, length = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                if start <= time.perf_counter() < end:
                    tally.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            done = time.perf_counter()
            tally.answered += 1
            # Answers that arrive in the window count (as wrk counts them): those of the
            # warm-up and those still on their way at the end do not.
            if start <= done < end:
                tally.latencies.append(done - sent)
                tally.statuses[status] += 1
                tally.body_bytes += length
    finally:
        writer.close()


def _request(host: str, port: int, target: str, headers: Sequence[str]) -> bytes:
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/json"]
    lines.extend(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def run(
    urls: Sequence[str],
    connections: int,
    seconds: float,
    warmup: float,
    headers: Sequence[str] = (),
) -> dict[str, Any]:
    """Load ``urls`` (round robin, one host) from ``connections`` connections; the figures."""
    parts = urlsplit(urls[0])
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = []
    for url in urls:
        split = urlsplit(url)
        target = split.path + (f"?{split.query}" if split.query else "")
        requests.append(_request(host, port, target, headers))
    tally = Tally()
    start = time.perf_counter() + warmup
    end = start + seconds
    tasks = [
        asyncio.create_task(_connection(host, port, requests, start, end, tally, c))
        for c in range(connections)
    ]
    # A request still unanswered at the end is not waited for long.
    _, pending = await asyncio.wait(tasks, timeout=warmup + seconds + 10)
    for task in pending:
        task.cancel()
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    elapsed = seconds
    ok = sum(n for status, n in tally.statuses.items() if 200 <= status < 300)
    return {
        "connections": connections,
        "seconds": elapsed,
        "requests": len(tally.latencies),
        "answered": tally.answered,
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "errors": tally.errors,
        "rps": round(ok / elapsed, 1),
        "p50_ms": round(percentile(tally.latencies, 0.50) * 1000, 2),
        "p90_ms": round(percentile(tally.latencies, 0.90) * 1000, 2),
        "p99_ms": round(percentile(tally.latencies, 0.99) * 1000, 2),
        "max_ms": round(max(tally.latencies, default=0.0) * 1000, 2),
        "mean_body_bytes": round(tally.body_bytes / len(tally.latencies)) if tally.latencies else 0,
    }


def _event_loop_policy() -> None:
    try:
        import uvloop
    except ImportError:  # the standard loop: the client then costs more CPU per request
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__)
    parser.add_argument("urls", nargs="+", help="http://HOST:PORT/PATH?QUERY (one host)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--header", action="append", default=[], help="NAME: VALUE (repeatable)")
    args = parser.parse_args(argv)
    _event_loop_policy()
    result = asyncio.run(run(args.urls, args.connections, args.seconds, args.warmup, args.header))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
