"""``rdh report typed-data``, ``rdh report sign`` and ``rdh settle --attestation``: an
auditor attests a period report from its own wallet, the reporter settles with the file.

The module's world (see ``conftest``) has an EMC whose terms attest only losses drawn on
capital, with one version active (chef, owner, me2, the fund) and nothing settled: its
next period is 1. Each test adds an auditor wallet.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from web3 import Web3

from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.types import PeriodReport
from tests.cli.conftest import SHARES, Cli, CliWorld

HOUR = 3_600
# A loss of 300,000.00 RMB and the options that report it.
LOSS_FIGURES = ("--users", "10", "--revenue", "100,000", "--cost", "400,000")
LOSS = PeriodReport(10, 0, 10_000_000, 40_000_000, 0)
PROFIT_FIGURES = (
    "--users",
    "10",
    "--revenue",
    "300,000",
    "--cost",
    "100,000",
    "--profit",
    "200,000",
)
PROFIT = PeriodReport(10, 0, 30_000_000, 10_000_000, 20_000_000)
TX = re.compile(r"\(tx 0x[0-9a-f]{64}\)")


@pytest.fixture
def ledger(world: CliWorld, w3: Web3, artifacts: dict[str, Artifact]) -> Ledger:
    return world.cli.ledger(w3, artifacts)


def _auditor(cli: Cli) -> str:
    """Register the wallet ``auditor`` as an auditor (its keystore outlives the chain's
    snapshot: the module's folder is shared, so it is made once)."""
    if not (cli.data_dir / "keystores" / "auditor.json").exists():
        cli.run("wallet", "new", "auditor")
    cli.run("member", "add", "auditor", "--role", "auditor")
    return cli.address("auditor")


def _invest(world: CliWorld, amount: str = "500,000") -> None:
    world.cli.run("mint", "me2", amount, "--wallet", "treasury")
    world.cli.run("capital", "invest", world.emc, amount, "--wallet", "me2")


def _lines(text: str) -> list[str]:
    """Output lines with transaction hashes replaced by ``(tx TX)``."""
    return TX.sub("(tx TX)", text).splitlines()


def _digest(ledger: Ledger, emc: str, report: PeriodReport, period: int, deadline: int) -> str:
    client = ledger.emc(Web3.to_checksum_address(emc))
    raw = client.contract.functions.reportDigest(report.as_abi(), period, deadline).call()
    return "0x" + bytes(raw).hex()


def test_report_typed_data_sign_and_settle_attest_a_loss_drawn_on_capital(
    world: CliWorld, ledger: Ledger, w3: Web3, tmp_path: Path
) -> None:
    cli, emc = world.cli, world.emc
    auditor = _auditor(cli)
    owner = cli.address("owner")
    _invest(world)
    client = ledger.emc(emc)

    refused = cli.run("settle", emc, *LOSS_FIGURES, "--wallet", "owner", code=1)
    assert refused.stderr == (
        "error: EMC.settle reverted: EmcAttestationRequired(loss=300,000.00 RMB, "
        "capital=500,000.00 RMB). "
        "This report needs an auditor's attestation: the EMC's terms ask for one, or its loss "
        "would be paid from the members' capital. Have an auditor sign it (`rdh report "
        "typed-data`, `rdh report sign`) and settle with `--attestation FILE`.\n"
    )
    assert client.totals().periods == 0

    typed_file, attestation_file = tmp_path / "report.json", tmp_path / "attestation.json"
    now = int(w3.eth.get_block("latest")["timestamp"])
    made = cli.run("report", "typed-data", emc, *LOSS_FIGURES, "--out", str(typed_file))
    assert made.stdout == ""
    assert made.stderr == (
        f"typed data of period 1 written to {typed_file}\n"
        f"an auditor signs it with `rdh report sign {typed_file} --wallet AUDITOR --out FILE`\n"
    )
    typed = json.loads(typed_file.read_text())
    deadline = now + 72 * HOUR  # --valid-hours 72 by default
    assert typed["primaryType"] == "PeriodReport"
    assert typed["domain"] == {
        "name": "rdh-chain EMC",
        "version": "1",
        "chainId": w3.eth.chain_id,
        "verifyingContract": emc,
    }
    assert typed["message"] == {
        "period": 1,
        "users": 10,
        "units": 0,
        "revenue": 10_000_000,
        "cost": 40_000_000,
        "profit": 0,
        "documentHash": "0x" + "00" * 32,
        "deadline": deadline,
    }

    block = w3.eth.block_number
    signed = cli.run(
        "report", "sign", str(typed_file), "--wallet", "auditor", "--out", str(attestation_file)
    )
    assert signed.stdout == (
        f"attested period 1 of {emc}: 10 users, revenue 100,000.00 RMB, cost 400,000.00 RMB, "
        "profit 0.00 RMB\n"
    )
    assert signed.stderr == f"attestation written to {attestation_file}\n"
    assert w3.eth.block_number == block  # signing sends nothing
    attestation = json.loads(attestation_file.read_text())
    assert attestation == {
        "auditor": auditor,
        "deadline": deadline,
        "signature": attestation["signature"],
        "emc": emc,
        "report": typed["message"],
    }
    signature = bytes.fromhex(attestation["signature"][2:])
    assert Account.recover_message(encode_typed_data(full_message=typed), signature=signature) == (
        auditor
    )

    owner_before = ledger.token.balance_of(owner)
    settled = cli.run(
        "settle", emc, *LOSS_FIGURES, "--attestation", str(attestation_file), "--wallet", "owner"
    )
    assert _lines(settled.stdout) == [
        f"settled period 1 of {emc} as a loss of 300,000.00 RMB: 10 users, revenue "
        "100,000.00 RMB, cost 400,000.00 RMB (tx TX)",
        f"the capital covered 300,000.00 RMB of it, paid to {owner}",
        "cumulative losses 300,000.00 RMB of the 1,000,000.00 RMB that dissolve the EMC",
        f"attested by auditor {auditor}",
        "cumulative: 10 users, revenue 100,000.00 RMB, profit 0.00 RMB; target reached: no",
    ]
    assert ledger.token.balance_of(owner) == owner_before + 30_000_000
    assert client.capital_totals().capital == 20_000_000

    # The same file for the next period: the signed period (1) is not the next one (2).
    replayed = cli.run(
        "settle",
        emc,
        *LOSS_FIGURES,
        "--attestation",
        str(attestation_file),
        "--wallet",
        "owner",
        code=2,
    )
    digest = _digest(ledger, emc, LOSS, 2, deadline)
    assert replayed.stderr == (
        f"error: EMC.settleAttested reverted: EmcInvalidAttestation(auditor={auditor}, "
        f"digest={digest}). The attestation is not the auditor's signature of this report as "
        "the EMC's next period: have the auditor sign `rdh report typed-data` of exactly "
        "these figures again.\n"
    )
    assert client.totals().periods == 1


def test_settle_with_an_attestation_of_a_profit_prints_the_settlement_and_the_auditor(
    world: CliWorld, ledger: Ledger, tmp_path: Path
) -> None:
    cli, emc = world.cli, world.emc
    auditor = _auditor(cli)
    typed_file, attestation_file = tmp_path / "report.json", tmp_path / "attestation.json"
    # Without --out the typed data goes to stdout, ready for any wallet.
    typed_file.write_text(cli.run("report", "typed-data", emc, *PROFIT_FIGURES).stdout)
    cli.run(
        "report", "sign", str(typed_file), "--wallet", "auditor", "--out", str(attestation_file)
    )

    settled = cli.run(
        "settle", emc, *PROFIT_FIGURES, "--attestation", str(attestation_file), "--wallet", "owner"
    )
    assert _lines(settled.stdout) == [
        f"settled period 1 of {emc}: profit 200,000.00 RMB, 10 users, revenue 300,000.00 RMB "
        "(tx TX)",
        f"attested by auditor {auditor}",
        "cumulative: 10 users, revenue 300,000.00 RMB, profit 200,000.00 RMB; target reached: no",
    ]
    assert ledger.emc(emc).totals().profit == 20_000_000


def test_settle_without_attestation_prints_no_auditor(world: CliWorld) -> None:
    settled = world.cli.run("settle", world.emc, *PROFIT_FIGURES, "--wallet", "owner")
    assert _lines(settled.stdout) == [
        f"settled period 1 of {world.emc}: profit 200,000.00 RMB, 10 users, revenue "
        "300,000.00 RMB (tx TX)",
        "cumulative: 10 users, revenue 300,000.00 RMB, profit 200,000.00 RMB; target reached: no",
    ]
    # A loss without capital needs no attestation either, and says only what it was.
    loss = world.cli.run("settle", world.emc, *LOSS_FIGURES, "--wallet", "owner")
    assert _lines(loss.stdout) == [
        f"settled period 2 of {world.emc} as a loss of 300,000.00 RMB: 10 users, revenue "
        "100,000.00 RMB, cost 400,000.00 RMB (tx TX)",
        "the capital covered none of it: nothing is invested",
        "cumulative losses 300,000.00 RMB of the 1,000,000.00 RMB that dissolve the EMC",
        "cumulative: 20 users, revenue 400,000.00 RMB, profit 200,000.00 RMB; target reached: no",
    ]


def test_emc_created_with_attest_all_needs_an_attestation_for_a_profit(
    world: CliWorld, ledger: Ledger, tmp_path: Path
) -> None:
    cli = world.cli
    auditor = _auditor(cli)
    emc = cli.run(
        "emc", "create", "--owner", "owner", "--target-users", "20000", "--target-revenue",
        "10,000,000", "--sharing-space", "600,000", "--loss-threshold", "1,000,000",
        "--attest-all", "--reason", "every report audited",
    ).stdout.strip()  # fmt: skip
    cli.run("shares", "set", emc, *SHARES, "--wallet", "owner")
    assert ledger.emc(Web3.to_checksum_address(emc)).terms().attest_all_reports

    refused = cli.run("settle", emc, *PROFIT_FIGURES, "--wallet", "owner", code=1)
    assert refused.stderr.startswith(
        "error: EMC.settle reverted: EmcAttestationRequired(loss=0.00 RMB, capital=0.00 RMB). "
    )
    typed_file, attestation_file = tmp_path / "report.json", tmp_path / "attestation.json"
    cli.run("report", "typed-data", emc, *PROFIT_FIGURES, "--out", str(typed_file))
    cli.run(
        "report", "sign", str(typed_file), "--wallet", "auditor", "--out", str(attestation_file)
    )
    settled = cli.run(
        "settle", emc, *PROFIT_FIGURES, "--attestation", str(attestation_file), "--wallet", "owner"
    )
    assert f"attested by auditor {auditor}" in _lines(settled.stdout)


@pytest.mark.parametrize("who", ["me2", "suspended_auditor"])
def test_report_sign_exits_2_for_a_wallet_that_is_not_an_active_auditor(
    world: CliWorld, w3: Web3, tmp_path: Path, who: str
) -> None:
    cli, emc = world.cli, world.emc
    _auditor(cli)
    typed_file, attestation_file = tmp_path / "report.json", tmp_path / "attestation.json"
    cli.run("report", "typed-data", emc, *LOSS_FIGURES, "--out", str(typed_file))
    wallet = "me2"
    if who == "suspended_auditor":
        cli.run("member", "suspend", "auditor")
        wallet = "auditor"
    block = w3.eth.block_number

    result = cli.run(
        "report", "sign", str(typed_file), "--wallet", wallet, "--out", str(attestation_file),
        code=2,
    )  # fmt: skip

    assert result.stdout == ""
    assert result.stderr == (
        f"error: {wallet} ({cli.address(wallet)}) is not an active auditor; sign with an "
        "auditor's wallet (--wallet NAME).\n"
    )
    assert not attestation_file.exists()
    assert w3.eth.block_number == block


EXPECTED = ': expected {"auditor": "0x...", "deadline": N, "signature": "0x..."}.'
AUDITOR = '"auditor": "0x' + "11" * 20 + '"'
# What the file holds, and what follows its path in the message.
MALFORMED = {
    "not-json": (
        "{auditor:",
        " is not JSON (Expecting property name enclosed in double quotes: line 1 column 2 "
        "(char 1)).",
    ),
    "a-list": ("[]", EXPECTED),
    "no-signature": ("{" + AUDITOR + ', "deadline": 1}', EXPECTED),
    "auditor-number": ('{"auditor": 1, "deadline": 1, "signature": "0x00"}', EXPECTED),
    "deadline-text": (
        "{" + AUDITOR + ', "deadline": "soon", "signature": "0x00"}',
        ": the deadline must be a whole number.",
    ),
    "deadline-bool": (
        "{" + AUDITOR + ', "deadline": true, "signature": "0x00"}',
        ": the deadline must be a whole number.",
    ),
    "signature-not-hex": (
        "{" + AUDITOR + ', "deadline": 1, "signature": "0xzz"}',
        ": the signature is not hex.",
    ),
    "signature-empty": (
        "{" + AUDITOR + ', "deadline": 1, "signature": "0x"}',
        ": the signature is empty.",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_settle_exits_2_for_a_malformed_attestation_file(
    world: CliWorld, ledger: Ledger, w3: Web3, tmp_path: Path, case: str
) -> None:
    text, message = MALFORMED[case]
    path = tmp_path / "attestation.json"
    path.write_text(text)
    block = w3.eth.block_number

    result = world.cli.run(
        "settle", world.emc, *LOSS_FIGURES, "--attestation", str(path), "--wallet", "owner",
        code=2,
    )  # fmt: skip

    assert result.stdout == ""
    assert result.stderr == f"error: attestation file {path}{message}\n"
    assert w3.eth.block_number == block
    assert ledger.emc(world.emc).totals().periods == 0


def test_settle_exits_2_for_a_missing_attestation_file(world: CliWorld, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    result = world.cli.run(
        "settle", world.emc, *LOSS_FIGURES, "--attestation", str(path), "--wallet", "owner",
        code=2,
    )  # fmt: skip
    assert result.stderr == (
        f"error: cannot read attestation file {path}: No such file or directory.\n"
    )


def test_settle_exits_2_for_an_attestation_file_with_a_bad_auditor(
    world: CliWorld, tmp_path: Path
) -> None:
    path = tmp_path / "attestation.json"
    path.write_text('{"auditor": "0x123", "deadline": 1, "signature": "0x00"}')
    result = world.cli.run(
        "settle", world.emc, *LOSS_FIGURES, "--attestation", str(path), "--wallet", "owner",
        code=2,
    )  # fmt: skip
    assert result.stderr.startswith(f"error: attestation file {path}: auditor '0x123' is not an")


@pytest.mark.parametrize("content", ["{}", '{"domain": {}}', "not json"])
def test_report_sign_exits_2_for_a_file_that_is_not_report_typed_data(
    world: CliWorld, tmp_path: Path, content: str
) -> None:
    _auditor(world.cli)
    path = tmp_path / "report.json"
    path.write_text(content)
    result = world.cli.run("report", "sign", str(path), "--wallet", "auditor", code=2)
    assert result.stderr == (
        f"error: {path} is not the typed data of a report (`rdh report typed-data`).\n"
    )


def test_report_sign_exits_2_for_a_share_version_typed_data(
    world: CliWorld, tmp_path: Path
) -> None:
    # Typed data of another kind (a share version) is not a report, whatever it names.
    _auditor(world.cli)
    path = tmp_path / "version.json"
    world.cli.run("shares", "typed-data", world.emc, "1", "--out", str(path))
    result = world.cli.run("report", "sign", str(path), "--wallet", "auditor", code=2)
    assert result.stderr == (
        f"error: {path} is not the typed data of a report (`rdh report typed-data`).\n"
    )


def test_report_typed_data_exits_2_when_valid_hours_not_positive(world: CliWorld) -> None:
    result = world.cli.run(
        "report", "typed-data", world.emc, *LOSS_FIGURES, "--valid-hours", "0", code=2
    )
    assert result.stderr == "error: --valid-hours must be at least 1.\n"
