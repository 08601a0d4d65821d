"""Reading a batch command's CSV file: one row a line, every bad line named at once.

``rdh settle --batch`` and ``rdh shares propose --batch`` read their files through
:func:`read_batch`: the header is checked against the command's columns, each row parsed by
the command, and nothing is sent unless every line parses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from rdh_chain.exceptions import InvalidInputError

_T = TypeVar("_T")


def read_text(path: Path) -> str:
    """``path``'s text (a byte-order mark dropped), or an error that names the file."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc}") from exc


def read_batch(
    path: Path,
    columns: Sequence[str],
    required: Sequence[str],
    parse: Callable[[Mapping[str, str], int], _T],
) -> list[_T]:
    """Each row of ``path`` as ``parse(cells, line)`` makes it (cells stripped, keyed by the
    lower-cased header), or one error naming every line ``parse`` refused."""
    reader = csv.DictReader(io.StringIO(read_text(path)))
    header = tuple(h.strip().lower() for h in reader.fieldnames or ())
    if not set(required) <= set(header) or not set(header) <= set(columns):
        optional = [c for c in columns if c not in required]
        raise InvalidInputError(
            f"The file's header is {', '.join(header) or 'empty'}; it needs "
            f"{','.join(required)} and may add {', '.join(optional)}."
        )
    reader.fieldnames = list(header)
    rows: list[_T] = []
    problems: list[str] = []
    for record in reader:
        cells = {k: (v or "").strip() for k, v in record.items() if k is not None}
        try:
            rows.append(parse(cells, reader.line_num))
        except InvalidInputError as exc:
            problems.append(f"line {reader.line_num}: {exc}")
    if problems:
        raise InvalidInputError(
            f"{len(problems)} row(s) to fix before anything is sent:\n  " + "\n  ".join(problems)
        )
    if not rows:
        raise InvalidInputError("The file has no rows below its header.")
    return rows
