"""The page in headless Chromium, driven as people use it, with the test wallet standing in
for MetaMask: sign-in, a partner reading and claiming, a node signing an agreement and
placing a sealed bid, an auditor exporting and verifying, an operator registering an EMC.
Each view is photographed on a desktop and a phone-sized screen."""

from __future__ import annotations

import json

from eth_account import Account
from eth_account.messages import encode_typed_data
from playwright.sync_api import Page, expect
from web3.types import RPCEndpoint

from tests.e2e.conftest import DAY, E2eWorld, OpenPage, shoot


def sign_in(page: Page) -> None:
    page.click("#sign-in")
    expect(page.locator(".signed-in")).to_be_visible(timeout=15_000)


def test_sign_in_shows_name_and_roles(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, wallet = open_page("chef")

    expect(page.locator("#sign-in")).to_be_visible()
    shoot(page, "emcs-signed-out-desktop")
    sign_in(page)

    expect(page.locator(".signed-in")).to_contain_text("Chef Zhang Weili")
    expect(page.locator(".signed-in")).to_contain_text("Partner")
    methods = [method for method, _ in wallet.calls]
    assert "personal_sign" in methods
    expect(page.locator("table.emc-list")).to_contain_text("Smart Cooking ME (Zhang Yu)")
    shoot(page, "emcs-desktop")
    page.click("text=EMC #1")
    expect(page.locator("h3", has_text="Members and shares")).to_contain_text("version 1")
    expect(page.locator("#view")).to_contain_text("Chef Zhang Weili")
    expect(page.locator("h3", has_text="Share versions")).to_be_visible()
    shoot(page, "emc-desktop")
    assert page.rdh_errors == []  # type: ignore[attr-defined]


def test_sign_in_from_a_wallet_on_another_chain_says_to_switch(
    open_page: OpenPage, e2e_world: E2eWorld
) -> None:
    page, wallet = open_page("chef", chain_id=1)

    page.click("#sign-in")

    expect(page.locator(".wallet .status.error")).to_contain_text("switch networks")
    assert "personal_sign" not in [m for m, _ in wallet.calls]  # nothing was signed
    expect(page.locator("#sign-in")).to_be_enabled()


def test_emcs_on_a_phone(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, _ = open_page("chef", phone=True)
    sign_in(page)
    expect(page.locator("table.emc-list")).to_contain_text("Smart Cooking ME (Zhang Yu)")
    shoot(page, "emcs-phone")
    page.click("text=EMC #1")
    expect(page.locator("h3", has_text="Share versions")).to_be_visible(timeout=15_000)
    shoot(page, "emc-phone")


def test_partner_reads_share_and_claims(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, wallet = open_page("food-processor", path=f"/#/partner/{e2e_world.emc}")
    sign_in(page)
    expect(page.locator("h3", has_text="Promised to you")).to_be_visible(timeout=15_000)
    expect(page.locator("text=Version 1").first).to_be_visible()
    expect(page.locator("svg.chart")).to_be_visible()
    claim = page.locator("#claim")
    expect(claim).to_be_enabled()
    shoot(page, "partner-desktop")

    claim.click()
    expect(page.locator(".tx-panel .status.ok")).to_contain_text("on the ledger", timeout=30_000)
    expect(page.locator(".receipt")).to_contain_text("Claim")
    assert len(wallet.sent) == 1
    expect(page.locator("#position dd").nth(1)).to_have_text("¥0.00")
    expect(page.locator("#claim")).to_be_disabled()
    processor = e2e_world.wallet("food-processor").address
    position = e2e_world.ledger.emc(e2e_world.emc).position(processor)
    assert position.claimable == 0
    assert position.paid > 0
    shoot(page, "partner-claimed-desktop")


def test_partner_on_a_phone_signs_the_proposed_version(
    open_page: OpenPage, e2e_world: E2eWorld
) -> None:
    page, wallet = open_page("chef", phone=True, path=f"/#/partner/{e2e_world.emc}")
    sign_in(page)
    expect(page.locator("h3", has_text="Paid per period")).to_be_visible(timeout=15_000)
    shoot(page, "partner-phone")
    page.click(f"#sign-version-{e2e_world.proposed_version}")
    expect(page.locator(".signers li.signed", has_text="Chef Zhang Weili")).to_be_visible(
        timeout=15_000
    )
    assert [m for m, _ in wallet.calls].count("eth_signTypedData_v4") == 1


def test_node_signs_proposed_version(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, wallet = open_page("me-rnd-recipes", path=f"/#/node/{e2e_world.emc}")
    sign_in(page)
    version = e2e_world.proposed_version
    expect(page.locator("table.diff").first).to_contain_text("Recipe R&D ME", timeout=15_000)
    expect(page.locator("table.diff").first).to_contain_text("\u22120.30 points")
    shoot(page, "node-desktop")

    page.click(f"#sign-version-{version}")
    expect(page.locator(".signers li.signed", has_text="Recipe R&D ME")).to_be_visible(
        timeout=15_000
    )
    assert [m for m, _ in wallet.calls].count("eth_signTypedData_v4") == 1
    shoot(page, "node-signed-desktop")


def test_node_places_sealed_bid(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, wallet = open_page("me-service", path=f"/#/node/{e2e_world.emc}")
    sign_in(page)
    round_id = e2e_world.round_id
    page.fill(f"#bid-users-{round_id}", "5000")
    page.fill(f"#bid-revenue-{round_id}", "1500000")
    page.fill(f"#bid-ask-{round_id}", "2.5")
    page.fill(f"#bid-proposal-{round_id}", "After-sales service for 5,000 ovens in Qingdao.")
    page.click(f"#bid-{round_id} button[type=submit]")
    expect(page.locator(".tx-panel .status.ok")).to_contain_text("on the ledger", timeout=30_000)

    bidder = e2e_world.wallet("me-service").address
    emc = e2e_world.ledger.emc(e2e_world.emc)
    bid = emc.bid(round_id, bidder)
    stored = page.evaluate("JSON.parse(localStorage.getItem('rdh.sealed-bids'))")
    (kept,) = stored.values()
    assert kept["commitment"] == "0x" + bid.commitment.hex()
    # The salt stayed in the browser: no request to the gateway carried it.
    assert all(kept["salt"][2:] not in str(params) for method, params in wallet.calls)
    with page.expect_download() as download:
        page.click(f"#download-bid-{round_id}")
    saved = download.value.path().read_text()
    assert kept["salt"] in saved
    shoot(page, "node-bid-desktop")


def test_node_on_a_phone(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, _ = open_page("me-it", phone=True, path=f"/#/node/{e2e_world.emc}")
    sign_in(page)
    expect(page.locator("table.diff").first).to_be_visible(timeout=15_000)
    shoot(page, "node-phone")


def test_auditor_exports_and_verifies(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, _ = open_page("auditor", path=f"/#/auditor/{e2e_world.emc}")
    sign_in(page)
    expect(page.locator("table.history")).to_contain_text("Period settled", timeout=15_000)
    wait_for_chart(page)
    page.select_option("#history-kind", "claim")
    page.click("text=Show")
    expect(page.locator("table.history caption")).to_contain_text("of ", timeout=10_000)
    expect(page.locator("table.history")).to_contain_text("Chef Zhang Weili")

    with page.expect_download() as download:
        page.click("#export-history")
    csv = download.value.path().read_text()
    assert csv.splitlines()[0].startswith("kind,") or "kind" in csv.splitlines()[0]
    assert "claim" in csv

    page.click("#verify")
    expect(page.locator("#view .status.ok").first).to_contain_text("no mismatch", timeout=30_000)
    shoot(page, "auditor-desktop")


def wait_for_chart(page: Page) -> None:
    chart = page.locator(".chart-figure img")
    expect(chart).to_be_visible(timeout=15_000)
    for _ in range(150):  # the gateway draws the chart (matplotlib) on the first ask
        if chart.evaluate("img => img.complete && img.naturalWidth") > 0:
            return
        page.wait_for_timeout(200)
    raise AssertionError("the statement's chart did not load")


def test_auditor_on_a_phone(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, _ = open_page("auditor", phone=True, path=f"/#/auditor/{e2e_world.emc}")
    sign_in(page)
    expect(page.locator("table.history")).to_contain_text("Period settled", timeout=15_000)
    wait_for_chart(page)
    shoot(page, "auditor-phone")


def test_auditor_attests_a_period_report(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, wallet = open_page("auditor", path=f"/#/auditor/{e2e_world.emc}")
    sign_in(page)
    for key, value in (
        ("users", "21000"),
        ("units", "21000"),
        ("revenue", "4200000"),
        ("cost", "3100000"),
        ("profit", "1100000"),
    ):
        page.fill(f"#attest-{key}", value)
    with page.expect_download() as download:
        page.click("#attest-sign")
    attestation = json.loads(download.value.path().read_text())
    typed = attestation["typed_data"]
    assert typed["message"]["period"] == 2
    assert typed["message"]["revenue"] == 4_200_000 * 100
    signer = Account.recover_message(
        encode_typed_data(full_message=typed), signature=attestation["signature"]
    )
    assert signer == e2e_world.wallet("auditor").address == attestation["auditor"]
    assert [m for m, _ in wallet.calls].count("eth_signTypedData_v4") == 1
    shoot(page, "auditor-attested-desktop")


def test_operator_registers_emc(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    before = e2e_world.ledger.factory.emc_count()
    page, _ = open_page("admin", path="/#/operator")
    sign_in(page)
    for key, value in (
        ("market_capacity", "90"),
        ("consumption_habits", "70"),
        ("industry_scale", "60"),
        ("team_integration", "80"),
    ):
        page.fill(f"#criteria-{key}", value)
    page.select_option(
        "#register-owner",
        label=page.locator("#register-owner option", has_text="Store sales ME").inner_text(),
    )
    page.fill("#register-document", "Balcony EMC, registered 2020-09-01")
    page.click("#preview-terms")
    expect(page.locator("#view")).to_contain_text("Value-added sharing space", timeout=10_000)
    page.click("#register-emc")
    expect(page.locator(".tx-panel .status.ok")).to_contain_text("on the ledger", timeout=30_000)
    expect(page.locator(".tx-panel")).to_contain_text("Open the new EMC")
    assert e2e_world.ledger.factory.emc_count() == before + 1
    shoot(page, "operator-desktop")


def test_operator_on_a_phone(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, _ = open_page("admin", phone=True, path="/#/operator")
    sign_in(page)
    expect(page.locator("#criteria-market_capacity")).to_be_visible(timeout=15_000)
    shoot(page, "operator-phone")


def test_outsider_is_asked_to_sign_in(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, wallet = open_page("chef", phone=True, path=f"/#/auditor/{e2e_world.emc}")
    expect(page.locator("#view")).to_contain_text("Sign in with your wallet", timeout=15_000)
    assert wallet.sent == []
    shoot(page, "signed-out-phone")


def test_demo_wallet_signs_in_and_claims(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, wallet = open_page("chef", path=f"/#/partner/{e2e_world.emc}")
    expect(page.locator("#demo-banner")).to_contain_text("DEMO", timeout=15_000)
    page.select_option("#demo-wallet", "duck-farm")
    expect(page.locator(".signed-in")).to_contain_text("The duck farm", timeout=15_000)
    expect(page.locator(".signed-in")).to_contain_text("demo wallet")
    page.click("#claim")
    expect(page.locator(".tx-panel .status.ok")).to_contain_text("on the ledger", timeout=30_000)
    assert wallet.calls == []  # the browser's wallet was never asked: the demo's signed
    farm = e2e_world.wallet("duck-farm").address
    assert e2e_world.ledger.emc(e2e_world.emc).position(farm).paid > 0
    shoot(page, "demo-wallet-desktop")
    page.reload()  # the session and the demo wallet it signs with outlive a reload
    expect(page.locator(".signed-in")).to_contain_text("demo wallet", timeout=15_000)


# Last: it moves the chain's clock past a round's bidding deadline.
def test_node_reveals_its_sealed_bid(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    owner = e2e_world.ledger.connect(e2e_world.cast.owner).emc(e2e_world.emc)
    now = int(e2e_world.w3.eth.get_block("latest")["timestamp"])
    round_id, _ = owner.open_bid_round(now + 3600, now + 3 * DAY)
    page, _ = open_page("me-logistics", path=f"/#/node/{e2e_world.emc}")
    sign_in(page)
    page.fill(f"#bid-users-{round_id}", "3000")
    page.fill(f"#bid-revenue-{round_id}", "900000.50")
    page.fill(f"#bid-ask-{round_id}", "1.5")
    page.fill(f"#bid-proposal-{round_id}", "Cold-chain delivery in Shandong.")
    page.click(f"#bid-{round_id} button[type=submit]")
    expect(page.locator(f"#bid-{round_id} .status.ok")).to_contain_text(
        "on the ledger", timeout=30_000
    )

    page.reload()  # the sealed bid is kept in the browser across visits
    page.click(f"#reveal-{round_id}")  # too early: the chain refuses, nothing changes
    expect(page.locator(".tx-panel .status.error").first).to_be_visible(timeout=15_000)
    e2e_world.w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [2 * 3600])
    e2e_world.w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    page.click(f"#reveal-{round_id}")
    expect(page.locator(".tx-panel .status.ok").first).to_contain_text(
        "on the ledger", timeout=30_000
    )

    bidder = e2e_world.wallet("me-logistics").address
    bid = e2e_world.ledger.emc(e2e_world.emc).bid(round_id, bidder)
    assert bid.undertaken_users == 3000
    assert bid.undertaken_revenue == 90_000_050
    assert bid.ask_bps == 150
    shoot(page, "node-revealed-desktop")
