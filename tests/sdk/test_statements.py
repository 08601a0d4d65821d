"""rdh_chain.statements and its renderers on the Smart Cooking demo, read from a real anvil:
the source's figures for month 1, three more months with a rising profit per unit, the
model's earnings against the chain's positions, and every format read back."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from xml.etree import ElementTree

import pytest
from web3 import Web3

from rdh_chain.demo import YUAN
from rdh_chain.exceptions import InvalidInputError, NotFoundError
from rdh_chain.statement_render import (
    statement_chart,
    statement_csv,
    statement_json,
    statement_json_text,
    statement_table,
)
from rdh_chain.statements import ProviderKind, Statement, build_statement, provider_accounts
from rdh_chain.toolchain import Artifact
from rdh_chain.types import ZERO_ADDRESS, PeriodReport, ShareClass
from tests.sdk.statement_scenario import DemoChain, carry_on, make_demo


@pytest.fixture
def seeded(w3: Web3, artifacts: dict[str, Artifact], anvil: object) -> DemoChain:
    """The demo as `make run` seeds it: month 1 settled, the chef's share claimed."""
    return make_demo(w3, artifacts)


@pytest.fixture(scope="module")
def _carried(w3: Web3, artifacts: dict[str, Artifact]) -> DemoChain:
    demo = make_demo(w3, artifacts)
    carry_on(demo)
    return demo


@pytest.fixture
def carried(_carried: DemoChain, anvil: object) -> DemoChain:
    """The demo carried on to month 4 (version 2 from period 2), once per module."""
    return _carried


def _statement(demo: DemoChain, **selection: int) -> Statement:
    events = demo.events()
    return build_statement(
        demo.emc,
        events,
        names=demo.names(),
        positions=demo.positions(),
        positions_block=demo.ledger.w3.eth.block_number,
        **selection,
    )


def test_statement_gives_the_sources_figures_for_the_demos_first_month(
    seeded: DemoChain,
) -> None:
    statement = _statement(seeded)

    (month,) = statement.periods
    assert statement.title == f"Smart Cooking EMC ({seeded.emc})"
    assert (month.period, month.version_id) == (1, 1)
    assert (month.user_resources.users, month.user_resources.target) == (20_000, 20_000)
    assert month.user_resources.reached
    assert month.platform_value.revenue == 4_000_000 * YUAN
    assert month.platform_value.to_date_of_target == Fraction(2, 5)
    assert (month.report.revenue, month.report.cost) == (4_000_000 * YUAN, 3_034_900 * YUAN)
    assert month.report.profit == 965_100 * YUAN
    assert month.report.auditor is None
    assert month.report.reporter == seeded.cast.owner.address
    assert month.marginal_gain.per_unit == Fraction(965_100 * YUAN, 20_000)  # 48.255 RMB
    assert month.marginal_gain.change is None
    chef = next(p for p in statement.providers if p.name == "chef")
    assert (chef.kind, chef.bps_in(1)) == (ProviderKind.PARTNER, {ShareClass.PARTNER: 600})
    assert (chef.earned, chef.paid, chef.claimable) == (57_906 * YUAN, 57_906 * YUAN, 0)
    assert month.earned[chef.account] == 57_906 * YUAN
    # The ME pool's 6% of month 1, locked: the revenue target is not reached.
    space = statement.sharing_space
    assert (space.space, space.earned, space.paid) == (600_000 * YUAN, 57_906 * YUAN, 0)
    assert space.left == 542_094 * YUAN
    assert space.unlocked_in is None
    assert not month.target_reached
    kinds = [p.kind for p in statement.providers]
    assert kinds == [ProviderKind.PARTNER] * 4 + [ProviderKind.ME] * 11 + [ProviderKind.FUND]


