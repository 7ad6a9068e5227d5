"""A big CSV named by path, read in batches: only the columns the layout maps are held in memory.

``read_part`` reads a file's bytes and keeps every cell as text: fine for uploads, but a 10 GB export
would need tens of gigabytes. Here polars reads the file itself (no Python copy of its bytes), only
the mapped columns, a batch of rows at a time; each batch is normalized (text dimensions become
categorical codes) before the next is read. The raw rows stay in the file: ``PartResult.raw`` is a
lazy scan of it, and ``SourceRow`` still numbers the rows, so downloads fetch the raw rows of a
selection on demand.

Files this reader cannot take exactly as ``read_part`` would (not UTF-8, an Account Center
statement, a last row cut off, rows with more cells than the header) return ``None``: the caller
then reads them the usual way.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import Final

import polars as pl

from lib import dialects
from lib.dialects import header_key
from lib.formats import account_center
from lib.formats.containers import CSV_SUFFIXES, Part
from lib.formats.detect import detect
from lib.formats.errors import FormatError
from lib.formats.read import BOTH, PartResult, _has_decimal_comma, _metric_from_rows, _tidy
from lib.formats.text import HEAD_BYTES, _cells, find_header
from lib.i18n import _, ngettext
from lib.models import Metric
from lib.normalize import blank_cells, normalize, unify_tag_keys
from lib.schema import Col, empty_frame
from lib.sources.base import Dropped

STREAM_MIN_BYTES: Final = 32 * 1024 * 1024  # smaller files are read whole (and offered again byte for byte)
BATCH_ROWS: Final = 250_000
TAIL_BYTES: Final = 1024 * 1024
_ACCOUNT_ID = ("billingaccountid",)
_ACCOUNT_NAME = ("billingaccountname",)
_PROFILE_ID = ("billingprofileid", "xbillingprofileid")
_PROFILE_NAME = ("billingprofilename", "xbillingprofilename")
_MAX_PAIRS = 50

# Called with the fraction of the file read so far.
Fraction = Callable[[float], None]


def streamable(path: Path, size: int) -> bool:
    """Whether ``path`` is a plain CSV big enough to be streamed (not compressed, zipped or Parquet)."""
    if size < STREAM_MIN_BYTES or not path.name.lower().endswith(CSV_SUFFIXES):
        return False
    with path.open("rb") as handle:
        magic = handle.read(4)
    return not magic.startswith((b"PK", b"\x1f\x8b", b"PAR1", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _head(path: Path, size: int) -> list[str] | None:
    """The file's first lines, or None when they are not UTF-8 text."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:
            return None
        text = head[: error.start].decode("utf-8")
    lines = text.removeprefix("\ufeff").splitlines()
    if size > len(head) and lines:
        lines.pop()  # possibly cut in the middle
    return lines


def _complete_tail(path: Path, size: int, separator: str, header: list[str]) -> bool:
    """The file ends with a line break after a whole row (no row cut off mid-cell or mid-row)."""
    with path.open("rb") as handle:
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read()
    if not tail.endswith(b"\n"):
        return False
    last = tail.rstrip(b"\r\n").rsplit(b"\n", 1)[-1]
    return last.count(b'"') % 2 == 0 and len(_cells(last.decode("utf-8", errors="replace"), separator)) >= len(header)


def raw_scan(path: str, separator: str, skip_rows: int) -> pl.LazyFrame:
    """The file's rows as text cells, read lazily (header names without a byte-order mark)."""
    scan = pl.scan_csv(path, separator=separator, quote_char='"', skip_rows=skip_rows, infer_schema=False, raise_if_empty=False)
    columns = scan.collect_schema().names()
    return scan.rename({c: c.removeprefix("\ufeff") for c in columns if c.startswith("\ufeff")})


def _merge_dropped(dropped: list[Dropped]) -> tuple[Dropped, ...]:
    """One entry per kind of problem across batches: the first batch's reason and line, rows added up."""
    merged: dict[str, Dropped] = {}
    for item in dropped:
        kind = item.reason.split(" (first at line", 1)[0]
        found = merged.get(kind)
        merged[kind] = item if found is None else Dropped(found.reason, found.rows + item.rows, found.example_line)
    return tuple(merged.values())


