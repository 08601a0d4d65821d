"""How SDK exceptions become HTTP answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web3.exceptions import BadFunctionCallOutput

from api.errors import status_for
from api.main import create_app
from rdh_chain import contract_errors as ce
from rdh_chain.config import Settings
from rdh_chain.exceptions import (
    ArtifactError,
    ChainError,
    ChainNotRunningError,
    DeploymentError,
    InvalidInputError,
    NotFoundError,
    RdhChainError,
    ReadOnlyError,
    UnknownRevertError,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInputError("bad"), 422),
        (ce.EmcShareTotalNot100("bad"), 422),
        (NotFoundError("none"), 404),
        # Both bad input and not found: a missing thing is 404.
        (ce.EmcUnknownVersion("none"), 404),
        (ce.RegistryNotMember("none"), 404),
        (ce.EmcNotOwner("no"), 403),
        (ce.TokenNotTreasury("no"), 403),
        (ce.EmcNothingToClaim("later"), 409),
        (ce.EmcWrongStatus("later"), 409),
        (ChainNotRunningError("down"), 503),
        (DeploymentError("gone"), 503),
        (ChainError("wrong chain"), 503),
        (ArtifactError("build"), 503),
        (UnknownRevertError("?"), 500),
        (ReadOnlyError("bug"), 500),
    ],
)
def test_status_for_maps_sdk_error_to_http_status(error: RdhChainError, status: int) -> None:
    assert status_for(error) == status


def test_sdk_error_answers_message_and_class_when_route_raises(tmp_path: Path) -> None:
    app = create_app(Settings(rpc_url="http://127.0.0.1:9", data_dir=tmp_path))

    @app.get("/refused")
    def refused() -> None:
        raise ce.EmcNotOwner("Only the EMC's owner may do this; sign with the owner's wallet.")

    response = TestClient(app).get("/refused")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the EMC's owner may do this; sign with the owner's wallet.",
        "error": "EmcNotOwner",
    }


def test_contracts_gone_is_503_when_call_hits_address_without_code(tmp_path: Path) -> None:
    # web3 raises this when a call returns nothing from an address without code. (Under
    # ape's pytest plugin, which pads empty uint results, such calls return 0 instead.)
    app = create_app(Settings(rpc_url="http://127.0.0.1:9", data_dir=tmp_path))

    @app.get("/reset")
    def reset() -> None:
        raise BadFunctionCallOutput("Could not transact with/call contract function")

    response = TestClient(app).get("/reset")

    assert response.status_code == 503
    assert response.json() == {
        "detail": "The rdh-chain contracts do not answer at the addresses of the deployment "
        "record: the chain was reset. Remove the deployment record and deploy again "
        "(`rdh deploy`).",
        "error": "DeploymentError",
    }
