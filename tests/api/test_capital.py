"""Capital, losses and departures in GET /emcs/{address}, /emcs/{address}/capital/{account}
and /members/{address}/share, read from Riverside (see ``tests/api/lifecycle.py``).

The loss of period 2 (3,000,000 fen over 8,000,000 units) raises the loss per unit by
exactly 3/8 (2**128 is divisible by 8): me2's 6,000,000 units bore 2,250,000 fen, the chef's
2,000,000 units 750,000 fen."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from web3 import Web3

from rdh_chain.toolchain import Artifact
from rdh_chain.types import PeriodReport
from tests.api.auth_helpers import sign_in
from tests.api.helpers import World, amount, iso
from tests.api.lifecycle import CHEF_REASON, ME2_REASON, Riverside, build_riverside


@pytest.fixture
def river(world: World, w3: Web3, artifacts: dict[str, Artifact]) -> Riverside:
    return build_riverside(world, w3, artifacts)


def capital(
    capital: int, units: int, invested: int, losses: int, released: int = 0, returned: int = 0
) -> dict[str, Any]:
    """Capital totals in era 0 of Riverside's two investors where the capital covered every
    loss; a released pool is owed to them in full (it is far below the losses)."""
    return {
        "capital": amount(capital),
        "total_units": units,
        "era": 0,
        "invested": amount(invested),
        "losses": amount(losses),
        "losses_covered": amount(losses),
        "returned": amount(returned),
        "pool_released": amount(released),
        "pool_to_investors": amount(released),
        "pool_paid": amount(0),
        "investors": 2,
        "claims": 0,
    }


def holding(
    units: int,
    value: int,
    invested: int,
    borne: int = 0,
    pool_share: int = 0,
    claimed: bool = False,
) -> dict[str, Any]:
    return {
        "units": units,
        "value": amount(value),
        "invested": amount(invested),
        "loss_borne": amount(borne),
        "pool_share": amount(pool_share),
        "claimed": claimed,
    }


def notice(account: str, by: str, period: int, effective: bool, at: int, reason: bytes) -> Any:
    return {
        "by": by,
        "effective_period": period,
        "effective": effective,
        "noticed_at": iso(at),
        "reason_hash": "0x" + reason.hex(),
        "account": account,
    }


def notices(world: World, river: Riverside) -> list[dict[str, Any]]:
    """The chef's notice ran out with period 3; me2's runs until period 5 is settled."""
    chef = notice(world.chef.address, "owner", 3, True, river.chef_noticed_at, CHEF_REASON)
    me2 = notice(world.me2.address, "member", 5, False, river.me2_noticed_at, ME2_REASON)
    return sorted([chef, me2], key=lambda d: int(d["account"], 16))


def test_get_emc_returns_capital_losses_and_departures(
    client: TestClient, world: World, river: Riverside
) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{river.emc.address}")

    assert response.status_code == 200
    body = response.json()
    # 80,000.00 invested, 30,000.00 of it paid to the owner for the loss of period 2.
    assert body["capital"] == capital(50_000_00, 80_000_00, 80_000_00, losses=30_000_00)
    assert body["departures"] == notices(world, river)
    assert body["status"] == "active"
    assert body["terms"]["loss_threshold"] == amount(100_000_00)


def test_get_emc_returns_dissolved_status_and_released_pool(
    client: TestClient, world: World, river: Riverside, w3: Web3
) -> None:
    """me2 invests 40,000.00 more: 4,000,000 * 8,000,000 // 5,000,000 = 6,400,000 units at
    0.625 (14,400,000 units, capital 9,000,000 fen). The attested loss of 70,000.00 brings the
    losses to 100,000.00: dissolved with 20,000.00 left. The value-added pool (10% of the
    21,000.00 of profit, 2,100.00) is released and owed to the investors in full
    (min(2,100.00, 100,000.00 covered)), by the losses they bore: the index rose by
    floor(7,000,000 * 2**128 / 14,400,000), 35/72 less the floor, so the chef's 2,000,000 units
    bore 750,000 + 972,222.2 -> 1,722,222 fen. The chef's capital is worth
    2,000,000 * 2,000,000 // 14,400,000 = 277,777 fen; its pool share
    210,000 * 1,722,222 // 10,000,000 = 36,166 fen."""
    sign_in(client, world.owner)
    river.ledger.connect(world.treasury).token.mint(world.me2.address, 40_000_00)
    river.ledger.connect(world.me2).invest(river.emc, 40_000_00)
    loss = PeriodReport(0, 0, 0, 70_000_00, 0)
    river.ledger.connect(world.owner).settle(river.emc, loss, river.attest(w3, loss))

    body = client.get(f"/emcs/{river.emc.address}").json()

    assert body["status"] == "dissolved"
    assert body["capital"] == capital(
        20_000_00, 144_000_00, 120_000_00, losses=100_000_00, released=2_100_00
    )
    chef = client.get(f"/emcs/{river.emc.address}/capital/{world.chef.address}").json()
    assert chef == {
        "emc": river.emc.address,
        "account": world.chef.address,
        **holding(20_000_00, 277_777, 20_000_00, borne=1_722_222, pool_share=36_166),
    }
    paid, _ = river.as_(world.chef).claim_capital()
    assert paid == 277_777 + 36_166
    after = client.get(f"/emcs/{river.emc.address}/capital/{world.chef.address}").json()
    assert after == {
        "emc": river.emc.address,
        "account": world.chef.address,
        **holding(0, 0, 20_000_00, borne=1_722_222, claimed=True),
    }
    totals = client.get(f"/emcs/{river.emc.address}").json()["capital"]
    assert (totals["returned"], totals["pool_paid"], totals["claims"]) == (
        amount(277_777),
        amount(36_166),
        1,
    )


