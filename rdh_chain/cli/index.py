"""``rdh index``: the event index, synced from the chain, followed, rebuilt, inspected."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from rdh_chain.chain.connect import connect
from rdh_chain.cli.context import JsonOption, get_state
from rdh_chain.cli.output import echo, echo_json, fields, note
from rdh_chain.deployment import Deployment
from rdh_chain.exceptions import ChainNotRunningError
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.ingest import Progress as SyncProgress
from rdh_chain.index.ingest import rebuild as rebuild_index
from rdh_chain.index.names import refresh_names
from rdh_chain.index.settings import IndexSettings
from rdh_chain.profiles import Profile, ProfileError, ProfileStore

index_app = typer.Typer(
    help="The event index: every rdh-chain event in a database (RDH_INDEX_URL).",
    no_args_is_help=True,
)

IndexUrlOption = Annotated[
    str | None,
    typer.Option(
        "--index-url",
        help="SQLAlchemy URL of the index (default: $RDH_INDEX_URL, else "
        "sqlite:///<data-dir>/index.sqlite).",
    ),
]
ConfirmationsOption = Annotated[
    int | None,
    typer.Option(
        "--confirmations",
        min=0,
        help="Blocks behind the head to wait for (default: $RDH_INDEX_CONFIRMATIONS, else 0).",
    ),
]


ProfilesDirOption = Annotated[
    Path | None,
    typer.Option(
        "--profiles-dir",
        file_okay=False,
        help="Folder of the member profile documents members are named from (default: "
        "$RDH_INDEX_PROFILES_DIR, else <data-dir>/profiles).",
    ),
]


def _settings(
    ctx: typer.Context,
    url: str | None,
    confirmations: int | None = None,
    profiles_dir: Path | None = None,
) -> IndexSettings:
    overrides: dict[str, Any] = {"data_dir": get_state(ctx).settings.data_dir}
    if url is not None:
        overrides["url"] = url
    if confirmations is not None:
        overrides["confirmations"] = confirmations
    if profiles_dir is not None:
        overrides["profiles_dir"] = profiles_dir
    return IndexSettings(**overrides)


def _name_members(db: IndexDb, store: ProfileStore) -> int:
    """Name every member again from ``store``, in one transaction (a document added to the
    folder since names its member; the indexer names the members it derives itself)."""
    with db.transaction() as session:
        return refresh_names(session, store)


def _names_summary(db: IndexDb) -> str:
    with db.session() as session:
        found = queries.profile_counts(session)
    text = f"{found.matched} named, {found.mismatch} mismatched, {found.missing} missing"
    return text + (f", {found.pending} not yet named" if found.pending else "")


@contextmanager
def _indexer(
    ctx: typer.Context,
    url: str | None,
    confirmations: int | None,
    profiles_dir: Path | None = None,
) -> Iterator[Indexer]:
    state = get_state(ctx)
    settings = _settings(ctx, url, confirmations, profiles_dir)
    w3 = connect(state.settings.rpc_url)
    deployment = Deployment.load(state.settings.deployment_file)
    deployment.check(w3)
    db = IndexDb.open(settings.database_url)
    try:
        yield Indexer(db, w3.provider, deployment, queries.default_decoder(), settings)
    finally:
        db.close()


def _bar(console: Console) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("blocks"),
        TextColumn("{task.fields[logs]:,} logs"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl-C (or SIGTERM): the loop stops between batches, committed."""
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@index_app.command("sync")
def sync(
    ctx: typer.Context,
    index_url: IndexUrlOption = None,
    confirmations: ConfirmationsOption = None,
    until: Annotated[
        int | None, typer.Option("--until", min=0, help="Stop at this block (default: the head).")
    ] = None,
    profiles_dir: ProfilesDirOption = None,
) -> None:
    """Backfill the index from its checkpoint to the chain's head, name members, then exit.

    Every member is named again from the profile folder: a document added since the
    last sync is picked up.
    """
    console = Console(stderr=True)
    with (
        _indexer(ctx, index_url, confirmations, profiles_dir) as indexer,
        _stop_on_signals() as stop,
        _bar(console) as bar,
    ):
        task = bar.add_task("indexing", total=None, logs=0)

        def show(p: SyncProgress) -> None:
            total = max(1, p.target - p.start_block + 1)
            done = max(0, p.checkpoint - p.start_block + 1)
            bar.update(task, total=total, completed=done, logs=p.logs)

        result = indexer.sync(until=until, progress=show, stop=stop)
        _name_members(indexer.db, indexer.settings.profile_store)
        named = _names_summary(indexer.db)
    echo(
        f"indexed to block {result.checkpoint} (head {result.head}): {result.logs:,} new logs"
        + (f", {result.reorgs} reorg(s) rolled back" if result.reorgs else "")
        + ("; stopped early" if stop.is_set() else "")
    )
    echo(f"members: {named}")


@index_app.command("follow")
def follow(
    ctx: typer.Context,
    index_url: IndexUrlOption = None,
    confirmations: ConfirmationsOption = None,
    profiles_dir: ProfilesDirOption = None,
) -> None:
    """Sync, then keep following new blocks until Ctrl-C, naming new members as they come.

    Every member is named from the profile folder when it starts; after that, the members
    each block adds or changes, in the block's own transaction (`rdh index profiles`
    reads the folder again for all).
    """
    with (
        _indexer(ctx, index_url, confirmations, profiles_dir) as indexer,
        _stop_on_signals() as stop,
    ):
        # A document added to the folder since the last run names its member now.
        _name_members(indexer.db, indexer.settings.profile_store)
        last = [indexer.position().number]

        def show(p: SyncProgress) -> None:
            if p.checkpoint != last[0]:
                note(f"block {p.checkpoint} (head {p.head}), {p.logs} new logs")
                last[0] = p.checkpoint

        def failed(error: Exception) -> None:
            note(f"warning: {error}; trying again")

        note(f"following from block {last[0]}; Ctrl-C stops")
        indexer.follow(stop, progress=show, on_error=failed)
    echo(f"stopped at block {last[0]}")


