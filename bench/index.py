"""The index's rows: backfill speed into SQLite and PostgreSQL, verification, follow lag.

Over the year of :mod:`bench.history` (about 120,000 events):

- backfill: ``Indexer.sync`` (what ``rdh index sync`` runs) from the deployment's block to
  the head, into an empty, migrated database: a SQLite file, then a PostgreSQL database
  on a throwaway server with PostgreSQL's durable defaults (``tests.support.postgres``);
  events/s is the logs written over the sync's wall-clock time;
- verify: what ``rdh audit verify`` does over the SQLite index: read and decode every
  event up to the checkpoint, replay the accounting, compare every EMC's views at the
  checkpoint block; it must find no mismatch;
- follow lag: ``Indexer.follow`` (``rdh index follow``) running on the SQLite index while
  transactions are mined one at a time; the lag is from the node's answer to the send
  (anvil mines on arrival) to the moment the transaction's first log row is readable
  from another connection, over ``LAG_SAMPLES`` sends spaced at random so that they fall
  anywhere in the poll interval.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from web3 import Web3

from bench.history import ANVIL_ARGS, HISTORY_FILE, History, YearConfig, generate
from bench.history import load as load_history
from bench.history import save as save_history
from bench.report import Goal
from rdh_chain.chain import AnvilConfig, AnvilNode, connect, free_port
from rdh_chain.chain.anvil import STATE_FILENAME
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.queries import checkpoint, decoded_logs, default_decoder
from rdh_chain.index.schema.chain import RawLogRow
from rdh_chain.index.settings import IndexSettings
from rdh_chain.toolchain.artifacts import Artifact, load_artifacts
from rdh_chain.types import Role
from rdh_chain.verify import Verification, verify

RESULTS = Path(__file__).with_name("results.json")
LAG_SAMPLES = 20
LAG_POLL_S = 0.002  # how often the reader looks for the row
LAG_TIMEOUT_S = 30.0

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Backfill:
    backend: str
    events: int
    seconds: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds


@dataclass(frozen=True)
class IndexResults:
    events: int  # in the history, as the generator counted them from the receipts
    sqlite: Backfill
    postgresql: Backfill | None  # None: no PostgreSQL server here
    postgresql_note: str
    verify_s: float
    verification: Verification
    verified_events: int
    lags: tuple[float, ...]
    poll_interval: float

    @property
    def follow_lag_s(self) -> float:
        return statistics.median(self.lags)

    def record(self) -> dict[str, Any]:
        """``results.json``'s ``index`` entry."""
        return {
            "events": self.events,
            "sqlite_events_per_s": round(self.sqlite.events_per_s),
            "postgresql_events_per_s": (
                None if self.postgresql is None else round(self.postgresql.events_per_s)
            ),
            "verify_s": round(self.verify_s, 2),
            "follow_lag_s": round(self.follow_lag_s, 3),
        }

    def details(self) -> dict[str, Any]:
        """What the figures stand on, for ``results.json``'s ``index_details``."""
        return {
            "sqlite": {"events": self.sqlite.events, "seconds": round(self.sqlite.seconds, 2)},
            "postgresql": None
            if self.postgresql is None
            else {"events": self.postgresql.events, "seconds": round(self.postgresql.seconds, 2)},
            "postgresql_note": self.postgresql_note,
            "verify": {
                "events": self.verified_events,
                "emcs": self.verification.emcs,
                "accounts": self.verification.accounts,
                "fields": self.verification.fields,
                "mismatches": len(self.verification.mismatches),
            },
            "follow_lag": {
                "samples": len(self.lags),
                "median_s": round(self.follow_lag_s, 3),
                "max_s": round(max(self.lags), 3),
                "poll_interval_s": self.poll_interval,
            },
        }


def backfill(w3: Web3, history: History, url: str, backend: str) -> Backfill:
    """Sync an empty index at ``url`` from the deployment to the head, timed."""
    db = IndexDb.open(url)  # migrated before the clock starts
    try:
        indexer = Indexer(
            db, w3.provider, history.deployment, default_decoder(), IndexSettings(url=url)
        )
        started = time.perf_counter()
        done = indexer.sync()
        seconds = time.perf_counter() - started
    finally:
        db.close()
    if done.checkpoint < history.last_block:
        raise RuntimeError(f"{backend}: synced to block {done.checkpoint} of {history.last_block}")
    return Backfill(backend, done.logs, seconds)


