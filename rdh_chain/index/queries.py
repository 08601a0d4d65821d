"""The read side of the index: what the gateway, the CLI, verification and statements use.

Every function takes a session and returns frozen values (or
:class:`rdh_chain.events.Decoded`), never ORM rows. Events are decoded again from the raw
logs, so a reader gets the SDK's typed values whatever the derived tables hold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eth_typing import ChecksumAddress
from sqlalchemy import Select, and_, func, select, text
from sqlalchemy.orm import Session

from rdh_chain.artifacts import load_artifacts
from rdh_chain.events import Decoded, EventDecoder
from rdh_chain.index.ingest import CHECKPOINT_ID, _table, raw_log_from_row
from rdh_chain.index.schema import (
    BlockRow,
    CheckpointRow,
    ContractRow,
    EventAccountRow,
    EventRow,
    MemberRow,
    ProfileRow,
    RawLogRow,
)
from rdh_chain.profiles import MatchStatus, Profile, ProfileKind
from rdh_chain.structs import checksum


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How far the index is: every log up to ``block_number`` (``block_hash``) is in it."""

    chain_id: int
    registry: ChecksumAddress
    token: ChecksumAddress
    guidelines: ChecksumAddress
    factory: ChecksumAddress
    start_block: int
    block_number: int
    block_hash: bytes | None
    block_time: int | None


@dataclass(frozen=True, slots=True)
class EmcInfo:
    """An EMC the factory created: its number, owner, module and creation block."""

    address: ChecksumAddress
    emc_id: int
    owner: ChecksumAddress | None
    module: ChecksumAddress | None
    block_number: int


@dataclass(frozen=True, slots=True)
class MemberName:
    """A member's name and kind from its profile, and whether the profile is its metadata.

    ``matched``: the document hashes to the member's metadata. ``mismatch``: the profile
    folder holds one for it that does not (its name is shown marked, see :attr:`label`).
    ``missing``: none (nor, for a member derived since the last naming, looked for yet).
    """

    name: str | None
    kind: ProfileKind | None
    status: MatchStatus

    @property
    def trusted(self) -> bool:
        return self.status is MatchStatus.MATCHED

    @property
    def label(self) -> str | None:
        """The name to show: as is when matched, marked when it does not match."""
        if self.name is None:
            return None
        return self.name if self.trusted else f"{self.name} (unverified)"


UNNAMED = MemberName(name=None, kind=None, status=MatchStatus.MISSING)


@dataclass(frozen=True, slots=True)
class Member:
    """A registry member as its events leave it, with its profile's name."""

    address: ChecksumAddress
    roles: tuple[str, ...]
    metadata_hash: bytes
    active: bool
    added_block: int
    updated_block: int
    profile: MemberName = UNNAMED

    @property
    def name(self) -> str | None:
        """The profile's name (matched or not: see ``profile.status``, ``profile.label``)."""
        return self.profile.name


@dataclass(frozen=True, slots=True)
class ProfileCounts:
    """Members by profile status; ``pending``: derived since the profiles were last read."""

    matched: int = 0
    mismatch: int = 0
    missing: int = 0
    pending: int = 0


@dataclass(frozen=True, slots=True)
class Lag:
    """How far the index is behind the chain's head, in blocks (and seconds, when known)."""

    head: int
    checkpoint: int
    blocks: int


@dataclass(frozen=True, slots=True)
class Replica:
    """A PostgreSQL hot standby's replay of its primary's WAL, as the standby sees it.

    ``lag_seconds`` is 0 while its WAL receiver runs and it has replayed everything it
    received; otherwise the time since the last transaction it replayed (or since it
    started, before it replayed any): an upper bound, since the primary may have been idle
    meanwhile. ``unreplayed_bytes``: WAL received but not applied yet. ``receiving``: a WAL
    receiver process runs (it streams from the primary, or is trying to).
    """

    lag_seconds: float
    unreplayed_bytes: int
    receiving: bool
    replayed_lsn: str
    replayed_at: datetime | None

    @property
    def lag_whole_seconds(self) -> int:
        """``lag_seconds`` rounded down (what answers show: they are kept per second)."""
        return math.floor(self.lag_seconds)


@dataclass(frozen=True, slots=True)
class Counts:
    """Rows per table."""

    blocks: int
    raw_logs: int
    events: int
    contracts: int
    members: int
    profiles: int


_decoder: EventDecoder | None = None


