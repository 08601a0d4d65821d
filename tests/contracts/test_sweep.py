"""Sweeps: credit an EMC holds above what it owes goes into its development fund.

What an EMC owes, in fen: every profit deposited and every investment, less what left by
the rules (claims, fund withdrawals, losses covered, capital and pool shares returned); all
of it stays payable to someone (claimable, locked, dust, the capital, the fund). Credit sent
straight to the EMC's address is owed to nobody: the owner (an active ME) or an active
treasurer sweeps it into the fund, even after dissolution (``Swept(by, amount,
devFundAvailable)``). Nothing else moves. The fund pays out only to a member that is not an
rdh-chain contract.

The base EMC (helpers.Cast): chef partner 1,000, owner operating 7,000, ME 1 value-added
1,000, fund 1,000; period 1 profit 1,000,000.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.contracts import EmcClient
from rdh_chain.events import CapitalReturned, Swept
from rdh_chain.types import (
    ZERO_ADDRESS,
    CapitalHolding,
    CapitalTotals,
    EmcStatus,
    PeriodReport,
    Position,
)
from tests.contracts.helpers import BASE_TERMS, TERMS_REASON, Cast, assert_reverts, settle

PURPOSE = keccak(text="tools for the kitchen")


def _invest(cast: Cast, emc: EmcClient, investor: LocalAccount, amount: int) -> None:
    cast.mint(investor.address, amount)
    cast.as_(investor).token.approve(emc.address, amount)
    cast.as_(investor).emc(emc.address).invest(amount)


def _owed(cast: Cast, emc: EmcClient) -> dict[str, Any]:
    """Everything a sweep must leave alone: every account's position and capital, the
    capital totals."""
    accounts: list[ChecksumAddress] = [
        cast.chef.address,
        cast.owner.address,
        cast.mes[1].address,
    ]
    return {
        "positions": {a: emc.position(a) for a in accounts},
        "capital": {a: emc.capital_of(a) for a in accounts},
        "totals": emc.capital_totals(),
    }


def _sweep(cast: Cast, emc: EmcClient, by: LocalAccount) -> dict[str, Any]:
    """``by`` sweeps; returns the Swept event's arguments, checked against the amount."""
    amount, result = cast.as_(by).emc(emc.address).sweep()
    args = emc.event(result, Swept).as_dict()
    assert args["amount"] == amount
    return args


def test_sweep_moves_credit_sent_to_the_emc_into_the_fund_and_nothing_owed(cast: Cast) -> None:
    """Period 2 makes 333,333: in all (1,333,333) the chef earned 1,000 * 1,333,333 -> 133,333
    (dust 3,000), which it claims; the owner 933,333 (dust 1,000); ME 1 133,333 locked (dust
    3,000); the fund 133,333 (dust 3,000). ME 1 invests 50,000. The EMC holds 1,333,333
    - 133,333 + 50,000 = 1,250,000, exactly what it owes: nothing to sweep.
    The chef sends 12,345 straight to the EMC; the owner sweeps 12,345 (the fund may pay
    133,333 + 12,345 = 145,678). The owner sends 1,000; the treasurer sweeps 1,000 (146,678).
    The owner withdraws the whole fund: 146,678."""
    emc = cast.emc()
    settle(cast, emc, PeriodReport(10, 10, 333_333, 0, 333_333))
    assert cast.as_(cast.chef).emc(emc.address).claim()[0] == 133_333
    _invest(cast, emc, cast.mes[1], 50_000)
    assert cast.balance(emc.address) == 1_250_000
    assert emc.sweepable() == 0
    owed = _owed(cast, emc)
    assert owed["positions"] == {
        cast.chef.address: Position(0, 0, 133_333, 3_000),
        cast.owner.address: Position(933_333, 0, 0, 1_000),
        cast.mes[1].address: Position(0, 133_333, 0, 3_000),
    }
    assert owed["totals"] == CapitalTotals(50_000, 50_000, 0, 50_000, 0, 0, 0, 0, 0, 0, 1, 0)
    assert cast.ledger.dev_fund(emc) == Position(133_333, 0, 0, 3_000)

    cast.as_(cast.chef).token.transfer(emc.address, 12_345)
    assert emc.sweepable() == 12_345
    swept = _sweep(cast, emc, cast.owner)
    assert swept == {"by": cast.owner.address, "amount": 12_345, "dev_fund_available": 145_678}
    assert cast.balance(emc.address) == 1_262_345
    assert emc.sweepable() == 0
    assert _owed(cast, emc) == owed
    assert cast.ledger.dev_fund(emc) == Position(145_678, 0, 0, 3_000)
    assert_reverts(cast, lambda: emc.sweep(), errors.EmcNothingToSweep, {})

    cast.as_(cast.owner).token.transfer(emc.address, 1_000)
    swept = _sweep(cast, emc, cast.treasury)
    assert swept == {"by": cast.treasury.address, "amount": 1_000, "dev_fund_available": 146_678}
    assert _owed(cast, emc) == owed
    assert cast.ledger.dev_fund(emc) == Position(146_678, 0, 0, 3_000)

    recipient = cast.mes[4].address
    emc.withdraw_dev_fund(recipient, 146_678, PURPOSE)
    assert cast.balance(recipient) == 146_678
    assert cast.ledger.dev_fund(emc) == Position(0, 0, 146_678, 3_000)
    assert _owed(cast, emc) == owed
    assert emc.sweepable() == 0


