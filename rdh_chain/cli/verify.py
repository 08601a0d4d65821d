"""``rdh audit verify``: every EMC's figures recomputed from its events, held against the
contracts' state at the same block.

The events come from the index when there is one (``--index-url``, ``$RDH_INDEX_URL`` or
``index.sqlite`` in the data folder), and the state is read at the index's checkpoint, so
a tampered index row shows; ``--from-chain`` (or no index) reads the events from the node.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from eth_typing import ChecksumAddress
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rdh_chain.cli.context import CliState, JsonOption, get_state
from rdh_chain.cli.output import echo_json, note
from rdh_chain.events import Decoded
from rdh_chain.exceptions import ConfigError, InvalidInputError
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.settings import INDEX_FILENAME, IndexSettings
from rdh_chain.ledger import Ledger
from rdh_chain.validation import to_address
from rdh_chain.verify import Mismatch, Verification, chain_events, verify

EXIT_MISMATCH = 1


def _label(account: ChecksumAddress | None, labels: dict[ChecksumAddress, str]) -> str:
    if account is None:
        return ""
    if int(account, 16) == 0:
        return "development fund"
    name = labels.get(account)
    return f"{name} ({account})" if name else account


def _value(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "missing" if value is None else str(value)


def _table(mismatches: tuple[Mismatch, ...], labels: dict[ChecksumAddress, str]) -> Table:
    table = Table(title=f"{len(mismatches)} mismatch(es)", title_justify="left")
    # "recomputed": what the events make of it; "on chain": the view at the block, or for an
    # event whose own figure disagrees with the recomputation, what the event says.
    for header in ("EMC", "account", "field", "recomputed", "on chain", "where"):
        table.add_column(header, overflow="fold")
    for m in mismatches:
        where = m.where if m.source == "event" else "state at the block"
        on_chain = _value(m.on_chain)
        table.add_row(
            m.emc,
            _label(m.account, labels),
            m.field,
            _value(m.expected),
            f"{on_chain} (event)" if m.source == "event" else on_chain,
            where,
        )
    return table


def _json(result: Verification, source: str) -> dict[str, Any]:
    def plain(value: object) -> object:
        if isinstance(value, bool | int | str) or value is None:
            return value
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return str(value)

    return {
        "block": result.block,
        "source": "index" if source == "the index" else "chain",
        "emcs": result.emcs,
        "accounts": result.accounts,
        "events": result.events,
        "figures": result.fields,
        "mismatches": [
            {
                "emc": m.emc,
                "account": m.account,
                "field": m.field,
                "recomputed": plain(m.expected),
                "on_chain": plain(m.on_chain),
                "source": m.source,
                "where": m.where,
            }
            for m in result.mismatches
        ],
    }


def _index_url(state: CliState, url: str | None) -> str | None:
    """The index's URL, or None where there is none (no URL and no SQLite file)."""
    overrides: dict[str, Any] = {"data_dir": state.settings.data_dir}
    if url is not None:
        overrides["url"] = url
    settings = IndexSettings(**overrides)
    if settings.url is None and not (settings.data_dir / INDEX_FILENAME).exists():
        return None
    return settings.database_url


def _index_events(
    ledger: Ledger, url: str, emc: ChecksumAddress | None, block: int | None
) -> tuple[list[Decoded], int]:
    """The index's events up to its checkpoint (or ``block``, which must not be past it),
    after checking that the index is this deployment's and on this chain's blocks."""
    db = IndexDb.open(url, upgrade=False)  # a reader: only `rdh index sync` migrates
    try:
        db.check_current()
        with db.session() as session:
            point = queries.checkpoint(session)
            if point is None or point.block_hash is None:
                raise ConfigError(
                    f"The index at {url} has no block yet: run `rdh index sync`, "
                    "or pass --from-chain."
                )
            d = ledger.deployment
            if (point.chain_id, point.registry) != (d.chain_id, d.registry):
                raise ConfigError(
                    f"The index at {url} is the deployment's with registry {point.registry} "
                    f"on chain {point.chain_id}, not this one's ({d.registry}); pass "
                    "--index-url, or --from-chain."
                )
            on_chain = bytes(ledger.w3.eth.get_block(point.block_number)["hash"])
            if on_chain != point.block_hash:
                raise ConfigError(
                    f"The index's checkpoint block {point.block_number} is not the chain's "
                    "(a reorganisation): run `rdh index sync` first."
                )
            at = point.block_number if block is None else block
            if at > point.block_number:
                raise InvalidInputError(
                    f"--block {at} is past the index's checkpoint ({point.block_number}): "
                    "run `rdh index sync`, or pass --from-chain."
                )
            return queries.decoded_logs(session, emc=emc, upto_block=at), at
    finally:
        db.close()


