"""The statement's earnings model (the README's accrual rules) against the chain, for random
share versions, periods (profits, losses, units) and claims: every provider's earnings equal
what the chain says it was paid, can claim and has locked; the pool's equal its accrual."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3

from rdh_chain.events import EventDecoder, fetch_logs
from rdh_chain.statements import build_statement
from rdh_chain.toolchain import Artifact
from rdh_chain.types import ZERO_ADDRESS, EmcTerms, PeriodReport, Role, ShareClass, ShareEntry
from tests.contracts.helpers import revert, snapshot
from tests.sdk.conftest import SdkWorld


@dataclass(frozen=True)
class Month:
    profit: int  # fen; 0 with a cost above revenue is a loss
    loss: int
    units: int
    users: int
    claims: tuple[bool, bool, bool]  # alice, bob, carol claim after it


@dataclass(frozen=True)
class Version:
    # alice operating, alice value-added, bob value-added, carol partner; the fund the rest.
    bps: tuple[int, int, int, int]
    months: tuple[Month, ...]


@st.composite
def versions(draw: st.DrawFn) -> Version:
    cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=4, max_size=4, unique=True)))
    parts = [b - a for a, b in zip([0, *cuts], cuts, strict=False)]
    months = draw(
        st.lists(
            st.builds(
                Month,
                st.integers(0, 10**9),
                st.sampled_from([0, 0, 0, 1_000]),
                st.integers(0, 1_000),
                st.integers(0, 500),
                st.tuples(st.booleans(), st.booleans(), st.booleans()),
            ),
            min_size=1,
            max_size=3,
        )
    )
    return Version((parts[0], parts[1], parts[2], parts[3]), tuple(months))


@pytest.fixture(scope="module")
def cast(world: SdkWorld) -> tuple[SdkWorld, LocalAccount]:
    carol = Account.create()
    world.ledger.connect(world.admin).registry.add_member(carol.address, Role.PARTNER)
    return world, carol


@pytest.mark.slow
@settings(
    max_examples=25,  # each example is a fresh EMC on the chain: ~0.5 s
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(versions(), min_size=1, max_size=3),
    space=st.sampled_from([1, 10**6, 10**9, 10**12]),
    target=st.integers(1, 2_000),
)
def test_statement_earnings_equal_the_chain_for_random_versions_and_claims(
    cast: tuple[SdkWorld, LocalAccount],
    w3: Web3,
    artifacts: dict[str, Artifact],
    anvil: object,
    steps: list[Version],
    space: int,
    target: int,
) -> None:
    world, carol = cast
    snapshot_id = snapshot(w3)
    world.ledger.forget_nonces()
    try:
        _run(world, carol, w3, artifacts, steps, space, target)
    finally:
        revert(w3, snapshot_id)
        world.ledger.forget_nonces()


def _run(
    world: SdkWorld,
    carol: LocalAccount,
    w3: Web3,
    artifacts: dict[str, Artifact],
    steps: list[Version],
    space: int,
    target: int,
) -> None:
    ledger, alice, bob = world.ledger, world.alice, world.bob
    terms = EmcTerms(target, 1, space, 10**15)
    address, _ = ledger.connect(world.admin).factory.create_emc_with_terms(
        alice.address, terms, b"\x01" * 32
    )
    owner = ledger.connect(alice)
    emc = owner.emc(address)
    total = sum(m.profit for s in steps for m in s.months)
    if total:
        ledger.connect(world.treasury).token.mint(alice.address, total)
    for step in steps:
        op, va_alice, va_bob, partner = step.bps
        entries = [
            ShareEntry(alice.address, ShareClass.OPERATING, op),
            ShareEntry(alice.address, ShareClass.VALUE_ADDED, va_alice),
            ShareEntry(bob.address, ShareClass.VALUE_ADDED, va_bob),
            ShareEntry(carol.address, ShareClass.PARTNER, partner),
            ShareEntry(
                ZERO_ADDRESS, ShareClass.DEV_FUND, 10_000 - op - va_alice - va_bob - partner
            ),
        ]
        owner.agree(emc, entries, [alice, bob, carol])
        for month in step.months:
            profit = 0 if month.loss else month.profit
            # A margin of the profit itself (revenue twice it), or a loss of month.loss.
            report = PeriodReport(
                month.users, month.units, 2 * profit + month.loss, profit + 2 * month.loss, profit
            )
            owner.settle(emc, report)
            for account, claims in zip((alice, bob, carol), month.claims, strict=True):
                if claims and emc.position(account.address).claimable:
                    ledger.connect(account).emc(address).claim()

    decoder = EventDecoder.from_abis(a.abi for a in artifacts.values())
    events = decoder.decode_all(fetch_logs(w3.provider, 0, w3.eth.block_number, [address]))
    statement = build_statement(address, events)
    for provider in statement.providers:
        position = emc.position(provider.account)
        paid = 0 if provider.account == ZERO_ADDRESS else position.paid
        assert provider.earned == position.claimable + position.locked + paid, provider.account
        assert provider.paid == paid
    assert statement.sharing_space.earned == emc.pool().accrued_fen
    assert statement.sharing_space.left == emc.pool().left
    assert statement.cumulative.report.profit == emc.totals().profit
    assert (statement.sharing_space.unlocked_in is not None) == emc.totals().target_reached
