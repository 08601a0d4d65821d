"""GET /emcs, /emcs/{address}, /emcs/{address}/versions/{id}[/typed-data]: content, bad inputs."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak
from fastapi.testclient import TestClient
from web3 import Web3

from rdh_chain.ledger import Ledger
from rdh_chain.share_tree import ShareTree
from rdh_chain.toolchain import Artifact
from rdh_chain.types import ZERO_ADDRESS, PartySignature, ShareEntry, VersionStatus
from tests.api.auth_helpers import sign_in
from tests.api.helpers import VERSION_1_DEADLINE, VERSION_2_DEADLINE, World, amount, iso

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
            "loss_threshold": amount(1_000_000_00),
            "partner_min_bps": 200,
            "partner_max_bps": 600,
            "max_notice_periods": 12,
            "attest_all_reports": False,
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
            "loss_threshold": amount(100_000_00),
            "partner_min_bps": 1,
            "partner_max_bps": 10_000,
            "max_notice_periods": 12,
            "attest_all_reports": False,
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


def no_capital() -> dict[str, Any]:
    """An EMC's capital before anyone invests or reports a loss."""
    zero = amount(0)
    return {
        "capital": zero,
        "total_units": 0,
        "era": 0,
        "invested": zero,
        "losses": zero,
        "losses_covered": zero,
        "returned": zero,
        "pool_released": zero,
        "pool_to_investors": zero,
        "pool_paid": zero,
        "investors": 0,
        "claims": 0,
    }


def pool(space: int, accrued: int) -> dict[str, Any]:
    """The value-added pool, in fen, while it has not filled the sharing space."""
    return {
        "sharing_space": amount(space),
        "accrued": amount(accrued),
        "left": amount(space - accrued),
        "full": False,
        "excess_to_dev_fund": amount(0),
    }


def entry(account: str, share_class: str, bps: int, percent: str) -> dict[str, Any]:
    return {"account": account, "share_class": share_class, "bps": bps, "percent": percent}


_CLASS_ORDER = ("partner", "operating", "value_added", "dev_fund")
_ENTRY_TYPEHASH = keccak(text="ShareEntry(address account,uint8 shareClass,uint16 bps)")


def entries_hash(entries: list[ShareEntry]) -> str:
    """EIP-712 hash of a version's entries (an array of structs), in the contract's order."""
    hashes = [
        keccak(
            abi_encode(
                ["bytes32", "address", "uint8", "uint16"],
                [_ENTRY_TYPEHASH, e.account, int(e.share_class), e.bps],
            )
        )
        for e in sorted(entries, key=lambda e: e.sort_key)
    ]
    return "0x" + keccak(b"".join(hashes)).hex()


