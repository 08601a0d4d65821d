"""What the index computes from the raw logs: contracts, decoded events, members, profiles.

Every row here can be deleted and derived again from :mod:`.chain`'s tables
(``rdh index rebuild``); a reorg deletes the rows of the blocks it replaced. Members' names
and the ``profiles`` table also read the profile documents of a folder (the data folder's
``profiles/``, or ``RDH_INDEX_PROFILES_DIR``): the same raw logs and the same documents
give the same rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from rdh_chain.index.schema.base import WITHOUT_ROWID, Address, Base, BlockNumber, Hash
from rdh_chain.profiles import MAX_NAME_LENGTH, MAX_NOTE_LENGTH

# A profile's kind (rdh_chain.profiles.ProfileKind's values) and a member's match status
# (rdh_chain.profiles.MatchStatus's).
ProfileKindText = String(16)
ProfileStatusText = String(8)


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
    # No foreign key to raw_logs: the derived tables are deleted and made again apart from
    # them (a rebuild, a reorg's rollback deletes both by block number). Few indexes: each
    # one costs every insert. The EMC's history reads by ``emc``; a member's, and the
    # member rows (by ``account``), go through ``event_accounts``, which names every
    # address an event's ``account`` is (but the zero address, never a member's).
    __table_args__ = (Index(None, "emc", "block_number", "log_index"), WITHOUT_ROWID)

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
    """Every address an event names (invited bidders, share entries...), and an activation's
    signers (its proposal's parties, which the event does not repeat): who it involves."""

    __tablename__ = "event_accounts"
    # One B-tree keyed by what it is read by: an address's events, in chain order. No
    # foreign key to events: whatever deletes events (a reorg's rollback, a rebuild)
    # deletes these first, by block number; a cascade would search this table, not keyed
    # by the event, once per event deleted.
    __table_args__ = (PrimaryKeyConstraint("account", "block_number", "log_index"), WITHOUT_ROWID)

    block_number: Mapped[int] = mapped_column(BlockNumber, autoincrement=False)
    log_index: Mapped[int] = mapped_column(Integer, autoincrement=False)
    account: Mapped[str] = mapped_column(Address)


class MemberRow(Base):
    """A registry member as its events leave it: roles held, metadata hash, whether suspended.

    ``profile_status`` says what the profile folder holds for the metadata: ``matched`` (a
    document hashing to it, kept in ``profiles``), ``mismatch`` (a document under its name,
    or the last one written for the account, hashing otherwise: its name and kind are kept
    here, to be shown marked), ``missing``; NULL until the names are derived
    (:func:`rdh_chain.index.names.refresh_names`) after the member's events were.
    """

    __tablename__ = "members"

    address: Mapped[str] = mapped_column(Address, primary_key=True)
    # Role names (rdh_chain.types.Role's values, "admin" for AccessControl's default admin).
    roles: Mapped[list[str]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    metadata_hash: Mapped[bytes] = mapped_column(Hash)
    active: Mapped[bool] = mapped_column(Boolean)
    added_block: Mapped[int] = mapped_column(BlockNumber)
    updated_block: Mapped[int] = mapped_column(BlockNumber)
    profile_status: Mapped[str | None] = mapped_column(ProfileStatusText)
    profile_name: Mapped[str | None] = mapped_column(String(MAX_NAME_LENGTH))
    profile_kind: Mapped[str | None] = mapped_column(ProfileKindText)


class ProfileRow(Base):
    """A member profile whose hash is a member's metadata: the document and its fields.

    ``document`` is the canonical JSON (:meth:`rdh_chain.profiles.Profile.canonical`), so
    ``keccak(document) == hash``; only documents some member's metadata is are kept.
    """

    __tablename__ = "profiles"

    hash: Mapped[bytes] = mapped_column(Hash, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH))
    kind: Mapped[str] = mapped_column(ProfileKindText)
    note: Mapped[str | None] = mapped_column(String(MAX_NOTE_LENGTH))
    document: Mapped[bytes] = mapped_column(LargeBinary)
