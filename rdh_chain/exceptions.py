"""The exception hierarchy of rdh-chain.

Every error the SDK, the CLI and the gateway raise derives from
:class:`RdhChainError`, so callers can catch the whole family at once. Each
message says what to do next.
"""

from __future__ import annotations

from typing import Any


class RdhChainError(Exception):
    """Root of every error raised by rdh-chain."""


# -- configuration and toolchain ---------------------------------------------------------


class ConfigError(RdhChainError):
    """The project's configuration or data folder is missing or inconsistent."""


class ToolchainError(RdhChainError):
    """The compiler or the local chain binary cannot be found or run."""


class CompilationError(ToolchainError):
    """The Solidity sources did not compile."""


class ArtifactError(ToolchainError):
    """Build artifacts are missing or stale; run `make build` (or `rdh build`)."""


# -- chain and transactions --------------------------------------------------------------


class ChainError(RdhChainError):
    """The chain cannot be reached or did not behave as expected."""


class ChainNotRunningError(ChainError):
    """No node answers at the configured RPC URL."""


class DeploymentError(ChainError):
    """The rdh-chain contracts are not deployed where the deployment record says."""


class TransactionError(ChainError):
    """A transaction was rejected by the node or failed without a known reason."""


# -- wallets -----------------------------------------------------------------------------


class WalletError(RdhChainError):
    """A keystore cannot be read or decrypted."""


# -- input -------------------------------------------------------------------------------


class InvalidInputError(RdhChainError, ValueError):
    """A caller passed a value the ledger cannot accept (address, amount, shares)."""


class InvalidSignatureError(InvalidInputError):
    """A signature that is malformed, non-canonical (high s) or not the expected signer's."""


class NotFoundError(RdhChainError, LookupError):
    """An EMC, member or version that the caller named does not exist."""


# -- contract reverts --------------------------------------------------------------------


class ContractRevertError(TransactionError):
    """A contract reverted. Subclasses are generated per Solidity custom error.

    ``error_name`` is the Solidity error's name and ``args`` its decoded
    arguments by parameter name, so callers can act on the offending values.
    """

    error_name: str = ""
    hint: str = ""

    def __init__(self, message: str, *, args: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.args_by_name: dict[str, Any] = dict(args or {})


class UnknownRevertError(ContractRevertError):
    """A revert whose data matches no error in the rdh-chain ABIs."""


class AccessDeniedError(ContractRevertError):
    """Base of the reverts raised when the sender lacks a role or ownership."""


class BadInputRevertError(ContractRevertError):
    """Base of the reverts raised for values the contract rejects."""


class StateRevertError(ContractRevertError):
    """Base of the reverts raised when the call does not fit the current state."""


class ReadOnlyError(WalletError):
    """A write was attempted through a client with no wallet; connect one first."""
