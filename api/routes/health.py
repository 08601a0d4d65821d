"""Is the chain there, and are the contracts of the deployment record on it?"""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import LedgerDep
from api.errors import ERROR_RESPONSES
from api.models import DeploymentPublic, HealthPublic

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Check the chain and the deployment",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: ERROR_RESPONSES[503]},
)
def health(ledger: LedgerDep) -> HealthPublic:
    """200 with the chain id, the latest block and the contract addresses; 503 with what to
    do when the node does not answer or the contracts are not on it."""
    # Checked on every call: the chain may have been reset since the ledger was opened.
    ledger.deployment.check(ledger.w3)
    return HealthPublic(
        chain_id=ledger.w3.eth.chain_id,
        block=ledger.w3.eth.block_number,
        deployment=DeploymentPublic.from_sdk(ledger.deployment),
    )
