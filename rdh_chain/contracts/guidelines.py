"""Client for TargetGuidelines."""

from __future__ import annotations

from typing import Any

from rdh_chain.contracts.base import ContractClient
from rdh_chain.tx import TxResult
from rdh_chain.types import Criteria, EmcTerms, Formula, Strategy


class GuidelinesClient(ContractClient):
    artifact_name = "TargetGuidelines"

    def publish_formula(
        self, strategy: Strategy, formula: Formula, rationale: bytes = bytes(32)
    ) -> tuple[int, TxResult]:
        """Publish a new version of ``strategy``'s formula (stewards); returns its version."""
        result = self._transact("publishFormula", int(strategy), formula.as_abi(), rationale)
        return int(self.event(result, "FormulaPublished")["args"]["version"]), result

    def formula_count(self, strategy: Strategy) -> int:
        return int(self._call("formulaCount", int(strategy)))

    def formula(self, strategy: Strategy, version: int) -> Formula:
        return _formula(self._call("formula", int(strategy), version))

    def score(self, strategy: Strategy, criteria: Criteria) -> int:
        """The weighted score (0-1,000,000) of ``criteria`` under the current formula."""
        return int(self._call("score", int(strategy), criteria.as_abi()))

    def generate_terms(
        self, strategy: Strategy, criteria: Criteria, metadata: bytes = bytes(32)
    ) -> tuple[EmcTerms, int]:
        """The terms the current formula generates, and the formula's version."""
        raw, version = self._call("generateTerms", int(strategy), criteria.as_abi(), metadata)
        terms = EmcTerms.from_abi(raw)
        return terms, int(version)


def _formula(raw: Any) -> Formula:
    weights, users, revenue, space, partner_min, partner_max, min_score, threshold = raw[:8]
    max_notice, attest_all = raw[8:]
    return Formula(
        weights_bps=(int(weights[0]), int(weights[1]), int(weights[2]), int(weights[3])),
        users_at_full_score=int(users),
        revenue_at_full_score=int(revenue),
        sharing_space_bps=int(space),
        partner_min_bps=int(partner_min),
        partner_max_bps=int(partner_max),
        min_score=int(min_score),
        loss_threshold_bps=int(threshold),
        max_notice_periods=int(max_notice),
        attest_all_reports=bool(attest_all),
    )
