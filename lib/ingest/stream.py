"""A big CSV named by path, read without holding its text: only the columns the layout maps are kept.

``read_part`` reads a file's bytes and keeps every cell as text: fine for uploads, but a 10 GB export
would need tens of gigabytes. Here polars' own parallel reader reads the file from disk, only the
mapped columns, text cells straight into categorical codes and numbers parsed (``_typed_batches``):
a million rows take ~100 MB. The rows are then normalized as one frame (each distinct date, name or
tags cell worked out once), or, above ``WHOLE_FRAME_MAX_BYTES``, a batch at a time. A file polars'
number parser refuses (a decimal comma, a cost that is text) is read the slower way: cut into byte
ranges of whole rows, each parsed as text and normalized before the next (``_read_chunks``).

The raw rows stay in the file: ``PartResult.raw`` is a lazy scan of it, and ``SourceRow`` still
numbers the rows, so downloads fetch the raw rows of a selection on demand.

The columns no page, filter or scope reads (``LATER``: resource id, quantity, unit, invoice section, cost in
USD) are left out of the first read; ``Later`` reads them from the file when something asks for every column
(the columnar cache, written once the first page is drawn; a conversion; a second file to merge with).

Files this reader cannot take exactly as ``read_part`` would (not UTF-8, an Account Center
statement, a last row cut off, rows with more cells than the header) return ``None``: the caller
then reads them the usual way.
"""

from __future__ import annotations

import codecs
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Final

import polars as pl

from lib.core.dataset import SourceError
from lib.core.i18n import _, ngettext
from lib.core.models import Metric
from lib.core.reading import Dropped, TextReading
from lib.core.schema import CANONICAL_SCHEMA, Col, empty_frame
from lib.ingest import account_center, dialects
from lib.ingest.containers import CSV_SUFFIXES, Part
from lib.ingest.currency import unknown_currency_warnings
from lib.ingest.dates import DateOrder, DateReading
from lib.ingest.detect import Detection, detect
from lib.ingest.dialects import header_key
from lib.ingest.normalize import TAG_SET_ID, TagCells, blank_cells, canonical_columns, normalize, unify_tag_table
from lib.ingest.read import BOTH, PartResult, _metric_from_rows, _tidy, unreadable
from lib.ingest.text import HEAD_BYTES, _cells, find_header
from lib.ingest.text_reading import decimal_comma as decimal_comma_in
from lib.ingest.text_reading import decimal_evidence, evidence_in, utf8_head

STREAM_MIN_BYTES: Final = 32 * 1024 * 1024  # smaller files are read whole (and offered again byte for byte)
# Above this many rows a file's Tags column is left null and the rows' tags are reached through their tag-set id
# (``lib.analysis.frames.TagIndex``): a list per row costs ~100 bytes (a gigabyte at ten million rows) and building them ~3% of
# a million-row load (bench.run, paired), while every page works as well from the ids.
TAGS_INLINE_MAX_ROWS: Final = 500_000
BATCH_ROWS: Final = 100_000  # ~40 MB of text cells of the mapped columns held at a time
# Up to this size a file's typed cells (``_typed_batches``) are normalized as one frame (each distinct cell worked out
# once: fastest); a bigger file is normalized a batch at a time, so its raw codes never sit beside its canonical rows
# (ten million rows: ~1 GB each).
WHOLE_FRAME_MAX_BYTES: Final = 3 * 1024**3
TYPED_BATCH_ROWS: Final = 1_000_000
# Pieces a column may keep (``_joined``). The reader hands over one per ~2,000 rows; the filter and group-by changes take
# as long over them as over one piece (bench.recompute, median: 1M rows in 478 pieces 17.8 and 16.6 ms against 17.5 and
# 17.9; 3M rows in 1,432 pieces 26.6 ms against 27.5), so a file normalized whole (up to ``WHOLE_FRAME_MAX_BYTES``) is
# not copied to join them.
MAX_CHUNKS: Final = 4096
# Read after the first page (``Later``): what no page, filter or scope shows. At a million rows, leaving them out of
# the first read brings the load and first page from 1.23 to 1.03 s (bench.timeline, medians of 5 alternating runs).
LATER: Final = frozenset({Col.RESOURCE_ID, Col.QUANTITY, Col.UNIT, Col.INVOICE_SECTION, Col.COST_USD})
SAMPLE_BYTES: Final = 2 * 1024 * 1024
RANGE_BYTES: Final = 16 * 1024 * 1024  # parsed at a time (smaller ranges parse faster than one big one)
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


