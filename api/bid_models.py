"""What the gateway returns for sealed-bid rounds: round headers and every bidder's bid.

A bid's figures are public once revealed; a committed (or lapsed) bid shows only its
commitment, the hash the bidder published.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, cast

from eth_typing import ChecksumAddress
from pydantic import Field

from api.models import AmountPublic, _hex, _percent, _Public, _time
from rdh_chain.types import Bid, BidRound

BidOutcomeName = Literal["none", "committed", "revealed", "invited", "not_invited", "lapsed"]


class BidRoundPublic(_Public):
    """A sealed-bid round: bids are committed until ``commit_deadline``, revealed until
    ``reveal_deadline``, then the owner invites the winners (``decided_at``)."""

    id: int
    commit_deadline: datetime
    reveal_deadline: datetime
    decided_at: datetime | None = Field(description="None until the owner invites.")
    bidder_count: int = Field(description="Wallets that committed a bid.")
    revealed_count: int
    invited_count: int
    document_hash: str = Field(description="Hash of the document describing the places offered.")

    @classmethod
    def from_sdk(cls, bid_round: BidRound) -> BidRoundPublic:
        return cls(
            id=bid_round.id,
            commit_deadline=datetime.fromtimestamp(bid_round.commit_deadline, UTC),
            reveal_deadline=datetime.fromtimestamp(bid_round.reveal_deadline, UTC),
            decided_at=_time(bid_round.decided_at),
            bidder_count=bid_round.bidder_count,
            revealed_count=bid_round.revealed_count,
            invited_count=bid_round.invited_count,
            document_hash=_hex(bid_round.document_hash),
        )


class BidPublic(_Public):
    """One bidder's bid and its outcome; the figures are None until it is revealed."""

    bidder: ChecksumAddress
    outcome: BidOutcomeName
    commitment: str = Field(description="The sealed bid's hash, published when committed.")
    undertaken_users: int | None = Field(description="Part of the users target undertaken.")
    undertaken_revenue: AmountPublic | None = Field(
        description="Part of the revenue target undertaken."
    )
    ask_bps: int | None = Field(description="The share asked for, in basis points.")
    ask_percent: str | None = Field(examples=["3.00"])
    proposal_hash: str | None

    @classmethod
    def from_sdk(cls, bid: Bid) -> BidPublic:
        shown = bid.revealed
        return cls(
            bidder=bid.bidder,
            outcome=cast(BidOutcomeName, bid.outcome.name.lower()),
            commitment=_hex(bid.commitment),
            undertaken_users=bid.undertaken_users if shown else None,
            undertaken_revenue=AmountPublic.of(bid.undertaken_revenue) if shown else None,
            ask_bps=bid.ask_bps if shown else None,
            ask_percent=_percent(bid.ask_bps) if shown else None,
            proposal_hash=_hex(bid.proposal_hash) if shown else None,
        )


class BidRoundDetailPublic(BidRoundPublic):
    """A round with every bidder's bid, in order of first commit."""

    bids: list[BidPublic]
