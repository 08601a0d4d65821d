"""The index's tables: the chain's (blocks, raw logs, checkpoint) apart from the derived ones."""

from rdh_chain.index.schema.base import Base
from rdh_chain.index.schema.chain import BlockRow, CheckpointRow, RawLogRow
from rdh_chain.index.schema.derived import ContractRow, EventAccountRow, EventRow, MemberRow

CHAIN_TABLES = (BlockRow.__table__, RawLogRow.__table__, CheckpointRow.__table__)
DERIVED_TABLES = (
    ContractRow.__table__,
    EventRow.__table__,
    EventAccountRow.__table__,
    MemberRow.__table__,
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
    "RawLogRow",
]
