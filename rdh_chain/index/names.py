"""Members' names: each member's profile status, name and kind, from a profile folder.

The registry keeps a metadata hash per member; its profile is the document of
:mod:`rdh_chain.profiles` whose keccak is that hash. The index reads the documents from a
:class:`~rdh_chain.profiles.ProfileStore` (the data folder's, or
``RDH_INDEX_PROFILES_DIR``), keeps the matching ones in ``profiles`` and writes each
member's ``profile_status`` (:func:`rdh_chain.profiles.match_profile`'s), name and kind.

Member rows are derived from the registry events with their names NULL (not yet named);
:func:`refresh_names` fills them in the same transaction: the indexer
(:mod:`rdh_chain.index.ingest`) names the members a batch derives in that batch's
transaction, and every member in a rollback's and a rebuild's, so no reader sees a
member unnamed. ``rdh index sync``, ``follow`` (when it starts) and ``profiles`` name
every member again: a document added to the folder since is picked up. The rows are a
function of the members and the folder's documents alone, so a rebuild gives the same
ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from rdh_chain.index.schema import MemberRow, ProfileRow
from rdh_chain.profiles import MatchStatus, Profile, ProfileStore, match_profile
from rdh_chain.structs import checksum

__all__ = ["refresh_names"]


def refresh_names(
    session: Session,
    store: ProfileStore,
    accounts: Iterable[str] | None = None,
    *,
    pending: bool = False,
) -> int:
    """Name members from ``store``; the number of member rows changed.

    Every member by default; those of ``accounts``; or, with ``pending``, those not yet
    named. The ``profiles`` table then holds exactly the documents of matched members.
    """
    query = select(
        MemberRow.address,
        MemberRow.metadata_hash,
        MemberRow.profile_status,
        MemberRow.profile_name,
        MemberRow.profile_kind,
    )
    if pending:
        query = query.where(MemberRow.profile_status.is_(None))
    elif accounts is not None:
        query = query.where(MemberRow.address.in_(sorted({checksum(a) for a in accounts})))
    rows = session.execute(query).all()
    claims = store.claims() if rows else {}
    changes: list[dict[str, Any]] = []
    documents: dict[bytes, Profile] = {}
    for address, metadata, status, name, kind in rows:
        found = match_profile(metadata, store, checksum(address), claims=claims)
        profile = found.profile
        columns = {
            "profile_status": found.status.value,
            "profile_name": None if profile is None else profile.name,
            "profile_kind": None if profile is None else profile.kind.value,
        }
        if (status, name, kind) != tuple(columns.values()):
            changes.append({"address": address, **columns})
        if found.status is MatchStatus.MATCHED and profile is not None:
            documents[metadata] = profile
    if changes:
        session.execute(update(MemberRow), changes)
    _keep_matched_profiles(session, documents)
    return len(changes)


def _keep_matched_profiles(session: Session, found: dict[bytes, Profile]) -> None:
    """Insert the matched documents not stored yet; delete those no member matches now."""
    stored = set(session.scalars(select(ProfileRow.hash)))
    new = [
        {
            "hash": digest,
            "name": profile.name,
            "kind": profile.kind.value,
            "note": profile.note,
            "document": profile.canonical(),
        }
        for digest, profile in sorted(found.items())
        if digest not in stored
    ]
    if new:
        session.execute(insert(ProfileRow), new)
    matched = select(MemberRow.metadata_hash).where(
        MemberRow.profile_status == MatchStatus.MATCHED.value
    )
    if stored:
        session.execute(
            delete(ProfileRow)
            .where(ProfileRow.hash.not_in(matched))
            .execution_options(synchronize_session=False)
        )