def default_decoder() -> EventDecoder:
    """The decoder of the built artifacts' events (made once)."""
    global _decoder
    if _decoder is None:
        _decoder = EventDecoder.from_abis(a.abi for a in load_artifacts().values())
    return _decoder


def checkpoint(session: Session) -> Checkpoint | None:
    """The checkpoint, or None for an index never synced."""
    row = session.get(CheckpointRow, CHECKPOINT_ID)
    if row is None:
        return None
    block_time = None
    if row.block_hash is not None:
        block_time = session.scalar(
            select(BlockRow.timestamp).where(BlockRow.number == row.block_number)
        )
    return Checkpoint(
        chain_id=row.chain_id,
        registry=checksum(row.registry_address),
        token=checksum(row.token_address),
        guidelines=checksum(row.guidelines_address),
        factory=checksum(row.factory_address),
        start_block=row.start_block,
        block_number=row.block_number,
        block_hash=row.block_hash,
        block_time=block_time,
    )


def block_hash(session: Session, number: int) -> bytes | None:
    """The hash of block ``number`` if the index holds it (a block with an rdh-chain log, or
    the checkpoint's), else None."""
    found: bytes | None = session.scalar(select(BlockRow.hash).where(BlockRow.number == number))
    return found


def decoded_logs(
    session: Session,
    *,
    emc: str | None = None,
    emcs: Iterable[str] | None = None,
    member: str | None = None,
    names: Iterable[str] | None = None,
    upto_block: int | None = None,
    decoder: EventDecoder | None = None,
) -> list[Decoded]:
    """The rdh-chain events, decoded again from the raw logs, in chain order.

    ``emc``: those the EMC emitted or that concern it (its creation, its token transfers);
    ``emcs``: those of any of these EMCs;
    ``member``: those naming the address anywhere; ``names``: of these event names only;
    ``upto_block``: up to that block (the checkpoint's, for a consistent read). Each
    log's ``block_timestamp`` is its block's time.
    """
    raw = _table(RawLogRow)
    query: Select[Any] = (
        select(*raw.c, BlockRow.timestamp)
        .join(BlockRow, BlockRow.hash == raw.c.block_hash)
        .join(
            EventRow,
            and_(
                EventRow.block_number == raw.c.block_number,
                EventRow.log_index == raw.c.log_index,
            ),
        )
        .order_by(raw.c.block_number, raw.c.log_index)
    )
    if emc is not None:
        query = query.where(EventRow.emc == checksum(emc))
    if emcs is not None:
        query = query.where(EventRow.emc.in_(sorted({checksum(e) for e in emcs})))
    if member is not None:
        query = query.join(
            EventAccountRow,
            and_(
                EventAccountRow.block_number == EventRow.block_number,
                EventAccountRow.log_index == EventRow.log_index,
                EventAccountRow.account == checksum(member),
            ),
        )
    if names is not None:
        query = query.where(EventRow.name.in_(list(names)))
    if upto_block is not None:
        query = query.where(raw.c.block_number <= upto_block)
    decode = (decoder or default_decoder()).decode
    out: list[Decoded] = []
    for row in session.execute(query):
        item = decode(raw_log_from_row(row, row.timestamp))
        if item is not None:
            out.append(item)
    return out


def member_emcs(session: Session, member: str, upto_block: int | None = None) -> list[str]:
    """The EMCs of the events that name ``member`` (up to ``upto_block``), sorted."""
    query = (
        select(EventRow.emc)
        .join(
            EventAccountRow,
            and_(
                EventAccountRow.block_number == EventRow.block_number,
                EventAccountRow.log_index == EventRow.log_index,
                EventAccountRow.account == checksum(member),
            ),
        )
        .where(EventRow.emc.is_not(None))
        .distinct()
    )
    if upto_block is not None:
        query = query.where(EventRow.block_number <= upto_block)
    return sorted(str(e) for e in session.scalars(query))


def emcs(session: Session) -> list[EmcInfo]:
    """Every EMC the factory created, in order of creation."""
    rows = session.scalars(
        select(ContractRow).where(ContractRow.kind == "emc").order_by(ContractRow.emc_id)
    )
    return [
        EmcInfo(
            address=checksum(r.address),
            emc_id=r.emc_id or 0,
            owner=None if r.owner is None else checksum(r.owner),
            module=None if r.module is None else checksum(r.module),
            block_number=r.block_number or 0,
        )
        for r in rows
    ]


