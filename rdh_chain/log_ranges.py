"""``eth_getLogs`` ranges that adapt to what the node accepts.

Nodes and providers cap a log query by its block range (Alchemy, Erigon) or by the logs
it returns (Besu and Geth: 10,000 by default; Infura). :class:`BlockRange` is the span
to ask for next: it shrinks when the node refuses a query for its size (to the node's
suggestion when the refusal carries one), grows back after successes, and narrows to
hold about ``logs`` logs. :func:`is_range_refusal` tells such a refusal from any other
error. :func:`read_logs` reads a whole span with them; the index's reader
(:class:`rdh_chain.index.sync.ChainReader`) uses :meth:`BlockRange.attempt` between its
own header checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rdh_chain.events import LogQueryError, RawLog, RpcProvider, fetch_logs

__all__ = ["BlockRange", "is_range_refusal", "read_logs"]

# What nodes and providers answer when a getLogs range is too wide or too full: Besu
# and Geth ("query returned more than 10000 results", -32005), Alchemy ("Log response
# size exceeded", "exceed maximum block range", -32602), Infura ("query returned more
# than 10000 results"), QuickNode, Erigon ("block range too large" / "limit exceeded").
_RANGE_CODES = frozenset({-32005, -32602, -32600, -32614})
_RANGE_WORDS = re.compile(
    r"more than \d+ results|block range|range (is )?too (large|big|wide)|limit exceeded"
    r"|response size|too many (results|logs|blocks)|exceed(s|ed)? (the )?max|query timeout",
    re.IGNORECASE,
)
# A suggestion in the refusal: Alchemy's "this block range should work: [0x1, 0x2]",
# Infura's "Try with this block range [0x1, 0x2]".
_SUGGESTED_RANGE = re.compile(r"\[\s*(0x[0-9a-fA-F]+)\s*,\s*(0x[0-9a-fA-F]+)\s*\]")
# read_logs' first range, and its widest.
READ_RANGE = 50_000
MAX_READ_RANGE = 100_000


def is_range_refusal(error: LogQueryError) -> bool:
    """Whether the node refused the query for its size (so a smaller one may pass)."""
    return error.code in _RANGE_CODES or bool(_RANGE_WORDS.search(error.message))


def _suggestion(error: LogQueryError) -> int | None:
    match = _SUGGESTED_RANGE.search(f"{error.message} {error.data}")
    if match is None:
        return None
    low, high = (int(v, 16) for v in match.groups())
    return high - low + 1 if high >= low else None


class BlockRange:
    """The ``eth_getLogs`` range: halved (or set to the node's suggestion) on a refusal,
    doubled again after each success, between 1 and ``maximum`` blocks; and sized to
    hold about ``logs`` logs, so that reading one range overlaps writing the last."""

    def __init__(self, initial: int, maximum: int, logs: int = 10_000) -> None:
        self.logs = max(1, logs)
        self.maximum = max(1, maximum)
        self.size = max(1, min(initial, self.maximum))
        self.refusals = 0

    def last(self, first: int, end: int) -> int:
        """The last block of the next range from ``first``, at most ``end``."""
        return min(end, first + self.size - 1)

    def refused(self, tried: int, error: LogQueryError | None = None) -> None:
        self.refusals += 1
        suggested = _suggestion(error) if error is not None else None
        smaller = max(1, tried // 2)
        if suggested is not None and suggested < tried:
            smaller = suggested
        self.size = max(1, min(self.size, smaller))

    def succeeded(self, tried: int, found: int = 0) -> None:
        if found > self.logs:
            self.size = max(1, min(self.size, tried * self.logs // found))
        elif tried >= self.size and found <= self.logs // 2:
            self.size = min(self.maximum, self.size * 2)

    def attempt(
        self, first: int, last: int, read: Callable[[int, int], list[RawLog]]
    ) -> list[RawLog] | None:
        """``read(first, last)``, the range adjusted to the outcome.

        None when the node refused it for its size (the range has shrunk: ask again from
        ``first``); any other :class:`LogQueryError`, or a refusal of a single block,
        is raised.
        """
        try:
            logs = read(first, last)
        except LogQueryError as error:
            if last == first or not is_range_refusal(error):
                raise
            self.refused(last - first + 1, error)
            return None
        self.succeeded(last - first + 1, len(logs))
        return logs


def read_logs(
    provider: RpcProvider,
    start: int,
    end: int,
    addresses: Sequence[str],
    *,
    ranges: BlockRange | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[RawLog]:
    """Every log of ``addresses`` in ``[start, end]``, in ranges the node accepts.

    ``ranges`` is the range to start from (by default ``READ_RANGE`` blocks, growing to
    ``MAX_READ_RANGE``); ``progress`` hears of the blocks read so far.
    """
    ranges = ranges or BlockRange(READ_RANGE, MAX_READ_RANGE)
    out: list[RawLog] = []
    at = start
    while at <= end:
        stop = ranges.last(at, end)
        logs = ranges.attempt(at, stop, lambda a, b: fetch_logs(provider, a, b, addresses))
        if logs is None:
            continue
        out.extend(logs)
        at = stop + 1
        if progress is not None:
            progress(at - start)
    return out
