"""The local chain: anvil processes and connections to them."""

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
from rdh_chain.chain.connect import connect

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
