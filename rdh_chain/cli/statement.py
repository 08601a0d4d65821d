"""``rdh statement``: an EMC's win-win value-added statement, as tables, CSV, JSON or a chart."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from rdh_chain.cli.context import CliState, get_state
from rdh_chain.cli.output import echo, note
from rdh_chain.cli.sources import EventSource, IndexUrlOption, Source, SourceOption
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.statement_render import (
    statement_chart,
    statement_csv,
    statement_json_text,
    statement_table,
)
from rdh_chain.statements import Statement, build_statement, provider_accounts


class StatementFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PNG = "png"
    SVG = "svg"


def statement(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    period: Annotated[
        int | None, typer.Option("--period", metavar="N", help="One period only.")
    ] = None,
    from_period: Annotated[
        int | None,
        typer.Option("--from", metavar="N", help="The first period shown (default: the first)."),
    ] = None,
    to_period: Annotated[
        int | None,
        typer.Option("--to", metavar="M", help="The last period shown (default: the latest)."),
    ] = None,
    fmt: Annotated[
        StatementFormat,
        typer.Option("--format", case_sensitive=False, help="How to render it."),
    ] = StatementFormat.TABLE,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="FILE", help="Write to FILE instead of stdout (needed for png)."
        ),
    ] = None,
    source: SourceOption = Source.AUTO,
    index_url: IndexUrlOption = None,
) -> None:
    """The win-win value-added statement of an EMC, per period and cumulative: (1) user
    resources, (2) resource providers, (3) total ecosystem platform value, (4) revenues,
    (5) costs, (6) marginal gains (profit per unit), and the value-added sharing space.

    Read from the index's events up to its checkpoint, or from the chain's up to its head;
    what each provider can claim is read from the chain at that same block.
    """
    if period is not None and (from_period is not None or to_period is not None):
        raise InvalidInputError("Choose one period (--period) or a range (--from/--to), not both.")
    if fmt is StatementFormat.PNG and out is None:
        raise InvalidInputError("A PNG is binary: write it to a file with --out FILE.")
    if out is not None:
        check_writable(out)
    state = get_state(ctx)
    client = state.emc(emc)
    selection = (period, from_period, to_period)
    built = read_statement(state, client, selection, source, index_url)
    if fmt is StatementFormat.TABLE:
        data: bytes = statement_table(built).encode()
    elif fmt is StatementFormat.CSV:
        data = statement_csv(built).encode()
    elif fmt is StatementFormat.JSON:
        data = statement_json_text(built).encode()
    else:
        data = statement_chart(built, fmt.value)  # type: ignore[arg-type]
    if out is None:
        echo(data.decode().rstrip("\n"))
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise InvalidInputError(f"Cannot write {out}: {exc.strerror or exc}.") from exc
    note(
        f"wrote the statement of {client.address} ({_span(built)}) as {fmt.value} to {out} "
        f"({len(data):,} bytes)"
    )


def check_writable(path: Path) -> None:
    """Refuse an --out that cannot be written before anything is read from the chain."""
    if path.is_dir():
        raise InvalidInputError(f"--out {path} is a folder: name a file.")
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise InvalidInputError(f"--out {path}: the folder {folder} does not exist.")
    target = path if path.exists() else folder
    if not os.access(target, os.W_OK):
        raise InvalidInputError(f"--out {path} is not writable (check its permissions).")


def read_statement(
    state: CliState,
    client: EmcClient,
    selection: tuple[int | None, int | None, int | None],
    source: Source = Source.AUTO,
    index_url: str | None = None,
) -> Statement:
    """The statement from the index (up to its checkpoint) or the chain (up to its head),
    with every provider's position read from the chain at that block."""
    events = EventSource(state, source, index_url).read(emc=client.address)
    block = events.block
    accounts = provider_accounts(client.address, events.decoded)
    positions = {account: client.position(account, block=block) for account in accounts}
    period, from_period, to_period = selection
    return build_statement(
        client.address,
        events.decoded,
        names=events.names,
        positions=positions,
        positions_block=block,
        period=period,
        from_period=from_period,
        to_period=to_period,
        as_of_block=block,
    )


def _span(built: Statement) -> str:
    if built.first_period == built.last_period:
        return f"period {built.first_period}"
    return f"periods {built.first_period}-{built.last_period}"
