"""Settling many EMCs' periods at once (``rdh settle --batch periods.csv``), safe to run again.

Each row names an EMC, the period it settles and its report (with an auditor's attestation
where one is needed). The EMCs' settled periods are read at one block: a row whose period
is settled already is *skipped*; the others must follow on from the last settled period,
EMC by EMC, with no gap. Then, through :mod:`rdh_chain.pipeline`:

1. one ``approve`` per EMC for the profit of all its pending rows (a loss pays in nothing),
   sent together;
2. the settlements in *waves*: the first pending period of every EMC, then the second, and
   so on, each wave estimated on the state the one before left. A row that fails stops its
   EMC: its later periods are reported as *held back*, never sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError, RdhChainError
from rdh_chain.ledger import Ledger
from rdh_chain.pinned_reads import PinnedReads
from rdh_chain.pipeline import Call, Outcome, Pipeline, Progress, Status
from rdh_chain.structs import struct_from_abi
from rdh_chain.types import PeriodReport, ReportAttestation, Totals

__all__ = ["RowResult", "SettleRow", "plan_rows", "settle_rows"]


@dataclass(frozen=True)
class SettleRow:
    """One line of the file (``line`` its number; the header is line 1)."""

    line: int
    emc: ChecksumAddress
    period: int
    report: PeriodReport
    attestation: ReportAttestation | None


class RowStatus(StrEnum):
    SETTLED = "settled"
    ON_CHAIN = "on chain already"
    FAILED = "failed"
    HELD_BACK = "held back"  # an earlier period of its EMC failed


@dataclass(frozen=True)
class RowResult:
    row: SettleRow
    status: RowStatus
    outcome: Outcome | None = None  # the settlement's, for a row that was sent
    error: RdhChainError | None = None

    @property
    def ok(self) -> bool:
        return self.status in (RowStatus.SETTLED, RowStatus.ON_CHAIN)


def plan_rows(
    ledger: Ledger, rows: Sequence[SettleRow]
) -> tuple[dict[ChecksumAddress, EmcClient], list[SettleRow], list[RowResult]]:
    """The EMCs, the rows still to settle (in file order) and those settled already; or
    one error naming every row that cannot follow on from its EMC's last settled period."""
    emcs = {row.emc: ledger.emc(row.emc) for row in rows}  # NotFoundError for a non-EMC
    block = ledger.w3.eth.block_number
    reads = PinnedReads(ledger.w3, block)
    for client in emcs.values():
        reads.add(client, "totals")
    settled = {
        address: struct_from_abi(Totals, raw).periods
        for address, raw in zip(emcs, reads.execute(), strict=True)
    }
    done: list[RowResult] = []
    pending: list[SettleRow] = []
    problems: list[str] = []
    expected = {address: periods + 1 for address, periods in settled.items()}
    for row in sorted(rows, key=lambda r: (r.emc, r.period)):
        if row.period <= settled[row.emc]:
            done.append(RowResult(row, RowStatus.ON_CHAIN))
        elif row.period != expected[row.emc]:
            problems.append(
                f"line {row.line}: {row.emc} period {row.period} does not follow period "
                f"{expected[row.emc] - 1} (settled at block {block}: {settled[row.emc]}); "
                "add the missing periods or remove this row"
            )
        else:
            pending.append(row)
            expected[row.emc] += 1
    if problems:
        raise InvalidInputError(
            f"{len(problems)} row(s) to fix before anything is sent:\n  " + "\n  ".join(problems)
        )
    pending.sort(key=lambda r: r.line)
    return emcs, pending, done


def settle_rows(
    ledger: Ledger,
    pipeline: Pipeline,
    rows: Sequence[SettleRow],
    progress: Callable[[str], Progress] | None = None,
) -> list[RowResult]:
    """Settle every row not yet on chain (see the module); a result per row, file order."""
    if ledger.sender is None:
        raise InvalidInputError("Settling needs a signing wallet: the EMCs' owner or reporter.")
    account = ledger.sender.account
    emcs, pending, results = plan_rows(ledger, rows)
    step = progress or (lambda name: lambda stage, done, total: None)
    token = ledger.token
    profit: dict[ChecksumAddress, int] = {}
    for row in pending:
        profit[row.emc] = profit.get(row.emc, 0) + row.report.profit
    approving = [emc for emc, amount in profit.items() if amount > 0]
    approvals = [
        Call(account, token.address, token.calldata("approve", emc, profit[emc]), f"approve {emc}")
        for emc in approving
    ]
    failed: dict[ChecksumAddress, RdhChainError] = {}
    if approvals:
        report = pipeline.send(approvals, step("approving"))
        for emc, outcome in zip(approving, report.outcomes, strict=True):
            if not outcome.ok:
                failed[emc] = outcome.error or RdhChainError(outcome.describe())
    waves: list[list[SettleRow]] = []
    depth: dict[ChecksumAddress, int] = {}
    for row in pending:
        index = depth.get(row.emc, 0)
        depth[row.emc] = index + 1
        if index == len(waves):
            waves.append([])
        waves[index].append(row)
    for number, wave in enumerate(waves, start=1):
        sending = []
        for row in wave:
            if row.emc in failed:
                results.append(RowResult(row, RowStatus.HELD_BACK, error=failed[row.emc]))
            else:
                sending.append(row)
        calls = [_settle_call(account, emcs[row.emc], row) for row in sending]
        report = pipeline.send(calls, step(f"settling, wave {number} of {len(waves)}"))
        for row, outcome in zip(sending, report.outcomes, strict=True):
            if outcome.status is Status.MINED:
                results.append(RowResult(row, RowStatus.SETTLED, outcome))
            else:
                failed[row.emc] = outcome.error or RdhChainError(outcome.describe())
                results.append(RowResult(row, RowStatus.FAILED, outcome, failed[row.emc]))
    return sorted(results, key=lambda r: r.row.line)


def _settle_call(account: LocalAccount, emc: EmcClient, row: SettleRow) -> Call:
    label = f"line {row.line}: {emc.address} period {row.period}"
    if row.attestation is None:
        data = emc.calldata("settle", row.report.as_abi())
    else:
        data = emc.calldata("settleAttested", row.report.as_abi(), row.attestation.as_abi())
    return Call(account, emc.address, data, label)
