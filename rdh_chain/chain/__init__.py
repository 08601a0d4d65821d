"""The local chain: connections to a node, and (for dev tools) anvil processes.

:func:`connect` is what the SDK uses. The anvil process manager,
:mod:`rdh_chain.chain.anvil`, is a dev and CLI tool: its names are served from here
on first use, so importing the SDK never loads it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from rdh_chain.chain.connect import connect

if TYPE_CHECKING:
    from rdh_chain.chain.anvil import (
        ANVIL_BINARY,
        AnvilConfig,
        AnvilNode,
        NodeStatus,
        default_data_dir,
        free_port,
        rpc_request,
        start_background,
        status,
        stop_background,
    )

_ANVIL_NAMES = frozenset(
    {
        "ANVIL_BINARY",
        "AnvilConfig",
        "AnvilNode",
        "NodeStatus",
        "default_data_dir",
        "free_port",
        "rpc_request",
        "start_background",
        "status",
        "stop_background",
    }
)


def __getattr__(name: str) -> Any:
    if name in _ANVIL_NAMES:
        return getattr(importlib.import_module("rdh_chain.chain.anvil"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ANVIL_BINARY",
    "AnvilConfig",
    "AnvilNode",
    "NodeStatus",
    "connect",
    "default_data_dir",
    "free_port",
    "rpc_request",
    "start_background",
    "status",
    "stop_background",
]
