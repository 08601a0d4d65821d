"""``rdh guidelines`` and ``rdh emc create --strategy``: terms from the platform's criteria."""

from __future__ import annotations

import json

from web3 import Web3

from rdh_chain.toolchain import Artifact
from rdh_chain.types import EmcTerms, Strategy
from tests.cli.conftest import Cli

PUBLISH = (
    "guidelines",
    "publish",
    "explore",
    "--weights",
    "2500,2500,2500,2500",
    "--users-at-full",
    "25000",
    "--revenue-at-full",
    "12,500,000",
    "--sharing-space-bps",
    "600",
    "--partner-min-bps",
    "200",
    "--partner-max-bps",
    "600",
    "--loss-threshold-bps",
    "1000",
    "--min-score",
    "500000",
    "--rationale",
    "explore guideline 2020",
)


def _deployed(cli: Cli) -> None:
    cli.run("deploy")
    for name, role in (("steward", "steward"), ("owner", "me")):
        cli.run("wallet", "new", name)
        cli.run("member", "add", name, "--role", role)


def test_guidelines_publish_then_emc_create_generates_smart_cooking_terms(
    cli: Cli, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    _deployed(cli)
    published = cli.run(*PUBLISH)
    assert published.stdout.startswith("published explore formula version 1 (tx 0x")

    scored = json.loads(
        cli.run("guidelines", "score", "explore", "--criteria", "100,80,60,80", "--json").stdout
    )
    assert scored == {
        "score": 800_000,
        "formula_version": 1,
        "target_users": 20_000,
        "target_revenue_fen": 1_000_000_000,
        "sharing_space_fen": 60_000_000,
        "loss_threshold_fen": 100_000_000,
        "partner_min_bps": 200,
        "partner_max_bps": 600,
        "max_notice_periods": 12,
        "attest_all_reports": False,
    }

    address = cli.run(
        "emc", "create", "--owner", "owner", "--strategy", "explore", "--criteria", "100,80,60,80"
    ).stdout.strip()

    terms = cli.ledger(w3, artifacts).emc(Web3.to_checksum_address(address)).terms()
    assert terms == EmcTerms(
        20_000, 1_000_000_000, 60_000_000, 100_000_000, partner_min_bps=200, partner_max_bps=600
    )


def test_guidelines_publish_sets_the_notice_bound_and_the_attestation_rule_of_new_emcs(
    cli: Cli, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    _deployed(cli)
    cli.run(*PUBLISH, "--max-notice", "3", "--attest-all")

    shown = json.loads(cli.run("guidelines", "show", "explore", "--json").stdout)
    assert (shown["max_notice_periods"], shown["attest_all_reports"]) == (3, True)
    address = cli.run(
        "emc", "create", "--owner", "owner", "--strategy", "explore", "--criteria", "100,80,60,80"
    ).stdout.strip()

    terms = cli.ledger(w3, artifacts).emc(Web3.to_checksum_address(address)).terms()
    assert (terms.max_notice_periods, terms.attest_all_reports) == (3, True)


def test_guidelines_publish_exits_2_when_notice_bound_zero(
    cli: Cli, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    _deployed(cli)
    result = cli.run(*PUBLISH, "--max-notice", "0", code=2)
    assert result.stderr == (
        "error: TargetGuidelines.publishFormula reverted: GuidelinesZeroNoticeBound(). "
        "Set the formula's longest departure notice to at least one period.\n"
    )
    assert cli.ledger(w3, artifacts).guidelines.formula_count(Strategy.EXPLORE) == 0


def test_guidelines_show_prints_the_current_formula(cli: Cli) -> None:
    _deployed(cli)
    cli.run(*PUBLISH)

    shown = json.loads(cli.run("guidelines", "show", "explore", "--json").stdout)

    assert shown["version"] == 1
    assert shown["weights_bps"] == [2_500, 2_500, 2_500, 2_500]
    assert shown["revenue_at_full_score_fen"] == 1_250_000_000


def test_guidelines_publish_exits_1_when_wallet_not_steward(
    cli: Cli, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    _deployed(cli)
    result = cli.run(*PUBLISH, "--wallet", "owner", code=1)
    assert "GuidelinesNotSteward" in result.stderr
    assert "Only an active template steward may publish a formula." in result.stderr
    assert cli.ledger(w3, artifacts).guidelines.formula_count(Strategy.EXPLORE) == 0


def test_guidelines_publish_exits_2_when_weights_malformed(cli: Cli) -> None:
    _deployed(cli)
    args = list(PUBLISH)
    args[args.index("--weights") + 1] = "5000,5000"
    result = cli.run(*args, code=2)
    assert "must be four whole numbers separated by commas" in result.stderr


def test_emc_create_exits_2_when_criteria_out_of_range_or_paths_mixed(cli: Cli) -> None:
    _deployed(cli)
    cli.run(*PUBLISH)
    base = ("emc", "create", "--owner", "owner", "--strategy", "explore")
    out_of_range = cli.run(*base, "--criteria", "101,80,60,80", code=2)
    assert "each criterion is scored 0 to 100" in out_of_range.stderr
    mixed = cli.run(*base, "--criteria", "100,80,60,80", "--target-users", "5", code=2)
    assert "--strategy takes --criteria (four scores 0-100) and no terms by hand." in mixed.stderr
    no_reason = cli.run(
        "emc", "create", "--owner", "owner", "--target-users", "5", "--target-revenue", "1",
        "--sharing-space", "1", code=2,
    )  # fmt: skip
    assert "a --reason" in no_reason.stderr


def test_emc_create_exits_1_when_score_below_guideline_minimum(
    cli: Cli, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    _deployed(cli)
    cli.run(*PUBLISH)
    result = cli.run(
        "emc", "create", "--owner", "owner", "--strategy", "explore", "--criteria", "40,40,40,40",
        code=1,
    )  # fmt: skip
    assert "GuidelinesScoreTooLow(score=400000, minScore=500000)" in result.stderr
    assert cli.ledger(w3, artifacts).factory.emc_count() == 0
