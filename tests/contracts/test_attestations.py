"""Attested period reports (audit finding 9): who must attest, and every way to cheat it.

A report is the one input the chain cannot check. A loss report while the EMC holds
invested capital (the capital pays the loss to the reporter), and every report of an EMC
whose terms set ``attest_all_reports``, needs an active auditor's EIP-712 signature of the
whole report as the EMC's next period, with a deadline (``settleAttested``).

Each attack submits an attestation some wallet really signed, but for another chain,
another EMC, another period, other figures, after its deadline, by a wallet that is not
(or no longer) an active auditor, in a malleated form, or passed off as another's. Each is
refused with its exact error and leaves the ledger as it was (``Cast.state``: no block
mined, the base EMC's totals, capital, pool and positions unchanged).

The base EMC (see ``helpers.Cast``) has one profit period settled, so its next period is 2.
Here ME 1 (a value-added party of the active version) invests ``CAPITAL`` first, so that
``LOSS`` draws on capital.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.contracts import EmcClient
from rdh_chain.events import LossAbsorbed, PeriodSettled
from rdh_chain.reports import sign_report
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcStatus,
    PeriodReport,
    ReportAttestation,
    Role,
)
from tests.contracts.helpers import (
    BASE_TERMS,
    TERMS_REASON,
    Cast,
    assert_reverts,
    base_entries,
    deploy_one_key_wallet,
    increase_time,
    latest_timestamp,
    new_account,
    pin_next_timestamp,
)

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HOUR = 3_600
CAPITAL = 2_000_000  # fen ME 1 invests in the base EMC
# A loss of 300,000 fen (cost above revenue): the capital pays it to the reporter.
LOSS = PeriodReport(5, 7, 100_000, 400_000, 0, keccak(text="statement 2020-09"))
PROFIT = PeriodReport(5, 7, 500_000, 100_000, 300_000, keccak(text="statement 2020-10"))
NEXT = 2  # the base EMC's next period


def _invest(cast: Cast, amount: int = CAPITAL) -> None:
    investor = cast.as_(cast.mes[1])
    cast.mint(cast.mes[1].address, amount)
    investor.invest(investor.emc(cast.base_emc), amount)


def _deadline(cast: Cast, seconds: int = HOUR) -> int:
    return latest_timestamp(cast.w3) + seconds


def _attest(
    cast: Cast,
    report: PeriodReport,
    *,
    auditor: LocalAccount | None = None,
    emc: EmcClient | None = None,
    deadline: int | None = None,
    period: int | None = None,
) -> ReportAttestation:
    """``auditor``'s (the cast's auditor by default) attestation through the SDK."""
    signer = cast.as_(auditor or cast.auditor)
    return signer.attest(emc or cast.emc(), report, deadline or _deadline(cast), period=period)


def _settle(
    cast: Cast,
    report: PeriodReport,
    attestation: ReportAttestation | None,
    emc: ChecksumAddress | None = None,
) -> TxResult:
    owner = cast.as_(cast.owner)
    return owner.settle(owner.emc(emc or cast.base_emc), report, attestation)[1]


def _digest(emc: EmcClient, report: PeriodReport, period: int, deadline: int) -> str:
    """``EMC.reportDigest`` as the revert decoder renders a bytes32."""
    raw = emc.contract.functions.reportDigest(report.as_abi(), period, deadline).call()
    return "0x" + bytes(raw).hex()


def _invalid(cast: Cast, report: PeriodReport, deadline: int, period: int = NEXT) -> dict[str, Any]:
    """The arguments of ``EmcInvalidAttestation`` for the cast's auditor."""
    return {
        "auditor": cast.auditor.address,
        "digest": _digest(cast.emc(), report, period, deadline),
    }


def _settled(emc: EmcClient, result: TxResult) -> PeriodSettled:
    return emc.event(result, PeriodSettled)


def _attest_all_emc(cast: Cast) -> EmcClient:
    """A second EMC of the owner whose terms ask for an attestation of every report."""
    terms = replace(BASE_TERMS, attest_all_reports=True)
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, terms, TERMS_REASON
    )
    cast.agree(address, base_entries(cast))
    return cast.emc(address)


