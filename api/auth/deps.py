"""Who is asking, and what they may read: the dependencies routes declare.

``ViewerDep`` (401 unless signed in), ``OptionalViewerDep``, ``require_roles(...)`` (403
naming the missing role), ``EmcReaderDep`` (the path's EMC, for its members, auditors and
operators) and ``require_self`` (a member acts only for itself).

A session keeps the roles read from the registry at sign-in and the block they were read
at. They are read again when they may have changed: when the index's member row of the
wallet was updated after that block (a role granted, revoked or renounced, a suspension, a
reinstatement), or, without a usable index, once ``RDH_AUTH_RECHECK_SECONDS`` have passed.
A process asks the index about one session at most every ``RDH_AUTH_INDEX_CHECK_SECONDS``
(1 s): a change shows after the index's lag plus that. The requests that find the check due
while it runs wait for it (one check, not one per request), and it is skipped while the
index has not changed since it last found nothing new.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Annotated, Any

from eth_typing import ChecksumAddress
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError

from api.auth.errors import ForbiddenError, NotSignedInError
from api.auth.roles import Standing, read_standing
from api.auth.settings import AuthSettings, Site, site_for, store_url_for
from api.auth.store import AuthStore, StoredSession
from api.deps import EmcDep, index_provider, ledger_provider
from api.inputs import AccountAddressPath, EmcAddressPath, MemberAddressPath, checked_address
from api.models import ErrorPublic
from rdh_chain.config import Settings
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import RdhChainError
from rdh_chain.index import queries
from rdh_chain.structs import checksum
from rdh_chain.types import ZERO_ADDRESS, Role
from rdh_chain.validation import to_address

SESSION_COOKIE = "rdh_session"
# Roles that read every EMC and every member's pages.
OVERSEERS = frozenset({Role.AUDITOR, Role.OPERATOR})
_MAX_INDEX_CHECKS = 100_000
_SIGN_IN = "sign in with your wallet (GET /auth/nonce, then POST /auth/siwe)"


@dataclass
class AuthState:
    """The app's sign-in setup: the site messages must name, the shared store, limits."""

    site: Site
    store: AuthStore
    session_hours: float
    recheck_seconds: float
    # (EMC, wallet) pairs known to be a party of a version: a version's parties never change,
    # so a wallet found in one stays a member without asking the chain again.
    parties: set[tuple[str, str]] = field(default_factory=set)
    # Per session token, when this process last asked the index whether its roles changed
    # (monotonic seconds): at most every ``index_check_seconds``.
    index_checks: dict[str, float] = field(default_factory=dict)
    index_check_seconds: float = 1.0
    # Per session token, the index's version (``IndexProvider.version``) when the index last
    # said its roles had not changed: while the index has not changed since, nothing did.
    index_seen: dict[str, Hashable] = field(default_factory=dict)
    # Per session token, the check running now: the requests that find it due meanwhile
    # wait for that one instead of each asking the index from a worker thread of its own
    # (50 connections of one session made 50 checks at once, a stall of 100-200 ms).
    checking: dict[str, asyncio.Future[Viewer]] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: Settings, auth: AuthSettings) -> AuthState:
        return cls(
            site=site_for(settings, auth),
            store=AuthStore(store_url_for(settings, auth)),
            session_hours=auth.session_hours,
            recheck_seconds=auth.recheck_seconds,
            index_check_seconds=auth.index_check_seconds,
        )


def auth_state(request: Request) -> AuthState:
    state: AuthState = request.app.state.auth
    return state


@dataclass(frozen=True)
class Viewer:
    """The signed-in wallet and the registry roles that count for it now (none while it
    is suspended); ``admin``: it holds the registry's admin role."""

    address: ChecksumAddress
    roles: frozenset[Role]
    admin: bool = False

    @property
    def overseer(self) -> bool:
        """An auditor, an operator or the registry admin: reads every EMC and member."""
        return self.admin or bool(self.roles & OVERSEERS)


def _viewer(stored: StoredSession) -> Viewer:
    return Viewer(
        address=checksum(stored.address),
        roles=frozenset(Role(r) for r in stored.roles),
        admin=stored.admin,
    )


def _index_check_due(state: AuthState, token: str) -> bool:
    last = state.index_checks.get(token)
    return last is None or time.monotonic() - last >= state.index_check_seconds


