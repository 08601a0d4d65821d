"""Why a sign-in or a request was refused: 401 (who are you?) and 403 (not for you)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from rdh_chain.exceptions import RdhChainError


class AuthError(RdhChainError):
    """A refusal; ``code`` is the answer's ``error`` and ``status`` its HTTP status."""

    status = 401
    code = "not_signed_in"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class NotSignedInError(AuthError):
    """No session cookie, or one that ended (logged out, expired)."""


class SignInRefusedError(AuthError):
    """The signed message does not sign in here: ``code`` says why (``replayed``,
    ``expired``, ``stale``, ``other_domain``, ``other_uri``, ``other_chain``, ``tampered``,
    ``bad_signature``, ``unknown_nonce``, ``malformed``)."""

    code = "sign_in_refused"


class ForbiddenError(AuthError):
    """Signed in, but this wallet may not read or do this (``missing_role``,
    ``not_a_member``, ``not_yourself``)."""

    status = 403
    code = "forbidden"


def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuthError)  # registered for AuthError only
    return JSONResponse({"detail": str(exc), "error": exc.code}, status_code=exc.status)


def install_auth_errors(app: FastAPI) -> None:
    """401 and 403 answers ``{"detail": <what to do>, "error": <reason code>}``."""
    # More specific than RdhChainError's handler: Starlette picks by the exception's MRO.
    app.add_exception_handler(AuthError, _refused)
