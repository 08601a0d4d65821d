"""The gateway application: ``uvicorn api.main:app`` or ``create_app(settings)`` in tests."""

from __future__ import annotations

import gc
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api import demo_wallets
from api.auth.deps import AuthState
from api.auth.errors import install_auth_errors
from api.auth.settings import AuthSettings
from api.demo_wallets import DemoSettings
from api.deps import LedgerProvider
from api.docs import install_offline_docs
from api.errors import install_error_handlers
from api.examples import install_schema_examples
from api.index import GatewayIndexSettings, IndexProvider, gateway_index_url
from api.relaying import RelayState, install_relay_errors
from api.routes import (
    agreements,
    audit,
    auth,
    bids,
    directory,
    emcs,
    health,
    members,
    operator,
    reports,
    transactions,
)
from rdh_chain.config import Settings

STATIC_DIR = Path(__file__).resolve().parent / "static"

_TAGS = [
    {
        "name": "health",
        "description": "Whether the chain and the contracts answer, and the index's lag.",
    },
    {"name": "emcs", "description": "Ecosystem micro-communities: terms, totals, share versions."},
    {"name": "bids", "description": "Sealed-bid rounds of an EMC and every bid's outcome."},
    {"name": "members", "description": "Registered wallets, their roles and their shares."},
    {
        "name": "audit",
        "description": "History and statements as files; an EMC's figures verified.",
    },
    {
        "name": "auth",
        "description": "Sign-In with Ethereum (EIP-4361): a nonce, a signed message, a session.",
    },
    {
        "name": "agreements",
        "description": "Parties' signatures of share versions, and their activation by the "
        "gateway's relayer.",
    },
    {
        "name": "transactions",
        "description": "Unsigned transactions for members' wallets (claims, bids, investments, "
        "settlements), relayed signed transactions and their receipts.",
    },
    {"name": "reports", "description": "Period reports' typed data for auditors to attest."},
    {
        "name": "demo",
        "description": "The seeded members' wallets, in the `make run` demo only "
        "(RDH_DEMO_WALLETS).",
    },
]


def _version() -> str:
    try:
        return version("rdh-chain")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


def create_app(
    settings: Settings | None = None,
    *,
    index_url: str | None = None,
    auth_settings: AuthSettings | None = None,
    demo: DemoSettings | None = None,
) -> FastAPI:
    """The gateway for ``settings`` (by default from the ``RDH_*`` environment), reading the
    index at ``index_url`` (by default ``RDH_GATEWAY_INDEX_URL``, else ``RDH_INDEX_URL``,
    else ``index.sqlite`` in the data folder; SQLite is opened read-only), with sign-in as
    ``auth_settings`` say (by default from the ``RDH_AUTH_*`` environment). ``demo``
    (by default ``RDH_DEMO_*``) offers the demo's seeded wallets, for ``make run`` only.

    Nothing touches the chain or the index here: both open on the first request, so the
    gateway starts, and says why it cannot serve, while the chain or the index is missing.
    """
    settings = settings or Settings()
    app = FastAPI(
        title="rdh-chain gateway",
        summary="Read the Rendanheyi ledger: EMCs, share versions, members and payouts.",
        description=(
            "Amounts are settlement credit in fen (`fen`, exact) with RMB text beside them "
            '(`rmb`). Every error answers `{"detail": ..., "error": ...}`, where `detail` '
            "says what to do."
        ),
        version=_version(),
        openapi_tags=_TAGS,
        docs_url=None,  # served offline below
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.ledgers = LedgerProvider(settings)
    app.state.index = IndexProvider(
        gateway_index_url(settings, index_url),
        max_replica_lag_s=GatewayIndexSettings().max_replica_lag_s,
    )
    app.state.auth = auth_state = AuthState.of(settings, auth_settings or AuthSettings())
    # The parties' signatures live beside the sessions: shared by the workers, kept.
    app.state.relay = RelayState(settings, lambda: auth_state.store.engine)
    install_error_handlers(app)
    install_auth_errors(app)
    install_relay_errors(app)
    install_offline_docs(app)
    install_schema_examples(app, settings)
    for module in (
        health,
        auth,
        directory,
        audit,
        operator,
        emcs,
        agreements,
        bids,
        members,
        transactions,
        reports,
    ):
        app.include_router(module.router)
    if (demo or DemoSettings()).wallets:  # `make run` only: the seeded members' wallets
        app.include_router(demo_wallets.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    return app


app = create_app()
# What importing made (the modules, web3's and pydantic's tables: about 235,000 objects) lives
# as long as the process. Frozen, the collector's full passes skip it: each such pass cost
# about 150 ms of CPU here, a pause of every request in flight (the p99 at 50 connections),
# and now costs what was made since.
gc.freeze()