def timed_verify(
    w3: Web3, artifacts: Mapping[str, Artifact], history: History, url: str
) -> tuple[float, Verification, int]:
    """``rdh audit verify``'s work over the index at ``url``: (seconds, result, events)."""
    started = time.perf_counter()
    db = IndexDb.open(url, upgrade=False)
    try:
        with db.session() as session:
            point = checkpoint(session)
            assert point is not None
            events = decoded_logs(session, upto_block=point.block_number)
    finally:
        db.close()
    result = verify(w3, artifacts, history.deployment, events, point.block_number)
    return time.perf_counter() - started, result, len(events)


def follow_lags(w3: Web3, history: History, url: str, samples: int = LAG_SAMPLES) -> list[float]:
    """Seconds from a mined transaction to its row, ``samples`` times, while following."""
    settings = IndexSettings(url=url)
    db = IndexDb.open(url)
    reader = IndexDb.open(url, upgrade=False)
    stop = threading.Event()
    indexer = Indexer(db, w3.provider, history.deployment, default_decoder(), settings)
    indexer.sync()
    follower = threading.Thread(target=indexer.follow, args=(stop,), daemon=True)
    follower.start()
    operator = history.operator
    operator.forget_nonces()  # the batches moved the admin's nonce under its sender
    assert operator.sender is not None
    rng = random.Random(8)
    registry = operator.registry
    lags = []
    try:
        for _ in range(samples):
            time.sleep(rng.uniform(0, 2 * settings.poll_interval))
            account = Account.create()
            data = registry.contract.encode_abi(
                "addMember", [account.address, Role.ME.id, bytes(32)]
            )
            tx_hash = operator.sender.submit(registry.address, data, action="addMember")
            mined = time.perf_counter()  # anvil answers the send once it has mined it
            deadline = mined + LAG_TIMEOUT_S
            query = select(RawLogRow.log_index).where(RawLogRow.transaction_hash == bytes(tx_hash))
            while True:
                with reader.session() as session:
                    if session.execute(query.limit(1)).first() is not None:
                        break
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"no row for {tx_hash.to_0x_hex()} after {LAG_TIMEOUT_S} s")
                time.sleep(LAG_POLL_S)
            lags.append(time.perf_counter() - mined)
            operator.sender.wait(tx_hash, action="addMember")
    finally:
        stop.set()
        follower.join(timeout=30)
        reader.close()
        db.close()
    return lags


After = Callable[[Web3, History, str], None]
"""More measurements over the synced SQLite index (its URL), before it is deleted."""


def measure(
    w3: Web3,
    artifacts: Mapping[str, Artifact],
    history: History,
    *,
    progress: Progress | None = None,
    after: After | None = None,
) -> IndexResults:
    """Every index row over ``history`` (on the chain behind ``w3``), then ``after``."""
    log = progress or (lambda message: None)
    with tempfile.TemporaryDirectory(prefix="rdh-index-bench-") as folder:
        sqlite_url = f"sqlite:///{Path(folder) / 'index.sqlite'}"
        log(f"backfill into SQLite: {history.events:,} events")
        sqlite = backfill(w3, history, sqlite_url, "SQLite")
        postgresql, note = _postgresql(w3, history, log)
        log("verify over the SQLite index")
        verify_s, verification, verified = timed_verify(w3, artifacts, history, sqlite_url)
        log(f"follow lag: {LAG_SAMPLES} transactions")
        lags = follow_lags(w3, history, sqlite_url)
        if after is not None:
            after(w3, history, sqlite_url)
    return IndexResults(
        events=history.events,
        sqlite=sqlite,
        postgresql=postgresql,
        postgresql_note=note,
        verify_s=verify_s,
        verification=verification,
        verified_events=verified,
        lags=tuple(lags),
        poll_interval=IndexSettings().poll_interval,
    )


