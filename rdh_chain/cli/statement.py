"""``rdh statement``: an EMC's win-win value-added statement, as tables, CSV, JSON or a chart."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from eth_typing import ChecksumAddress
from sqlalchemy.exc import SQLAlchemyError

from rdh_chain.cli.context import CliState, get_state
from rdh_chain.cli.output import echo, note
from rdh_chain.contracts import EmcClient
from rdh_chain.events import Decoded, EventDecoder, LogQueryError, RpcProvider, fetch_logs
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.statement_render import (
    statement_chart,
    statement_csv,
    statement_json_text,
    statement_table,
)
from rdh_chain.statements import Statement, build_statement, provider_accounts
from rdh_chain.types import Position


class Source(StrEnum):
    AUTO = "auto"
    CHAIN = "chain"
    INDEX = "index"


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
    source: Annotated[
        Source,
        typer.Option(
            "--source",
            case_sensitive=False,
            help="Read the events from the index (`rdh index sync`) or the chain; auto: the "
            "index if it has been synced for this deployment, else the chain.",
        ),
    ] = Source.AUTO,
    index_url: Annotated[
        str | None,
        typer.Option(
            "--index-url",
            help="SQLAlchemy URL of the index (default: $RDH_INDEX_URL, else "
            "sqlite:///<data-dir>/index.sqlite).",
        ),
    ] = None,
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
    ledger = state.ledger
    indexed = None if source is Source.CHAIN else index_events(state, client, index_url, source)
    if indexed is None:
        block = int(ledger.w3.eth.block_number)
        decoder = EventDecoder.from_abis(a.abi for a in ledger.artifacts.values())
        provider: RpcProvider = ledger.w3.provider
        events = chain_events(provider, decoder, client.address, ledger.deployment.block, block)
    else:
        events, block = indexed
        behind = int(ledger.w3.eth.block_number) - block
        if behind > 0:
            note(
                f"read from the index at block {block}, {behind} block(s) behind the chain's "
                "head; `rdh index sync` catches up"
            )
    positions = read_positions(client, provider_accounts(client.address, events), block)
    period, from_period, to_period = selection
    return build_statement(
        client.address,
        events,
        names=state.labels(),
        positions=positions,
        positions_block=block,
        period=period,
        from_period=from_period,
        to_period=to_period,
        as_of_block=block,
    )


def index_events(
    state: CliState, client: EmcClient, url: str | None, source: Source
) -> tuple[list[Decoded], int] | None:
    """The EMC's events from the index and its checkpoint block; None (with ``auto``) when
    there is no index of this deployment to read."""
    from rdh_chain.index import queries
    from rdh_chain.index.db import IndexDb
    from rdh_chain.index.settings import INDEX_FILENAME, IndexSettings

    overrides: dict[str, object] = {"data_dir": state.settings.data_dir}
    if url is not None:
        overrides["url"] = url
    settings = IndexSettings(**overrides)  # type: ignore[arg-type]
    required = source is Source.INDEX

    def missing(why: str) -> None:
        if required:
            raise InvalidInputError(f"{why}; build it with `rdh index sync` or use --source chain.")

    if not settings.url and not (settings.data_dir / INDEX_FILENAME).exists():
        missing(f"There is no index at {settings.database_url}")
        return None
    db = IndexDb.open(settings.database_url, upgrade=False)  # a reader never writes it
    try:
        with db.session() as session:
            try:
                point = queries.checkpoint(session)
            except SQLAlchemyError as exc:
                missing(
                    f"The index at {settings.database_url} cannot be read "
                    f"({exc.__class__.__name__})"
                )
                return None
            deployment = state.ledger.deployment
            if point is None:
                missing(f"The index at {settings.database_url} was never synced")
                return None
            if (point.chain_id, point.registry) != (deployment.chain_id, deployment.registry):
                missing(
                    f"The index at {settings.database_url} is of another deployment "
                    f"(registry {point.registry} on chain {point.chain_id})"
                )
                return None
            if not _on_chain(client, point.block_number, point.block_hash):
                missing(
                    f"The index at {settings.database_url} is at block {point.block_number}, "
                    "which the chain no longer has (reorganised or reset)"
                )
                return None
            events = queries.decoded_logs(
                session, emc=client.address, upto_block=point.block_number
            )
            return events, point.block_number
    finally:
        db.close()


def _on_chain(client: EmcClient, number: int, block_hash: bytes | None) -> bool:
    """Whether the chain's block ``number`` is the one the index recorded."""
    if number > client.w3.eth.block_number:
        return False
    if block_hash is None:  # a checkpoint before the first block was read
        return True
    return bytes(client.w3.eth.get_block(number)["hash"]) == block_hash


def chain_events(
    provider: RpcProvider,
    decoder: EventDecoder,
    emc: ChecksumAddress,
    from_block: int,
    to_block: int,
) -> list[Decoded]:
    """The EMC's decoded events over ``[from_block, to_block]``; a range the node refuses is
    read in halves."""
    try:
        logs = fetch_logs(provider, from_block, to_block, [emc])
    except LogQueryError:
        if from_block >= to_block:
            raise
        middle = (from_block + to_block) // 2
        return chain_events(provider, decoder, emc, from_block, middle) + chain_events(
            provider, decoder, emc, middle + 1, to_block
        )
    return decoder.decode_all(logs)


def read_positions(
    client: EmcClient, accounts: list[ChecksumAddress], block: int
) -> dict[ChecksumAddress, Position]:
    """Each account's position in the EMC at ``block`` (the block the events were read to)."""
    positions = {}
    for account in accounts:
        claimable, locked, paid, dust = client.contract.functions.accountOf(account).call(
            block_identifier=block
        )
        positions[account] = Position(int(claimable), int(locked), int(paid), int(dust))
    return positions


def _span(built: Statement) -> str:
    if built.first_period == built.last_period:
        return f"period {built.first_period}"
    return f"periods {built.first_period}-{built.last_period}"