def in_contract_order(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries as the contract keeps them: by account (the fund's zero address first), class."""
    return sorted(
        entries, key=lambda e: (int(e["account"], 16), _CLASS_ORDER.index(e["share_class"]))
    )


def test_list_emcs_returns_every_emc_in_creation_order(client: TestClient, world: World) -> None:
    response = client.get("/emcs")

    assert response.status_code == 200
    assert response.json()["items"] == [smart_cooking_summary(world), balcony_summary(world)]


def test_get_emc_returns_active_version_and_dev_fund_when_settled(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.owner)
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
            "deadline": "2100-01-01T00:00:00Z",
            "nonce": 0,
            "party_count": 3,
            "parties": world.parties(),
            "document_hash": "0x" + "a1" * 32,
            "entries_hash": entries_hash(world.version_1()),
            "shares_root": "0x" + ShareTree(world.version_1()).root.hex(),
            "total_bps": 10_000,
            "entries": in_contract_order(
                [
                    entry(world.chef.address, "partner", 600, "6.00"),
                    entry(world.owner.address, "operating", 7_900, "79.00"),
                    entry(world.me2.address, "value_added", 600, "6.00"),
                    entry(ZERO_ADDRESS, "dev_fund", 900, "9.00"),
                ]
            ),
        },
        "dev_fund": {
            "claimable": amount(FUND_CREDIT - 1_000_00),
            "locked": amount(0),
            "paid": amount(1_000_00),
            "dust": 0,
        },
        # me2's 6% value-added share of the profit settled under version 1.
        "pool": pool(600_000_00, PROFIT * 600 // 10_000),
        "capital": no_capital(),
        "departures": [],
    }
    assert FUND_CREDIT - 1_000_00 == 89_045_00
    assert PROFIT * 600 // 10_000 == 60_030_00
    assert iso(VERSION_1_DEADLINE) == "2100-01-01T00:00:00Z"


def test_get_emc_returns_no_version_when_none_activated(client: TestClient, world: World) -> None:
    sign_in(client, world.me2)
    response = client.get(f"/emcs/{world.balcony.lower()}")

    assert response.status_code == 200
    assert response.json() == {
        **balcony_summary(world),
        "active_version": None,
        "dev_fund": {"claimable": amount(0), "locked": amount(0), "paid": amount(0), "dust": 0},
        "pool": pool(50_000_00, 0),
        "capital": no_capital(),
        "departures": [],
    }


def test_get_version_returns_proposed_version_not_yet_active(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.chef)
    response = client.get(f"/emcs/{world.smart_cooking}/versions/2")

    assert response.status_code == 200
    assert response.json() == {
        "id": 2,
        "status": "proposed",
        "epoch": 0,
        "from_period": 0,
        "proposed_at": iso(world.version_2_proposed),
        "activated_at": None,
        "deadline": iso(VERSION_2_DEADLINE),
        "nonce": 1,
        "party_count": 3,
        "parties": world.parties(),
        "document_hash": "0x" + "00" * 32,
        "entries_hash": entries_hash(world.version_2()),
        "shares_root": "0x" + ShareTree(world.version_2()).root.hex(),
        "total_bps": 10_000,
        "entries": in_contract_order(
            [
                entry(world.chef.address, "partner", 500, "5.00"),
                entry(world.owner.address, "operating", 8_000, "80.00"),
                entry(world.me2.address, "value_added", 600, "6.00"),
                entry(ZERO_ADDRESS, "dev_fund", 900, "9.00"),
            ]
        ),
    }


def test_get_version_returns_active_version_as_in_emc(client: TestClient, world: World) -> None:
    sign_in(client, world.me2)
    version = client.get(f"/emcs/{world.smart_cooking}/versions/1")
    emc = client.get(f"/emcs/{world.smart_cooking}")

    assert version.status_code == 200
    assert version.json() == emc.json()["active_version"]


def test_get_emc_is_422_when_address_malformed(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get("/emcs/0x12")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "EMC address '0x12' is not an Ethereum address: "
        "expected 0x followed by 40 hex digits.",
        "error": "InvalidInputError",
    }


def test_get_emc_is_422_when_checksum_wrong(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
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
    sign_in(client, world.owner)
    # The registry is a contract of the deployment, but not an EMC.
    response = client.get(f"/emcs/{world.deployment.registry}")

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"{world.deployment.registry} is not an EMC of this ledger; "
        "list them with `rdh emc list`.",
        "error": "NotFoundError",
    }


def test_get_version_is_404_when_id_beyond_count(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.smart_cooking}/versions/3")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "EMC.version reverted: EmcUnknownVersion(versionId=3). "
        "No share version has this id; list them with `rdh shares show`.",
        "error": "EmcUnknownVersion",
    }


def test_get_version_is_404_when_id_is_largest_uint256(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.smart_cooking}/versions/{2**256 - 1}")

    assert response.status_code == 404
    assert response.json()["error"] == "EmcUnknownVersion"


def test_get_version_is_422_when_id_zero(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.smart_cooking}/versions/0")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "version_id (path): Input should be greater than or equal to 1.",
        "error": "InvalidInputError",
    }


def test_get_version_is_422_when_id_not_a_number(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.smart_cooking}/versions/latest")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "version_id (path): Input should be a valid integer, "
        "unable to parse string as an integer.",
        "error": "InvalidInputError",
    }


def test_get_version_is_422_when_id_exceeds_uint256(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.smart_cooking}/versions/{2**256}")

    assert response.status_code == 422
    assert response.json() == {
        "detail": f"version_id (path): Input should be less than or equal to {2**256 - 1}.",
        "error": "InvalidInputError",
    }


# -- typed data -------------------------------------------------------------------------


@pytest.fixture
def ledger(world: World, w3: Web3, artifacts: dict[str, Artifact]) -> Ledger:
    """The SDK on the world's deployment (writes are undone by the test's chain snapshot)."""
    return Ledger(w3, world.deployment, artifacts)


def _typed_data_json(typed: dict[str, Any]) -> dict[str, Any]:
    """The SDK's typed data with its one bytes32 as hex, as a wallet takes it."""
    message = {**typed["message"], "documentHash": "0x" + typed["message"]["documentHash"].hex()}
    return {**typed, "message": message}


