"""Connect to a running node, with an error that says how to start one."""

from __future__ import annotations

from web3 import Web3
from web3.providers.rpc import HTTPProvider
from web3.types import RPCEndpoint

from rdh_chain.exceptions import ChainError, ChainNotRunningError


def connect(rpc_url: str, *, expected_chain_id: int | None = None, timeout: float = 30.0) -> Web3:
    """A :class:`Web3` on ``rpc_url``, checked to answer (and to be the expected chain).

    Raises :class:`ChainNotRunningError` if nothing answers, and
    :class:`ChainError` if the chain id differs from ``expected_chain_id``.
    """
    # Probe once without web3's retries, which would stall a missing node for seconds.
    probe = HTTPProvider(
        rpc_url, request_kwargs={"timeout": 5.0}, exception_retry_configuration=None
    )
    try:
        reply = probe.make_request(RPCEndpoint("eth_chainId"), [])
        chain_id = int(reply["result"], 16)
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ChainNotRunningError(
            f"No Ethereum node answers at {rpc_url} ({exc.__class__.__name__}); "
            "start one with `rdh chain up` (or `make run`)."
        ) from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise ChainError(
            f"The node at {rpc_url} is chain {chain_id}, expected {expected_chain_id}; "
            "check the RPC URL."
        )
    return Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
