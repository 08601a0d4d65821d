"""Is the chain there, are the contracts of the deployment record on it, how far is the index?"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, status
from sqlalchemy.exc import SQLAlchemyError

from api.deps import LedgerDep, index_provider
from api.errors import ERROR_RESPONSES
from api.index import IndexProvider, IndexUnavailableError, ReplicaLagError, check_checkpoint
from api.models import (
    DeploymentPublic,
    HealthPublic,
    IndexHealthPublic,
    IndexStateName,
    ReplicaPublic,
)
from rdh_chain.index import queries
from rdh_chain.ledger import Ledger

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Check the chain, the deployment and the index",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: ERROR_RESPONSES[503]},
)
def health(ledger: LedgerDep, request: Request) -> HealthPublic:
    """200 with the chain id, the latest block, the contract addresses and the index's
    checkpoint and lag; 503 with what to do when the node does not answer or the contracts
    are not on it. An index that cannot serve is reported here (``index.state``), not as a
    503: the routes that read the chain still work."""
    # Checked on every call: the chain may have been reset since the ledger was opened.
    ledger.deployment.check(ledger.w3)
    head = ledger.w3.eth.get_block("latest")
    return HealthPublic(
        chain_id=ledger.w3.eth.chain_id,
        block=int(head["number"]),
        deployment=DeploymentPublic.from_sdk(ledger.deployment),
        index=index_health(
            index_provider(request.app.state), ledger, int(head["number"]), int(head["timestamp"])
        ),
    )


def index_health(
    provider: IndexProvider, ledger: Ledger, head: int, head_time: int
) -> IndexHealthPublic:
    """The index's state against the chain's ``head`` (never raises: it is a report)."""
    point: queries.Checkpoint | None = None
    replica: queries.Replica | None = None
    try:
        with provider.get().session() as session:
            point = queries.checkpoint(session)
            replica = queries.replica(session)
        check_checkpoint(point, ledger, provider.shown)
        state: IndexStateName = "synced" if point and point.block_number >= head else "behind"
        detail = None
        if replica is not None:
            provider.check_lag(replica)
    except ReplicaLagError as exc:
        state, detail = "lagging-standby", str(exc)
    except (IndexUnavailableError, SQLAlchemyError) as exc:
        if isinstance(exc, SQLAlchemyError):
            provider.forget()
            point = None
            detail = provider.unreachable(exc) or (
                f"The index at {provider.shown} cannot be read ({type(exc).__name__})."
            )
        else:
            detail = str(exc)
        state = _failed_state(point, ledger)
    matches = None
    if point is not None:
        d = ledger.deployment
        matches = (point.chain_id, point.registry, point.factory) == (
            d.chain_id,
            d.registry,
            d.factory,
        )
    number = None if point is None else point.block_number
    point_time = None if point is None else point.block_time
    return IndexHealthPublic(
        state=state,
        url=provider.shown,
        deployment_matches=matches,
        checkpoint_block=number,
        checkpoint_time=None if point_time is None else datetime.fromtimestamp(point_time, UTC),
        head=head,
        lag_blocks=None if number is None else max(0, head - number),
        lag_seconds=None if point_time is None else max(0, head_time - point_time),
        replica=None if replica is None else _replica(replica),
        detail=detail,
    )


def _replica(replica: queries.Replica) -> ReplicaPublic:
    return ReplicaPublic(
        lag_seconds=round(replica.lag_seconds, 3),
        unreplayed_bytes=replica.unreplayed_bytes,
        receiving=replica.receiving,
        replayed_lsn=replica.replayed_lsn,
        replayed_at=replica.replayed_at,
    )


def _failed_state(point: queries.Checkpoint | None, ledger: Ledger) -> IndexStateName:
    if point is None:
        return "missing"
    d = ledger.deployment
    if (point.chain_id, point.registry, point.factory) != (d.chain_id, d.registry, d.factory):
        return "other-deployment"
    return "reorged"
