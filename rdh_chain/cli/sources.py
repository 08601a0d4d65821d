"""Where the auditor's commands read the events: the index, or the chain.

``rdh audit history|export|verify`` and ``rdh statement`` take the same two options,
``--source auto|index|chain`` and ``--index-url``, and read through :class:`EventSource`:

- the index (``--index-url``, else ``$RDH_INDEX_URL``, else ``index.sqlite`` in the data
  folder), opened read-only, is used if it belongs to this deployment and its checkpoint
  block is still the chain's; its events are read up to the checkpoint. With ``auto`` an
  index that cannot serve (none, never synced, another deployment's, reorganised away,
  an old schema) is said on stderr and the chain is read instead; with ``index`` it is an
  error.
- the chain is read as the indexer reads it (:class:`rdh_chain.index.sync.ChainReader`:
  ``eth_getLogs`` ranges that adapt to the node's caps, EMCs learnt from the factory's
  logs, headers checked against the logs), up to the head.

Either way the result (:class:`Events`) holds the decoded events in chain order, the block
they are complete up to, and the names to show beside addresses (:func:`member_names`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from eth_typing import ChecksumAddress
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from rdh_chain.cli.context import CliState
from rdh_chain.cli.output import note
from rdh_chain.events import Decoded, EventDecoder, RawLog
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.history import member_metadata
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.errors import IndexConfigError
from rdh_chain.index.settings import IndexSettings
from rdh_chain.index.sync import Batch, ChainReader
from rdh_chain.index.sync import Position as ReadPosition
from rdh_chain.profiles import ProfileStore, match_profiles

__all__ = [
    "EventSource",
    "Events",
    "IndexUrlOption",
    "Source",
    "SourceOption",
    "member_names",
    "table_console",
]

# (stage, done, total): "blocks" while the chain is read.
Progress = Callable[[str, int, int], None]


class Source(StrEnum):
    AUTO = "auto"  # the index if it can serve this deployment, else the chain
    INDEX = "index"
    CHAIN = "chain"


SourceOption = Annotated[
    Source,
    typer.Option(
        "--source",
        case_sensitive=False,
        help="Read the events from the index (up to its checkpoint), from the chain (up to "
        "its head), or from the index when there is a synced one of this deployment (auto).",
    ),
]
IndexUrlOption = Annotated[
    str | None,
    typer.Option(
        "--index-url",
        help="SQLAlchemy URL of the index (default: $RDH_INDEX_URL, else "
        "sqlite:///<data-dir>/index.sqlite).",
    ),
]


@dataclass(frozen=True)
class Events:
    """Decoded events in chain order, complete up to ``block``; ``origin`` is ``"index"``
    or ``"chain"``; ``names`` maps addresses to the names to show beside them."""

    decoded: list[Decoded]
    block: int
    origin: str
    names: Mapping[ChecksumAddress, str]

    @property
    def read_from(self) -> str:
        """Where they came from, for a sentence: ``the index`` or ``the node``."""
        return "the index" if self.origin == "index" else "the node"


class _IndexUnusableError(Exception):
    """The index cannot serve this read (the reason is the message)."""


class EventSource:
    """The events of this CLI run's deployment, from the source the options chose."""

    def __init__(
        self, state: CliState, source: Source = Source.AUTO, index_url: str | None = None
    ) -> None:
        self.state = state
        self.source = source
        overrides: dict[str, Any] = {"data_dir": state.settings.data_dir}
        if index_url is not None:
            overrides["url"] = index_url
        self.settings = IndexSettings(**overrides)

    def read(
        self,
        *,
        emc: ChecksumAddress | None = None,
        block: int | None = None,
        progress: Progress | None = None,
    ) -> Events:
        """The events up to ``block`` (default: the index's checkpoint, else the head).

        ``emc`` narrows what the index reads to that EMC's events (its own, its creation
        and its token transfers); the chain is read whole, so callers pick the EMC's out.
        """
        ledger = self.state.ledger
        head = ledger.w3.eth.block_number
        if block is not None and block > head:
            raise InvalidInputError(f"--block {block} is past the chain's head ({head}).")
        if block is not None and block < ledger.deployment.block:
            raise InvalidInputError(
                f"--block {block} is before the deployment (block {ledger.deployment.block})."
            )
        if self.source is not Source.CHAIN:
            try:
                return self._from_index(emc, block, head)
            except _IndexUnusableError as why:
                if self.source is Source.INDEX:
                    raise InvalidInputError(
                        f"{why}; run `rdh index sync` or use --source chain."
                    ) from None
                reason = str(why)
                note(
                    f"No index to read ({reason[:1].lower()}{reason[1:]}): reading the events "
                    "from the node."
                )
        at = head if block is None else block
        decoded = self._from_chain(at, progress)
        return Events(decoded, at, "chain", member_names(self.state, member_metadata(decoded)))

    # -- the index ------------------------------------------------------------------------

    def _from_index(self, emc: ChecksumAddress | None, block: int | None, head: int) -> Events:
        url = self.settings.database_url
        if not _exists(url):
            raise _IndexUnusableError(f"There is no index at {url}")
        try:
            db = IndexDb.open(url, upgrade=False)  # a reader: only `rdh index sync` migrates
        except SQLAlchemyError as exc:
            raise _IndexUnusableError(f"The index at {url} cannot be opened ({exc})") from exc
        shown = db.engine.url.render_as_string(hide_password=True)
        try:
            db.check_current()
            with db.session() as session:
                point = queries.checkpoint(session)
                if point is None or point.block_hash is None:
                    raise _IndexUnusableError(f"The index at {shown} has never been synced")
                d = self.state.ledger.deployment
                if (point.chain_id, point.registry) != (d.chain_id, d.registry):
                    raise _IndexUnusableError(
                        f"The index at {shown} is of another deployment (registry "
                        f"{point.registry} on chain {point.chain_id})"
                    )
                if not self._on_chain(point.block_number, point.block_hash, head):
                    raise _IndexUnusableError(
                        f"The index at {shown} is at block {point.block_number}, which the "
                        "chain no longer has (reorganised or reset)"
                    )
                at = point.block_number if block is None else block
                if at > point.block_number:
                    raise InvalidInputError(
                        f"--block {at} is past the index's checkpoint ({point.block_number}): "
                        "run `rdh index sync`, or pass --source chain."
                    )
                decoded = queries.decoded_logs(session, emc=emc, upto_block=at)
                members = queries.members(session)
        except IndexConfigError as exc:  # an older schema, or no schema at all
            raise _IndexUnusableError(str(exc).rstrip(".")) from exc
        except SQLAlchemyError as exc:
            why = exc.__class__.__name__
            raise _IndexUnusableError(f"The index at {shown} cannot be read ({why})") from exc
        finally:
            db.close()
        if block is None and at < head:
            note(
                f"read from the index at block {at}, {head - at} block(s) behind the chain's "
                "head; `rdh index sync` catches up"
            )
        # The index's names (its indexer read the profiles); the data folder's for the rest.
        named = {m.address: m.profile.label for m in members if m.profile.label is not None}
        metadata = {m.address: m.metadata_hash for m in members}
        return Events(decoded, at, "index", member_names(self.state, metadata, named))

    def _on_chain(self, number: int, block_hash: bytes, head: int) -> bool:
        """Whether the chain's block ``number`` is the one the index recorded."""
        if number > head:
            return False
        return bytes(self.state.ledger.w3.eth.get_block(number)["hash"]) == block_hash

    # -- the chain ------------------------------------------------------------------------

    def _from_chain(self, upto: int, progress: Progress | None) -> list[Decoded]:
        """Every event of the deployment up to ``upto``, read as the indexer reads them."""
        ledger, settings = self.state.ledger, self.settings
        d = ledger.deployment
        reader = ChainReader(
            ledger.w3.provider,
            factory=d.factory,
            addresses=dict.fromkeys(d.contracts.values()),
            start_block=d.block,
            block_range=settings.block_range,
            max_block_range=settings.max_block_range,
            range_logs=settings.range_logs,
            header_batch=settings.header_batch,
        )
        logs: list[RawLog] = []
        times: dict[int, int] = {}
        seen: list[tuple[int, bytes]] = []  # (number, hash) of the blocks read, ascending

        def stored(below: int, limit: int) -> list[tuple[int, bytes]]:
            return [b for b in reversed(seen) if b[0] < below][:limit]

        for step in reader.steps(ReadPosition(d.block - 1, None), stored, until=upto):
            if not isinstance(step, Batch):  # a reorg: forget what it replaced
                logs = [log for log in logs if log.block_number <= step.ancestor]
                seen = [b for b in seen if b[0] <= step.ancestor]
                continue
            logs.extend(step.logs)
            for header in step.headers:
                times[header.number] = header.timestamp
                seen.append((header.number, header.hash))
            if progress is not None:
                progress("blocks", step.to_block - d.block + 1, upto - d.block + 1)
        timed = [
            log
            if log.block_timestamp is not None
            else replace(log, block_timestamp=times[log.block_number])
            for log in logs
        ]
        decoder = EventDecoder.from_abis(a.abi for a in ledger.artifacts.values())
        return decoder.decode_all(timed)