def read_csv_path(
    part: Part, path: Path, metric: Metric, progress: Fraction | None = None, *, later: bool = False, date_order: DateOrder | None = None
) -> PartResult | None:
    """Read the CSV at ``path`` in batches, or None when it must be read whole (see the module text).

    ``later``: leave the ``LATER`` columns for ``PartResult.later`` to read (a page is drawn first).

    Raises:
        FormatError: when the file is not a usage table.
    """
    stat = path.stat()  # before the first read: ``Later`` refuses a file changed since
    size = stat.st_size
    lines = _head(path, size)
    if lines is None or account_center.looks_like(lines):
        return None
    index, separator, header = find_header(part.name, lines)
    if not _complete_tail(path, size, separator, header):
        return None
    try:
        scan = raw_scan(str(path), separator, index)
        columns = scan.collect_schema().names()
        sample = _sample(path, index, separator, columns)
    except pl.exceptions.PolarsError:
        return None
    header_line = index + 1
    first_row = sample.row(0, named=True) if sample.height else {}
    detection = detect(part.name, columns, first_row, header_line)
    warnings = [*part.warnings, *detection.warnings]
    notes = _notes(part, detection, index)
    dialect = dialects.for_metric(detection.dialect, amortized=metric is Metric.AMORTIZED)
    decimal_comma = decimal_comma_in(sample, detection.dialect)
    with path.open("rb") as handle:
        encoding, line_ends = utf8_head(handle.read(64 * 1024))
    reading = TextReading(encoding, line_ends, separator, decimal="," if decimal_comma else ".")
    dates = DateReading(part.name, given=date_order, as_azure_wrote=not reading.resaved())
    headers = {header_key(c): c for c in columns}
    pair_columns = [_column(headers, keys) for keys in (_ACCOUNT_ID, _ACCOUNT_NAME, _PROFILE_ID, _PROFILE_NAME)]
    sources = {col: source for col in Col if (source := dialect.source_column(headers, col)) is not None}
    needed = [c for c in columns if c in {*sources.values(), *pair_columns}]
    leave_out = LATER if later else frozenset()
    first_read = {source for col, source in sources.items() if col not in leave_out} | {c for c in pair_columns if c}
    read_later = {col: source for col, source in sources.items() if col in leave_out and source not in first_read}

    row_bytes = max(1.0, sum(len(line) + 1 for line in lines[index + 1 :]) / max(1, len(lines) - index - 1))

    def fraction(rows: int) -> None:
        if progress:
            progress(min(1.0, rows * row_bytes / size))

    numbers = {sources[col] for col in (Col.COST, Col.COST_USD, Col.QUANTITY) if col in sources}
    first = [c for c in needed if c not in read_later.values()]
    try:
        batches = _Batches(scan, dialect, header_line, decimal_comma, pair_columns, frozenset(read_later), dates)
        # Every number cell parsed by polars' reader: no cell writes a decimal comma, so the point the sample chose holds.
        if decimal_comma or not batches.read_typed(_typed_batches(path, separator, index, columns, first, numbers, size), size, fraction):
            # A number polars' reader cannot parse, a decimal comma...: read the text cells (every column), a batch at a time.
            def text_batches(comma: bool) -> _Batches:
                resaved = replace(reading, decimal=_mark(comma)).resaved()
                order = DateReading(part.name, given=date_order, as_azure_wrote=not resaved)
                return _Batches(scan, dialect, header_line, comma, pair_columns, dates=order, evidence=detection.dialect)

            range_bytes = max(1, min(RANGE_BYTES, int(BATCH_ROWS * row_bytes)))
            chunks = partial(_read_chunks, path, index, separator, columns, needed, range_bytes)
            batches = _read_text(text_batches, chunks, decimal_comma, fraction)
            reading = replace(reading, decimal=_mark(batches.decimal_comma))
            dates = batches.dates or dates
    except pl.exceptions.PolarsError:
        return None  # e.g. rows with more cells than the header: read_part knows what to do
    except ValueError as error:  # no date or cost column, or a second header (``read.unreadable``)
        raise unreadable(part.name, detection, error, header_line) from None
    frames, dropped, pairs, offset = batches.frames, batches.dropped, batches.pairs, batches.rows
    notes += batches.notes
    tag_table = None
    inline = True
    if frames:
        # The batches' chunks are kept as they are (no copy); each row's tag list is gathered once from the
        # distinct sets, whose keys are unified (case) there rather than on every row.
        joined = _joined(frames)
        ids = joined.get_column(TAG_SET_ID)
        tag_table, tag_notes = unify_tag_table(batches.tag_cells.table(), ids)
        notes += tag_notes
        inline = joined.height <= TAGS_INLINE_MAX_ROWS
        if inline:
            joined = joined.with_columns(tag_table.get_column(Col.TAGS).gather(ids))
        normalized = _tidy(joined, part.name, warnings)
        warnings += unknown_currency_warnings(normalized, part.name)
    else:
        normalized = empty_frame()
    all_pairs = pl.concat(pairs) if pairs else pl.DataFrame()
    unread = batches.later - set(normalized.columns)  # none for a file without rows (``empty_frame`` has them all)
    return PartResult(
        part=part,
        detection=detection,
        raw=scan,
        normalized=normalized,
        metric=BOTH if detection.dialect.family == "focus" else (_metric_from_rows(normalized) or part.metric_hint),
        dropped=_merge_dropped(dropped),
        warnings=tuple(warnings),
        notes=tuple(notes),
        accounts=_pairs(all_pairs, "account"),
        profiles=_pairs(all_pairs, "profile"),
        raw_rows=offset,
        scan=(str(path), separator, index),
        tag_sets=tag_table,
        tags_inline=inline,
        later=Later(path, stat, (separator, index, columns), read_later, numbers, offset) if unread else None,
        reading=replace(reading, date_order=str(dates.order or ""), date_reason=dates.reason),
    )


