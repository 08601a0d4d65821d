"""``python -m bench [--quick] [--output PATH]``: gas, throughput and the index rows, each on
a private anvil (``python -m bench.index`` runs the index rows alone)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from web3 import Web3

from bench import gas, machine, relay, report, throughput
from bench import gateway as gateway_rows
from bench import index as index_rows
from bench.history import History
from rdh_chain.chain import AnvilConfig, AnvilNode, connect, free_port
from rdh_chain.toolchain.artifacts import load_artifacts

RESULTS = Path(__file__).with_name("results.json")
FULL_SIZES = (1, 10, 100, 200)
QUICK_SIZES = (1, 10)
FULL_TX = 480
QUICK_TX = 60
FULL_CHUNK = 40
QUICK_CHUNK = 20
# Share versions the gateway's relayer activates (three parties each).
FULL_RELAY_ROUNDS = 30
QUICK_RELAY_ROUNDS = 5


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"N = {', '.join(map(str, QUICK_SIZES))}, {QUICK_TX} transfers per side and a "
        "small year for the index; writes no results unless --output is given",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"where to write the JSON results (default: {RESULTS} for a full run)",
    )
    return parser.parse_args(argv)


def _progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    count, chunk = (QUICK_TX, QUICK_CHUNK) if args.quick else (FULL_TX, FULL_CHUNK)
    output: Path | None = args.output or (None if args.quick else RESULTS)

    artifacts = load_artifacts()
    started = time.perf_counter()
    # No state file: the chain lives and dies with this run.
    with (
        tempfile.TemporaryDirectory(prefix="rdh-bench-") as data_dir,
        AnvilNode(AnvilConfig(port=free_port()), Path(data_dir)) as node,
    ):
        about = machine.describe(node.config.binary)
        w3 = connect(node.rpc_url)
        table: dict[str, dict[int, int]] = {row: {} for row in gas.ROWS}
        parties: dict[int, int] = {}
        dissolve: dict[int, dict[int, int]] = {}
        for n in sizes:
            _progress(f"gas with N={n} members")
            column = gas.measure(w3, artifacts, n)
            for op, used in column.gas.items():
                table[op][n] = used
            parties[n] = column.parties
            dissolve[n] = column.dissolve_by_versions
        table[gas.ACTIVATE_PER_SIGNER] = gas.per_extra_signer(table[gas.ACTIVATE], parties)
        _progress(f"throughput: {count} transfers per side")
        speed = throughput.measure(w3, artifacts, count, chunk)
        rounds = QUICK_RELAY_ROUNDS if args.quick else FULL_RELAY_ROUNDS
        _progress(f"gateway relay: {rounds} activations by the gateway's relayer")
        relayed = relay.measure(w3, artifacts, node.rpc_url, rounds, 3)

    _progress("index: a platform's year, then backfill, verify and follow; then the gateway")
    served: list[gateway_rows.GatewayResults] = []

    def gateway_over(w3: Web3, history: History, index_url: str) -> None:
        served.append(
            gateway_rows.measure(
                w3,
                str(getattr(w3.provider, "endpoint_uri", "")),
                history,
                index_url,
                seconds=gateway_rows.QUICK_SECONDS if args.quick else gateway_rows.SECONDS,
                progress=_progress,
            )
        )

    history, indexed = index_rows.run(
        artifacts,
        index_rows.QUICK_YEAR if args.quick else None,
        progress=_progress,
        after=gateway_over,
    )
    (gateway,) = served

    goals = (
        report.evaluate(table, parties, speed)
        + index_rows.goals(history, indexed)
        + gateway_rows.goals(gateway)
    )
    print(report.machine_table(about))
    print()
    print(report.gas_table(table, goals))
    print(report.signer_note(parties))
    print(report.dissolve_note(dissolve))
    print()
    print(report.throughput_table(speed, goals))
    print()
    console = Console() if sys.stdout.isatty() else Console(width=120)
    console.print(index_rows.table(history, indexed))
    print()
    console.print(gateway_rows.table(gateway))
    print(
        "Gateway figures: the load generator shares the machine with the gateway (and with "
        "whatever else runs: see the load average above)."
    )
    relay.print_table(relayed, console)
    if about["ecc_backend"] != "CoinCurveECCBackend":
        print("\nSigning used pure-Python ECC: `.venv/bin/pip install coincurve` to sign faster.")
    missed = [goal.name for goal in goals if not goal.met]
    print(f"\ngoals missed: {'; '.join(missed)}" if missed else "\nall goals met")
    print(f"{time.perf_counter() - started:.0f} s")

    record = report.record(table, dissolve, speed, about, goals)
    record["index"] = indexed.record()
    record["index_details"] = indexed.details()
    record["gateway"] = {**gateway.record(), **relayed}
    record["gateway_details"] = gateway.details()
    document = json.dumps(record, indent=2) + "\n"
    if output is None:
        print("results not written (--quick); pass --output PATH to keep them")
    else:
        output.write_text(document, encoding="utf-8")
        print(f"results written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
