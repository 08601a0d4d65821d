"""Connect to a running node, with an error that says how to start one."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from web3 import Web3
from web3.providers.rpc import HTTPProvider
from web3.types import RPCEndpoint

from rdh_chain.exceptions import ChainError, ChainNotRunningError

# Connections kept open to the node. requests keeps 10 per host by default: a process
# calling from more threads at once (the gateway runs its routes on anyio's 40 worker
# threads) opened more and urllib3 discarded each extra one with a "Connection pool is
# full" warning. A pool at least as large as the threads that share it keeps them all.
HTTP_POOL_SIZE = 64


def connect(
    rpc_url: str,
    *,
    expected_chain_id: int | None = None,
    timeout: float = 30.0,
    pool_size: int = HTTP_POOL_SIZE,
) -> Web3:
    """A :class:`Web3` on ``rpc_url``, checked to answer (and to be the expected chain),
    keeping up to ``pool_size`` connections open for the threads that share it.

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
    w3 = Web3(
        HTTPProvider(
            rpc_url, request_kwargs={"timeout": timeout}, session=_session(rpc_url, pool_size)
        )
    )
    # The validation middleware asks the node for its chain id before every estimate
    # and call (two round trips each); the SDK signs locally with the id it already
    # checked, so the check adds nothing but latency.
    w3.middleware_onion.remove("validation")
    return w3


def _session(rpc_url: str, pool_size: int) -> requests.Session:
    """A session that reads proxy settings from the environment once, not per request, and
    keeps ``pool_size`` connections per host."""
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(rpc_url))
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
