"""``rdh emc``: ecosystem micro-communities, created by operators through the factory."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from rdh_chain import limits
from rdh_chain.cli import departures
from rdh_chain.cli.capital import capital_fields, capital_json
from rdh_chain.cli.context import (
    JsonOption,
    KeystoreOption,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
    optional_bytes32,
    text_hash,
)
from rdh_chain.cli.guidelines import StrategyName, parse_criteria, terms_json
from rdh_chain.cli.output import (
    echo,
    echo_json,
    fields,
    hex32,
    note,
    percent,
    position_json,
    rmb,
    table,
)
from rdh_chain.cli.shares import print_version, version_json
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.types import TOTAL_BPS, ZERO_ADDRESS, EmcTerms
from rdh_chain.validation import parse_amount, parse_count, to_uint

emc_app = typer.Typer(help="Create and inspect EMCs.", no_args_is_help=True)

_DEFAULT_SIGNER = "admin"  # an operator; the deploying admin is the first one

emc_app.command("terminate")(departures.terminate)
emc_app.command("resign")(departures.resign)


@emc_app.command("create")
def create(
    ctx: typer.Context,
    owner: Annotated[
        str, typer.Option("--owner", help="The owning ME: 0x address or local wallet name.")
    ],
    strategy: Annotated[
        StrategyName | None,
        typer.Option("--strategy", help="Generate the terms with this guideline's formula."),
    ] = None,
    criteria: Annotated[
        str | None,
        typer.Option(
            "--criteria",
            help="With --strategy: market capacity, consumption habits, industry scale and "
            "team integration, each 0-100, e.g. 100,80,60,80.",
        ),
    ] = None,
    target_users: Annotated[
        str | None,
        typer.Option(
            "--target-users", metavar="N", help="Terms by hand: users to reach (needs --reason)."
        ),
    ] = None,
    target_revenue: Annotated[
        str | None,
        typer.Option(
            "--target-revenue", metavar="RMB", help="Terms by hand: revenue target in RMB."
        ),
    ] = None,
    sharing_space: Annotated[
        str | None,
        typer.Option(
            "--sharing-space", metavar="RMB", help="Terms by hand: value-added sharing space."
        ),
    ] = None,
    loss_threshold: Annotated[
        str | None,
        typer.Option(
            "--loss-threshold",
            metavar="RMB",
            help="Terms by hand: cumulative losses (RMB) that dissolve it.",
        ),
    ] = None,
    partner_min_bps: Annotated[
        int,
        typer.Option(
            "--partner-min-bps", help="Terms by hand: smallest partner share (Smart Cooking: 200)."
        ),
    ] = 1,
    partner_max_bps: Annotated[
        int,
        typer.Option(
            "--partner-max-bps", help="Terms by hand: largest partner share (Smart Cooking: 600)."
        ),
    ] = TOTAL_BPS,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Terms by hand: why (its hash is recorded on chain)."),
    ] = None,
    metadata: Annotated[
        str | None,
        typer.Option("--metadata", help="0x + 64 hex digits: hash of the EMC's description."),
    ] = None,
    max_notice: Annotated[
        int,
        typer.Option("--max-notice", help="Terms by hand: longest departure notice, in periods."),
    ] = 12,
    attest_all: Annotated[
        bool,
        typer.Option(
            "--attest-all/--attest-losses",
            help="Terms by hand: every period report needs an auditor's attestation "
            "(default: only losses that draw on capital).",
        ),
    ] = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Register an EMC (signed by an operator) and print its address.

    Its terms come from a target guideline (--strategy and --criteria) or are set by
    hand (--target-users, --target-revenue, --sharing-space, --loss-threshold) with a --reason.
    """
    state = get_state(ctx)
    owner_address = state.account(owner, "--owner")
    reference = optional_bytes32(metadata, "--metadata")
    by_hand = (target_users, target_revenue, sharing_space, loss_threshold, reason)
    if strategy is not None:
        if criteria is None or any(v is not None for v in by_hand):
            raise InvalidInputError(
                "--strategy takes --criteria (four scores 0-100) and no terms by hand."
            )
        ledger = state.signer(WalletChoice(wallet, keystore, password_file), _DEFAULT_SIGNER)
        address, result = ledger.factory.create_emc(
            owner_address, strategy.strategy, parse_criteria(criteria), reference
        )
    else:
        if (
            criteria is not None
            or target_users is None
            or target_revenue is None
            or sharing_space is None
            or loss_threshold is None
            or reason is None
        ):
            raise InvalidInputError(
                "Give --strategy and --criteria to generate the terms, or set them by hand with "
                "--target-users, --target-revenue, --sharing-space, --loss-threshold and a "
                "--reason."
            )
        terms = EmcTerms(
            target_users=parse_count(target_users, "--target-users", limits.TERMS_USERS),
            target_revenue=parse_amount(target_revenue, "--target-revenue", limits.TERMS_REVENUE),
            sharing_space=parse_amount(
                sharing_space, "--sharing-space", limits.TERMS_SHARING_SPACE
            ),
            loss_threshold=parse_amount(
                loss_threshold, "--loss-threshold", limits.TERMS_LOSS_THRESHOLD
            ),
            metadata=reference,
            partner_min_bps=to_uint(partner_min_bps, "--partner-min-bps", "uint16"),
            partner_max_bps=to_uint(partner_max_bps, "--partner-max-bps", "uint16"),
            max_notice_periods=to_uint(max_notice, "--max-notice", limits.TERMS_NOTICE),
            attest_all_reports=attest_all,
        )
        ledger = state.signer(WalletChoice(wallet, keystore, password_file), _DEFAULT_SIGNER)
        address, result = ledger.factory.create_emc_with_terms(
            owner_address, terms, text_hash(reason)
        )
    echo(address)  # alone on stdout, so scripts can capture it
    note(f"EMC created for owner {owner_address} (tx {result.tx_hash.to_0x_hex()}).")


