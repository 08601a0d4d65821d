"""``rdh audit verify``: every EMC's figures recomputed from its events, held against the
contracts' state at the same block.

The events come from the index when there is one (``--index-url``, ``$RDH_INDEX_URL`` or
``index.sqlite`` in the data folder), and the state is read at the index's checkpoint, so
a tampered index row shows; ``--source chain`` (or no index) reads them from the node
(see :mod:`rdh_chain.cli.sources`). Mismatches name each account beside its address.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer
from eth_typing import ChecksumAddress
from rich.table import Table

from rdh_chain.cli.batch_output import stage_progress
from rdh_chain.cli.context import CliState, JsonOption, get_state
from rdh_chain.cli.output import echo_json, note
from rdh_chain.cli.sources import (
    Events,
    EventSource,
    IndexUrlOption,
    Source,
    SourceOption,
    table_console,
)
from rdh_chain.validation import to_address
from rdh_chain.verify import Mismatch, Verification, verify

EXIT_MISMATCH = 1


def _label(account: ChecksumAddress | None, labels: Mapping[ChecksumAddress, str]) -> str:
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


def _table(mismatches: tuple[Mismatch, ...], labels: Mapping[ChecksumAddress, str]) -> Table:
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


def _json(result: Verification, origin: str) -> dict[str, Any]:
    found = result.as_json()
    return {"block": found.pop("block"), "source": origin, **found}


def _run(
    state: CliState,
    emc: ChecksumAddress | None,
    block: int | None,
    source: EventSource,
) -> tuple[Verification, Events]:
    ledger = state.ledger
    with stage_progress() as progress:
        reading = progress.add_task("reading events", total=None)

        def read(stage: str, done: int, total: int) -> None:
            progress.update(reading, description=f"reading {stage}", completed=done, total=total)

        events = source.read(emc=emc, block=block, progress=read)
        count = len(events.decoded)
        progress.update(reading, description="events read", total=count, completed=count)
        comparing = progress.add_task("comparing EMCs", total=None)

        def advance(stage: str, done: int, total: int) -> None:
            progress.update(comparing, completed=done, total=total)

        result = verify(
            ledger.w3,
            ledger.artifacts,
            ledger.deployment,
            events.decoded,
            events.block,
            emc=emc,
            progress=advance,
        )
    return result, events


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
    source: SourceOption = Source.AUTO,
    index_url: IndexUrlOption = None,
    json_output: JsonOption = False,
) -> None:
    """Recompute every figure from the events and compare it with the chain's at a block.

    Every account's accrued, paid, claimable and locked amounts, every pool, the capital
    and the development fund; exit 1 and list every mismatch if there is one.
    """
    state = get_state(ctx)
    address = None if emc is None else to_address(emc, "EMC")
    if address is not None:
        state.ledger.emc(address)  # NotFoundError unless the factory made it
    result, events = _run(state, address, block, EventSource(state, source, index_url))
    if json_output:
        echo_json(_json(result, events.origin))
        if result.mismatches:
            raise typer.Exit(EXIT_MISMATCH)
        return
    console = table_console()
    if result.mismatches:
        console.print(_table(result.mismatches, events.names))
        note(f"events from {events.read_from}, state at block {result.block}")
        raise typer.Exit(EXIT_MISMATCH)
    console.print(
        f"verified: {result.emcs} EMC(s), {result.accounts} account(s), "
        f"{result.events:,} event(s) from {events.read_from}, {result.fields:,} figure(s) at "
        f"block {result.block}; no mismatch"
    )
