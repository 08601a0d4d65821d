"""Dependencies the routes declare: settings, the read-only ledger and index, path lookups."""

from __future__ import annotations

import threading
from typing import Annotated

from eth_typing import ChecksumAddress
from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from api.index import IndexProvider, IndexReader, IndexUnavailableError
from api.inputs import EmcAddressPath, MemberAddressPath, checked_address
from rdh_chain.config import LedgerFactory, Settings
from rdh_chain.contracts import EmcClient
from rdh_chain.index import queries
from rdh_chain.ledger import Ledger
from rdh_chain.types import Member
from rdh_chain.validation import to_address


class LedgerProvider:
    """The app's one read-only ledger, opened on first use.

    Opening lazily lets the gateway start (and ``/health`` answer 503) while
    the chain is down. The error handlers call :meth:`forget` when the chain
    stops answering or the contracts are gone, so the next request re-reads the
    deployment record instead of serving a ledger that points nowhere.
    """

    def __init__(self, settings: Settings) -> None:
        self._factory = LedgerFactory(settings)
        self._ledger: Ledger | None = None
        self._lock = threading.Lock()  # sync routes run in a thread pool
        self._emcs: dict[ChecksumAddress, EmcClient] = {}

    @property
    def opened(self) -> Ledger | None:
        """The ledger if it is open (nothing asked of the chain), else None."""
        return self._ledger

    async def aget(self) -> Ledger:
        """:meth:`get` from the event loop: opening it asks the chain, on a worker thread."""
        ledger = self._ledger
        return ledger if ledger is not None else await run_in_threadpool(self.get)

    def emc_client(self, ledger: Ledger, address: ChecksumAddress) -> EmcClient:
        """A read-only client of the EMC at ``address`` (kept: making one costs more than
        many reads); the caller has checked that it is one."""
        client = self._emcs.get(address)
        if client is None or client.w3 is not ledger.w3:
            client = EmcClient(
                ledger.w3,
                address,
                ledger.artifacts,
                ledger.decoder,
                event_decoder=ledger.event_decoder,
            )
            self._emcs[address] = client
        return client

    def get(self) -> Ledger:
        ledger = self._ledger
        if ledger is None:
            with self._lock:
                if self._ledger is None:
                    self._ledger = self._factory.open()
                ledger = self._ledger
        return ledger

    def forget(self) -> None:
        with self._lock:
            self._ledger = None
            self._emcs = {}


def app_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def ledger_provider(state: State) -> LedgerProvider:
    provider: LedgerProvider = state.ledgers
    return provider


def index_provider(state: State) -> IndexProvider:
    provider: IndexProvider = state.index
    return provider


# The dependencies are coroutines: a plain function would cost every request a hop to a
# worker thread and back.
async def get_settings(request: Request) -> Settings:
    return app_settings(request.app.state)


async def get_ledger(request: Request) -> Ledger:
    return await ledger_provider(request.app.state).aget()


SettingsDep = Annotated[Settings, Depends(get_settings)]
LedgerDep = Annotated[Ledger, Depends(get_ledger)]


async def get_index(request: Request) -> IndexReader:
    """The index's reader; the route opens a view of it (``with index.view() as view``), or
    has its answer computed once per version of the index (``await index.answer(...)``)."""
    return IndexReader(index_provider(request.app.state), ledger_provider(request.app.state).get)


IndexDep = Annotated[IndexReader, Depends(get_index)]


async def get_emc(
    request: Request,
    ledger: LedgerDep,
    address: EmcAddressPath,
) -> EmcClient:
    """The EMC named in the path: 422 if it is not an address, 404 if not an EMC.

    An EMC the index knows needs no chain call (the index's list is kept per version of the
    index); any other address is asked of the factory, which also finds an EMC created
    since the index's checkpoint.
    """
    checked = checked_address(address, "EMC address")
    ledgers = ledger_provider(request.app.state)
    known = await known_emcs(IndexReader(index_provider(request.app.state), ledgers.get))
    if checked in known:
        return ledgers.emc_client(ledger, checked)
    return await run_in_threadpool(ledger.emc, checked)


async def known_emcs(index: IndexReader) -> frozenset[ChecksumAddress]:
    """The EMCs in the index (none while it cannot be read), once per version of it."""
    token = index.provider.version()
    if token is None:
        return frozenset()
    found = index.cache.memo_get(token, _KNOWN_EMCS)
    if isinstance(found, frozenset):
        return found

    def read() -> frozenset[ChecksumAddress]:
        try:
            with index.provider.get().session() as session:
                point = queries.checkpoint(session)
                if point is None or point.factory != index.ledger.deployment.factory:
                    return frozenset()  # another deployment's index: the factory answers
                emcs = frozenset(info.address for info in queries.emcs(session))
        except (IndexUnavailableError, SQLAlchemyError):
            return frozenset()
        index.cache.memo(token, _KNOWN_EMCS, lambda: emcs)
        return emcs

    # Once for the requests that find the list missing meanwhile (each commit of the
    # indexer empties it): not one worker thread and session each.
    return await index.cache.once(token, _KNOWN_EMCS, lambda: run_in_threadpool(read))


_KNOWN_EMCS = ("known-emcs",)


def get_member(ledger: LedgerDep, address: MemberAddressPath) -> Member:
    """The registry record named in the path: 422 if not an address, 404 if unregistered."""
    return ledger.member(to_address(address, "member address"))


EmcDep = Annotated[EmcClient, Depends(get_emc)]
MemberDep = Annotated[Member, Depends(get_member)]
