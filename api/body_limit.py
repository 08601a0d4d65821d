"""A limit on request bodies: a larger one is a 413 before any route reads it.

No route takes more than a few kilobytes (a sign-in message, a signature, a signed
transaction), so a body past :data:`MAX_BODY_BYTES` is refused whole: by its
``Content-Length`` before a byte of it is read, or, sent without one (chunked), once what
arrived passes the limit. The answer has the gateway's error shape and says the limit.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.models import ErrorPublic
from rdh_chain.exceptions import InvalidInputError

MAX_BODY_BYTES = 64 * 1024


class RequestTooLargeError(InvalidInputError):
    """A request body over the gateway's limit (413)."""


def too_large(limit: int, size: int | None) -> RequestTooLargeError:
    sent = "more than that" if size is None else f"{size:,} bytes"
    return RequestTooLargeError(
        f"The request body is too large: the gateway takes at most {limit:,} bytes and this "
        f"one is {sent}. Send only the fields the route documents (see /docs)."
    )


class BodyLimitMiddleware:
    """ASGI middleware: 413 for a request body over ``max_bytes``.

    A body without a length that passes the limit is cut off: the app is told the client
    went away (``http.disconnect``), whatever it answers to that is dropped, and the 413 is
    sent instead (unless the app had already started its answer).
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > self.max_bytes:
            await _refuse(send, too_large(self.max_bytes, length))
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to the cut-off body; the 413 goes instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)
        if exceeded and not started:
            await _refuse(send, too_large(self.max_bytes, None))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before us
    return None


async def _refuse(send: Send, error: RequestTooLargeError) -> None:
    body = ErrorPublic(detail=str(error), error=type(error).__name__).model_dump_json().encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_body_limit(app: FastAPI, max_bytes: int = MAX_BODY_BYTES) -> None:
    """Refuse bodies over ``max_bytes`` (413), and say so in the OpenAPI document of every
    operation that takes a body."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_bytes)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        for item in document.get("paths", {}).values():
            for operation in item.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    operation.setdefault("responses", {}).setdefault(
                        "413",
                        {
                            "description": f"The body is over {max_bytes:,} bytes.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ErrorPublic"}
                                }
                            },
                        },
                    )
        return document

    app.openapi = openapi  # type: ignore[method-assign]