def members(session: Session, addresses: Sequence[str] | None = None) -> list[Member]:
    """Registry members (all, or those of ``addresses``), by address, with their names."""
    query = select(MemberRow).order_by(MemberRow.address)
    if addresses is not None:
        query = query.where(MemberRow.address.in_([checksum(a) for a in addresses]))
    return [
        Member(
            address=checksum(r.address),
            roles=tuple(r.roles),
            metadata_hash=r.metadata_hash,
            active=r.active,
            added_block=r.added_block,
            updated_block=r.updated_block,
            profile=_member_name(r.profile_status, r.profile_name, r.profile_kind),
        )
        for r in session.scalars(query)
    ]


def names(
    session: Session, addresses: Iterable[str] | None = None
) -> dict[ChecksumAddress, MemberName]:
    """Every member's (or those of ``addresses``') name, kind and profile status."""
    query = select(
        MemberRow.address, MemberRow.profile_status, MemberRow.profile_name, MemberRow.profile_kind
    ).order_by(MemberRow.address)
    if addresses is not None:
        query = query.where(MemberRow.address.in_(sorted({checksum(a) for a in addresses})))
    return {
        checksum(address): _member_name(status, name, kind)
        for address, status, name, kind in session.execute(query)
    }


def profile(session: Session, digest: bytes) -> Profile | None:
    """The indexed profile document whose hash is ``digest`` (a matched member's metadata)."""
    row = session.get(ProfileRow, digest)
    return None if row is None else Profile.parse(row.document)


def profile_counts(session: Session) -> ProfileCounts:
    """How many members have matched, mismatched and missing profiles (and not yet read)."""
    query = select(MemberRow.profile_status, func.count()).group_by(MemberRow.profile_status)
    counts: dict[str | None, int] = dict(session.execute(query).all())
    return ProfileCounts(
        matched=counts.get(MatchStatus.MATCHED.value, 0),
        mismatch=counts.get(MatchStatus.MISMATCH.value, 0),
        missing=counts.get(MatchStatus.MISSING.value, 0),
        pending=counts.get(None, 0),
    )


def _member_name(status: str | None, name: str | None, kind: str | None) -> MemberName:
    if status is None:
        return UNNAMED
    return MemberName(
        name=name,
        kind=None if kind is None else ProfileKind(kind),
        status=MatchStatus(status),
    )


def lag(session: Session, head: int) -> Lag:
    """How many blocks the checkpoint is behind ``head`` (the chain's, asked by the caller)."""
    point = checkpoint(session)
    number = -1 if point is None else point.block_number
    return Lag(head=head, checkpoint=number, blocks=max(0, head - number))


# Every function here may be called by any role (the gateway's read-only one included); a
# role without pg_read_all_stats sees only the pid column of pg_stat_wal_receiver, which is
# enough to know whether a receiver runs.
_REPLICA_SQL = text(
    """
    SELECT pg_last_wal_receive_lsn() IS NOT NULL
               AND pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) <= 0
               AS caught_up,
           GREATEST(COALESCE(
               pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0), 0
           )::bigint AS unreplayed,
           EXISTS (SELECT 1 FROM pg_stat_wal_receiver) AS receiving,
           pg_last_wal_replay_lsn()::text AS replayed_lsn,
           pg_last_xact_replay_timestamp() AS replayed_at,
           EXTRACT(EPOCH FROM clock_timestamp() - COALESCE(
               pg_last_xact_replay_timestamp(), pg_postmaster_start_time()))::float8 AS since
    WHERE pg_is_in_recovery()
    """
)


def replica(session: Session) -> Replica | None:
    """The standby's replay when the session reads a PostgreSQL hot standby; None on a
    primary (or a promoted standby) and on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    row = session.execute(_REPLICA_SQL).one_or_none()
    if row is None:
        return None
    caught_up = bool(row.caught_up) and bool(row.receiving)
    return Replica(
        lag_seconds=0.0 if caught_up else max(0.0, float(row.since)),
        unreplayed_bytes=int(row.unreplayed),
        receiving=bool(row.receiving),
        replayed_lsn=str(row.replayed_lsn),
        replayed_at=row.replayed_at,
    )


def counts(session: Session) -> Counts:
    """Rows per table (for ``rdh index status``)."""

    def count(row: type[Any]) -> int:
        return session.scalar(select(func.count()).select_from(_table(row))) or 0

    return Counts(
        blocks=count(BlockRow),
        raw_logs=count(RawLogRow),
        events=count(EventRow),
        contracts=count(ContractRow),
        members=count(MemberRow),
        profiles=count(ProfileRow),
    )
