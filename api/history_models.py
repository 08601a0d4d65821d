"""The history an auditor reads (:mod:`rdh_chain.history` rows), as the gateway returns it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Literal

from eth_typing import ChecksumAddress
from fastapi import Query
from pydantic import Field

from api.models import AmountPublic, _Public
from api.page_models import AsOfPublic
from rdh_chain.history import HistoryRow, Party

# A history page by default: the web page's own (a row is about 0.8 KB of JSON; ask for up
# to 1,000 with ``limit``).
HISTORY_PAGE = 25
HistoryLimitQuery = Annotated[
    int, Query(ge=1, le=1_000, description=f"Rows per page ({HISTORY_PAGE} by default).")
]

# rdh_chain.history.RowKind's values (tests/api check that they stay the same).
RowKindName = Literal[
    "created",
    "terms",
    "reporter",
    "bid",
    "version-proposed",
    "version-signed",
    "version-activated",
    "settlement",
    "target-reached",
    "pool-filled",
    "claim",
    "investment",
    "loss",
    "notice",
    "dev-fund-withdrawal",
    "sweep",
    "capital-return",
    "dissolution",
    "membership",
]


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


class PartyPublic(_Public):
    """An address and the name its member profile gives it (None without a profile; marked
    "(unverified)" when the profile does not hash to the registry's metadata)."""

    address: ChecksumAddress
    name: str | None

    @classmethod
    def of(cls, party: Party | None) -> PartyPublic | None:
        return None if party is None else cls(address=party.address, name=party.name)


def _amount(fen: int | None) -> AmountPublic | None:
    return None if fen is None else AmountPublic.of(fen)


class HistoryRowPublic(_Public):
    """One thing that happened, with where it is on the chain.

    ``period`` is the period the event names, else the period the EMC was in (settled + 1).
    ``amount`` is what the row is chiefly about (a claim's payout, a settlement's profit
    shared...); a settlement also gives its report's revenue, cost, profit and users.
    """

    kind: RowKindName
    event: str = Field(description="The contract event the row comes from.")
    emc: ChecksumAddress | None
    period: int | None
    version: int | None
    account: PartyPublic | None
    by: PartyPublic | None
    auditor: PartyPublic | None = Field(description="Who attested a settlement's report.")
    amount: AmountPublic | None
    value_added: AmountPublic | None
    revenue: AmountPublic | None
    cost: AmountPublic | None
    profit: AmountPublic | None
    users: int | None
    detail: str
    involved: list[ChecksumAddress] = Field(description="Every address the row names.")
    block_number: int
    block_hash: str
    block_time: datetime | None
    transaction_hash: str
    log_index: int

    @classmethod
    def from_sdk(cls, row: HistoryRow) -> HistoryRowPublic:
        return cls(
            kind=row.kind.value,
            event=row.event,
            emc=row.emc,
            period=row.period,
            version=row.version,
            account=PartyPublic.of(row.account),
            by=PartyPublic.of(row.by),
            auditor=PartyPublic.of(row.auditor),
            amount=_amount(row.amount),
            value_added=_amount(row.value_added),
            revenue=_amount(row.revenue),
            cost=_amount(row.cost),
            profit=_amount(row.profit),
            users=row.users,
            detail=row.detail,
            involved=list(row.involved),
            block_number=row.block_number,
            block_hash=_hex(row.block_hash),
            block_time=None
            if row.block_time is None
            else datetime.fromtimestamp(row.block_time, UTC),
            transaction_hash=_hex(row.transaction_hash),
            log_index=row.log_index,
        )


class HistoryPagePublic(_Public):
    """A page of history rows, oldest first, read from the index up to ``as_of_block``."""

    as_of: AsOfPublic
    as_of_block: int = Field(description="The last block whose events were read (``as_of``'s).")
    checkpoint_block: int = Field(description="How far the index is (``as_of`` at most this).")
    total: int = Field(description="Rows that match the filters, in all pages.")
    limit: int
    offset: int
    items: list[HistoryRowPublic]

    @classmethod
    def of(
        cls, rows: Sequence[HistoryRow], at: AsOfPublic, checkpoint: int, limit: int, offset: int
    ) -> HistoryPagePublic:
        """The page of ``rows`` from ``offset``, at most ``limit`` of them."""
        return cls(
            as_of=at,
            as_of_block=at.block_number,
            checkpoint_block=checkpoint,
            total=len(rows),
            limit=limit,
            offset=offset,
            items=[HistoryRowPublic.from_sdk(r) for r in rows[offset : offset + limit]],
        )
