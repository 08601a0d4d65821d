"""GET /members/{address} and /members/{address}/share: exact content and bad inputs."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.auth_helpers import sign_in
from tests.api.helpers import World, amount, iso

PROFIT = 1_000_000_00 + 500_00


def no_capital() -> dict[str, Any]:
    return {
        "units": 0,
        "value": amount(0),
        "invested": amount(0),
        "loss_borne": amount(0),
        "pool_share": amount(0),
        "claimed": False,
    }


def position(claimable: int, locked: int, paid: int) -> dict[str, Any]:
    return {
        "claimable": amount(claimable),
        "locked": amount(locked),
        "paid": amount(paid),
        "dust": 0,
    }


def test_get_member_returns_record_and_roles_when_active(client: TestClient, world: World) -> None:
    sign_in(client, world.chef)
    response = client.get(f"/members/{world.chef.address}")

    assert response.status_code == 200
    assert response.json() == {
        "address": world.chef.address,
        "status": "active",
        "since": iso(world.chef_since),
        "metadata": "0x" + "00" * 32,
        "roles": ["partner"],
    }


def test_get_member_returns_suspended_status_when_suspended(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.farm)
    response = client.get(f"/members/{world.farm.address}")

    assert response.status_code == 200
    assert response.json() == {
        "address": world.farm.address,
        "status": "suspended",
        "since": iso(world.farm_since),
        "metadata": "0x" + "00" * 32,
        "roles": ["partner"],
    }


def test_get_member_returns_checksummed_address_when_given_lower_case(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.admin)
    response = client.get(f"/members/{world.admin.address.lower()}")

    assert response.status_code == 200
    assert response.json()["address"] == world.admin.address
    assert response.json()["roles"] == ["operator"]


def test_get_member_is_404_when_unregistered(client: TestClient, world: World) -> None:
    sign_in(client, world.auditor)
    stranger = "0x" + "11" * 20

    response = client.get(f"/members/{stranger}")

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"{stranger} is not a registered member; add it with `rdh member add`.",
        "error": "NotFoundError",
    }


def test_get_member_is_422_when_address_malformed(client: TestClient, world: World) -> None:
    sign_in(client, world.auditor)
    response = client.get("/members/alice")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "member address 'alice' is not an Ethereum address: "
        "expected 0x followed by 40 hex digits.",
        "error": "InvalidInputError",
    }


def test_get_member_share_returns_paid_and_claimable_when_partner_claimed(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.chef)
    response = client.get(f"/members/{world.chef.address}/share")

    # 6% of the profit: 60,000.00 claimed after period 1, 30.00 credited in period 2.
    assert response.status_code == 200
    assert response.json() == {
        "account": world.chef.address,
        "emcs": [
            {
                "emc": world.smart_cooking,
                "account": world.chef.address,
                "version_id": 1,
                "shares": [{"share_class": "partner", "bps": 600, "percent": "6.00"}],
                "total_bps": 600,
                "total_percent": "6.00",
                "position": position(claimable=30_00, locked=0, paid=60_000_00),
                "capital": no_capital(),
                "departure": None,
            }
        ],
        "claimable": amount(30_00),
        "locked": amount(0),
        "paid": amount(60_000_00),
    }


def test_get_member_share_returns_locked_when_target_not_reached(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.me2)
    response = client.get(f"/members/{world.me2.address}/share")

    # me2 owns Balcony, which has no version: only Smart Cooking names it.
    assert response.status_code == 200
    assert response.json() == {
        "account": world.me2.address,
        "emcs": [
            {
                "emc": world.smart_cooking,
                "account": world.me2.address,
                "version_id": 1,
                "shares": [{"share_class": "value_added", "bps": 600, "percent": "6.00"}],
                "total_bps": 600,
                "total_percent": "6.00",
                "position": position(claimable=0, locked=PROFIT * 600 // 10_000, paid=0),
                "capital": no_capital(),
                "departure": None,
            }
        ],
        "claimable": amount(0),
        "locked": amount(60_030_00),
        "paid": amount(0),
    }


def test_get_member_share_returns_one_emc_when_emc_given(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(
        f"/members/{world.owner.address}/share", params={"emc": world.smart_cooking.lower()}
    )

    assert response.status_code == 200
    assert response.json() == {
        "account": world.owner.address,
        "emcs": [
            {
                "emc": world.smart_cooking,
                "account": world.owner.address,
                "version_id": 1,
                "shares": [{"share_class": "operating", "bps": 7_900, "percent": "79.00"}],
                "total_bps": 7_900,
                "total_percent": "79.00",
                "position": position(claimable=790_395_00, locked=0, paid=0),
                "capital": no_capital(),
                "departure": None,
            }
        ],
        "claimable": amount(790_395_00),
        "locked": amount(0),
        "paid": amount(0),
    }


def test_get_member_share_returns_zeros_when_emc_names_member_nowhere(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.chef)
    response = client.get(f"/members/{world.chef.address}/share", params={"emc": world.balcony})

    assert response.status_code == 200
    assert response.json() == {
        "account": world.chef.address,
        "emcs": [
            {
                "emc": world.balcony,
                "account": world.chef.address,
                "version_id": None,
                "shares": [],
                "total_bps": 0,
                "total_percent": "0.00",
                "position": position(claimable=0, locked=0, paid=0),
                "capital": no_capital(),
                "departure": None,
            }
        ],
        "claimable": amount(0),
        "locked": amount(0),
        "paid": amount(0),
    }


def test_get_member_share_returns_no_emc_when_member_named_nowhere(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.farm)
    response = client.get(f"/members/{world.farm.address}/share")

    assert response.status_code == 200
    assert response.json() == {
        "account": world.farm.address,
        "emcs": [],
        "claimable": amount(0),
        "locked": amount(0),
        "paid": amount(0),
    }


def test_get_member_share_is_404_when_unregistered(client: TestClient, world: World) -> None:
    sign_in(client, world.auditor)
    stranger = "0x" + "22" * 20

    response = client.get(f"/members/{stranger}/share")

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"{stranger} is not a registered member; add it with `rdh member add`.",
        "error": "NotFoundError",
    }


def test_get_member_share_is_404_when_emc_unknown(client: TestClient, world: World) -> None:
    sign_in(client, world.chef)
    unknown = "0x" + "33" * 20

    response = client.get(f"/members/{world.chef.address}/share", params={"emc": unknown})

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"{unknown} is not an EMC of this ledger; list them with `rdh emc list`.",
        "error": "NotFoundError",
    }


def test_get_member_share_is_422_when_emc_malformed(client: TestClient, world: World) -> None:
    sign_in(client, world.chef)
    response = client.get(f"/members/{world.chef.address}/share", params={"emc": "smart-cooking"})

    assert response.status_code == 422
    assert response.json() == {
        "detail": "EMC address 'smart-cooking' is not an Ethereum address: "
        "expected 0x followed by 40 hex digits.",
        "error": "InvalidInputError",
    }
