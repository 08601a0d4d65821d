"""One transaction per batch: a crash anywhere leaves whole batches; rebuilds give the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_typing import ChecksumAddress, HexAddress, HexStr
from eth_utils.crypto import keccak
from sqlalchemy.orm import Session
from web3.types import RPCEndpoint

from rdh_chain import events as ev
from rdh_chain.agreements import sign_version, typed_data_parties
from rdh_chain.events import RawLog
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer, raw_log_row, raw_log_values
from rdh_chain.index.schema import RawLogRow
from rdh_chain.index.settings import IndexSettings
from rdh_chain.index.sync import Header
from rdh_chain.types import Role
from tests.index.conftest import World, dump, open_indexer

STEPS = ("write_blocks", "write_raw_logs", "write_derived", "write_checkpoint")


def more_history(world: World, mints: int = 12, empty_blocks: int = 40) -> None:
    """New members and mints to them, with empty blocks between (more batches to crash in)."""
    admin = world.ledger.connect(world.cast.admin)
    treasury = world.ledger.connect(world.cast.treasury)
    for i in range(mints):
        member = Account.create().address
        admin.registry.add_member(member, Role.ME, keccak(text=f"member {i}"))
        treasury.token.mint(member, 100 + i, keccak(text=f"deposit {i}"))
        world.w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(empty_blocks // mints)])


class CrashError(Exception):
    pass


class CrashingIndexer(Indexer):
    """Raises after ``step`` of the ``after``-th batch written (its transaction rolls back)."""

    step = ""
    after = 0
    batches = 0

    def _maybe_crash(self, step: str) -> None:
        if step == self.step and self.batches == self.after:
            raise CrashError(step)

    def write(self, session: Session, logs: Any, headers: Any, last: Header) -> None:
        super().write(session, logs, headers, last)
        self.batches += 1

    def write_blocks(self, session: Session, headers: Any) -> None:
        super().write_blocks(session, headers)
        self._maybe_crash("write_blocks")

    def write_raw_logs(self, session: Session, logs: Any) -> None:
        super().write_raw_logs(session, logs)
        self._maybe_crash("write_raw_logs")

    def write_derived(
        self, session: Session, logs: Sequence[RawLog], times: dict[int, int]
    ) -> None:
        super().write_derived(session, logs, times)
        self._maybe_crash("write_derived")

    def write_checkpoint(self, session: Session, last: Header, previous: int) -> None:
        super().write_checkpoint(session, last, previous)
        self._maybe_crash("write_checkpoint")


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("after", [0, 3])
def test_crash_after_any_step_resumes_with_no_gap_and_no_duplicate(
    world: World, tmp_path: Path, step: str, after: int
) -> None:
    more_history(world)
    reference = open_indexer(f"sqlite:///{tmp_path}/reference.sqlite", world)
    reference.sync()

    url = f"sqlite:///{tmp_path}/crashed.sqlite"
    settings = IndexSettings(url=url, block_range=8, max_block_range=8)
    crashing = CrashingIndexer(
        IndexDb.open(url), world.w3.provider, world.deployment, world.decoder, settings
    )
    crashing.step, crashing.after = step, after
    with pytest.raises(CrashError):
        crashing.sync()
    with crashing.db.session() as session:
        point = queries.checkpoint(session)
    assert point is not None
    # Only whole batches: the checkpoint is where the last committed one ended.
    assert point.block_number < world.w3.eth.block_number
    crashing.db.close()

    resumed = open_indexer(url, world, block_range=8, max_block_range=8)
    resumed.sync()
    assert dump(resumed.db) == dump(reference.db)


def test_rebuild_gives_the_same_derived_rows_without_the_chain(
    world: World, index_url: str
) -> None:
    more_history(world, mints=4, empty_blocks=8)
    indexer = open_indexer(index_url, world)
    indexer.sync()
    before = dump(indexer.db)
    made = indexer.rebuild()
    assert dump(indexer.db) == before
    assert made == len(before["events"])


def test_deleting_the_index_and_syncing_again_gives_the_same_rows(
    world: World, tmp_path: Path, index_url: str
) -> None:
    # Synced in many small steps, as follow mode does, then anew in one go.
    more_history(world, mints=6, empty_blocks=12)
    stepwise = open_indexer(index_url, world, block_range=3, max_block_range=3)
    head = world.w3.eth.block_number
    for until in range(world.deployment.block, head + 1, 7):
        stepwise.sync(until=until)
    stepwise.sync()
    once = open_indexer(f"sqlite:///{tmp_path}/once.sqlite", world)
    once.sync()
    assert dump(stepwise.db) == dump(once.db)
    stepwise.db.close()


def test_an_activation_indexed_after_a_restart_names_its_proposals_parties(
    world: World, tmp_path: Path
) -> None:
    # VersionActivated lists no signer: the index names its proposal's parties, which a new
    # indexer (nothing known yet) reads back from the proposal's stored log. The demo agrees
    # in one transaction; here a version is also proposed, then activated in a later block.
    owner = world.ledger.connect(world.cast.owner).emc(world.emc)
    version_id, _ = owner.propose_version(owner.version_entries(owner.active_version_id()))
    typed = owner.typed_data(version_id)
    wallets = {a.address: a for a in [*world.cast.mes.values(), *world.cast.partners.values()]}
    signatures = [sign_version(wallets[p], typed) for p in typed_data_parties(typed)]
    owner.activate_version(version_id, signatures)
    reference = open_indexer(f"sqlite:///{tmp_path}/reference.sqlite", world)
    reference.sync()
    with reference.db.session() as session:
        logs = queries.decoded_logs(session, emc=world.emc)
    proposals: dict[int, tuple[RawLog, ev.VersionProposed]] = {}
    activations: list[tuple[RawLog, ev.VersionActivated]] = []
    for d in logs:
        if isinstance(d.event, ev.VersionProposed):
            proposals[d.event.version_id] = (d.log, d.event)
        elif isinstance(d.event, ev.VersionActivated):
            activations.append((d.log, d.event))
    apart = [
        (log, activated)
        for log, activated in activations
        if proposals[activated.version_id][0].block_number < log.block_number
    ]
    assert [activated.version_id for _, activated in apart] == [version_id]
    # Each proposal in one indexer's sync, its activation in the next one's.
    url = f"sqlite:///{tmp_path}/restarted.sqlite"
    for _, activated in apart:
        proposed_log, _ = proposals[activated.version_id]
        first = open_indexer(url, world)
        first.sync(until=proposed_log.block_number)
        first.db.close()
    restarted = open_indexer(url, world)
    restarted.sync()
    assert dump(restarted.db) == dump(reference.db)
    with restarted.db.session() as session:
        for log, activated in activations:
            parties = proposals[activated.version_id][1].parties
            assert parties
            for party in parties:
                mine = queries.decoded_logs(session, member=party, names=["VersionActivated"])
                assert log.key in {d.log.key for d in mine}, party


@pytest.mark.parametrize("topics", [0, 1, 4])
def test_raw_log_values_are_the_raw_log_row_in_the_tables_column_order(topics: int) -> None:
    log = RawLog(
        address=ChecksumAddress(HexAddress(HexStr("0x" + "ab" * 20))),
        topics=tuple(bytes([i]) * 32 for i in range(topics)),
        data=b"\x01\x02",
        block_number=7,
        block_hash=b"\x07" * 32,
        transaction_hash=b"\x09" * 32,
        transaction_index=3,
        log_index=11,
        block_timestamp=None,
    )
    row = raw_log_row(log)
    assert raw_log_values(log) == tuple(row[c.name] for c in RawLogRow.__table__.columns)
