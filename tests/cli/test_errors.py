"""Bad input and refusals: a message that says what to fix, a non-zero exit, no change on chain."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web3 import Web3

from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from tests.cli.conftest import CliWorld

UNKNOWN = "0x00000000000000000000000000000000000000aa"


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
    assert result.stderr == (
        "error: EMC.proposeVersion reverted: EmcShareTotalNot100(totalBps=8500). "
        "A share version's basis points must add up to exactly 10,000 (100%).\n"
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
    assert result.stderr == (
        "error: SettlementToken.mint reverted: TokenZeroAmount(). Mint or burn a positive amount.\n"
    )
    assert ledger.token.balance_of(world.cli.address("chef")) == 0


def test_mint_exits_2_when_amount_negative(world: CliWorld, ledger: Ledger) -> None:
    result = world.cli.run("mint", "--wallet", "treasury", "chef", "--", "-5", code=2)
    assert result.stderr == "error: amount must not be negative, got -5.\n"
    assert ledger.token.balance_of(world.cli.address("chef")) == 0


def test_mint_exits_2_when_amount_has_more_than_two_decimals(world: CliWorld) -> None:
    result = world.cli.run("mint", "chef", "1.005", "--wallet", "treasury", code=2)
    assert result.stderr == "error: amount '1.005' has more than 2 decimals; RMB counts in fen.\n"


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
        "error: EMC.withdrawDevFund reverted: EmcDevFundInsufficient(requested=100, available=0). "
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
