"""Sealed-bid rounds of an EMC: their headers, and every bid with its outcome."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.auth.deps import AUTH_RESPONSES, BidReaderDep
from api.bid_models import BidPublic, BidRoundDetailPublic, BidRoundPublic
from api.errors import ERROR_RESPONSES, NOT_FOUND_RESPONSE

router = APIRouter(
    prefix="/emcs",
    tags=["bids"],
    responses={**ERROR_RESPONSES, **NOT_FOUND_RESPONSE, **AUTH_RESPONSES},
)

RoundIdPath = Annotated[
    int, Path(ge=1, le=2**256 - 1, description="The round's id; ids run from 1.")
]


@router.get("/{address}/bids", summary="An EMC's bid rounds")
def list_rounds(emc: BidReaderDep) -> list[BidRoundPublic]:
    """Every sealed-bid round the owner opened, oldest first."""
    return [BidRoundPublic.from_sdk(emc.round(i)) for i in range(1, emc.round_count() + 1)]


@router.get("/{address}/bids/{round_id}", summary="One bid round with every bid")
def get_round(emc: BidReaderDep, round_id: RoundIdPath) -> BidRoundDetailPublic:
    """The round's header and each bidder's bid with its outcome. A bid still sealed (or
    never revealed, lapsed) shows only its commitment."""
    header = BidRoundPublic.from_sdk(emc.round(round_id))
    bids = [BidPublic.from_sdk(emc.bid(round_id, b)) for b in emc.bidders(round_id)]
    return BidRoundDetailPublic(**dict(header), bids=bids)
