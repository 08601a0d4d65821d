"""Property: whatever accounting figure of whichever event is changed, verification reports
it. Over test_events' lifecycle (two EMCs through everything), hypothesis picks an event
that carries money or the settlements' figures, one of its amounts and a change; the
replay of the altered events must disagree with the chain somewhere in that EMC."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rdh_chain import events as ev
from rdh_chain.events import Decoded
from rdh_chain.verify import chain_events, verify
from tests.contracts.test_events import Lifecycle, life

__all__ = ["life"]  # test_events' module fixture: the lifecycle, run once for this module

# The figures each event carries that the accounting rests on. Left out: a report's cost
# and units (no view sums them; a cost only matters as a loss, and LossAbsorbed carries
# that), hashes, deadlines and the bids' figures (no money moves on them).
FIGURES: dict[type[ev.Event], tuple[str, ...]] = {
    ev.PeriodSettled: ("report.users", "report.revenue", "report.profit", "cumulative_profit"),
    ev.Claimed: ("amount", "value_added", "total_paid"),
    ev.Invested: ("amount", "units", "capital"),
    ev.LossAbsorbed: ("loss", "covered", "cumulative_losses", "capital_left"),
    ev.EmcDissolved: ("capital", "pool_released", "pool_to_investors", "pool_to_dev_fund"),
    ev.ValueAddedPoolFilled: ("full_at_profit", "accrued"),
    ev.TargetReached: ("users", "revenue"),
    ev.DevFundWithdrawn: ("amount", "remaining"),
    ev.Swept: ("amount", "dev_fund_available"),
    ev.CapitalReturned: ("amount", "units", "pool_share"),
    ev.VersionActivated: ("value_added_bps", "from_period"),
}


def _altered(value: Any, path: str, delta: int) -> Any:
    """``value`` (an event, or a struct in it) with the figure at ``path`` moved by ``delta``
    (never below zero)."""
    head, _, rest = path.partition(".")
    inner = getattr(value, head)
    changed = _altered(inner, rest, delta) if rest else max(0, inner + delta)
    return dataclasses.replace(value, **{head: changed})


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_changed_figure_of_an_accounting_event_is_reported(
    life: Lifecycle, data: st.DataObject
) -> None:
    cast = life.cast
    block = cast.w3.eth.block_number
    events = chain_events(cast.w3, cast.deployment, cast.artifacts, block)
    emcs = {life.a.address, life.b.address}
    candidates = [
        i for i, d in enumerate(events) if type(d.event) in FIGURES and d.log.address in emcs
    ]
    i = data.draw(st.sampled_from(candidates), label="event")
    d = events[i]
    path = data.draw(st.sampled_from(FIGURES[type(d.event)]), label="figure")
    delta = data.draw(st.integers(1, 10**6) | st.integers(-(10**6), -1), label="change")
    altered = _altered(d.event, path, delta)
    if altered == d.event:  # a zero figure lowered: still zero
        return
    events[i] = Decoded(d.log, altered)

    result = verify(cast.w3, cast.artifacts, cast.deployment, events, block)

    assert any(m.emc == d.log.address for m in result.mismatches), (d.event.name, path)


# What a version's parties signed, beyond its entries (which the share root covers): the
# header's struct hash commits to it, and the activation repeats that hash.
SIGNED_TERMS = [
    (ev.VersionProposed, "document_hash"),
    (ev.VersionProposed, "nonce"),
    (ev.VersionProposed, "deadline"),
    (ev.VersionActivated, "struct_hash"),
]


@pytest.mark.parametrize(("event_type", "name"), SIGNED_TERMS)
def test_any_changed_signed_term_of_a_version_is_reported(
    life: Lifecycle, event_type: type[ev.Event], name: str
) -> None:
    cast = life.cast
    block = cast.w3.eth.block_number
    events = chain_events(cast.w3, cast.deployment, cast.artifacts, block)
    i = next(
        i
        for i, d in enumerate(events)
        if type(d.event) is event_type and d.log.address == life.a.address
    )
    d = events[i]
    event: Any = d.event  # a dataclass: every event type is one
    value = getattr(event, name)
    changed = bytes(b ^ 0xFF for b in value) if isinstance(value, bytes) else value + 1
    events[i] = Decoded(d.log, dataclasses.replace(event, **{name: changed}))

    result = verify(cast.w3, cast.artifacts, cast.deployment, events, block)

    assert any(m.emc == life.a.address for m in result.mismatches), name
