"""Output models: amounts, percentages and names as the gateway writes them."""

from __future__ import annotations

import pytest

from api.models import AmountPublic, ShareEntryPublic
from rdh_chain.types import ZERO_ADDRESS, ShareClass, ShareEntry


@pytest.mark.parametrize(
    ("fen", "rmb"),
    [(0, "0.00"), (5, "0.05"), (5_790_600, "57,906.00"), (10_000_000_00, "10,000,000.00")],
)
def test_amount_of_formats_fen_as_rmb(fen: int, rmb: str) -> None:
    assert AmountPublic.of(fen).model_dump() == {"fen": fen, "rmb": rmb}


@pytest.mark.parametrize(
    ("bps", "percent"),
    [(1, "0.01"), (55, "0.55"), (600, "6.00"), (7_925, "79.25"), (10_000, "100.00")],
)
def test_share_entry_from_sdk_writes_exact_percent(bps: int, percent: str) -> None:
    entry = ShareEntryPublic.from_sdk(ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, bps))

    assert entry.model_dump() == {
        "account": ZERO_ADDRESS,
        "share_class": "dev_fund",
        "bps": bps,
        "percent": percent,
    }