def _emc_state(cast: Cast, emc: EmcClient) -> list[Any]:
    return [
        cast.w3.eth.block_number,
        emc.totals(),
        emc.capital_totals(),
        emc.pool(),
        cast.balance(emc.address),
        cast.balance(cast.owner.address),
    ]


# -- who must attest ---------------------------------------------------------------------


def test_settle_reverts_when_a_loss_would_draw_on_capital_unattested(cast: Cast) -> None:
    _invest(cast)
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, None),
        errors.EmcAttestationRequired,
        {"loss": 300_000, "capital": CAPITAL},
    )
    # The raw call (no SDK simulation first) is refused the same way.
    emc = cast.emc()
    assert_reverts(
        cast,
        lambda: emc.settle(LOSS),
        errors.EmcAttestationRequired,
        {"loss": 300_000, "capital": CAPITAL},
    )


def test_settle_attested_pays_a_loss_from_capital_and_records_the_auditor(cast: Cast) -> None:
    _invest(cast)
    emc = cast.emc()
    owner_before = cast.balance(cast.owner.address)
    attestation = _attest(cast, LOSS)
    assert attestation.auditor == cast.auditor.address

    result = _settle(cast, LOSS, attestation)

    settled = _settled(emc, result)
    assert settled.period == NEXT
    assert settled.auditor == cast.auditor.address
    assert settled.reporter == cast.owner.address
    assert settled.report == LOSS
    absorbed = emc.event(result, LossAbsorbed)
    assert (absorbed.loss, absorbed.covered, absorbed.capital_left) == (
        300_000,
        300_000,
        CAPITAL - 300_000,
    )
    assert cast.balance(cast.owner.address) == owner_before + 300_000
    assert emc.capital_totals().capital == CAPITAL - 300_000
    assert emc.totals().periods == NEXT


def test_settle_accepts_a_loss_unattested_when_no_capital_is_invested(cast: Cast) -> None:
    emc = cast.emc()
    assert emc.capital_totals().capital == 0
    result = _settle(cast, LOSS, None)
    settled = _settled(emc, result)
    assert (settled.period, settled.auditor) == (NEXT, ZERO_ADDRESS)
    absorbed = emc.event(result, LossAbsorbed)
    assert (absorbed.loss, absorbed.covered) == (300_000, 0)
    assert emc.capital_totals().losses == 300_000


def test_settle_accepts_a_profit_unattested_while_capital_is_invested(cast: Cast) -> None:
    _invest(cast)
    emc = cast.emc()
    settled = _settled(emc, _settle(cast, PROFIT, None))
    assert (settled.period, settled.auditor) == (NEXT, ZERO_ADDRESS)


def test_settle_attested_records_the_auditor_of_a_report_that_needed_none(cast: Cast) -> None:
    emc = cast.emc()
    settled = _settled(emc, _settle(cast, PROFIT, _attest(cast, PROFIT)))
    assert settled.auditor == cast.auditor.address
    assert emc.totals().profit == 1_000_000 + PROFIT.profit


@pytest.mark.parametrize(
    "report", [PROFIT, PeriodReport(1, 1, 100, 100, 0)], ids=["profit", "even"]
)
def test_settle_reverts_unattested_under_terms_that_attest_all_reports(
    cast: Cast, report: PeriodReport
) -> None:
    emc = _attest_all_emc(cast)
    before = _emc_state(cast, emc)
    assert_reverts(
        cast,
        lambda: _settle(cast, report, None, emc.address),
        errors.EmcAttestationRequired,
        {"loss": 0, "capital": 0},
    )
    assert _emc_state(cast, emc) == before

    attestation = _attest(cast, report, emc=emc)
    settled = _settled(emc, _settle(cast, report, attestation, emc.address))
    assert (settled.period, settled.auditor) == (1, cast.auditor.address)
    assert emc.totals().profit == report.profit