def _postgresql(w3: Web3, history: History, log: Progress) -> tuple[Backfill | None, str]:
    """The PostgreSQL backfill, on a throwaway durable server (or none: why not)."""
    # The tests' helper: a cluster in a temporary folder, or RDH_TEST_POSTGRES_URL's.
    from tests.support.postgres import ENV_URL, PostgresUnavailableError, postgres_server

    try:
        with postgres_server(durable=True) as cluster:
            urls = cluster.create_database("rdh_index_bench")
            log(f"backfill into PostgreSQL: {history.events:,} events")
            done = backfill(w3, history, urls.read_write, "PostgreSQL")
    except PostgresUnavailableError as exc:
        return None, str(exc)
    if os.environ.get(ENV_URL):
        return done, f"the server at {ENV_URL}"
    return done, "a throwaway server, durable defaults: fsync on"


GOAL_SQLITE_EVENTS_PER_S = 20_000
GOAL_VERIFY_S = 30.0
GOAL_FOLLOW_LAG_S = 1.0
MIN_EVENTS = 100_000
QUICK_YEAR = YearConfig(emcs=4, parties=8, days=60)


def run(
    artifacts: Mapping[str, Artifact],
    config: YearConfig | None = None,
    *,
    progress: Progress | None = None,
    saved: Path | None = None,
    after: After | None = None,
) -> tuple[History, IndexResults]:
    """Generate ``config``'s year on a private anvil, then measure the index over it.

    ``saved``: a folder to keep the history in (an anvil state file and its figures) and
    to take it from on later runs, instead of generating it each time; the runs measure
    on a copy, so the follow-lag transactions never reach the saved chain.
    """
    if saved is not None:
        return _run_saved(artifacts, config, saved, progress, after)
    with (
        tempfile.TemporaryDirectory(prefix="rdh-history-") as folder,
        AnvilNode(AnvilConfig(port=free_port(), extra_args=ANVIL_ARGS), Path(folder)) as node,
    ):
        w3 = connect(node.rpc_url)
        if progress is not None:
            progress("history: a platform's year")
        history = generate(w3, artifacts, config, progress=progress)
        return history, measure(w3, artifacts, history, progress=progress, after=after)


def _run_saved(
    artifacts: Mapping[str, Artifact],
    config: YearConfig | None,
    saved: Path,
    progress: Progress | None,
    after: After | None = None,
) -> tuple[History, IndexResults]:
    log = progress or (lambda message: None)
    state = saved / STATE_FILENAME
    if not (saved / HISTORY_FILE).exists() or not state.exists():
        saved.mkdir(parents=True, exist_ok=True)
        anvil = AnvilConfig(port=free_port(), extra_args=ANVIL_ARGS, state_file=state)
        with AnvilNode(anvil, saved) as node:  # writes its state file as it stops
            log(f"history: a platform's year, kept in {saved}")
            save_history(generate(connect(node.rpc_url), artifacts, config, progress=log), saved)
    with tempfile.TemporaryDirectory(prefix="rdh-history-") as folder:
        copy = Path(folder) / STATE_FILENAME
        shutil.copyfile(state, copy)
        anvil = AnvilConfig(port=free_port(), extra_args=ANVIL_ARGS, state_file=copy)
        log(f"history: loaded from {saved}")
        with AnvilNode(anvil, Path(folder)) as node:
            w3 = connect(node.rpc_url)
            history = load_history(w3, artifacts, saved)
            return history, measure(w3, artifacts, history, progress=progress, after=after)


