"""The declarative base every index table derives from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, LargeBinary, MetaData, String
from sqlalchemy.orm import DeclarativeBase

# Constraint names spelled out, so that Alembic can name (and later drop) them on every
# backend the same way.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# An address as the checksummed text web3 uses (what people read and the SDK returns).
Address = String(42)
# A block number (uint64 on every chain that matters; above a 32-bit INTEGER).
BlockNumber = BigInteger
Hash = LargeBinary(32)
# A table stored as the B-tree of its primary key on SQLite (one B-tree, not a rowid table
# and an index on the key); nothing on PostgreSQL. The last item of a ``__table_args__``.
WITHOUT_ROWID: dict[str, Any] = {"sqlite_with_rowid": False}


class Base(DeclarativeBase):
    """Base of the index's tables: the chain's (:mod:`.chain`) and the derived (:mod:`.derived`)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 (SQLAlchemy's declared attribute)
        bytes: LargeBinary,
        dict[str, Any]: JSON,
    }
