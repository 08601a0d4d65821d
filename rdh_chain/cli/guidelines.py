"""``rdh guidelines``: the target formulas the template stewards publish."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from rdh_chain import limits
from rdh_chain.cli.context import (
    JsonOption,
    KeystoreOption,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
    text_hash,
)
from rdh_chain.cli.output import echo, echo_json, fields, rmb, table
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.types import Criteria, EmcTerms, Formula, Strategy
from rdh_chain.validation import parse_amount, parse_count, to_uint

guidelines_app = typer.Typer(
    help="Target guidelines: the formulas that turn the platform's criteria into targets.",
    no_args_is_help=True,
)

_DEFAULT_SIGNER = "steward"


class StrategyName(StrEnum):
    EXPLORE = "explore"
    EXPLOIT = "exploit"

    @property
    def strategy(self) -> Strategy:
        return Strategy[self.name]


StrategyArgument = Annotated[StrategyName, typer.Argument(help="explore or exploit.")]


def parse_quad(text: str, what: str) -> tuple[int, int, int, int]:
    """Four comma-separated whole numbers, e.g. ``100,80,60,80``."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        raise InvalidInputError(
            f"{what} {text!r} must be four whole numbers separated by commas, e.g. 100,80,60,80 "
            "(market capacity, consumption habits, industry scale, team integration)."
        )
    a, b, c, d = (int(p) for p in parts)
    return (a, b, c, d)


def parse_criteria(text: str) -> Criteria:
    values = parse_quad(text, "--criteria")
    for value in values:
        if value > 100:
            raise InvalidInputError(f"--criteria {text!r}: each criterion is scored 0 to 100.")
    return Criteria(*values)


