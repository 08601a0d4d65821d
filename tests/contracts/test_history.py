"""rdh_chain.history over the two lifecycles of test_events.py (everything the contracts do).

EMC A reaches its target, renegotiates, takes bids, an attested loss, a fund withdrawal and
a sweep; EMC B loses its capital, dissolves and returns the released pool. The rows an
auditor reads must say so, with the right periods, accounts, auditor and amounts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from rdh_chain.events import Decoded, EventDecoder, fetch_logs
from rdh_chain.history import (
    HistoryFilter,
    HistoryRow,
    RowKind,
    build_history,
    filter_rows,
    read_csv,
    read_json,
    to_csv,
    to_json,
)
from tests.contracts.helpers import Cast, revert, snapshot
from tests.contracts.test_events import Lifecycle, _run


@pytest.fixture(scope="module")
def life(cast: Cast) -> Iterator[Lifecycle]:
    """test_events.py's lifecycle, run once for this module and rolled back after it."""
    snapshot_id = snapshot(cast.w3)
    cast.refresh()
    try:
        yield _run(cast)
    finally:
        revert(cast.w3, snapshot_id)
        cast.refresh()


@pytest.fixture(scope="module")
def history(life: Lifecycle) -> list[HistoryRow]:
    return build_history(_decoded(life))


def _decoded(life: Lifecycle) -> list[Decoded]:
    cast = life.cast
    decoder = EventDecoder.from_abis(a.abi for a in cast.artifacts.values())
    addresses = [*cast.deployment.contracts.values(), life.a.address, life.b.address]
    head = cast.w3.eth.block_number
    return decoder.decode_all(fetch_logs(cast.w3.provider, cast.deployment.block, head, addresses))


def _rows(rows: list[HistoryRow], **where: object) -> list[HistoryRow]:
    return filter_rows(rows, HistoryFilter(**where))  # type: ignore[arg-type]


def _address(party: object) -> object:
    return getattr(party, "address", None)


def test_emc_a_has_a_row_for_everything_it_lived(
    life: Lifecycle, history: list[HistoryRow]
) -> None:
    rows = _rows(history, emc=life.a.address)
    assert Counter(r.kind for r in rows) == {
        RowKind.MEMBERSHIP: 1,  # registered as a contract by the factory
        RowKind.TERMS: 2,
        RowKind.CREATED: 1,
        RowKind.REPORTER: 1,
        RowKind.VERSION_PROPOSED: 2,
        RowKind.VERSION_SIGNED: 8,
        RowKind.VERSION_ACTIVATED: 2,
        RowKind.SETTLEMENT: 3,
        RowKind.POOL_FILLED: 1,
        RowKind.TARGET_REACHED: 1,
        RowKind.CLAIM: 3,
        RowKind.INVESTMENT: 1,
        RowKind.NOTICE: 2,
        RowKind.BID: 4,
        RowKind.LOSS: 1,
        RowKind.DEV_FUND_WITHDRAWAL: 1,
        RowKind.SWEEP: 1,
    }


def test_settlements_name_the_reporter_and_the_attesting_auditor(
    life: Lifecycle, history: list[HistoryRow]
) -> None:
    cast = life.cast
    m = cast.mes
    settled = _rows(history, emc=life.a.address, kinds=frozenset({RowKind.SETTLEMENT}))
    assert [
        (r.period, r.version, _address(r.account), _address(r.auditor), r.profit) for r in settled
    ] == [
        (1, 1, m[1].address, None, 10_000),
        (2, 1, cast.owner.address, None, 30_000),
        (3, 2, cast.owner.address, cast.auditor.address, 0),
    ]
    assert [(r.revenue, r.cost, r.users) for r in settled] == [
        (50_000, 40_000, 5),
        (60_000, 30_000, 5),
        (1_000, 2_000, 1),
    ]
    # The auditor's own history: registered, then the attested settlements of both EMCs.
    attested = _rows(history, member=cast.auditor.address)
    assert [(r.kind, r.emc, r.period) for r in attested] == [
        (RowKind.MEMBERSHIP, None, None),
        (RowKind.SETTLEMENT, life.a.address, 3),
        (RowKind.SETTLEMENT, life.b.address, 2),
        (RowKind.SETTLEMENT, life.b.address, 3),
    ]


