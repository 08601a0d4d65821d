"""A JSON-RPC proxy in front of a node, for tests of what happens when a node stops.

It forwards every request (single or batch) to ``upstream`` over HTTP. ``stop()`` closes
its socket as a node that went down does (later connections are refused). With
``vanish_after_send`` it forwards the next ``eth_sendRawTransaction`` and then drops the
connection without answering: the node took the transaction, the client never heard.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests


class RpcProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.calls: Counter[str] = Counter()  # forwarded calls, by method
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
        with self._lock:
            self.calls.update(r.get("method", "?") for r in requests_)
            reply = self._session.post(self.upstream, json=body, timeout=30).json()
            sends = any(r.get("method") == "eth_sendRawTransaction" for r in requests_)
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
def rpc_proxy(upstream: str) -> Iterator[RpcProxy]:
    proxy = RpcProxy(upstream).start()
    try:
        yield proxy
    finally:
        proxy.stop()
