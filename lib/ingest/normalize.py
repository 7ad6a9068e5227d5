"""Raw frame → canonical frame, driven by a dialect's alias map.

The raw frame holds the source's cells as text, exactly as read; nothing here changes it.
Rows whose date or cost cannot be read are dropped and counted with the reason, never lost
silently.
"""

from __future__ import annotations

import gc
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from lib.core.i18n import N_, _, ngettext
from lib.core.reading import Dropped
from lib.core.schema import TAG_KEY, TAG_TYPE, TAG_VALUE, UNASSIGNED, Col, conform
from lib.ingest.dates import DateOrder, DateReading
from lib.ingest.dates import parse_date as parse_dates_in_order
from lib.ingest.detect import HEADER_SCORE, detect, known_keys
from lib.ingest.dialects import Dialect, header_key
from lib.ingest.errors import FormatError, SecondHeaderError

# Cells that mean "no value", and the text dimensions they are cleared in (the Spark engine applies the same).
PLACEHOLDERS = ("", "unassigned", "none", "null", "n/a")
TEXT_DIMENSIONS = (
    Col.SERVICE,
    Col.METER,
    Col.SUBSCRIPTION_NAME,
    Col.RESOURCE_GROUP,
    Col.LOCATION,
    Col.CHARGE_TYPE,
    Col.PRICING_MODEL,
    Col.BILLING_PROFILE,
    Col.INVOICE_SECTION,
)


@dataclass(frozen=True)
class Normalized:
    """A canonical frame plus what normalizing it had to drop or say."""

    frame: pl.DataFrame
    dropped: tuple[Dropped, ...]
    notes: tuple[str, ...]


def parse_date(expr: pl.Expr, order: DateOrder = DateOrder.MDY) -> pl.Expr:
    """Parse date text: ISO with or without time/``Z``, ``YYYYMMDD``, or day and month in ``order`` (Azure's own files: month
    first, ``MM/DD/YYYY``, ``M/D/YYYY``, ``M/D/YY``; a spreadsheet re-save may write ``DD-MM-YYYY`` or ``DD.MM.YYYY``)."""
    return parse_dates_in_order(expr, order)


