"""What the index-backed routes compute: history rows, names, statements.

Events come from :mod:`rdh_chain.index.queries` up to one block (the checkpoint, or an
earlier ``as_of``); rows and statements from the SDK's pure builders
(:mod:`rdh_chain.history`, :mod:`rdh_chain.statements`), so the gateway shows what
``rdh audit history`` and ``rdh statement`` print.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from eth_typing import ChecksumAddress

from api.index import IndexView
from api.page_models import AsOfPublic
from rdh_chain.contracts import EmcClient
from rdh_chain.events import Decoded
from rdh_chain.exceptions import NotFoundError
from rdh_chain.history import HistoryFilter, HistoryRow, build_history, filter_rows
from rdh_chain.index import queries
from rdh_chain.ledger import MemberShare
from rdh_chain.pinned_reads import PinnedReads
from rdh_chain.profiles import ProfileStore, match_profiles
from rdh_chain.share_proofs import chain_trees, read_positions
from rdh_chain.statements import Statement, build_statement, provider_accounts
from rdh_chain.structs import struct_from_abi
from rdh_chain.types import CapitalHolding, Departure, Position, Totals

# The events that give a row its EMC and period, whoever the row is about.
_CONTEXT_EVENTS = ("EmcCreated", "PeriodSettled", "EmcDissolved")


def profile_names(view: IndexView, data_dir: Path) -> dict[ChecksumAddress, str]:
    """Each member's name, marked "(unverified)" when its profile does not hash to its
    on-chain metadata.

    The index's names first (the indexer names members from its profile folder); members
    it has not named (derived since it last read the folder, or an index of an indexer
    without one) are looked up in the gateway's data folder, when it has their profiles.
    """
    found = queries.members(view.session)
    names = {m.address: m.profile.label for m in found if m.profile.label is not None}
    unnamed = {m.address: m.metadata_hash for m in found if m.address not in names}
    if unnamed:
        matches = match_profiles(unnamed, ProfileStore.in_data_dir(data_dir))
        names.update({a: m.label for a, m in matches.items() if m.label is not None})
    return names


def as_of(view: IndexView, block: int) -> AsOfPublic:
    """``block`` with its hash (the checkpoint's, or the index's block of that number), and
    the standby's lag when the view reads one."""
    if block == view.block:
        found = view.checkpoint.block_hash
    else:
        found = queries.block_hash(view.session, block)
    return AsOfPublic(
        block_number=block,
        block_hash=None if found is None else "0x" + found.hex(),
        replica_lag_s=view.replica_lag_s,
    )


def as_of_headers(at: AsOfPublic) -> dict[str, str]:
    """``X-As-Of-Block``, and when known ``X-As-Of-Hash`` and ``X-Replica-Lag-S`` (read
    from a standby), for answers without a page."""
    headers = {"X-As-Of-Block": str(at.block_number)}
    if at.block_hash is not None:
        headers["X-As-Of-Hash"] = at.block_hash
    if at.replica_lag_s is not None:
        headers["X-Replica-Lag-S"] = str(at.replica_lag_s)
    return headers


def indexed_emc(view: IndexView, address: ChecksumAddress) -> queries.EmcInfo:
    """The EMC at ``address`` as the index knows it; 404 if the factory created none there."""
    for info in queries.emcs(view.session):
        if info.address == address:
            return info
    raise NotFoundError(
        f"No EMC at {address} in the index (checkpoint block {view.block}); check the address "
        "(`GET /emcs`), or wait for the indexer if it was created just now."
    )


def emcs_at(view: IndexView, block: int) -> list[queries.EmcInfo]:
    """The EMCs the factory had created by ``block``, in order of creation."""
    return [info for info in queries.emcs(view.session) if info.block_number <= block]


def _merged(*groups: Iterable[Decoded]) -> list[Decoded]:
    seen: dict[tuple[int, int], Decoded] = {}
    for group in groups:
        for item in group:
            seen.setdefault((item.log.block_number, item.log.log_index), item)
    return [seen[key] for key in sorted(seen)]


