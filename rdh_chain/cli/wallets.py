"""``rdh wallet``: named keystores in ``<data-dir>/keystores``."""

from __future__ import annotations

from typing import Annotated

import typer

from rdh_chain.cli.context import JsonOption, get_state
from rdh_chain.cli.output import echo, echo_json, note, table
from rdh_chain.wallet import create_keystore

wallet_app = typer.Typer(help="Create and list local wallets.", no_args_is_help=True)


@wallet_app.command("new")
def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Wallet name, e.g. chef (letters, digits, - or _).")],
) -> None:
    """Create an encrypted keystore NAME, protected by the folder's password file."""
    keystores = get_state(ctx).keystores
    path = keystores.path(name)
    wallet = create_keystore(path, keystores.ensure_password())
    echo(f"{wallet.name} {wallet.address}")
    note(f"keystore written to {path}")


@wallet_app.command("list")
def list_wallets(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The local wallets: name and address."""
    state = get_state(ctx)
    wallets = state.wallet_addresses()
    if as_json:
        echo_json([{"name": n, "address": a} for n, a in wallets.items()])
        return
    if not wallets:
        echo(f"No wallets in {state.keystores.folder}; create one with `rdh wallet new NAME`.")
        return
    table(["NAME", "ADDRESS"], [[n, a] for n, a in wallets.items()])
