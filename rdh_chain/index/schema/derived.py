"""What the index computes from the raw logs: contracts, decoded events, members.

Every row here can be deleted and derived again from :mod:`.chain`'s tables
(``rdh index rebuild``); a reorg deletes the rows of the blocks it replaced.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from rdh_chain.index.schema.base import Address, Base, BlockNumber, Hash


class ContractRow(Base):
    """An address whose logs the index reads, by kind.

    The deployment's four contracts (``block_number`` NULL: they come from the deployment
    record), the factory's template and module (``TemplateDeployed``), and every EMC it
    created (``EmcCreated``), with the module that serves the rest of its interface.
    """

    __tablename__ = "contracts"

    address: Mapped[str] = mapped_column(Address, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    emc_id: Mapped[int | None] = mapped_column(Integer)
    owner: Mapped[str | None] = mapped_column(Address)
    module: Mapped[str | None] = mapped_column(Address)
    block_number: Mapped[int | None] = mapped_column(BlockNumber)
    log_index: Mapped[int | None] = mapped_column(Integer)


class EventRow(Base):
    """One decoded rdh-chain event, with what the history filters on.

    ``emc`` is the EMC it concerns (the EMC that emitted it, the one the factory created,
    or a token transfer's EMC side), ``account`` the member it is chiefly about, ``period``
    the period it names; ``args`` is every field, as JSON (bytes as 0x-hex).
    """

    __tablename__ = "events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["block_hash", "log_index"],
            ["raw_logs.block_hash", "raw_logs.log_index"],
            ondelete="CASCADE",
        ),
        Index(None, "emc", "block_number", "log_index"),
        Index(None, "account"),
        Index(None, "name"),
        Index(None, "block_hash", "log_index", unique=True),
    )

    block_number: Mapped[int] = mapped_column(BlockNumber, primary_key=True, autoincrement=False)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    block_hash: Mapped[bytes] = mapped_column(Hash)
    transaction_hash: Mapped[bytes] = mapped_column(Hash)
    block_time: Mapped[int] = mapped_column(BlockNumber)
    contract: Mapped[str] = mapped_column(Address)
    kind: Mapped[str] = mapped_column(String(16))
    emc: Mapped[str | None] = mapped_column(Address)
    name: Mapped[str] = mapped_column(String(40))
    account: Mapped[str | None] = mapped_column(Address)
    period: Mapped[int | None] = mapped_column(BlockNumber)
    args: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))


class EventAccountRow(Base):
    """Every address an event names (signers, invited bidders, share entries): who it involves."""

    __tablename__ = "event_accounts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["block_number", "log_index"],
            ["events.block_number", "events.log_index"],
            ondelete="CASCADE",
        ),
    )

    account: Mapped[str] = mapped_column(Address, primary_key=True)
    block_number: Mapped[int] = mapped_column(BlockNumber, primary_key=True, autoincrement=False)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class MemberRow(Base):
    """A registry member as its events leave it: roles held, metadata hash, whether suspended."""

    __tablename__ = "members"

    address: Mapped[str] = mapped_column(Address, primary_key=True)
    # Role names (rdh_chain.types.Role's values, "admin" for AccessControl's default admin).
    roles: Mapped[list[str]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    metadata_hash: Mapped[bytes] = mapped_column(Hash)
    active: Mapped[bool] = mapped_column(Boolean)
    added_block: Mapped[int] = mapped_column(BlockNumber)
    updated_block: Mapped[int] = mapped_column(BlockNumber)
