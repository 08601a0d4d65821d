"""``rdh capital``: members invest in an EMC's capital, which pays its losses and is
returned pro rata once the EMC dissolves."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from rdh_chain import events, limits
from rdh_chain.cli.context import (
    JsonOption,
    KeystoreOption,
    NumberArgsCommand,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
)
from rdh_chain.cli.output import echo, echo_json, fields, note, rmb
from rdh_chain.types import CapitalHolding, CapitalTotals, EmcStatus
from rdh_chain.validation import parse_amount

capital_app = typer.Typer(
    help="Invest in an EMC's capital and claim it back after dissolution.", no_args_is_help=True
)

EmcArgument = Annotated[str, typer.Argument(help="The EMC's address.")]


def capital_json(totals: CapitalTotals) -> dict[str, int]:
    return {
        "capital_fen": totals.capital,
        "units": totals.total_units,
        "era": totals.era,
        "invested_fen": totals.invested,
        "losses_fen": totals.losses,
        "losses_covered_fen": totals.losses_covered,
        "returned_fen": totals.returned,
        "pool_released_fen": totals.pool_released,
    }


def capital_fields(totals: CapitalTotals, threshold: int) -> list[tuple[str, str]]:
    """The pool's figures as ``fields`` pairs (also part of `rdh emc show`)."""
    return [
        ("capital", f"{rmb(totals.capital)} RMB in {totals.total_units:,} units"),
        ("invested", f"{rmb(totals.invested)} RMB in all"),
        (
            "losses",
            f"{rmb(totals.losses)} RMB of the {rmb(threshold)} RMB that dissolve it; "
            f"{rmb(totals.losses_covered)} RMB covered by the capital",
        ),
        ("returned", f"{rmb(totals.returned)} RMB of capital paid back"),
        ("pool released", f"{rmb(totals.pool_released)} RMB of value-added credit"),
    ]


def holding_json(holding: CapitalHolding) -> dict[str, int]:
    return {
        "units": holding.units,
        "value_fen": holding.value,
        "invested_fen": holding.invested,
    }


def _holding_fields(holding: CapitalHolding) -> list[tuple[str, str]]:
    return [
        ("units", f"{holding.units:,}"),
        ("value", f"{rmb(holding.value)} RMB"),
        ("invested", f"{rmb(holding.invested)} RMB"),
    ]


@capital_app.command("invest", cls=NumberArgsCommand)
def invest(
    ctx: typer.Context,
    emc: EmcArgument,
    amount: Annotated[str, typer.Argument(help="RMB to invest, e.g. 50,000.")],
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Invest in an active EMC as a member named in one of its versions (approves first)."""
    state = get_state(ctx)
    fen = parse_amount(amount, "AMOUNT", limits.INVESTED, positive=True)
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    units, result = ledger.invest(client, fen)
    assert ledger.address is not None
    holding = client.capital_of(ledger.address)
    echo(
        f"invested {rmb(fen)} RMB in {client.address} for {units:,} units "
        f"(tx {result.tx_hash.to_0x_hex()})"
    )
    echo(
        f"{ledger.address} holds {holding.units:,} units worth {rmb(holding.value)} RMB; "
        f"the capital is {rmb(client.capital_totals().capital)} RMB"
    )


@capital_app.command("claim")
def claim(
    ctx: typer.Context,
    emc: EmcArgument,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Take back the wallet's part of a dissolved EMC's capital (once)."""
    state = get_state(ctx)
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    amount, result = client.claim_capital()
    returned = client.event(result, events.CapitalReturned)
    echo(
        f"claimed {rmb(amount)} RMB from {client.address} to {ledger.address}: "
        f"{rmb(returned.amount)} RMB of capital and {rmb(returned.pool_share)} RMB of "
        f"the released pool (tx {result.tx_hash.to_0x_hex()})"
    )
    echo(f"{rmb(client.capital_totals().capital)} RMB of capital is left for the others")


@capital_app.command("show")
def show(
    ctx: typer.Context,
    emc: EmcArgument,
    account: Annotated[
        str | None,
        typer.Argument(help="Also one member's holding: 0x address or local wallet name."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """An EMC's capital, units, investments, losses and returns; and one member's holding."""
    state = get_state(ctx)
    address = None if account is None else state.account(account, "ACCOUNT")
    client = state.emc(emc)
    totals = client.capital_totals()
    holding = None if address is None else client.capital_of(address)
    status = client.status()
    if as_json:
        data: dict[str, Any] = {
            "emc": client.address,
            "status": status.name.lower(),
            **capital_json(totals),
        }
        if holding is not None:
            data["account"] = {"address": address, **holding_json(holding)}
        echo_json(data)
        return
    pairs = [("EMC", client.address), ("status", status.name.lower())]
    fields(pairs + capital_fields(totals, client.terms().loss_threshold))
    if holding is not None:
        echo()
        fields([("account", str(address)), *_holding_fields(holding)])
    if status is EmcStatus.DISSOLVED:
        note(f"dissolved: investors claim their part with `rdh capital claim {client.address}`.")
