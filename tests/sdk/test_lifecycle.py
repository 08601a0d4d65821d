"""The SDK's side of an EMC's lifecycle, on chain: entries from a decided bid round, loss
settlements (no approval; attested by an auditor when drawn on capital), investments
(approved first), departures and member shares."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain import contract_errors as errors
from rdh_chain.bids import SealedBid, entries_from_invited, merge_entries
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.types import (
    ZERO_ADDRESS,
    CapitalHolding,
    EmcStatus,
    EmcTerms,
    PeriodReport,
    Role,
    Settlement,
    ShareClass,
    ShareEntry,
)
from tests.sdk.conftest import SdkWorld

TERMS = EmcTerms(
    target_users=1_000, target_revenue=1_000_000_00, sharing_space=1_000_00, loss_threshold=500_00
)


@dataclass(frozen=True)
class Lifecycle:
    sdk: SdkWorld
    carol: LocalAccount  # a partner
    auditor: LocalAccount
    emc: EmcClient  # owned by alice, bob in the value-added pool, carol a partner

    def connect(self, account: LocalAccount) -> EmcClient:
        return self.sdk.ledger.connect(account).emc(self.emc.address)


@pytest.fixture
def life(sdk: SdkWorld) -> Lifecycle:
    carol, auditor = Account.create(), Account.create()
    ledger = sdk.ledger
    ledger.connect(sdk.admin).registry.add_member(carol.address, Role.PARTNER)
    ledger.connect(sdk.admin).registry.add_member(auditor.address, Role.AUDITOR)
    address, _ = ledger.connect(sdk.admin).factory.create_emc_with_terms(
        sdk.alice.address, TERMS, b"\x7e" * 32
    )
    owner = ledger.connect(sdk.alice)
    emc = owner.emc(address)
    entries = [
        ShareEntry(sdk.alice.address, ShareClass.OPERATING, 8_000),
        ShareEntry(sdk.bob.address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(carol.address, ShareClass.PARTNER, 500),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 500),
    ]
    owner.agree(emc, entries, [sdk.alice, sdk.bob, carol])
    treasury = ledger.connect(sdk.treasury).token
    for account in (sdk.alice, sdk.bob, carol):
        treasury.mint(account.address, 1_000_00)
    return Lifecycle(sdk, carol, auditor, emc)


def _advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])


def _bid(life: Lifecycle, account: LocalAccount, ask_bps: int) -> SealedBid:
    sealed = SealedBid.seal(life.emc.address, 1, account.address, 1, 1, ask_bps, bytes(32))
    life.connect(account).commit_bid(1, sealed.commitment)
    return sealed


def _reveal(life: Lifecycle, account: LocalAccount, sealed: SealedBid) -> None:
    life.connect(account).reveal_sealed(sealed)


def test_entries_from_invited_take_class_from_role_and_bps_from_ask(
    life: Lifecycle, w3: Web3
) -> None:
    sdk, emc = life.sdk, life.emc
    now = int(w3.eth.get_block("latest")["timestamp"])
    emc.open_bid_round(now + 100, now + 200)
    bids = {a: _bid(life, a, ask) for a, ask in ((sdk.bob, 300), (life.carol, 200), (sdk.alice, 0))}
    with pytest.raises(InvalidInputError, match="not decided yet"):
        entries_from_invited(emc, 1, sdk.ledger.registry)
    _advance(w3, 101)
    for account, sealed in bids.items():
        _reveal(life, account, sealed)
    _advance(w3, 100)
    emc.invite_bids(1, [a.address for a in (sdk.bob, life.carol, sdk.alice)])

    found = entries_from_invited(emc, 1, sdk.ledger.registry)

    # The owner asked for nothing: invited, but no entry.
    assert found == [
        ShareEntry(sdk.bob.address, ShareClass.VALUE_ADDED, 300),
        ShareEntry(life.carol.address, ShareClass.PARTNER, 200),
    ]


def test_merge_entries_lets_an_entry_by_hand_replace_the_bid_in_its_class() -> None:
    a, b = (Account.create().address for _ in range(2))
    from_bids = [ShareEntry(a, ShareClass.VALUE_ADDED, 300), ShareEntry(b, ShareClass.PARTNER, 200)]
    by_hand = [ShareEntry(a, ShareClass.VALUE_ADDED, 400), ShareEntry(a, ShareClass.OPERATING, 9)]

    assert merge_entries(from_bids, by_hand) == [from_bids[1], *by_hand]


def test_loss_settles_without_approval_and_reports_what_the_capital_covered(
    life: Lifecycle, w3: Web3
) -> None:
    """bob invests 300.00 RMB and carol 100.00; nothing was settled, so no pool. The first loss
    (250.00) is covered in full, the second (300.00) only by the 150.00 left: losses 550.00
    reach the 500.00 threshold and the EMC dissolves with no capital and nothing released.
    Both draw on capital, so the auditor attests each as the EMC's next period."""
    sdk, emc = life.sdk, life.emc
    ledger = sdk.ledger.connect(sdk.alice)
    auditor = sdk.ledger.connect(life.auditor)
    units, _ = sdk.ledger.connect(sdk.bob).invest(emc, 300_00)
    sdk.ledger.connect(life.carol).invest(emc, 100_00)
    assert units == 300_00
    assert ledger.token.allowance(sdk.alice.address, emc.address) == 0
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3_600
    first_loss = PeriodReport(1, 1, 100_00, 350_00, 0)
    with pytest.raises(errors.EmcAttestationRequired) as refused:
        ledger.settle(emc, first_loss)
    assert refused.value.args_by_name == {"loss": 250_00, "capital": 400_00}

    _, first = ledger.settle(emc, first_loss, auditor.attest(emc, first_loss, deadline))
    second_loss = PeriodReport(1, 1, 0, 300_00, 0)
    _, second = ledger.settle(emc, second_loss, auditor.attest(emc, second_loss, deadline))

    assert emc.settlement(first) == Settlement(
        period=1,
        loss=250_00,
        covered=250_00,
        cumulative_losses=250_00,
        auditor=life.auditor.address,
    )
    assert emc.settlement(second) == Settlement(
        period=2,
        loss=300_00,
        covered=150_00,
        cumulative_losses=550_00,
        dissolved=True,
        auditor=life.auditor.address,
    )
    assert ledger.token.allowance(sdk.alice.address, emc.address) == 0
    assert emc.status() is EmcStatus.DISSOLVED


