"""``rdh shares propose --batch FILE``: a share version in many EMCs at once
(:mod:`rdh_chain.propose_batch`).

The file, one EMC a row. ``entries`` holds the version's entries as ``rdh shares propose``
takes them, separated by spaces (``chef:partner:500 owner:operating:8600 dev-fund:900``;
wallet names or addresses), or names a CSV file of them (``account,class,bps`` a row,
relative to the batch file's folder); a leading ``active`` starts from the active
version's entries, those that follow replacing theirs (``--from-active``). ``document``
(the agreement's hash) and ``deadline`` (ISO 8601, UTC if no offset; 30 days from now if
empty) may be empty::

    emc,entries,document,deadline
    0x6E5B...,chef:partner:500 owner:operating:8600 dev-fund:900,,2026-12-31T00:00:00+08:00
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from rdh_chain.cli.batch_input import read_batch, read_text
from rdh_chain.cli.batch_output import EXIT_FAILED_ROWS, stage_progress
from rdh_chain.cli.context import optional_bytes32
from rdh_chain.cli.output import echo_json, note
from rdh_chain.cli.sources import table_console
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.ledger import Ledger
from rdh_chain.pipeline import Pipeline
from rdh_chain.propose_batch import ProposeResult, ProposeRow, propose_rows
from rdh_chain.types import ShareEntry
from rdh_chain.validation import to_address

COLUMNS = ("emc", "entries", "document", "deadline")
_REQUIRED = ("emc", "entries")
_ENTRY_COLUMNS = ("account", "class", "bps")

EntryParser = Callable[[str], ShareEntry]


def _entries(
    cell: str, folder: Path, parse_entry: EntryParser
) -> tuple[tuple[ShareEntry, ...], bool]:
    """The entries a cell gives inline, or the CSV file it names; and whether it starts
    from the active version's."""
    words = cell.split()
    if words and words[0].lower() == "active":
        entries, _ = (
            _entries(" ".join(words[1:]), folder, parse_entry) if words[1:] else ((), False)
        )
        return entries, True
    if cell.lower().endswith(".csv"):
        path = folder / cell
        reader = csv.DictReader(io.StringIO(read_text(path)))
        header = tuple(h.strip().lower() for h in reader.fieldnames or ())
        if header != _ENTRY_COLUMNS:
            raise InvalidInputError(
                f"{path}: the header is {','.join(header) or 'empty'}; it must be "
                f"{','.join(_ENTRY_COLUMNS)} (class dev-fund with an empty account)."
            )
        texts = []
        for record in reader.reader:
            if len(record) != len(_ENTRY_COLUMNS):
                raise InvalidInputError(
                    f"{path} line {reader.line_num}: {len(record)} cells, expected "
                    f"{','.join(_ENTRY_COLUMNS)}"
                )
            account, share_class, bps = (v.strip() for v in record)
            texts.append(f"{account}:{share_class}:{bps}" if account else f"{share_class}:{bps}")
    else:
        texts = cell.split()
    if not texts:
        raise InvalidInputError(
            "no entries: give them inline, name a CSV file of them, or start with 'active'"
        )
    return tuple(parse_entry(text) for text in texts), False


def _deadline(cell: str) -> int | None:
    if not cell:
        return None
    try:
        moment = datetime.fromisoformat(cell)
    except ValueError as exc:
        raise InvalidInputError(
            f"deadline {cell!r} is not an ISO 8601 time, e.g. 2020-08-31T23:59:59+08:00"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def read_rows(path: Path, parse_entry: EntryParser) -> list[ProposeRow]:
    """The file's rows, or one error naming every bad line."""

    def parse(cell: Mapping[str, str], line: int) -> ProposeRow:
        document = cell.get("document") or None
        entries, from_active = _entries(cell["entries"], path.parent, parse_entry)
        return ProposeRow(
            line=line,
            emc=to_address(cell["emc"], "emc"),
            entries=entries,
            document_hash=optional_bytes32(document, "document"),
            deadline=_deadline(cell.get("deadline", "")),
            from_active=from_active,
        )

    return read_batch(path, COLUMNS, _REQUIRED, parse)


def _json(results: list[ProposeResult]) -> list[dict[str, Any]]:
    out = []
    for r in results:
        o = r.outcome
        out.append(
            {
                "line": r.row.line,
                "emc": r.row.emc,
                "entries": len(r.row.entries),
                "status": r.status.value,
                "version_id": r.version_id,
                "tx": None if o is None or o.tx_hash is None else o.tx_hash.to_0x_hex(),
                "error": None if r.error is None else str(r.error),
            }
        )
    return out


def run_batch(ledger: Ledger, path: Path, parse_entry: EntryParser, json_output: bool) -> None:
    rows = read_rows(path, parse_entry)
    with stage_progress() as progress:
        task = progress.add_task("proposing", total=len(rows))

        def tell(stage: str, done: int, total: int) -> None:
            progress.update(task, description=f"proposing: {stage}", completed=done, total=total)

        results = propose_rows(ledger, Pipeline(ledger.w3, ledger.decoder), rows, tell)
    found = _json(results)
    if json_output:
        echo_json(found)
    else:
        table = Table(title=f"{len(found)} row(s)", title_justify="left")
        for header in ("line", "EMC", "entries", "status", "version", "tx / error"):
            table.add_column(header, overflow="fold")
        for r in found:
            version = "" if r["version_id"] is None else str(r["version_id"])
            table.add_row(
                str(r["line"]), r["emc"], str(r["entries"]), r["status"], version,
                r["error"] or r["tx"] or "",
            )  # fmt: skip
        table_console().print(table)
    counts = {s: sum(r["status"] == s for r in found) for s in {r["status"] for r in found}}
    note(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    if not all(r.ok for r in results):
        note("fix the failed rows and run the same command again: it skips what is proposed")
        raise typer.Exit(EXIT_FAILED_ROWS)
    note(
        "next: every party signs each proposed version (`rdh shares sign EMC VERSION`), "
        "then anyone activates it (`rdh shares activate`)"
    )
