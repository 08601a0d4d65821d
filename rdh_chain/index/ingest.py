"""Writing the index: one database transaction per batch, reorgs rolled back, rebuilds.

Each batch commits its blocks, raw logs (insert-or-ignore on block hash and log index),
derived rows and the checkpoint together: killed at any point, the index holds whole
batches only, and the next run starts after the last one. A reorg deletes every row
above the common ancestor in one transaction, then the chain is read again from there.
"""

from __future__ import annotations

import contextlib
import gc
import json
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Table, delete, exists, insert, select, update
from sqlalchemy.orm import Session

from rdh_chain import events as ev
from rdh_chain.deployment import Deployment
from rdh_chain.events import Decoded, EventDecoder, RawLog
from rdh_chain.exceptions import ChainError
from rdh_chain.index.db import IndexDb
from rdh_chain.index.derive import MEMBER_EVENTS, Known, derive, member_rows
from rdh_chain.index.errors import IndexConfigError
from rdh_chain.index.names import refresh_names
from rdh_chain.index.schema import (
    DERIVED_TABLES,
    BlockRow,
    CheckpointRow,
    ContractRow,
    EventAccountRow,
    EventRow,
    MemberRow,
    RawLogRow,
)
from rdh_chain.index.settings import IndexSettings
from rdh_chain.index.sync import Batch, ChainReader, Header, Position, Provider, Reorg, Step
from rdh_chain.profiles import ProfileStore
from rdh_chain.structs import checksum

CHECKPOINT_ID = 1
# Kinds whose logs are read (the template and the module emit nothing at their own address).
READ_KINDS = ("registry", "token", "guidelines", "factory", "emc")
_REBUILD_CHUNK = 20_000
# The writer's SQLite page cache (negative: KiB), grown only as pages are used.
SQLITE_CACHE = -65_536
# Allocations between young-generation collections while a sync runs (CPython's default
# is 700): a batch's rows all live until it commits, so frequent collections only move
# them into the old generation, whose full scans then cost about a fifth of a backfill.
SYNC_GC_THRESHOLD = 100_000


@contextlib.contextmanager
def _batched_collection() -> Iterator[None]:
    """Collect garbage less often while a sync writes, and never scan what was alive
    before it (decoders, metadata, the ABIs) again: ``gc.freeze`` moves it to the
    permanent generation until the sync ends. Cycles made during the sync are still
    collected; garbage frozen with the rest waits for the first collection after it."""
    thresholds = gc.get_threshold()
    gc.freeze()  # O(1), no collection first: a follower polls ten times a second
    gc.set_threshold(SYNC_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a sync is, after a step: for progress bars and logs."""

    checkpoint: int
    target: int
    head: int
    start_block: int
    logs: int
    reorgs: int


def insert_ignore(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT`` that skips rows whose key is there already (SQLite and PostgreSQL).

    Straight to the driver: SQLAlchemy's per-value bind processing costs more than the
    insert itself at index rates. SQLite takes one ``executemany``; PostgreSQL a ``COPY``
    into a temporary table, then one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``
    (several times faster than its ``executemany``). JSON columns are serialized here
    (compact, as :func:`json_text`).
    """
    if not rows:
        return
    connection = session.connection()
    sql, columns, json_at = _insert_sql(table, connection.dialect)
    values: list[Any] = list(map(itemgetter(*columns), rows))
    if json_at:
        values = [_with_json(value, json_at) for value in values]
    _insert_values(connection, table, sql, columns, values)


def insert_ignore_values(session: Session, table: Table, values: Sequence[tuple[Any, ...]]) -> None:
    """:func:`insert_ignore` of rows given as tuples in the order of ``table``'s columns
    (no JSON column): what the hottest table is written with, without a dict per row."""
    if not values:
        return
    connection = session.connection()
    sql, columns, json_at = _insert_sql(table, connection.dialect)
    assert not json_at
    _insert_values(connection, table, sql, columns, values)


def _insert_values(
    connection: Connection, table: Table, sql: str, columns: Sequence[str], values: Sequence[Any]
) -> None:
    if connection.dialect.name == "postgresql":
        _copy_insert(connection, table, columns, values)
    else:
        connection.exec_driver_sql(sql, values)


def _with_json(value: tuple[Any, ...], positions: tuple[int, ...]) -> tuple[Any, ...]:
    items = list(value)
    for i in positions:
        items[i] = json_text(items[i])
    return tuple(items)


def _stdlib_json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _json_texts() -> Callable[[Any], str]:
    try:  # several times faster than the standard library's encoder
        from msgspec.json import encode
    except ImportError:  # pragma: no cover (msgspec is a dependency)
        return _stdlib_json_text

    def msgspec_json_text(value: Any) -> str:
        return encode(value).decode()

    return msgspec_json_text


# A JSON column's text: compact, keys in their order, integers of any size as they are;
# msgspec and the standard library write the same text for the index's values (ASCII).
json_text = _json_texts()


def _copy_insert(
    connection: Connection, table: Table, columns: Sequence[str], values: Sequence[Any]
) -> None:
    quote = connection.dialect.identifier_preparer.quote
    target, staging = quote(table.name), quote(f"staging_{table.name}")
    names = ", ".join(quote(c) for c in columns)
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} "
            f"(LIKE {target} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row if isinstance(row, tuple) else (row,))
        cursor.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {staging} ON CONFLICT DO NOTHING"
        )
        cursor.execute(f"TRUNCATE {staging}")


