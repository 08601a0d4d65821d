"""``rdh audit verify``: every EMC's figures recomputed from its events, held against the
contracts' state at the same block."""

from __future__ import annotations

from typing import Annotated

import typer
from eth_typing import ChecksumAddress
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rdh_chain.cli.context import CliState, get_state
from rdh_chain.exceptions import InvalidInputError
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
    for header in ("EMC", "account", "field", "from the events", "on chain", "where"):
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


def _run(state: CliState, emc: ChecksumAddress | None, block: int | None) -> Verification:
    ledger = state.ledger
    w3 = ledger.w3
    head = w3.eth.block_number
    at = head if block is None else block
    if at > head:
        raise InvalidInputError(f"--block {at} is past the chain's head ({head}).")
    if at < ledger.deployment.block:
        raise InvalidInputError(
            f"--block {at} is before the deployment (block {ledger.deployment.block})."
        )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        reading = progress.add_task("reading events", total=None)
        events = chain_events(w3, ledger.deployment, ledger.artifacts, at, emc)
        progress.update(reading, total=len(events), completed=len(events))
        comparing = progress.add_task("comparing EMCs", total=None)

        def advance(stage: str, done: int, total: int) -> None:
            progress.update(comparing, completed=done, total=total)

        return verify(
            w3, ledger.artifacts, ledger.deployment, events, at, emc=emc, progress=advance
        )


def verify_command(
    ctx: typer.Context,
    emc: Annotated[
        str | None, typer.Argument(help="The EMC's address (default: every EMC).")
    ] = None,
    block: Annotated[
        int | None,
        typer.Option("--block", min=0, help="Verify the state at block N (default: the head)."),
    ] = None,
) -> None:
    """Recompute every account, pool, capital and fund from the events and compare them with
    the contracts' state at the block; exit 1 and list every mismatch if there is one."""
    state = get_state(ctx)
    address = None if emc is None else to_address(emc, "EMC")
    if address is not None:
        state.ledger.emc(address)  # NotFoundError unless the factory made it
    result = _run(state, address, block)
    console = Console()
    if result.mismatches:
        console.print(_table(result.mismatches, state.labels()))
        raise typer.Exit(EXIT_MISMATCH)
    console.print(
        f"verified: {result.emcs} EMC(s), {result.accounts} account(s), "
        f"{result.events:,} event(s), {result.fields:,} figure(s) at block {result.block}; "
        "no mismatch"
    )
