"""Fewer, narrower B-trees for the chain's and the events' tables: a faster backfill.

Every index costs every insert: a backfill wrote about twelve B-trees per event (a rowid
table and its key's index for blocks, raw logs, events and event accounts, with a second
key or an index on each). Now:

- ``raw_logs``: keyed by (block number, log index), the compact surrogate of the
  (block hash, log index) ingestion is idempotent on (the foreign key to the new unique
  ``blocks (number, hash)`` makes the two name the same rows), no second index;
- ``events``: its key and the EMC's index (``events.account``'s went: member rows read
  through ``event_accounts``);
- ``event_accounts``: keyed by (account, block number, log index), what a member's history
  reads, no index (the foreign key to events went: deletes clear these first);
- on SQLite the four tables are ``WITHOUT ROWID``: each is the one B-tree of its key.

Rows are kept. On SQLite the tables are made again (it cannot change a key in place): the
old ones are renamed, the new made, the rows copied, the old dropped, in the migration's
one transaction. On PostgreSQL the keys, foreign keys and indexes are altered in place.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _block_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("parent_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
    ]


def _raw_log_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("block_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("log_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("transaction_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("transaction_index", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("topic0", sa.LargeBinary(length=32), nullable=True),
        sa.Column("topic1", sa.LargeBinary(length=32), nullable=True),
        sa.Column("topic2", sa.LargeBinary(length=32), nullable=True),
        sa.Column("topic3", sa.LargeBinary(length=32), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    ]


def _event_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("block_number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("log_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("block_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("transaction_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("block_time", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("emc", sa.String(length=42), nullable=True),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=True),
        sa.Column("period", sa.BigInteger(), nullable=True),
        sa.Column("args", _JSON, nullable=False),
    ]


def _event_account_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("block_number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("log_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
    ]


class _Shape(NamedTuple):
    """One table as a revision has it: columns, constraints, indexes, SQLite options (a
    named tuple: Alembic loads this file outside ``sys.modules``, where dataclasses fail)."""

    name: str
    columns: Callable[[], list[sa.Column[object]]]
    constraints: Callable[[], list[sa.Constraint]]
    indexes: tuple[tuple[str, tuple[str, ...], bool], ...] = ()  # name, columns, unique
    with_rowid: bool = True


# Parents first (the order rows are copied in; dropped in reverse).
NEW: tuple[_Shape, ...] = (
    _Shape(
        "blocks",
        _block_columns,
        lambda: [
            sa.PrimaryKeyConstraint("number", name=op.f("pk_blocks")),
            sa.UniqueConstraint("hash", name=op.f("uq_blocks_hash")),
            sa.UniqueConstraint("number", "hash", name=op.f("uq_blocks_number_hash")),
        ],
        with_rowid=False,
    ),
    _Shape(
        "raw_logs",
        _raw_log_columns,
        lambda: [
            sa.ForeignKeyConstraint(
                ["block_number", "block_hash"],
                ["blocks.number", "blocks.hash"],
                name=op.f("fk_raw_logs_block_number_block_hash_blocks"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("block_number", "log_index", name=op.f("pk_raw_logs")),
        ],
        with_rowid=False,
    ),
    _Shape(
        "events",
        _event_columns,
        lambda: [sa.PrimaryKeyConstraint("block_number", "log_index", name=op.f("pk_events"))],
        (("ix_events_emc_block_number_log_index", ("emc", "block_number", "log_index"), False),),
        with_rowid=False,
    ),
    _Shape(
        "event_accounts",
        _event_account_columns,
        lambda: [
            sa.PrimaryKeyConstraint(
                "account", "block_number", "log_index", name=op.f("pk_event_accounts")
            )
        ],
        with_rowid=False,
    ),
)

# 0001's (0002 did not change these).
OLD: tuple[_Shape, ...] = (
    _Shape(
        "blocks",
        _block_columns,
        lambda: [
            sa.PrimaryKeyConstraint("number", name=op.f("pk_blocks")),
            sa.UniqueConstraint("hash", name=op.f("uq_blocks_hash")),
        ],
    ),
    _Shape(
        "raw_logs",
        _raw_log_columns,
        lambda: [
            sa.ForeignKeyConstraint(
                ["block_hash"],
                ["blocks.hash"],
                name=op.f("fk_raw_logs_block_hash_blocks"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("block_hash", "log_index", name=op.f("pk_raw_logs")),
        ],
        (("ix_raw_logs_block_number_log_index", ("block_number", "log_index"), True),),
    ),
    _Shape(
        "events",
        _event_columns,
        lambda: [sa.PrimaryKeyConstraint("block_number", "log_index", name=op.f("pk_events"))],
        (
            ("ix_events_account", ("account",), False),
            ("ix_events_emc_block_number_log_index", ("emc", "block_number", "log_index"), False),
        ),
    ),
    _Shape(
        "event_accounts",
        _event_account_columns,
        lambda: [
            sa.ForeignKeyConstraint(
                ["block_number", "log_index"],
                ["events.block_number", "events.log_index"],
                name=op.f("fk_event_accounts_block_number_log_index_events"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint(
                "block_number", "log_index", "account", name=op.f("pk_event_accounts")
            ),
        ],
        (("ix_event_accounts_account", ("account",), False),),
    ),
)


def _recreate_on_sqlite(old: Sequence[_Shape], new: Sequence[_Shape]) -> None:
    """Make ``old``'s tables again as ``new``'s, keeping their rows.

    The old tables are renamed first (SQLite renames the foreign keys that refer to them
    too, so a new table's keys refer to the new parents), their indexes dropped (index
    names are the schema's, not the table's), then the rows copied parents first (each
    table's indexes made after its rows) and the old tables dropped children first
    (dropping a parent first would cascade).
    """
    for shape in old:
        for name, _columns, _unique in shape.indexes:
            op.drop_index(op.f(name), table_name=shape.name)
    for shape in reversed(old):
        op.rename_table(shape.name, f"_0003_{shape.name}")
    for shape in new:
        op.create_table(
            shape.name,
            *shape.columns(),
            *shape.constraints(),
            sqlite_with_rowid=shape.with_rowid,
        )
    for shape in new:
        names = ", ".join(c.name for c in shape.columns())
        op.execute(f"INSERT INTO {shape.name} ({names}) SELECT {names} FROM _0003_{shape.name}")
        for name, columns, unique in shape.indexes:
            op.create_index(op.f(name), shape.name, list(columns), unique=unique)
    for shape in reversed(old):
        op.drop_table(f"_0003_{shape.name}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate_on_sqlite(OLD, NEW)
        return
    op.create_unique_constraint(op.f("uq_blocks_number_hash"), "blocks", ["number", "hash"])
    op.drop_constraint(op.f("fk_raw_logs_block_hash_blocks"), "raw_logs", type_="foreignkey")
    op.drop_index(op.f("ix_raw_logs_block_number_log_index"), table_name="raw_logs")
    op.drop_constraint(op.f("pk_raw_logs"), "raw_logs", type_="primary")
    op.create_primary_key(op.f("pk_raw_logs"), "raw_logs", ["block_number", "log_index"])
    op.create_foreign_key(
        op.f("fk_raw_logs_block_number_block_hash_blocks"),
        "raw_logs",
        "blocks",
        ["block_number", "block_hash"],
        ["number", "hash"],
        ondelete="CASCADE",
    )
    op.drop_index(op.f("ix_events_account"), table_name="events")
    op.drop_constraint(
        op.f("fk_event_accounts_block_number_log_index_events"),
        "event_accounts",
        type_="foreignkey",
    )
    op.drop_index(op.f("ix_event_accounts_account"), table_name="event_accounts")
    op.drop_constraint(op.f("pk_event_accounts"), "event_accounts", type_="primary")
    op.create_primary_key(
        op.f("pk_event_accounts"), "event_accounts", ["account", "block_number", "log_index"]
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate_on_sqlite(NEW, OLD)
        return
    op.drop_constraint(op.f("pk_event_accounts"), "event_accounts", type_="primary")
    op.create_primary_key(
        op.f("pk_event_accounts"), "event_accounts", ["block_number", "log_index", "account"]
    )
    op.create_index(op.f("ix_event_accounts_account"), "event_accounts", ["account"])
    op.create_foreign_key(
        op.f("fk_event_accounts_block_number_log_index_events"),
        "event_accounts",
        "events",
        ["block_number", "log_index"],
        ["block_number", "log_index"],
        ondelete="CASCADE",
    )
    op.create_index(op.f("ix_events_account"), "events", ["account"])
    op.drop_constraint(
        op.f("fk_raw_logs_block_number_block_hash_blocks"), "raw_logs", type_="foreignkey"
    )
    op.drop_constraint(op.f("pk_raw_logs"), "raw_logs", type_="primary")
    op.create_primary_key(op.f("pk_raw_logs"), "raw_logs", ["block_hash", "log_index"])
    op.create_index(
        op.f("ix_raw_logs_block_number_log_index"),
        "raw_logs",
        ["block_number", "log_index"],
        unique=True,
    )
    op.create_foreign_key(
        op.f("fk_raw_logs_block_hash_blocks"),
        "raw_logs",
        "blocks",
        ["block_hash"],
        ["hash"],
        ondelete="CASCADE",
    )
    op.drop_constraint(op.f("uq_blocks_number_hash"), "blocks", type_="unique")
