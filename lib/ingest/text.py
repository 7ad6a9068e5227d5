"""CSV bytes → a raw frame of text cells: encoding, separator, header line, cut-off rows.

The bytes themselves are never changed (the raw download serves them as uploaded); this module
only decides where the table starts and ends and hands that span to polars.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

import polars as pl

from lib.core.i18n import _, ngettext
from lib.core.reading import Dropped
from lib.ingest.detect import EXPECTED_HEADER, HEADER_SCORE, detect, known_keys
from lib.ingest.dialects import header_key
from lib.ingest.errors import FormatError, joined_files
from lib.ingest.ragged import repair

HEAD_BYTES = 256 * 1024
HEADER_SEARCH_LINES = 30
SEPARATORS = (",", ";", "\t")
_CONTROL = bytes(range(0, 32)).replace(b"\t", b"").replace(b"\n", b"").replace(b"\r", b"")


@dataclass(frozen=True)
class CsvTable:
    """A CSV part read as text cells, with where it started and what had to be cut."""

    raw: pl.DataFrame
    header_line: int  # 1-based line of the header in the file
    separator: str
    dropped: tuple[Dropped, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    first_row: dict[str, str | None] = field(default_factory=dict)


def to_utf8(name: str, data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """UTF-8 bytes for ``data`` (UTF-16 and Windows-1252 files are converted), or a clear error.

    Raises:
        FormatError: for binary data.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8"), (_("{name}: UTF-16 text, converted to UTF-8 for reading.").format(name=name),)
        except UnicodeDecodeError:
            raise FormatError(name, _("a text (CSV) file"), _("binary data")) from None
    head = data[:HEAD_BYTES]
    controls = sum(head.count(bytes([c])) for c in _CONTROL)
    if b"\x00" in head or controls > max(8, len(head) // 200):
        kind = _("a zip, gzip or Parquet file with another name") if head[:2] in (b"PK", b"\x1f\x8b") else _("binary data")
        raise FormatError(name, _("a text (CSV) usage file"), kind)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4 or len(data) <= HEAD_BYTES:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise FormatError(
                    name, _("a text (CSV) file in UTF-8"), _("bytes that are not text (at byte {offset})").format(offset=error.start)
                ) from None
            return text.encode("utf-8"), (_("{name}: not UTF-8; read as Windows-1252 text.").format(name=name),)
    return data, ()


def _cells(line: str, separator: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=separator), [])
    except csv.Error:
        return []


def find_header(name: str, head_lines: list[str]) -> tuple[int, str, list[str]]:
    """The header's line index, separator and cells: the best-scoring of the first lines.

    Raises:
        FormatError: when no line looks like a usage header.
    """
    keys = known_keys()
    best: tuple[int, int, str, list[str]] | None = None
    earlier: list[tuple[int, list[str]]] = []  # header-like lines, a line's best reading each
    for index, line in enumerate(head_lines[:HEADER_SEARCH_LINES]):
        line_best: tuple[int, list[str]] | None = None
        for separator in SEPARATORS:
            if separator not in line and separator != ",":
                continue
            cells = _cells(line, separator)
            score = sum(1 for c in cells if header_key(c) in keys)
            if score >= HEADER_SCORE and (best is None or score > best[0]):
                best = (score, index, separator, cells)
            if score >= HEADER_SCORE and (line_best is None or score > line_best[0]):
                line_best = (score, cells)
        if line_best is not None:
            earlier.append((index, line_best[1]))
    if best is None:
        first = next((ln for ln in head_lines if ln.strip()), "")
        found = _("{text} on the first line").format(text=repr(first.strip()[:80])) if first else _("no text lines")
        raise FormatError(name, _(EXPECTED_HEADER), found, 1)
    _no_header_before(name, [cells for index, cells in earlier if index < best[1]], best[1], best[3])
    return best[1], best[2], best[3]


def _no_header_before(name: str, before: list[list[str]], index: int, header: list[str]) -> None:
    """Refuse a file whose chosen header (line ``index + 1``) has another usage header above it: two files joined into
    one, the first with fewer known columns (its rows would be skipped as text before the header).

    Raises:
        FormatError: naming both layouts.
    """
    for cells in before:
        try:
            first = detect(name, cells, {}).label
        except FormatError:
            continue  # names no date and cost column: a title line, not a header
        raise joined_files(name, first, index + 1, detect(name, header, {}).label)