def test_settle_reverts_unattested_loss_under_terms_that_attest_all_reports(cast: Cast) -> None:
    # No capital: the terms alone ask for the attestation.
    emc = _attest_all_emc(cast)
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, None, emc.address),
        errors.EmcAttestationRequired,
        {"loss": 300_000, "capital": 0},
    )


# -- replay ------------------------------------------------------------------------------


def test_settle_attested_reverts_when_signed_for_another_chain_id(cast: Cast) -> None:
    _invest(cast)
    emc = cast.emc()
    deadline = _deadline(cast)
    typed = emc.report_typed_data(LOSS, deadline=deadline)
    other_chain = copy.deepcopy(typed)
    other_chain["domain"]["chainId"] = typed["domain"]["chainId"] + 1
    attestation = sign_report(cast.auditor, other_chain)
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, attestation),
        errors.EmcInvalidAttestation,
        _invalid(cast, LOSS, deadline),
    )
    _settle(cast, LOSS, sign_report(cast.auditor, typed))


def test_settle_attested_reverts_when_signed_for_another_emc(cast: Cast) -> None:
    _invest(cast)
    emc = cast.emc()
    # A twin EMC brought to the same point: one period settled, so its next period is 2 too.
    address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
        cast.owner.address, BASE_TERMS, TERMS_REASON
    )
    cast.agree(address, base_entries(cast))
    _settle(cast, PeriodReport(10, 10, 1_000_000, 0, 1_000_000), None, address)
    twin = cast.emc(address)
    deadline = _deadline(cast)
    twin_typed = twin.report_typed_data(LOSS, deadline=deadline)
    assert twin_typed["message"] == emc.report_typed_data(LOSS, deadline=deadline)["message"]
    attestation = sign_report(cast.auditor, twin_typed)

    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, attestation),
        errors.EmcInvalidAttestation,
        _invalid(cast, LOSS, deadline),
    )
    # It is a good attestation, for the EMC it names.
    settled = _settled(twin, _settle(cast, LOSS, attestation, address))
    assert (settled.period, settled.auditor) == (NEXT, cast.auditor.address)


def test_settle_attested_reverts_when_a_used_attestation_is_replayed_next_period(
    cast: Cast,
) -> None:
    _invest(cast)
    deadline = _deadline(cast)
    attestation = _attest(cast, LOSS, deadline=deadline)
    _settle(cast, LOSS, attestation)
    # The same figures the next month: the signed period (2) is not the next one (3).
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, attestation),
        errors.EmcInvalidAttestation,
        _invalid(cast, LOSS, deadline, period=NEXT + 1),
    )
    _settle(cast, LOSS, _attest(cast, LOSS, deadline=deadline))
    assert cast.emc().totals().periods == NEXT + 1


def test_settle_attested_reverts_when_signed_for_a_later_period(cast: Cast) -> None:
    # An attestation made in advance for period 3 cannot settle period 2.
    _invest(cast)
    deadline = _deadline(cast)
    attestation = _attest(cast, LOSS, deadline=deadline, period=NEXT + 1)
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, attestation),
        errors.EmcInvalidAttestation,
        _invalid(cast, LOSS, deadline),
    )


# -- other figures -------------------------------------------------------------------------


TAMPERED = {
    # A loss inflated, or its report changed, after the auditor signed it.
    "users": (LOSS, replace(LOSS, users=LOSS.users + 1)),
    "units": (LOSS, replace(LOSS, units=LOSS.units + 1)),
    "revenue": (LOSS, replace(LOSS, revenue=LOSS.revenue - 50_000)),
    "cost": (LOSS, replace(LOSS, cost=LOSS.cost + 1)),
    "document": (LOSS, replace(LOSS, document_hash=keccak(text="another statement"))),
    # A profit under-reported against the attested one.
    "profit": (PROFIT, replace(PROFIT, profit=PROFIT.profit - 1)),
}


@pytest.mark.parametrize("field", sorted(TAMPERED))
def test_settle_attested_reverts_when_figures_differ_from_the_attested_ones(
    cast: Cast, field: str
) -> None:
    _invest(cast)
    signed, submitted = TAMPERED[field]
    deadline = _deadline(cast)
    attestation = _attest(cast, signed, deadline=deadline)
    assert_reverts(
        cast,
        lambda: _settle(cast, submitted, attestation),
        errors.EmcInvalidAttestation,
        _invalid(cast, submitted, deadline),
    )
    _settle(cast, signed, attestation)


