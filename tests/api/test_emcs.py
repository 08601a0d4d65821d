"""GET /emcs, /emcs/{address}, /emcs/{address}/versions/{id}: exact content and bad inputs."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from rdh_chain.types import ZERO_ADDRESS
from tests.api.helpers import World, amount, iso

# Smart Cooking after two periods: profit 1,000,000.00 + 500.00 RMB. Shares of it:
# chef 6% = 60,030.00 (60,000.00 claimed), owner 79% = 790,395.00, me2's value-added
# 6% = 60,030.00 (locked: revenue 4,001,000.00 of the 10,000,000.00 target), fund 9%
# = 90,045.00 of which 1,000.00 was withdrawn. Paid = the chef's claim + the withdrawal.
PROFIT = 1_000_000_00 + 500_00
FUND_CREDIT = PROFIT * 900 // 10_000


def smart_cooking_summary(world: World) -> dict[str, Any]:
    return {
        "address": world.smart_cooking,
        "owner": world.owner.address,
        "status": "active",
        "terms": {
            "target_users": 20_000,
            "target_revenue": amount(10_000_000_00),
            "sharing_space": amount(600_000_00),
            "metadata": "0x" + "5c" * 32,
        },
        "totals": {
            "periods": 2,
            "users": 20_100,
            "revenue": amount(4_001_000_00),
            "profit": amount(PROFIT),
            "paid": amount(60_000_00 + 1_000_00),
            "dev_fund_withdrawn": amount(1_000_00),
            "target_reached": False,
        },
        "active_version_id": 1,
        "version_count": 2,
    }


def balcony_summary(world: World) -> dict[str, Any]:
    return {
        "address": world.balcony,
        "owner": world.me2.address,
        "status": "active",
        "terms": {
            "target_users": 500,
            "target_revenue": amount(1_000_000_00),
            "sharing_space": amount(50_000_00),
            "metadata": "0x" + "00" * 32,
        },
        "totals": {
            "periods": 0,
            "users": 0,
            "revenue": amount(0),
            "profit": amount(0),
            "paid": amount(0),
            "dev_fund_withdrawn": amount(0),
            "target_reached": False,
        },
        "active_version_id": None,
        "version_count": 0,
    }


def entry(account: str, share_class: str, bps: int, percent: str) -> dict[str, Any]:
    return {"account": account, "share_class": share_class, "bps": bps, "percent": percent}


def test_list_emcs_returns_every_emc_in_creation_order(client: TestClient, world: World) -> None:
    response = client.get("/emcs")

    assert response.status_code == 200
    assert response.json() == [smart_cooking_summary(world), balcony_summary(world)]


def test_get_emc_returns_active_version_and_dev_fund_when_settled(
    client: TestClient, world: World
) -> None:
    response = client.get(f"/emcs/{world.smart_cooking}")

    assert response.status_code == 200
    assert response.json() == {
        **smart_cooking_summary(world),
        "active_version": {
            "id": 1,
            "status": "active",
            "epoch": 0,
            "from_period": 1,
            "proposed_at": iso(world.version_1_proposed),
            "activated_at": iso(world.version_1_activated),
            "document_hash": "0x" + "a1" * 32,
            "total_bps": 10_000,
            "entries": [
                entry(world.chef.address, "partner", 600, "6.00"),
                entry(world.owner.address, "operating", 7_900, "79.00"),
                entry(world.me2.address, "value_added", 600, "6.00"),
                entry(ZERO_ADDRESS, "dev_fund", 900, "9.00"),
            ],
        },
        "dev_fund": {
            "claimable": amount(FUND_CREDIT - 1_000_00),
            "locked": amount(0),
            "paid": amount(1_000_00),
            "dust": 0,
        },
    }
    assert FUND_CREDIT - 1_000_00 == 89_045_00


def test_get_emc_returns_no_version_when_none_activated(client: TestClient, world: World) -> None:
    response = client.get(f"/emcs/{world.balcony.lower()}")

    assert response.status_code == 200
    assert response.json() == {
        **balcony_summary(world),
        "active_version": None,
        "dev_fund": {"claimable": amount(0), "locked": amount(0), "paid": amount(0), "dust": 0},
    }


def test_get_version_returns_proposed_version_not_yet_active(
    client: TestClient, world: World
) -> None:
    response = client.get(f"/emcs/{world.smart_cooking}/versions/2")

    assert response.status_code == 200
    assert response.json() == {
        "id": 2,
        "status": "proposed",
        "epoch": 0,
        "from_period": 0,
        "proposed_at": iso(world.version_2_proposed),
        "activated_at": None,
        "document_hash": "0x" + "00" * 32,
        "total_bps": 10_000,
        "entries": [
            entry(world.chef.address, "partner", 500, "5.00"),
            entry(world.owner.address, "operating", 8_000, "80.00"),
            entry(world.me2.address, "value_added", 600, "6.00"),
            entry(ZERO_ADDRESS, "dev_fund", 900, "9.00"),
        ],
    }


def test_get_version_returns_active_version_as_in_emc(client: TestClient, world: World) -> None:
    version = client.get(f"/emcs/{world.smart_cooking}/versions/1")
    emc = client.get(f"/emcs/{world.smart_cooking}")

    assert version.status_code == 200
    assert version.json() == emc.json()["active_version"]


def test_get_emc_is_422_when_address_malformed(client: TestClient) -> None:
    response = client.get("/emcs/0x12")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "EMC address '0x12' is not an Ethereum address: "
        "expected 0x followed by 40 hex digits.",
        "error": "InvalidInputError",
    }


def test_get_emc_is_422_when_checksum_wrong(client: TestClient, world: World) -> None:
    # Flip the case of the first letter of a checksummed address.
    index = next(i for i, c in enumerate(world.smart_cooking) if i > 1 and c.isalpha())
    flipped = world.smart_cooking[:index] + world.smart_cooking[index].swapcase()
    wrong = flipped + world.smart_cooking[index + 1 :]

    response = client.get(f"/emcs/{wrong}")

    assert response.status_code == 422
    assert response.json() == {
        "detail": f"EMC address '{wrong}' has a wrong checksum (mixed case); "
        "re-copy it or use lower case.",
        "error": "InvalidInputError",
    }


def test_get_emc_is_404_when_address_not_an_emc(client: TestClient, world: World) -> None:
    # The registry is a contract of the deployment, but not an EMC.
    response = client.get(f"/emcs/{world.deployment.registry}")

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"{world.deployment.registry} is not an EMC of this ledger; "
        "list them with `rdh emc list`.",
        "error": "NotFoundError",
    }


def test_get_version_is_404_when_id_beyond_count(client: TestClient, world: World) -> None:
    response = client.get(f"/emcs/{world.smart_cooking}/versions/3")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "EMC.version reverted: EmcUnknownVersion(versionId=3). "
        "No share version has this id; list them with `rdh shares show`.",
        "error": "EmcUnknownVersion",
    }


def test_get_version_is_404_when_id_is_largest_uint256(client: TestClient, world: World) -> None:
    response = client.get(f"/emcs/{world.smart_cooking}/versions/{2**256 - 1}")

    assert response.status_code == 404
    assert response.json()["error"] == "EmcUnknownVersion"


def test_get_version_is_422_when_id_zero(client: TestClient, world: World) -> None:
    response = client.get(f"/emcs/{world.smart_cooking}/versions/0")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "version_id (path): Input should be greater than or equal to 1.",
        "error": "InvalidInputError",
    }


def test_get_version_is_422_when_id_not_a_number(client: TestClient, world: World) -> None:
    response = client.get(f"/emcs/{world.smart_cooking}/versions/latest")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "version_id (path): Input should be a valid integer, "
        "unable to parse string as an integer.",
        "error": "InvalidInputError",
    }


def test_get_version_is_422_when_id_exceeds_uint256(client: TestClient, world: World) -> None:
    response = client.get(f"/emcs/{world.smart_cooking}/versions/{2**256}")

    assert response.status_code == 422
    assert response.json() == {
        "detail": f"version_id (path): Input should be less than or equal to {2**256 - 1}.",
        "error": "InvalidInputError",
    }
