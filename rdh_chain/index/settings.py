"""The index's settings, read from ``RDH_INDEX_*`` variables (and ``RDH_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from rdh_chain.paths import data_dir
from rdh_chain.profiles import ProfileStore

INDEX_FILENAME = "index.sqlite"


class IndexSettings(BaseSettings):
    """Where the index lives and how it reads the chain.

    ``RDH_INDEX_URL`` is an SQLAlchemy URL (``sqlite:///path`` or
    ``postgresql+psycopg://user@host/db``); without it the index is the SQLite file
    ``index.sqlite`` in the data folder (``RDH_DATA_DIR``, else ``.rdh/``).
    ``RDH_INDEX_PROFILES_DIR`` is the folder of member profile documents the index names
    members from (a copy of the data folder's ``profiles/`` when it runs elsewhere than
    the demo or the CLI that wrote them); without it, the data folder's.
    """

    model_config = SettingsConfigDict(env_prefix="RDH_INDEX_", frozen=True)

    url: str | None = None
    data_dir: Path = Field(
        default_factory=data_dir, validation_alias=AliasChoices("data_dir", "RDH_DATA_DIR")
    )
    profiles_dir: Path | None = None
    # Blocks behind the head that the index waits for before reading a block: 0 where
    # finality is immediate (QBFT, a local anvil); reorgs deeper than this are still
    # detected and rolled back, only later.
    confirmations: int = Field(default=0, ge=0)
    # The first eth_getLogs range; it shrinks when the node refuses and grows back
    # (doubling) up to max_block_range after successes.
    block_range: int = Field(default=100, ge=1)
    max_block_range: int = Field(default=100_000, ge=1)
    # About this many logs per eth_getLogs range (ranges narrow when they hold more), and
    # at most this many in one database transaction (whole blocks).
    range_logs: int = Field(default=10_000, ge=1)
    batch_logs: int = Field(default=50_000, ge=1)
    # Block headers asked for in one JSON-RPC batch request.
    header_batch: int = Field(default=500, ge=1)
    # Read the next range on a thread while the last one is written.
    prefetch: bool = True
    # Seconds between polls for a new head in follow mode.
    poll_interval: float = Field(default=0.1, gt=0)

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the index database."""
        if self.url:
            return self.url
        return f"sqlite:///{self.data_dir / INDEX_FILENAME}"

    @property
    def profile_store(self) -> ProfileStore:
        """Where members are named from: ``profiles_dir``, else the data folder's."""
        if self.profiles_dir is not None:
            return ProfileStore(self.profiles_dir)
        return ProfileStore.in_data_dir(self.data_dir)