@pytest.mark.parametrize("delta", [-1, 1], ids=["earlier", "later"])
def test_settle_attested_reverts_when_the_deadline_is_moved(cast: Cast, delta: int) -> None:
    # The deadline is signed too: moving it either way voids the signature.
    _invest(cast)
    deadline = _deadline(cast)
    attestation = _attest(cast, LOSS, deadline=deadline)
    moved = deadline + delta
    forged = ReportAttestation(attestation.auditor, moved, attestation.signature)
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, forged),
        errors.EmcInvalidAttestation,
        _invalid(cast, LOSS, moved),
    )


# -- time ----------------------------------------------------------------------------------


def test_settle_attested_reverts_after_the_deadline(cast: Cast) -> None:
    _invest(cast)
    deadline = _deadline(cast, 600)
    attestation = _attest(cast, LOSS, deadline=deadline)
    now = increase_time(cast.w3, 601)
    assert now > deadline
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, attestation),
        errors.EmcDeadlinePassed,
        {"deadline": deadline, "nowTime": now},
    )


def test_settle_attested_succeeds_at_the_deadline(cast: Cast) -> None:
    _invest(cast)
    deadline = _deadline(cast, 600)
    attestation = _attest(cast, LOSS, deadline=deadline)
    pin_next_timestamp(cast.w3, deadline)
    result = _settle(cast, LOSS, attestation)
    assert cast.w3.eth.get_block(result.block_number)["timestamp"] == deadline


# -- who attests ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["me", "owner", "partner", "stranger"])
def test_settle_attested_reverts_when_the_signer_is_not_an_auditor(cast: Cast, who: str) -> None:
    _invest(cast)
    signer = {
        "me": cast.mes[2],
        "owner": cast.owner,  # the reporter attesting its own report
        "partner": cast.partners["platform"],
        "stranger": new_account(),
    }[who]
    attestation = _attest(cast, LOSS, auditor=signer)
    assert attestation.auditor == signer.address
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, attestation),
        errors.EmcNotAuditor,
        {"account": signer.address},
    )


def test_settle_attested_reverts_when_the_auditor_was_suspended_after_signing(
    cast: Cast,
) -> None:
    _invest(cast)
    attestation = _attest(cast, LOSS)
    registry = cast.as_(cast.admin).registry
    registry.suspend(cast.auditor.address)
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, attestation),
        errors.EmcNotAuditor,
        {"account": cast.auditor.address},
    )
    # Reinstated before the deadline, the same attestation is good again.
    registry.reinstate(cast.auditor.address)
    assert _settled(cast.emc(), _settle(cast, LOSS, attestation)).auditor == (cast.auditor.address)


@pytest.mark.parametrize("how", ["revoked", "renounced"])
def test_settle_attested_reverts_when_the_auditor_lost_its_role(cast: Cast, how: str) -> None:
    _invest(cast)
    attestation = _attest(cast, LOSS)
    if how == "revoked":
        cast.as_(cast.admin).registry.revoke_role(cast.auditor.address, Role.AUDITOR)
    else:
        cast.as_(cast.auditor).registry.renounce_role(Role.AUDITOR, cast.auditor.address)
    assert not cast.ledger.registry.has_role(cast.auditor.address, Role.AUDITOR)
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, attestation),
        errors.EmcNotAuditor,
        {"account": cast.auditor.address},
    )