def test_statement_shows_each_month_and_the_cumulative_figures_when_carried_on(
    carried: DemoChain,
) -> None:
    statement = _statement(carried)

    assert [p.period for p in statement.periods] == [1, 2, 3, 4]
    assert [p.version_id for p in statement.periods] == [1, 2, 2, 2]
    per_unit = [p.marginal_gain.per_unit for p in statement.periods]
    assert per_unit == [Fraction(9651, 2), Fraction(16000, 3), 6000, 6250]
    changes = [p.marginal_gain.change for p in statement.periods]
    assert changes == [None, Fraction(3047, 6), Fraction(2000, 3), 250]
    assert statement.periods[2].marginal_gain.change_ratio == Fraction(1, 8)
    assert all(p.marginal_gain.rising for p in statement.periods[1:])
    assert statement.per_unit_trend == (3, 0, 0)
    assert "profit per unit rose in 3, held in 0 and fell in 0 of 3" in statement_table(statement)
    gains = statement_json(statement)["cumulative"]["marginal_gains"]
    assert (gains["per_unit_rose"], gains["per_unit_fell"]) == (3, 0)
    total = statement.cumulative
    assert (total.user_resources.users, total.platform_value.revenue) == (
        186_000,
        41_300_000 * YUAN,
    )
    assert (total.report.profit, total.report.cost) == (10_965_100 * YUAN, 30_334_900 * YUAN)
    assert total.marginal_gain.per_unit == Fraction(10_965_100 * YUAN, 186_000)
    assert total.target_reached_in == 2
    # The pool filled the 600,000 RMB space in month 4 at 10M RMB cumulative profit; the
    # 6% beyond it went to the development fund.
    space = statement.sharing_space
    assert (space.earned, space.left, space.filled_in, space.unlocked_in) == (
        600_000 * YUAN,
        0,
        4,
        2,
    )
    assert [p.pool_earned for p in statement.periods] == [
        57_906 * YUAN,
        96_000 * YUAN,
        144_000 * YUAN,
        302_094 * YUAN,
    ]
    assert carried.ledger.emc(carried.emc).pool().accrued_fen == space.earned
    assert sum(p.pool_earned for p in statement.periods) == space.earned
    for provider in statement.providers:
        earned = sum(p.earned.get(provider.account, 0) for p in statement.periods)
        assert earned == provider.earned, provider.name
    by_name = {p.name: p for p in statement.providers}
    assert by_name["chef"].earned == 657_906 * YUAN
    assert by_name["development fund"].earned == (986_859 + 57_906) * YUAN
    assert by_name["me-marketing"].bps_in(2) == {
        ShareClass.OPERATING: 550,
        ShareClass.VALUE_ADDED: 100,
    }
    assert [v.from_period for v in statement.versions] == [1, 2]


def test_statement_earnings_equal_the_chains_positions_for_every_provider(
    carried: DemoChain,
) -> None:
    statement = _statement(carried)
    emc = carried.ledger.emc(carried.emc)

    assert {p.account for p in statement.providers} == set(
        provider_accounts(carried.emc, carried.events())
    )
    for provider in statement.providers:
        position = emc.position(provider.account)
        paid = position.paid if provider.account != ZERO_ADDRESS else 0
        assert provider.earned == position.claimable + position.locked + paid, provider.name
        assert provider.paid == paid
        assert (provider.claimable, provider.locked) == (position.claimable, position.locked)