_INSERTS: dict[tuple[str, str], tuple[str, list[str], tuple[int, ...]]] = {}


def _insert_sql(table: Table, dialect: Dialect) -> tuple[str, list[str], tuple[int, ...]]:
    key = (table.name, dialect.name)
    cached = _INSERTS.get(key)
    if cached is None:
        quote = dialect.identifier_preparer.quote
        columns = [c.name for c in table.columns]
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(marker for _ in columns)}) ON CONFLICT DO NOTHING"
        )
        json_at = tuple(i for i, c in enumerate(table.columns) if isinstance(c.type, JSON))
        cached = _INSERTS[key] = (sql, columns, json_at)
    return cached


def _table(row: type[Any]) -> Table:
    table: Table = row.__table__
    return table


def raw_log_row(log: RawLog) -> dict[str, Any]:
    topics = list(log.topics) + [None] * (4 - len(log.topics))
    return {
        "block_hash": log.block_hash,
        "log_index": log.log_index,
        "block_number": log.block_number,
        "transaction_hash": log.transaction_hash,
        "transaction_index": log.transaction_index,
        "address": log.address,
        "topic0": topics[0],
        "topic1": topics[1],
        "topic2": topics[2],
        "topic3": topics[3],
        "data": log.data,
    }


def raw_log_values(log: RawLog) -> tuple[Any, ...]:
    """:func:`raw_log_row`'s values, in the order of ``raw_logs``' columns."""
    topics = log.topics
    n = len(topics)
    return (
        log.block_hash,
        log.log_index,
        log.block_number,
        log.transaction_hash,
        log.transaction_index,
        log.address,
        topics[0] if n > 0 else None,
        topics[1] if n > 1 else None,
        topics[2] if n > 2 else None,
        topics[3] if n > 3 else None,
        log.data,
    )


def raw_log_from_row(row: Any, timestamp: int | None = None) -> RawLog:
    """A :class:`RawLog` from a ``raw_logs`` row (``timestamp`` from its block)."""
    return RawLog(
        address=checksum(row.address),
        topics=tuple(t for t in (row.topic0, row.topic1, row.topic2, row.topic3) if t is not None),
        data=row.data,
        block_number=row.block_number,
        block_hash=row.block_hash,
        transaction_hash=row.transaction_hash,
        transaction_index=row.transaction_index,
        log_index=row.log_index,
        block_timestamp=timestamp,
    )


def _header_row(header: Header) -> dict[str, Any]:
    return {
        "number": header.number,
        "hash": header.hash,
        "parent_hash": header.parent_hash,
        "timestamp": header.timestamp,
    }


