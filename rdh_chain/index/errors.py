"""The index's errors: all of them :class:`~rdh_chain.exceptions.RdhChainError`."""

from __future__ import annotations

from rdh_chain.exceptions import ChainError, ConfigError


class IndexConfigError(ConfigError):
    """The index database cannot be opened, or belongs to another deployment or chain."""


class IndexSyncError(ChainError):
    """The node did not answer the indexer as expected (after retries and smaller ranges)."""
