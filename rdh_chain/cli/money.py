"""Money commands: mint credit, settle a period, claim payouts, spend the development fund."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from rdh_chain import events, limits
from rdh_chain.claims import plan_claims
from rdh_chain.cli.batch_output import EXIT_FAILED_ROWS, send_with_progress
from rdh_chain.cli.context import (
    JsonOption,
    KeystoreOption,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
    text_hash,
)
from rdh_chain.cli.output import (
    bps_json,
    bps_text,
    class_name,
    echo,
    echo_json,
    hex32,
    note,
    position_json,
    rmb,
    table,
)
from rdh_chain.cli.reports import (
    CostOption,
    ProfitOption,
    ReportDocumentOption,
    UnitsOption,
    parse_report,
    read_attestation,
)
from rdh_chain.cli.settle_batch import run_batch
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.ledger import Ledger, MemberShare
from rdh_chain.pipeline import Pipeline
from rdh_chain.types import Settlement
from rdh_chain.validation import parse_amount

devfund_app = typer.Typer(help="Spend an EMC's development fund.", no_args_is_help=True)


def mint(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="Recipient: 0x address or local wallet name.")],
    amount: Annotated[str, typer.Argument(help="RMB, e.g. 1000000 or 1,000,000.00.")],
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Mint settlement credit (RMB held by the treasury) to a member; signed by a treasurer."""
    fen = parse_amount(amount, "AMOUNT", limits.MINT, positive=True)
    state = get_state(ctx)
    to = state.account(account, "recipient")
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    ledger.member(to)  # credit moves only between members: say so before the revert does
    result = ledger.token.mint(to, fen)
    echo(
        f"minted {rmb(fen)} RMB to {to}; balance {rmb(ledger.token.balance_of(to))} RMB "
        f"(tx 0x{result.tx_hash.hex()})"
    )


