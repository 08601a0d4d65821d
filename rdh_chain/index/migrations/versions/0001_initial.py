"""The first schema: chain tables (blocks, raw logs, checkpoint) and derived tables.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blocks",
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("parent_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_blocks")),
        sa.UniqueConstraint("hash", name=op.f("uq_blocks_hash")),
    )
    op.create_table(
        "checkpoint",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("registry_address", sa.String(length=42), nullable=False),
        sa.Column("token_address", sa.String(length=42), nullable=False),
        sa.Column("guidelines_address", sa.String(length=42), nullable=False),
        sa.Column("factory_address", sa.String(length=42), nullable=False),
        sa.Column("start_block", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.LargeBinary(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint")),
    )
    op.create_table(
        "contracts",
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("emc_id", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(length=42), nullable=True),
        sa.Column("module", sa.String(length=42), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("log_index", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_contracts")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contracts_kind"), ["kind"], unique=False)

    op.create_table(
        "members",
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column(
            "roles",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("metadata_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_block", sa.BigInteger(), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_members")),
    )
    op.create_table(
        "raw_logs",
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
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f("fk_raw_logs_block_hash_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("block_hash", "log_index", name=op.f("pk_raw_logs")),
    )
    with op.batch_alter_table("raw_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raw_logs_address"), ["address"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_raw_logs_block_number_log_index"),
            ["block_number", "log_index"],
            unique=False,
        )

    op.create_table(
        "events",
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
        sa.Column("args", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_hash", "log_index"],
            ["raw_logs.block_hash", "raw_logs.log_index"],
            name=op.f("fk_events_block_hash_log_index_raw_logs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("block_number", "log_index", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_account"), ["account"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_events_block_hash_log_index"), ["block_hash", "log_index"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_events_emc_block_number_log_index"),
            ["emc", "block_number", "log_index"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_events_name"), ["name"], unique=False)

    op.create_table(
        "event_accounts",
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("log_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["block_number", "log_index"],
            ["events.block_number", "events.log_index"],
            name=op.f("fk_event_accounts_block_number_log_index_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account", "block_number", "log_index", name=op.f("pk_event_accounts")
        ),
    )


def downgrade() -> None:
    op.drop_table("event_accounts")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_name"))
        batch_op.drop_index(batch_op.f("ix_events_emc_block_number_log_index"))
        batch_op.drop_index(batch_op.f("ix_events_block_hash_log_index"))
        batch_op.drop_index(batch_op.f("ix_events_account"))

    op.drop_table("events")
    with op.batch_alter_table("raw_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raw_logs_block_number_log_index"))
        batch_op.drop_index(batch_op.f("ix_raw_logs_address"))

    op.drop_table("raw_logs")
    op.drop_table("members")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_kind"))

    op.drop_table("contracts")
    op.drop_table("checkpoint")
    op.drop_table("blocks")
