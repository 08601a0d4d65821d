"""Client for TargetGuidelines."""

from __future__ import annotations

from web3.types import BlockIdentifier

from rdh_chain import events
from rdh_chain.contracts.base import ContractClient
from rdh_chain.structs import struct_from_abi
from rdh_chain.tx import TxResult
from rdh_chain.types import Criteria, EmcTerms, Formula, Strategy


class GuidelinesClient(ContractClient):
    artifact_name = "TargetGuidelines"

    def publish_formula(
        self, strategy: Strategy, formula: Formula, rationale: bytes = bytes(32)
    ) -> tuple[int, TxResult]:
        """Publish a new version of ``strategy``'s formula (stewards); returns its version."""
        result = self._transact("publishFormula", int(strategy), formula.as_abi(), rationale)
        return self.event(result, events.FormulaPublished).version, result

    def formula_count(self, strategy: Strategy, *, block: BlockIdentifier | None = None) -> int:
        return int(self._call("formulaCount", int(strategy), block=block))

    def formula(
        self, strategy: Strategy, version: int, *, block: BlockIdentifier | None = None
    ) -> Formula:
        return struct_from_abi(Formula, self._read("formula", int(strategy), version, block=block))

    def score(
        self, strategy: Strategy, criteria: Criteria, *, block: BlockIdentifier | None = None
    ) -> int:
        """The weighted score (0-1,000,000) of ``criteria`` under the current formula."""
        return int(self._call("score", int(strategy), criteria.as_abi(), block=block))

    def generate_terms(
        self,
        strategy: Strategy,
        criteria: Criteria,
        metadata: bytes = bytes(32),
        *,
        block: BlockIdentifier | None = None,
    ) -> tuple[EmcTerms, int]:
        """The terms the current formula generates, and the formula's version."""
        raw = self._read("generateTerms", int(strategy), criteria.as_abi(), metadata, block=block)
        return EmcTerms.from_abi(raw["terms"]), int(raw["version"])