def settle(
    ctx: typer.Context,
    emc: Annotated[
        str | None, typer.Argument(help="The EMC's address (none with --batch).")
    ] = None,
    users: Annotated[
        str | None, typer.Option("--users", metavar="N", help="Users gained in the period.")
    ] = None,
    revenue: Annotated[
        str | None, typer.Option("--revenue", metavar="RMB", help="Ecosystem revenue in RMB.")
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option(
            "--batch",
            exists=True,
            dir_okay=False,
            help="Settle every period of a CSV file (emc,period,users,revenue[,cost,profit,"
            "units,document,attestation]); safe to run again.",
        ),
    ] = None,
    profit: ProfitOption = None,
    units: UnitsOption = "0",
    cost: CostOption = "0",
    document: ReportDocumentOption = None,
    attestation_file: Annotated[
        Path | None,
        typer.Option(
            "--attestation",
            dir_okay=False,
            help="An auditor's attestation of these figures (`rdh report sign`); needed for a "
            "loss drawn on capital, and for every report if the terms say so.",
        ),
    ] = None,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Settle a period as the EMC's owner or reporter: approve the profit, then pay it in
    and record it. A loss (cost above revenue) is paid to the reporter from the capital,
    once an auditor has attested the report. With --batch, every period of a CSV file
    (periods already settled are skipped)."""
    state = get_state(ctx)
    if batch is not None:
        given = [emc, users, revenue, profit, document, attestation_file]
        if any(v is not None for v in given) or (units, cost) != ("0", "0"):
            raise InvalidInputError(
                "--batch takes the periods from the file: drop the EMC and the report options."
            )
        run_batch(state.signer(WalletChoice(wallet, keystore, password_file)), batch, json_output)
        return
    if emc is None or users is None or revenue is None:
        raise InvalidInputError(
            "Name the EMC and give --users and --revenue (and --profit), or --batch FILE."
        )
    report = parse_report(users, units, revenue, cost, profit, document)
    attestation = None if attestation_file is None else read_attestation(attestation_file)
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    _, result = ledger.settle(client, report, attestation)
    outcome = client.settlement(result)
    totals = client.totals()
    if json_output:
        echo_json(
            {
                "emc": client.address,
                "period": outcome.period,
                "profit_fen": report.profit,
                "loss_fen": outcome.loss,
                "attested_by": outcome.auditor,
                "tx": result.tx_hash.to_0x_hex(),
                "target_reached": totals.target_reached,
            }
        )
        return
    tx = f"(tx 0x{result.tx_hash.hex()})"
    figures = f"{report.users:,} users, revenue {rmb(report.revenue)} RMB"
    if outcome.loss:
        echo(
            f"settled period {outcome.period} of {client.address} as a loss of "
            f"{rmb(outcome.loss)} RMB: {figures}, cost {rmb(report.cost)} RMB {tx}"
        )
        print_loss(client, outcome, ledger.address)
    else:
        echo(
            f"settled period {outcome.period} of {client.address}: profit "
            f"{rmb(report.profit)} RMB, {figures} {tx}"
        )
    if outcome.auditor is not None:
        echo(f"attested by auditor {outcome.auditor}")
    echo(
        f"cumulative: {totals.users:,} users, revenue {rmb(totals.revenue)} RMB, "
        f"profit {rmb(totals.profit)} RMB; target reached: "
        f"{'yes' if totals.target_reached else 'no'}"
    )


def print_loss(client: EmcClient, outcome: Settlement, reporter: str | None) -> None:
    """What the capital covered of a loss, the losses so far, and any dissolution."""
    uncovered = outcome.loss - outcome.covered
    if outcome.covered:
        covered = f"the capital covered {rmb(outcome.covered)} RMB of it, paid to {reporter}"
        echo(covered + (f"; {rmb(uncovered)} RMB uncovered" if uncovered else ""))
    else:
        echo("the capital covered none of it: nothing is invested")
    threshold = client.terms().loss_threshold
    echo(
        f"cumulative losses {rmb(outcome.cumulative_losses)} RMB of the "
        f"{rmb(threshold)} RMB that dissolve the EMC"
    )
    if not outcome.dissolved:
        return
    echo(f"the EMC dissolved: {rmb(outcome.capital)} RMB of capital is left to return")
    if outcome.pool_released:
        echo(
            f"short of the target, {rmb(outcome.pool_released)} RMB of value-added credit was "
            f"released: {rmb(outcome.pool_to_investors)} RMB to the investors by the losses "
            f"their capital bore, {rmb(outcome.pool_to_dev_fund)} RMB to the development fund"
        )
    note(
        f"investors take their part back with `rdh capital claim {client.address}`; "
        f"earnings stay claimable with `rdh claim {client.address}`."
    )


def claim(
    ctx: typer.Context,
    emc: Annotated[
        str | None, typer.Argument(help="The EMC's address (or --all for every EMC).")
    ] = None,
    every: Annotated[
        bool,
        typer.Option("--all", help="Claim from every EMC where the wallet has credit claimable."),
    ] = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Claim everything the wallet can claim from an EMC, or with --all from every EMC."""
    if (emc is None) == (not every):
        raise InvalidInputError("Name one EMC, or pass --all for every EMC (not both).")
    state = get_state(ctx)
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    if every:
        _claim_all(ledger, json_output)
        return
    assert emc is not None
    client = state.emc(emc, ledger)
    amount, result = client.claim()
    assert ledger.address is not None
    position = client.position(ledger.address)
    if json_output:
        echo_json(
            {
                "emc": client.address,
                "claimed_fen": amount,
                "tx": result.tx_hash.to_0x_hex(),
                "position": position_json(position),
            }
        )
        return
    echo(
        f"claimed {rmb(amount)} RMB from {client.address} to {ledger.address} "
        f"(tx 0x{result.tx_hash.hex()})"
    )
    echo(f"paid in all {rmb(position.paid)} RMB; still locked {rmb(position.locked)} RMB")


def _claim_all(ledger: Ledger, json_output: bool) -> None:
    block, plans = plan_claims(ledger)
    report = send_with_progress(Pipeline(ledger.w3, ledger.decoder), [p.call for p in plans])
    rows: list[dict[str, Any]] = []
    for plan, outcome in zip(plans, report.outcomes, strict=True):
        paid = None
        if outcome.ok and outcome.result is not None:
            paid = plan.emc.event(outcome.result, events.Claimed).amount
        rows.append(
            {
                "emc": plan.emc.address,
                "claimable_fen": plan.position.claimable,
                "claimed_fen": paid,
                "outcome": outcome.status.value,
                "tx": None if outcome.tx_hash is None else outcome.tx_hash.to_0x_hex(),
                "error": None if outcome.error is None else str(outcome.error),
            }
        )
    total = sum(r["claimed_fen"] or 0 for r in rows)
    if json_output:
        echo_json({"block": block, "claimed_fen": total, "claims": rows})
    else:
        table(
            ("EMC", "claimable (RMB)", "claimed (RMB)", "outcome", "tx / error"),
            [
                (
                    r["emc"],
                    rmb(r["claimable_fen"]),
                    "" if r["claimed_fen"] is None else rmb(r["claimed_fen"]),
                    r["outcome"],
                    r["error"] or r["tx"],
                )
                for r in rows
            ],
            right=(1, 2),
        )
    note(
        f"claimed {rmb(total)} RMB from {sum(r['claimed_fen'] is not None for r in rows)} "
        f"of {len(rows)} EMC(s) with credit claimable at block {block}"
        if rows
        else f"nothing to claim in any EMC at block {block}"
    )
    if not report.ok:
        note("run `rdh claim --all` again once fixed: it claims only what is still claimable")
        raise typer.Exit(EXIT_FAILED_ROWS)


@devfund_app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    to: Annotated[str, typer.Option("--to", help="Recipient: 0x address or local wallet name.")],
    amount: Annotated[str, typer.Option("--amount", metavar="RMB", help="RMB to pay out.")],
    purpose: Annotated[
        str, typer.Option("--purpose", help="What for; the ledger records its keccak-256 hash.")
    ],
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Pay from the development fund (as the EMC's owner) for a stated purpose."""
    state = get_state(ctx)
    recipient = state.account(to, "--to")
    fen = parse_amount(amount, "--amount", limits.CUMULATIVE_PROFIT, positive=True)
    purpose_hash = text_hash(purpose)
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    result = client.withdraw_dev_fund(recipient, fen, purpose_hash)
    fund = ledger.dev_fund(client)
    echo(
        f"paid {rmb(fen)} RMB from the development fund of {client.address} to {recipient} "
        f"(tx 0x{result.tx_hash.hex()})"
    )
    echo(f"purpose {purpose!r} recorded as {hex32(purpose_hash)}")
    echo(f"the fund has {rmb(fund.claimable)} RMB left")


@devfund_app.command("sweep")
def sweep(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Move credit the EMC holds above everything it owes (e.g. sent straight to its
    address) into its development fund; as the owner or a treasurer."""
    state = get_state(ctx)
    reader = state.emc(emc)
    if reader.sweepable() == 0:
        raise InvalidInputError(
            f"{reader.address} holds nothing above what it owes (claimable, locked, dust, "
            "capital, the released pool and the development fund): nothing to sweep."
        )
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    amount, result = client.sweep()
    fund = ledger.dev_fund(client)
    echo(
        f"swept {rmb(amount)} RMB into the development fund of {client.address}; it has "
        f"{rmb(fund.claimable)} RMB (tx 0x{result.tx_hash.hex()})"
    )


def share(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="0x address or local wallet name.")],
    emc: Annotated[
        str | None, typer.Option("--emc", help="One EMC (default: every EMC naming ACCOUNT).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """What a member is promised (bps by class), has been paid, can claim and has locked."""
    state = get_state(ctx)
    address = state.account(account, "member")
    ledger = state.ledger
    found = [ledger.share(state.emc(emc), address)] if emc else ledger.shares(address)
    if as_json:
        echo_json({"account": address, "emcs": [_share_json(s) for s in found]})
        return
    if not found:
        echo(f"{address} is named in no EMC's active share version and has been paid nothing.")
        return
    table(
        ["EMC", "VERSION", "PROMISED", "CLAIMABLE (RMB)", "LOCKED (RMB)", "PAID (RMB)"],
        [
            [
                s.emc,
                str(s.version_id or "-"),
                ", ".join(f"{class_name(c)} {bps_text(b)}" for c, b in sorted(s.bps.items()))
                or "-",
                rmb(s.position.claimable),
                rmb(s.position.locked),
                rmb(s.position.paid),
            ]
            for s in found
        ],
        right=[1, 3, 4, 5],
    )
    if len(found) > 1:
        echo(
            f"in all: claimable {rmb(sum(s.position.claimable for s in found))} RMB, "
            f"locked {rmb(sum(s.position.locked for s in found))} RMB, "
            f"paid {rmb(sum(s.position.paid for s in found))} RMB"
        )


def _share_json(member_share: MemberShare) -> dict[str, Any]:
    return {
        "emc": member_share.emc,
        "version_id": member_share.version_id,
        "bps": bps_json(member_share.bps),
        "total_bps": member_share.total_bps,
        **position_json(member_share.position),
    }
