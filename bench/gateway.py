"""The gateway's reads under load, and how soon a transaction shows through it.

Over a generated history (:mod:`bench.history`) indexed into SQLite, with the indexer
following the chain beside it as in ``make run``:

- reads: the gateway runs as ``make run`` starts it (uvicorn, ``RDH_API_WORKERS`` worker
  processes, one by default) and :mod:`bench.loadgen`, a process of its own on loopback,
  keeps N HTTP/1.1 connections busy on one endpoint for a few seconds, at 50 and then 10
  connections; requests/s counts 2xx answers, p99 is over every answer of the window. The
  requests carry a browser's ``Accept-Encoding: gzip, deflate`` (so the larger answers come
  as the gateway's gzip copies), unless ``--identity`` asks for the uncompressed JSON;
- visible: from the node's answer to a transaction (anvil mines on arrival) to its row in
  ``GET /members/{a}/history``, polled from this process every few milliseconds.

The machine's other load matters (2 cores here): :func:`bench.machine.describe` records
the load average at the start.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount
from rich.table import Table
from web3 import Web3

from api.auth.deps import SESSION_COOKIE
from bench.history import History
from bench.report import Goal
from rdh_chain.chain import free_port
from rdh_chain.config import Settings
from rdh_chain.demo import gateway_command
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.settings import IndexSettings
from rdh_chain.types import Role

GOAL_RPS_50 = 1_500
GOAL_P99_50_MS = 100.0
GOAL_P99_10_MS = 20.0
CONNECTIONS = (50, 10)
SECONDS = 5.0
QUICK_SECONDS = 2.0
WARMUP = 1.0
VISIBLE_SAMPLES = 10
VISIBLE_POLL_S = 0.005
VISIBLE_TIMEOUT_S = 30.0
READY_TIMEOUT_S = 60.0
# What a browser's requests say (Chromium and Firefox add br and zstd, which the gateway
# does not make): the gateway then sends the gzip copies of its larger answers.
BROWSER_ACCEPT_ENCODING = "gzip, deflate"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Load:
    """One endpoint at one number of connections."""

    endpoint: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    statuses: dict[str, int]
    body_bytes: int
    cold_ms: float  # the first request, which computes the answer (the others are served it)
    cpu_us: float  # the gateway's CPU time per answer (user + system), whatever else runs


@dataclass(frozen=True)
class GatewayResults:
    workers: int
    loads: tuple[Load, ...]
    visible: tuple[float, ...]  # seconds from a mined transaction to its row in the API
    load_average: str  # at the start of the reads
    accept_encoding: str | None = BROWSER_ACCEPT_ENCODING  # the requests' (None: identity)

    def at(self, endpoint: str, connections: int) -> Load:
        return next(
            x for x in self.loads if x.endpoint == endpoint and x.connections == connections
        )

    @property
    def endpoints(self) -> list[str]:
        return list(dict.fromkeys(x.endpoint for x in self.loads))

    def record(self) -> dict[str, Any]:
        """``results.json``'s ``gateway`` entry: 50 connections, as the issue asks."""
        out: dict[str, Any] = {
            e: {"rps": self.at(e, 50).rps, "p99_ms": self.at(e, 50).p99_ms} for e in self.endpoints
        }
        out["tx_to_visible_row_s"] = round(statistics.median(self.visible), 3)
        return out

    def details(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "load_average_at_start": self.load_average,
            "accept_encoding": self.accept_encoding,
            "loads": [
                {
                    "endpoint": x.endpoint,
                    "connections": x.connections,
                    "rps": x.rps,
                    "p50_ms": x.p50_ms,
                    "p99_ms": x.p99_ms,
                    "requests": x.requests,
                    "errors": x.errors,
                    "statuses": x.statuses,
                    "mean_body_bytes": x.body_bytes,
                    "first_request_ms": x.cold_ms,
                    "gateway_cpu_us_per_request": x.cpu_us,
                }
                for x in self.loads
            ],
            "tx_to_visible_row": {
                "samples": len(self.visible),
                "median_s": round(statistics.median(self.visible), 3),
                "max_s": round(max(self.visible), 3),
                "poll_interval_s": IndexSettings().poll_interval,
            },
        }