class Indexer:
    """Keeps one deployment's index up to date with the chain behind ``provider``."""

    def __init__(
        self,
        db: IndexDb,
        provider: Provider,
        deployment: Deployment,
        decoder: EventDecoder,
        settings: IndexSettings | None = None,
    ) -> None:
        self.db = db
        self.deployment = deployment
        self.decoder = decoder
        self.settings = settings or IndexSettings()
        self.reorgs = 0
        self.ensure_checkpoint()
        self.known = self._load_known()
        self.reader = ChainReader(
            provider,
            factory=deployment.factory,
            addresses=self._read_addresses(),
            start_block=deployment.block,
            confirmations=self.settings.confirmations,
            block_range=self.settings.block_range,
            max_block_range=self.settings.max_block_range,
            range_logs=self.settings.range_logs,
            header_batch=self.settings.header_batch,
        )

    # -- the checkpoint and what is known ------------------------------------------------

    def ensure_checkpoint(self) -> None:
        """Create the checkpoint of this deployment, or check that the index is its own."""
        d = self.deployment
        with self.db.transaction() as session:
            row = session.get(CheckpointRow, CHECKPOINT_ID)
            if row is None:
                session.add(
                    CheckpointRow(
                        id=CHECKPOINT_ID,
                        chain_id=d.chain_id,
                        registry_address=d.registry,
                        token_address=d.token,
                        guidelines_address=d.guidelines,
                        factory_address=d.factory,
                        start_block=d.block,
                        block_number=d.block - 1,
                        block_hash=None,
                    )
                )
                insert_ignore(session, _table(ContractRow), self._deployment_contracts())
                return
            ours = (d.chain_id, d.registry, d.token, d.guidelines, d.factory, d.block)
            theirs = (
                row.chain_id,
                row.registry_address,
                row.token_address,
                row.guidelines_address,
                row.factory_address,
                row.start_block,
            )
            if ours != theirs:
                raise IndexConfigError(
                    f"The index at {self.db.engine.url!r} belongs to the deployment with "
                    f"registry {row.registry_address} on chain {row.chain_id}, not to this one "
                    f"(registry {d.registry} on chain {d.chain_id}); delete it or set "
                    "RDH_INDEX_URL to another database."
                )

    def _deployment_contracts(self) -> list[dict[str, Any]]:
        return [
            {
                "address": address,
                "kind": kind,
                "emc_id": None,
                "owner": None,
                "module": None,
                "block_number": None,
                "log_index": None,
            }
            for kind, address in self.deployment.contracts.items()
        ]

    def _load_known(self) -> Known:
        known = Known()
        with self.db.session() as session:
            for row in session.scalars(select(ContractRow)):
                known.kinds[row.address] = row.kind
                if row.kind == "emc" and row.emc_id is not None:
                    known.emc_ids[row.emc_id] = row.address
                if row.kind == "module":
                    known.module = row.address
        return known

    def _read_addresses(self) -> dict[str, int | None]:
        """The contracts whose logs are read, with the blocks that created them."""
        with self.db.session() as session:
            rows = session.execute(
                select(ContractRow.address, ContractRow.block_number).where(
                    ContractRow.kind.in_(READ_KINDS)
                )
            )
            return {row.address: row.block_number for row in rows}

    def position(self) -> Position:
        with self.db.session() as session:
            row = session.get(CheckpointRow, CHECKPOINT_ID)
            assert row is not None
            return Position(row.block_number, row.block_hash)

    def stored_blocks(self, below: int, limit: int) -> list[tuple[int, bytes]]:
        """Stored blocks under ``below``, newest first (a reorg's ancestor candidates)."""
        with self.db.session() as session:
            rows = session.execute(
                select(BlockRow.number, BlockRow.hash)
                .where(BlockRow.number < below)
                .order_by(BlockRow.number.desc())
                .limit(limit)
            )
            return [(number, block_hash) for number, block_hash in rows]

    # -- syncing -------------------------------------------------------------------------

    def sync(
        self,
        until: int | None = None,
        progress: Callable[[Progress], None] | None = None,
        stop: threading.Event | None = None,
    ) -> Progress:
        """Index up to the chain's head less the confirmations (or ``until``), then return.

        ``stop`` (set from another thread or a signal handler) ends it after the batch
        being written.
        """
        logs = 0
        current = self.position()
        head, target = self.reader.target()
        if until is not None:
            target = min(target, until)
        steps = self.reader.steps(current, self.stored_blocks, until)
        if self.settings.prefetch:
            steps = prefetched(steps)
        with _batched_collection():
            for step in steps:
                if stop is not None and stop.is_set():
                    break
                if isinstance(step, Reorg):
                    self.rollback(step)
                    current = Position(step.ancestor, step.ancestor_hash)
                else:
                    self.apply(step)
                    logs += len(step.logs)
                    head, target = step.head, max(target, step.to_block)
                    current = Position(step.to_block, step.last.hash)
                if progress is not None:
                    progress(self._progress(current, target, head, logs))
        result = self._progress(current, max(target, current.number), head, logs)
        if progress is not None:
            progress(result)
        return result

    def _progress(self, current: Position, target: int, head: int, logs: int) -> Progress:
        return Progress(
            checkpoint=current.number,
            target=target,
            head=head,
            start_block=self.deployment.block,
            logs=logs,
            reorgs=self.reorgs,
        )

    def follow(
        self,
        stop: threading.Event,
        progress: Callable[[Progress], None] | None = None,
        on_error: Callable[[ChainError], None] | None = None,
    ) -> None:
        """Sync, then poll for new heads every ``poll_interval`` seconds until ``stop`` is set.

        A node that stops answering (:class:`ChainError`) is reported to ``on_error`` and
        asked again, waiting longer each time (up to 10 s); without ``on_error`` it raises.
        """
        backoff = self.settings.poll_interval
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.sync(progress=progress, stop=stop)
            except ChainError as error:
                if on_error is None:
                    raise
                on_error(error)
                stop.wait(backoff)
                backoff = min(10.0, backoff * 2)
                continue
            backoff = self.settings.poll_interval
            stop.wait(max(0.0, self.settings.poll_interval - (time.monotonic() - started)))

    # -- writing -------------------------------------------------------------------------

    def apply(self, batch: Batch) -> None:
        """Write ``batch``: whole blocks of at most ``batch_logs`` logs per transaction."""
        headers = {h.number: h for h in batch.headers}
        for logs, last in self._chunks(batch):
            try:
                with self.db.transaction() as session:
                    if self.db.dialect == "sqlite":
                        # A page cache that holds a batch's index pages: with SQLite's 2 MB
                        # default, a batch spills and rewrites them many times over.
                        session.connection().exec_driver_sql(f"PRAGMA cache_size={SQLITE_CACHE}")
                    self.write(session, logs, [headers[n] for n in _blocks(logs, last)], last)
            except BaseException:
                # The transaction rolled back: forget the contracts it learnt.
                self.known = self._load_known()
                raise

    def _chunks(self, batch: Batch) -> Iterator[tuple[list[RawLog], Header]]:
        headers = {h.number: h for h in batch.headers}
        limit = self.settings.batch_logs
        chunk: list[RawLog] = []
        logs = batch.logs
        i = 0
        while i < len(logs):
            j = i
            block = logs[i].block_number
            while j < len(logs) and logs[j].block_number == block:
                j += 1
            if chunk and len(chunk) + (j - i) > limit:
                yield chunk, headers[chunk[-1].block_number]
                chunk = []
            chunk.extend(logs[i:j])
            i = j
        yield chunk, batch.last

    def write(
        self, session: Session, logs: Sequence[RawLog], headers: Sequence[Header], last: Header
    ) -> None:
        """One batch's rows and checkpoint, in ``session``'s transaction (the steps in order)."""
        old = session.get(CheckpointRow, CHECKPOINT_ID)
        assert old is not None
        previous = old.block_number
        self.write_blocks(session, headers)
        self.write_raw_logs(session, logs)
        self.write_derived(session, logs, {h.number: h.timestamp for h in headers})
        self.write_checkpoint(session, last, previous)

    def write_blocks(self, session: Session, headers: Sequence[Header]) -> None:
        insert_ignore(session, _table(BlockRow), [_header_row(h) for h in headers])

    def write_raw_logs(self, session: Session, logs: Sequence[RawLog]) -> None:
        insert_ignore_values(session, _table(RawLogRow), list(map(raw_log_values, logs)))

    def write_derived(
        self, session: Session, logs: Sequence[RawLog], times: dict[int, int]
    ) -> None:
        decoded = self.decoder.decode_all(logs)
        self._recall_proposals(session, decoded)
        derived = derive(decoded, times, self.known)
        insert_ignore(session, _table(ContractRow), derived.contracts)
        insert_ignore(session, _table(EventRow), derived.events)
        insert_ignore(session, _table(EventAccountRow), derived.accounts)
        if derived.members:
            refresh_members(session, self.deployment.registry, derived.members)
            # Named in the transaction that derives them: no reader sees them unnamed.
            refresh_names(session, self.settings.profile_store, derived.members)

    def _recall_proposals(self, session: Session, decoded: Sequence[Decoded]) -> None:
        """Put back in ``known`` the proposals that ``decoded``'s activations need and that
        it forgot (reloaded on start, after a reorg or a failed batch), from their stored
        logs: derivation names an activation's signers from them."""
        in_batch = {
            (item.log.address, item.event.version_id)
            for item in decoded
            if isinstance(item.event, ev.VersionProposed)
        }
        for item in decoded:
            event, emc = item.event, item.log.address
            if not isinstance(event, ev.VersionActivated) or not self.known.is_emc(emc):
                continue
            pending = self.known.proposals.setdefault(emc, {})
            if event.version_id in pending or (emc, event.version_id) in in_batch:
                continue
            raw = _table(RawLogRow)
            query = (
                select(*raw.c)
                .join(
                    EventRow,
                    (EventRow.block_number == raw.c.block_number)
                    & (EventRow.log_index == raw.c.log_index),
                )
                .where(EventRow.emc == emc, EventRow.name == "VersionProposed")
                .order_by(raw.c.block_number.desc(), raw.c.log_index.desc())
            )
            # Newest first: the activated proposal is the EMC's latest but a few at most.
            for row in session.execute(query):
                found = self.decoder.decode(raw_log_from_row(row))
                proposal = None if found is None else found.event
                if (
                    isinstance(proposal, ev.VersionProposed)
                    and proposal.version_id == event.version_id
                ):
                    pending[event.version_id] = list(proposal.parties)
                    break

    def write_checkpoint(self, session: Session, last: Header, previous: int) -> None:
        # The previous checkpoint's block stays only if it holds logs: the blocks
        # table is then the same whatever batches filled it.
        session.execute(
            delete(BlockRow).where(
                BlockRow.number == previous,
                BlockRow.number != last.number,
                ~exists().where(RawLogRow.block_number == BlockRow.number),
            )
        )
        session.execute(
            update(CheckpointRow)
            .where(CheckpointRow.id == CHECKPOINT_ID)
            .values(block_number=last.number, block_hash=last.hash)
        )

    def rollback(self, reorg: Reorg) -> None:
        """Delete every row above ``reorg.ancestor``, in one transaction."""
        n = reorg.ancestor
        with self.db.transaction() as session:
            session.execute(delete(EventAccountRow).where(EventAccountRow.block_number > n))
            session.execute(delete(EventRow).where(EventRow.block_number > n))
            session.execute(delete(ContractRow).where(ContractRow.block_number > n))
            session.execute(delete(RawLogRow).where(RawLogRow.block_number > n))
            session.execute(delete(BlockRow).where(BlockRow.number > n))
            if reorg.ancestor_hash is not None:
                # The ancestor becomes the checkpoint: its header must be there.
                kept = session.get(BlockRow, n)
                assert kept is not None
                assert kept.hash == reorg.ancestor_hash
            refresh_members(session, self.deployment.registry, None)
            refresh_names(session, self.settings.profile_store)
            session.execute(
                update(CheckpointRow)
                .where(CheckpointRow.id == CHECKPOINT_ID)
                .values(block_number=n, block_hash=reorg.ancestor_hash)
            )
        self.reorgs += 1
        self.known = self._load_known()

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Derive every derived table again from the raw logs and the profile folder (no
        RPC); the events made."""
        made = rebuild(self.db, self.decoder, progress, profiles=self.settings.profile_store)
        self.known = self._load_known()
        return made


_END = object()


def prefetched(steps: Iterator[Step], depth: int = 2) -> Iterator[Step]:
    """``steps``, read ahead on a thread: the next range arrives while this one is written.

    The reader's state (its position, its addresses) lives on that thread only. Closing
    the iterator (a stop, an error while writing) stops the thread after its current
    request; an error on the thread is raised here, in order.
    """
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    done = threading.Event()

    def hand_over(item: Any) -> bool:
        while not done.is_set():
            try:
                ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for step in steps:
                if not hand_over(step):
                    return
            hand_over(_END)
        except BaseException as error:  # handed to the consumer, raised there
            hand_over(error)

    thread = threading.Thread(target=run, name="rdh-index-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        done.set()
        thread.join()


def _blocks(logs: Sequence[RawLog], last: Header) -> list[int]:
    return sorted({log.block_number for log in logs} | {last.number})


def refresh_members(session: Session, registry: str, accounts: Iterable[str] | None) -> None:
    """Derive ``accounts``' member rows (every member's if None) from the registry events."""
    query = (
        select(EventRow.block_number, EventRow.name, EventRow.args)
        .where(EventRow.contract == registry, EventRow.name.in_(MEMBER_EVENTS))
        .order_by(EventRow.block_number, EventRow.log_index)
    )
    wanted = None if accounts is None else sorted(set(accounts))
    if wanted is None:
        session.execute(delete(MemberRow))
    else:
        # Through event_accounts' key (events has no index on account): a member event's
        # account is never the zero address (the registry refuses it), so it is there.
        query = query.join(
            EventAccountRow,
            (EventAccountRow.block_number == EventRow.block_number)
            & (EventAccountRow.log_index == EventRow.log_index)
            & (EventAccountRow.account == EventRow.account),
        ).where(EventAccountRow.account.in_(wanted))
        session.execute(delete(MemberRow).where(MemberRow.address.in_(wanted)))
    rows = member_rows((b, name, args) for b, name, args in session.execute(query))
    if rows:
        session.execute(insert(_table(MemberRow)), rows)


def rebuild(
    db: IndexDb,
    decoder: EventDecoder,
    progress: Callable[[int, int], None] | None = None,
    *,
    profiles: ProfileStore,
) -> int:
    """Delete the derived tables and derive them from ``raw_logs`` alone, in one transaction;
    members are named from ``profiles`` in it."""
    made = 0
    with db.transaction() as session:
        row = session.get(CheckpointRow, CHECKPOINT_ID)
        if row is None:
            raise IndexConfigError("The index is empty: run `rdh index sync` first.")
        for table in reversed(DERIVED_TABLES):
            session.execute(delete(table))
        known = Known()
        static: list[dict[str, Any]] = [
            {
                "address": address,
                "kind": kind,
                "emc_id": None,
                "owner": None,
                "module": None,
                "block_number": None,
                "log_index": None,
            }
            for kind, address in (
                ("registry", row.registry_address),
                ("token", row.token_address),
                ("guidelines", row.guidelines_address),
                ("factory", row.factory_address),
            )
        ]
        for contract in static:
            known.kinds[contract["address"]] = contract["kind"]
        insert_ignore(session, _table(ContractRow), static)
        total = session.query(RawLogRow).count()
        done = 0
        for chunk in _raw_chunks(session):
            decoded: list[Decoded] = []
            times: dict[int, int] = {}
            for raw, timestamp in chunk:
                times[raw.block_number] = timestamp
                item = decoder.decode(raw)
                if item is not None:
                    decoded.append(item)
            derived = derive(decoded, times, known)
            insert_ignore(session, _table(ContractRow), derived.contracts)
            insert_ignore(session, _table(EventRow), derived.events)
            insert_ignore(session, _table(EventAccountRow), derived.accounts)
            made += len(derived.events)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        refresh_members(session, row.registry_address, None)
        refresh_names(session, profiles)
    return made


def _raw_chunks(session: Session) -> Iterator[list[tuple[RawLog, int]]]:
    """Raw logs in chain order with their blocks' times, a chunk at a time (keyset paging)."""
    after = (-1, -1)
    while True:
        rows = session.execute(
            select(*_table(RawLogRow).c, BlockRow.timestamp)
            .join(BlockRow, BlockRow.hash == RawLogRow.block_hash)
            .where(
                (RawLogRow.block_number > after[0])
                | ((RawLogRow.block_number == after[0]) & (RawLogRow.log_index > after[1]))
            )
            .order_by(RawLogRow.block_number, RawLogRow.log_index)
            .limit(_REBUILD_CHUNK)
        ).all()
        if not rows:
            return
        yield [(raw_log_from_row(row, row.timestamp), row.timestamp) for row in rows]
        after = (rows[-1].block_number, rows[-1].log_index)
