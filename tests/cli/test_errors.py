"""Bad input and refusals: a message that says what to fix, a non-zero exit, no change on chain."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web3 import Web3

from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from tests.cli.conftest import CliWorld

UNKNOWN = "0x00000000000000000000000000000000000000aa"
# The accepted forms, as every refusal names them (spelled out: a change of wording shows).
AMOUNT_FORM = (
    "use digits with at most two decimals and, if you like, commas between groups of "
    "three: 1234, 1234.56 or 1,234,567.89"
)
COUNT_FORM = "use whole digits and, if you like, commas between groups of three: 20000 or 20,000"


@pytest.fixture
def ledger(world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]) -> Ledger:
    return world.cli.ledger(w3, artifacts)


@pytest.fixture(autouse=True)
def _no_block_mined(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test here must leave the chain as it found it: no transaction mined."""
    web3: Web3 = request.getfixturevalue("w3")
    request.getfixturevalue("world")
    before = web3.eth.block_number
    yield
    assert web3.eth.block_number == before


def test_member_add_exits_2_when_address_malformed(world: CliWorld, ledger: Ledger) -> None:
    count = ledger.registry.member_count()
    result = world.cli.run("member", "add", "0x123", "--role", "me", code=2)
    assert result.stderr == (
        "error: member '0x123' is not an Ethereum address: expected 0x followed by 40 hex digits.\n"
    )
    assert result.stdout == ""
    assert ledger.registry.member_count() == count


def test_member_add_exits_2_when_name_is_neither_address_nor_wallet(world: CliWorld) -> None:
    result = world.cli.run("member", "add", "nobody", "--role", "me", code=2)
    assert result.stderr.startswith(
        "error: member 'nobody' is neither an address (0x followed by 40 hex digits) "
        "nor the name of a wallet in "
    )


def test_member_add_exits_2_when_role_unknown(world: CliWorld) -> None:
    result = world.cli.run("member", "add", "chef", "--role", "chef", code=2)
    assert "Invalid value for '--role'" in result.stderr


def test_shares_set_exits_2_when_bps_do_not_total_10000(world: CliWorld, ledger: Ledger) -> None:
    emc = ledger.emc(world.emc)
    result = world.cli.run(
        "shares",
        "set",
        world.emc,
        "chef:partner:600",
        "owner:operating:7000",
        "dev-fund:900",
        "--wallet",
        "owner",
        code=2,
    )
    # Refused before anything is signed, with what to change.
    assert result.stderr == (
        "error: the version's entries add up to 8,500 bps (85.00%), 1,500 bps (15.00%) short of "
        "10,000 bps (100%): chef partner 600, owner operating 7,000, dev-fund 900. Change the "
        "basis points so that they add up to 10,000. To keep the active version's other "
        "entries, add --from-active.\n"
    )
    assert (emc.version_count(), emc.active_version_id()) == (1, 1)


def test_shares_set_exits_2_when_entry_malformed(world: CliWorld) -> None:
    result = world.cli.run(
        "shares", "set", world.emc, "chef:6%", "dev-fund:900", "--wallet", "owner", code=2
    )
    assert result.stderr.startswith("error: share entry 'chef:6%' is not ADDRESS:CLASS:BPS")


def test_shares_set_exits_2_when_class_unknown(world: CliWorld) -> None:
    result = world.cli.run(
        "shares", "set", world.emc, "chef:bonus:600", "--wallet", "owner", code=2
    )
    assert result.stderr.startswith("error: share entry 'chef:bonus:600': unknown class 'bonus'")


def test_mint_exits_2_when_amount_zero(world: CliWorld, ledger: Ledger) -> None:
    result = world.cli.run("mint", "chef", "0", "--wallet", "treasury", code=2)
    assert result.stderr == "error: AMOUNT '0': it must be more than 0 RMB.\n"
    assert ledger.token.balance_of(world.cli.address("chef")) == 0


def test_mint_exits_2_when_amount_negative(world: CliWorld, ledger: Ledger) -> None:
    result = world.cli.run("mint", "--wallet", "treasury", "chef", "--", "-5", code=2)
    assert result.stderr == f"error: AMOUNT '-5': amounts cannot be negative; {AMOUNT_FORM}.\n"
    assert ledger.token.balance_of(world.cli.address("chef")) == 0