def _run(
    state: CliState,
    emc: ChecksumAddress | None,
    block: int | None,
    index_url: str | None,
    from_chain: bool,
) -> tuple[Verification, str]:
    ledger = state.ledger
    w3 = ledger.w3
    head = w3.eth.block_number
    if block is not None and block > head:
        raise InvalidInputError(f"--block {block} is past the chain's head ({head}).")
    if block is not None and block < ledger.deployment.block:
        raise InvalidInputError(
            f"--block {block} is before the deployment (block {ledger.deployment.block})."
        )
    url = None if from_chain else _index_url(state, index_url)
    if url is None and not from_chain:
        note("No index (run `rdh index sync`): reading the events from the node.")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        reading = progress.add_task("reading events", total=None)

        def read(stage: str, done: int, total: int) -> None:
            progress.update(reading, description=f"reading {stage}", completed=done, total=total)

        if url is None:
            at = head if block is None else block
            events = chain_events(w3, ledger.deployment, ledger.artifacts, at, emc, read)
            source = "the node"
        else:
            events, at = _index_events(ledger, url, emc, block)
            source = "the index"
        progress.update(
            reading, description="events read", total=len(events), completed=len(events)
        )
        comparing = progress.add_task("comparing EMCs", total=None)

        def advance(stage: str, done: int, total: int) -> None:
            progress.update(comparing, completed=done, total=total)

        result = verify(
            w3, ledger.artifacts, ledger.deployment, events, at, emc=emc, progress=advance
        )
    return result, source


def verify_command(
    ctx: typer.Context,
    emc: Annotated[
        str | None, typer.Argument(help="The EMC's address (default: every EMC).")
    ] = None,
    block: Annotated[
        int | None,
        typer.Option(
            "--block",
            min=0,
            help="Verify the state at block N (default: the index's checkpoint, else the head).",
        ),
    ] = None,
    index_url: Annotated[
        str | None,
        typer.Option(
            "--index-url",
            help="SQLAlchemy URL of the index to verify (default: $RDH_INDEX_URL, else "
            "sqlite:///<data-dir>/index.sqlite if it exists).",
        ),
    ] = None,
    from_chain: Annotated[
        bool, typer.Option("--from-chain", help="Read the events from the node, not the index.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Recompute every account, pool, capital and fund from the events and compare them with
    the contracts' state at the block; exit 1 and list every mismatch if there is one."""
    state = get_state(ctx)
    address = None if emc is None else to_address(emc, "EMC")
    if address is not None:
        state.ledger.emc(address)  # NotFoundError unless the factory made it
    result, source = _run(state, address, block, index_url, from_chain)
    if json_output:
        echo_json(_json(result, source))
        if result.mismatches:
            raise typer.Exit(EXIT_MISMATCH)
        return
    console = Console()
    if result.mismatches:
        console.print(_table(result.mismatches, state.labels()))
        note(f"events from {source}, state at block {result.block}")
        raise typer.Exit(EXIT_MISMATCH)
    console.print(
        f"verified: {result.emcs} EMC(s), {result.accounts} account(s), "
        f"{result.events:,} event(s) from {source}, {result.fields:,} figure(s) at block "
        f"{result.block}; no mismatch"
    )
