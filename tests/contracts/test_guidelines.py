"""Target guidelines: stewards publish versioned formulas; the factory generates terms."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from web3 import Web3

from rdh_chain import contract_errors as errors
from rdh_chain.deployment import deploy
from rdh_chain.events import EmcTermsGenerated, EmcTermsOverridden
from rdh_chain.exceptions import ContractRevertError
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from rdh_chain.types import Criteria, EmcTerms, Formula, Role, Strategy

YUAN = 100
EXPLORE = Formula(
    weights_bps=(2_500, 2_500, 2_500, 2_500),
    users_at_full_score=25_000,
    revenue_at_full_score=12_500_000 * YUAN,
    sharing_space_bps=600,
    partner_min_bps=200,
    partner_max_bps=600,
    loss_threshold_bps=1_000,
    min_score=500_000,
)
SMART_COOKING = Criteria(100, 80, 60, 80)
RATIONALE = keccak(text="explore guideline 2020")


@dataclass(frozen=True)
class World:
    ledger: Ledger
    admin: LocalAccount
    steward: LocalAccount
    owner: LocalAccount
    partner: LocalAccount


@pytest.fixture(scope="module")
def world(w3: Web3, artifacts: dict[str, Artifact]) -> World:
    admin, steward, owner, partner = (Account.create() for _ in range(4))
    deployment = deploy(TxSender(w3, admin, Ledger.decoder_for(artifacts)), artifacts)
    ledger = Ledger(w3, deployment, artifacts)
    registry = ledger.connect(admin).registry
    registry.add_member(steward.address, Role.STEWARD)
    registry.add_member(owner.address, Role.ME)
    registry.add_member(partner.address, Role.PARTNER)
    return World(ledger, admin, steward, owner, partner)


@pytest.fixture
def ledger(world: World, anvil: object) -> Ledger:
    world.ledger.forget_nonces()
    return world.ledger


def _publish(
    world: World, formula: Formula = EXPLORE, strategy: Strategy = Strategy.EXPLORE
) -> int:
    version, _ = world.ledger.connect(world.steward).guidelines.publish_formula(
        strategy, formula, RATIONALE
    )
    return version


def test_generate_terms_gives_smart_cooking_target_from_criteria(
    world: World, ledger: Ledger
) -> None:
    assert _publish(world) == 1

    terms, version = ledger.guidelines.generate_terms(Strategy.EXPLORE, SMART_COOKING)

    assert version == 1
    assert ledger.guidelines.score(Strategy.EXPLORE, SMART_COOKING) == 800_000
    assert terms == EmcTerms(
        target_users=20_000,
        target_revenue=10_000_000 * YUAN,
        sharing_space=600_000 * YUAN,
        loss_threshold=1_000_000 * YUAN,
        partner_min_bps=200,
        partner_max_bps=600,
    )


def test_create_emc_records_formula_version_and_criteria(world: World, ledger: Ledger) -> None:
    _publish(world)
    exploit = replace(EXPLORE, users_at_full_score=50_000, min_score=0)
    _publish(world, exploit, Strategy.EXPLOIT)
    metadata = keccak(text="Smart Cooking")

    address, result = ledger.connect(world.admin).factory.create_emc(
        world.owner.address, Strategy.EXPLOIT, SMART_COOKING, metadata
    )

    event = ledger.factory.event(result, EmcTermsGenerated)
    assert (event.strategy, event.formula_version) == (int(Strategy.EXPLOIT), 1)
    assert event.criteria == SMART_COOKING
    terms = ledger.emc(address).terms()
    assert (terms.target_users, terms.metadata) == (40_000, metadata)


def test_every_formula_version_stays_readable(world: World, ledger: Ledger) -> None:
    _publish(world)
    second = replace(EXPLORE, sharing_space_bps=500)
    assert _publish(world, second) == 2

    assert ledger.guidelines.formula_count(Strategy.EXPLORE) == 2
    assert ledger.guidelines.formula(Strategy.EXPLORE, 1) == EXPLORE
    assert ledger.guidelines.formula(Strategy.EXPLORE, 2) == second
    terms, version = ledger.guidelines.generate_terms(Strategy.EXPLORE, SMART_COOKING)
    assert (version, terms.sharing_space) == (2, 500_000 * YUAN)


@pytest.mark.parametrize(("notice", "attest_all"), [(1, True), (65_535, False)])
def test_generate_terms_carries_the_notice_bound_and_the_attestation_rule(
    world: World, ledger: Ledger, notice: int, attest_all: bool
) -> None:
    _publish(world, replace(EXPLORE, max_notice_periods=notice, attest_all_reports=attest_all))
    assert ledger.guidelines.formula(Strategy.EXPLORE, 1).max_notice_periods == notice

    address, _ = ledger.connect(world.admin).factory.create_emc(
        world.owner.address, Strategy.EXPLORE, SMART_COOKING
    )

    terms = ledger.emc(address).terms()
    assert (terms.max_notice_periods, terms.attest_all_reports) == (notice, attest_all)


def test_create_emc_with_terms_records_operator_reason(world: World, ledger: Ledger) -> None:
    terms = EmcTerms(10, 1_000, 100, 100, partner_min_bps=200, partner_max_bps=600)
    reason = keccak(text="pilot market: targets set by the platform board")

    address, result = ledger.connect(world.admin).factory.create_emc_with_terms(
        world.owner.address, terms, reason
    )

    event = ledger.factory.event(result, EmcTermsOverridden)
    assert (event.operator, event.reason) == (world.admin.address, reason)
    assert ledger.emc(address).terms() == terms


def test_create_emc_with_terms_reverts_without_reason(world: World, ledger: Ledger) -> None:
    with pytest.raises(errors.FactoryOverrideWithoutReason):
        ledger.connect(world.admin).factory.create_emc_with_terms(
            world.owner.address, EmcTerms(10, 1_000, 100, 100), bytes(32)
        )
    assert ledger.factory.emc_count() == 0


def test_is_emc_is_false_for_other_addresses(world: World, ledger: Ledger) -> None:
    _publish(world)
    address, _ = ledger.connect(world.admin).factory.create_emc(
        world.owner.address, Strategy.EXPLORE, SMART_COOKING
    )
    assert ledger.factory.is_emc(address)
    assert not ledger.factory.is_emc(world.owner.address)
    assert not ledger.factory.is_emc(ledger.factory.implementation())  # never initialized


@pytest.mark.parametrize(
    ("formula", "error", "args"),
    [
        (
            replace(EXPLORE, weights_bps=(2_500, 2_500, 2_500, 2_499)),
            errors.GuidelinesWeightsNot100,
            {"totalBps": 9_999},
        ),
        (
            replace(EXPLORE, users_at_full_score=0),
            errors.GuidelinesInvalidFormula,
            {"usersAtFullScore": 0, "revenueAtFullScore": 1_250_000_000, "sharingSpaceBps": 600},
        ),
        (
            replace(EXPLORE, sharing_space_bps=10_001),
            errors.GuidelinesInvalidFormula,
            {
                "usersAtFullScore": 25_000,
                "revenueAtFullScore": 1_250_000_000,
                "sharingSpaceBps": 10_001,
            },
        ),
        (
            replace(EXPLORE, partner_min_bps=700),
            errors.GuidelinesInvalidPartnerBounds,
            {"min": 700, "max": 600},
        ),
        (
            replace(EXPLORE, partner_min_bps=0),
            errors.GuidelinesInvalidPartnerBounds,
            {"min": 0, "max": 600},
        ),
        (
            replace(EXPLORE, min_score=1_000_001),
            errors.GuidelinesInvalidMinScore,
            {"minScore": 1_000_001},
        ),
        (replace(EXPLORE, loss_threshold_bps=0), errors.GuidelinesZeroLossThreshold, {}),
        (replace(EXPLORE, max_notice_periods=0), errors.GuidelinesZeroNoticeBound, {}),
    ],
)
def test_publish_formula_reverts_for_invalid_formula(
    world: World,
    ledger: Ledger,
    formula: Formula,
    error: type[ContractRevertError],
    args: dict[str, int],
) -> None:
    with pytest.raises(error) as info:
        _publish(world, formula)
    assert info.value.args_by_name == args
    assert ledger.guidelines.formula_count(Strategy.EXPLORE) == 0


@pytest.mark.parametrize("who", ["partner", "owner", "admin"])
def test_publish_formula_reverts_when_caller_not_steward(
    world: World, ledger: Ledger, who: str
) -> None:
    caller = {"partner": world.partner, "owner": world.owner, "admin": world.admin}[who]
    with pytest.raises(errors.GuidelinesNotSteward) as info:
        ledger.connect(caller).guidelines.publish_formula(Strategy.EXPLORE, EXPLORE)
    assert info.value.args_by_name == {"caller": caller.address}
    assert ledger.guidelines.formula_count(Strategy.EXPLORE) == 0


def test_generate_terms_reverts_without_formula_or_below_min_score(
    world: World, ledger: Ledger
) -> None:
    with pytest.raises(errors.GuidelinesNoFormula) as missing:
        ledger.guidelines.generate_terms(Strategy.EXPLORE, SMART_COOKING)
    assert missing.value.args_by_name == {"strategy": int(Strategy.EXPLORE), "version": 0}

    _publish(world)
    with pytest.raises(errors.GuidelinesScoreTooLow) as low:
        ledger.connect(world.admin).factory.create_emc(
            world.owner.address, Strategy.EXPLORE, Criteria(40, 40, 40, 40)
        )
    assert low.value.args_by_name == {"score": 400_000, "minScore": 500_000}
    assert ledger.factory.emc_count() == 0


def test_score_reverts_when_criterion_above_100(world: World, ledger: Ledger) -> None:
    _publish(world)
    with pytest.raises(errors.GuidelinesCriterionOutOfRange) as info:
        ledger.guidelines.score(Strategy.EXPLORE, Criteria(100, 101, 0, 0))
    assert info.value.args_by_name == {"index": 1, "value": 101}