def test_payouts_investments_losses_and_the_fund_with_exact_amounts(
    life: Lifecycle, history: list[HistoryRow]
) -> None:
    cast = life.cast
    m = cast.mes
    a = life.a.address
    claims = _rows(history, emc=a, kinds=frozenset({RowKind.CLAIM}))
    assert [(_address(r.account), r.amount, r.value_added, r.period) for r in claims] == [
        (m[1].address, 9_000, 1_000, 3),
        (m[2].address, 1_000, 1_000, 3),
        (cast.chef.address, 4_000, 0, 3),
    ]
    assert claims[0].transaction_hash == bytes(life.results["claim_me1"].tx_hash)
    assert claims[0].block_number == life.results["claim_me1"].receipt["blockNumber"]
    (invested,) = _rows(history, emc=a, kinds=frozenset({RowKind.INVESTMENT}))
    assert (_address(invested.account), invested.amount) == (m[2].address, 5_000)
    (loss,) = _rows(history, emc=a, kinds=frozenset({RowKind.LOSS}))
    assert (loss.period, loss.amount) == (3, 1_000)
    assert loss.detail == (
        "loss of 10.00 RMB, 10.00 covered by capital; losses 10.00 RMB, capital left 40.00 RMB"
    )
    (pool,) = _rows(history, emc=a, kinds=frozenset({RowKind.POOL_FILLED}))
    assert (pool.period, pool.amount) == (2, 2_000)
    later = _rows(history, emc=a, period_from=4)
    assert [(r.kind, _address(r.account) or _address(r.by), r.amount) for r in later] == [
        (RowKind.DEV_FUND_WITHDRAWAL, m[4].address, 2_500),
        (RowKind.SWEEP, cast.treasury.address, 77),
    ]


def test_bids_notices_and_versions_in_order(life: Lifecycle, history: list[HistoryRow]) -> None:
    cast = life.cast
    a = life.a.address
    bids = _rows(history, emc=a, kinds=frozenset({RowKind.BID}))
    assert [(r.event, _address(r.account)) for r in bids] == [
        ("BidRoundOpened", None),
        ("BidCommitted", cast.mes[3].address),
        ("BidRevealed", cast.mes[3].address),
        ("BidsInvited", cast.mes[3].address),
    ]
    assert (bids[2].users, bids[2].revenue) == (1_000, 50_000)
    notices = _rows(history, emc=a, kinds=frozenset({RowKind.NOTICE}))
    assert [(_address(r.account), _address(r.by), r.detail.split(":")[0]) for r in notices] == [
        (cast.chef.address, cast.chef.address, "resigned"),
        (cast.chef.address, cast.owner.address, "given notice"),
    ]
    # The chef's rows in EMC A: both versions (named, signed, active), a claim, notices.
    chef = _rows(history, emc=a, member=cast.chef.address)
    assert [(r.kind, r.version) for r in chef] == [
        (RowKind.VERSION_PROPOSED, 1),
        (RowKind.VERSION_SIGNED, 1),
        (RowKind.VERSION_ACTIVATED, 1),
        (RowKind.CLAIM, None),
        (RowKind.NOTICE, None),
        (RowKind.NOTICE, None),
        (RowKind.VERSION_PROPOSED, 2),
        (RowKind.VERSION_SIGNED, 2),
        (RowKind.VERSION_ACTIVATED, 2),
    ]
    assert len(_rows(history, emc=a, period_from=3, period_to=3)) == 18


def test_emc_b_dissolves_and_returns_the_released_pool(
    life: Lifecycle, history: list[HistoryRow]
) -> None:
    cast = life.cast
    b = life.b.address
    rows = _rows(history, emc=b)
    (dissolved,) = [r for r in rows if r.kind is RowKind.DISSOLUTION]
    assert (dissolved.period, dissolved.amount) == (3, 55_000)
    losses = [(r.period, r.amount) for r in rows if r.kind is RowKind.LOSS]
    assert losses == [(2, 25_000), (3, 30_000)]
    returned = [(_address(r.account), r.amount) for r in rows if r.kind is RowKind.CAPITAL_RETURN]
    assert returned == [(cast.mes[3].address, 6_666), (cast.chef.address, 3_334)]
    # After dissolution no period opens: what follows stays in period 3.
    after = rows[rows.index(dissolved) :]
    assert {r.period for r in after} == {3}
    assert [r.kind for r in after[-2:]] == [RowKind.CLAIM, RowKind.SWEEP]


def test_registry_changes_are_membership_rows(life: Lifecycle, history: list[HistoryRow]) -> None:
    cast = life.cast
    m5 = _rows(history, member=cast.mes[5].address, kinds=frozenset({RowKind.MEMBERSHIP}))
    assert [r.detail.split(",")[0] for r in m5] == ["added as me", "suspended", "reinstated"]
    assert {_address(r.by) for r in m5[1:]} == {cast.admin.address}
    changed = [
        r
        for r in _rows(history, kinds=frozenset({RowKind.MEMBERSHIP}))
        if r.event in ("MemberMetadataUpdated", "RoleRevoked")
    ]
    assert [(r.event, r.detail.split(" 0x")[0]) for r in changed] == [
        ("MemberMetadataUpdated", "metadata set to"),
        ("RoleRevoked", "role partner revoked"),
    ]
    assert all(r.period is None and r.emc is None for r in changed)


def test_lifecycle_exports_read_back_into_the_same_rows(
    life: Lifecycle, history: list[HistoryRow]
) -> None:
    rows = history
    assert read_csv(to_csv(rows)) == rows
    assert read_json(to_json(rows)) == rows
