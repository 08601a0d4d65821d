"""The authorization dependencies routes declare: roles, membership of an EMC, oneself."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from web3 import Web3

from api.auth.deps import EmcReaderDep, Viewer, ViewerDep, require_roles, require_self
from api.auth.settings import AuthSettings
from api.main import create_app
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.types import ZERO_ADDRESS, Role, ShareClass, ShareEntry
from tests.api.auth_helpers import sign_in
from tests.api.conftest import TEST_SITE
from tests.api.helpers import World

Auditor = Annotated[Viewer, Depends(require_roles(Role.AUDITOR))]
Registrar = Annotated[Viewer, Depends(require_roles(Role.OPERATOR, Role.REGISTRAR))]


@pytest.fixture
def probe(world: World) -> TestClient:
    """A gateway with routes that only declare the dependencies under test."""
    app: FastAPI = create_app(world.settings, auth_settings=AuthSettings(public_url=TEST_SITE))

    @app.get("/probe/audit")
    def audit(viewer: Auditor) -> str:
        return viewer.address

    @app.get("/probe/register")
    def register(viewer: Registrar) -> str:
        return viewer.address

    @app.get("/probe/emcs/{address}")
    def read(emc: EmcReaderDep) -> str:
        return emc.address

    @app.post("/probe/act/{address}")
    def act(viewer: ViewerDep, address: str) -> str:
        return require_self(viewer, address)

    return TestClient(app)


@pytest.fixture
def ledger(world: World, w3: Web3, artifacts: dict[str, Artifact]) -> Ledger:
    return Ledger(w3, world.deployment, artifacts)


def test_require_roles_lets_a_holder_through(probe: TestClient, world: World) -> None:
    sign_in(probe, world.auditor)
    assert probe.get("/probe/audit").json() == world.auditor.address


def test_require_roles_refuses_naming_the_missing_role(probe: TestClient, world: World) -> None:
    sign_in(probe, world.chef)
    answer = probe.get("/probe/audit")
    assert (answer.status_code, answer.json()["error"]) == (403, "missing_role")
    assert answer.json()["detail"] == (
        f"This needs the auditor role; {world.chef.address} holds partner. Ask a platform "
        "operator to grant it."
    )


def test_require_roles_takes_any_of_its_roles(probe: TestClient, world: World) -> None:
    sign_in(probe, world.admin)  # the registry's admin is its first operator
    assert probe.get("/probe/register").status_code == 200
    sign_in(probe, world.auditor)
    answer = probe.get("/probe/register")
    assert answer.status_code == 403
    assert "needs the operator or registrar role" in answer.json()["detail"]


def test_require_roles_refuses_a_suspended_holder(probe: TestClient, world: World) -> None:
    sign_in(probe, world.farm)  # a partner, suspended: no role counts
    answer = probe.get("/probe/audit")
    assert answer.status_code == 403
    assert "holds no active role" in answer.json()["detail"]


def test_require_roles_is_401_without_a_session(probe: TestClient) -> None:
    assert probe.get("/probe/audit").json()["error"] == "not_signed_in"


def test_require_self_lets_a_wallet_act_for_itself(probe: TestClient, world: World) -> None:
    sign_in(probe, world.chef)
    answer = probe.post(f"/probe/act/{world.chef.address.lower()}")
    assert answer.json() == world.chef.address


def test_require_self_refuses_acting_for_another(probe: TestClient, world: World) -> None:
    sign_in(probe, world.admin)  # even the admin acts only for itself
    answer = probe.post(f"/probe/act/{world.chef.address}")
    assert (answer.status_code, answer.json()["error"]) == (403, "not_yourself")
    assert world.chef.address in answer.json()["detail"]


def test_require_self_is_422_for_a_malformed_address(probe: TestClient, world: World) -> None:
    sign_in(probe, world.chef)
    assert probe.post("/probe/act/chef").status_code == 422


def test_emc_reader_admits_the_appointed_reporter(
    probe: TestClient, world: World, ledger: Ledger
) -> None:
    sign_in(probe, world.owner)  # an ME (a reporter must be), not of Balcony
    assert probe.get(f"/probe/emcs/{world.balcony}").status_code == 403
    ledger.connect(world.me2).emc(world.balcony).set_reporter(world.owner.address)
    assert probe.get(f"/probe/emcs/{world.balcony}").json() == world.balcony


def test_emc_reader_admits_a_party_of_a_proposed_version(
    probe: TestClient, world: World, ledger: Ledger
) -> None:
    sign_in(probe, world.chef)
    assert probe.get(f"/probe/emcs/{world.balcony}").status_code == 403
    entries = [
        ShareEntry(world.chef.address, ShareClass.PARTNER, 500),
        ShareEntry(world.me2.address, ShareClass.OPERATING, 9_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 500),
    ]
    ledger.connect(world.me2).emc(world.balcony).propose_version(entries)
    assert probe.get(f"/probe/emcs/{world.balcony}").json() == world.balcony


def test_emc_reader_admits_overseers_of_any_emc(probe: TestClient, world: World) -> None:
    for overseer in (world.auditor, world.admin):
        sign_in(probe, overseer)
        assert probe.get(f"/probe/emcs/{world.balcony}").status_code == 200
