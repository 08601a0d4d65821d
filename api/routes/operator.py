"""A platform operator registers an EMC: the terms the target guidelines generate from the
four criteria, previewed, then the ``createEmc`` transaction for the operator's wallet."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from api.auth.deps import AUTH_RESPONSES, Viewer, require_roles
from api.deps import LedgerDep
from api.errors import ERROR_RESPONSES
from api.models import TermsPublic, _Public
from api.relay_models import AddressText, Bytes32Text, UnsignedTxPublic
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.ledger import Ledger
from rdh_chain.types import Criteria, Role, Strategy
from rdh_chain.validation import to_address, to_bytes32

router = APIRouter(prefix="/emcs", tags=["emcs"], responses={**ERROR_RESPONSES, **AUTH_RESPONSES})

Operator = Annotated[Viewer, Depends(require_roles(Role.OPERATOR))]
Score = Annotated[int, Field(ge=0, le=100, description="0-100.")]
StrategyName = Literal["explore", "exploit"]


class CriteriaInput(BaseModel):
    """The platform's four scores of the EMC's user scenario, and the guideline to apply."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    strategy: StrategyName = Field(description="Explore a new market or exploit a known one.")
    market_capacity: Score
    consumption_habits: Score
    industry_scale: Score
    team_integration: Score

    def criteria(self) -> Criteria:
        return Criteria(
            market_capacity=self.market_capacity,
            consumption_habits=self.consumption_habits,
            industry_scale=self.industry_scale,
            team_integration=self.team_integration,
        )

    def strategy_enum(self) -> Strategy:
        return Strategy[self.strategy.upper()]


class RegisterEmcInput(CriteriaInput):
    """The criteria, the owner (the EMC's leader, an ME) and the registration document."""

    owner: AddressText
    metadata: Bytes32Text = Field(
        default="0x" + "00" * 32, description="Hash of the registration document."
    )


class TermsPreviewPublic(_Public):
    """What the guideline's current formula makes of the criteria."""

    strategy: StrategyName
    formula_version: int
    score: int = Field(description="The weighted score, 0-1,000,000.")
    score_percent: str = Field(examples=["80.00"])
    terms: TermsPublic


def _check_formula(ledger: Ledger, strategy: Strategy) -> None:
    if ledger.guidelines.formula_count(strategy) == 0:
        raise InvalidInputError(
            f"No {strategy.name.lower()} formula is published yet; a template steward "
            "publishes one first (`rdh guidelines publish`), or choose the other strategy."
        )


@router.post("/terms-preview", summary="Preview the terms four criteria generate")
def preview_terms(viewer: Operator, ledger: LedgerDep, body: CriteriaInput) -> TermsPreviewPublic:
    """The target (users, revenue), sharing space and loss threshold that registering an EMC
    with these criteria would give it, under the guideline's current formula. Operators
    only."""
    strategy = body.strategy_enum()
    _check_formula(ledger, strategy)
    terms, version = ledger.guidelines.generate_terms(strategy, body.criteria())
    score = ledger.guidelines.score(strategy, body.criteria())
    return TermsPreviewPublic(
        strategy=body.strategy,
        formula_version=version,
        score=score,
        score_percent=f"{score / 10_000:.2f}",
        terms=TermsPublic.from_sdk(terms),
    )


@router.post("/tx/register", summary="Build the registration of an EMC for the operator")
def register_emc_tx(
    viewer: Operator, ledger: LedgerDep, body: RegisterEmcInput
) -> UnsignedTxPublic:
    """``createEmc(owner, strategy, criteria, metadata)`` for the signed-in operator's
    wallet to sign (EIP-1193 ``eth_sendTransaction``); the EMC's address is in the
    receipt's ``EmcCreated`` event. The owner must be an active ME."""
    strategy = body.strategy_enum()
    _check_formula(ledger, strategy)
    owner = to_address(body.owner, "owner")
    if not ledger.registry.has_role(owner, Role.ME):
        raise InvalidInputError(
            f"The owner {owner} is not an active ME; choose a registered micro-enterprise "
            "to lead the EMC."
        )
    metadata = to_bytes32(body.metadata, "metadata")
    tx = ledger.factory.create_emc_tx(viewer.address, owner, strategy, body.criteria(), metadata)
    return UnsignedTxPublic.from_sdk(tx)