@index_app.command("rebuild")
def rebuild(
    ctx: typer.Context, index_url: IndexUrlOption = None, profiles_dir: ProfilesDirOption = None
) -> None:
    """Derive the derived tables again from the stored raw logs and the profile folder.

    No chain access: the same raw logs and profile documents give the same rows.
    """
    settings = _settings(ctx, index_url, None, profiles_dir)
    db = IndexDb.open(settings.database_url)
    console = Console(stderr=True)
    try:
        with _bar(console) as bar:
            task = bar.add_task("rebuilding", total=None, logs=0)

            def show(done: int, total: int) -> None:
                bar.update(task, total=total, completed=done, logs=done)

            made = rebuild_index(
                db, queries.default_decoder(), show, profiles=settings.profile_store
            )
        named = _names_summary(db)
    finally:
        db.close()
    echo(f"rebuilt {made:,} events from the raw logs; members: {named}")


@index_app.command("profiles")
def profiles(
    ctx: typer.Context,
    documents: Annotated[
        list[Path] | None,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="Profile documents (JSON) to add to the profile folder first.",
        ),
    ] = None,
    index_url: IndexUrlOption = None,
    profiles_dir: ProfilesDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Name every member again from the profile folder (no chain access).

    A profile added to the folder after the sync (`rdh member profile`, a copied
    document, or DOCUMENTS here) is picked up; those that do not match are listed.
    """
    settings = _settings(ctx, index_url, None, profiles_dir)
    store = settings.profile_store
    added = [store.put(_read_profile(path)) for path in documents or ()]
    db = IndexDb.open(settings.database_url)
    try:
        changed = _name_members(db, store)
        with db.session() as session:
            found = queries.profile_counts(session)
            unmatched = [m for m in queries.members(session) if not m.profile.trusted]
        named = _names_summary(db)
    finally:
        db.close()
    if as_json:
        echo_json(
            {
                "profiles_dir": str(store.folder),
                "added": ["0x" + digest.hex() for digest in added],
                "changed": changed,
                "members": _counts_json(found),
                "unmatched": [
                    {
                        "address": m.address,
                        "status": m.profile.status.value,
                        "name": m.profile.name,
                        "metadata": "0x" + m.metadata_hash.hex(),
                    }
                    for m in unmatched
                ],
            }
        )
        return
    for digest in added:
        note(f"added profile 0x{digest.hex()} to {store.folder}")
    echo(f"members: {named} ({changed} changed) from {store.folder}")
    for m in unmatched:
        shown = m.profile.label or "-"
        echo(f"  {m.profile.status.value:8}  {m.address}  {shown}")


def _read_profile(path: Path) -> Profile:
    try:
        return Profile.parse(path.read_bytes())
    except ProfileError as exc:
        raise ProfileError(f"{path}: {exc}") from exc


def _counts_json(found: queries.ProfileCounts) -> dict[str, int]:
    return {
        "matched": found.matched,
        "mismatch": found.mismatch,
        "missing": found.missing,
        "pending": found.pending,
    }


@index_app.command("status")
def status(
    ctx: typer.Context, index_url: IndexUrlOption = None, as_json: JsonOption = False
) -> None:
    """The checkpoint, the chain's head, the lag, the rows per table, members' profiles."""
    state = get_state(ctx)
    settings = _settings(ctx, index_url, None)
    head: int | None
    try:
        head = connect(state.settings.rpc_url).eth.block_number
    except ChainNotRunningError:
        head = None
    db = IndexDb.open(settings.database_url)
    try:
        with db.session() as session:
            point = queries.checkpoint(session)
            counts = queries.counts(session)
            named = queries.profile_counts(session)
            lag = None if head is None else queries.lag(session, head)
    finally:
        db.close()
    report: dict[str, Any] = {
        "url": db.engine.url.render_as_string(hide_password=True),
        "checkpoint": None
        if point is None
        else {
            "block_number": point.block_number,
            "block_hash": None if point.block_hash is None else "0x" + point.block_hash.hex(),
            "block_time": point.block_time,
            "start_block": point.start_block,
            "registry": point.registry,
        },
        "head": head,
        "lag_blocks": None if lag is None else lag.blocks,
        "rows": {
            "blocks": counts.blocks,
            "raw_logs": counts.raw_logs,
            "events": counts.events,
            "contracts": counts.contracts,
            "members": counts.members,
            "profiles": counts.profiles,
        },
        "member_profiles": _counts_json(named),
    }
    if as_json:
        echo_json(report)
        return
    pairs = [("index", report["url"])]
    if point is None:
        pairs.append(("checkpoint", "never synced (`rdh index sync`)"))
    else:
        pairs.append(("checkpoint", f"block {point.block_number}"))
    pairs.append(("head", "node not answering" if head is None else str(head)))
    if lag is not None:
        pairs.append(("lag", f"{lag.blocks} blocks"))
    pairs += [(f"{name} rows", f"{n:,}") for name, n in report["rows"].items()]
    pairs.append(
        (
            "member profiles",
            f"{named.matched} matched, {named.mismatch} mismatched, {named.missing} missing"
            + (f", {named.pending} not yet read" if named.pending else ""),
        )
    )
    fields(pairs)