def test_get_capital_returns_units_value_and_invested(
    client: TestClient, world: World, river: Riverside
) -> None:
    sign_in(client, world.me2)
    response = client.get(f"/emcs/{river.emc.address}/capital/{world.me2.address.lower()}")

    assert response.status_code == 200
    assert response.json() == {
        "emc": river.emc.address,
        "account": world.me2.address,
        # three quarters of 50,000.00, and of the 30,000.00 loss
        **holding(60_000_00, 37_500_00, 60_000_00, borne=22_500_00),
    }


def test_get_capital_returns_zeros_when_account_never_invested(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.farm)
    response = client.get(f"/emcs/{world.smart_cooking}/capital/{world.farm.address}")

    assert response.status_code == 200
    assert response.json() == {
        "emc": world.smart_cooking,
        "account": world.farm.address,
        **holding(0, 0, 0),
    }


def test_get_capital_is_422_when_account_malformed(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.smart_cooking}/capital/chef")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "account address 'chef' is not an Ethereum address: "
        "expected 0x followed by 40 hex digits.",
        "error": "InvalidInputError",
    }


def test_get_capital_is_404_when_address_not_an_emc(client: TestClient, world: World) -> None:
    sign_in(client, world.chef)
    unknown = "0x" + "44" * 20

    response = client.get(f"/emcs/{unknown}/capital/{world.chef.address}")

    assert response.status_code == 404
    assert response.json()["error"] == "NotFoundError"


def test_get_member_share_returns_capital_and_departure_per_emc(
    client: TestClient, world: World, river: Riverside
) -> None:
    sign_in(client, world.chef)
    response = client.get(f"/members/{world.chef.address}/share", params={"emc": river.emc.address})

    assert response.status_code == 200
    (share,) = response.json()["emcs"]
    # 5% of 21,000.00 of profit is claimable; a fifth of the capital is the chef's.
    assert share["position"]["claimable"] == amount(1_050_00)
    assert share["capital"] == holding(20_000_00, 12_500_00, 20_000_00, borne=7_500_00)
    chef_notice = next(n for n in notices(world, river) if n["account"] == world.chef.address)
    assert share["departure"] == {k: v for k, v in chef_notice.items() if k != "account"}


def test_get_member_share_lists_every_emc_with_its_own_departure(
    client: TestClient, world: World, river: Riverside
) -> None:
    sign_in(client, world.me2)
    response = client.get(f"/members/{world.me2.address}/share")

    assert response.status_code == 200
    by_emc = {s["emc"]: s for s in response.json()["emcs"]}
    assert set(by_emc) == {world.smart_cooking, river.emc.address}
    assert by_emc[world.smart_cooking]["departure"] is None
    assert by_emc[river.emc.address]["departure"]["by"] == "member"
    assert by_emc[river.emc.address]["departure"]["effective"] is False