def _mark(comma: bool) -> str:
    return "," if comma else "."


def _read_text(
    make: Callable[[bool], _Batches], chunks: Callable[[], Iterator[pl.DataFrame]], decimal_comma: bool, progress: Callable[[int], None]
) -> _Batches:
    """The file's text cells normalized a batch at a time, counting the cells that prove a decimal mark.

    ``decimal_comma`` is the sample's choice (the first rows). When the whole file proves the other mark (only whole
    numbers or ``1,234`` at first, ``0,5`` later), the file is read again with that mark: the same decision
    ``read_part`` makes from every cell of a small file.
    """
    batches = make(decimal_comma)
    progress(0)
    batches.read(chunks(), progress)
    if batches.decimal_comma_proved() != decimal_comma:
        batches = make(not decimal_comma)
        progress(0)
        batches.read(chunks(), progress)
    return batches


def _notes(part: Part, detection: Detection, skipped_lines: int) -> list[str]:
    """What the user should know about how the file was read."""
    notes = list(detection.notes)
    if skipped_lines:
        notes.append(
            ngettext(
                "Skipped {count} line of text before the header (the header is line {line}).",
                "Skipped {count} lines of text before the header (the header is line {line}).",
                skipped_lines,
            ).format(count=skipped_lines, line=skipped_lines + 1)
        )
    if part.version_hint and part.version_hint not in detection.version:
        notes.append(_("{name}: the export's manifest says dataset version {version}.").format(name=part.name, version=part.version_hint))
    return notes


