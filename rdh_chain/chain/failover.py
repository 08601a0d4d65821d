"""JSON-RPC over several nodes of one permissioned network, failing over when one stops.

A QBFT network has several validator or RPC nodes; ``RDH_RPC_URL`` may list them, comma
separated. :class:`FailoverProvider` sends each request to the node that answered last and,
when it stops answering (refused, reset or timed out: the node is down, not the request
wrong), asks the next. An answer with a JSON-RPC error is an answer: it is not retried.

Sends stay exactly-once. A signed transaction is the same bytes whichever node gets it: a
node that has it already, or has mined it, cannot take it again. The one doubt is a send
whose node went down before answering: it may have taken the transaction. So when a send
fails over and the next node turns it down, that node is asked for the transaction by its
hash (the keccak of the bytes); if it knows it, the send succeeded and its hash is the
answer. Nothing is signed again, so no second nonce is ever used for one intent.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, cast

import requests
from eth_utils.crypto import keccak
from web3.providers import JSONBaseProvider
from web3.providers.rpc import HTTPProvider
from web3.types import RPCEndpoint, RPCResponse

from rdh_chain.exceptions import ChainNotRunningError

__all__ = ["FailoverProvider", "split_urls"]

# What says the node is gone rather than the request wrong.
_DOWN = (requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError)
_SEND = "eth_sendRawTransaction"


def split_urls(rpc_url: str) -> list[str]:
    """The node URLs of an ``RDH_RPC_URL`` (comma separated, blanks ignored)."""
    return [url.strip() for url in rpc_url.split(",") if url.strip()]


class FailoverProvider(JSONBaseProvider):
    """A web3 provider over ``urls``, in order of preference (see the module)."""

    def __init__(self, providers: Sequence[HTTPProvider]) -> None:
        super().__init__()
        if not providers:
            raise ValueError("FailoverProvider needs at least one node")
        self.providers = list(providers)
        self._current = 0
        self._lock = threading.Lock()
        self.failovers = 0  # how often a node stopped answering and the next was asked

    @property
    def endpoint_uri(self) -> str:
        """The node requests go to now."""
        return str(self.providers[self._current].endpoint_uri)

    def __str__(self) -> str:
        return f"FailoverProvider({', '.join(str(p.endpoint_uri) for p in self.providers)})"

    def _order(self) -> list[int]:
        with self._lock:
            start = self._current
        count = len(self.providers)
        return [(start + i) % count for i in range(count)]

    def _answered(self, index: int, first: int) -> None:
        if index != first:
            with self._lock:
                self._current = index
                self.failovers += 1

    def _down(self, errors: list[str]) -> ChainNotRunningError:
        return ChainNotRunningError(
            "No node of the network answers (" + "; ".join(errors) + "); check the nodes "
            "in RDH_RPC_URL."
        )

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        order = self._order()
        errors: list[str] = []
        for attempt, index in enumerate(order):
            provider = self.providers[index]
            try:
                reply = provider.make_request(method, params)
            except _DOWN as exc:
                errors.append(f"{provider.endpoint_uri}: {exc.__class__.__name__}")
                continue
            self._answered(index, order[0])
            if attempt and method == _SEND and "error" in reply:
                return self._already_sent(provider, params[0], reply)
            return reply
        raise self._down(errors)

    def make_batch_request(
        self, requests_: list[tuple[RPCEndpoint, Any]]
    ) -> list[RPCResponse] | RPCResponse:
        order = self._order()
        errors: list[str] = []
        for attempt, index in enumerate(order):
            provider = self.providers[index]
            try:
                replies = provider.make_batch_request(requests_)
            except _DOWN as exc:
                errors.append(f"{provider.endpoint_uri}: {exc.__class__.__name__}")
                continue
            self._answered(index, order[0])
            if attempt and isinstance(replies, list):
                replies = [
                    self._already_sent(provider, params[0], reply)
                    if method == _SEND and "error" in reply
                    else reply
                    for (method, params), reply in zip(requests_, replies, strict=True)
                ]
            return replies
        raise self._down(errors)

    def _already_sent(self, provider: HTTPProvider, raw: str, refusal: RPCResponse) -> RPCResponse:
        """A send the previous node may have taken, turned down by ``provider``: its hash
        if ``provider`` knows the transaction (it was sent), else the refusal."""
        tx_hash = "0x" + keccak(hexstr=raw).hex()
        try:
            found = provider.make_request(RPCEndpoint("eth_getTransactionByHash"), [tx_hash])
        except _DOWN:
            return refusal
        if found.get("result"):
            return cast(RPCResponse, {"jsonrpc": "2.0", "id": refusal.get("id"), "result": tx_hash})
        return refusal

    def is_connected(self, show_traceback: bool = False) -> bool:
        return any(p.is_connected(show_traceback) for p in self.providers)


def failover_provider(
    urls: Sequence[str], *, timeout: float, session: Any = None
) -> FailoverProvider:
    """A provider over ``urls``; each node with its own session (``session(url)``)."""
    made = [
        HTTPProvider(
            url,
            request_kwargs={"timeout": timeout},
            session=None if session is None else session(url),
            exception_retry_configuration=None,  # fail over at once, do not wait on a dead node
        )
        for url in urls
    ]
    return FailoverProvider(made)