def parse_number(expr: pl.Expr, *, decimal_comma: bool = False) -> pl.Expr:
    """Parse a number cell (plain or scientific notation); empty cells become null.

    ``decimal_comma`` reads ``0,075`` as 0.075 and ``1.234,5`` as 1234.5 (a file re-saved by a European spreadsheet);
    otherwise ``1,234.56`` is 1234.56.
    """
    text = expr.str.strip_chars()
    if decimal_comma:
        text = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        # ``1,234.56``: a spreadsheet's display format with thousands commas (the largest rows of a re-saved file).
        grouped = text.str.contains(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
        text = pl.when(grouped).then(text.str.replace_all(",", "", literal=True)).otherwise(text)
    number = text.replace("", None).cast(pl.Float64, strict=False)
    # "NaN" and "inf" parse as floats but are no amount: unreadable, so the row is reported, not summed.
    return pl.when(number.is_finite()).then(number).otherwise(None)


def _trimmed(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().replace("", None)


def _text(expr: pl.Expr) -> pl.Expr:
    cleaned = expr.str.strip_chars()
    return pl.when(cleaned.str.to_lowercase().is_in(PLACEHOLDERS) | cleaned.is_null()).then(pl.lit(UNASSIGNED)).otherwise(cleaned)


# Azure allows 50 tags of at most 512 + 256 characters on a resource, so a real tags cell stays
# well under these; anything bigger or deeper is hostile or broken and is kept as one tag.
MAX_TAGS_CELL = 64 * 1024
MAX_TAGS_DEPTH = 8
_TAG_PREVIEW = 256


def _depth_ok(body: str) -> bool:
    """Whether brackets nest at most ``MAX_TAGS_DEPTH`` deep (before ``json.loads`` recurses into them)."""
    if body.count("{") + body.count("[") <= MAX_TAGS_DEPTH:
        return True
    depth = 0
    quoted = escaped = False
    for char in body:
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char in "{[":
            depth += 1
            if depth > MAX_TAGS_DEPTH:
                return False
        elif char in "}]":
            depth -= 1
    return True


def parse_tags(text: str | None) -> list[dict[str, str]]:
    """Parse an Azure tags cell: a JSON object, or the same without its braces.

    Unreadable tags become one ``_unparsed`` tag holding the text, so nothing is lost. Cells
    longer than ``MAX_TAGS_CELL`` or nested deeper than ``MAX_TAGS_DEPTH`` are not parsed: they
    become one ``_unparsed`` tag with the start of the text (the raw rows keep the whole cell).
    """
    if text is None:
        return []
    if len(text) > MAX_TAGS_CELL:
        return [{TAG_KEY: "_unparsed", TAG_VALUE: f"{text[:_TAG_PREVIEW]}… ({len(text):,} characters)"}]
    body = text.strip()
    if not body or body.lower() in PLACEHOLDERS or body == "{}":
        return []
    if not body.startswith("{"):
        body = "{" + body + "}"
    if not _depth_ok(body):
        return [{TAG_KEY: "_unparsed", TAG_VALUE: text[:_TAG_PREVIEW] + ("…" if len(text) > _TAG_PREVIEW else "")}]
    try:
        value = json.loads(body)
    except (json.JSONDecodeError, RecursionError):
        return [{TAG_KEY: "_unparsed", TAG_VALUE: text}]
    if not isinstance(value, dict):
        return [{TAG_KEY: "_unparsed", TAG_VALUE: text}]
    return [{TAG_KEY: str(k), TAG_VALUE: "" if v is None else str(v)} for k, v in value.items()]


def _plain_body(cell: str | None) -> str | None:
    """The JSON object text of a cell that may be plain (see ``plain_pairs``), or None for any other cell."""
    if cell is None or len(cell) > MAX_TAGS_CELL or "\\" in cell or "[" in cell:
        return None
    body = cell.strip()
    if body.startswith("{") and body.endswith("}"):
        inner = body[1:-1]
    else:
        inner, body = body, "{" + body + "}"
    if not inner.strip() or "{" in inner or "}" in inner or inner.strip().lower() in PLACEHOLDERS:
        return None
    return body


_STR_ONLY: Final = frozenset({str})


def _text_pairs(value: object) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, dict) or not set(map(type, value.values())) <= _STR_ONLY:
        return None
    return tuple(value.items())


def _loads(body: str) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return None


PLAIN_GROUP: Final = 1000


def plain_pairs(cells: list[str | None]) -> list[tuple[tuple[str, str], ...] | None]:
    """``parse_tags`` of the common cells, quicker: an object of text keys and text values, with or without its outer
    braces, nothing nested (``"env": "prod","team": "web"``). None for any other cell, which ``parse_tags`` reads.

    The cells' objects are decoded ``PLAIN_GROUP`` at a time by one ``json.loads`` of an array of them (a call per cell
    costs more than the decoding; a group keeps the text built for it small). Their bodies hold no brace, bracket or
    backslash, so a cell cannot reach into the next one without merging two elements into one; the count is checked,
    and each cell of a group is decoded alone if it differs or the group fails.
    """
    bodies = [_plain_body(cell) for cell in cells]
    candidates = [body for body in bodies if body is not None]
    values: list[object] = []
    for start in range(0, len(candidates), PLAIN_GROUP):
        group = candidates[start : start + PLAIN_GROUP]
        decoded = _loads("[" + ",".join(group) + "]")
        values += decoded if isinstance(decoded, list) and len(decoded) == len(group) else [_loads(b) for b in group]
    found = iter(values)
    return [None if body is None else _text_pairs(next(found)) for body in bodies]


def tags_column(raw_tags: pl.Series, cache: dict[str | None, list[dict[str, str]]] | None = None) -> pl.Series:
    """Parse a column of tag cells once per distinct value (real files repeat them a lot).

    ``cache`` carries parsed cells from one batch of a big file to the next.
    """
    distinct = raw_tags.unique()
    known = cache if cache is not None else {}
    # Flat (cell, key, value) columns: polars builds the lists far faster than from Python dicts.
    cells: list[int] = []
    keys: list[str] = []
    values: list[str] = []
    for index, value in enumerate(distinct.to_list()):
        if value not in known:
            known[value] = parse_tags(value)
        for item in known[value]:
            cells.append(index)
            keys.append(item[TAG_KEY])
            values.append(item[TAG_VALUE])
    flat = pl.DataFrame(
        {"cell": cells, TAG_KEY: keys, TAG_VALUE: values}, schema={"cell": pl.UInt32, TAG_KEY: pl.String, TAG_VALUE: pl.String}
    )
    lists = flat.group_by("cell", maintain_order=True).agg(pl.struct(TAG_KEY, TAG_VALUE).alias("parsed"))
    lookup = (
        pl.DataFrame({"raw": distinct})
        .with_row_index("cell")
        .join(lists, on="cell", how="left")
        .select("raw", pl.col("parsed").fill_null(pl.lit([], dtype=TAG_TYPE)).cast(TAG_TYPE))
    )
    joined = pl.DataFrame({"raw": raw_tags}).join(lookup, on="raw", how="left", nulls_equal=True, maintain_order="left")
    return joined.get_column("parsed").alias(Col.TAGS)


TAG_SET_ID = "_TagSetId"  # column a batch carries instead of its tag lists (``TagCells``); not canonical


class TagCells:
    """The tags cells of a file read in batches: each distinct cell parsed once, one id per distinct set of tags.

    A batch then holds one small integer per row instead of a list of (key, value) structs; the lists
    are built once, from ``table``, when the batches are joined.
    """

    def __init__(self) -> None:
        self._by_cell: dict[str | None, int] = {}
        self._by_set: dict[tuple[tuple[str, str], ...], int] = {}
        self._keys: list[list[str]] = []
        self._values: list[list[str]] = []

    def _id(self, cell: str | None) -> int:
        found = self._by_cell.get(cell)
        return found if found is not None else self._add(cell, plain_pairs([cell])[0])

    def _add(self, cell: str | None, pairs: tuple[tuple[str, str], ...] | None) -> int:
        """The id of ``cell``'s set (``pairs``: the cell read by ``plain_pairs``, None to read it with ``parse_tags``)."""
        if pairs is None:
            pairs = tuple((item[TAG_KEY], item[TAG_VALUE]) for item in parse_tags(cell))
        found = self._by_set.get(pairs)
        if found is None:
            found = self._by_set[pairs] = len(self._keys)
            self._keys.append([k for k, _v in pairs])
            self._values.append([v for _k, v in pairs])
        self._by_cell[cell] = found
        return found

    def _learn(self, cells: list[str | None]) -> None:
        """Read the cells not seen yet, all at once (``plain_pairs`` decodes them together)."""
        new = [cell for cell in cells if cell not in self._by_cell]
        # Thousands of cells make as many small dicts, tuples and strings, none in a cycle: Python's cycle collector,
        # which runs every few hundred new objects, would walk them over and over (half the time of a 1M-row file's
        # 7,132 cells: 10-12 ms decoding without it against 27-42 ms with it).
        collecting = gc.isenabled()
        gc.disable()
        try:
            for cell, pairs in zip(new, plain_pairs(new), strict=True):
                self._add(cell, pairs)
        finally:
            if collecting:
                gc.enable()

    def ids(self, raw_tags: pl.Series | None, height: int, distinct: pl.Series | None = None) -> pl.Series:
        """Each row's tag-set id (``raw_tags`` None: the file has no tags column, every row untagged).

        ``distinct``: the distinct cells of categorical ``raw_tags``, when already known.
        """
        if raw_tags is None:
            return pl.repeat(self._id(None), height, dtype=pl.UInt32, eager=True).alias(TAG_SET_ID)
        if raw_tags.dtype == pl.Categorical:
            return self._ids_by_code(raw_tags, raw_tags.unique() if distinct is None else distinct)
        distinct = raw_tags.unique(maintain_order=True)
        cells = distinct.to_list()
        self._learn(cells)
        ids = pl.Series([self._by_cell[cell] for cell in cells], dtype=pl.UInt32)
        present = distinct.is_not_null()
        mapped = raw_tags.replace_strict(distinct.filter(present), ids.filter(present), default=None, return_dtype=pl.UInt32)
        if distinct.null_count():
            mapped = mapped.fill_null(ids.filter(~present)[0])
        return mapped.alias(TAG_SET_ID)

    def _ids_by_code(self, raw_tags: pl.Series, distinct: pl.Series) -> pl.Series:
        """``ids`` of categorical cells: a lookup by each distinct cell's code, gathered by every row's code."""
        present = distinct.drop_nulls()
        codes = present.to_physical().cast(pl.Int64)
        cells = present.cast(pl.String).to_list()
        self._learn(cells)
        ids = pl.Series([self._by_cell[cell] for cell in cells], dtype=pl.UInt32)
        largest = codes.max()
        size = int(largest) + 1 if isinstance(largest, int) else 1
        lookup = pl.zeros(size, dtype=pl.UInt32, eager=True).scatter(codes, ids)
        mapped = lookup.gather(raw_tags.to_physical())
        if distinct.null_count():
            mapped = mapped.fill_null(self._id(None))
        return mapped.alias(TAG_SET_ID)

    def table(self) -> pl.DataFrame:
        """Every set seen: ``_TagSetId`` and its ``Tags`` list, in id order."""
        flat = pl.DataFrame(
            {
                "cell": [i for i, keys in enumerate(self._keys) for _k in keys],
                TAG_KEY: [k for keys in self._keys for k in keys],
                TAG_VALUE: [v for values in self._values for v in values],
            },
            schema={"cell": pl.UInt32, TAG_KEY: pl.String, TAG_VALUE: pl.String},
        )
        lists = flat.group_by("cell", maintain_order=True).agg(pl.struct(TAG_KEY, TAG_VALUE).alias(Col.TAGS))
        return (
            pl.DataFrame({TAG_SET_ID: pl.arange(0, len(self._keys), dtype=pl.UInt32, eager=True)})
            .join(lists, left_on=TAG_SET_ID, right_on="cell", how="left", maintain_order="left")
            .select(TAG_SET_ID, pl.col(Col.TAGS).fill_null(pl.lit([], dtype=TAG_TYPE)).cast(TAG_TYPE))
        )


def unify_tag_table(table: pl.DataFrame, ids: pl.Series) -> tuple[pl.DataFrame, list[str]]:
    """``unify_tag_keys`` for tag sets held once in ``table`` (``_TagSetId``, ``Tags``) and used by the rows' ``ids``.

    Keys are counted over the rows, as ``unify_tag_keys`` counts them, by weighting each set with its row count.
    """
    counts = ids.value_counts().rename({"count": "_rows"})
    weighted = table.join(counts, left_on=TAG_SET_ID, right_on=ids.name, how="inner")
    keys = (
        weighted.select(pl.col(Col.TAGS).list.eval(pl.element().struct.field(TAG_KEY)).alias("k"), "_rows")
        .explode("k")
        .drop_nulls("k")
        .group_by("k")
        .agg(pl.col("_rows").sum())
    )
    frame, notes = _unify(table, {str(k): int(n) for k, n in keys.iter_rows()})
    return frame, notes


def unify_tag_keys(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Merge tag keys that differ only by case under their most frequent spelling (as written in the data, never
    lower-cased; a tie goes to the first spelling in code-point order).

    Azure treats tag names case-insensitively, so ``env`` and ``Env`` are one key.
    """
    keys = frame.select(pl.col(Col.TAGS).explode().struct.field(TAG_KEY)).drop_nulls().to_series()
    return _unify(frame, {str(k): int(n) for k, n in keys.value_counts().iter_rows()})


def _unify(frame: pl.DataFrame, counts: dict[str, int]) -> tuple[pl.DataFrame, list[str]]:
    """Rename the tag keys of ``frame``'s ``Tags`` that differ only by case to their most used spelling (``counts``: uses per key)."""
    spellings: dict[str, Counter[str]] = {}
    for name, count in counts.items():
        spellings.setdefault(name.lower(), Counter())[name] += count
    rename = {}
    notes = []
    for variants in spellings.values():
        if len(variants) > 1:
            # The most used spelling; on a tie the first in code-point order, so every load names the key alike.
            best = min(variants.items(), key=lambda item: (-item[1], item[0]))[0]
            rename.update({v: best for v in variants if v != best})
            others = ", ".join(sorted(v for v in variants if v != best))
            notes.append(_("Tag keys {others} merged into '{best}' (Azure tag names ignore case).").format(others=others, best=best))
    if not rename:
        return frame, notes
    key = pl.element().struct.field(TAG_KEY)
    fixed = pl.col(Col.TAGS).list.eval(pl.struct(key.replace(rename).alias(TAG_KEY), pl.element().struct.field(TAG_VALUE).alias(TAG_VALUE)))
    return frame.with_columns(fixed.cast(TAG_TYPE)), notes


# Given the source-row numbers of rows without a date, says which of them have no cell filled at all
# (a streamed file holds only the mapped columns in memory, so it reads those rows' other cells again).
BlankCheck = Callable[[pl.Series], pl.Series]
# The file's text of one cell (column, row of the raw frame), for a column the reader already parsed as numbers.
RawCell = Callable[[str, int], "str | None"]
# Every cell of some rows (by index in the frame), under the file's header: a batch of a big file holds only some columns.
FullRows = Callable[[pl.Series], pl.DataFrame]
# A cell at the date column's place that may be a header's (no digit, or a column name): only such undated rows are checked.
_NO_DIGIT = r"^[^0-9]*$"


def normalize(
    raw: pl.DataFrame,
    dialect: Dialect,
    *,
    line_offset: int = 2,
    decimal_comma: bool = False,
    unify_tags: bool = True,
    tag_cache: dict[str | None, list[dict[str, str]]] | None = None,
    blank_check: BlankCheck | None = None,
    tag_cells: TagCells | None = None,
    raw_cell: RawCell | None = None,
    later: frozenset[Col] = frozenset(),
    dates: DateReading | None = None,
    full_rows: FullRows | None = None,
) -> Normalized:
    """Map ``raw`` (text cells, source headers) onto the canonical schema.

    Args:
        raw: the source's rows, every cell as text.
        dialect: the alias map for this layout.
        line_offset: file line number of ``raw``'s first row, for messages.
        decimal_comma: numbers use a comma as decimal separator (European spreadsheet re-save).
        unify_tags: merge tag keys differing by case (off for one batch of a big file: done once at the end).
        tag_cache: parsed tag cells shared between the batches of one file.
        blank_check: tells blank rows among undated ones when ``raw`` holds only some of the file's columns.
        tag_cells: a batch of a big file: the frame's ``Tags`` are left null and each row's tag-set id is added
            as a last ``_TagSetId`` column instead (the lists are built once for the whole file, ``TagCells.table``).
        raw_cell: the file's text of a cell whose column ``raw`` holds as parsed numbers (for messages).
        later: canonical columns read afterwards (``lib.ingest.stream.Later``): left out of the frame, not null.
        dates: the file's date order, decided from this frame's distinct date cells unless already settled (shared
            by the batches of one file; ``lib.ingest.dates``).
        full_rows: every cell of some rows of ``raw`` when ``raw`` holds only some of the file's columns (a header line
            in the middle of the table is told by them).

    Returns:
        The canonical frame, the dropped rows with reasons, and notes for the user.

    Raises:
        ValueError: if the layout has no date or no cost column.
        SecondHeaderError: for a header line of another layout among the rows (two files joined into one).
    """
    headers = {header_key(c): c for c in raw.columns}
    sources = {
        col: source
        for col in Col
        if col is not Col.TAGS and col not in later and (source := dialect.source_column(headers, col)) is not None
    }
    tags_source = dialect.source_column(headers, Col.TAGS)
    distinct = _categorical_distinct(raw, {*sources.values(), *([tags_source] if tag_cells is not None and tags_source else [])})
    order = _date_order(raw, sources.get(Col.CHARGE_DATE), sources.get(Col.BILLING_PERIOD_START), distinct, dates)
    exprs = [_canonical(raw, col, source, decimal_comma, distinct.get(source), order).alias(col) for col, source in sources.items()]
    frame = raw.select(exprs).with_row_index(Col.SOURCE_ROW)
    if Col.BILLING_CURRENCY not in frame.columns and dialect.currency:
        frame = frame.with_columns(pl.lit(dialect.currency).alias(Col.BILLING_CURRENCY))
    if tag_cells is not None:
        raw_tags = raw.get_column(tags_source) if tags_source else None
        frame = frame.with_columns(tag_cells.ids(raw_tags, raw.height, distinct.get(tags_source) if tags_source else None))
    elif tags_source is not None:
        frame = frame.with_columns(tags_column(raw.get_column(tags_source), tag_cache))
    else:
        frame = frame.with_columns(pl.lit([], dtype=TAG_TYPE).alias(Col.TAGS))

    frame, dropped, header_notes = _drop_unreadable(frame, raw, headers, dialect, line_offset, blank_check, raw_cell, full_rows)
    fallback_period = pl.col(Col.CHARGE_DATE).dt.month_start()
    if Col.BILLING_PERIOD_START in frame.columns:
        if frame.get_column(Col.BILLING_PERIOD_START).null_count():
            frame = frame.with_columns(pl.col(Col.BILLING_PERIOD_START).fill_null(fallback_period))
    else:
        frame = frame.with_columns(fallback_period.alias(Col.BILLING_PERIOD_START))
    frame, notes = unify_tag_keys(frame) if unify_tags and tag_cells is None else (frame, [])
    notes = [*header_notes, *notes]
    canonical = conform(frame, later)
    if tag_cells is not None:
        canonical = canonical.with_columns(frame.get_column(TAG_SET_ID))
    return Normalized(canonical, tuple(dropped), tuple(notes))


def canonical_columns(raw: pl.DataFrame, sources: Mapping[Col, str]) -> pl.DataFrame:
    """The canonical columns ``sources`` maps to ``raw``'s columns, each made as ``normalize`` makes it (no row dropped)."""
    distinct = _categorical_distinct(raw, set(sources.values()))
    return raw.select(_canonical(raw, col, source, False, distinct.get(source)).alias(col) for col, source in sources.items())


def _categorical_distinct(raw: pl.DataFrame, sources: set[str]) -> dict[str, pl.Series]:
    """The distinct values of ``raw``'s categorical columns among ``sources``, found in one parallel pass."""
    columns = [c for c in raw.columns if c in sources and raw.schema[c] == pl.Categorical]
    if not columns:
        return {}
    found = raw.select(pl.col(c).unique().implode() for c in columns)
    return {c: found.get_column(c)[0].alias(c) for c in columns}


def _date_order(
    raw: pl.DataFrame, source: str | None, period_start: str | None, distinct: dict[str, pl.Series], dates: DateReading | None
) -> DateOrder:
    """The order to read day and month in: from the distinct cells of the date and billing-period columns (see ``lib.ingest.dates``).

    The distinct cells are kept in ``distinct`` so the parse below does not look for them again.
    """
    if source is None or not raw.height:
        return dates.order or DateOrder.MDY if dates else DateOrder.MDY
    reading = dates or DateReading(_("the file"))

    def cells(name: str | None) -> pl.Series | None:
        if name is None or name not in raw.columns:
            return None
        if name not in distinct:
            distinct[name] = raw.get_column(name).unique()
        return distinct[name].alias(name)

    # Only the columns a big file read from disk holds as well (``lib.ingest.stream``), so both readers decide alike.
    periods = [cells(period_start)]
    found = cells(source)
    assert found is not None
    return reading.decide(found, source, [p for p in periods if p is not None])


def _canonical(
    raw: pl.DataFrame, col: Col, source: str, decimal_comma: bool, distinct: pl.Series | None = None, order: DateOrder = DateOrder.MDY
) -> pl.Expr:
    """The canonical value of ``col`` from ``raw``'s column ``source`` (``distinct``: its distinct values, when known)."""
    cell = pl.col(source)
    if col in (Col.CHARGE_DATE, Col.BILLING_PERIOD_START):
        return per_distinct(raw, source, lambda e: parse_date(e, order), pl.Date(), distinct)
    if col in (Col.COST, Col.COST_USD, Col.QUANTITY):
        if not raw.schema[source].is_float():
            return parse_number(cell, decimal_comma=decimal_comma)
        # Parsed by the reader (``lib.ingest.stream``); as in ``parse_number``, NaN and infinities are no amount.
        return cell if raw.get_column(source).is_finite().all() else pl.when(cell.is_finite()).then(cell).otherwise(None)
    if col in TEXT_DIMENSIONS:
        return per_distinct(raw, source, _text, pl.String(), distinct)
    if raw.schema[source] == pl.Categorical:
        return per_distinct(raw, source, _trimmed, pl.String(), distinct)
    return _trimmed(cell)


def per_distinct(
    raw: pl.DataFrame, source: str, parse: Callable[[pl.Expr], pl.Expr], dtype: pl.DataType, distinct: pl.Series | None = None
) -> pl.Expr:
    """``parse`` applied once per distinct cell of ``raw``'s column ``source``: usage files repeat dates and names on every row.

    A categorical column (a big file, ``lib.ingest.stream``) stays categorical: its codes are kept as they are when
    ``parse`` changes no text; otherwise (and for dates) each row's value comes from a table indexed by its code.
    """
    categorical = raw.schema[source] == pl.Categorical
    if distinct is None:
        distinct = raw.get_column(source).unique()
    if not categorical and distinct.len() > max(1000, raw.height // 20):
        return parse(pl.col(source))
    text = distinct.cast(pl.String)
    parsed = pl.DataFrame({"v": text}).select(parse(pl.col("v"))).to_series()
    present = distinct.is_not_null()
    if categorical and dtype == pl.String:
        dtype = pl.Categorical()
        parsed = parsed.cast(dtype)
        if parsed.filter(present).cast(pl.String).equals(text.filter(present)):
            null_value = parsed.filter(~present)
            return pl.col(source).fill_null(null_value[0]) if null_value.len() and null_value[0] is not None else pl.col(source)
    if categorical:
        # Each row's value by its code (a gather), not by a hash lookup of every row's value.
        return _by_code(source, distinct, parsed)
    mapped = pl.col(source).replace_strict(distinct.filter(present), parsed.filter(present), default=None, return_dtype=dtype)
    if distinct.null_count():
        null_value = parsed.filter(~present)
        return mapped.fill_null(pl.lit(null_value[0], dtype=dtype)) if null_value.len() else mapped
    return mapped


def _by_code(source: str, distinct: pl.Series, values: pl.Series) -> pl.Expr:
    """Categorical column ``source`` mapped to ``values`` (one per ``distinct`` cell, null included) through a table indexed
    by the cells' codes: a gather per row."""
    present = distinct.is_not_null()
    codes = distinct.filter(present).to_physical()
    largest = codes.max()
    size = int(largest) + 1 if isinstance(largest, int) else 0
    table = pl.repeat(None, size, dtype=values.dtype, eager=True).scatter(codes, values.filter(present))
    mapped = pl.lit(table).gather(pl.col(source).to_physical())
    null_value = values.filter(~present)
    return mapped.fill_null(pl.lit(null_value[0], dtype=values.dtype)) if null_value.len() and null_value[0] is not None else mapped


def blank_cells(raw: pl.DataFrame) -> pl.Expr:
    """Rows whose every cell is empty (blank lines, or lines of separators only)."""
    if not raw.columns:
        return pl.lit(True)
    return pl.all_horizontal([pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in raw.columns])


def _drop_unreadable(
    frame: pl.DataFrame,
    raw: pl.DataFrame,
    headers: dict[str, str],
    dialect: Dialect,
    line_offset: int,
    blank_check: BlankCheck | None = None,
    raw_cell: RawCell | None = None,
    full_rows: FullRows | None = None,
) -> tuple[pl.DataFrame, list[Dropped], list[str]]:
    dropped: list[Dropped] = []
    notes: list[str] = []
    # Only rows without a date can be blank: check just those against every raw cell (most files: none, and a
    # column's null count is known without a pass over it).
    if Col.CHARGE_DATE not in frame.columns:
        undated = frame
    elif frame.get_column(Col.CHARGE_DATE).null_count():
        undated = frame.filter(pl.col(Col.CHARGE_DATE).is_null())
    else:
        undated = frame.clear()
    empty = None
    if undated.height and blank_check is not None:
        empty = undated.get_column(Col.SOURCE_ROW).filter(blank_check(undated.get_column(Col.SOURCE_ROW)))
    elif undated.height:
        rows = raw.select(pl.all().gather(undated.get_column(Col.SOURCE_ROW)))
        empty = undated.get_column(Col.SOURCE_ROW).filter(rows.select(blank_cells(rows)).to_series())
    if empty is not None and empty.len():
        blank_rows = pl.col(Col.SOURCE_ROW).is_in(empty.implode())
        first_line = int(empty[0]) + line_offset  # rows in file order: the first is the earliest
        dropped.append(
            Dropped(
                reason=_("empty row with no cells filled (first at line {line})").format(line=first_line),
                rows=empty.len(),
                example_line=first_line,
            )
        )
        frame = frame.filter(~blank_rows)
        undated = undated.filter(~blank_rows)
    if undated.height:
        frame, notes = _header_lines(frame, raw, dialect.source_column(headers, Col.CHARGE_DATE), undated, line_offset, full_rows)
    # Messages in the reader's language (lib.core.i18n), one pair per column.
    checks: Iterable[tuple[Col, str, str]] = (
        (
            Col.CHARGE_DATE,
            N_("the file has no date column (looked for {columns})"),
            N_("date missing or unreadable in column '{column}' (first at line {line}: {sample})"),
        ),
        (
            Col.COST,
            N_("the file has no cost column (looked for {columns})"),
            N_("cost missing or unreadable in column '{column}' (first at line {line}: {sample})"),
        ),
    )
    for col, absent, unreadable in checks:
        source = dialect.source_column(headers, col)
        if col not in frame.columns:
            raise ValueError(_(absent).format(columns=", ".join(dialect.columns[col])))
        if frame.get_column(col).null_count():
            bad = frame.filter(pl.col(col).is_null())
            first_line = int(bad.get_column(Col.SOURCE_ROW)[0]) + line_offset
            row = first_line - line_offset
            if source and raw_cell is not None and raw.schema[source].is_float():
                sample = raw_cell(source, row)  # parsed while reading: the file's own text is shown
            else:
                sample = raw.get_column(source)[row] if source else None
            reason = _(unreadable).format(column=source, line=first_line, sample=repr(sample))
            dropped.append(Dropped(reason=reason, rows=bad.height, example_line=first_line))
            frame = frame.filter(pl.col(col).is_not_null())
    return frame, dropped, notes


def _header_lines(
    frame: pl.DataFrame, raw: pl.DataFrame, date_source: str | None, undated: pl.DataFrame, line_offset: int, full_rows: FullRows | None
) -> tuple[pl.DataFrame, list[str]]:
    """``frame`` without the lines among ``undated`` that repeat the file's header (said in the notes).

    Two files joined into one (``cat a.csv b.csv``) hold the second file's header as a row. It has no date, so only
    undated rows are looked at, and of them those whose date cell could be a column name. The same header again is
    skipped; another layout's header would read the second file's cells under the first one's names, and is refused.

    Raises:
        SecondHeaderError: for a header line of another layout.
    """
    rows = undated.get_column(Col.SOURCE_ROW)
    if date_source is not None:
        dates = raw.get_column(date_source).gather(rows).cast(pl.String).str.strip_chars()
        rows = rows.filter(dates.is_null() | dates.str.contains(_NO_DIGIT) | _as_key(dates).is_in(list(known_keys())))
    if not rows.len():
        return frame, []
    full = full_rows(rows) if full_rows is not None else raw.select(pl.all().gather(rows))
    # Rows with enough cells that are column names (as ``header_key`` spells them, localised names aside) are looked at
    # one by one; a file of many undated rows of data has none.
    known = list(known_keys())
    named = full.select(
        pl.sum_horizontal(_as_key(pl.col(c).cast(pl.String)).is_in(known).fill_null(False).cast(pl.Int32) for c in full.columns)
    ).to_series()
    keep = named >= HEADER_SCORE
    rows, full = rows.filter(keep), full.filter(keep)
    names = [header_key(re.sub(r"_duplicated_\d+$", "", c)) for c in full.columns]  # polars' names for repeated columns
    repeated: list[int] = []
    for row, values in zip(rows, full.iter_rows(), strict=True):
        filled = list(values)
        while filled and filled[-1] is None:
            filled.pop()  # a shorter line than the header: its missing cells
        cells = ["" if v is None else str(v) for v in filled]
        if sum(header_key(c) in known_keys() for c in cells) < HEADER_SCORE:
            continue
        if [header_key(c) for c in cells] == names:
            repeated.append(int(row))
            continue
        try:
            layout = detect("", cells, {}).label
        except FormatError:
            continue  # names no date and cost column: not a header (the row is reported as unreadable)
        raise SecondHeaderError(int(row) + line_offset, layout)
    if not repeated:
        return frame, []
    lines = ", ".join(str(r + line_offset) for r in repeated[:5]) + (", …" if len(repeated) > 5 else "")
    note = ngettext(
        "The header is repeated at line {lines} (files joined into one): skipped.",
        "The header is repeated at lines {lines} (files joined into one): skipped.",
        len(repeated),
    ).format(lines=lines)
    return frame.filter(~pl.col(Col.SOURCE_ROW).is_in(repeated)), [note]


def _as_key(cells: Any) -> Any:
    """``header_key`` of text cells (an expression or a series), localised names aside."""
    return cells.str.strip_chars().str.strip_chars('"').str.replace_all(r"[\s_\-\ufeff]+", "").str.to_lowercase()