class _Batches:
    """The canonical rows of a scan, normalized a batch at a time."""

    def __init__(
        self,
        scan: pl.LazyFrame,
        dialect: dialects.Dialect,
        header_line: int,
        decimal_comma: bool,
        pairs: list[str | None],
        later: frozenset[Col] = frozenset(),
        dates: DateReading | None = None,
        evidence: dialects.Dialect | None = None,
    ):
        self.scan = scan
        self.evidence = evidence  # the layout whose number columns are counted for the decimal mark (text batches)
        self.comma = self.point = 0  # cells proving a decimal comma, a decimal point
        self.dates = dates  # the file's date order, decided on the first rows that show it and kept for the rest
        self.later = later  # canonical columns not read (``Later`` reads them)
        self.dialect = dialect
        self.header_line = header_line
        self.decimal_comma = decimal_comma
        self.pair_columns = pairs
        self.frames: list[pl.DataFrame] = []
        self.dropped: list[Dropped] = []
        self.notes: list[str] = []
        self.pairs: list[pl.DataFrame] = []
        self.tag_cells = TagCells()
        self.rows = 0

    def decimal_comma_proved(self) -> bool:
        """Whether the batches read prove a decimal comma (more cells read only that way than only with a point)."""
        return self.comma > self.point

    def blank_check(self, offset: int) -> Callable[[pl.Series], pl.Series]:
        """Which of a batch's undated rows are blank, reading their every cell from the file again."""

        def check(rows: pl.Series) -> pl.Series:
            full = self.full_rows(offset)(rows)
            return full.select(blank_cells(full)).to_series()

        return check

    def full_rows(self, offset: int) -> Callable[[pl.Series], pl.DataFrame]:
        """Every cell of some rows of the batch starting at row ``offset``, read from the file again."""

        def rows_of(rows: pl.Series) -> pl.DataFrame:
            chosen = (rows.cast(pl.Int64) + offset).implode()
            return self.scan.with_row_index("_row").filter(pl.col("_row").is_in(chosen)).drop("_row").collect()

        return rows_of

    def raw_cell(self, offset: int) -> Callable[[str, int], str | None]:
        """The file's text of a cell of the batch starting at row ``offset`` (a number the reader parsed)."""

        def cell(column: str, row: int) -> str | None:
            value = self.scan.select(column).slice(offset + row, 1).collect()
            return value.item() if value.height else None

        return cell

    def read_typed(self, batches: Iterator[pl.DataFrame], size: int, progress: Callable[[int], None]) -> bool:
        """Normalize the rows of ``_typed_batches`` (text as categorical codes, numbers parsed); False if polars cannot read them.

        Up to ``WHOLE_FRAME_MAX_BYTES`` the rows are normalized as one frame, each distinct date, name or tags cell
        worked out once for the whole file; a bigger file a batch at a time (``read``), so its raw codes never sit
        beside its canonical rows. (Parsing each batch's new tags cells while polars reads the next one saves nothing
        on two cores, where the reader keeps both busy, and costs a pass over each batch.)
        """
        try:
            if size > WHOLE_FRAME_MAX_BYTES:
                self.read(batches, progress)
                return True
            parts = []
            for batch in batches:
                parts.append(batch)
                self.rows += batch.height
                progress(self.rows)
        except pl.exceptions.PolarsError:
            return False
        if not self.rows:
            return True
        raw = pl.concat(parts, rechunk=False)
        parts.clear()
        self.pairs.append(_pair_rows(raw, self.pair_columns))
        result = normalize(
            raw,
            self.dialect,
            line_offset=self.header_line + 1,
            unify_tags=False,
            tag_cells=self.tag_cells,
            blank_check=self.blank_check(0),
            raw_cell=self.raw_cell(0),
            later=self.later,
            dates=self.dates,
            full_rows=self.full_rows(0),
        )
        del raw
        self.frames.append(result.frame)
        self.dropped += result.dropped
        self.notes += result.notes
        return True

    def read(self, chunks: Iterator[pl.DataFrame], progress: Callable[[int], None]) -> None:
        """Normalize every batch of rows as it comes (text from ``_read_chunks``, or ``_typed_batches`` of a very big file).

        Only one batch of raw cells is held at a time, next to the canonical rows of the batches before it.
        """
        for batch in chunks:
            if batch.height and self.evidence is not None:
                comma, point = decimal_evidence(batch, self.evidence)
                self.comma, self.point = self.comma + comma, self.point + point
            if batch.height:
                result = normalize(
                    batch,
                    self.dialect,
                    line_offset=self.header_line + 1 + self.rows,
                    decimal_comma=self.decimal_comma,
                    unify_tags=False,
                    tag_cells=self.tag_cells,
                    blank_check=self.blank_check(self.rows),
                    raw_cell=self.raw_cell(self.rows),
                    later=self.later,
                    dates=self.dates,
                    full_rows=self.full_rows(self.rows),
                )
                # In one piece per batch: copied now, a batch at a time, the pieces are freed while the next batch is
                # read and their memory serves it (joined at the end instead, ten million rows need ~500 MB more).
                self.frames.append(result.frame.with_columns((pl.col(Col.SOURCE_ROW) + self.rows).alias(Col.SOURCE_ROW)).rechunk())
                self.dropped += result.dropped
                self.notes += result.notes
                self.pairs.append(_pair_rows(batch, self.pair_columns))
            self.rows += batch.height
            progress(self.rows)


