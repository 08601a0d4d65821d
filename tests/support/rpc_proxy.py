"""A JSON-RPC proxy in front of a node: a node that stops, or one that speaks only the
standard methods.

It forwards every request (single or batch) to ``upstream`` over HTTP. ``stop()`` closes
its socket as a node that went down does (later connections are refused). With
``vanish_after_send`` it forwards the next ``eth_sendRawTransaction`` and then drops the
connection without answering: the node took the transaction, the client never heard.
``policy`` (a request -> an error object, or None to forward it) answers some calls itself:
:func:`standard_only` is a production node's (Besu's) view of anvil's extras.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

Policy = Callable[[dict[str, Any]], dict[str, Any] | None]

# Methods a production node (Besu, geth) does not have or does not expose to applications.
NON_STANDARD_PREFIXES = ("anvil_", "evm_", "hardhat_", "debug_")
BESU_MAX_LOGS_RANGE = 1_000  # Besu's --rpc-max-logs-range is 5,000 by default; be stricter


def _block(tag: object) -> int | None:
    return int(tag, 16) if isinstance(tag, str) and tag.startswith("0x") else None


def standard_only(request: dict[str, Any]) -> dict[str, Any] | None:
    """Besu's answers to what anvil alone offers: no test methods, capped log ranges."""
    method = str(request.get("method", ""))
    if method.startswith(NON_STANDARD_PREFIXES):
        return {"code": -32601, "message": "Method not found"}
    if method == "eth_getLogs":
        query = request["params"][0]
        first, last = _block(query.get("fromBlock")), _block(query.get("toBlock"))
        if first is not None and last is not None and last - first + 1 > BESU_MAX_LOGS_RANGE:
            return {"code": -32000, "message": f"exceed maximum block range: {BESU_MAX_LOGS_RANGE}"}
    return None


class RpcProxy:
    def __init__(self, upstream: str, policy: Policy | None = None) -> None:
        self.upstream = upstream
        self.policy = policy
        self.calls: Counter[str] = Counter()  # forwarded calls, by method
        self.refused: Counter[str] = Counter()  # calls the policy answered, by method
        self.vanish_after_send = False
        self._session = requests.Session()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                reply, vanish = proxy.handle(body)
                if vanish:
                    self.close_connection = True
                    self.connection.close()  # no answer at all
                    return
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.stopped = False

    def handle(self, body: Any) -> tuple[Any, bool]:
        requests_ = body if isinstance(body, list) else [body]
        answered = {}
        for i, request in enumerate(requests_):
            error = None if self.policy is None else self.policy(request)
            if error is not None:
                answered[i] = {"jsonrpc": "2.0", "id": request.get("id"), "error": error}
        with self._lock:
            self.refused.update(requests_[i].get("method", "?") for i in answered)
            forward = [r for i, r in enumerate(requests_) if i not in answered]
            self.calls.update(r.get("method", "?") for r in forward)
            replies = iter(
                self._session.post(self.upstream, json=forward, timeout=30).json()
                if forward
                else []
            )
            merged = [
                answered[i] if i in answered else next(replies) for i in range(len(requests_))
            ]
            reply = merged if isinstance(body, list) else merged[0]
            sends = any(r.get("method") == "eth_sendRawTransaction" for r in forward)
            vanish = self.vanish_after_send and sends
            if vanish:
                self.vanish_after_send = False
        return reply, vanish

    def start(self) -> RpcProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Go down: the listening socket closes, so new connections are refused."""
        if not self.stopped:
            self.stopped = True
            self.server.shutdown()
            self.server.server_close()
            self._thread.join()


@contextmanager
def rpc_proxy(upstream: str, policy: Policy | None = None) -> Iterator[RpcProxy]:
    proxy = RpcProxy(upstream, policy).start()
    try:
        yield proxy
    finally:
        proxy.stop()