def _may_have_changed(
    request: Request, state: AuthState, token: str, stored: StoredSession
) -> bool | None:
    """Whether the wallet's roles may differ from the session's (see the module); None
    for "no" when the index said so (not the clock, without a usable index)."""
    now = time.monotonic()
    try:
        ledger = ledger_provider(request.app.state).get()
        with index_provider(request.app.state).get().session() as session:
            point = queries.checkpoint(session)
            d = ledger.deployment
            if point is None or (point.chain_id, point.registry) != (d.chain_id, d.registry):
                raise LookupError("the index is not of this deployment")
            rows = queries.members(session, [stored.address])
    except (RdhChainError, SQLAlchemyError, LookupError, OSError):
        return time.time() - stored.checked_at >= state.recheck_seconds
    if len(state.index_checks) > _MAX_INDEX_CHECKS:
        state.index_checks.clear()
        state.index_seen.clear()
    state.index_checks[token] = now
    return (bool(rows) and rows[0].updated_block > stored.checked_block) or None


def _recheck(request: Request, state: AuthState, token: str, stored: StoredSession) -> Viewer:
    ledger = ledger_provider(request.app.state).get()
    standing: Standing = read_standing(ledger, checksum(stored.address))
    roles = tuple(r.value for r in standing.roles)
    state.store.update_roles(token, roles, standing.admin, standing.block)
    return Viewer(
        address=checksum(stored.address),
        roles=frozenset(standing.roles),
        admin=standing.admin,
    )


def _current(
    request: Request,
    state: AuthState,
    token: str,
    stored: StoredSession,
    version: Hashable | None,
) -> Viewer:
    """The viewer with its roles checked (see the module); ``version``: the index's version
    read before the check (never newer than what the check reads)."""
    changed = _may_have_changed(request, state, token, stored)
    if changed:
        return _recheck(request, state, token, stored)
    if changed is None and version is not None:
        state.index_seen[token] = version
    return _viewer(stored)


async def _checked(request: Request, state: AuthState, token: str, stored: StoredSession) -> Viewer:
    """:func:`_current`, once for the requests of ``token`` that find the check due while
    it runs; skipped while the index has not changed since it last said nothing had."""
    version = index_provider(request.app.state).version()  # microseconds (SQLite)
    if version is not None and state.index_seen.get(token) == version:
        state.index_checks[token] = time.monotonic()
        return _viewer(stored)
    running = state.checking.get(token)
    if running is not None:
        return await asyncio.shield(running)
    future: asyncio.Future[Viewer] = asyncio.get_running_loop().create_future()
    state.checking[token] = future
    try:
        viewer = await run_in_threadpool(_current, request, state, token, stored, version)
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: no "never retrieved" warning without waiters
        raise
    else:
        future.set_result(viewer)
        return viewer
    finally:
        del state.checking[token]


async def maybe_signed_in(request: Request) -> Viewer | None:
    """The signed-in viewer, or None without a session cookie; 401 for one that ended.

    On the event loop when it costs microseconds (the SQLite store's read, a session the
    index was asked about within the last second or an index unchanged since); in a worker
    thread when it asks the index, the chain or a PostgreSQL store."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    state = auth_state(request)
    if state.store.reads_fast:
        stored = state.store.session(token)
    else:
        stored = await run_in_threadpool(state.store.session, token)
    if stored is None:
        raise NotSignedInError(
            f"Your session has ended (logged out or expired); {_SIGN_IN} again.",
            "session_ended",
        )
    if not _index_check_due(state, token):
        return _viewer(stored)
    return await _checked(request, state, token, stored)


async def signed_in(viewer: Annotated[Viewer | None, Depends(maybe_signed_in)]) -> Viewer:
    """The signed-in viewer; 401 ``not_signed_in`` without a session."""
    if viewer is None:
        raise NotSignedInError(f"This needs a signed-in wallet: {_SIGN_IN}.")
    return viewer


ViewerDep = Annotated[Viewer, Depends(signed_in)]
OptionalViewerDep = Annotated[Viewer | None, Depends(maybe_signed_in)]


def _held(viewer: Viewer) -> str:
    held = sorted(r.value for r in viewer.roles)
    if viewer.admin:
        held.insert(0, "admin")
    return ", ".join(held) if held else "no active role"


def require_roles(*roles: Role) -> Callable[[Viewer], Awaitable[Viewer]]:
    """A dependency passing viewers that hold one of ``roles`` (active); 403 otherwise."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    wanted = frozenset(roles)
    names = " or ".join(r.value for r in roles)

    async def dependency(viewer: ViewerDep) -> Viewer:
        if viewer.roles & wanted:
            return viewer
        raise ForbiddenError(
            f"This needs the {names} role; {viewer.address} holds {_held(viewer)}. Ask a "
            "platform operator to grant it.",
            "missing_role",
        )

    return dependency


