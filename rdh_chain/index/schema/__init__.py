"""The index's tables: the chain's (blocks, raw logs, checkpoint) apart from the derived ones."""

from sqlalchemy import Table

from rdh_chain.index.schema.base import Base
from rdh_chain.index.schema.chain import BlockRow, CheckpointRow, RawLogRow
from rdh_chain.index.schema.derived import (
    ContractRow,
    EventAccountRow,
    EventRow,
    MemberRow,
    ProfileRow,
)

# In the order of their foreign keys (parents first): delete in reverse.
CHAIN_TABLES: tuple[Table, ...] = tuple(
    Base.metadata.tables[row.__tablename__] for row in (BlockRow, RawLogRow, CheckpointRow)
)
DERIVED_TABLES: tuple[Table, ...] = tuple(
    Base.metadata.tables[row.__tablename__]
    for row in (ContractRow, EventRow, EventAccountRow, MemberRow, ProfileRow)
)

__all__ = [
    "CHAIN_TABLES",
    "DERIVED_TABLES",
    "Base",
    "BlockRow",
    "CheckpointRow",
    "ContractRow",
    "EventAccountRow",
    "EventRow",
    "MemberRow",
    "ProfileRow",
    "RawLogRow",
]
