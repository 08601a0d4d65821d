"""Reading the chain for the index: block ranges of raw logs, headers, reorgs.

Everything goes through raw JSON-RPC (:func:`rdh_chain.events.fetch_logs` and batched
``eth_getBlockByNumber``): web3's result formatters are an order of magnitude slower
than the node. :class:`ChainReader` turns the chain into a stream of steps, as ponder's
sync does:

- :class:`Batch`: the logs of every rdh-chain contract in ``[from_block, to_block]``,
  with the headers of the blocks that hold them and of ``to_block`` (the next
  checkpoint). An EMC the factory creates in the range is read over the same range
  before the batch is handed out, so its first logs (its ``EmcInitialized`` comes
  before the factory's ``EmcCreated``) are never missed.
- :class:`Reorg`: the checkpoint's block is no longer on the chain (also after the
  indexer was down); roll back to ``ancestor``, the newest stored block the node still
  has, and read again from there. A stored block whose hash the node still reports
  proves everything below it unchanged: block hashes commit to their ancestors.

Blocks are read up to ``head - confirmations``. Within a batch the headers are checked
against the logs' block hashes and (for short ranges, as in follow mode) linked by parent
hash to the checkpoint; a chain that moves while a batch is read makes the batch be read
again. The ``eth_getLogs`` range adapts to the node's caps as the verifier's does
(:class:`rdh_chain.log_ranges.BlockRange`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

import requests
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain.events import LogQueryError, RawLog, fetch_logs
from rdh_chain.index.errors import IndexSyncError
from rdh_chain.index.fetcher import LogFetcher, fetcher_target, log_fetcher
from rdh_chain.log_ranges import BlockRange
from rdh_chain.structs import checksum

EMC_CREATED_TOPIC = keccak(text="EmcCreated(uint256,address,address,address)")

# Ranges up to this many blocks are checked header by header (parent hash links).
LINKED_RANGE = 128
# Attempts at one request when the connection fails (not when the node refuses).
_RETRIES = 5
# Batches read again in a row because the chain moved under them, before giving up.
_MOVED_RETRIES = 20


class Provider(Protocol):
    """What the reader needs of a web3 provider: raw requests (batched where it can:
    ``make_batch_request``, as web3's HTTP provider has)."""

    def make_request(self, method: Any, params: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class Header:
    number: int
    hash: bytes
    parent_hash: bytes
    timestamp: int

    @classmethod
    def from_rpc(cls, block: dict[str, Any]) -> Header:
        return cls(
            number=int(block["number"], 16),
            hash=bytes.fromhex(block["hash"][2:]),
            parent_hash=bytes.fromhex(block["parentHash"][2:]),
            timestamp=int(block["timestamp"], 16),
        )


@dataclass(frozen=True, slots=True)
class Batch:
    """Every rdh-chain log in ``[from_block, to_block]``, ordered, with their headers.

    ``headers`` holds the blocks with logs and ``to_block``'s, ascending; ``head`` is
    the chain's head when the batch was read.
    """

    from_block: int
    to_block: int
    logs: tuple[RawLog, ...]
    headers: tuple[Header, ...]
    head: int

    @property
    def last(self) -> Header:
        return self.headers[-1]


@dataclass(frozen=True, slots=True)
class Reorg:
    """The blocks above ``ancestor`` were replaced: delete them, then read again."""

    ancestor: int
    ancestor_hash: bytes | None
    replaced_from: int


@dataclass(frozen=True, slots=True)
class Position:
    """Where the index is: the checkpoint, and the stored blocks to look back through."""

    number: int
    hash: bytes | None


Step = Batch | Reorg


class ChainMovedError(IndexSyncError):
    """The chain changed while a batch was read; the batch is read again."""


class Rpc:
    """Raw JSON-RPC over a web3 provider, retrying dropped connections.

    ``eth_getLogs`` over a plain HTTP provider goes through a fetcher process
    (:mod:`rdh_chain.index.fetcher`: the node's JSON is parsed there, beside the writer);
    ``fetch_process=False`` reads it on this process.
    """

    def __init__(self, provider: Provider, *, fetch_process: bool = True) -> None:
        self.provider = provider
        target = fetcher_target(provider) if fetch_process else None
        self.fetcher: LogFetcher | None = None if target is None else log_fetcher(*target)

    def _retry(self, send: Callable[[], Any], what: str) -> Any:
        delay = 0.1
        for attempt in range(_RETRIES):
            try:
                return send()
            except (requests.RequestException, ConnectionError) as exc:
                if attempt == _RETRIES - 1:
                    raise IndexSyncError(
                        f"The node does not answer {what} ({exc.__class__.__name__}); "
                        "check RDH_RPC_URL and that the node runs."
                    ) from exc
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def call(self, method: str, params: Sequence[Any]) -> Any:
        response = self._retry(lambda: self.provider.make_request(method, list(params)), method)
        if response.get("error"):
            raise IndexSyncError(f"{method} failed: {response['error']}")
        return response["result"]

    def _batch(self, calls: list[tuple[str, list[Any]]]) -> Any:
        batch = getattr(self.provider, "make_batch_request", None)
        if batch is None:
            return [self.provider.make_request(method, params) for method, params in calls]
        return batch(calls)

    def block_number(self) -> int:
        return int(self.call("eth_blockNumber", []), 16)

    def headers(self, numbers: Iterable[int], batch_size: int) -> dict[int, Header | None]:
        """The headers of ``numbers`` (None for a block the node does not have)."""
        wanted = sorted(set(numbers))
        found: dict[int, Header | None] = {}
        for start in range(0, len(wanted), batch_size):
            chunk = wanted[start : start + batch_size]
            calls = [("eth_getBlockByNumber", [hex(n), False]) for n in chunk]
            replies = self._retry(partial(self._batch, calls), "eth_getBlockByNumber")
            if not isinstance(replies, list):
                raise IndexSyncError(f"eth_getBlockByNumber batch failed: {replies}")
            for number, reply in zip(chunk, replies, strict=True):
                if reply.get("error"):
                    raise IndexSyncError(f"eth_getBlockByNumber({number}): {reply['error']}")
                block = reply.get("result")
                found[number] = None if block is None else Header.from_rpc(block)
        return found

    def logs(self, from_block: int, to_block: int, addresses: Sequence[str]) -> list[RawLog]:
        fetcher = self.fetcher
        if fetcher is not None:
            return self._retry(  # type: ignore[no-any-return]
                lambda: fetcher.logs(from_block, to_block, list(addresses)), "eth_getLogs"
            )
        return self._retry(  # type: ignore[no-any-return]
            lambda: fetch_logs(self.provider, from_block, to_block, list(addresses)),
            "eth_getLogs",
        )

    def close(self) -> None:
        if self.fetcher is not None:
            self.fetcher.close()


class ChainReader:
    """Reads the steps that bring an index at ``position`` up to the chain.

    ``addresses`` are the contracts whose logs are read (the deployment's and the EMCs
    known so far), each with the block that created it (None: the deployment's);
    ``factory``'s ``EmcCreated`` logs add EMCs as they come, and a reorg drops those it
    removed. Only the reader touches them, so it may run on a thread of its own.
    ``stored_blocks(below, limit)`` lists stored (number, hash) pairs, newest first, to
    find a reorg's common ancestor.
    """

    def __init__(
        self,
        provider: Provider,
        *,
        factory: str,
        addresses: Mapping[str, int | None],
        start_block: int,
        confirmations: int = 0,
        block_range: int = 2_000,
        max_block_range: int = 100_000,
        range_logs: int = 10_000,
        header_batch: int = 500,
    ) -> None:
        self.rpc = Rpc(provider)
        self.factory = checksum(factory)
        self.addresses: dict[ChecksumAddress, int | None] = {
            checksum(a): block for a, block in addresses.items()
        }
        self.addresses.setdefault(self.factory, None)
        self.start_block = start_block
        self.confirmations = confirmations
        self.range = BlockRange(block_range, max_block_range, range_logs)
        self.header_batch = header_batch

    def target(self) -> tuple[int, int]:
        """The chain's head and the last block to index (``head - confirmations``)."""
        head = self.rpc.block_number()
        return head, head - self.confirmations

    def steps(
        self,
        position: Position,
        stored_blocks: Callable[[int, int], Sequence[tuple[int, bytes]]],
        until: int | None = None,
    ) -> Iterator[Step]:
        """Steps from ``position`` up to the target block read now (or ``until``).

        The caller applies each step before asking for the next one and tells the new
        position through the generator's ``send``-free protocol: it is what the step says.
        """
        head, target = self.target()
        if until is not None:
            target = min(target, until)
        number, block_hash = position.number, position.hash
        moved = 0
        if block_hash is not None and number >= self.start_block:
            reorg = self.check(number, block_hash, stored_blocks)
            if reorg is not None:
                yield self._rolled_back(reorg)
                number, block_hash = reorg.ancestor, reorg.ancestor_hash
        while number < target:
            try:
                batch = self.read(number, block_hash, target, head)
            except ChainMovedError as error:
                moved += 1
                if moved > _MOVED_RETRIES:
                    raise IndexSyncError(
                        f"The chain kept changing while blocks {number + 1}-{target} were read "
                        f"({error}); the node's logs and headers disagree."
                    ) from error
                head, target = self.target()
                if until is not None:
                    target = min(target, until)
                reorg = (
                    self.check(number, block_hash, stored_blocks)
                    if block_hash is not None
                    else None
                )
                if reorg is not None:
                    yield self._rolled_back(reorg)
                    number, block_hash = reorg.ancestor, reorg.ancestor_hash
                continue
            moved = 0
            yield batch
            number, block_hash = batch.to_block, batch.last.hash

    def check(
        self,
        number: int,
        block_hash: bytes,
        stored_blocks: Callable[[int, int], Sequence[tuple[int, bytes]]],
    ) -> Reorg | None:
        """None if block ``number`` is still ``block_hash`` on chain, else the reorg."""
        header = self.rpc.headers([number], 1)[number]
        if header is not None and header.hash == block_hash:
            return None
        return self.find_ancestor(number, stored_blocks)

    def find_ancestor(
        self, replaced: int, stored_blocks: Callable[[int, int], Sequence[tuple[int, bytes]]]
    ) -> Reorg:
        """The newest stored block below ``replaced`` that the chain still has."""
        below = replaced
        while True:
            candidates = stored_blocks(below, self.header_batch)
            if not candidates:
                return Reorg(self.start_block - 1, None, self.start_block)
            on_chain = self.rpc.headers([n for n, _ in candidates], self.header_batch)
            for stored_number, stored_hash in candidates:
                header = on_chain[stored_number]
                if header is not None and header.hash == stored_hash:
                    return Reorg(stored_number, stored_hash, stored_number + 1)
            below = candidates[-1][0]

    def read(self, number: int, block_hash: bytes | None, target: int, head: int) -> Batch:
        """The batch after block ``number`` (whose hash is ``block_hash``), up to ``target``."""
        first = number + 1
        while True:
            last = self.range.last(first, target)
            before = self.rpc.headers([last], 1)[last]
            if before is None:
                raise ChainMovedError(f"block {last} is gone")
            try:
                found = self.range.attempt(first, last, self._logs)
            except LogQueryError as error:
                raise IndexSyncError(
                    f"eth_getLogs over blocks {first}-{last} refused: {error.message} "
                    f"({error.code})"
                ) from error
            if found is not None:
                logs = found
                break
        if any(log.removed for log in logs):
            raise ChainMovedError("the node flagged removed logs")
        wanted = {log.block_number for log in logs} | {last}
        linked = last - first < LINKED_RANGE
        if linked:
            wanted |= set(range(first, last + 1))
        if block_hash is not None:
            wanted.add(number)
        headers = self.rpc.headers(wanted, self.header_batch)
        after = headers[last]
        if after is None or after.hash != before.hash:
            raise ChainMovedError(f"block {last} changed while its range was read")
        if block_hash is not None:
            checkpoint = headers[number]
            if checkpoint is None or checkpoint.hash != block_hash:
                raise ChainMovedError(f"block {number} (the checkpoint) was replaced")
        for log in logs:
            header = headers[log.block_number]
            if header is None or header.hash != log.block_hash:
                raise ChainMovedError(f"block {log.block_number} changed under its logs")
        if linked:
            parent = block_hash
            for n in range(first, last + 1):
                header = headers[n]
                if header is None or (parent is not None and header.parent_hash != parent):
                    raise ChainMovedError(f"block {n} does not link to block {n - 1}")
                parent = header.hash
        kept = sorted({log.block_number for log in logs} | {last})
        return Batch(
            from_block=first,
            to_block=last,
            logs=tuple(logs),
            headers=tuple(h for n in kept if (h := headers[n]) is not None),
            head=head,
        )

    def _logs(self, first: int, last: int) -> list[RawLog]:
        """The logs of every known contract in the range, and of the EMCs created in it."""
        logs = self.rpc.logs(first, last, sorted(self.addresses))
        fresh = self._created(logs)
        while fresh:
            # A created EMC's logs start in its creation block, possibly before the
            # EmcCreated log itself (its EmcInitialized does).
            since = min(fresh.values())
            self.addresses.update(fresh)
            more = self.rpc.logs(since, last, sorted(fresh))
            logs.extend(more)
            fresh = {a: b for a, b in self._created(more).items() if a not in self.addresses}
        logs.sort(key=lambda log: (log.block_number, log.log_index))
        return logs

    def _created(self, logs: Iterable[RawLog]) -> dict[ChecksumAddress, int]:
        """EMC address -> creation block, for ``EmcCreated`` logs of unknown EMCs."""
        created: dict[ChecksumAddress, int] = {}
        for log in logs:
            if (
                log.address == self.factory
                and len(log.topics) == 4
                and log.topics[0] == EMC_CREATED_TOPIC
            ):
                emc = checksum(log.topics[2][12:])
                if emc not in self.addresses:
                    created.setdefault(emc, log.block_number)
        return created

    def _rolled_back(self, reorg: Reorg) -> Reorg:
        """Stop reading the EMCs whose creation ``reorg`` removed; returns it."""
        self.addresses = {
            a: block
            for a, block in self.addresses.items()
            if block is None or block <= reorg.ancestor
        }
        return reorg