class Later:
    """A big file's ``LATER`` columns, read from it the first time every column is asked for (``Dataset.later``).

    The file is read a second time, those columns only; a file changed since its first read (size or
    modification time, or its number of rows) is refused rather than mixed with the rows already read.
    """

    def __init__(
        self, path: Path, stat: os.stat_result, layout: tuple[str, int, list[str]], sources: dict[Col, str], numbers: set[str], rows: int
    ):
        self._path, self._stamp = path, (stat.st_size, stat.st_mtime_ns)
        self._separator, self._skip_lines, self._header = layout
        self._sources, self._numbers, self._rows = sources, numbers, rows
        self.columns: frozenset[str] = frozenset(sources)
        self._lock = threading.Lock()
        self._done: tuple[pl.DataFrame, pl.DataFrame] | None = None  # (frame asked about, the same with every column)

    @property
    def read(self) -> bool:
        """Whether the columns were read."""
        return self._done is not None

    def complete(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (rows of this file, by ``SourceRow``) with the later columns, in canonical order (read once).

        Raises:
            SourceError: when the file changed or cannot be read since its first read.
        """
        with self._lock:
            if self._done is None or self._done[0] is not frame:
                self._done = (frame, self._added_to(frame))
            return self._done[1]

    def _added_to(self, frame: pl.DataFrame) -> pl.DataFrame:
        values = canonical_columns(self._cells(), self._sources)
        rows = frame.get_column(Col.SOURCE_ROW)
        # Usually every row of the file was kept, in file order: the columns are then added as they are, not copied.
        if rows.len() != values.height or not (rows == pl.int_range(0, rows.len(), eager=True).cast(rows.dtype)).all():
            values = values.select(pl.all().gather(rows))
        added = frame.with_columns(values.get_column(c).cast(CANONICAL_SCHEMA[c], strict=True) for c in values.columns)
        names = added.columns
        return added.select([c for c in CANONICAL_SCHEMA if c in names] + [c for c in names if c not in CANONICAL_SCHEMA])

    def _cells(self) -> pl.DataFrame:
        """The later columns of every row of the file, numbers parsed where polars' reader can."""
        changed = SourceError(
            _("{name} changed since it was read: open it again to see (and download) every column.").format(name=self._path.name)
        )
        try:
            stat = self._path.stat()
        except OSError:
            raise changed from None
        if (stat.st_size, stat.st_mtime_ns) != self._stamp:
            raise changed
        columns = [c for c in self._header if c in self._sources.values()]
        try:
            batches = _typed_batches(self._path, self._separator, self._skip_lines, self._header, columns, self._numbers, stat.st_size)
            cells = _joined([batch.rechunk() for batch in batches])  # a piece per batch, as ``_Batches.read`` keeps them
        except pl.exceptions.PolarsError:  # a number polars cannot parse: as text (``normalize.parse_number`` reads it)
            cells = _joined(list(_read_chunks(self._path, self._skip_lines, self._separator, self._header, columns, RANGE_BYTES)))
        comma, point = evidence_in(cells, sorted(self._numbers))
        if comma > point:
            # The cost column was read with a decimal point (polars parsed every cell of it); these columns prove a
            # comma. Which mark the cost's own cells meant can no longer be told: refused, not read either way.
            raise SourceError(
                _(
                    "{name}: the quantity or USD cost column writes a decimal comma (e.g. 0,5) while the cost column was "
                    "read with a decimal point; its numbers cannot be read safely. Save the file again with one decimal mark."
                ).format(name=self._path.name)
            )
        if cells.height != self._rows:
            raise changed
        return cells


def _joined(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The batches' ``frames`` as one (the list is emptied), each column of very many pieces (``MAX_CHUNKS``) in one
    piece. A column of fewer pieces (a million rows as the reader hands them over, or a few batches of
    ``TYPED_BATCH_ROWS``) is left as it is.

    Nothing but this function holds the joined frame while it copies, and it copies a column at a time, so each
    column's old pieces are freed as soon as its copy is made: one column's copy on top of the rows, not all of them.
    """
    frame = pl.concat(frames, rechunk=False)
    frames.clear()
    for name in frame.columns:
        column = frame.get_column(name)
        if column.n_chunks() > MAX_CHUNKS:
            frame = frame.with_columns(column.rechunk())
        del column
    return frame


def _typed_batches(
    path: Path, separator: str, skip_lines: int, header: list[str], columns: list[str], numbers: set[str], size: int
) -> Iterator[pl.DataFrame]:
    """The file's rows, ``columns`` only, read by polars' own parallel reader: text as categorical codes, ``numbers`` as floats.

    A text cell held as a 4-byte code rather than its text keeps ten million rows in memory; polars raises
    (and ``read_csv_path`` falls back to ``_read_chunks``) on a number cell it cannot parse.
    """
    schema = {c: pl.Float64 if c in numbers else pl.String for c in header}
    scan = pl.scan_csv(path, separator=separator, quote_char='"', skip_rows=skip_lines, schema=schema, raise_if_empty=False)
    typed = scan.select(pl.col(c) if c in numbers else pl.col(c).cast(pl.Categorical) for c in columns)
    yield from typed.collect_batches(chunk_size=BATCH_ROWS if size <= WHOLE_FRAME_MAX_BYTES else TYPED_BATCH_ROWS)


def _sample(path: Path, skip_lines: int, separator: str, header: list[str]) -> pl.DataFrame:
    """The first rows (up to 1,000) as text cells, from the file's first megabytes.

    Not ``scan.head(1000)``: the streaming engine would map and read far more of a big file than that.
    """
    rows = next(_read_chunks(path, skip_lines, separator, header, header, SAMPLE_BYTES, batch_rows=1000), None)
    return rows.head(1000) if rows is not None else pl.DataFrame(schema=dict.fromkeys(header, pl.String))


def _last_row_end(buffer: bytes) -> int:
    """Where the last whole row of ``buffer`` ends (just past a line break outside quotes), or 0.

    ``buffer`` starts at a row's start, so a line break is outside quotes when an even number of
    quote characters precede it (an escaped quote, ``""``, counts twice).
    """
    end = len(buffer)
    quotes = buffer.count(b'"')
    position = end
    while True:
        newline = buffer.rfind(b"\n", 0, position)
        if newline < 0:
            return 0
        if (quotes - buffer.count(b'"', newline + 1, end)) % 2 == 0:
            return newline + 1
        position = newline


def _read_chunks(
    path: Path, skip_lines: int, separator: str, header: list[str], columns: list[str], range_bytes: int, batch_rows: int = 0
) -> Iterator[pl.DataFrame]:
    """The file's rows, ``columns`` only, as text, in frames of about ``batch_rows`` (default ``BATCH_ROWS``) rows.

    Whole rows are cut from the file by byte ranges (plain reads: a memory map would count the whole
    file in this process's resident memory) of about ``range_bytes`` and each
    range is parsed on its own (the same parser and options as ``raw_scan``; ``header`` names the
    cells). Unlike ``collect_batches``, which reads ahead of its consumer and so can hold most of a
    big file as text, this holds one batch at a time.
    """
    wanted = [header.index(c) for c in columns]
    with path.open("rb") as handle:
        for _line in range(skip_lines):
            handle.readline()
        header_line = handle.readline()
        position = handle.tell()
        size = path.stat().st_size
        if position >= size:
            return
        parts: list[pl.DataFrame] = []
        rows = 0
        step = range_bytes
        while position < size:
            end = min(size, position + step)
            data = os.pread(handle.fileno(), end - position, position)
            cut = len(data) if end == size else _last_row_end(data)
            if not cut:  # one row longer than a range: take a longer range
                step *= 2
                continue
            step = range_bytes
            chunk = data if cut == len(data) else data[:cut]
            if chunk:
                part = _parse_range(chunk, header_line, header, wanted, separator)
                if part.height:  # nothing to add (an empty range)
                    parts.append(part)
                    rows += part.height
            position += cut
            if rows >= (batch_rows or BATCH_ROWS) or position >= size:
                if parts:
                    yield parts[0] if len(parts) == 1 else pl.concat(parts)
                parts, rows = [], 0


def _parse_range(chunk: bytes, header_line: bytes, header: list[str], wanted: list[int], separator: str) -> pl.DataFrame:
    """One byte range of whole rows, parsed; its first line sets the number of cells unless the header is put back in front."""
    options = {"new_columns": header, "columns": wanted, "separator": separator, "quote_char": '"', "infer_schema": False}
    try:
        return pl.read_csv(chunk, has_header=False, raise_if_empty=False, **options)  # type: ignore[arg-type]
    except pl.exceptions.SchemaError:  # the range starts with a blank or short line: parse it under the header
        return pl.read_csv(header_line + chunk, has_header=True, raise_if_empty=False, **options)  # type: ignore[arg-type]


_PAIR_SCHEMA: Final = dict.fromkeys(("account_id", "account_name", "profile_id", "profile_name"), pl.String)


def _pair_rows(batch: pl.DataFrame, columns: list[str | None]) -> pl.DataFrame:
    """Distinct (id, name) of billing accounts and of billing profiles in one batch, in order of appearance.

    One row per pair, of one kind (``account_id``, ``account_name``; the profile cells null) or the other.
    """
    found = [pl.DataFrame(schema=_PAIR_SCHEMA)]
    for kind, id_col, name_col in (("account", columns[0], columns[1]), ("profile", columns[2], columns[3])):
        if id_col is None:
            continue  # no ids: nothing to offer as a scope
        used = list(dict.fromkeys(c for c in (id_col, name_col) if c))
        # A batch repeats a handful of accounts on every row; most files have one, which each column's count of
        # distinct values (a quicker pass than the distinct rows) tells.
        single = batch.height > 0 and batch.select(pl.col(used).n_unique()).row(0) == (1,) * len(used)
        cells = batch.head(1) if single else batch.select(used).unique(maintain_order=True)
        pairs = cells.select(
            pl.col(id_col).cast(pl.String).str.strip_chars().alias(f"{kind}_id"),
            pl.col(name_col or id_col).cast(pl.String).str.strip_chars().alias(f"{kind}_name"),
        )
        found.append(pairs.unique(maintain_order=True))
    return pl.concat(found, how="diagonal")


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
