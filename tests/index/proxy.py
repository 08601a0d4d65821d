"""A JSON-RPC proxy in front of anvil that refuses ``eth_getLogs`` as capped providers do.

It forwards every request to the node, except ``eth_getLogs`` over more than
``max_blocks`` blocks, or returning more than ``max_results`` logs: those get the
error a capped node answers (Besu's, Alchemy's or a bare code, by ``style``). It runs
an HTTP server on a thread; ``refused`` counts the refusals.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

STYLES = ("besu", "alchemy", "bare")


class CappedProxy:
    def __init__(
        self, upstream: str, *, max_blocks: int, max_results: int, style: str = "besu"
    ) -> None:
        assert style in STYLES
        self.upstream = upstream
        self.max_blocks = max_blocks
        self.max_results = max_results
        self.style = style
        self.refused = 0
        self.served = 0
        self.widest = 0
        self._session = requests.Session()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                reply = json.dumps(proxy.handle(json.loads(body))).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _forward(self, request: Any) -> Any:
        with self._lock:
            response = self._session.post(self.upstream, json=request, timeout=30)
        return response.json()

    def handle(self, request: Any) -> Any:
        if isinstance(request, list):
            return [self.handle(r) for r in request]
        if request.get("method") != "eth_getLogs":
            return self._forward(request)
        query = request["params"][0]
        first, last = int(query["fromBlock"], 16), int(query["toBlock"], 16)
        if last - first + 1 > self.max_blocks:
            return self._refuse(request, "range", first, first + self.max_blocks - 1)
        reply = self._forward(request)
        if len(reply.get("result") or []) > self.max_results:
            return self._refuse(request, "results", first, first + (last - first) // 2)
        self.served += 1
        self.widest = max(self.widest, last - first + 1)
        return reply

    def _refuse(self, request: Any, why: str, first: int, fits: int) -> Any:
        self.refused += 1
        if self.style == "besu":
            error = (
                {"code": -32005, "message": f"query returned more than {self.max_results} results"}
                if why == "results"
                else {"code": -32000, "message": f"exceed maximum block range: {self.max_blocks}"}
            )
        elif self.style == "alchemy":
            error = {
                "code": -32602,
                "message": "Log response size exceeded. You can make eth_getLogs requests with "
                f"up to a {self.max_blocks} block range, or this block range should work: "
                f"[{hex(first)}, {hex(fits)}]",
            }
        else:
            error = {"code": -32005, "message": ""}
        return {"jsonrpc": "2.0", "id": request.get("id"), "error": error}


@contextmanager
def capped_proxy(upstream: str, **caps: Any) -> Iterator[CappedProxy]:
    proxy = CappedProxy(upstream, **caps)
    thread = threading.Thread(target=proxy.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()
        thread.join()
