"""Goals, plain-text tables and the JSON record of a benchmark run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench import gas
from bench.throughput import Throughput

MAX_CREATE_EMC = 350_000
MAX_SETTLE = 80_000
MAX_SETTLE_GROWTH = 0.05  # settle for the most members vs the fewest
MAX_CLAIM = 60_000
# A 200-entry share version, proposed and activated with every signature (issue 10).
MAX_SET_SHARES = 2_000_000
MIN_SDK_RATIO = 0.80
# Issue 10: state-changing transactions per second from one process, sent in batches.
MIN_BATCHED_TX_PER_S = 1_000
MAX_GAS_PER_SIGNER = 10_000
SAFE_GAS_PER_SIGNER = 7_800  # what a Safe pays per extra owner signature, about


@dataclass(frozen=True)
class Goal:
    name: str
    row: str  # the table row it is printed beside
    met: bool
    detail: str  # the target, printed beside the row
    actual: str  # the figure checked, for results.json

    @property
    def mark(self) -> str:
        return "✓" if self.met else "✗"


def _signer_goal(table: Mapping[str, Mapping[int, int]], parties: Mapping[int, int]) -> Goal:
    """Marginal activation gas per signature, for the column farthest from the reference
    (N=200 against N=10 in a full run)."""
    marginal = table[gas.ACTIVATE_PER_SIGNER]
    activate = table[gas.ACTIVATE]
    ref = gas.REFERENCE_N
    name = f"activate <= {MAX_GAS_PER_SIGNER:,} gas per extra signer"
    if not marginal:
        return Goal(name, gas.ACTIVATE_PER_SIGNER, False, "not measured", f"no N={ref} column")
    far = max(marginal, key=lambda n: abs(parties[n] - parties[ref]))
    per_signer = marginal[far]
    return Goal(
        name,
        gas.ACTIVATE_PER_SIGNER,
        per_signer <= MAX_GAS_PER_SIGNER,
        f"<= {MAX_GAS_PER_SIGNER:,} (Safe pays about {SAFE_GAS_PER_SIGNER:,}); "
        f"N={far} vs N={ref}: {per_signer:,}",
        f"{per_signer:,} = ({activate[far]:,} at {parties[far]} signers - "
        f"{activate[ref]:,} at {parties[ref]} signers) / {parties[far] - parties[ref]}",
    )


def _ceiling(
    table: Mapping[str, Mapping[int, int]], row: str, name: str, ceiling: int
) -> list[Goal]:
    """``row`` (largest over N) at most ``ceiling``; nothing if the row was not measured."""
    if not table.get(row):
        return []
    largest = max(table[row].values())
    return [Goal(name, row, largest <= ceiling, f"<= {ceiling:,}", f"{largest:,} (largest over N)")]


def evaluate(
    table: Mapping[str, Mapping[int, int]], parties: Mapping[int, int], throughput: Throughput
) -> list[Goal]:
    """Check the figures against the project's gas and throughput goals.

    The settle and claim goals also hold each operation's other steady states: a settlement
    once the pool has filled the sharing space, a claim of value-added credit.
    """
    create = max(table[gas.CREATE_EMC].values())
    claim = max(table[gas.CLAIM].values())
    settle = table[gas.SETTLE]
    fewest, most = min(settle), max(settle)
    growth = settle[most] / settle[fewest] - 1
    return [
        Goal(
            f"create EMC <= {MAX_CREATE_EMC:,}",
            gas.CREATE_EMC,
            create <= MAX_CREATE_EMC,
            f"<= {MAX_CREATE_EMC:,}",
            f"{create:,} (largest over N)",
        ),
        Goal(
            f"settle <= {MAX_SETTLE:,} and N={most} within {MAX_SETTLE_GROWTH:.0%} of N={fewest}",
            gas.SETTLE,
            settle[most] <= MAX_SETTLE and abs(growth) <= MAX_SETTLE_GROWTH,
            f"<= {MAX_SETTLE:,}; N={most} vs N={fewest}: {growth:+.2%} "
            f"(max {MAX_SETTLE_GROWTH:.0%})",
            f"{settle[most]:,} at N={most}, {settle[fewest]:,} at N={fewest}",
        ),
        *_ceiling(
            table,
            gas.SETTLE_POOL_FULL,
            f"settle <= {MAX_SETTLE:,} once the pool is full",
            MAX_SETTLE,
        ),
        Goal(
            f"claim <= {MAX_CLAIM:,}",
            gas.CLAIM,
            claim <= MAX_CLAIM,
            f"<= {MAX_CLAIM:,}",
            f"{claim:,} (largest over N)",
        ),
        *_ceiling(
            table, gas.CLAIM_VALUE_ADDED, f"claim <= {MAX_CLAIM:,} of value-added credit", MAX_CLAIM
        ),
        Goal(
            f"SDK >= {MIN_SDK_RATIO:.0%} of raw web3.py tx/s",
            "ratio",
            throughput.ratio >= MIN_SDK_RATIO,
            f">= {MIN_SDK_RATIO:.0%}",
            f"{throughput.ratio:.1%} "
            f"({throughput.sdk.tx_per_s:.1f} vs {throughput.raw.tx_per_s:.1f} tx/s)",
        ),
        Goal(
            f"SDK pipeline >= {MIN_BATCHED_TX_PER_S:,} tx/s",
            "batched",
            throughput.batched.tx_per_s >= MIN_BATCHED_TX_PER_S,
            f">= {MIN_BATCHED_TX_PER_S:,}",
            f"{throughput.batched.tx_per_s:,.0f} tx/s",
        ),
        _signer_goal(table, parties),
        *_ceiling(
            table,
            gas.SET_SHARES,
            f"propose + activate <= {MAX_SET_SHARES:,} (every signature)",
            MAX_SET_SHARES,
        ),
        *_ceiling(
            table,
            gas.SET_SHARES_DRAFT,
            f"propose + activate in one transaction <= {MAX_SET_SHARES:,} (every signature)",
            MAX_SET_SHARES,
        ),
        *_ceiling(
            table,
            gas.RENEGOTIATE,
            f"renegotiate <= {MAX_SET_SHARES:,} (every signature)",
            MAX_SET_SHARES,
        ),
    ]


def _table(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if align else cell.ljust(width)
            for cell, width, align in zip(row, widths, right, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine_table(machine: Mapping[str, str]) -> str:
    return _table([("machine", ""), *machine.items()], (False, False))


def compared_sizes(sizes: Sequence[int]) -> tuple[int, int] | None:
    """The two columns the change column compares: the most members against the
    reference N (against the fewest without it); None with a single column."""
    most = max(sizes)
    ref = gas.REFERENCE_N
    base = ref if ref in sizes and ref != most else min(sizes)
    return None if base == most else (base, most)


def gas_table(table: Mapping[str, Mapping[int, int]], goals: Sequence[Goal]) -> str:
    """Gas by operation and N, the change from the reference N to the most members (how
    the operation scales with N), and the goal checked beside its row."""
    sizes = sorted({n for by_n in table.values() for n in by_n})
    compared = compared_sizes(sizes)
    beside = {goal.row: goal for goal in goals}
    change = [f"N={compared[1]} vs N={compared[0]}"] if compared else []
    rows: list[tuple[str, ...]] = [("gas used", *(f"N={n}" for n in sizes), *change, "goal")]
    for op, by_n in table.items():
        goal = beside.get(op)
        note = f"{goal.mark} {goal.detail}" if goal else ""
        if compared:
            base, most = compared
            both = base in by_n and most in by_n
            change = [f"{by_n[most] / by_n[base] - 1:+.2%}" if both else ""]
        rows.append((op, *(f"{by_n[n]:,}" if n in by_n else "" for n in sizes), *change, note))
    return _table(rows, (False, *([True] * (len(sizes) + len(change))), False))


def signer_note(parties: Mapping[int, int]) -> str:
    """How the per-signer row is derived, with the signatures each activation carried."""
    ref = gas.REFERENCE_N
    counts = ", ".join(f"N={n}: {count}" for n, count in sorted(parties.items()))
    return (
        f"{gas.ACTIVATE_PER_SIGNER} = (activate(N) - activate(N={ref})) / "
        f"(signers(N) - signers(N={ref})); signers, one per member (the development fund "
        f"signs nothing): {counts}"
    )


def dissolve_note(by_versions: Mapping[int, Mapping[int, int]]) -> str:
    """The dissolving loss's gas by the share versions the EMC had before, per N."""
    columns = "; ".join(
        f"N={n}: " + ", ".join(f"{used:,} after {v}" for v, used in sorted(by_v.items()))
        for n, by_v in sorted(by_versions.items())
    )
    return f"{gas.DISSOLVE}, by share versions activated before: {columns}"


