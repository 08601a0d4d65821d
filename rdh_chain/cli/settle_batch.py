"""``rdh settle --batch FILE``: many periods settled at once (:mod:`rdh_chain.settle_batch`).

The file, one period a row (``attestation`` a file of ``rdh report sign``, relative to the
CSV's folder; ``profit``, ``units``, ``cost``, ``document`` and ``attestation`` may be
empty)::

    emc,period,users,revenue,cost,profit,units,document,attestation
    0x6E5B...,3,20000,4000000,3034900,965100,20000,,
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from rdh_chain.cli.batch_input import read_batch
from rdh_chain.cli.batch_output import EXIT_FAILED_ROWS, stage_progress
from rdh_chain.cli.output import echo_json, note, rmb
from rdh_chain.cli.reports import parse_report, read_attestation
from rdh_chain.cli.sources import table_console
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.ledger import Ledger
from rdh_chain.pipeline import Pipeline
from rdh_chain.pipeline import Progress as PipelineProgress
from rdh_chain.settle_batch import RowResult, SettleRow, settle_rows
from rdh_chain.validation import parse_count, to_address

COLUMNS = (
    "emc",
    "period",
    "users",
    "revenue",
    "cost",
    "profit",
    "units",
    "document",
    "attestation",
)
_REQUIRED = ("emc", "period", "users", "revenue")


def read_rows(path: Path) -> list[SettleRow]:
    """The file's rows, or one error naming every bad line."""

    def parse(cell: Mapping[str, str], line: int) -> SettleRow:
        attestation = cell.get("attestation") or None
        return SettleRow(
            line=line,
            emc=to_address(cell["emc"], "emc"),
            period=parse_count(cell["period"], "period"),
            report=parse_report(
                cell["users"],
                cell.get("units") or "0",
                cell["revenue"],
                cell.get("cost") or "0",
                cell.get("profit") or None,
                cell.get("document") or None,
            ),
            attestation=None
            if attestation is None
            else read_attestation(path.parent / attestation),
        )

    rows = read_batch(path, COLUMNS, _REQUIRED, parse)
    problems: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    for row in rows:
        first = seen.setdefault((row.emc, row.period), row.line)
        if first != row.line:
            problems.append(f"line {row.line}: {row.emc} period {row.period} repeats line {first}")
    if problems:
        raise InvalidInputError("Each period once:\n  " + "\n  ".join(problems))
    return rows


def _json(results: list[RowResult]) -> list[dict[str, Any]]:
    out = []
    for r in results:
        o = r.outcome
        out.append(
            {
                "line": r.row.line,
                "emc": r.row.emc,
                "period": r.row.period,
                "profit_fen": r.row.report.profit,
                "status": r.status.value,
                "tx": None if o is None or o.tx_hash is None else o.tx_hash.to_0x_hex(),
                "error": None if r.error is None else str(r.error),
            }
        )
    return out


def run_batch(ledger: Ledger, path: Path, json_output: bool) -> None:
    rows = read_rows(path)
    with stage_progress() as progress:

        def step(name: str) -> PipelineProgress:
            task = progress.add_task(name, total=None)

            def tell(stage: str, done: int, total: int) -> None:
                progress.update(task, description=f"{name}: {stage}", completed=done, total=total)

            return tell

        results = settle_rows(ledger, Pipeline(ledger.w3, ledger.decoder), rows, step)
    found = _json(results)
    if json_output:
        echo_json(found)
    else:
        table = Table(title=f"{len(found)} row(s)", title_justify="left")
        for header in ("line", "EMC", "period", "profit (RMB)", "status", "tx / error"):
            table.add_column(header, overflow="fold")
        for r in found:
            table.add_row(
                str(r["line"]), r["emc"], str(r["period"]), rmb(r["profit_fen"]), r["status"],
                r["error"] or r["tx"] or "",
            )  # fmt: skip
        table_console().print(table)
    counts = {s: sum(r["status"] == s for r in found) for s in {r["status"] for r in found}}
    note(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    if not all(r.ok for r in results):
        note("fix the failed rows and run the same command again: it skips what is settled")
        raise typer.Exit(EXIT_FAILED_ROWS)
