"""Members have names: the ``profiles`` table and each member's profile status, name, kind.

Members indexed at 0001 keep their rows; their profile columns are NULL (not yet named)
until the next ``rdh index sync``, ``rebuild`` or ``profiles`` derives them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_profiles")),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("profile_status", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("profile_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("profile_kind", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("profile_kind")
        batch_op.drop_column("profile_name")
        batch_op.drop_column("profile_status")
    op.drop_table("profiles")