def test_mint_exits_2_when_amount_has_more_than_two_decimals(world: CliWorld) -> None:
    result = world.cli.run("mint", "chef", "1.005", "--wallet", "treasury", code=2)
    assert result.stderr == (
        "error: AMOUNT '1.005': it has more than two decimals (RMB counts in fen); "
        f"{AMOUNT_FORM}.\n"
    )


def test_mint_exits_2_when_recipient_unregistered(world: CliWorld, ledger: Ledger) -> None:
    supply = ledger.token.total_supply()
    result = world.cli.run("mint", UNKNOWN, "5", "--wallet", "treasury", code=2)
    assert result.stderr == (
        f"error: {Web3.to_checksum_address(UNKNOWN)} is not a registered member; "
        "add it with `rdh member add`.\n"
    )
    assert ledger.token.total_supply() == supply


def test_emc_show_exits_2_when_emc_unknown(world: CliWorld) -> None:
    result = world.cli.run("emc", "show", UNKNOWN, code=2)
    assert result.stderr == (
        f"error: {Web3.to_checksum_address(UNKNOWN)} is not an EMC of this ledger; "
        "list them with `rdh emc list`.\n"
    )


def test_settle_exits_2_when_emc_unknown(world: CliWorld, ledger: Ledger) -> None:
    result = world.cli.run(
        "settle",
        UNKNOWN,
        "--profit",
        "100",
        "--users",
        "1",
        "--revenue",
        "100",
        "--wallet",
        "owner",
        code=2,
    )
    assert "is not an EMC of this ledger" in result.stderr
    assert ledger.token.balance_of(world.cli.address("owner")) == 100_000_000


def test_member_show_exits_2_when_member_unknown(world: CliWorld) -> None:
    result = world.cli.run("member", "show", UNKNOWN, code=2)
    assert result.stderr == (
        f"error: {Web3.to_checksum_address(UNKNOWN)} is not a registered member; "
        "add it with `rdh member add`.\n"
    )


def test_member_suspend_exits_2_when_member_unknown(world: CliWorld) -> None:
    result = world.cli.run("member", "suspend", UNKNOWN, "--reason", "gone", code=2)
    assert "is not a registered member" in result.stderr
    assert "reason" not in result.stdout


def test_emc_create_exits_1_when_wallet_is_a_partner(world: CliWorld, ledger: Ledger) -> None:
    result = world.cli.run(
        "emc",
        "create",
        "--owner",
        "owner",
        "--target-users",
        "1",
        "--target-revenue",
        "1",
        "--sharing-space",
        "1",
        "--loss-threshold",
        "100,000",
        "--reason",
        "terms agreed with the platform board",
        "--wallet",
        "chef",
        code=1,
    )
    assert result.stderr == (
        "error: EMCFactory.createEmcWithTerms reverted: FactoryNotOperator("
        f"caller={world.cli.address('chef')}). "
        "Only an active platform operator may register an EMC.\n"
    )
    assert ledger.factory.emc_count() == 1


def test_settle_exits_1_without_approving_when_wallet_not_owner(
    world: CliWorld, ledger: Ledger
) -> None:
    result = world.cli.run(
        "settle",
        world.emc,
        "--profit",
        "100",
        "--users",
        "1",
        "--revenue",
        "100",
        "--wallet",
        "me2",
        code=1,
    )
    owner = world.cli.address("owner")
    assert result.stderr == (
        f"error: EMC.settle reverted: EmcNotReporter(caller={world.cli.address('me2')}, "
        f"owner={owner}, reporter=0x0000000000000000000000000000000000000000). Only the "
        "EMC's owner or the reporter it appointed may settle; sign with one of them.\n"
    )
    # The pre-flight stopped it before the approval, so no allowance was left behind.
    assert ledger.token.allowance(world.cli.address("me2"), world.emc) == 0


def test_settle_exits_1_when_owner_balance_short(world: CliWorld, ledger: Ledger) -> None:
    result = world.cli.run(
        "settle",
        world.emc,
        "--profit",
        "1,000,000.01",
        "--users",
        "1",
        "--revenue",
        "1,000,000.01",
        "--wallet",
        "owner",
        code=1,
    )
    assert result.stderr == (
        f"error: EMC.settle would revert: {world.cli.address('owner')} holds 1,000,000.00 RMB, "
        "less than the profit 1,000,000.01 RMB to pay in. The sender holds less settlement "
        "credit than the amount; ask the treasury to mint.\n"
    )
    assert ledger.emc(world.emc).totals().periods == 0


