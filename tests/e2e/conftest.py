"""The world the browser tests drive: a fresh anvil with the Smart Cooking demo seeded, its
index, and the gateway as a real uvicorn process (with ``rdh index follow`` beside it, as
``make run`` starts them), and headless Debian Chromium driven by Playwright.

Chromium is ``/usr/bin/chromium`` (Debian's package; ``.ci/run`` installs it); without
it the tests are skipped, except under ``CI=true`` where that is a failure. Playwright
never downloads a browser here (no ``playwright install``).

Every test gets a page whose ``window.ethereum`` is a test wallet (``tests/e2e/wallet.py``)
for one of the demo's members. Screenshots go to ``$RDH_E2E_SHOTS`` (by default
``/tmp/issue9/shots``), desktop and phone-sized.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright
from web3 import Web3

from rdh_chain import demo
from rdh_chain.artifacts import load_artifacts
from rdh_chain.chain import AnvilConfig, AnvilNode, connect, free_port
from rdh_chain.config import Settings
from rdh_chain.deployment import deploy
from rdh_chain.ledger import Ledger
from rdh_chain.profiles import ProfileStore
from rdh_chain.tx import TxSender
from rdh_chain.types import ZERO_ADDRESS, ShareClass, ShareEntry
from rdh_chain.wallet import create_keystore
from tests.e2e.wallet import TestWallet

CHROMIUM = Path(os.environ.get("RDH_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("RDH_E2E_SHOTS", "/tmp/issue9/shots"))
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
DAY = 24 * 3600
DEMO_WALLETS = ("duck-farm",)


def _chromium_or_skip() -> Path:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = (
        f"no Chromium at {CHROMIUM}: install Debian's chromium (`apt-get install chromium`) "
        "or point RDH_E2E_CHROMIUM at one"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass(frozen=True)
class E2eWorld:
    """The seeded demo, its gateway's URL and the ids the flows need."""

    w3: Web3
    settings: Settings
    ledger: Ledger
    cast: demo.DemoCast
    emc: ChecksumAddress
    base_url: str
    round_id: int
    proposed_version: int

    def wallet(self, name: str) -> LocalAccount:
        return self.cast.wallets()[name]


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{process.args!r} exited with status {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def _version_2(cast: demo.DemoCast) -> list[ShareEntry]:
    """Month 2's renegotiation: the value-added pool leans from R&D towards sales."""
    shift = {"me-rnd-recipes": -30, "me-rnd-ovens": -20, "me-sales-online": 30, "me-marketing": 20}
    entries = [
        ShareEntry(cast.partners[name].address, ShareClass.PARTNER, bps)
        for name, bps in demo.PARTNERS.items()
    ]
    for name, operating, value_added in demo.MES:
        address = cast.mes[name].address
        entries.append(ShareEntry(address, ShareClass.OPERATING, operating))
        entries.append(
            ShareEntry(address, ShareClass.VALUE_ADDED, value_added + shift.get(name, 0))
        )
    entries.append(ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, demo.DEV_FUND_BPS))
    return entries


@pytest.fixture(scope="session")
def chromium() -> Path:
    return _chromium_or_skip()


@pytest.fixture(scope="session")
def e2e_world(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2eWorld]:
    """The demo seeded on an anvil of its own (the suite's shared anvil reverts snapshots;
    these tests keep what the browser did), its index synced, then the indexer and the
    gateway started as processes, as ``make run`` starts them."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    node = AnvilNode(AnvilConfig(port=free_port(), chain_id=31337), data_dir / "anvil")
    node.start()
    children: list[subprocess.Popen[bytes]] = []
    try:
        settings = Settings(rpc_url=node.rpc_url, data_dir=data_dir, api_port=free_port())
        w3 = connect(node.rpc_url)
        cast = demo.DemoCast(
            admin=Account.create(),
            treasury=Account.create(),
            auditor=Account.create(),
            steward=Account.create(),
            mes={name: Account.create() for name, _, _ in demo.MES},
            partners={name: Account.create() for name in demo.PARTNERS},
        )
        artifacts = load_artifacts()
        sender = TxSender(w3, cast.admin, Ledger.decoder_for(artifacts))
        deployment = deploy(sender, artifacts, admin_metadata=demo.PROFILES["admin"].hash)
        deployment.save(settings.deployment_file)
        ledger = Ledger(w3, deployment, artifacts)
        emc_address = demo.seed(ledger, cast, ProfileStore.in_data_dir(data_dir))
        owner = ledger.connect(cast.owner).emc(emc_address)
        now = int(w3.eth.get_block("latest")["timestamp"])
        round_id, _ = owner.open_bid_round(now + 7 * DAY, now + 14 * DAY)
        version_2, _ = owner.propose_version(
            _version_2(cast), keccak(text="Smart Cooking agreement v2 (sales weighted)")
        )
        # `make run` keeps the seeded wallets in the data folder and offers them as demo
        # wallets (RDH_DEMO_WALLETS): one of them is there, for the demo wallet's flow.
        keystores = settings.keystores
        for name in DEMO_WALLETS:
            key = bytes(cast.wallets()[name].key)
            create_keystore(keystores.path(name), keystores.ensure_password(), private_key=key)
        demo.sync_index(settings, deployment)
        env = os.environ | {
            f"RDH_{name.upper()}": str(value) for name, value in settings.model_dump().items()
        }
        env["RDH_POLL_INTERVAL"] = "0.1"
        env["RDH_DEMO_WALLETS"] = "true"
        logs = data_dir / "logs"
        logs.mkdir()
        for name, command in (
            ("indexer", demo.indexer_command()),
            ("gateway", demo.gateway_command(settings)),
        ):
            with (logs / f"{name}.log").open("wb") as out:
                children.append(
                    subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
                )
        base_url = f"http://{settings.api_host}:{settings.api_port}"
        _wait_for(f"{base_url}/health", children[-1], logs / "gateway.log")
        yield E2eWorld(
            w3=w3,
            settings=settings,
            ledger=ledger,
            cast=cast,
            emc=emc_address,
            base_url=base_url,
            round_id=round_id,
            proposed_version=version_2,
        )
    finally:
        for child in reversed(children):
            child.terminate()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        node.stop()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright, chromium: Path) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


OpenPage = Callable[..., tuple[Page, TestWallet]]


@pytest.fixture
def open_page(browser: Browser, e2e_world: E2eWorld) -> Iterator[OpenPage]:
    """``open_page("chef")``: a new browser context whose wallet holds that demo member's
    key, at the gateway's page (``phone=True`` for a 390x844 screen)."""
    contexts = []

    def _open(name: str, *, phone: bool = False, path: str = "/") -> tuple[Page, TestWallet]:
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            device_scale_factor=1,
            accept_downloads=True,
            is_mobile=phone,
            has_touch=phone,
        )
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.rdh_errors = errors  # type: ignore[attr-defined]
        wallet = TestWallet(e2e_world.w3, e2e_world.wallet(name))
        wallet.install(page)
        page.goto(e2e_world.base_url + path)
        return page, wallet

    yield _open
    for context in contexts:
        context.close()


def shoot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``SHOTS/name.png`` and check the page does not
    overflow sideways (the phone layout's promise)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the screen"
    return path


__all__ = ["DESKTOP", "PHONE", "E2eWorld", "OpenPage", "shoot"]