def test_get_typed_data_is_the_sdks_and_hashes_to_the_contract_digest(
    client: TestClient, world: World, ledger: Ledger
) -> None:
    sign_in(client, world.chef)
    emc = ledger.emc(world.smart_cooking)

    response = client.get(f"/emcs/{world.smart_cooking}/versions/2/typed-data")

    assert response.status_code == 200
    data = response.json()
    assert data == _typed_data_json(emc.typed_data(2))
    assert data["primaryType"] == "ShareVersion"
    assert data["domain"] == {
        "name": "rdh-chain EMC",
        "version": "1",
        "chainId": world.deployment.chain_id,
        "verifyingContract": world.smart_cooking,
    }
    assert (data["message"]["versionId"], data["message"]["nonce"]) == (2, 1)
    assert data["message"]["deadline"] == VERSION_2_DEADLINE
    assert data["message"]["documentHash"] == "0x" + "00" * 32
    # The digest eth_account signs for the JSON (EIP-191 version 0x01: domain, then message).
    signable = encode_typed_data(full_message=data)
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    assert digest == emc.version_digest(2)


def test_get_typed_data_signed_in_each_wallet_activates_the_version(
    client: TestClient, world: World, ledger: Ledger
) -> None:
    sign_in(client, world.chef)
    data = client.get(f"/emcs/{world.smart_cooking}/versions/2/typed-data").json()

    # What a browser wallet does with the JSON: eth_signTypedData_v4, one party at a time.
    signatures = [
        PartySignature(
            party.address,
            bytes(Account.sign_typed_data(party.key, full_message=data).signature),
        )
        for party in (world.chef, world.owner, world.me2)
    ]
    # Anyone submits them: here the treasury, which is no party.
    emc = ledger.connect(world.treasury).emc(world.smart_cooking)
    emc.activate_version(2, signatures)

    assert emc.version(2).status is VersionStatus.ACTIVE
    assert client.get(f"/emcs/{world.smart_cooking}").json()["active_version_id"] == 2
    message = encode_typed_data(full_message=data)
    assert Account.recover_message(message, signature=signatures[0].signature) == world.chef.address


def test_get_typed_data_of_active_version_has_nonce_zero(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.smart_cooking}/versions/1/typed-data")

    assert response.status_code == 200
    message = response.json()["message"]
    assert (message["versionId"], message["nonce"]) == (1, 0)
    assert message["deadline"] == VERSION_1_DEADLINE
    assert message["documentHash"] == "0x" + "a1" * 32
    assert message["entries"][0] == {"account": ZERO_ADDRESS, "shareClass": 3, "bps": 900}


def test_get_typed_data_is_404_when_version_unknown(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.smart_cooking}/versions/3/typed-data")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "EMC.version reverted: EmcUnknownVersion(versionId=3). "
        "No share version has this id; list them with `rdh shares show`.",
        "error": "EmcUnknownVersion",
    }


def test_get_typed_data_is_404_when_emc_has_no_version(client: TestClient, world: World) -> None:
    sign_in(client, world.me2)
    response = client.get(f"/emcs/{world.balcony}/versions/1/typed-data")

    assert response.status_code == 404
    assert response.json()["error"] == "EmcUnknownVersion"


def test_get_typed_data_is_404_when_address_not_an_emc(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.deployment.token}/versions/1/typed-data")

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"{world.deployment.token} is not an EMC of this ledger; "
        "list them with `rdh emc list`.",
        "error": "NotFoundError",
    }


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        (
            "/emcs/0x12/versions/1/typed-data",
            "EMC address '0x12' is not an Ethereum address: expected 0x followed by 40 hex digits.",
        ),
        (
            "/emcs/{emc}/versions/0/typed-data",
            "version_id (path): Input should be greater than or equal to 1.",
        ),
        (
            "/emcs/{emc}/versions/latest/typed-data",
            "version_id (path): Input should be a valid integer, "
            "unable to parse string as an integer.",
        ),
    ],
)
def test_get_typed_data_is_422_when_path_malformed(
    client: TestClient, world: World, path: str, detail: str
) -> None:
    sign_in(client, world.owner)
    response = client.get(path.format(emc=world.smart_cooking))

    assert response.status_code == 422
    assert response.json() == {"detail": detail, "error": "InvalidInputError"}