@emc_app.command("list")
def list_emcs(
    ctx: typer.Context,
    as_json: JsonOption = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Print only the addresses, one a line, in the order of registration "
            "(for the shell: EMC=$(rdh emc list -q | head -n 1)).",
        ),
    ] = False,
) -> None:
    """Every EMC with its owner, status and running totals."""
    state = get_state(ctx)
    ledger = state.ledger
    if quiet:
        for address in ledger.factory.emcs():
            echo(address)
        return
    clients = [ledger.emc(a) for a in ledger.factory.emcs()]
    if as_json:
        echo_json([_summary_json(c) for c in clients])
        return
    if not clients:
        echo("No EMCs yet; create one with `rdh emc create`.")
        return
    labels = state.labels()
    rows = []
    for index, client in enumerate(clients):
        totals = client.totals()
        owner = client.owner()
        rows.append(
            [
                str(index),
                client.address,
                labels.get(owner, owner),
                client.status().name.lower(),
                str(client.active_version_id() or "-"),
                str(totals.periods),
                rmb(totals.profit),
                rmb(totals.paid),
                "yes" if totals.target_reached else "no",
            ]
        )
    table(
        [
            "#",
            "EMC",
            "OWNER",
            "STATUS",
            "VERSION",
            "PERIODS",
            "PROFIT (RMB)",
            "PAID (RMB)",
            "TARGET",
        ],
        rows,
        right=[0, 4, 5, 6, 7],
    )


