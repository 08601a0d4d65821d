"""GET /emcs/{address}/bids and /emcs/{address}/bids/{round}: round headers and every bid,
sealed ones showing only their commitment."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from web3 import Web3

from rdh_chain.bids import SealedBid
from rdh_chain.toolchain import Artifact
from tests.api.auth_helpers import sign_in
from tests.api.helpers import World, amount, iso
from tests.api.lifecycle import Riverside, addresses, advance, build_riverside, commit, reveal


def _now(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def _round(round_id: int, opened: int, decided: int | None, counts: tuple[int, int, int]) -> Any:
    bidders, revealed, invited = counts
    return {
        "id": round_id,
        "commit_deadline": iso(opened + 100),
        "reveal_deadline": iso(opened + 200),
        "decided_at": None if decided is None else iso(decided),
        "bidder_count": bidders,
        "revealed_count": revealed,
        "invited_count": invited,
        "document_hash": "0x" + "00" * 32,
    }


def _sealed(sealed: SealedBid, outcome: str) -> dict[str, Any]:
    return {
        "bidder": sealed.bidder,
        "outcome": outcome,
        "commitment": "0x" + sealed.commitment.hex(),
        "undertaken_users": None,
        "undertaken_revenue": None,
        "ask_bps": None,
        "ask_percent": None,
        "proposal_hash": None,
    }


def _shown(sealed: SealedBid, outcome: str, percent: str) -> dict[str, Any]:
    return {
        **_sealed(sealed, outcome),
        "undertaken_users": 100,
        "undertaken_revenue": amount(5_000_00),
        "ask_bps": sealed.ask_bps,
        "ask_percent": percent,
        "proposal_hash": "0x" + "0b" * 32,
    }


@pytest.fixture
def river(world: World, w3: Web3, artifacts: dict[str, Artifact]) -> Riverside:
    return build_riverside(world, w3, artifacts)


def test_bid_rounds_show_every_outcome_and_hide_sealed_bids(
    client: TestClient, world: World, w3: Web3, river: Riverside
) -> None:
    sign_in(client, world.owner)
    first = _now(w3)
    river.emc.open_bid_round(first + 100, first + 200)
    chef = commit(river, 1, world.chef, 300)
    me2 = commit(river, 1, world.me2, 200)
    owner = commit(river, 1, world.owner, 100)
    advance(w3, 101)
    reveal(river, world.chef, chef)
    reveal(river, world.me2, me2)
    advance(w3, 100)
    decided = river.emc.invite_bids(1, addresses(world.me2))
    second = _now(w3)
    river.emc.open_bid_round(second + 100, second + 200)
    sealed = commit(river, 2, world.chef, 400)
    decided_at = int(w3.eth.get_block(decided.block_number)["timestamp"])

    rounds = client.get(f"/emcs/{river.emc.address}/bids")
    one = client.get(f"/emcs/{river.emc.address}/bids/1")
    two = client.get(f"/emcs/{river.emc.address}/bids/2")

    assert rounds.status_code == 200
    assert rounds.json() == [
        _round(1, first, decided_at, (3, 2, 1)),
        _round(2, second, None, (1, 0, 0)),
    ]
    assert one.status_code == 200
    assert one.json() == {
        **_round(1, first, decided_at, (3, 2, 1)),
        "bids": [
            _shown(chef, "not_invited", "3.00"),
            _shown(me2, "invited", "2.00"),
            _sealed(owner, "lapsed"),
        ],
    }
    assert two.json() == {
        **_round(2, second, None, (1, 0, 0)),
        "bids": [_sealed(sealed, "committed")],
    }


def test_list_rounds_is_empty_when_none_opened(client: TestClient, world: World) -> None:
    sign_in(client, world.me2)
    response = client.get(f"/emcs/{world.balcony}/bids")

    assert response.status_code == 200
    assert response.json() == []


def test_get_round_is_404_when_round_unknown(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.smart_cooking}/bids/1")

    assert response.status_code == 404
    assert response.json()["error"] == "EmcUnknownBidRound"
    assert "`rdh bid list`" in response.json()["detail"]


def test_get_round_is_422_when_round_zero(client: TestClient, world: World) -> None:
    sign_in(client, world.owner)
    response = client.get(f"/emcs/{world.smart_cooking}/bids/0")

    assert response.status_code == 422
    assert response.json()["error"] == "InvalidInputError"


def test_list_rounds_is_404_when_address_not_an_emc(client: TestClient, world: World) -> None:
    sign_in(client, world.auditor)
    response = client.get(f"/emcs/{'0x' + '55' * 20}/bids")

    assert response.status_code == 404