def _exists(url: str) -> bool:
    """False for an SQLite file that is not there (opening it would create it)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return True  # opening it says what is wrong
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return True
    return Path(parsed.database).exists()


def member_names(
    state: CliState,
    metadata: Mapping[ChecksumAddress, bytes],
    named: Mapping[ChecksumAddress, str] | None = None,
) -> dict[ChecksumAddress, str]:
    """The name to show beside each address, the one helper every auditor's view uses.

    ``named`` first (the index's names, from the profiles its indexer read); then, for
    the other members (``metadata``: each one's registry metadata), the data folder's
    profile documents, a profile that is not the metadata's marked unverified
    (:func:`rdh_chain.profiles.match_profiles`); last, the name of the local wallet that
    holds the address.
    """
    names: dict[ChecksumAddress, str] = dict(state.labels())
    given = named or {}
    rest = {a: m for a, m in metadata.items() if a not in given}
    store = ProfileStore.in_data_dir(state.settings.data_dir)
    for address, found in match_profiles(rest, store).items():
        if found.label is not None:
            names[address] = found.label
    names.update(given)
    return names


def table_console() -> Console:
    """A console for the auditor's tables: the terminal's width, or, piped or captured (no
    terminal to fit), wide enough that addresses and hashes stay on one line."""
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=260)