def table(history: History, results: IndexResults) -> Table:
    """The index rows as a rich table, each beside its goal."""
    rows = Table(title=f"Index over {results.events:,} events", title_justify="left")
    for header, justify in (("row", "left"), ("measured", "right"), ("goal", "left")):
        rows.add_column(header, justify=justify)  # type: ignore[arg-type]

    def mark(met: bool) -> str:
        return "✓" if met else "✗"

    rows.add_row(
        "history",
        f"{history.events:,} events, {history.transactions:,} tx",
        f"{mark(history.events >= MIN_EVENTS)} >= {MIN_EVENTS:,} events "
        f"({history.send_seconds:.0f} s, {history.tx_per_s:,.0f} tx/s batched)",
    )
    sqlite = results.sqlite.events_per_s
    rows.add_row(
        "backfill into SQLite",
        f"{sqlite:,.0f} events/s",
        f"{mark(sqlite >= GOAL_SQLITE_EVENTS_PER_S)} >= {GOAL_SQLITE_EVENTS_PER_S:,} "
        f"({results.sqlite.seconds:.1f} s)",
    )
    if results.postgresql is None:
        rows.add_row("backfill into PostgreSQL", "not measured", results.postgresql_note)
    else:
        rows.add_row(
            "backfill into PostgreSQL",
            f"{results.postgresql.events_per_s:,.0f} events/s",
            f"({results.postgresql.seconds:.1f} s; {results.postgresql_note})",
        )
    found = len(results.verification.mismatches)
    rows.add_row(
        "rdh audit verify",
        f"{results.verify_s:.1f} s",
        f"{mark(results.verify_s < GOAL_VERIFY_S and not found)} < {GOAL_VERIFY_S:.0f} s; "
        f"{results.verified_events:,} events, {results.verification.fields:,} fields, "
        f"{found} mismatches",
    )
    rows.add_row(
        "follow lag (mined tx -> its row)",
        f"{results.follow_lag_s:.3f} s",
        f"{mark(results.follow_lag_s < GOAL_FOLLOW_LAG_S)} < {GOAL_FOLLOW_LAG_S:.0f} s; "
        f"median of {len(results.lags)}, max {max(results.lags):.3f} s, "
        f"polling every {results.poll_interval:g} s",
    )
    return rows


def write(output: Path, results: IndexResults) -> None:
    """Put the index rows into ``output`` (results.json), keeping its other entries."""
    document: dict[str, Any] = {}
    if output.exists():
        document = json.loads(output.read_text(encoding="utf-8"))
    document["index"] = results.record()
    document["index_details"] = results.details()
    output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.index [--quick] [--output PATH]``: only the index rows."""
    parser = argparse.ArgumentParser(prog="python -m bench.index", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small year (4 EMCs, 60 days); writes no results unless --output is given",
    )
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--history",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the generated history (anvil state and figures) in DIR, and reuse it",
    )
    args = parser.parse_args(argv)
    output: Path | None = args.output or (None if args.quick else RESULTS)
    history, results = run(
        load_artifacts(),
        QUICK_YEAR if args.quick else None,
        progress=lambda m: print(f"... {m}", file=sys.stderr, flush=True),
        saved=args.history,
    )
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # a log file: room for the goal column
    console.print(table(history, results))
    if output is not None:
        write(output, results)
        print(f"index rows written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def goals(history: History, results: IndexResults) -> list[Goal]:
    """The issue's goals for the index rows, as the other benchmarks' goals."""
    sqlite = results.sqlite.events_per_s
    found = len(results.verification.mismatches)
    return [
        Goal(
            f"history >= {MIN_EVENTS:,} events",
            "history",
            history.events >= MIN_EVENTS,
            f">= {MIN_EVENTS:,}",
            f"{history.events:,}",
        ),
        Goal(
            f"backfill into SQLite >= {GOAL_SQLITE_EVENTS_PER_S:,} events/s",
            "backfill into SQLite",
            sqlite >= GOAL_SQLITE_EVENTS_PER_S,
            f">= {GOAL_SQLITE_EVENTS_PER_S:,}",
            f"{sqlite:,.0f}",
        ),
        Goal(
            f"rdh audit verify < {GOAL_VERIFY_S:.0f} s, no mismatch",
            "rdh audit verify",
            results.verify_s < GOAL_VERIFY_S and not found,
            f"< {GOAL_VERIFY_S:.0f} s",
            f"{results.verify_s:.1f} s, {found} mismatches",
        ),
        Goal(
            f"follow lag < {GOAL_FOLLOW_LAG_S:.0f} s",
            "follow lag",
            results.follow_lag_s < GOAL_FOLLOW_LAG_S,
            f"< {GOAL_FOLLOW_LAG_S:.0f} s",
            f"{results.follow_lag_s:.3f} s (median of {len(results.lags)})",
        ),
    ]