def _column(headers: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((headers[k] for k in keys if k in headers), None)


def read_csv_path(part: Part, path: Path, metric: Metric, progress: Fraction | None = None) -> PartResult | None:
    """Read the CSV at ``path`` in batches, or None when it must be read whole (see the module text).

    Raises:
        FormatError: when the file is not a usage table.
    """
    size = path.stat().st_size
    lines = _head(path, size)
    if lines is None or account_center.looks_like(lines):
        return None
    index, separator, header = find_header(part.name, lines)
    if not _complete_tail(path, size, separator, header):
        return None
    try:
        scan = raw_scan(str(path), separator, index)
        columns = scan.collect_schema().names()
        sample = scan.head(1000).collect()
    except pl.exceptions.PolarsError:
        return None
    header_line = index + 1
    first_row = sample.row(0, named=True) if sample.height else {}
    detection = detect(part.name, columns, first_row, header_line)
    warnings = [*part.warnings, *detection.warnings]
    notes = list(detection.notes)
    if index:
        notes.append(
            ngettext(
                "Skipped {count} line of text before the header (the header is line {line}).",
                "Skipped {count} lines of text before the header (the header is line {line}).",
                index,
            ).format(count=index, line=index + 1)
        )
    if part.version_hint and part.version_hint not in detection.version:
        notes.append(_("{name}: the export's manifest says dataset version {version}.").format(name=part.name, version=part.version_hint))
    dialect = dialects.for_metric(detection.dialect, amortized=metric is Metric.AMORTIZED)
    decimal_comma = separator == ";" and _has_decimal_comma(sample, detection)
    headers = {header_key(c): c for c in columns}
    pair_columns = [_column(headers, keys) for keys in (_ACCOUNT_ID, _ACCOUNT_NAME, _PROFILE_ID, _PROFILE_NAME)]
    wanted = {dialect.source_column(headers, col) for col in Col} | set(pair_columns)
    needed = [c for c in columns if c in wanted]

    row_bytes = max(1.0, sum(len(line) + 1 for line in lines[index + 1 :]) / max(1, len(lines) - index - 1))

    def fraction(rows: int) -> None:
        if progress:
            progress(min(1.0, rows * row_bytes / size))

    try:
        batches = _Batches(scan, dialect, header_line, decimal_comma, pair_columns)
        batches.read(needed, fraction)
    except pl.exceptions.PolarsError:
        return None  # e.g. rows with more cells than the header: read_part knows what to do
    except ValueError as error:
        raise FormatError(part.name, _("a date and a cost column"), str(error), header_line) from None
    frames, dropped, pairs, offset = batches.frames, batches.dropped, batches.pairs, batches.rows
    if frames:
        normalized, tag_notes = unify_tag_keys(pl.concat(frames))
        notes += tag_notes
        normalized = _tidy(normalized, part.name, warnings)
    else:
        normalized = empty_frame()
    all_pairs = pl.concat(pairs) if pairs else pl.DataFrame()
    return PartResult(
        part=part,
        detection=detection,
        raw=scan,
        normalized=normalized,
        metric=BOTH if detection.dialect.family == "focus" else (part.metric_hint or _metric_from_rows(normalized)),
        dropped=_merge_dropped(dropped),
        warnings=tuple(warnings),
        notes=tuple(notes),
        accounts=_pairs(all_pairs, "account"),
        profiles=_pairs(all_pairs, "profile"),
        raw_rows=offset,
        scan=(str(path), separator, index),
    )


class _Batches:
    """The canonical rows of a scan, normalized a batch at a time."""

    def __init__(self, scan: pl.LazyFrame, dialect: dialects.Dialect, header_line: int, decimal_comma: bool, pairs: list[str | None]):
        self.scan = scan
        self.dialect = dialect
        self.header_line = header_line
        self.decimal_comma = decimal_comma
        self.pair_columns = pairs
        self.frames: list[pl.DataFrame] = []
        self.dropped: list[Dropped] = []
        self.pairs: list[pl.DataFrame] = []
        self.tag_cache: dict[str | None, list[dict[str, str]]] = {}
        self.rows = 0

    def blank_check(self, offset: int) -> Callable[[pl.Series], pl.Series]:
        """Which of a batch's undated rows are blank, reading their every cell from the file again."""

        def check(rows: pl.Series) -> pl.Series:
            chosen = (rows.cast(pl.Int64) + offset).implode()
            full = self.scan.with_row_index("_row").filter(pl.col("_row").is_in(chosen)).drop("_row").collect()
            return full.select(blank_cells(full)).to_series()

        return check

    def read(self, columns: list[str], progress: Callable[[int], None]) -> None:
        """Read and normalize every batch of ``columns``."""
        for batch in self.scan.select(columns).collect_batches(chunk_size=BATCH_ROWS):
            if batch.height:
                result = normalize(
                    batch,
                    self.dialect,
                    line_offset=self.header_line + 1 + self.rows,
                    decimal_comma=self.decimal_comma,
                    unify_tags=False,
                    tag_cache=self.tag_cache,
                    blank_check=self.blank_check(self.rows),
                )
                self.frames.append(result.frame.with_columns((pl.col(Col.SOURCE_ROW) + self.rows).alias(Col.SOURCE_ROW)))
                self.dropped += result.dropped
                self.pairs.append(_pair_rows(batch, self.pair_columns))
            self.rows += batch.height
            progress(self.rows)


def _pair_rows(batch: pl.DataFrame, columns: list[str | None]) -> pl.DataFrame:
    """Distinct (id, name) of billing accounts and profiles in one batch, in order of appearance."""
    account_id, account_name, profile_id, profile_name = columns
    exprs = []
    for kind, id_col, name_col in (("account", account_id, account_name), ("profile", profile_id, profile_name)):
        for part, column in (("id", id_col), ("name", name_col or id_col)):
            value = pl.col(column).str.strip_chars() if column else pl.lit(None, dtype=pl.String)
            exprs.append(value.alias(f"{kind}_{part}"))
    return batch.select(exprs).unique(maintain_order=True)


def _pairs(rows: pl.DataFrame, kind: str) -> tuple[tuple[str, str], ...]:
    """Like ``read._pairs``: the first ``_MAX_PAIRS`` ids with a name, in file order."""
    if not rows.height:
        return ()
    ids, names = f"{kind}_id", f"{kind}_name"
    found = (
        rows.select(pl.col(ids).alias("id"), pl.col(names).alias("name"))
        .drop_nulls("id")
        .filter(pl.col("id") != "")
        .unique(subset="id", keep="first", maintain_order=True)
        .head(_MAX_PAIRS)
    )
    return tuple((i, n or i) for i, n in found.iter_rows())
