"""The ``rdh`` command: one place that maps errors to messages and exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from rdh_chain.cli import money
from rdh_chain.cli.audit import audit_app
from rdh_chain.cli.bids import bid_app
from rdh_chain.cli.capital import capital_app
from rdh_chain.cli.chain import chain_app
from rdh_chain.cli.context import CliState, NumberArgsCommand
from rdh_chain.cli.demo import demo_app
from rdh_chain.cli.deploy import deploy_command
from rdh_chain.cli.drafts import draft, propose_signed, sign_draft
from rdh_chain.cli.emcs import emc_app
from rdh_chain.cli.guidelines import guidelines_app
from rdh_chain.cli.index import index_app
from rdh_chain.cli.member_import import import_command
from rdh_chain.cli.members import member_app
from rdh_chain.cli.reports import report_app
from rdh_chain.cli.shares import shares_app
from rdh_chain.cli.statement import statement
from rdh_chain.cli.wallets import wallet_app
from rdh_chain.exceptions import (
    BadInputRevertError,
    InvalidInputError,
    NotFoundError,
    RdhChainError,
)

# Exit codes: 1 for a refusal or a failure, 2 for input to correct (as click does for usage).
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
_BAD_INPUT = (InvalidInputError, BadInputRevertError, NotFoundError)


def exit_code(error: RdhChainError) -> int:
    return EXIT_BAD_INPUT if isinstance(error, _BAD_INPUT) else EXIT_FAILURE


class RdhGroup(TyperGroup):
    """The root group; every subcommand runs inside its ``invoke``."""

    # ``ctx`` is typer's vendored click Context, which typer does not export.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RdhChainError as error:
            # Expected errors carry a message saying what to do: no traceback.
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(exit_code(error)) from None


app = typer.Typer(
    cls=RdhGroup,
    name="rdh",
    help="rdh-chain: a permissioned ledger for Rendanheyi EMC agreements.",
    no_args_is_help=True,
    # Never print locals on an unexpected error: they may hold keystore passwords.
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    rpc_url: Annotated[
        str | None,
        typer.Option(
            "--rpc-url",
            help="JSON-RPC URL of the node (default: $RDH_RPC_URL, else http://127.0.0.1:8545).",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            file_okay=False,
            help="Folder of keystores, deployment record and chain state "
            "(default: $RDH_DATA_DIR, else .rdh in the project).",
        ),
    ] = None,
) -> None:
    """Global options; RDH_* environment variables supply the defaults."""
    ctx.obj = CliState(rpc_url=rpc_url, data_dir=data_dir)


app.add_typer(chain_app, name="chain")
app.add_typer(wallet_app, name="wallet")
app.command("deploy")(deploy_command)
member_app.command("import")(import_command)
app.add_typer(member_app, name="member")
app.add_typer(guidelines_app, name="guidelines")
app.add_typer(emc_app, name="emc")
shares_app.command("draft")(draft)
shares_app.command("sign-draft")(sign_draft)
shares_app.command("propose-signed")(propose_signed)
app.add_typer(shares_app, name="shares")
app.add_typer(bid_app, name="bid")
app.add_typer(report_app, name="report")
app.command("mint", cls=NumberArgsCommand)(money.mint)
app.command("settle")(money.settle)
app.command("claim")(money.claim)
app.add_typer(money.devfund_app, name="devfund")
app.add_typer(capital_app, name="capital")
app.command("share")(money.share)
app.command("statement")(statement)
app.add_typer(demo_app, name="demo")
app.add_typer(index_app, name="index")
app.add_typer(audit_app, name="audit")
