"""The page in headless Chromium, driven as people use it, with the test wallet standing in
for MetaMask: sign-in, a partner reading and claiming, a node signing an agreement and
placing a sealed bid, an auditor exporting and verifying, an operator registering an EMC.
Each view is photographed on a desktop and a phone-sized screen."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import E2eWorld, OpenPage, shoot


def sign_in(page) -> None:  # type: ignore[no-untyped-def]
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
    assert page.rdh_errors == []  # type: ignore[attr-defined]


def test_emcs_on_a_phone(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, _ = open_page("chef", phone=True)
    sign_in(page)
    expect(page.locator("table.emc-list")).to_contain_text("Smart Cooking ME (Zhang Yu)")
    shoot(page, "emcs-phone")
    page.click("text=EMC #1")
    expect(page.locator("h3", has_text="Members and shares")).to_be_visible()
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
    expect(page.locator("#claim")).to_be_disabled()
    processor = e2e_world.wallet("food-processor").address
    position = e2e_world.ledger.emc(e2e_world.emc).position(processor)
    assert position.claimable == 0
    assert position.paid > 0
    shoot(page, "partner-claimed-desktop")


def test_partner_on_a_phone(open_page: OpenPage, e2e_world: E2eWorld) -> None:
    page, _ = open_page("chef", phone=True, path=f"/#/partner/{e2e_world.emc}")
    sign_in(page)
    expect(page.locator("h3", has_text="Paid per period")).to_be_visible(timeout=15_000)
    shoot(page, "partner-phone")
