"""Dependencies the routes declare: settings, the read-only ledger and index, path lookups."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import State

from api.index import IndexProvider, IndexReader
from api.inputs import EmcAddressPath, MemberAddressPath
from rdh_chain.config import LedgerFactory, Settings
from rdh_chain.contracts import EmcClient
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


def app_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def ledger_provider(state: State) -> LedgerProvider:
    provider: LedgerProvider = state.ledgers
    return provider


def index_provider(state: State) -> IndexProvider:
    provider: IndexProvider = state.index
    return provider


def get_settings(request: Request) -> Settings:
    return app_settings(request.app.state)


def get_ledger(request: Request) -> Ledger:
    return ledger_provider(request.app.state).get()


SettingsDep = Annotated[Settings, Depends(get_settings)]
LedgerDep = Annotated[Ledger, Depends(get_ledger)]


def get_index(request: Request, ledger: LedgerDep) -> IndexReader:
    """The index's reader; the route opens a view of it (``with index.view() as view``)."""
    return IndexReader(index_provider(request.app.state), ledger)


IndexDep = Annotated[IndexReader, Depends(get_index)]


def get_emc(ledger: LedgerDep, address: EmcAddressPath) -> EmcClient:
    """The EMC named in the path: 422 if it is not an address, 404 if not an EMC."""
    return ledger.emc(to_address(address, "EMC address"))


def get_member(ledger: LedgerDep, address: MemberAddressPath) -> Member:
    """The registry record named in the path: 422 if not an address, 404 if unregistered."""
    return ledger.member(to_address(address, "member address"))


EmcDep = Annotated[EmcClient, Depends(get_emc)]
MemberDep = Annotated[Member, Depends(get_member)]
