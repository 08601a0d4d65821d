"""``rdh audit``: what an auditor reads -- the history of an EMC or a member, and exports.

The rows (see :mod:`rdh_chain.history`) are built from the contracts' events, read from
the index up to its checkpoint or from the chain up to its head (``--source``, see
:mod:`rdh_chain.cli.sources`), with names beside the addresses
(:func:`rdh_chain.cli.sources.member_names`). ``rdh audit verify`` is
:mod:`rdh_chain.cli.verify`; the group lists history, export, then verify.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from rdh_chain.cli.context import CliState, JsonOption, get_state
from rdh_chain.cli.output import echo, echo_json, note, rmb
from rdh_chain.cli.sources import (
    EventSource,
    IndexUrlOption,
    Source,
    SourceOption,
    table_console,
)
from rdh_chain.cli.verify import verify_command
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.history import (
    HistoryFilter,
    HistoryRow,
    RowKind,
    build_history,
    filter_rows,
    to_csv,
    to_json,
)

audit_app = typer.Typer(
    help="Read, export and verify the ledger's history as an auditor.", no_args_is_help=True
)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


EmcArgument = Annotated[
    str | None,
    typer.Argument(help="The EMC's 0x address; leave it out for the whole ledger."),
]
MemberOption = Annotated[
    str | None,
    typer.Option(
        "--member",
        help="Only rows that name this member (0x address or local wallet name).",
    ),
]


def history_rows(
    state: CliState,
    emc: str | None,
    where: HistoryFilter,
    source: Source = Source.AUTO,
    index_url: str | None = None,
) -> list[HistoryRow]:
    """The filtered rows, with names beside the addresses."""
    emc_address = state.emc(emc).address if emc is not None else None
    events = EventSource(state, source, index_url).read()
    rows = build_history(events.decoded, events.names)
    return filter_rows(rows, replace(where, emc=emc_address))


def _filter(
    state: CliState,
    member: str | None,
    kinds: list[RowKind] | None = None,
    period: int | None = None,
    first: int | None = None,
    last: int | None = None,
) -> HistoryFilter:
    period_from, period_to = HistoryFilter.periods(period, first, last)
    return HistoryFilter(
        member=state.account(member, "--member") if member is not None else None,
        kinds=frozenset(kinds or ()),
        period_from=period_from,
        period_to=period_to,
    )


@audit_app.command("history")
def history(
    ctx: typer.Context,
    emc: EmcArgument = None,
    member: MemberOption = None,
    kinds: Annotated[
        list[RowKind] | None,
        typer.Option("--kind", help="Only rows of this kind (repeat for several)."),
    ] = None,
    period: Annotated[int | None, typer.Option("--period", help="Only period N.")] = None,
    first: Annotated[
        int | None, typer.Option("--from", help="Only periods from N (with --to: a range).")
    ] = None,
    last: Annotated[int | None, typer.Option("--to", help="Only periods up to M.")] = None,
    as_json: JsonOption = False,
    source: SourceOption = Source.AUTO,
    index_url: IndexUrlOption = None,
) -> None:
    """Who bid, signed, reported, attested, was paid, invested, lost, left: row by row.

    Each row has its transaction hash, block number, block hash and block time. A row's
    period is the one its event names, else the period the EMC was in (settled + 1).
    """
    state = get_state(ctx)
    where = _filter(state, member, kinds, period, first, last)
    rows = history_rows(state, emc, where, source, index_url)
    if as_json:
        echo_json([row.record() for row in rows])
        return
    if not rows:
        note("no history rows match")
        return
    _print_table(rows)


def _party_cell(row: HistoryRow) -> str:
    party = row.account or row.by
    if party is None:
        return "-"
    return f"{party.name}\n{party.address}" if party.name else party.address


def _print_table(rows: list[HistoryRow]) -> None:
    console = table_console()
    table = Table(show_lines=True)
    table.add_column("BLOCK")
    table.add_column("KIND")
    table.add_column("PERIOD", justify="right")
    table.add_column("ACCOUNT", overflow="fold")
    table.add_column("AMOUNT (RMB)", justify="right")
    table.add_column("DETAIL", overflow="fold")
    table.add_column("TRANSACTION / BLOCK HASH", overflow="fold")
    for row in rows:
        record: dict[str, Any] = row.record()
        detail = row.detail
        if row.auditor is not None:
            detail += f"\nattested by {row.auditor}"
        table.add_row(
            f"{row.block_number}\n{record['block_time'] or '-'}",
            row.kind.value,
            "-" if row.period is None else str(row.period),
            _party_cell(row),
            "-" if row.amount is None else rmb(row.amount),
            detail,
            f"{record['transaction_hash']}\n{record['block_hash']}",
        )
    console.print(table)
    console.print(f"{len(rows)} row(s)")


@audit_app.command("export")
def export(
    ctx: typer.Context,
    emc: EmcArgument = None,
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="csv, or json (one array of rows).")
    ] = ExportFormat.CSV,
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="The file to write.")] = Path(
        "history.csv"
    ),
    member: MemberOption = None,
    source: SourceOption = Source.AUTO,
    index_url: IndexUrlOption = None,
) -> None:
    """The whole history of EMC (or of the ledger), as CSV or JSON, written to --out.

    Columns in a fixed order (see rdh_chain.history.COLUMNS); amounts in fen and in RMB.
    """
    state = get_state(ctx)
    if out.exists() and out.is_dir():
        raise InvalidInputError(f"--out {out} is a folder; name a file.")
    rows = history_rows(state, emc, _filter(state, member), source, index_url)
    text = to_csv(rows) if export_format is ExportFormat.CSV else to_json(rows)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(
            f"Cannot write --out {out}: {exc.strerror or exc}; choose a writable file."
        ) from exc
    echo(f"wrote {len(rows)} row(s) to {out}")


audit_app.command("verify")(verify_command)  # after history and export, in --help too