def test_claim_exits_2_when_no_wallet_chosen(world: CliWorld) -> None:
    result = world.cli.run("claim", world.emc, code=2)
    assert result.stderr.startswith(
        "error: This command signs a transaction: choose the wallet with --wallet NAME"
    )


def test_claim_exits_1_when_wallet_unknown(world: CliWorld) -> None:
    result = world.cli.run("claim", world.emc, "--wallet", "ghost", code=1)
    assert result.stderr.startswith("error: No wallet named 'ghost' in ")
    assert "create it with `rdh wallet new ghost`" in result.stderr


def test_claim_exits_1_when_nothing_to_claim(world: CliWorld) -> None:
    result = world.cli.run("claim", world.emc, "--wallet", "chef", code=1)
    assert result.stderr.startswith("error: EMC.claim reverted: EmcNothingToClaim(account=")


def test_devfund_withdraw_exits_1_when_fund_short(world: CliWorld) -> None:
    result = world.cli.run(
        "devfund",
        "withdraw",
        world.emc,
        "--to",
        "owner",
        "--amount",
        "1",
        "--purpose",
        "oven",
        "--wallet",
        "owner",
        code=1,
    )
    assert result.stderr == (
        "error: EMC.withdrawDevFund reverted: EmcDevFundInsufficient(requested=1.00 RMB, "
        "available=0.00 RMB). "
        "The development fund holds less than requested; withdraw at most what it holds.\n"
    )


def test_shares_show_exits_2_when_version_unknown(world: CliWorld) -> None:
    result = world.cli.run("shares", "show", world.emc, "--version", "7", code=2)
    assert result.stderr.startswith("error: EMC.version reverted: EmcUnknownVersion(versionId=7).")


def test_commands_exit_1_when_no_node_answers(world: CliWorld) -> None:
    cli = type(world.cli)(world.cli.data_dir, "http://127.0.0.1:9")
    result = cli.run("emc", "list", code=1)
    assert result.stderr.startswith("error: No Ethereum node answers at http://127.0.0.1:9")
    assert "rdh chain up" in result.stderr


# -- amounts and counts: one accepted form, the contract's range, nothing sent -------------


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("1e10", "exponents are not accepted"),
        ("1E2", "exponents are not accepted"),
        ("1_000", "underscores are not accepted"),
        ("1,0,0", "its commas are misplaced"),
        ("12,34", "its commas are misplaced"),
        ("1,2345", "its commas are misplaced"),
        ("1.001", "it has more than two decimals (RMB counts in fen)"),
        ("+5", "it takes no sign"),
        ("1 000", "it has a space inside"),
        ("", "it is empty"),
        ("inf", "it is not a number"),
        ("nan", "it is not a number"),
        ("\u0661\u0660\u0660", "only the digits 0-9 are accepted"),  # Arabic-Indic 100
        ("\uff11\uff10\uff10", "only the digits 0-9 are accepted"),  # full-width 100
        (".5", "a decimal point needs a digit on each side (0.5, 5 or 5.00)"),
        ("5.", "a decimal point needs a digit on each side (0.5, 5 or 5.00)"),
        ("007", "leading zeros are not accepted"),
    ],
)
def test_mint_exits_2_without_minting_when_amount_malformed(
    world: CliWorld, ledger: Ledger, amount: str, reason: str
) -> None:
    supply = ledger.token.total_supply()
    result = world.cli.run("mint", "chef", amount, "--wallet", "treasury", code=2)
    assert result.stderr == f"error: AMOUNT {amount!r}: {reason}; {AMOUNT_FORM}.\n"
    assert result.stdout == ""
    assert ledger.token.total_supply() == supply


def test_mint_exits_2_when_amount_negative_without_double_dash(
    world: CliWorld, ledger: Ledger
) -> None:
    # click would read -5 as an option ("No such option: -5"); it reaches the amount's parser.
    result = world.cli.run("mint", "chef", "-5", "--wallet", "treasury", code=2)
    assert result.stderr == f"error: AMOUNT '-5': amounts cannot be negative; {AMOUNT_FORM}.\n"
    assert ledger.token.balance_of(world.cli.address("chef")) == 0


