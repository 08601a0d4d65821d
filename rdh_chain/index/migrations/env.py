"""Alembic's entry point for the index; run by :func:`rdh_chain.index.db.migrate`.

It uses the connection the caller passes in ``config.attributes["connection"]``, or
else opens ``sqlalchemy.url`` (for the ``alembic`` command line).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from rdh_chain.index.db import create_index_engine
from rdh_chain.index.schema import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("set sqlalchemy.url, or pass a connection in config.attributes")
    engine = create_index_engine(url)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()


if context.is_offline_mode():
    raise RuntimeError("the index's migrations run online only")
run_migrations_online()
