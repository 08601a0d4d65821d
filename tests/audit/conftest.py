"""The contract tests' deployed ledger (``cast``), reused for the auditor's checks."""

from tests.contracts.conftest import _fresh_nonces, cast

__all__ = ["_fresh_nonces", "cast"]
