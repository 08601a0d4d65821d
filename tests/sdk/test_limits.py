"""The limits the CLI and the SDK check before sending are the compiled contracts' own."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from rdh_chain import limits
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.limits import Limit
from rdh_chain.toolchain import Artifact
from rdh_chain.types import EmcTerms, Formula, PeriodReport

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"

# Each limit, and where the ABI types the field it stands for: contract, function, and
# the parameter's path ("<" reads the function's outputs instead of its inputs).
ABI_FIELDS: list[tuple[Limit, str, str, str]] = [
    (limits.REPORT_USERS, "EMC", "settle", "report.users"),
    (limits.REPORT_UNITS, "EMC", "settle", "report.units"),
    (limits.REPORT_REVENUE, "EMC", "settle", "report.revenue"),
    (limits.REPORT_COST, "EMC", "settle", "report.cost"),
    (limits.REPORT_PROFIT, "EMC", "settle", "report.profit"),
    (limits.INVESTED, "EMCModule", "capitalOf", "<held.invested"),
    (limits.BID_USERS, "EMCModule", "revealBid", "undertakenUsers"),
    (limits.BID_REVENUE, "EMCModule", "revealBid", "undertakenRevenue"),
    (limits.BID_ASK, "EMCModule", "revealBid", "askBps"),
    (limits.TERMS_USERS, "EMCFactory", "createEmcWithTerms", "terms.targetUsers"),
    (limits.TERMS_REVENUE, "EMCFactory", "createEmcWithTerms", "terms.targetRevenue"),
    (limits.TERMS_SHARING_SPACE, "EMCFactory", "createEmcWithTerms", "terms.sharingSpace"),
    (limits.TERMS_LOSS_THRESHOLD, "EMCFactory", "createEmcWithTerms", "terms.lossThreshold"),
    (limits.TERMS_PARTNER_BPS, "EMCFactory", "createEmcWithTerms", "terms.partnerMinBps"),
    (limits.TERMS_PARTNER_BPS, "EMCFactory", "createEmcWithTerms", "terms.partnerMaxBps"),
    (limits.TERMS_NOTICE, "EMCFactory", "createEmcWithTerms", "terms.maxNoticePeriods"),
    (limits.FORMULA_USERS, "TargetGuidelines", "publishFormula", "f.usersAtFullScore"),
    (limits.FORMULA_REVENUE, "TargetGuidelines", "publishFormula", "f.revenueAtFullScore"),
    (limits.FORMULA_BPS, "TargetGuidelines", "publishFormula", "f.sharingSpaceBps"),
    (limits.FORMULA_MIN_SCORE, "TargetGuidelines", "publishFormula", "f.minScore"),
    (limits.FORMULA_NOTICE, "TargetGuidelines", "publishFormula", "f.maxNoticePeriods"),
]


def abi_type(artifacts: Mapping[str, Artifact], contract: str, function: str, path: str) -> str:
    (fn,) = [
        item
        for item in artifacts[contract].abi
        if item.get("type") == "function" and item.get("name") == function
    ]
    params: Sequence[Mapping[str, Any]] = fn["outputs"] if path[0] == "<" else fn["inputs"]
    for name in path.lstrip("<").split("."):
        (param,) = [p for p in params if p["name"] == name]
        params = param.get("components", ())
    return str(param["type"])


@pytest.mark.parametrize(
    ("limit", "contract", "function", "path"),
    ABI_FIELDS,
    ids=[f"{c}.{f}:{p}" for _, c, f, p in ABI_FIELDS],
)
def test_limit_matches_the_abi_type_of_its_field(
    artifacts: dict[str, Artifact], limit: Limit, contract: str, function: str, path: str
) -> None:
    assert abi_type(artifacts, contract, function, path) == limit.abi_type


def test_cumulative_profit_limit_is_the_emcs_max_cumulative() -> None:
    storage = (CONTRACTS / "emc" / "EMCStorage.sol").read_text()
    (declared,) = re.findall(r"_MAX_CUMULATIVE = type\((uint\d+)\)\.max;", storage)
    (slot,) = re.findall(r"(uint\d+) internal _cumProfit;", storage)
    assert declared == slot == limits.CUMULATIVE_PROFIT.abi_type == limits.MINT.abi_type


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


VALID: dict[type[Any], dict[str, Any]] = {
    PeriodReport: {"users": 1, "units": 1, "revenue": 1, "cost": 0, "profit": 1},
    EmcTerms: {"target_users": 1, "target_revenue": 1, "sharing_space": 1, "loss_threshold": 1},
    Formula: {
        "weights_bps": (2_500, 2_500, 2_500, 2_500),
        "users_at_full_score": 1,
        "revenue_at_full_score": 1,
        "sharing_space_bps": 1,
        "partner_min_bps": 1,
        "partner_max_bps": 1,
        "loss_threshold_bps": 1,
    },
}
STRUCTS: list[tuple[type[Any], str, str, str]] = [
    (PeriodReport, "EMC", "settle", "report"),
    (EmcTerms, "EMCFactory", "createEmcWithTerms", "terms"),
    (Formula, "TargetGuidelines", "publishFormula", "f"),
]
INT_FIELDS = [
    (cls, field.name, contract, f"{function}:{struct}.{_camel(field.name)}")
    for cls, contract, function, struct in STRUCTS
    for field in dataclasses.fields(cls)
    if field.type == "int"
]


@pytest.mark.parametrize(
    ("cls", "field", "contract", "where"),
    INT_FIELDS,
    ids=[f"{cls.__name__}.{field}" for cls, field, _, _ in INT_FIELDS],
)
def test_dataclass_refuses_one_above_the_abi_range_of_its_field(
    artifacts: dict[str, Artifact], cls: type[Any], field: str, contract: str, where: str
) -> None:
    function, path = where.split(":")
    largest = (1 << int(abi_type(artifacts, contract, function, path).removeprefix("uint"))) - 1
    cls(**{**VALID[cls], field: largest})
    for bad in (largest + 1, -1, True):
        with pytest.raises(InvalidInputError, match=f"^{cls.__name__}.{field} "):
            cls(**{**VALID[cls], field: bad})


def test_formula_refuses_weight_above_uint16() -> None:
    with pytest.raises(InvalidInputError) as refused:
        Formula(**{**VALID[Formula], "weights_bps": (2_500, 2_500, 2_500, 65_536)})
    assert str(refused.value) == (
        "Formula.weights_bps[3] 65,536 is too large: at most 65,535 (basis points are a uint16)."
    )