def emc_history(
    view: IndexView, where: HistoryFilter, block: int, names: dict[ChecksumAddress, str]
) -> list[HistoryRow]:
    """The rows of ``where.emc`` (filtered by ``where``) from the events up to ``block``."""
    assert where.emc is not None
    decoded = queries.decoded_logs(view.session, emc=where.emc, upto_block=block)
    return filter_rows(build_history(decoded, names), where)


def member_history(
    view: IndexView, where: HistoryFilter, block: int, names: dict[ChecksumAddress, str]
) -> list[HistoryRow]:
    """The rows naming ``where.member`` (filtered by ``where``) up to ``block``.

    The events naming the member, with the creation, settlements and dissolution of the
    EMCs among them: a row's period is the period its EMC was in, which those events say.
    """
    assert where.member is not None
    mine = queries.decoded_logs(view.session, member=where.member, upto_block=block)
    theirs = queries.member_emcs(view.session, where.member, upto_block=block)
    if where.emc is not None:
        theirs = [e for e in theirs if e == where.emc]
    context = (
        queries.decoded_logs(view.session, emcs=theirs, names=_CONTEXT_EVENTS, upto_block=block)
        if theirs
        else []
    )
    return filter_rows(build_history(_merged(mine, context), names), where)


def emc_events(view: IndexView, emc: ChecksumAddress, block: int) -> list[Decoded]:
    """The events of ``emc`` (those it emitted and those about it) up to ``block``."""
    return queries.decoded_logs(view.session, emc=emc, upto_block=block)


def member_shares(
    emcs: list[EmcClient], account: ChecksumAddress, block: int, *, every: bool
) -> list[MemberShare]:
    """What ``account`` is promised, paid, can claim now, holds and was given notice of in
    each of ``emcs``, read at ``block`` in two JSON-RPC batches (what ``Ledger.share`` reads
    a view at a time); ``every``: keep EMCs that never named it too (else, as
    ``Ledger.shares``, those with basis points, a position or capital only)."""
    first = PinnedReads(emcs[0].w3, block) if emcs else None
    for emc in emcs:
        assert first is not None
        first.add(emc, "activeVersionId")
        first.add(emc, "capitalOf", account)
        first.add(emc, "departureOf", account)
        first.add(emc, "totals")
    values = [] if first is None else first.execute()
    rows = [values[i * 4 : i * 4 + 4] for i in range(len(emcs))]
    positions = read_positions(block, [(emc, account) for emc in emcs])
    trees = chain_trees(block)
    out = []
    for emc, (active, capital, departure, totals), position in zip(
        emcs, rows, positions, strict=True
    ):
        bps = trees(emc, int(active)).shares_of(account) if int(active) else {}
        notice = struct_from_abi(Departure, departure)
        share = MemberShare(
            emc.address,
            account,
            int(active),
            bps,
            position,
            struct_from_abi(
                CapitalHolding,
                {**capital["held"], "value": capital["value"], "poolShare": capital["poolShare"]},
            ),
            notice,
            notice.given and notice.effective(struct_from_abi(Totals, totals).periods),
        )
        named = share.bps or share.position != Position(0, 0, 0, 0) or share.capital.invested
        if every or named:
            out.append(share)
    return out


def statement(
    emc: EmcClient,
    events: list[Decoded],
    block: int,
    names: dict[ChecksumAddress, str],
    selection: tuple[int | None, int | None, int | None],
) -> Statement:
    """The EMC's statement from its ``events`` up to ``block``, each provider's claimable
    and locked amounts read from the chain at that same block."""
    accounts = provider_accounts(emc.address, events)
    read = read_positions(block, [(emc, account) for account in accounts])
    positions: dict[ChecksumAddress, Position] = dict(zip(accounts, read, strict=True))
    period, from_period, to_period = selection
    return build_statement(
        emc.address,
        events,
        names=names,
        positions=positions,
        positions_block=block,
        period=period,
        from_period=from_period,
        to_period=to_period,
        as_of_block=block,
    )
