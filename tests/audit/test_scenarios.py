"""The contract tests' lifecycles, each run as it is and then verified from its events.

Together: bids, renegotiation, the target and the pool's unlock, the pool filling the
sharing space, investments, losses pro rata, wipe-outs and eras, dissolution short of and
after the target, capital returns and the released pool by losses borne, claims and
withdrawals after dissolution, sweeps before and after; and the Smart Cooking demo.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest
from eth_account import Account
from web3 import Web3

from rdh_chain.demo import MES, PARTNERS, DemoCast, seed
from rdh_chain.deployment import deploy
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from rdh_chain.verify import chain_events, verify
from tests.audit.helpers import verify_cast
from tests.contracts import (
    test_capital,
    test_departures,
    test_pool_forfeit,
    test_renegotiation,
    test_sharing_space,
    test_smart_cooking,
    test_smart_cooking_lifecycle,
    test_sweep,
)
from tests.contracts.helpers import Cast

_MODULES = (
    test_smart_cooking_lifecycle,
    test_smart_cooking,
    test_sharing_space,
    test_capital,
    test_pool_forfeit,
    test_sweep,
    test_departures,
    test_renegotiation,
)


def _scenarios() -> dict[str, Callable[[Cast], None]]:
    """Every test of those modules that takes the cast alone (no hypothesis, no parameters)."""
    found: dict[str, Callable[[Cast], None]] = {}
    for module in _MODULES:
        for name, fn in vars(module).items():
            if not name.startswith("test_") or not callable(fn) or hasattr(fn, "hypothesis"):
                continue
            if list(inspect.signature(fn).parameters) == ["cast"]:
                found[f"{module.__name__.rsplit('.', 1)[-1]}.{name[5:]}"] = fn
    return found


SCENARIOS = _scenarios()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_each_contract_lifecycle_verifies_exactly(cast: Cast, name: str) -> None:
    SCENARIOS[name](cast)

    result = verify_cast(cast)

    assert result.mismatches == ()
    assert result.emcs >= 1


@pytest.mark.parametrize("late_claims_last", [True, False])
def test_a_late_investment_before_dissolution_verifies_exactly(
    cast: Cast, late_claims_last: bool
) -> None:
    test_pool_forfeit.test_an_investment_timed_before_the_dissolving_loss_takes_only_its_losses_share(
        cast, late_claims_last
    )

    assert verify_cast(cast).mismatches == ()


def test_the_smart_cooking_demo_verifies_exactly(
    w3: Web3, artifacts: dict[str, Artifact], anvil: object
) -> None:
    demo = DemoCast(
        admin=Account.create(),
        treasury=Account.create(),
        auditor=Account.create(),
        steward=Account.create(),
        mes={name: Account.create() for name, _, _ in MES},
        partners={name: Account.create() for name in PARTNERS},
    )
    deployment = deploy(TxSender(w3, demo.admin, Ledger.decoder_for(artifacts)), artifacts)
    seed(Ledger(w3, deployment, artifacts), demo)
    block = w3.eth.block_number

    result = verify(
        w3, artifacts, deployment, chain_events(w3, deployment, artifacts, block), block
    )

    assert result.mismatches == ()
    assert result.emcs == 1
    # The fund, eleven MEs and four partners.
    assert result.accounts == 16