def test_mint_exits_2_in_one_line_when_amount_has_80_digits(
    world: CliWorld, ledger: Ledger
) -> None:
    supply = ledger.token.total_supply()
    result = world.cli.run("mint", "chef", "1" * 80, "--wallet", "treasury", code=2)
    assert result.stderr == (
        f"error: AMOUNT {int('1' * 80):,}.00 RMB is too large: at most "
        "47,223,664,828,696,452,136.95 RMB (more could never be settled: an EMC's cumulative "
        "profit is a uint72 of fen).\n"
    )
    assert ledger.token.total_supply() == supply


def test_settle_exits_2_without_settling_when_revenue_has_an_exponent(
    world: CliWorld, ledger: Ledger
) -> None:
    # Issue 7: this settled 10^30 RMB of revenue and reached the target for good.
    result = world.cli.run(
        "settle",
        world.emc,
        "--users",
        "10",
        "--revenue",
        "1e30",
        "--profit",
        "10",
        "--wallet",
        "owner",
        code=2,
    )
    assert result.stderr == (
        f"error: --revenue '1e30': exponents are not accepted; {AMOUNT_FORM}.\n"
    )
    totals = ledger.emc(world.emc).totals()
    assert (totals.periods, totals.revenue, totals.target_reached) == (0, 0, False)
    assert ledger.token.balance_of(world.cli.address("owner")) == 100_000_000


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--revenue",
            "3,402,823,669,209,384,634,633,746,074,317,682,114.56",
            "--revenue 3,402,823,669,209,384,634,633,746,074,317,682,114.56 RMB is too large: "
            "at most 3,402,823,669,209,384,634,633,746,074,317,682,114.55 RMB "
            "(PeriodReport.revenue is a uint128 of fen).",
        ),
        (
            "--profit",
            "47,223,664,828,696,452,136.96",
            "--profit 47,223,664,828,696,452,136.96 RMB is too large: at most "
            "47,223,664,828,696,452,136.95 RMB (an EMC's cumulative profit is a uint72 of fen).",
        ),
        ("--cost", "-1", f"--cost '-1': amounts cannot be negative; {AMOUNT_FORM}."),
        ("--users", "1_0", f"--users '1_0': underscores are not accepted; {COUNT_FORM}."),
        ("--users", "1e3", f"--users '1e3': exponents are not accepted; {COUNT_FORM}."),
        ("--users", "-1", f"--users '-1': counts cannot be negative; {COUNT_FORM}."),
        ("--users", "2.5", f"--users '2.5': it must be a whole number; {COUNT_FORM}."),
        ("--users", "\u0661", f"--users '\u0661': only the digits 0-9 are accepted; {COUNT_FORM}."),
        (
            "--users",
            "18,446,744,073,709,551,616",
            "--users 18,446,744,073,709,551,616 is too large: at most "
            "18,446,744,073,709,551,615 (PeriodReport.users is a uint64).",
        ),
        ("--units", "+3", f"--units '+3': it takes no sign; {COUNT_FORM}."),
    ],
    ids=[
        "revenue-uint128",
        "profit-uint72",
        "cost-negative",
        "users-underscore",
        "users-exponent",
        "users-negative",
        "users-decimals",
        "users-arabic-indic",
        "users-uint64",
        "units-sign",
    ],
)
def test_settle_exits_2_without_settling_when_figure_refused(
    world: CliWorld, ledger: Ledger, option: str, value: str, message: str
) -> None:
    figures = {"--users": "10", "--revenue": "100", "--profit": "10"} | {option: value}
    args = [a for pair in figures.items() for a in pair]
    result = world.cli.run("settle", world.emc, *args, "--wallet", "owner", code=2)
    assert result.stderr == f"error: {message}\n"
    assert ledger.emc(world.emc).totals().periods == 0
    assert ledger.token.allowance(world.cli.address("owner"), world.emc) == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-100", f"AMOUNT '-100': amounts cannot be negative; {AMOUNT_FORM}."),
        ("-1.5", f"AMOUNT '-1.5': amounts cannot be negative; {AMOUNT_FORM}."),
        ("0", "AMOUNT '0': it must be more than 0 RMB."),
        (
            "792,281,625,142,643,375,935,439,503.36",
            "AMOUNT 792,281,625,142,643,375,935,439,503.36 RMB is too large: at most "
            "792,281,625,142,643,375,935,439,503.35 RMB (CapitalAccount.invested is a uint96 "
            "of fen).",
        ),
    ],
    ids=["negative", "negative-decimal", "zero", "uint96"],
)
def test_capital_invest_exits_2_without_investing_when_amount_refused(
    world: CliWorld, ledger: Ledger, amount: str, message: str
) -> None:
    # No "--": a negative amount is an amount, not click's "No such option: -1".
    result = world.cli.run("capital", "invest", world.emc, amount, "--wallet", "owner", code=2)
    assert result.stderr == f"error: {message}\n"
    assert ledger.emc(world.emc).capital_totals().invested == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", f"--amount '-1': amounts cannot be negative; {AMOUNT_FORM}."),
        ("0.00", "--amount '0.00': it must be more than 0 RMB."),
        ("1e2", f"--amount '1e2': exponents are not accepted; {AMOUNT_FORM}."),
    ],
)
def test_devfund_withdraw_exits_2_when_amount_refused(
    world: CliWorld, amount: str, message: str
) -> None:
    result = world.cli.run(
        "devfund",
        "withdraw",
        world.emc,
        "--to",
        "owner",
        "--amount",
        amount,
        "--purpose",
        "oven",
        "--wallet",
        "owner",
        code=2,
    )
    assert result.stderr == f"error: {message}\n"


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--users", "5e3", f"--users '5e3': exponents are not accepted; {COUNT_FORM}."),
        (
            "--revenue",
            "2,000,00",
            f"--revenue '2,000,00': its commas are misplaced; {AMOUNT_FORM}.",
        ),
        ("--ask", "-3", f"--ask '-3': counts cannot be negative; {COUNT_FORM}."),
        ("--ask", "3.5", f"--ask '3.5': it must be a whole number; {COUNT_FORM}."),
        ("--ask", "10,001", "--ask 10,001 is above 10,000 bps (100%): it could never be revealed."),
    ],
)
def test_bid_commit_exits_2_without_committing_when_figure_refused(
    world: CliWorld, option: str, value: str, message: str
) -> None:
    figures = {"--users": "5000", "--revenue": "2,000,000", "--ask": "300"} | {option: value}
    args = [a for pair in figures.items() for a in pair]
    result = world.cli.run("bid", "commit", world.emc, "1", *args, "--wallet", "me2", code=2)
    assert result.stderr == f"error: {message}\n"
    assert not (world.cli.data_dir / "bids").exists()


