"""What the chain said: block headers, raw logs and the checkpoint.

These rows are copies of the node's answers. The derived tables are computed from them
alone, so ``rdh index rebuild`` needs no RPC.
"""

from __future__ import annotations

from sqlalchemy import (
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rdh_chain.index.schema.base import WITHOUT_ROWID, Address, Base, BlockNumber, Hash


class BlockRow(Base):
    """A block that holds an rdh-chain log, or that a checkpoint stopped at.

    Only canonical blocks are kept: a reorg deletes the blocks it replaced, so the
    number identifies the block. Every block's hash commits to its ancestors, so a
    stored block whose hash the node still reports proves that everything below it is
    unchanged: that is how a reorg finds the common ancestor. ``(number, hash)`` is unique
    too (it is, since each is): the key ``raw_logs`` refers to, so that a log's block number
    and hash are those of one stored block.
    """

    __tablename__ = "blocks"
    __table_args__ = (UniqueConstraint("number", "hash"), WITHOUT_ROWID)

    number: Mapped[int] = mapped_column(BlockNumber, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(Hash, unique=True)
    parent_hash: Mapped[bytes] = mapped_column(Hash)
    timestamp: Mapped[int] = mapped_column(BlockNumber)


class RawLogRow(Base):
    """One log of an rdh-chain contract, exactly as ``eth_getLogs`` returned it.

    Ingestion is idempotent on (block hash, log index); the key is its compact surrogate
    (block number, log index), in chain order: the foreign key to ``blocks (number, hash)``
    makes a log's number and hash those of one stored block, whose number is unique, so
    the two keys name the same rows. One B-tree holds the table (no rowid, no second
    index): each index costs every insert of a backfill, and reads go in chain order.
    """

    __tablename__ = "raw_logs"
    __table_args__ = (
        PrimaryKeyConstraint("block_number", "log_index"),
        ForeignKeyConstraint(
            ["block_number", "block_hash"], ["blocks.number", "blocks.hash"], ondelete="CASCADE"
        ),
        WITHOUT_ROWID,
    )

    block_hash: Mapped[bytes] = mapped_column(Hash)
    log_index: Mapped[int] = mapped_column(Integer, autoincrement=False)
    block_number: Mapped[int] = mapped_column(BlockNumber)
    transaction_hash: Mapped[bytes] = mapped_column(Hash)
    transaction_index: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(Address)
    topic0: Mapped[bytes | None] = mapped_column(Hash)
    topic1: Mapped[bytes | None] = mapped_column(Hash)
    topic2: Mapped[bytes | None] = mapped_column(Hash)
    topic3: Mapped[bytes | None] = mapped_column(Hash)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CheckpointRow(Base):
    """The one row saying which deployment on which chain, and how far it is indexed.

    ``block_number`` is the last block whose logs are all in the index (``start_block - 1``
    before the first batch); it commits in the same transaction as those logs.
    """

    __tablename__ = "checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    chain_id: Mapped[int] = mapped_column(BlockNumber)
    registry_address: Mapped[str] = mapped_column(Address)
    token_address: Mapped[str] = mapped_column(Address)
    guidelines_address: Mapped[str] = mapped_column(Address)
    factory_address: Mapped[str] = mapped_column(Address)
    start_block: Mapped[int] = mapped_column(BlockNumber)
    block_number: Mapped[int] = mapped_column(BlockNumber)
    block_hash: Mapped[bytes | None] = mapped_column(Hash)