def test_statement_of_one_period_counts_what_was_claimed_by_its_end(
    carried: DemoChain,
) -> None:
    first = _statement(carried, period=1)
    second = _statement(carried, from_period=2, to_period=2)

    chef = next(p for p in first.providers if p.name == "chef")
    farm = next(p for p in first.providers if p.name == "duck-farm")
    assert (chef.earned, chef.paid, farm.paid) == (57_906 * YUAN, 57_906 * YUAN, 0)
    assert first.cumulative.platform_value.revenue == 4_000_000 * YUAN
    assert [v.version_id for v in first.versions] == [1]
    assert [p.period for p in second.periods] == [2]
    # Cumulative figures run from period 1 to the last period shown.
    assert second.cumulative.user_resources.users == 50_000
    assert second.periods[0].marginal_gain.change == Fraction(3047, 6)
    farm2 = next(p for p in second.providers if p.name == "duck-farm")
    assert farm2.paid == (28_953 + 48_000) * YUAN  # 3% of months 1 and 2
    marketing = next(p for p in second.providers if p.name == "me-marketing")
    assert marketing.paid_value_added == second.sharing_space.paid > 0


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ({"period": 1, "from_period": 1}, "not both"),
        ({"from_period": 3, "to_period": 2}, "is empty"),
        ({"period": 0}, "numbered from 1"),
        ({"from_period": 5}, "range 5.. holds no settled period: 4 period"),
        ({"period": 7}, "period 7 holds no settled period"),
    ],
)
def test_statement_refuses_a_selection_without_periods(
    carried: DemoChain, selection: dict[str, int], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build_statement(carried.emc, carried.events(), **selection)  # type: ignore[arg-type]


def test_statement_refuses_an_address_without_an_emc(carried: DemoChain) -> None:
    with pytest.raises(NotFoundError, match="no EMC was initialised"):
        build_statement(carried.cast.admin.address, carried.events())


def test_statement_json_and_csv_read_back_with_exact_figures(seeded: DemoChain) -> None:
    statement = _statement(seeded)
    chef = seeded.account("chef")

    data = json.loads(statement_json_text(statement))
    assert data == statement_json(statement)
    (month,) = data["periods"]
    assert month["user_resources"] == {
        "users": 20_000,
        "users_to_date": 20_000,
        "target_users": 20_000,
    }
    assert month["platform_value"]["revenue_fen"] == 400_000_000
    assert month["costs"]["profit_fen"] == 96_510_000
    assert month["marginal_gains"]["profit_per_unit_fen"] == "4825.5000"
    assert month["marginal_gains"]["profit_per_unit"] == [9651, 2]
    assert month["earned_fen"][chef] == 5_790_600
    provider = next(p for p in data["resource_providers"] if p["account"] == chef)
    assert provider["name"] == "chef"
    assert provider["shares"] == [{"version_id": 1, "class": "partner", "bps": 600}]
    assert (provider["paid_fen"], provider["claimable_fen"]) == (5_790_600, 0)
    assert data["sharing_space"]["left_fen"] == 54_209_400

    rows = list(csv.DictReader(io.StringIO(statement_csv(statement))))
    cell = {(r["element"], r["period"], r["account"], r["metric"]): r for r in rows}
    assert cell["user_resources", "1", "", "users"]["value"] == "20000"
    assert cell["platform_value", "all", "", "revenue_to_date_fen"]["value"] == "400000000"
    assert cell["costs", "1", "", "profit_fen"]["value"] == "96510000"
    assert cell["marginal_gains", "1", "", "profit_per_unit_fen"]["value"] == "4825.5000"
    earned = cell["resource_providers", "1", chef, "earned_fen"]
    assert (earned["name"], earned["value"]) == ("chef", "5790600")
    assert cell["resource_providers", "all", chef, "v1_partner_bps"]["value"] == "600"
    assert cell["resource_providers", "all", chef, "paid_fen"]["value"] == "5790600"
    assert cell["sharing_space", "all", "", "earned_fen"]["value"] == "5790600"


def test_statement_table_shows_the_six_elements_in_rmb(carried: DemoChain) -> None:
    text = statement_table(_statement(carried))

    for title in (
        "1 User resources",
        "2 Resource providers",
        "3 Total ecosystem platform value",
        "4 Revenues and 5 costs",
        "6 Marginal gains",
        "Value-added sharing space",
    ):
        assert title in text
    assert "4,000,000.00" in text
    assert "965,100.00" in text
    assert "57,906.00" in text
    assert "48.255" in text
    assert "+12.50%" in text
    assert carried.account("chef") in text
    assert "target reached in period 2" in text


def test_statement_charts_are_a_png_and_a_deterministic_svg_with_the_title(
    carried: DemoChain,
) -> None:
    statement = _statement(carried)

    png = statement_chart(statement, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert 20_000 < len(png) < 2_000_000
    svg = statement_chart(statement, "svg")
    assert statement_chart(statement, "svg") == svg
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    # Text is drawn as glyph paths, each text preceded by a comment holding it.
    assert f"Smart Cooking EMC ({carried.emc})".encode() in svg


def _settle_an_attested_loss(demo: DemoChain, loss: PeriodReport) -> None:
    """The chef invests 50,000 RMB, then month 2's ``loss`` is attested and settled."""
    ledger, cast = demo.ledger, demo.cast
    emc = ledger.emc(demo.emc)
    ledger.connect(cast.partners["chef"]).invest(emc, 50_000 * YUAN)
    deadline = int(ledger.w3.eth.get_block("latest")["timestamp"]) + 3_600
    attestation = ledger.connect(cast.auditor).attest(emc, loss, deadline)
    ledger.connect(cast.owner).settle(emc, loss, attestation)


def test_statement_shows_an_attested_loss_as_a_fall_in_profit_per_unit(
    seeded: DemoChain,
) -> None:
    cast = seeded.cast
    _settle_an_attested_loss(
        seeded,
        PeriodReport(users=10, units=10, revenue=100_000 * YUAN, cost=400_000 * YUAN, profit=0),
    )

    statement = _statement(seeded)

    month = statement.periods[1]
    assert (month.report.loss, month.report.profit) == (300_000 * YUAN, 0)
    assert month.report.auditor == cast.auditor.address
    assert month.marginal_gain.per_unit == 0
    assert month.marginal_gain.change == -Fraction(9651, 2)
    assert month.marginal_gain.change_ratio == -1
    assert month.marginal_gain.rising is False
    assert all(fen == 0 for fen in month.earned.values())
    assert statement.cumulative.report.loss == 300_000 * YUAN
    assert statement.cumulative.marginal_gain.per_unit == Fraction(965_100 * YUAN, 20_010)
    table = statement_table(statement)
    assert "auditor" in table
    assert cast.auditor.address in table
    row = statement_json(statement)["periods"][1]
    assert row["costs"]["attested_by"] == cast.auditor.address
    assert row["marginal_gains"]["change_ratio"] == "-1.000000"


def test_statement_of_a_dissolved_emc_leaves_out_the_voided_value_added_credit(
    seeded: DemoChain,
) -> None:
    emc = seeded.ledger.emc(seeded.emc)
    # A loss of 1.1M RMB passes the threshold (10% of the 10M RMB revenue target).
    _settle_an_attested_loss(
        seeded,
        PeriodReport(users=10, units=0, revenue=100_000 * YUAN, cost=1_200_000 * YUAN, profit=0),
    )

    statement = _statement(seeded)

    assert statement.dissolved_in == 2
    assert statement.periods[1].marginal_gain.per_unit is None  # no units reported
    assert statement.sharing_space.released == 57_906 * YUAN
    for provider in statement.providers:
        position = emc.position(provider.account)
        paid = position.paid if provider.account != ZERO_ADDRESS else 0
        assert provider.earned == position.claimable + position.locked + paid, provider.name
    assert "dissolution released 57,906.00 RMB of the pool" in statement_table(statement)


def test_statement_counts_sweeps_into_the_fund_and_its_withdrawals_as_paid(
    seeded: DemoChain,
) -> None:
    ledger, cast = seeded.ledger, seeded.cast
    chef = cast.partners["chef"]
    ledger.connect(chef).token.transfer(seeded.emc, 1_000 * YUAN)  # credit sent by mistake
    owner = ledger.connect(cast.owner).emc(seeded.emc)
    owner.sweep()
    owner.withdraw_dev_fund(chef.address, 10_000 * YUAN, bytes(32))

    fund = next(p for p in _statement(seeded).providers if p.account == ZERO_ADDRESS)

    assert fund.earned == (86_859 + 1_000) * YUAN
    assert fund.paid == 10_000 * YUAN
    assert fund.claimable == fund.earned - fund.paid
