"""Period reports: the figures ``rdh settle`` records, and auditors' attestations of them.

A loss that draws on the members' invested capital, and every report of an EMC whose
terms ask for it, must carry an active auditor's EIP-712 signature of the whole report
as the EMC's next period. The reporter hands the auditor the typed data (``rdh report
typed-data``); the auditor checks the figures and signs in its own wallet (``rdh report
sign``, or ``eth_signTypedData_v4`` anywhere); the reporter settles with the
attestation file (``rdh settle ... --attestation FILE``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from eth_typing import ChecksumAddress

from rdh_chain import limits
from rdh_chain.agreements import typed_data_json
from rdh_chain.cli.context import (
    KeystoreOption,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
    optional_bytes32,
)
from rdh_chain.cli.output import echo, note, rmb
from rdh_chain.cli.shares import chain_time, named, write_json
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.reports import report_from_typed_data
from rdh_chain.types import PeriodReport, ReportAttestation, Role
from rdh_chain.validation import parse_amount, parse_count, to_address, to_uint

report_app = typer.Typer(
    help="Auditors' attestations of period reports (needed for losses drawn on capital).",
    no_args_is_help=True,
)

_HOUR = 3600

# The figures of a period report, shared by `rdh settle` and `rdh report typed-data`.
UsersOption = Annotated[
    str, typer.Option("--users", metavar="N", help="Users gained in the period.")
]
RevenueOption = Annotated[
    str, typer.Option("--revenue", metavar="RMB", help="Ecosystem revenue in RMB.")
]
ProfitOption = Annotated[
    str | None,
    typer.Option(
        "--profit",
        metavar="RMB",
        help="The period's profit in RMB (paid in); at most revenue minus cost. "
        "A loss period (cost above revenue) has none: omit it or pass 0.",
    ),
]
UnitsOption = Annotated[str, typer.Option("--units", metavar="N", help="Units sold in the period.")]
CostOption = Annotated[
    str, typer.Option("--cost", metavar="RMB", help="The period's costs in RMB.")
]
ReportDocumentOption = Annotated[
    str | None,
    typer.Option("--document", help="0x + 64 hex digits: hash of the period's statement."),
]


def parse_report(
    users: str, units: str, revenue: str, cost: str, profit: str | None, document: str | None
) -> PeriodReport:
    """The report the options describe, every figure checked against its on-chain type."""
    users_count = parse_count(users, "--users", limits.REPORT_USERS)
    units_count = parse_count(units, "--units", limits.REPORT_UNITS)
    revenue_fen = parse_amount(revenue, "--revenue", limits.REPORT_REVENUE)
    cost_fen = parse_amount(cost, "--cost", limits.REPORT_COST)
    # PeriodReport.profit is a uint128, but no EMC could store more than a uint72 of it.
    profit_fen = parse_amount(profit or "0", "--profit", limits.CUMULATIVE_PROFIT)
    if profit is None and cost_fen <= revenue_fen:
        raise InvalidInputError(
            "--profit is required unless the period made a loss (--cost above --revenue); "
            "pass the profit paid in, e.g. --profit 965,100."
        )
    return PeriodReport(
        users=users_count,
        units=units_count,
        revenue=revenue_fen,
        cost=cost_fen,
        profit=profit_fen,
        document_hash=optional_bytes32(document, "--document"),
    )


def read_attestation(path: Path) -> ReportAttestation:
    """The attestation in a file of `rdh report sign`."""
    expected = 'expected {"auditor": "0x...", "deadline": N, "signature": "0x..."}'
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInputError(f"cannot read attestation file {path}: {exc.strerror}.") from exc
    except ValueError as exc:
        raise InvalidInputError(f"attestation file {path} is not JSON ({exc}).") from exc
    if not isinstance(data, dict) or not {"auditor", "deadline", "signature"} <= set(data):
        raise InvalidInputError(f"attestation file {path}: {expected}.")
    auditor, deadline, signature = data["auditor"], data["deadline"], data["signature"]
    if not isinstance(auditor, str) or not isinstance(signature, str):
        raise InvalidInputError(f"attestation file {path}: {expected}.")
    if not isinstance(deadline, int) or isinstance(deadline, bool):
        raise InvalidInputError(f"attestation file {path}: the deadline must be a whole number.")
    try:
        raw = bytes.fromhex(signature.strip().removeprefix("0x"))
    except ValueError as exc:
        raise InvalidInputError(f"attestation file {path}: the signature is not hex.") from exc
    if not raw:
        raise InvalidInputError(f"attestation file {path}: the signature is empty.")
    return ReportAttestation(
        auditor=to_address(auditor, f"attestation file {path}: auditor"),
        deadline=to_uint(deadline, f"attestation file {path}: deadline"),
        signature=raw,
    )


def attestation_json(attestation: ReportAttestation, typed: dict[str, Any]) -> dict[str, Any]:
    return {
        "auditor": attestation.auditor,
        "deadline": attestation.deadline,
        "signature": "0x" + attestation.signature.hex(),
        "emc": typed["domain"]["verifyingContract"],
        "report": typed_data_json(typed["message"]),
    }


@report_app.command("typed-data")
def typed_data(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    users: UsersOption,
    revenue: RevenueOption,
    profit: ProfitOption = None,
    units: UnitsOption = "0",
    cost: CostOption = "0",
    document: ReportDocumentOption = None,
    valid_hours: Annotated[
        int, typer.Option("--valid-hours", help="How long the attestation may be used.")
    ] = 72,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write the JSON here.")
    ] = None,
) -> None:
    """The EIP-712 typed data an auditor signs to attest a report as the EMC's next period
    (eth_signTypedData_v4 JSON); give the same figures as to `rdh settle`."""
    state = get_state(ctx)
    report = parse_report(users, units, revenue, cost, profit, document)
    if valid_hours <= 0:
        raise InvalidInputError("--valid-hours must be at least 1.")
    client = state.emc(emc)
    deadline = chain_time(client) + valid_hours * _HOUR
    typed = client.report_typed_data(report, deadline=deadline)
    write_json(typed_data_json(typed), out, f"typed data of period {typed['message']['period']}")
    note(f"an auditor signs it with `rdh report sign {out or 'FILE'} --wallet AUDITOR --out FILE`")


@report_app.command("sign")
def sign(
    ctx: typer.Context,
    typed_data_file: Annotated[
        Path, typer.Argument(dir_okay=False, help="The JSON of `rdh report typed-data`.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write the attestation here.")
    ] = None,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Attest a period report as an auditor: check it against the chain, then sign it."""
    state = get_state(ctx)
    try:
        typed = json.loads(typed_data_file.read_text(encoding="utf-8"))
        emc_address: ChecksumAddress = to_address(typed["domain"]["verifyingContract"], "EMC")
        report, period, deadline = report_from_typed_data(typed)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {typed_data_file}: {exc.strerror}.") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(
            f"{typed_data_file} is not the typed data of a report (`rdh report typed-data`)."
        ) from exc
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    auditor = ledger.address
    labels = state.labels()
    if auditor is None or not ledger.registry.is_active(auditor, Role.AUDITOR):
        raise InvalidInputError(
            f"{named(auditor or emc_address, labels)} is not an active auditor; sign with an "
            "auditor's "
            "wallet (--wallet NAME)."
        )
    client = state.emc(emc_address, ledger)
    # Rebuilt from the chain and checked against its digest: what is signed is exactly what
    # the EMC will verify.
    checked = client.report_typed_data(report, deadline=deadline, period=period)
    attestation = ledger.attest(client, report, deadline, period=period)
    echo(
        f"attested period {period} of {emc_address}: {report.users:,} users, revenue "
        f"{rmb(report.revenue)} RMB, cost {rmb(report.cost)} RMB, profit {rmb(report.profit)} RMB"
    )
    write_json(attestation_json(attestation, checked), out, "attestation")
