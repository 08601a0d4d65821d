"""``rdh demo``: the guided tour that ``make run`` starts."""

from __future__ import annotations

import typer

from rdh_chain.cli.context import get_state

demo_app = typer.Typer(help="Show the ledger working end to end.", no_args_is_help=True)


@demo_app.command("run")
def run(ctx: typer.Context) -> None:
    """Run the Smart Cooking story on the configured chain."""
    # Imported here: the demo pulls in more than any other command needs.
    from rdh_chain.demo import run as run_demo

    run_demo(get_state(ctx).settings)