def head_lines(data: bytes) -> list[str]:
    """The first lines of ``data`` as text (the last, possibly partial, line of a long file left out)."""
    head = data[:HEAD_BYTES]
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines = text.splitlines()
    if len(data) > HEAD_BYTES and lines:
        lines.pop()
    return lines


def _line_offset(data: bytes, line_index: int) -> int:
    offset = 0
    for _line in range(line_index):
        found = data.find(b"\n", offset)
        if found < 0:
            return len(data)
        offset = found + 1
    return offset


def _cut_off(name: str, data: bytes, start: int, header: list[str], separator: str) -> tuple[int, Dropped | None]:
    """Where the table ends: before a last row cut off mid-field or mid-row."""
    end = len(data)
    if data.count(b'"', start) % 2:
        # An unclosed quote: the opening quote of the cut field is the last quote in the file.
        last_quote = data.rfind(b'"')
        end = data.rfind(b"\n", start, last_quote) + 1
        if end <= start:
            end = start
        line = data.count(b"\n", 0, end) + 1
        reason = _("the file ends inside a quoted cell: the row at line {line} is cut off (the file is incomplete)").format(line=line)
        return end, Dropped(reason=reason, rows=1, example_line=line)
    if end > start and not data.endswith(b"\n"):
        last_break = data.rfind(b"\n", start)
        last = data[last_break + 1 :].decode("utf-8", errors="replace")
        cells = _cells(last, separator)
        if last.strip() and len(cells) < len(header):
            line = data.count(b"\n", 0, last_break + 1) + 1
            reason = _("the last row (line {line}) is cut off: {cells} of {columns} cells, no line end (the file is incomplete)").format(
                line=line, cells=len(cells), columns=len(header)
            )
            return last_break + 1, Dropped(reason=reason, rows=1, example_line=line)
    return end, None


def _locate_bad_line(body: bytes, separator: str, first_line: int) -> tuple[int | None, str]:
    reader = csv.reader(io.StringIO(body.decode("utf-8", errors="replace"), newline=""), delimiter=separator, strict=True)
    try:
        for _row in reader:
            pass
    except csv.Error as error:
        return first_line + reader.line_num - 1, str(error)
    return None, _("a row polars could not split into cells")


def read_table(name: str, data: bytes, *, cut_off_stream: bool = False) -> CsvTable:
    """Read CSV bytes (already UTF-8) into a raw frame of text cells.

    Raises:
        FormatError: when there is no usage header or the CSV cannot be split into cells.
    """
    lines = head_lines(data)
    index, separator, header = find_header(name, lines)
    start = _line_offset(data, index)
    end, cut = _cut_off(name, data, start, header, separator)
    dropped: list[Dropped] = [cut] if cut else []
    warnings: list[str] = []
    notes: list[str] = []
    if cut_off_stream and cut is None:
        last_line = data.count(b"\n") + 1
        warnings.append(_("{name}: the compressed file was cut off; rows after line {line} are missing.").format(name=name, line=last_line))
    if index:
        notes.append(
            ngettext(
                "Skipped {count} line of text before the header (the header is line {line}).",
                "Skipped {count} lines of text before the header (the header is line {line}).",
                index,
            ).format(count=index, line=index + 1)
        )
    body: bytes | io.BytesIO = data if start == 0 and end == len(data) else io.BytesIO(memoryview(data)[start:end])
    options = {"infer_schema": False, "separator": separator, "quote_char": '"', "raise_if_empty": False}
    try:
        raw = pl.read_csv(body, **options)  # type: ignore[arg-type]
    except pl.exceptions.PolarsError:
        # Rows with more cells than the header (an unquoted JSON cell): joined back or dropped, never read shifted
        # (``lib.ingest.ragged``). Anything else is a quoting problem reported with its line.
        repaired = repair(name, data[start:end], separator, index + 1)
        if repaired is None:
            line, problem = _locate_bad_line(data[start:end], separator, index + 1)
            raise FormatError(name, _("CSV rows with properly quoted cells"), problem, line) from None
        raw = repaired[0]
        dropped += repaired[1]
        notes += repaired[2]
    raw = raw.rename({c: c.removeprefix("\ufeff") for c in raw.columns if c.startswith("\ufeff")})
    first_row = raw.row(0, named=True) if raw.height else {}
    return CsvTable(raw, index + 1, separator, tuple(dropped), tuple(warnings), tuple(notes), first_row)