@emc_app.command("show")
def show(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    as_json: JsonOption = False,
) -> None:
    """An EMC's terms, totals, capital and losses, active share version with entries,
    development fund, and the notices given to members of the active version."""
    state = get_state(ctx)
    ledger = state.ledger
    client = state.emc(emc)
    labels = state.labels()
    terms = client.terms()
    totals = client.totals()
    fund = ledger.dev_fund(client)
    active = client.active_version_id()
    count = client.version_count()
    capital = client.capital_totals()
    pool = client.pool()
    notices = ledger.departures(client)
    if as_json:
        data = _summary_json(client)
        data.update(
            {
                "version_count": count,
                "active_version": version_json(client, active, labels) if active else None,
                "dev_fund": position_json(fund),
                "balance_fen": ledger.token.balance_of(client.address),
                "pool": {
                    "sharing_space_fen": pool.sharing_space,
                    "accrued_fen": pool.accrued_fen,
                    "left_fen": pool.left,
                    "full": pool.full_at_profit != 0,
                    "excess_to_dev_fund_fen": pool.excess // TOTAL_BPS,
                },
                "sweepable_fen": client.sweepable(),
                "capital": capital_json(capital),
                "departures": departures.departures_json(notices, totals.periods, labels),
            }
        )
        echo_json(data)
        return
    owner = client.owner()
    fields(
        [
            ("EMC", client.address),
            ("owner", f"{owner} ({labels[owner]})" if owner in labels else owner),
            ("status", client.status().name.lower()),
            ("target", f"{terms.target_users:,} users and {rmb(terms.target_revenue)} RMB revenue"),
            (
                "sharing space",
                f"{rmb(terms.sharing_space)} RMB: the pool accrued {rmb(pool.accrued_fen)} RMB, "
                f"{rmb(pool.left)} RMB left"
                + (
                    f" (full; {rmb(pool.excess // TOTAL_BPS)} RMB beyond it went to the fund)"
                    if pool.full_at_profit
                    else ""
                ),
            ),
            ("loss threshold", f"{rmb(terms.loss_threshold)} RMB of cumulative losses"),
            ("notice", f"1 to {terms.max_notice_periods} periods"),
            (
                "attestation",
                "every report" if terms.attest_all_reports else "losses drawn on capital",
            ),
            (
                "partner share",
                f"{percent(terms.partner_min_bps)} to {percent(terms.partner_max_bps)} of profit",
            ),
            ("metadata", hex32(terms.metadata)),
            ("periods", str(totals.periods)),
            ("users", f"{totals.users:,}"),
            ("revenue", f"{rmb(totals.revenue)} RMB"),
            ("profit", f"{rmb(totals.profit)} RMB"),
            ("paid out", f"{rmb(totals.paid)} RMB"),
            ("target reached", "yes" if totals.target_reached else "no"),
            (
                "dev fund",
                f"{rmb(fund.claimable)} RMB available, "
                f"{rmb(totals.dev_fund_withdrawn)} RMB withdrawn",
            ),
            ("held", f"{rmb(ledger.token.balance_of(client.address))} RMB"),
            *capital_fields(capital, terms.loss_threshold),
        ]
    )
    echo()
    if active:
        print_version(client, active, labels, count)
        echo()
        departures.print_departures(notices, totals.periods, labels)
    else:
        echo(f"No active share version ({count} proposed); set one with `rdh shares set`.")


def _summary_json(client: EmcClient) -> dict[str, Any]:
    terms = client.terms()
    totals = client.totals()
    return {
        "address": client.address,
        "owner": client.owner(),
        "status": client.status().name.lower(),
        "terms": {**terms_json(terms), "metadata": hex32(terms.metadata)},
        "totals": {
            "periods": totals.periods,
            "users": totals.users,
            "revenue_fen": totals.revenue,
            "profit_fen": totals.profit,
            "paid_fen": totals.paid,
            "dev_fund_withdrawn_fen": totals.dev_fund_withdrawn,
            "target_reached": totals.target_reached,
        },
        "active_version_id": client.active_version_id(),
    }


@emc_app.command("reporter")
def set_reporter(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    account: Annotated[
        str | None,
        typer.Argument(help="The ME to appoint: 0x address or local wallet name."),
    ] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Remove the reporter: the owner settles alone.")
    ] = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Appoint the ME that reports and settles periods beside the owner (owner's wallet)."""
    state = get_state(ctx)
    if (account is None) == (not remove):
        raise InvalidInputError("Name the ME to appoint, or pass --remove (not both).")
    reporter = ZERO_ADDRESS if account is None else state.account(account, "reporter")
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    result = client.set_reporter(reporter)
    done = "removed the reporter" if remove else f"appointed {reporter} as reporter"
    echo(f"{done} of {client.address} (tx {result.tx_hash.to_0x_hex()})")
