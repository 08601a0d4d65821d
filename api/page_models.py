"""Pages of the index-backed lists, and the block they were read at."""

from __future__ import annotations

from pydantic import Field

from api.models import EmcPublic, _Public


class AsOfPublic(_Public):
    """The block an answer was read at: every event up to it, none after."""

    block_number: int
    block_hash: str | None = Field(
        description="The block's hash (0x + 64 hex digits), so a reader can check the answer "
        "against its own node; null for an earlier block (``as_of``) that holds no "
        "rdh-chain event, which the index does not keep."
    )
    replica_lag_s: int | None = Field(
        default=None,
        description="Read from a PostgreSQL hot standby of the index: how many whole seconds "
        "its replay was behind the primary the indexer writes (0: it had applied all the "
        "WAL it had received; otherwise the time since it last applied a transaction, an "
        "upper bound). Null when read from the primary, SQLite or the chain.",
        examples=[0],
    )


class EmcPagePublic(_Public):
    """A page of the EMCs, in order of creation, each read at ``as_of``."""

    as_of: AsOfPublic
    checkpoint_block: int | None = Field(
        description="How far the index is (null when the list came from the chain)."
    )
    total: int = Field(description="EMCs in all pages.")
    limit: int
    offset: int
    items: list[EmcPublic]
