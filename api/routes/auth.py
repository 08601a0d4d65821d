"""Sign-In with Ethereum (EIP-4361): a nonce, a signed message, a session cookie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from fastapi import APIRouter, Request, Response, status

from api.auth import signin
from api.auth.deps import SESSION_COOKIE, ViewerDep, auth_state
from api.auth.models import NoncePublic, SignedOutPublic, SiweSignIn, ViewerPublic
from api.auth.roles import read_standing
from api.auth.settings import MAX_MESSAGE_AGE_SECONDS
from api.deps import LedgerDep
from api.errors import ERROR_RESPONSES
from api.models import ErrorPublic, RoleName

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)

UNAUTHORIZED_RESPONSE: dict[int | str, dict[str, Any]] = {
    status.HTTP_401_UNAUTHORIZED: {
        "model": ErrorPublic,
        "description": "Not signed in, or the sign-in was refused (`error` says why).",
    }
}


@router.get("/nonce", summary="A single-use nonce to sign in with")
def get_nonce(request: Request, ledger: LedgerDep) -> NoncePublic:
    """The nonce and the fields of the EIP-4361 message to sign: this gateway's domain and
    URI and the ledger's chain id. The nonce works once, within five minutes."""
    state = auth_state(request)
    now = datetime.now(UTC).replace(microsecond=0)  # the nonce holds whole seconds
    nonce = state.store.issue_nonce(now.timestamp())
    return NoncePublic(
        nonce=nonce,
        domain=state.site.domain,
        uri=state.site.url,
        chain_id=ledger.deployment.chain_id,
        issued_at=now,
        expires_at=now + timedelta(seconds=MAX_MESSAGE_AGE_SECONDS),
    )


@router.post(
    "/siwe", summary="Sign in with a signed EIP-4361 message", responses=UNAUTHORIZED_RESPONSE
)
def sign_in(
    body: SiweSignIn, request: Request, response: Response, ledger: LedgerDep
) -> ViewerPublic:
    """Checks the message (this gateway's domain and URI, this chain, a nonce from here
    used once, issued within five minutes, not expired) and its signature, reads the
    wallet's roles from the registry, and sets the session cookie (HttpOnly,
    SameSite=Strict, Secure on https), ending the session the browser had before.
    Refusals are 401s whose ``error`` says why: ``replayed``, ``expired``, ``stale``,
    ``not_yet_valid``, ``other_domain``, ``other_uri``, ``other_chain``, ``tampered``,
    ``bad_signature``, ``unknown_nonce``."""
    state = auth_state(request)
    now = datetime.now(UTC)
    parsed = signin.verify(
        body.message,
        body.signature,
        site=state.site,
        chain_id=ledger.deployment.chain_id,
        store=state.store,
        w3=ledger.w3,
        now=now,
    )
    address = signin.signer(parsed)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # signing in again (perhaps as another wallet) ends the session before
        state.store.end_session(previous)
    standing = read_standing(ledger, address)
    expires = signin.expiry(parsed, now, state.session_hours)
    roles = tuple(r.value for r in standing.roles)
    token = state.store.create_session(
        address, roles, standing.admin, standing.block, expires.timestamp(), now.timestamp()
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max(1, int((expires - now).total_seconds())),
        path="/",
        httponly=True,
        samesite="strict",
        secure=state.site.secure,
    )
    return ViewerPublic(
        address=address,
        roles=[cast(RoleName, r) for r in roles],
        admin=standing.admin,
        expires_at=expires,
    )


@router.get("/me", summary="Who is signed in", responses=UNAUTHORIZED_RESPONSE)
def me(viewer: ViewerDep, request: Request) -> ViewerPublic:
    """The signed-in wallet and its roles now (read again from the registry when they may
    have changed since sign-in)."""
    token = request.cookies[SESSION_COOKIE]
    stored = auth_state(request).store.session(token)
    expires = datetime.fromtimestamp(stored.expires_at if stored else 0, UTC)
    return ViewerPublic(
        address=viewer.address,
        roles=[r.value for r in sorted(viewer.roles)],
        admin=viewer.admin,
        expires_at=expires,
    )


@router.post("/logout", summary="End the session")
def logout(request: Request, response: Response) -> SignedOutPublic:
    """Ends the session of the cookie (for every worker: the store is shared) and clears
    the cookie. Without a session it does nothing."""
    token = request.cookies.get(SESSION_COOKIE)
    ended = bool(token) and auth_state(request).store.end_session(token or "")
    state = auth_state(request)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=state.site.secure
    )
    return SignedOutPublic(signed_out=ended)