def is_emc_member(
    emc: EmcClient, address: ChecksumAddress, parties: set[tuple[str, str]] | None = None
) -> bool:
    """Whether ``address`` owns ``emc``, reports for it or is a party of any of its versions
    (proposed, active or superseded); ``parties`` remembers the parties found."""
    if address == ZERO_ADDRESS:  # the development fund's entry names nobody
        return False
    if parties is not None and (emc.address, address) in parties:
        return True
    if emc.owner() == address or emc.reporter() == address:
        return True
    for version_id in range(emc.version_count(), 0, -1):  # the newest name most members
        if any(e.account == address for e in emc.version_entries(version_id)):
            if parties is not None:
                parties.add((emc.address, address))
            return True
    return False


def require_emc_reader(
    viewer: Viewer, emc: EmcClient, parties: set[tuple[str, str]] | None = None
) -> None:
    """403 unless ``viewer`` is a member of ``emc`` or an overseer."""
    if viewer.overseer or is_emc_member(emc, viewer.address, parties):
        return
    raise ForbiddenError(
        f"{viewer.address} is not a member of EMC {emc.address} (its owner, reporter or a "
        "party of one of its versions), nor an auditor or operator: only they read it.",
        "not_a_member",
    )


async def emc_reader(request: Request, viewer: ViewerDep, emc: EmcDep) -> EmcClient:
    """The path's EMC, for its members, auditors and operators (403 for anyone else).

    A coroutine: an overseer, or a member already known as a party, costs no trip to a
    worker thread (GET /emcs/{a} is a cached read); anyone else is checked there, since
    that asks the chain."""
    parties = auth_state(request).parties
    if viewer.overseer or (emc.address, viewer.address) in parties:
        return emc
    await run_in_threadpool(require_emc_reader, viewer, emc, parties)
    return emc


EmcReaderDep = Annotated[EmcClient, Depends(emc_reader)]


async def emc_access(
    request: Request,
    viewer: ViewerDep,
    address: EmcAddressPath,
) -> ChecksumAddress:
    """The path's EMC address, for its members, auditors and operators: for routes that
    read the index, so an auditor's request (or a member's known as a party) asks the
    chain nothing and stays on the event loop."""
    emc_address = checked_address(address, "EMC address")
    if viewer.overseer:
        return emc_address
    parties = auth_state(request).parties
    if (emc_address, viewer.address) in parties:
        return emc_address

    def ask_the_chain() -> None:
        emc = ledger_provider(request.app.state).get().emc(emc_address)  # 404 if not an EMC
        require_emc_reader(viewer, emc, parties)

    await run_in_threadpool(ask_the_chain)
    return emc_address


def bid_reader(request: Request, viewer: ViewerDep, emc: EmcDep) -> EmcClient:
    """The path's EMC, for its members, auditors, operators and every active ME (nodes
    read the rounds they may bid in)."""
    if Role.ME in viewer.roles:
        return emc
    require_emc_reader(viewer, emc, auth_state(request).parties)
    return emc


def capital_reader(
    request: Request,
    viewer: ViewerDep,
    emc: EmcDep,
    account: AccountAddressPath,
) -> ChecksumAddress:
    """The path's account, for itself and for the EMC's members, auditors and operators."""
    holder = to_address(account, "account address")
    if holder != viewer.address:
        require_emc_reader(viewer, emc, auth_state(request).parties)
    return holder


async def member_reader(
    viewer: ViewerDep,
    address: MemberAddressPath,
) -> ChecksumAddress:
    """The path's member, for itself, auditors and operators."""
    return require_self_or_overseer(viewer, address, "member address")


def require_self(viewer: Viewer, address: str, what: str = "address") -> ChecksumAddress:
    """``address`` (422 naming ``what`` if malformed) when it is the viewer's own; 403
    otherwise."""
    account = to_address(address, what)
    if account != viewer.address:
        raise ForbiddenError(
            f"You are signed in as {viewer.address} and may act only for yourself, not for "
            f"{account}.",
            "not_yourself",
        )
    return account


def require_self_or_overseer(
    viewer: Viewer, address: str, what: str = "address"
) -> ChecksumAddress:
    """``address`` (422 naming ``what`` if malformed) when it is the viewer's own or the
    viewer is an overseer; 403 otherwise."""
    account = checked_address(address, what)
    if account == viewer.address or viewer.overseer:
        return account
    raise ForbiddenError(
        f"Only {account} itself, auditors and operators read its member pages; you are "
        f"signed in as {viewer.address}.",
        "not_yourself",
    )


BidReaderDep = Annotated[EmcClient, Depends(bid_reader)]
EMC_ACCESS = [Depends(emc_access)]
CAPITAL_ACCESS = [Depends(capital_reader)]
MEMBER_ACCESS = [Depends(member_reader)]

# The answers of routes behind sign-in, for the OpenAPI document.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "Not signed in (or the session has ended)."},
    403: {"model": ErrorPublic, "description": "This wallet may not read this (`error` says why)."},
}
