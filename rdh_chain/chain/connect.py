"""Connect to a running node, with an error that says how to start one."""

from __future__ import annotations

import requests
from web3 import Web3
from web3.providers.rpc import HTTPProvider
from web3.types import RPCEndpoint

from rdh_chain.chain.failover import FailoverProvider, failover_provider, split_urls
from rdh_chain.exceptions import ChainError, ChainNotRunningError


def connect(rpc_url: str, *, expected_chain_id: int | None = None, timeout: float = 30.0) -> Web3:
    """A :class:`Web3` on ``rpc_url``, checked to answer (and to be the expected chain).

    ``rpc_url`` may list several nodes of one network, comma separated: requests then go
    to the first that answers and fail over to the next when it stops
    (:mod:`rdh_chain.chain.failover`); all must be the same chain.

    Raises :class:`ChainNotRunningError` if nothing answers, and
    :class:`ChainError` if the chain id differs from ``expected_chain_id`` (or between
    the nodes listed).
    """
    urls = split_urls(rpc_url)
    if not urls:
        raise ChainNotRunningError("No RPC URL given: set RDH_RPC_URL (or --rpc-url).")
    probed = {url: _probe(url) for url in urls}
    answering = {url: found for url, found in probed.items() if isinstance(found, int)}
    if not answering:
        where = ", ".join(f"{url} ({why})" for url, why in probed.items())
        raise ChainNotRunningError(
            f"No Ethereum node answers at {where}; start one with `rdh chain up` (or `make run`)."
        )
    if len(set(answering.values())) > 1:
        shown = ", ".join(f"{url} is chain {cid}" for url, cid in answering.items())
        raise ChainError(f"The nodes in RDH_RPC_URL are of different chains ({shown}).")
    chain_id = next(iter(answering.values()))
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise ChainError(
            f"The node at {rpc_url} is chain {chain_id}, expected {expected_chain_id}; "
            "check the RPC URL."
        )
    provider: HTTPProvider | FailoverProvider
    if len(urls) == 1:
        provider = HTTPProvider(
            urls[0], request_kwargs={"timeout": timeout}, session=_session(urls[0])
        )
    else:
        provider = failover_provider(urls, timeout=timeout, session=_session)
    w3 = Web3(provider)
    # The validation middleware asks the node for its chain id before every estimate
    # and call (two round trips each); the SDK signs locally with the id it already
    # checked, so the check adds nothing but latency.
    w3.middleware_onion.remove("validation")
    return w3


def _probe(url: str) -> int | str:
    """The chain id of the node at ``url``, or why it does not answer."""
    # Once, without web3's retries, which would stall a missing node for seconds.
    probe = HTTPProvider(url, request_kwargs={"timeout": 5.0}, exception_retry_configuration=None)
    try:
        reply = probe.make_request(RPCEndpoint("eth_chainId"), [])
        return int(reply["result"], 16)
    except (OSError, KeyError, TypeError, ValueError) as exc:
        return exc.__class__.__name__


def _session(rpc_url: str) -> requests.Session:
    """A session that reads proxy settings from the environment once, not per request."""
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(rpc_url))
    return session