def test_sweep_works_after_dissolution_and_leaves_every_claim_whole(cast: Cast) -> None:
    """The chef invests 8,000,000 and ME 1 4,000,000 (12,000,000 units); an attested loss of
    10,000,000 (the threshold) is covered and dissolves the EMC with capital 2,000,000. The
    pool released, 1,000 * 1,000,000 / 10,000 = 100,000 (no fraction), is owed to the
    investors (min(100,000, 10,000,000)).
    The owner sends 777 to the dissolved EMC and sweeps it: the fund may pay 100,000 + 777.
    Then everyone is paid in full and the EMC ends empty. Borne (index 10,000,000 * 2**128
    // 12,000,000): the chef 6,666,666 (6,666,666.67), ME 1 3,333,333 (3,333,333.33).
    The chef claims capital 8,000,000 * 2,000,000 // 12,000,000 = 1,333,333 and pool
    100,000 * 6,666,666 // 10,000,000 = 66,666; ME 1, last, 666,667 and 33,334. Credit: the
    chef 100,000, the owner 700,000; ME 1's locked 100,000 is void; the fund 100,777.
    1,000,000 + 12,000,000 + 777 - 10,000,000 - 2,000,000 - 100,000 - 800,000 - 100,777 = 0.
    """
    chef, me1 = cast.chef, cast.mes[1]
    emc = cast.emc()
    _invest(cast, emc, chef, 8_000_000)
    _invest(cast, emc, me1, 4_000_000)
    settle(cast, emc, PeriodReport(0, 0, 0, BASE_TERMS.loss_threshold, 0))
    assert emc.status() is EmcStatus.DISSOLVED
    assert emc.sweepable() == 0
    owed = _owed(cast, emc)
    assert owed["totals"] == CapitalTotals(
        2_000_000,
        12_000_000,
        0,
        12_000_000,
        10_000_000,
        10_000_000,
        0,
        100_000,
        100_000,
        0,
        2,
        0,
    )
    assert owed["capital"][chef.address] == CapitalHolding(
        8_000_000, 1_333_333, 8_000_000, 6_666_666, 66_666
    )

    cast.as_(cast.owner).token.transfer(emc.address, 777)
    assert emc.sweepable() == 777
    swept = _sweep(cast, emc, cast.owner)
    assert swept == {"by": cast.owner.address, "amount": 777, "dev_fund_available": 100_777}
    assert _owed(cast, emc) == owed
    assert_reverts(cast, lambda: emc.sweep(), errors.EmcNothingToSweep, {})

    paid = {}
    for investor in (chef, me1):
        _, result = cast.as_(investor).emc(emc.address).claim_capital()
        args = emc.event(result, CapitalReturned)
        paid[investor.address] = (args.amount, args.pool_share)
    assert paid == {chef.address: (1_333_333, 66_666), me1.address: (666_667, 33_334)}
    assert cast.as_(chef).emc(emc.address).claim()[0] == 100_000
    assert cast.as_(cast.owner).emc(emc.address).claim()[0] == 700_000
    emc.withdraw_dev_fund(cast.mes[4].address, 100_777, PURPOSE)
    assert cast.balance(emc.address) == 0
    assert emc.sweepable() == 0


def test_sweep_reverts_when_caller_is_neither_owner_nor_treasurer(cast: Cast) -> None:
    """The chef (a member with credit) and the second operator cannot sweep the 500 fen the
    owner sent: EmcNotSweeper(caller, owner); the owner still can."""
    emc = cast.emc()
    cast.as_(cast.owner).token.transfer(emc.address, 500)
    for caller in (cast.chef, cast.operator2):
        assert_reverts(
            cast,
            cast.as_(caller).emc(emc.address).sweep,
            errors.EmcNotSweeper,
            {"caller": caller.address, "owner": cast.owner.address},
        )
    assert emc.sweepable() == 500
    assert _sweep(cast, emc, cast.owner)["amount"] == 500


def test_sweep_reverts_when_the_emc_holds_nothing_above_its_debts(cast: Cast) -> None:
    """The base EMC holds exactly its period's 1,000,000 fen, all owed."""
    for by in (cast.owner, cast.treasury):
        assert cast.as_(by).emc(cast.base_emc).sweepable() == 0
        assert_reverts(cast, cast.as_(by).emc(cast.base_emc).sweep, errors.EmcNothingToSweep, {})


def test_withdraw_dev_fund_reverts_when_recipient_is_zero_or_an_rdh_chain_contract(
    cast: Cast,
) -> None:
    """The fund (100,000 fen of the base EMC) pays a member's hands only: not the zero address
    (EmcZeroAddress), not another EMC, itself or the factory, all registered (EmcRecipientNot
    Allowed: credit sent there is no member's)."""
    emc = cast.emc()
    assert_reverts(
        cast, lambda: emc.withdraw_dev_fund(ZERO_ADDRESS, 1, PURPOSE), errors.EmcZeroAddress, {}
    )
    other, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, BASE_TERMS, TERMS_REASON
    )
    factory = cast.deployment.factory
    for to in (other, emc.address, factory):
        assert cast.ledger.registry.member(to).status.name == "ACTIVE"
        assert_reverts(
            cast,
            partial(emc.withdraw_dev_fund, to, 1, PURPOSE),
            errors.EmcRecipientNotAllowed,
            {"to": to},
        )
    assert cast.ledger.dev_fund(emc) == Position(100_000, 0, 0, 0)
