"""``rdh member import FILE``: register members in bulk (:mod:`rdh_chain.member_import`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from rdh_chain.cli.batch_output import EXIT_FAILED_ROWS, send_with_progress
from rdh_chain.cli.context import (
    JsonOption,
    KeystoreOption,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
)
from rdh_chain.cli.output import echo_json, note
from rdh_chain.cli.sources import table_console
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.member_import import Action, PlannedRow, metadata_text, plan_import, read_rows
from rdh_chain.pipeline import Outcome, Pipeline, Report
from rdh_chain.profiles import ProfileStore


def _outcomes(plans: list[PlannedRow], report: Report | None) -> list[Outcome | None]:
    sent = iter(report.outcomes if report is not None else ())
    return [None if p.call is None or report is None else next(sent) for p in plans]


def _json(plans: list[PlannedRow], outcomes: list[Outcome | None]) -> list[dict[str, Any]]:
    return [
        {
            "line": p.row.line,
            "account": p.row.account,
            "role": p.row.role.value,
            "name": p.row.profile.name if p.row.profile else None,
            "action": p.action.value,
            "metadata": metadata_text(p.metadata),
            "outcome": "on chain already"
            if o is None and p.call is None
            else ("planned" if o is None else o.status.value),
            "tx": o.tx_hash.to_0x_hex() if o is not None and o.tx_hash is not None else None,
            "error": str(o.error) if o is not None and o.error is not None else None,
        }
        for p, o in zip(plans, outcomes, strict=True)
    ]


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"{len(rows)} row(s)", title_justify="left")
    for header in ("line", "account", "role", "name", "action", "outcome", "tx / error"):
        table.add_column(header, overflow="fold")
    for r in rows:
        detail = r["error"] or r["tx"] or ""
        table.add_row(
            str(r["line"]),
            r["account"],
            r["role"],
            r["name"] or "",
            r["action"],
            r["outcome"],
            detail,
        )
    return table


def import_command(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="CSV: account,role[,kind,name,note], one role a row."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what each row would do; send nothing.")
    ] = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Register members from a CSV file, skipping what the registry has already.

    Every row is checked first; rows the registry already holds are skipped, the rest are
    sent together (signed by an operator, default admin). Safe to run again after a failure:
    it sends only what is missing. Exit 1 if any row failed.
    """
    state = get_state(ctx)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"Cannot read {file}: {exc}") from exc
    rows = read_rows(text, file.parent)
    operator = state.signer(WalletChoice(wallet, keystore, password_file), "admin")
    store = None if dry_run else ProfileStore.in_data_dir(state.settings.data_dir)
    plans = plan_import(operator, rows, store)
    todo = [p for p in plans if p.call is not None]
    report = None
    if todo and not dry_run:
        calls = [p.call for p in todo if p.call is not None]
        report = send_with_progress(Pipeline(operator.w3, operator.decoder), calls)
    found = _json(plans, _outcomes(plans, report))
    if json_output:
        echo_json(found)
    else:
        table_console().print(_table(found))
    counts = {a: sum(p.action is a for p in plans) for a in Action}
    failed = len(report.failures) if report is not None else 0
    verb = "would send" if dry_run else "sent"
    note(
        f"{len(plans)} row(s): {counts[Action.SKIP]} on chain already, {verb} "
        f"{counts[Action.ADD]} addition(s) and {counts[Action.SET_METADATA]} metadata "
        f"update(s); {failed} failed"
    )
    if failed:
        note("fix the failed rows and run the same command again: it skips what landed")
        raise typer.Exit(EXIT_FAILED_ROWS)