def throughput_table(result: Throughput, goals: Sequence[Goal]) -> str:
    ratio_goal = next(goal for goal in goals if goal.row == "ratio")
    sdk, raw = result.sdk, result.raw

    def rpc(calls: Mapping[str, float]) -> str:
        parts = ", ".join(f"{method} {n:g}" for method, n in calls.items())
        return f"{sum(calls.values()):g}: {parts}"

    rows = [
        ("token.transfer", "tx/s", "best turn", "client CPU ms/tx", "JSON-RPC calls per tx"),
        *(
            (name, f"{s.tx_per_s:.1f}", f"{s.best:.1f}", f"{s.cpu_ms_per_tx:.2f}", rpc(s.rpc))
            for name, s in (
                ("SDK (TxSender)", sdk),
                ("raw web3.py", raw),
                ("SDK pipeline (batched)", result.batched),
            )
        ),
        (
            "SDK / raw",
            f"{result.ratio:.0%}",
            f"{sdk.best / raw.best:.0%}",
            f"{sdk.cpu_ms_per_tx / raw.cpu_ms_per_tx:.0%}",
            f"{ratio_goal.mark} goal (tx/s) {ratio_goal.detail}",
        ),
    ]
    title = (
        f"{sdk.count} sequential transfers per side, in turns of {sdk.chunk} alternating which "
        "side goes first; automine, each receipt awaited before the next send; the pipeline "
        f"sends {result.batched.chunk:,} at once, {len(result.batched.turns)} times\n"
    )
    return title + _table(rows, (False, True, True, True, False))


def record(
    table: Mapping[str, Mapping[int, int]],
    dissolve_by_versions: Mapping[int, Mapping[int, int]],
    throughput: Throughput,
    machine: Mapping[str, str],
    goals: Sequence[Goal],
) -> dict[str, Any]:
    """The results.json document."""
    return {
        "gas": {op: {str(n): used for n, used in by_n.items()} for op, by_n in table.items()},
        "dissolve_by_versions": {
            str(n): {str(v): used for v, used in by_v.items()}
            for n, by_v in dissolve_by_versions.items()
        },
        "tx_per_s": {
            "sdk": round(throughput.sdk.tx_per_s, 1),
            "raw_web3": round(throughput.raw.tx_per_s, 1),
            "sdk_batched": round(throughput.batched.tx_per_s, 1),
        },
        "machine": dict(machine),
        "goals": {goal.name: {"met": goal.met, "actual": goal.actual} for goal in goals},
    }
