"""A ledger with history for the gateway to read, and a client for the gateway.

The world is built once per session through the SDK, as its users would: members
registered (one suspended), an EMC with two settled periods, a claim, a development
fund withdrawal, an active share version signed by its three parties and a proposed
one, and a second EMC with no version. The gateway only reads, so tests share it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from eth_account import Account
from eth_utils.crypto import keccak
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web3 import Web3

from api.auth.settings import AuthSettings
from api.main import create_app
from rdh_chain.chain import AnvilNode
from rdh_chain.config import Settings
from rdh_chain.contracts import EmcClient
from rdh_chain.deployment import deploy
from rdh_chain.ledger import Ledger
from rdh_chain.reverts import RevertDecoder
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from rdh_chain.types import Role
from tests.api.helpers import (
    BALCONY_TERMS,
    DEV_FUND_WITHDRAWAL,
    PERIOD_1,
    PERIOD_2,
    SMART_COOKING_TERMS,
    VERSION_1_DEADLINE,
    VERSION_1_DOC,
    VERSION_2_DEADLINE,
    World,
)

TEST_SITE = "http://testserver"  # TestClient's base URL
TERMS_REASON = keccak(text="terms set by hand for a test")


def _timestamp(w3: Web3, block_number: int) -> int:
    return int(w3.eth.get_block(block_number)["timestamp"])


def _proposed_block(emc: EmcClient, version_id: int, from_block: int) -> int:
    """The block of ``version_id``'s VersionProposed event."""
    (log,) = emc.contract.events.VersionProposed().get_logs(
        argument_filters={"versionId": version_id}, from_block=from_block
    )
    return int(log["blockNumber"])


@pytest.fixture(scope="session")
def world(
    anvil: AnvilNode,
    w3: Web3,
    artifacts: dict[str, Artifact],
    tmp_path_factory: pytest.TempPathFactory,
) -> World:
    admin, treasury, owner, me2, chef, farm, auditor = (Account.create() for _ in range(7))
    decoder = RevertDecoder(a.abi for a in artifacts.values())
    deployment = deploy(TxSender(w3, admin, decoder), artifacts)
    ledger = Ledger(w3, deployment, artifacts)
    registry = ledger.connect(admin).registry
    for account, role in ((owner, Role.ME), (me2, Role.ME), (treasury, Role.TREASURY)):
        registry.add_member(account.address, role)
    chef_added = registry.add_member(chef.address, Role.PARTNER)
    farm_added = registry.add_member(farm.address, Role.PARTNER)
    registry.suspend(farm.address)

    factory = ledger.connect(admin).factory
    smart_cooking, _ = factory.create_emc_with_terms(
        owner.address, SMART_COOKING_TERMS, TERMS_REASON
    )
    balcony, _ = factory.create_emc_with_terms(me2.address, BALCONY_TERMS, TERMS_REASON)

    world = World(
        settings=Settings(rpc_url=anvil.rpc_url, data_dir=tmp_path_factory.mktemp("rdh-data")),
        deployment=deployment,
        admin=admin,
        treasury=treasury,
        owner=owner,
        me2=me2,
        chef=chef,
        farm=farm,
        auditor=auditor,
        stranger=Account.create(),
        smart_cooking=smart_cooking,
        balcony=balcony,
        chef_since=_timestamp(w3, chef_added.block_number),
        farm_since=_timestamp(w3, farm_added.block_number),
        version_1_proposed=0,
        version_1_activated=0,
        version_2_proposed=0,
    )
    as_owner = ledger.connect(owner)
    emc = as_owner.emc(smart_cooking)
    # Every party signs version 1 from its own wallet; version 2 stays unsigned.
    version_1, activated_1 = as_owner.agree(
        emc, world.version_1(), [chef, owner, me2], VERSION_1_DOC, deadline=VERSION_1_DEADLINE
    )
    ledger.connect(treasury).token.mint(owner.address, 2_000_000_00)
    as_owner.settle(emc, PERIOD_1)
    ledger.connect(chef).emc(smart_cooking).claim()
    as_owner.settle(emc, PERIOD_2)
    emc.withdraw_dev_fund(owner.address, DEV_FUND_WITHDRAWAL, bytes.fromhex("de" * 32))
    _, proposed_2 = emc.propose_version(world.version_2(), deadline=VERSION_2_DEADLINE)
    registry.add_member(auditor.address, Role.AUDITOR)

    deployment.save(world.settings.deployment_file)
    return replace(
        world,
        version_1_proposed=_timestamp(w3, _proposed_block(emc, version_1, deployment.block)),
        version_1_activated=_timestamp(w3, activated_1.block_number),
        version_2_proposed=_timestamp(w3, proposed_2.block_number),
    )


@pytest.fixture(scope="session")
def gateway(world: World) -> FastAPI:
    """One app for the session: it only reads, and it opens its ledger once. Sign-in
    messages name the test client's site (``http://testserver``)."""
    return create_app(world.settings, auth_settings=AuthSettings(public_url=TEST_SITE))


@pytest.fixture
def client(gateway: FastAPI) -> Iterator[TestClient]:
    with TestClient(gateway) as client:
        yield client
