"""The SDK refuses a bool, a negative or an oversized amount with InvalidInputError, before
it asks the node anything: no call, no estimate, no transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from web3 import HTTPProvider, Web3
from web3.types import RPCEndpoint, RPCResponse

from rdh_chain.bids import SealedBid, bid_commitment
from rdh_chain.chain import AnvilNode
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.types import PeriodReport
from tests.sdk.conftest import SdkWorld

SOMEONE = Web3.to_checksum_address("0x00000000000000000000000000000000000000aa")
UINT256_MAX = 2**256 - 1
HASH = bytes(32)


class RecordingProvider(HTTPProvider):
    """An HTTP provider that notes every JSON-RPC method it is asked for."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.methods: list[str] = []

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        self.methods.append(str(method))
        return super().make_request(method, params)


@dataclass(frozen=True)
class Recorded:
    ledger: Ledger  # signing as the treasury
    emc: EmcClient  # an EMC client signing as the treasury (the address need not be one)
    provider: RecordingProvider


@pytest.fixture
def recorded(sdk: SdkWorld, anvil: AnvilNode, artifacts: dict[str, Artifact]) -> Recorded:
    provider = RecordingProvider(anvil.rpc_url)
    root = Ledger(Web3(provider), sdk.ledger.deployment, artifacts)
    ledger = root.connect(sdk.treasury)  # asks the chain id: before the record starts
    emc = EmcClient(ledger.w3, SOMEONE, artifacts, ledger.decoder, ledger.sender)
    assert provider.methods == ["eth_chainId"]  # the record works
    provider.methods.clear()
    return Recorded(ledger, emc, provider)


def _refused(recorded: Recorded, call: Callable[[], Any]) -> str:
    with pytest.raises(InvalidInputError) as refused:
        call()
    assert recorded.provider.methods == []
    return str(refused.value)


@pytest.mark.parametrize(
    ("method", "args", "message"),
    [
        ("mint", (SOMEONE, True), "SettlementToken.mint amount must be a whole number, got True."),
        ("mint", (SOMEONE, -1), "SettlementToken.mint amount must not be negative, got -1."),
        (
            "mint",
            (SOMEONE, UINT256_MAX + 1),
            f"SettlementToken.mint amount {UINT256_MAX + 1:,} is too large: at most "
            f"{UINT256_MAX:,} (a uint256).",
        ),
        ("mint", (SOMEONE, 1.5), "SettlementToken.mint amount must be a whole number, got 1.5."),
        ("burn", (-5,), "SettlementToken.burn amount must not be negative, got -5."),
        (
            "transfer",
            (SOMEONE, False),
            "SettlementToken.transfer value must be a whole number, got False.",
        ),
        (
            "approve",
            (SOMEONE, UINT256_MAX + 1),
            f"SettlementToken.approve value {UINT256_MAX + 1:,} is too large: at most "
            f"{UINT256_MAX:,} (a uint256).",
        ),
    ],
    ids=["mint-bool", "mint-negative", "mint-2**256", "mint-float", "burn", "transfer", "approve"],
)
def test_token_write_refused_before_any_rpc(
    recorded: Recorded, method: str, args: tuple[Any, ...], message: str
) -> None:
    call = getattr(recorded.ledger.token, method)
    assert _refused(recorded, lambda: call(*args)) == message


def test_emc_invest_refuses_negative_before_any_rpc(recorded: Recorded) -> None:
    message = _refused(recorded, lambda: recorded.emc.invest(-5))
    assert message == "EMC.invest amount must not be negative, got -5."


def test_ledger_invest_refuses_bool_before_simulating_or_approving(recorded: Recorded) -> None:
    message = _refused(recorded, lambda: recorded.ledger.invest(recorded.emc, True))
    assert message == "EMC.invest amount must be a whole number, got True."


def test_withdraw_dev_fund_refuses_oversized_amount_before_any_rpc(recorded: Recorded) -> None:
    refused = _refused(recorded, lambda: recorded.emc.withdraw_dev_fund(SOMEONE, 2**256, HASH))
    assert refused == (
        f"EMC.withdrawDevFund amount {UINT256_MAX + 1:,} is too large: at most "
        f"{UINT256_MAX:,} (a uint256)."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (1, 2**64, 1, 1),
            "EMC.revealBid undertakenUsers 18,446,744,073,709,551,616 is too large: at most "
            "18,446,744,073,709,551,615 (a uint64).",
        ),
        ((1, 1, -1, 1), "EMC.revealBid undertakenRevenue must not be negative, got -1."),
        ((1, 1, 1, 2**16), "EMC.revealBid askBps 65,536 is too large: at most 65,535 (a uint16)."),
    ],
    ids=["users", "revenue", "ask"],
)
def test_reveal_bid_refuses_out_of_range_figures_before_any_rpc(
    recorded: Recorded, args: tuple[int, int, int, int], message: str
) -> None:
    round_id, users, revenue, ask = args
    emc = recorded.emc
    assert _refused(
        recorded, lambda: emc.reveal_bid(round_id, users, revenue, ask, HASH, HASH)
    ) == (message)


def test_settle_checks_the_report_struct_it_encodes(recorded: Recorded) -> None:
    report = PeriodReport(1, 1, 100, 0, 100)
    object.__setattr__(report, "revenue", 2**128)  # past the dataclass's own check
    message = _refused(recorded, lambda: recorded.ledger.settle(recorded.emc, report))
    assert message == (
        f"EMC.settle report.revenue {2**128:,} is too large: at most {2**128 - 1:,} (a uint128)."
    )


def test_read_refuses_negative_id_before_any_rpc(recorded: Recorded) -> None:
    message = _refused(recorded, lambda: recorded.emc.version(-1))
    assert message == "EMC.version versionId must not be negative, got -1."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("users", True, "PeriodReport.users must be a whole number, got True."),
        ("units", -1, "PeriodReport.units must not be negative, got -1."),
        (
            "revenue",
            2**128,
            "PeriodReport.revenue 3,402,823,669,209,384,634,633,746,074,317,682,114.56 RMB is too "
            "large: at most 3,402,823,669,209,384,634,633,746,074,317,682,114.55 RMB "
            "(PeriodReport.revenue is a uint128 of fen).",
        ),
        ("cost", -100, "PeriodReport.cost must not be negative, got -100 fen."),
        ("profit", 10.5, "PeriodReport.profit must be a whole number, got 10.5."),
    ],
)
def test_period_report_refuses_bad_figure_when_built(field: str, value: Any, message: str) -> None:
    valid = PeriodReport(1, 1, 100, 0, 100)
    with pytest.raises(InvalidInputError) as refused:
        dataclasses.replace(valid, **{field: value})
    assert str(refused.value) == message


def test_sealed_bid_refuses_negative_users_when_sealed() -> None:
    with pytest.raises(InvalidInputError) as refused:
        SealedBid.seal(SOMEONE, 1, SOMEONE, -1, 100, 300, HASH)
    assert str(refused.value) == "sealed bid undertakenUsers must not be negative, got -1."


def test_bid_commitment_refuses_bool_ask() -> None:
    with pytest.raises(InvalidInputError) as refused:
        bid_commitment(SOMEONE, 1, SOMEONE, 1, 100, True, HASH, HASH)
    assert str(refused.value) == "bid askBps must be a whole number, got True."
