"""SDK exceptions as HTTP answers: ``{"detail": <what to do>, "error": <class name>}``.

The SDK's messages already say what to do next, so they are passed through.
Errors that mean the chain or its contracts are unreachable also make the app
forget its ledger, so the next request opens it afresh (after a restart or a
new deployment).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from requests.exceptions import RequestException
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from web3.exceptions import BadFunctionCallOutput

from api.body_limit import install_body_limit
from api.deps import app_settings, index_provider, ledger_provider
from api.index import IndexUnavailableError
from api.inputs import ADDRESS_ERROR, PATTERN_FORMS
from api.models import ErrorPublic
from rdh_chain.exceptions import (
    AccessDeniedError,
    BadInputRevertError,
    ChainError,
    ChainNotRunningError,
    ConfigError,
    DeploymentError,
    InvalidInputError,
    NotFoundError,
    RdhChainError,
    StateRevertError,
    ToolchainError,
    UnknownRevertError,
)
from rdh_chain.validation import shown

logger = logging.getLogger(__name__)

# First match wins. NotFoundError comes before BadInputRevertError because some
# reverts are both (EmcUnknownVersion, RegistryNotMember): "no such thing" is 404.
# UnknownRevertError is a ChainError but means the SDK and contracts disagree: a 500.
_STATUS_BY_ERROR: tuple[tuple[type[RdhChainError], int], ...] = (
    (NotFoundError, status.HTTP_404_NOT_FOUND),
    (InvalidInputError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (BadInputRevertError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (AccessDeniedError, status.HTTP_403_FORBIDDEN),
    (StateRevertError, status.HTTP_409_CONFLICT),
    (UnknownRevertError, status.HTTP_500_INTERNAL_SERVER_ERROR),
    (ChainError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (ConfigError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (ToolchainError, status.HTTP_503_SERVICE_UNAVAILABLE),
)

# The error answers each route may give, for the OpenAPI document.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_422_UNPROCESSABLE_CONTENT: {
        "model": ErrorPublic,
        "description": "A parameter is malformed (e.g. not an address).",
    },
    status.HTTP_503_SERVICE_UNAVAILABLE: {
        "model": ErrorPublic,
        "description": "The chain does not answer or the contracts are not deployed on it.",
    },
}
INDEX_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_503_SERVICE_UNAVAILABLE: {
        "model": ErrorPublic,
        "description": "The chain does not answer, or the index is missing, never synced, of "
        "another deployment or at a block the chain no longer has (a reorg not rolled back "
        "yet).",
    },
}
NOT_FOUND_RESPONSE: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: {
        "model": ErrorPublic,
        "description": "No such EMC, member or version.",
    },
}


def status_for(exc: RdhChainError) -> int:
    """The HTTP status for an SDK exception."""
    for cls, code in _STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return code
    return status.HTTP_500_INTERNAL_SERVER_ERROR


def _answer(code: int, exc: Exception) -> JSONResponse:
    body = ErrorPublic(detail=str(exc), error=type(exc).__name__)
    return JSONResponse(body.model_dump(), status_code=code)


def _sdk_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RdhChainError)  # registered for RdhChainError only
    code = status_for(exc)
    if code == status.HTTP_503_SERVICE_UNAVAILABLE:
        logger.warning("ledger unavailable: %s", exc)
        ledger_provider(request.app.state).forget()
    elif code >= status.HTTP_500_INTERNAL_SERVER_ERROR:
        logger.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return _answer(code, exc)


def _node_gone(request: Request, exc: Exception) -> JSONResponse:
    # web3's HTTP provider raises requests' errors once an opened ledger's node stops.
    rpc_url = app_settings(request.app.state).rpc_url
    error = ChainNotRunningError(
        f"The node at {rpc_url} stopped answering ({type(exc).__name__}); "
        "start it with `rdh chain up` (or `make run`)."
    )
    return _sdk_error(request, error)


def _contracts_gone(request: Request, exc: Exception) -> JSONResponse:
    # A call to an address without code returns nothing: the chain was reset under us.
    error = DeploymentError(
        "The rdh-chain contracts do not answer at the addresses of the deployment record: "
        "the chain was reset. Remove the deployment record and deploy again (`rdh deploy`)."
    )
    return _sdk_error(request, error)


def _index_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The chain is fine (the ledger stays); the index is what to look at again next time.
    logger.warning("index unavailable: %s", exc)
    index_provider(request.app.state).forget()
    return _answer(status.HTTP_503_SERVICE_UNAVAILABLE, exc)


def _index_unreadable(request: Request, exc: Exception) -> JSONResponse:
    # The database went away under an open engine (file deleted, server down, dropped).
    shown = index_provider(request.app.state).shown
    if isinstance(exc, PoolTimeoutError):  # busy, not broken: keep the engine
        logger.warning("index busy: %s", exc)
        busy = IndexUnavailableError(
            f"The index at {shown} is busy (every connection in use); try again in a moment."
        )
        return _answer(status.HTTP_503_SERVICE_UNAVAILABLE, busy)
    detail = index_provider(request.app.state).unreachable(exc) or (
        f"The index at {shown} cannot be read ({type(exc).__name__}); check that the indexer "
        "runs (`rdh index follow`) and RDH_GATEWAY_INDEX_URL."
    )
    error = IndexUnavailableError(detail)
    return _index_unavailable(request, error)


def _problem(error: Mapping[str, Any]) -> str:
    """One of FastAPI's validation errors as a sentence; what was sent is quoted only as a
    short prefix (a path segment may be 100 KB long)."""
    where, *names = error.get("loc", ("request",))
    name = ".".join(str(n) for n in names) or str(where)
    context = error.get("ctx") or {}
    if error.get("type") == ADDRESS_ERROR:  # the SDK's message names the address
        return str(context.get("reason", "not an address"))
    if error.get("type") == "string_pattern_mismatch":
        pattern = str(context.get("pattern", ""))
        form = PATTERN_FORMS.get(pattern, f"text matching {pattern}")
        return f"{name} ({where}): expected {form}, got {shown(error.get('input'))}"
    return f"{name} ({where}): {error.get('msg', 'invalid')}"


def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    # FastAPI's own checks (a version id that is not a number...) get the same body shape.
    assert isinstance(exc, RequestValidationError)
    if (wrong_method := _other_method(request)) is not None:
        return wrong_method
    # A parameter that a route and its dependencies both declare is checked (and refused)
    # once for each: say it once, as the first declaration names it.
    problems: dict[tuple[Any, ...], str] = {}
    for e in exc.errors():
        problems.setdefault(tuple(e.get("loc", ())), _problem(e))
    error = InvalidInputError("; ".join(problems.values()) + ".")
    return _answer(status.HTTP_422_UNPROCESSABLE_CONTENT, error)


# What FastAPI raises (a 400) when it cannot decode a body it was to read as JSON.
_FASTAPI_BODY_ERROR = "There was an error parsing the body"


class NoSuchRouteError(NotFoundError):
    """No route has this path (404)."""


class MethodNotAllowedError(InvalidInputError):
    """The path has routes, none for this method (405)."""


def _http_error(request: Request, exc: Exception) -> Response:
    # Starlette's own answers (no route, wrong method) in the gateway's shape, quoting only a
    # short prefix of the path; an HTTPException raised with a body of that shape keeps it.
    assert isinstance(exc, StarletteHTTPException)
    path = shown(request.url.path)
    code = exc.status_code
    headers = exc.headers
    if isinstance(exc.detail, dict):
        content: Any = exc.detail
    elif code == status.HTTP_404_NOT_FOUND:
        content = ErrorPublic(
            detail=f"No route at {path}; the routes are listed at /docs.",
            error=NoSuchRouteError.__name__,
        ).model_dump()
    elif code == status.HTTP_405_METHOD_NOT_ALLOWED:
        allowed = _allowed_methods(request) or (exc.headers or {}).get("Allow", "GET")
        headers = {**(exc.headers or {}), "Allow": allowed}
        content = ErrorPublic(
            detail=f"{request.method} is not allowed at {path}; use {allowed}.",
            error=MethodNotAllowedError.__name__,
        ).model_dump()
        return JSONResponse(content, status_code=code, headers=headers)
    elif code == status.HTTP_400_BAD_REQUEST and exc.detail == _FASTAPI_BODY_ERROR:
        # Bytes that are not UTF-8 text: a malformed body like any other, a 422.
        code = status.HTTP_422_UNPROCESSABLE_CONTENT
        content = ErrorPublic(
            detail="The request body is not JSON text (UTF-8); send the route's fields as a "
            "JSON object (see /docs).",
            error=InvalidInputError.__name__,
        ).model_dump()
    else:
        content = ErrorPublic(detail=str(exc.detail), error=type(exc).__name__).model_dump()
    return JSONResponse(content, status_code=code, headers=headers)


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True)
class _PathMethods:
    """The methods the OpenAPI document gives each path template."""

    templates: tuple[tuple[re.Pattern[str], bool, frozenset[str]], ...]  # (regex, literal, ..)

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> _PathMethods:
        templates = []
        for path, item in document.get("paths", {}).items():
            methods = frozenset(m.upper() for m in item if m in _HTTP_METHODS)
            parts = re.split(r"(\{[^}]+\})", path)
            regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
            templates.append((re.compile(f"^{regex}$"), "{" not in path, methods))
        return cls(tuple(templates))

    def at(self, path: str, *, literal_only: bool = False) -> frozenset[str]:
        found: set[str] = set()
        for regex, literal, methods in self.templates:
            if (literal or not literal_only) and regex.match(path):
                found |= methods
        return frozenset(found)


def _path_methods(request: Request) -> _PathMethods:
    state = request.app.state
    table: _PathMethods | None = getattr(state, "path_methods", None)
    if table is None:  # the routes are all there by the first request
        table = _PathMethods.of(request.app.openapi())
        state.path_methods = table
    return table


def _allowed_methods(request: Request) -> str:
    """The methods the document gives the request's path: those of the path itself if it is
    one of the document's literal paths, else of every template matching it (Starlette's 405
    names only the first route's, though a path may have a GET route and a POST route)."""
    table = _path_methods(request)
    path = request.url.path
    return ", ".join(sorted(table.at(path, literal_only=True) or table.at(path)))


def _other_method(request: Request) -> JSONResponse | None:
    """405 when the path is one of the document's own paths (``/tx/raw``) without this
    method, although a template of another route also matches it (``/tx/{tx_hash}``)."""
    methods = _path_methods(request).at(request.url.path, literal_only=True)
    if not methods or request.method in methods:
        return None
    allowed = ", ".join(sorted(methods))
    body = ErrorPublic(
        detail=f"{request.method} is not allowed at {shown(request.url.path)}; use {allowed}.",
        error=MethodNotAllowedError.__name__,
    )
    return JSONResponse(
        body.model_dump(),
        status_code=status.HTTP_405_METHOD_NOT_ALLOWED,
        headers={"Allow": allowed},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RdhChainError, _sdk_error)
    # More specific than RdhChainError's: Starlette picks the handler by the exception's MRO.
    app.add_exception_handler(IndexUnavailableError, _index_unavailable)
    app.add_exception_handler(SQLAlchemyError, _index_unreadable)
    app.add_exception_handler(RequestException, _node_gone)
    app.add_exception_handler(BadFunctionCallOutput, _contracts_gone)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    install_body_limit(app)
