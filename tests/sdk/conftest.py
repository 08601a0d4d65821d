from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from rdh_chain.deployment import deploy
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from rdh_chain.types import Role


@dataclass(frozen=True)
class SdkWorld:
    ledger: Ledger
    admin: LocalAccount
    treasury: LocalAccount
    alice: LocalAccount
    bob: LocalAccount


@pytest.fixture(scope="module")
def world(w3: Web3, artifacts: dict[str, Artifact]) -> SdkWorld:
    """A deployment with a treasury and two ME members, made once per module."""
    admin, treasury, alice, bob = (Account.create() for _ in range(4))
    deployment = deploy(TxSender(w3, admin, Ledger.decoder_for(artifacts)), artifacts)
    ledger = Ledger(w3, deployment, artifacts)
    registry = ledger.connect(admin).registry
    registry.add_member(treasury.address, Role.TREASURY)
    registry.add_member(alice.address, Role.ME)
    registry.add_member(bob.address, Role.ME)
    return SdkWorld(ledger, admin, treasury, alice, bob)


@pytest.fixture
def sdk(world: SdkWorld, anvil: object) -> SdkWorld:
    """The module's world inside this test's chain snapshot, with fresh nonces."""
    world.ledger.forget_nonces()
    return world