def test_emc_create_exits_2_without_creating_when_target_revenue_malformed(
    world: CliWorld, ledger: Ledger
) -> None:
    result = world.cli.run(
        "emc",
        "create",
        "--owner",
        "owner",
        "--target-users",
        "20,000",
        "--target-revenue",
        "1e7",
        "--sharing-space",
        "600,000",
        "--loss-threshold",
        "1,000",
        "--reason",
        "by hand",
        code=2,
    )
    assert (
        result.stderr
        == f"error: --target-revenue '1e7': exponents are not accepted; {AMOUNT_FORM}.\n"
    )
    assert ledger.factory.emc_count() == 1


def test_devfund_sweep_exits_2_when_nothing_is_held_above_what_is_owed(world: CliWorld) -> None:
    result = world.cli.run("devfund", "sweep", world.emc, "--wallet", "owner", code=2)
    assert result.stderr == (
        f"error: {world.emc} holds nothing above what it owes (claimable, locked, dust, "
        "capital, the released pool and the development fund): nothing to sweep.\n"
    )


def test_emc_create_exits_2_when_notice_bound_zero(world: CliWorld, ledger: Ledger) -> None:
    count = ledger.factory.emc_count()
    result = world.cli.run(
        "emc", "create", "--owner", "owner", "--target-users", "5", "--target-revenue", "1",
        "--sharing-space", "1", "--loss-threshold", "1", "--max-notice", "0",
        "--reason", "no notice", code=2,
    )  # fmt: skip
    assert result.stderr.startswith(
        "error: EMCFactory.createEmcWithTerms reverted: FactoryZeroNoticeBound(). "
    )
    assert ledger.factory.emc_count() == count