@guidelines_app.command("publish")
def publish(
    ctx: typer.Context,
    strategy: StrategyArgument,
    weights: Annotated[
        str,
        typer.Option(
            "--weights", help="Four weights in bps summing to 10,000, e.g. 2500,2500,2500,2500."
        ),
    ],
    users_at_full: Annotated[
        str,
        typer.Option(
            "--users-at-full",
            metavar="N",
            help="Target users of a scenario scoring 100 everywhere.",
        ),
    ],
    revenue_at_full: Annotated[
        str,
        typer.Option(
            "--revenue-at-full", metavar="RMB", help="Target revenue (RMB) of such a scenario."
        ),
    ],
    sharing_space_bps: Annotated[
        int, typer.Option("--sharing-space-bps", help="Sharing space in bps of the revenue target.")
    ],
    partner_min_bps: Annotated[int, typer.Option("--partner-min-bps", help="Least partner share.")],
    partner_max_bps: Annotated[
        int, typer.Option("--partner-max-bps", help="Largest partner share.")
    ],
    loss_threshold_bps: Annotated[
        int,
        typer.Option(
            "--loss-threshold-bps",
            help="Losses at which an EMC dissolves, in bps of its revenue target.",
        ),
    ],
    rationale: Annotated[
        str, typer.Option("--rationale", help="Why this formula (hashed on chain).")
    ],
    min_score: Annotated[
        int, typer.Option("--min-score", help="Least weighted score (0-1,000,000) to register.")
    ] = 0,
    max_notice: Annotated[
        int, typer.Option("--max-notice", help="Longest departure notice, in periods.")
    ] = 12,
    attest_all: Annotated[
        bool,
        typer.Option(
            "--attest-all/--attest-losses",
            help="Whether every period report needs an auditor's attestation "
            "(default: only losses that draw on capital).",
        ),
    ] = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Publish a new version of a guideline's formula (signed by a template steward)."""
    state = get_state(ctx)
    formula = Formula(
        weights_bps=parse_quad(weights, "--weights"),
        users_at_full_score=parse_count(users_at_full, "--users-at-full", limits.FORMULA_USERS),
        revenue_at_full_score=parse_amount(
            revenue_at_full, "--revenue-at-full", limits.FORMULA_REVENUE
        ),
        sharing_space_bps=to_uint(sharing_space_bps, "--sharing-space-bps", "uint16"),
        partner_min_bps=to_uint(partner_min_bps, "--partner-min-bps", "uint16"),
        partner_max_bps=to_uint(partner_max_bps, "--partner-max-bps", "uint16"),
        loss_threshold_bps=to_uint(loss_threshold_bps, "--loss-threshold-bps", "uint16"),
        min_score=to_uint(min_score, "--min-score", limits.FORMULA_MIN_SCORE),
        max_notice_periods=to_uint(max_notice, "--max-notice", limits.FORMULA_NOTICE),
        attest_all_reports=attest_all,
    )
    ledger = state.signer(WalletChoice(wallet, keystore, password_file), _DEFAULT_SIGNER)
    version, result = ledger.guidelines.publish_formula(
        strategy.strategy, formula, text_hash(rationale)
    )
    echo(f"published {strategy.value} formula version {version} (tx {result.tx_hash.to_0x_hex()})")
    echo(f"rationale hash {text_hash(rationale).hex()} for {rationale!r}")


@guidelines_app.command("show")
def show(
    ctx: typer.Context,
    strategy: StrategyArgument,
    version: Annotated[int | None, typer.Option("--version", help="A past version.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a guideline's current formula (or a past version)."""
    guidelines = get_state(ctx).ledger.guidelines
    count = guidelines.formula_count(strategy.strategy)
    number = count if version is None else version
    formula = guidelines.formula(strategy.strategy, number)
    if as_json:
        echo_json(
            {"strategy": strategy.value, "version": number, "of": count, **_formula_json(formula)}
        )
        return
    fields(
        [
            ("guideline", f"{strategy.value}, version {number} of {count}"),
            ("weights", ", ".join(f"{w} bps" for w in formula.weights_bps)),
            (
                "full score",
                f"{formula.users_at_full_score:,} users, "
                f"{rmb(formula.revenue_at_full_score)} RMB revenue",
            ),
            ("sharing space", f"{formula.sharing_space_bps} bps of the revenue target"),
            ("partners", f"{formula.partner_min_bps}-{formula.partner_max_bps} bps"),
            ("loss threshold", f"{formula.loss_threshold_bps} bps of the revenue target"),
            ("min score", f"{formula.min_score:,} of 1,000,000"),
        ]
    )


@guidelines_app.command("score")
def score(
    ctx: typer.Context,
    strategy: StrategyArgument,
    criteria: Annotated[
        str, typer.Option("--criteria", help="Four scores 0-100, e.g. 100,80,60,80.")
    ],
    as_json: JsonOption = False,
) -> None:
    """The terms a scenario with these criteria would get under the current formula."""
    guidelines = get_state(ctx).ledger.guidelines
    parsed = parse_criteria(criteria)
    value = guidelines.score(strategy.strategy, parsed)
    terms, version = guidelines.generate_terms(strategy.strategy, parsed)
    if as_json:
        echo_json({"score": value, "formula_version": version, **terms_json(terms)})
        return
    table(
        [
            "SCORE",
            "FORMULA",
            "TARGET USERS",
            "TARGET REVENUE (RMB)",
            "SHARING SPACE (RMB)",
            "PARTNERS",
        ],
        [
            [
                f"{value:,}",
                f"v{version}",
                f"{terms.target_users:,}",
                rmb(terms.target_revenue),
                rmb(terms.sharing_space),
                f"{terms.partner_min_bps}-{terms.partner_max_bps} bps",
            ]
        ],
        right=(0, 2, 3, 4),
    )


def terms_json(terms: EmcTerms) -> dict[str, Any]:
    return {
        "target_users": terms.target_users,
        "target_revenue_fen": terms.target_revenue,
        "sharing_space_fen": terms.sharing_space,
        "loss_threshold_fen": terms.loss_threshold,
        "partner_min_bps": terms.partner_min_bps,
        "partner_max_bps": terms.partner_max_bps,
        "max_notice_periods": terms.max_notice_periods,
        "attest_all_reports": terms.attest_all_reports,
    }


def _formula_json(formula: Formula) -> dict[str, Any]:
    return {
        "weights_bps": list(formula.weights_bps),
        "users_at_full_score": formula.users_at_full_score,
        "revenue_at_full_score_fen": formula.revenue_at_full_score,
        "sharing_space_bps": formula.sharing_space_bps,
        "partner_min_bps": formula.partner_min_bps,
        "partner_max_bps": formula.partner_max_bps,
        "loss_threshold_bps": formula.loss_threshold_bps,
        "min_score": formula.min_score,
        "max_notice_periods": formula.max_notice_periods,
        "attest_all_reports": formula.attest_all_reports,
    }