def endpoints(session_db: IndexDb) -> dict[str, str]:
    """The index-backed reads: the first EMC and its owner (a member in many of its rows)."""
    with session_db.session() as session:
        first = queries.emcs(session)[0]
    owner = first.owner
    assert owner is not None
    return {
        "GET /emcs": "/emcs",
        "GET /emcs/{a}": f"/emcs/{first.address}",
        "GET /emcs/{a}/history": f"/emcs/{first.address}/history",
        "GET /emcs/{a}/statement": f"/emcs/{first.address}/statement",
        "GET /members/{a}/history": f"/members/{owner}/history",
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` and its children (uvicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        pending.extend(int(c) for c in children)
    return total


def sign_in(base: str, account: LocalAccount) -> str:
    """Sign in to the gateway at ``base`` as ``account`` (EIP-4361, as a browser wallet
    does); the ``Cookie`` header value of the session."""
    # The tests' helper: the siwe package's message, signed with eth-account.
    from tests.api.auth_helpers import sign_in as siwe_sign_in

    with httpx.Client(base_url=base, timeout=120) as client:  # a loaded machine is slow
        siwe_sign_in(client, account)
        token = client.cookies.get(SESSION_COOKIE)
    if token is None:
        raise RuntimeError(f"signing in to {base} set no {SESSION_COOKIE} cookie")
    return f"{SESSION_COOKIE}={token}"


def _get(url: str, timeout: float = 10.0, cookie: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def gateway(
    settings: Settings, index_url: str, workers: int, log: Progress
) -> Iterator[tuple[str, int]]:
    """The gateway as ``make run`` starts it, on a free port; its base URL (and its process
    id) once it answers."""
    env = os.environ | {
        "RDH_RPC_URL": settings.rpc_url,
        "RDH_DATA_DIR": str(settings.data_dir),
        "RDH_CHAIN_ID": str(settings.chain_id),
        "RDH_API_HOST": settings.api_host,
        "RDH_API_PORT": str(settings.api_port),
        "RDH_API_WORKERS": str(workers),
        "RDH_GATEWAY_INDEX_URL": index_url,
    }
    command = gateway_command(Settings(**{**settings.model_dump(), "api_workers": workers}))
    process = subprocess.Popen(command, env=env)
    base = f"http://{settings.api_host}:{settings.api_port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            try:
                status, _ = _get(f"{base}/emcs", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"the gateway exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the gateway did not answer within {READY_TIMEOUT_S} s")
            time.sleep(0.2)
        log(f"gateway at {base} ({workers} worker{'s' if workers > 1 else ''})")
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def load(url: str, connections: int, seconds: float, headers: Sequence[str] = ()) -> dict[str, Any]:
    """:mod:`bench.loadgen` in a process of its own against ``url``; its JSON figures."""
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        url,
        "--connections",
        str(connections),
        "--seconds",
        str(seconds),
        "--warmup",
        str(WARMUP),
    ]
    for header in headers:
        command += ["--header", header]
    done = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + WARMUP + 120
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def visible_lags(
    base: str, history: History, cookie: str, samples: int = VISIBLE_SAMPLES
) -> list[float]:
    """Seconds from a mined ``addMember`` to its row in ``GET /members/{a}/history``."""
    operator = history.operator
    operator.forget_nonces()
    assert operator.sender is not None
    registry = operator.registry
    rng = random.Random(9)
    poll = IndexSettings().poll_interval
    lags = []
    for _ in range(samples):
        time.sleep(rng.uniform(0, 2 * poll))
        account = Account.create()
        data = registry.contract.encode_abi("addMember", [account.address, Role.ME.id, bytes(32)])
        tx_hash = operator.sender.submit(registry.address, data, action="addMember")
        mined = time.perf_counter()
        deadline = mined + VISIBLE_TIMEOUT_S
        url = f"{base}/members/{account.address}/history"
        while True:
            status, body = _get(url, cookie=cookie)
            if status == 200 and json.loads(body)["total"] > 0:
                break
            if time.perf_counter() > deadline:
                raise RuntimeError(f"no row for {tx_hash.to_0x_hex()} after {VISIBLE_TIMEOUT_S} s")
            time.sleep(VISIBLE_POLL_S)
        lags.append(time.perf_counter() - mined)
        operator.sender.wait(tx_hash, action="addMember")
    return lags


@contextmanager
def following(w3: Web3, history: History, url: str) -> Iterator[None]:
    """``rdh index follow`` on ``url`` in a thread (the single writer beside the gateway)."""
    db = IndexDb.open(url)
    stop = threading.Event()
    indexer = Indexer(
        db, w3.provider, history.deployment, queries.default_decoder(), IndexSettings(url=url)
    )
    indexer.sync()
    thread = threading.Thread(target=indexer.follow, args=(stop,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
        db.close()


def measure(
    w3: Web3,
    rpc_url: str,
    history: History,
    index_url: str,
    *,
    workers: int = 1,
    seconds: float = SECONDS,
    progress: Progress | None = None,
    accept_encoding: str | None = BROWSER_ACCEPT_ENCODING,
) -> GatewayResults:
    """The reads under load and the transaction-to-row lag, over the index at ``index_url``;
    the requests say ``accept_encoding`` (None: no ``Accept-Encoding``, identity)."""
    log = progress or (lambda message: None)
    with tempfile.TemporaryDirectory(prefix="rdh-gateway-bench-") as folder:
        settings = Settings(
            rpc_url=rpc_url,
            data_dir=Path(folder),
            chain_id=history.deployment.chain_id,
            api_port=free_port(),
        )
        history.deployment.save(settings.deployment_file)
        with following(w3, history, index_url):
            db = IndexDb.open(index_url, upgrade=False)
            try:
                paths = endpoints(db)
            finally:
                db.close()
            with gateway(settings, index_url, workers, log) as (base, pid):
                assert history.operator.sender is not None
                # The registry's admin: an overseer, who reads every EMC and member page.
                cookie = sign_in(base, history.operator.sender.account)
                headers = [f"Cookie: {cookie}"]
                if accept_encoding is not None:
                    headers.append(f"Accept-Encoding: {accept_encoding}")
                average = " ".join(f"{x:.2f}" for x in os.getloadavg())
                loads = []
                for name, path in paths.items():
                    started = time.perf_counter()
                    status, _ = _get(base + path, timeout=120, cookie=cookie)
                    cold_ms = round((time.perf_counter() - started) * 1000, 1)
                    if status != 200:
                        raise RuntimeError(f"{name}: {base + path} answered {status}")
                    for connections in CONNECTIONS:
                        log(f"{name} at {connections} connections")
                        cpu = cpu_seconds(pid)
                        got = load(base + path, connections, seconds, headers)
                        cpu = cpu_seconds(pid) - cpu
                        cpu_us = round(cpu / max(1, got["answered"]) * 1e6)
                        loads.append(
                            Load(
                                endpoint=name,
                                connections=connections,
                                rps=got["rps"],
                                p50_ms=got["p50_ms"],
                                p99_ms=got["p99_ms"],
                                requests=got["requests"],
                                errors=got["errors"],
                                statuses=got["statuses"],
                                body_bytes=got["mean_body_bytes"],
                                cold_ms=cold_ms,
                                cpu_us=cpu_us,
                            )
                        )
                log(f"transaction to visible row: {VISIBLE_SAMPLES} transactions")
                visible = visible_lags(base, history, cookie)
    return GatewayResults(workers, tuple(loads), tuple(visible), average, accept_encoding)


def _mark(met: bool) -> str:
    return "✓" if met else "✗"


def table(results: GatewayResults) -> Table:
    """The reads as a rich table: each endpoint at 50 and 10 connections, beside the goals."""
    rows = Table(
        title=f"Gateway reads on the index ({results.workers} worker; Accept-Encoding: "
        f"{results.accept_encoding or 'none (identity)'}; load average at start "
        f"{results.load_average})",
        title_justify="left",
    )
    headers = (
        "endpoint",
        "req/s @50",
        "p99 @50",
        "req/s @10",
        "p99 @10",
        "CPU/req",
        "first",
        "errors",
        "goal",
    )
    for header in headers:
        rows.add_column(header, justify="left" if header in ("endpoint", "goal") else "right")
    for endpoint in results.endpoints:
        fifty, ten = results.at(endpoint, 50), results.at(endpoint, 10)
        met = _met(fifty, ten)
        bad = sum(n for s, n in {**fifty.statuses}.items() if not s.startswith("2"))
        bad += sum(n for s, n in ten.statuses.items() if not s.startswith("2"))
        rows.add_row(
            endpoint,
            f"{fifty.rps:,.0f}",
            f"{fifty.p99_ms:.1f} ms",
            f"{ten.rps:,.0f}",
            f"{ten.p99_ms:.1f} ms",
            f"{fifty.cpu_us:,.0f} µs",
            f"{fifty.cold_ms:,.0f} ms",
            str(fifty.errors + ten.errors + bad),
            f"{_mark(met)} >= {GOAL_RPS_50:,}/s, p99 < {GOAL_P99_50_MS:.0f} ms @50; "
            f"p99 < {GOAL_P99_10_MS:.0f} ms @10",
        )
    median = statistics.median(results.visible)
    rows.add_row(
        "tx -> row in GET /members/{a}/history",
        f"{median:.3f} s",
        f"max {max(results.visible):.3f} s",
        "",
        "",
        "",
        "",
        "",
        f"median of {len(results.visible)}, indexer polling every "
        f"{IndexSettings().poll_interval:g} s",
    )
    return rows


def _met(fifty: Load, ten: Load) -> bool:
    return (
        fifty.rps >= GOAL_RPS_50
        and fifty.p99_ms < GOAL_P99_50_MS
        and ten.p99_ms < GOAL_P99_10_MS
        and not fifty.errors
        and not ten.errors
    )


def goals(results: GatewayResults) -> list[Goal]:
    """One goal per endpoint, as the other benchmarks' goals."""
    out = []
    for endpoint in results.endpoints:
        fifty, ten = results.at(endpoint, 50), results.at(endpoint, 10)
        out.append(
            Goal(
                f"{endpoint}: >= {GOAL_RPS_50:,} req/s, p99 < {GOAL_P99_50_MS:.0f} ms at 50 "
                f"connections; p99 < {GOAL_P99_10_MS:.0f} ms at 10",
                endpoint,
                _met(fifty, ten),
                f">= {GOAL_RPS_50:,}/s",
                f"{fifty.rps:,.0f}/s p99 {fifty.p99_ms:.1f} ms @50; p99 {ten.p99_ms:.1f} ms @10",
            )
        )
    return out


def write(output: Path, results: GatewayResults) -> None:
    """Put the gateway rows into ``output`` (results.json), keeping its other entries."""
    document: dict[str, Any] = {}
    if output.exists():
        document = json.loads(output.read_text(encoding="utf-8"))
    # Keeps what else is there (the relay's rows, bench.relay).
    document["gateway"] = {**document.get("gateway", {}), **results.record()}
    document["gateway_details"] = results.details()
    output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def run_over(
    rpc_url: str,
    w3: Web3,
    history: History,
    *,
    workers: int = 1,
    seconds: float = SECONDS,
    progress: Progress | None = None,
    accept_encoding: str | None = BROWSER_ACCEPT_ENCODING,
) -> GatewayResults:
    """Index ``history`` into a fresh SQLite file, then :func:`measure` the gateway over it."""
    with tempfile.TemporaryDirectory(prefix="rdh-gateway-index-") as folder:
        url = f"sqlite:///{Path(folder) / 'index.sqlite'}"
        return measure(
            w3,
            rpc_url,
            history,
            url,
            workers=workers,
            seconds=seconds,
            progress=progress,
            accept_encoding=accept_encoding,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.gateway [--quick] [--history DIR] [--workers N] [--identity]
    [--output PATH]``."""
    from rich.console import Console

    from bench import index as index_rows
    from bench.history import ANVIL_ARGS, HISTORY_FILE, generate
    from bench.history import load as load_history
    from bench.history import save as save_history
    from rdh_chain.chain import AnvilConfig, AnvilNode, connect
    from rdh_chain.chain.anvil import STATE_FILENAME
    from rdh_chain.toolchain.artifacts import load_artifacts

    parser = argparse.ArgumentParser(prog="python -m bench.gateway", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small year, 2 s per load")
    parser.add_argument("--history", type=Path, default=None, metavar="DIR")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--identity",
        action="store_true",
        help="send no Accept-Encoding: every answer as uncompressed JSON",
    )
    args = parser.parse_args(argv)
    seconds = args.seconds or (QUICK_SECONDS if args.quick else SECONDS)
    config = index_rows.QUICK_YEAR if args.quick else None
    artifacts = load_artifacts()

    def log(message: str) -> None:
        print(f"... {message}", file=sys.stderr, flush=True)

    saved: Path | None = args.history
    if saved is not None and not (saved / HISTORY_FILE).exists():
        saved.mkdir(parents=True, exist_ok=True)
        keep = AnvilConfig(
            port=free_port(), extra_args=ANVIL_ARGS, state_file=saved / STATE_FILENAME
        )
        with AnvilNode(keep, saved) as node:  # writes its state file as it stops
            log(f"history: a platform's year, kept in {saved}")
            save_history(generate(connect(node.rpc_url), artifacts, config, progress=log), saved)
    with tempfile.TemporaryDirectory(prefix="rdh-history-") as folder:
        state: Path | None = None
        if saved is not None:  # a copy: the lag transactions never reach the saved chain
            state = Path(folder) / STATE_FILENAME
            shutil.copyfile(saved / STATE_FILENAME, state)
        anvil = AnvilConfig(port=free_port(), extra_args=ANVIL_ARGS, state_file=state)
        with AnvilNode(anvil, Path(folder)) as node:
            w3 = connect(node.rpc_url)
            if saved is not None:
                history = load_history(w3, artifacts, saved)
            else:
                log("history: a platform's year")
                history = generate(w3, artifacts, config, progress=log)
            results = run_over(
                node.rpc_url,
                w3,
                history,
                workers=args.workers,
                seconds=seconds,
                progress=log,
                accept_encoding=None if args.identity else BROWSER_ACCEPT_ENCODING,
            )
    console = Console() if sys.stdout.isatty() else Console(width=140)
    console.print(table(results))
    if args.output is not None:
        write(args.output, results)
        print(f"gateway rows written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
