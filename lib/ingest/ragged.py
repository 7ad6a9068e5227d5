"""Rows with more cells than the header: a JSON cell (Tags, AdditionalInfo) written without CSV quotes.

Some exports and hand-edited files write ``{"env":"prod","owner":"Contoso, B.V."}`` unquoted, so its commas
split it and every later cell moves right: the currency column then holds a company name and the cost column
something else. Such a row is put back together when the extra cells are exactly the pieces of one JSON cell
(its braces balance again); otherwise it is dropped with the reason. Never is a row read with shifted cells.
"""

from __future__ import annotations

import csv
import io

import polars as pl

from lib.core.i18n import _, ngettext
from lib.core.reading import Dropped
from lib.ingest.detect import HEADER_SCORE, detect, known_keys
from lib.ingest.dialects import header_key
from lib.ingest.errors import FormatError, joined_files

_JSON_COLUMNS = ("tags", "additionalinfo", "serviceinfo1", "serviceinfo2", "benefitinfo", "xskudetails")


def repair(name: str, body: bytes, separator: str, first_line: int) -> tuple[pl.DataFrame, tuple[Dropped, ...], tuple[str, ...]] | None:
    """The table in ``body`` (header first) as text cells, its ragged rows joined back or dropped; None when no row
    has more cells than the header (the file's problem is another one).

    ``first_line`` is the header's line in the file. Returns the frame, the dropped rows and notes.
    """
    reader = csv.reader(io.StringIO(body.decode("utf-8", errors="replace"), newline=""), delimiter=separator)
    header = [c.removeprefix("\ufeff") for c in next(reader, [])]
    width = len(header)
    json_at = [i for i, column in enumerate(header) if header_key(column) in _JSON_COLUMNS]
    rows: list[list[str | None]] = []
    joined = 0
    bad_rows = 0
    bad_line: int | None = None
    for row in reader:
        if not row:
            continue
        if len(row) > width:
            fixed = _joined(row, width, json_at)
            if fixed is None:
                _not_a_header(name, header, row, first_line + reader.line_num - 1)
                bad_rows += 1
                bad_line = bad_line or first_line + reader.line_num - 1
                continue
            row = fixed
            joined += 1
        rows.append([*row, *([None] * (width - len(row)))] if len(row) < width else list(row))
    if not joined and not bad_rows:
        return None
    names = _unique(header)
    frame = (
        pl.DataFrame(rows, schema={c: pl.String for c in names}, orient="row")
        if rows
        else pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    )
    dropped: tuple[Dropped, ...] = ()
    if bad_rows:
        reason = _(
            "more cells than the header has columns (an unquoted comma moved the cells after it), first at line {line}: "
            "the row cannot be read safely"
        ).format(line=bad_line)
        dropped = (Dropped(reason, bad_rows, bad_line),)
    notes: tuple[str, ...] = ()
    if joined:
        notes = (
            ngettext(
                "{name}: {count} row had a Tags (or other JSON) cell without quotes, split at its commas; it was joined back.",
                "{name}: {count} rows had a Tags (or other JSON) cell without quotes, split at its commas; they were joined back.",
                joined,
            ).format(name=name, count=joined),
        )
    return frame, dropped, notes


def _not_a_header(name: str, header: list[str], row: list[str], line: int) -> None:
    """Refuse a row that is another layout's usage header, wider than the first (two files joined into one).

    The row may also hold the end of the row before it, when the first file did not end with a line break.

    Raises:
        FormatError: naming the line and both layouts.
    """
    keys = known_keys()
    if sum(header_key(c) in keys for c in row) < HEADER_SCORE:
        return
    cells = row
    while cells and header_key(cells[0]) not in keys:
        cells = cells[1:]  # a last row without a line break, glued to the header in front of it
    try:
        second = detect(name, cells, {}).label
        first = detect(name, header, {}).label
    except FormatError:
        return  # names no date and cost column: a row of data, dropped as unreadable
    raise joined_files(name, first, line, second, run_into=cells is not row or first == second)


def _joined(row: list[str], width: int, json_at: list[int]) -> list[str] | None:
    """``row`` with the pieces of its unquoted JSON cells joined, or None when that does not give ``width`` cells."""
    extra = len(row) - width
    for index in json_at:
        if extra <= 0:
            break
        if index >= len(row) or not row[index].lstrip().startswith("{"):
            continue
        end = index
        text = row[index]
        while _depth(text) > 0 and end - index < extra:
            end += 1
            text += "," + row[end]
        if _depth(text) == 0 and end > index:
            row = [*row[:index], text, *row[end + 1 :]]
            extra = len(row) - width
    if len(row) > width and not any(cell.strip() for cell in row[width:]):
        row = row[:width]  # empty cells after the last column (a trailing separator): nothing is lost
    return row if len(row) == width else None


def _depth(text: str) -> int:
    return text.count("{") - text.count("}")


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for column in header:
        count = seen.get(column, 0)
        names.append(column if count == 0 else f"{column}_duplicated_{count - 1}")
        seen[column] = count + 1
    return names
