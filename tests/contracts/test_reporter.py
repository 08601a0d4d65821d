"""The reporter: an ME the owner appoints to report and settle periods."""

from __future__ import annotations

from rdh_chain import contract_errors as errors
from rdh_chain.events import PeriodSettled, ReporterChanged
from rdh_chain.types import ZERO_ADDRESS, PeriodReport, Role
from tests.contracts.helpers import BASE_PROFIT, Cast, assert_reverts, attest

REPORT = PeriodReport(users=5, units=5, revenue=50_000, cost=20_000, profit=30_000)


def test_reporter_settles_a_period_with_its_own_credit(cast: Cast) -> None:
    reporter = cast.mes[2]
    result = cast.emc().set_reporter(reporter.address)
    event = cast.ledger.emc(cast.base_emc).event(result, ReporterChanged)
    assert (event.previous, event.reporter) == (ZERO_ADDRESS, reporter.address)
    cast.mint(reporter.address, REPORT.profit)
    reporting = cast.as_(reporter)

    period, _ = reporting.settle(reporting.emc(cast.base_emc), REPORT)

    emc = cast.ledger.emc(cast.base_emc)
    assert period == 2
    assert emc.reporter() == reporter.address
    assert emc.totals().profit == BASE_PROFIT + REPORT.profit
    assert cast.ledger.token.balance_of(reporter.address) == 0


def test_settle_reverts_when_caller_is_neither_owner_nor_reporter(cast: Cast) -> None:
    cast.emc().set_reporter(cast.mes[2].address)
    other = cast.as_(cast.mes[3]).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: other.settle(REPORT),
        errors.EmcNotReporter,
        {
            "caller": cast.mes[3].address,
            "owner": cast.owner.address,
            "reporter": cast.mes[2].address,
        },
    )


def test_settle_reverts_for_former_reporter_once_removed(cast: Cast) -> None:
    owner = cast.emc()
    owner.set_reporter(cast.mes[2].address)
    owner.set_reporter(ZERO_ADDRESS)
    former = cast.as_(cast.mes[2]).emc(cast.base_emc)
    assert cast.ledger.emc(cast.base_emc).reporter() is None
    assert_reverts(
        cast,
        lambda: former.settle(REPORT),
        errors.EmcNotReporter,
        {"caller": cast.mes[2].address, "owner": cast.owner.address, "reporter": ZERO_ADDRESS},
    )


def test_settle_reverts_when_reporter_suspended(cast: Cast) -> None:
    cast.emc().set_reporter(cast.mes[2].address)
    cast.as_(cast.admin).registry.suspend(cast.mes[2].address)
    suspended = cast.as_(cast.mes[2]).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: suspended.settle(REPORT),
        errors.EmcCallerNotActive,
        {"caller": cast.mes[2].address},
    )


def test_set_reporter_reverts_when_not_owner_or_not_an_active_me(cast: Cast) -> None:
    stranger = cast.as_(cast.mes[2]).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: stranger.set_reporter(cast.mes[2].address),
        errors.EmcNotOwner,
        {"caller": cast.mes[2].address, "owner": cast.owner.address},
    )
    assert_reverts(
        cast,
        lambda: cast.emc().set_reporter(cast.partners["platform"].address),
        errors.EmcIneligibleReporter,
        {"account": cast.partners["platform"].address},
    )
    assert cast.ledger.emc(cast.base_emc).reporter() is None


def test_reporter_settles_an_attested_loss_and_is_paid_the_cover(cast: Cast) -> None:
    # The capital pays a loss to whoever reports it: the reporter bore the period's costs.
    reporter = cast.mes[2]
    cast.emc().set_reporter(reporter.address)
    investor = cast.as_(cast.mes[1])
    cast.mint(cast.mes[1].address, 50_000)
    investor.invest(investor.emc(cast.base_emc), 50_000)
    loss = PeriodReport(users=1, units=1, revenue=10_000, cost=30_000, profit=0)
    reporting = cast.as_(reporter)
    emc = reporting.emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.settle(loss),
        errors.EmcAttestationRequired,
        {"loss": 20_000, "capital": 50_000},
    )

    _, result = reporting.settle(emc, loss, attest(cast, emc, loss))

    settled = emc.settlement(result)
    assert (settled.loss, settled.covered, settled.auditor) == (
        20_000,
        20_000,
        cast.auditor.address,
    )
    assert emc.event(result, PeriodSettled).reporter == reporter.address
    assert cast.balance(reporter.address) == 20_000
    assert emc.capital_totals().capital == 30_000


def test_settle_reverts_when_reporter_lost_the_me_role(cast: Cast) -> None:
    cast.emc().set_reporter(cast.mes[2].address)
    cast.as_(cast.admin).registry.revoke_role(cast.mes[2].address, Role.ME)
    former = cast.as_(cast.mes[2]).emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: former.settle(REPORT),
        errors.EmcCallerNotActive,
        {"caller": cast.mes[2].address},
    )
