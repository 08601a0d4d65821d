"""``rdh audit``: what an auditor reads -- the history of an EMC or a member, and exports.

The rows (see :mod:`rdh_chain.history`) are built from the contracts' events, read from
the index (``rdh index sync``) up to its checkpoint, or, without an index, from the chain
in one ``eth_getLogs`` over the deployment's life (``--source`` chooses). Names come from
the member profiles in the data folder (:mod:`rdh_chain.profiles`), marked when they do
not match the registry's metadata.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from rdh_chain.cli.context import CliState, JsonOption, get_state
from rdh_chain.cli.output import echo, echo_json, note, rmb
from rdh_chain.cli.verify import verify_command
from rdh_chain.events import Decoded, EventDecoder, fetch_logs
from rdh_chain.events import EmcCreated as EmcCreatedEvent
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.history import (
    HistoryFilter,
    HistoryRow,
    RowKind,
    build_history,
    filter_rows,
    member_metadata,
    to_csv,
    to_json,
)
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.settings import IndexSettings
from rdh_chain.ledger import Ledger
from rdh_chain.profiles import ProfileStore, match_profiles

audit_app = typer.Typer(
    help="Read, export and verify the ledger's history as an auditor.", no_args_is_help=True
)
audit_app.command("verify")(verify_command)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


class Source(StrEnum):
    AUTO = "auto"  # the index if it has been synced for this deployment, else the chain
    INDEX = "index"
    CHAIN = "chain"


SourceOption = Annotated[
    Source,
    typer.Option(
        "--source",
        help="Read the events from the index (up to its checkpoint), from the chain, or "
        "from the index when there is a synced one (auto).",
    ),
]
IndexUrlOption = Annotated[
    str | None,
    typer.Option(
        "--index-url",
        help="SQLAlchemy URL of the index (default: $RDH_INDEX_URL, else "
        "sqlite:///<data-dir>/index.sqlite).",
    ),
]


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


def chain_events(ledger: Ledger) -> list[Decoded]:
    """Every rdh-chain event of the deployment, from its block to the head, in chain order.

    One ``eth_getLogs`` over the range: the deployment's contracts and every EMC its factory
    created in that range (read from the same logs, so the set is consistent with them).
    """
    w3 = ledger.w3
    head = w3.eth.block_number
    decoder = EventDecoder.from_abis(a.abi for a in ledger.artifacts.values())
    raw = fetch_logs(w3.provider, ledger.deployment.block, head, topics=decoder.topics)
    decoded = decoder.decode_all(raw)
    ours: set[str] = set(ledger.deployment.contracts.values())
    for item in decoded:
        if item.log.address == ledger.deployment.factory and isinstance(
            item.event, EmcCreatedEvent
        ):
            ours.add(item.event.emc)
    kept = [item for item in decoded if item.log.address in ours]
    return _with_block_times(ledger, kept)


def _with_block_times(ledger: Ledger, decoded: list[Decoded]) -> list[Decoded]:
    """Fill in the block time of logs from nodes that do not send ``blockTimestamp``."""
    missing = sorted({d.log.block_number for d in decoded if d.log.block_timestamp is None})
    if not missing:
        return decoded
    times = {n: int(ledger.w3.eth.get_block(n)["timestamp"]) for n in missing}
    out = []
    for item in decoded:
        log = item.log
        if log.block_timestamp is None:
            log = replace(log, block_timestamp=times[log.block_number])
        out.append(Decoded(log, item.event))
    return out


def index_events(state: CliState, index_url: str | None, *, required: bool) -> list[Decoded] | None:
    """The events in the index up to its checkpoint; None (with ``required``, an error) if
    there is no synced index of this deployment."""
    overrides: dict[str, Any] = {"data_dir": state.settings.data_dir}
    if index_url is not None:
        overrides["url"] = index_url
    settings = IndexSettings(**overrides)
    url = settings.database_url
    default_file = state.settings.data_dir / "index.sqlite"
    if not required and settings.url is None and not default_file.exists():
        return None
    db = IndexDb.open(url)
    try:
        with db.session() as session:
            point = queries.checkpoint(session)
            registry = state.ledger.deployment.registry
            if point is None or point.registry != registry:
                if not required:
                    return None
                why = "has never been synced" if point is None else "is of another deployment"
                raise InvalidInputError(
                    f"The index {db.engine.url.render_as_string(hide_password=True)} {why}; "
                    "run `rdh index sync`, or read the chain with --source chain."
                )
            decoded = queries.decoded_logs(session, upto_block=point.block_number)
    finally:
        db.close()
    head = state.ledger.w3.eth.block_number
    if point.block_number < head:
        note(
            f"read from the index at block {point.block_number}; the chain is at block {head}: "
            "run `rdh index sync` for the rest"
        )
    return decoded


def read_events(state: CliState, source: Source, index_url: str | None) -> list[Decoded]:
    if source is not Source.CHAIN:
        found = index_events(state, index_url, required=source is Source.INDEX)
        if found is not None:
            return found
    return chain_events(state.ledger)


def history_rows(
    state: CliState,
    emc: str | None,
    where: HistoryFilter,
    source: Source = Source.AUTO,
    index_url: str | None = None,
) -> list[HistoryRow]:
    """The filtered rows, named from the data folder's profiles."""
    emc_address = state.emc(emc).address if emc is not None else None
    decoded = read_events(state, source, index_url)
    store = ProfileStore.in_data_dir(state.settings.data_dir)
    matches = match_profiles(member_metadata(decoded), store)
    names = {a: m.label for a, m in matches.items() if m.label is not None}
    rows = build_history(decoded, names)
    return filter_rows(
        rows,
        HistoryFilter(
            emc=emc_address,
            member=where.member,
            kinds=where.kinds,
            period_from=where.period_from,
            period_to=where.period_to,
        ),
    )


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
    console = Console(highlight=False)
    if not console.is_terminal:
        # Piped or captured: no terminal to fit, so hashes stay on one line.
        console = Console(highlight=False, width=260)
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