def test_profit_settlement_reports_no_loss(life: Lifecycle) -> None:
    ledger = life.sdk.ledger.connect(life.sdk.alice)
    _, result = ledger.settle(life.emc, PeriodReport(1, 1, 100_00, 0, 100_00))
    assert life.emc.settlement(result) == Settlement(period=1)


def test_loss_without_capital_settles_unattested(life: Lifecycle) -> None:
    """Nothing is invested, so the loss takes nobody's money: no attestation needed, and no
    auditor is recorded."""
    ledger = life.sdk.ledger.connect(life.sdk.alice)
    _, result = ledger.settle(life.emc, PeriodReport(1, 1, 0, 100_00, 0))
    assert life.emc.settlement(result) == Settlement(
        period=1, loss=100_00, covered=0, cumulative_losses=100_00
    )


def test_member_share_carries_capital_and_departure(life: Lifecycle) -> None:
    sdk, emc = life.sdk, life.emc
    sdk.ledger.connect(life.carol).invest(emc, 50_00)
    emc.terminate(life.carol.address, 2, b"\x01" * 32)

    (share,) = sdk.ledger.shares(life.carol.address)
    departures = sdk.ledger.departures(emc)

    assert share.capital == CapitalHolding(units=50_00, value=50_00, invested=50_00)
    assert share.departure.by_owner
    assert share.departure.effective_period == 2
    assert not share.departure.effective(1)
    assert share.departure.effective(2)
    assert departures == {life.carol.address: share.departure}
