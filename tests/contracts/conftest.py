"""The deployed ledger every contract test starts from.

The ledger, its members and one ready EMC are built once per session; the root
conftest's snapshot around each test (taken after session fixtures) rolls back
whatever a test did.
"""

from __future__ import annotations

import pytest
from web3 import Web3

from rdh_chain.deployment import deploy
from rdh_chain.reverts import RevertDecoder
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from tests.contracts.helpers import Cast, build_cast, new_account


@pytest.fixture(scope="session")
def cast(w3: Web3, artifacts: dict[str, Artifact]) -> Cast:
    """Registry, token and factory deployed by a fresh admin, with every role filled."""
    admin = new_account()
    decoder = RevertDecoder(a.abi for a in artifacts.values())
    deployment = deploy(TxSender(w3, admin, decoder), artifacts)
    return build_cast(w3, artifacts, deployment, admin)


@pytest.fixture(autouse=True)
def _fresh_nonces(cast: Cast) -> None:
    # The previous test's evm_revert rewound every account's nonce on chain.
    cast.refresh()
