"""Printing: aligned tables and fields for people, JSON for scripts.

Human output shows amounts in RMB (``57,906.00``); JSON keeps them as integers
in fen under keys ending in ``_fen``, so scripts never parse formatted numbers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import typer

from rdh_chain.types import Position, ShareClass
from rdh_chain.validation import format_amount

SHARE_CLASS_NAMES: Mapping[ShareClass, str] = {
    ShareClass.PARTNER: "partner",
    ShareClass.OPERATING: "operating",
    ShareClass.VALUE_ADDED: "value-added",
    ShareClass.DEV_FUND: "dev-fund",
}


def echo(text: str = "") -> None:
    typer.echo(text)


def note(text: str) -> None:
    """A remark for the person at the terminal, kept off stdout so pipes stay clean."""
    typer.echo(text, err=True)


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=False))


def fields(pairs: Sequence[tuple[str, str]], indent: str = "") -> None:
    """``label  value`` lines with the values aligned."""
    width = max((len(label) for label, _ in pairs), default=0)
    for label, value in pairs:
        echo(f"{indent}{label.ljust(width)}  {value}")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> None:
    """A plain table; columns whose index is in ``right`` (numbers) are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    echo(line(headers))
    echo(line(["-" * w for w in widths]))
    for row in rows:
        echo(line(row))


def rmb(fen: int) -> str:
    return format_amount(fen)


def percent(bps: int) -> str:
    """Basis points as a percentage with two decimals, computed exactly."""
    return f"{bps // 100}.{bps % 100:02d}%"


def bps_text(bps: int) -> str:
    return f"{bps:,} bps ({percent(bps)})"


def hex32(raw: bytes) -> str:
    return "0x" + raw.hex()


def when(timestamp: int) -> str:
    """A block timestamp in UTC, or ``-`` for "never"."""
    if timestamp == 0:
        return "-"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def when_json(timestamp: int) -> str | None:
    return None if timestamp == 0 else datetime.fromtimestamp(timestamp, UTC).isoformat()


def class_name(share_class: ShareClass) -> str:
    return SHARE_CLASS_NAMES[share_class]


def position_json(position: Position) -> dict[str, int]:
    return {
        "claimable_fen": position.claimable,
        "locked_fen": position.locked,
        "paid_fen": position.paid,
        "dust": position.dust,
    }


def bps_json(bps: Mapping[ShareClass, int]) -> dict[str, int]:
    return {class_name(c): b for c, b in sorted(bps.items())}


__all__ = [
    "SHARE_CLASS_NAMES",
    "bps_json",
    "bps_text",
    "class_name",
    "echo",
    "echo_json",
    "fields",
    "hex32",
    "note",
    "percent",
    "position_json",
    "rmb",
    "table",
    "when",
    "when_json",
]