@pytest.mark.parametrize("forger", ["me", "another_auditor"])
def test_settle_attested_reverts_when_a_signature_is_passed_off_as_the_auditors(
    cast: Cast, forger: str
) -> None:
    _invest(cast)
    signer = cast.mes[2] if forger == "me" else new_account()
    if forger == "another_auditor":
        cast.as_(cast.admin).registry.add_member(signer.address, Role.AUDITOR)
    deadline = _deadline(cast)
    own = _attest(cast, LOSS, auditor=signer, deadline=deadline)
    posing = ReportAttestation(cast.auditor.address, deadline, own.signature)
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, posing),
        errors.EmcInvalidAttestation,
        _invalid(cast, LOSS, deadline),
    )
    if forger == "another_auditor":
        # Under its own name, the other auditor's attestation is good.
        assert _settled(cast.emc(), _settle(cast, LOSS, own)).auditor == signer.address


def _high_s_twin(signature: bytes) -> bytes:
    """The other valid ECDSA signature of the same digest: (r, n - s) with v flipped."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    assert s <= SECP256K1_N // 2
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])


@pytest.mark.parametrize("form", ["high-s", "empty", "zeros", "truncated"])
def test_settle_attested_reverts_when_the_signature_is_malformed(cast: Cast, form: str) -> None:
    _invest(cast)
    deadline = _deadline(cast)
    attestation = _attest(cast, LOSS, deadline=deadline)
    signature = {
        "high-s": _high_s_twin(attestation.signature),
        "empty": b"",
        "zeros": bytes(65),
        "truncated": attestation.signature[:64],
    }[form]
    forged = ReportAttestation(cast.auditor.address, deadline, signature)
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, forged),
        errors.EmcInvalidAttestation,
        _invalid(cast, LOSS, deadline),
    )
    _settle(cast, LOSS, attestation)


def test_settle_attested_reverts_when_the_caller_is_not_the_reporter(cast: Cast) -> None:
    # An attestation lets nobody else settle: only the owner or its reporter reports.
    _invest(cast)
    attestation = _attest(cast, LOSS)
    stranger = cast.as_(cast.mes[3])
    emc = stranger.emc(cast.base_emc)
    assert_reverts(
        cast,
        lambda: emc.settle(LOSS, attestation),
        errors.EmcNotReporter,
        {"caller": cast.mes[3].address, "owner": cast.owner.address, "reporter": ZERO_ADDRESS},
    )


def test_settle_attested_is_refused_on_a_dissolved_emc(cast: Cast) -> None:
    # The loss that reaches the threshold dissolves the EMC; nothing settles after it.
    _invest(cast)
    big = PeriodReport(0, 0, 0, BASE_TERMS.loss_threshold, 0)
    _settle(cast, big, _attest(cast, big))
    emc = cast.emc()
    assert emc.status() is EmcStatus.DISSOLVED
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, _attest(cast, LOSS)),
        errors.EmcWrongStatus,
        {"actual": EmcStatus.DISSOLVED, "expected": EmcStatus.ACTIVE},
    )


# -- an auditor's contract wallet (ERC-1271) -----------------------------------------------


def test_settle_attested_accepts_an_auditors_erc1271_contract_wallet(cast: Cast) -> None:
    _invest(cast)
    key = new_account()  # the key that controls the auditor's wallet
    wallet = deploy_one_key_wallet(cast, key.address)
    cast.as_(cast.admin).registry.add_member(wallet, Role.AUDITOR)
    emc = cast.emc()
    deadline = _deadline(cast)
    typed = emc.report_typed_data(LOSS, deadline=deadline)
    signed = sign_report(key, typed)  # the key signs; the wallet is the auditor
    by_wallet = ReportAttestation(wallet, deadline, signed.signature)

    # Another key's signature, in the wallet's name, is refused by the wallet.
    other = sign_report(new_account(), typed)
    forged = ReportAttestation(wallet, deadline, other.signature)
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, forged),
        errors.EmcInvalidAttestation,
        {"auditor": wallet, "digest": _digest(emc, LOSS, NEXT, deadline)},
    )
    # The key's own address is no auditor: the signature stands only for the wallet.
    assert_reverts(
        cast,
        lambda: _settle(cast, LOSS, signed),
        errors.EmcNotAuditor,
        {"account": key.address},
    )

    settled = _settled(emc, _settle(cast, LOSS, by_wallet))
    assert settled.auditor == wallet
    assert emc.capital_totals().capital == CAPITAL - LOSS.loss
