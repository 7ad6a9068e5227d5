"""The Spark side of the Lake source: read the exports where they lie, map them to the canonical schema, aggregate.

Everything that grows with the rows runs in the engine; the client gets small tables back as Arrow:
1. the file listing (paths only) and the manifests (a few kB each);
2. one header line per export run, detected with the local reader's ``lib.ingest.detect``;
3. one scan: every part's rows mapped to canonical columns with the dialect maps of ``lib.ingest.dialects`` (the same alias
   lists as the local reader), aggregated to the cube: day × the dimensions pages filter and group by × the raw tags
   cell, with cost, cost in USD and quantity summed and rows counted, per part and why a row was dropped;
4. only when two export runs share a month: the distinct row keys counted by the set of runs holding them, so the
   month-to-date rule of ``lib.ingest.merge`` (latest run wins) is decided from a handful of numbers.
The cube keeps the part, so the replaced runs and the other cost view are left out on the client without a new scan.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

import polars as pl
import pyarrow as pa

from lib.core.i18n import _
from lib.core.models import Metric
from lib.core.schema import CANONICAL_SCHEMA, UNASSIGNED, Col
from lib.ingest.containers import MANIFEST, parse_manifest
from lib.ingest.detect import Detection, detect
from lib.ingest.dialects import Dialect, for_metric, header_key
from lib.ingest.errors import FormatError
from lib.ingest.normalize import PLACEHOLDERS, TEXT_DIMENSIONS, TagCells
from lib.sources.spark.connect import EngineError, engine_message
from lib.sources.spark.plan import CSV_KIND, LakeFile, Listing, RunMonth, list_files

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame
    from pyspark.sql.connect.session import SparkSession

# The cube's dimensions: every canonical column a page filters or groups by, except the resource id (one per row of a
# big lake: the cube would be as big as the lake). Tags come as the raw cell, parsed once per distinct cell on the client.
CUBE_DIMENSIONS: tuple[Col, ...] = (
    Col.CHARGE_DATE,
    Col.BILLING_PERIOD_START,
    Col.INVOICE_ID,
    Col.BILLING_CURRENCY,
    Col.SERVICE,
    Col.METER,
    Col.SUBSCRIPTION_ID,
    Col.SUBSCRIPTION_NAME,
    Col.RESOURCE_GROUP,
    Col.LOCATION,
    Col.CHARGE_TYPE,
    Col.PRICING_MODEL,
    Col.UNIT,
    Col.BILLING_PROFILE,
    Col.INVOICE_SECTION,
)
MEASURES: tuple[Col, ...] = (Col.COST, Col.COST_USD, Col.QUANTITY)
TAGS_CELL = "_tags_cell"
PART = "_part"
DROP = "_drop"  # why a row is left out: KEPT, or the reason's code
ROWS = "_rows"
NONZERO = "_nonzero"  # some row of the group has a cost other than 0 (tells actual from amortized files)
KEPT, BLANK, NO_DATE, NO_COST = 0, 1, 2, 3
UNKNOWN_CURRENCY = "XXX"

# lib.ingest.normalize's rules, written as Spark expressions (kept beside the originals' names so they change together).
_DATE_SHAPES = (
    (r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]|$)", "yyyy-M-d"),
    (r"^(\d{1,2}/\d{1,2}/\d{4})(?:\s|$)", "M/d/yyyy"),
    (r"^(\d{1,2}/\d{1,2}/\d{2})(?:\s|$)", "M/d/yy"),
    (r"^(\d{8})$", "yyyyMMdd"),
)
_KEY = (Col.CHARGE_DATE, Col.SUBSCRIPTION_ID, Col.RESOURCE_ID, Col.METER, Col.CHARGE_TYPE)  # lib.ingest.merge._KEY


@dataclass(frozen=True)
class Group:
    """Parts of one layout read together: same kind, header and separator."""

    kind: str
    header: tuple[str, ...]
    separator: str
    detection: Detection
    parts: tuple[int, ...]


@dataclass(frozen=True)
class Scan:
    """What the engine found under a root: the parts, their layouts, and what was skipped."""

    root: str
    listing: Listing
    groups: tuple[Group, ...]
    detections: dict[int, Detection] = field(default_factory=dict)  # each read part's own (its name in its warnings)
    warnings: tuple[str, ...] = field(default=())

    def detection_of(self, part: int) -> Detection:
        return self.detections[part]


def _functions() -> Any:
    from pyspark.sql import functions

    return functions


def _column(value: Any) -> Column:
    return cast("Column", value)  # pyspark's functions are typed loosely


def _strip(column: Column) -> Column:
    # Spark's trim removes spaces only; the local reader strips every kind of white space.
    return _column(_functions().regexp_replace(column, r"^\s+|\s+$", ""))


def parse_date(column: Column) -> Column:
    """``lib.ingest.normalize.parse_date`` in Spark."""
    fn = _functions()
    text = _strip(column)
    return _column(fn.coalesce(*[fn.try_to_date(fn.regexp_extract(text, shape, 1), fn.lit(pattern)) for shape, pattern in _DATE_SHAPES]))


def parse_number(column: Column, *, decimal_comma: bool = False) -> Column:
    """``lib.ingest.normalize.parse_number`` in Spark: NaN and infinities are no amount."""
    fn = _functions()
    text = _strip(column)
    if decimal_comma:
        text = fn.regexp_replace(fn.regexp_replace(text, r"\.", ""), ",", ".")
    number = text.try_cast("double")
    return _column(fn.when(fn.isnan(number) | (fn.abs(number) == float("inf")), fn.lit(None).cast("double")).otherwise(number))


def _text(column: Column) -> Column:
    fn = _functions()
    cleaned = _strip(column)
    return _column(fn.when(cleaned.isNull() | fn.lower(cleaned).isin(*PLACEHOLDERS), fn.lit(UNASSIGNED)).otherwise(cleaned))


def _trimmed(column: Column) -> Column:
    fn = _functions()
    cleaned = _strip(column)
    return _column(fn.when(cleaned == "", fn.lit(None).cast("string")).otherwise(cleaned))


def canonical(col: Col, column: Column, decimal_comma: bool) -> Column:
    """The canonical value of ``col`` from a text cell, as ``lib.ingest.normalize._canonical`` and ``lib.ingest.read._tidy`` make it."""
    fn = _functions()
    if col in (Col.CHARGE_DATE, Col.BILLING_PERIOD_START):
        return parse_date(column)
    if col in MEASURES:
        return parse_number(column, decimal_comma=decimal_comma)
    if col in TEXT_DIMENSIONS:
        return _text(column)
    if col is Col.BILLING_CURRENCY:
        return _column(fn.upper(_trimmed(column)))
    if col is Col.SUBSCRIPTION_ID:
        return _column(fn.regexp_replace(_trimmed(column), r"(?i)^/subscriptions/", ""))
    return _trimmed(column)


def _first_line(text: str) -> str:
    return text.lstrip("\ufeff")


def _separator(line: str) -> str:
    return ";" if line.count(";") > line.count(",") else ","


def _csv_cells(line: str, separator: str) -> list[str]:
    return next(csv.reader([line], delimiter=separator), [])


def _engine_path(path: str) -> list[str]:
    """The ways the engine writes ``path`` in ``_metadata.file_path`` (a URI: spaces and the like escaped)."""
    escaped = quote(path, safe="/:@!$&'()*+,;=-._~")
    return [path] if escaped == path else [path, escaped]


def find_files(spark: SparkSession, root: str) -> Listing:
    """The parts under ``root`` (a folder or one file, local or ``abfss://``), read from the engine's view of storage.

    Raises:
        EngineError: when the engine cannot list ``root``.
    """
    fn = _functions()
    try:
        found = (
            spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(root).select("path", "length").toArrow().to_pylist()
        )
    except Exception as error:
        text = str(error)
        if "PATH_NOT_FOUND" in text or "does not exist" in text:
            raise EngineError(_("{root}: no such file or folder where the Spark engine looks").format(root=root)) from None
        raise EngineError(engine_message(error, "sc://engine")) from None
    paths = [str(row["path"]) for row in found]
    manifests = {}
    manifest_paths = [str(r["path"]) for r in found if str(r["path"]).lower().endswith("/" + MANIFEST) and int(r["length"]) < 1024 * 1024]
    if manifest_paths:
        table = spark.read.format("binaryFile").load(manifest_paths).select("path", "content").toArrow().to_pylist()
        manifests = {str(r["path"]).rsplit("/", 1)[0]: parse_manifest(bytes(r["content"])) for r in table}
    del fn
    return list_files(paths, root, manifests)


def _parse_header(lines: list[str]) -> tuple[list[str], dict[str, str | None], str]:
    if not lines:
        return [], {}, ","
    separator = _separator(lines[0])
    header = [c.strip() for c in _csv_cells(_first_line(lines[0]), separator)]
    values = _csv_cells(lines[1], separator) if len(lines) > 1 else []
    return header, dict(zip(header, [*values, *[None] * len(header)], strict=False)), separator


_HEADERS_PER_REQUEST = 16  # a union per file: Spark Connect's messages limit how deep a plan nests


def _csv_headers(spark: SparkSession, items: Sequence[tuple[int, LakeFile]]) -> dict[int, tuple[list[str], dict[str, str | None], str]]:
    """The first two lines of each CSV part, a few parts per request (each scan stops after its first lines)."""
    fn = _functions()
    found: dict[int, list[str]] = {index: [] for index, _item in items}
    for start in range(0, len(items), _HEADERS_PER_REQUEST):
        chunk = items[start : start + _HEADERS_PER_REQUEST]
        frames = [spark.read.text(item.path).limit(2).withColumn("_i", fn.lit(index)) for index, item in chunk]
        union = frames[0]
        for frame in frames[1:]:
            union = union.unionByName(frame)
        for row in union.toArrow().to_pylist():
            found[int(row["_i"])].append(str(row["value"]))
    return {index: _parse_header(lines) for index, lines in found.items()}


def _parquet_header(spark: SparkSession, item: LakeFile) -> tuple[list[str], dict[str, str | None], str]:
    """A Parquet part's columns and first row as text."""
    frame = spark.read.parquet(item.path)
    first = frame.limit(1).select([_functions().col(f"`{c}`").cast("string") for c in frame.columns]).toArrow().to_pylist()
    return list(frame.columns), {k: v for k, v in (first[0] if first else {}).items()}, ","


def _headers(spark: SparkSession, files: Sequence[LakeFile]) -> dict[int, tuple[list[str], dict[str, str | None], str]]:
    """Every part's header. The parts of an export run with a manifest share one (the export writes them so): read once."""
    first_of_run: dict[str, int] = {}
    wanted: list[tuple[int, LakeFile]] = []
    shares: dict[int, int] = {}
    for index, item in enumerate(files):
        if item.kind == CSV_KIND and item.manifest:
            if item.run in first_of_run:
                shares[index] = first_of_run[item.run]
                continue
            first_of_run[item.run] = index
        wanted.append((index, item))
    headers = _csv_headers(spark, [(i, f) for i, f in wanted if f.kind == CSV_KIND])
    headers.update({i: _parquet_header(spark, f) for i, f in wanted if f.kind != CSV_KIND})
    headers.update({index: headers[first] for index, first in shares.items()})
    return headers


def plan(spark: SparkSession, root: str) -> Scan:
    """Find the parts under ``root`` and their layouts (one header read per export run; parts of a run share it).

    Raises:
        EngineError: when nothing under ``root`` is a usage export.
    """
    listing = find_files(spark, root)
    warnings = [_("{name}: zip archives are not read by the Spark engine; unpack them in the lake").format(name=n) for n in listing.skipped]
    # As the Files source lists a folder's stray files (same words).
    stray = _("not a usage file (CSV, CSV.GZ, ZIP or Parquet)")
    warnings += [_("{name}: not read: {reason}").format(name=name, reason=stray) for name in listing.strays]
    groups: dict[tuple[str, tuple[str, ...], str], tuple[Detection, list[int]]] = {}
    headers = _headers(spark, listing.files)
    detections: dict[int, Detection] = {}
    for index, item in enumerate(listing.files):
        header, first_row, separator = headers[index]
        key = (item.kind, tuple(header), separator)
        try:
            detections[index] = detect(item.name, header, first_row)
        except FormatError as error:
            warnings.append(str(error))
            continue
        groups.setdefault(key, (detections[index], []))[1].append(index)
    if not groups:
        raise EngineError(_("{root}: no usage exports (CSV or Parquet parts) found there").format(root=root))
    found = tuple(Group(kind, header, sep, detection, tuple(parts)) for (kind, header, sep), (detection, parts) in groups.items())
    return Scan(root, listing, found, detections, tuple(warnings))


def _raw_frame(spark: SparkSession, scan: Scan, group: Group) -> DataFrame:
    """A group's rows as text cells named ``c0``, ``c1``… (headers may repeat or hold dots), with the part number."""
    from pyspark.sql.types import StringType, StructField, StructType

    fn = _functions()
    paths = [scan.listing.files[i].path for i in group.parts]
    names = [f"c{i}" for i in range(len(group.header))]
    if group.kind == CSV_KIND:
        schema = StructType([StructField(n, StringType()) for n in names])
        # One record per line: a big part is then split between the engine's cores (Cost Management writes no line
        # breaks inside cells; multiLine would read each file on one core).
        reader = spark.read.schema(schema).options(header="true", sep=group.separator, quote='"', escape='"', multiLine="false")
        frame: DataFrame = reader.csv(paths)
    else:
        frame = spark.read.parquet(*paths)
        frame = frame.select([fn.col(f"`{c}`").cast("string").alias(n) for c, n in zip(frame.columns, names, strict=True)])
    pairs: list[Column] = []
    for part in group.parts:
        for written in _engine_path(scan.listing.files[part].path):
            pairs += [fn.lit(written), fn.lit(part)]
    return frame.withColumn(PART, fn.create_map(*pairs)[fn.col("_metadata.file_path")])


def _decimal_comma(spark: SparkSession, frame: DataFrame, group: Group, cost: str | None) -> bool:
    """``lib.ingest.read._has_decimal_comma``: a ``;`` file whose first costs are written ``0,075``."""
    if group.separator != ";" or cost is None:
        return False
    column = frame.columns[group.header.index(cost)]
    sample = frame.select(column).limit(1000).toArrow().column(0).to_pylist()
    import re

    return any(isinstance(v, str) and re.match(r"^\s*-?\d+,\d+(E-?\d+)?\s*$", v) for v in sample)


def canonical_rows(spark: SparkSession, scan: Scan, metric: Metric) -> DataFrame:
    """Every part's rows in canonical columns (no row left out yet), with the part, the raw tags cell and why a row drops."""
    fn = _functions()
    frames = []
    for group in scan.groups:
        raw = _raw_frame(spark, scan, group)
        dialect: Dialect = for_metric(group.detection.dialect, amortized=metric is Metric.AMORTIZED)
        headers = {header_key(h): h for h in group.header}
        column_of = {h: f"c{i}" for i, h in reversed(list(enumerate(group.header)))}  # a repeated header: its first column
        cost_header = dialect.source_column(headers, Col.COST)
        comma = _decimal_comma(spark, raw, group, cost_header)
        selected: list[Column] = [fn.col(PART)]
        for col in (*CUBE_DIMENSIONS, *MEASURES, Col.RESOURCE_ID):
            source = dialect.source_column(headers, col)
            if source is not None:
                selected.append(canonical(col, fn.col(column_of[source]), comma).alias(col))
            elif col is Col.BILLING_CURRENCY and dialect.currency:
                selected.append(fn.lit(dialect.currency).alias(col))
            else:
                kind = "date" if col in (Col.CHARGE_DATE, Col.BILLING_PERIOD_START) else "double" if col in MEASURES else "string"
                selected.append(fn.lit(None).cast(kind).alias(col))
        tags = dialect.source_column(headers, Col.TAGS)
        selected.append((fn.col(column_of[tags]) if tags else fn.lit(None).cast("string")).alias(TAGS_CELL))
        # One flat expression (a chain of ANDs over a wide layout nests deeper than Spark Connect's messages allow).
        every_cell = fn.concat_ws("", *[fn.col(f"c{i}") for i in range(len(group.header))])
        selected.append((fn.length(fn.regexp_replace(every_cell, r"\s", "")) == 0).alias("_blank"))
        frames.append(raw.select(selected))
    rows = frames[0]
    for other in frames[1:]:
        rows = rows.unionByName(other)
    date_col, cost_col = fn.col(Col.CHARGE_DATE), fn.col(Col.COST)
    reason = (
        fn.when(date_col.isNull() & fn.col("_blank"), fn.lit(BLANK))
        .when(date_col.isNull(), fn.lit(NO_DATE))
        .when(cost_col.isNull(), fn.lit(NO_COST))
        .otherwise(fn.lit(KEPT))
    )
    return rows.select(
        *[fn.col(c) for c in rows.columns if c not in ("_blank", Col.BILLING_PERIOD_START, Col.BILLING_CURRENCY)],
        fn.coalesce(fn.col(Col.BILLING_PERIOD_START), fn.trunc(date_col, "month")).alias(Col.BILLING_PERIOD_START),
        fn.coalesce(fn.col(Col.BILLING_CURRENCY), fn.lit(UNKNOWN_CURRENCY)).alias(Col.BILLING_CURRENCY),
        fn.col(Col.BILLING_CURRENCY).isNull().alias("_no_currency"),
        reason.alias(DROP),
    )


def arrow_batches(frame: DataFrame) -> Iterator[pa.Table]:
    """``frame``'s rows as Arrow, one batch at a time as the server sends them: the client never holds them all.

    ``toArrow`` would gather every batch (and the gRPC messages they came in) before handing back one table; this is
    the stream the Spark Connect client's ``toLocalIterator`` reads, without turning the batches into Python rows.
    A result without rows yields one empty table of the result's columns.
    """
    from pyspark.sql.pandas.types import to_arrow_schema

    connect: Any = frame  # a Spark Connect frame: its plan and client are the pinned pyspark-client's (4.2)
    client = connect._session.client
    schema = None
    sent = False
    for item in client.to_table_as_iterator(connect._plan.to_proto(client), connect._plan.observations):
        if isinstance(item, pa.Table):
            sent = True
            yield item
        else:
            schema = item
    if not sent:
        yield to_arrow_schema(schema if schema is not None else frame.schema).empty_table()


def _compact(table: pa.Table, tag_cells: TagCells) -> pl.DataFrame:
    """One Arrow batch of the cube as a small polars frame: text keys as categorical codes (each text held once by
    polars' categories), the raw tags cell as the id of its parsed tag set (``TagCells``: the local reader's rules)."""
    batch = pl.from_arrow(table)
    assert isinstance(batch, pl.DataFrame)
    tags = batch.get_column(TAGS_CELL).cast(pl.String).cast(pl.Categorical)
    texts = [pl.col(c).cast(CANONICAL_SCHEMA[c]) for c in CUBE_DIMENSIONS if CANONICAL_SCHEMA[c] == pl.Categorical()]
    return batch.with_columns(*texts, tag_cells.ids(tags, batch.height)).drop(TAGS_CELL)


_MERGE_EVERY = 8

# The detail a cube leaves out, one step after another (the finest first), when it would hold more rows than the client
# is to keep: the client holds the cube, so its memory follows the cube's rows, and a cube kept under a limit keeps it
# bounded however big the lake. Each step is one more group of keys no page then offers.
COARSER_STEPS: tuple[tuple[str, ...], ...] = (
    (Col.METER, Col.UNIT),
    (TAGS_CELL,),
    (Col.BILLING_PROFILE, Col.INVOICE_SECTION),
    (Col.LOCATION,),
    (Col.RESOURCE_GROUP,),
)


@dataclass(frozen=True)
class Cube:
    """The cube the client holds, and what it leaves out to stay under its row limit."""

    cells: pl.DataFrame
    left_out: tuple[str, ...] = ()  # keys of ``COARSER_STEPS`` left out (``TAGS_CELL`` for the tags)
    full_rows: int | None = None  # the rows of the whole cube, when it was counted against a limit


def _aggregated(rows: DataFrame, left_out: Sequence[str] = ()) -> DataFrame:
    """``rows`` (canonical rows, or a finer cube) grouped by every cube key but ``left_out``, which stay as nulls."""
    fn = _functions()
    finer = ROWS in rows.columns  # a cube: its counts are added up, not counted again
    keys = [k for k in (*CUBE_DIMENSIONS, TAGS_CELL) if k not in left_out]
    grouped = rows.groupBy(*keys, PART, DROP).agg(
        *[fn.sum(fn.col(m)).alias(m) for m in MEASURES],
        fn.sum(fn.col(ROWS)).alias(ROWS) if finer else fn.count(fn.lit(1)).alias(ROWS),
        fn.sum(fn.col("_no_currency").cast("long")).alias("_no_currency"),
        fn.max(fn.col(NONZERO)).alias(NONZERO) if finer else fn.max((fn.col(Col.COST) != 0).cast("int")).alias(NONZERO),
    )
    # Every cube has the same columns: the client reads a coarser one as it reads the whole.
    order = [*CUBE_DIMENSIONS, TAGS_CELL, PART, DROP, *MEASURES, ROWS, "_no_currency", NONZERO]
    return grouped.select(*[fn.lit(None).cast("string").alias(c) if c in left_out else fn.col(c) for c in order])


def fitted_cube(rows: DataFrame, tag_cells: TagCells, limit: int | None = None) -> Cube:
    """The cube, coarsened by ``COARSER_STEPS`` until it holds at most ``limit`` rows (the coarsest when none fits).

    With a limit the whole cube is kept in the engine's cache while it is counted, so the lake is scanned once. A
    coarser cube is worked out from it again to be sent rather than cached too: caching it was slower (docs/lake.md).
    """
    full = _aggregated(rows)
    if limit is None:
        return Cube(cube_cells(full, tag_cells))
    full = full.persist()
    try:
        counted = full_rows = full.count()
        chosen = full
        left_out: tuple[str, ...] = ()
        for step in COARSER_STEPS:
            if counted <= limit:
                break
            left_out = (*left_out, *step)
            chosen = _aggregated(full, left_out)
            counted = chosen.count()
        return Cube(cube_cells(chosen, tag_cells), left_out, full_rows)
    finally:
        full.unpersist()


def cube(rows: DataFrame, tag_cells: TagCells) -> pl.DataFrame:
    """The whole cube, per part and drop reason, as one compact frame (``fitted_cube`` without a limit)."""
    return fitted_cube(rows, tag_cells).cells


def cube_cells(aggregated: DataFrame, tag_cells: TagCells) -> pl.DataFrame:
    """A cube aggregated in the engine, brought back batch by batch into one compact frame.

    Each distinct tags cell is parsed once into ``tag_cells``; the cube holds its set's id (``TAG_SET_ID``).
    """
    # Rebalanced into partitions of the engine's advisory size: the driver gathers each partition's Arrow batches
    # whole before sending them, so a few big partitions (the shuffle's count, however big the cube) would have to
    # fit in its heap at once.
    aggregated = aggregated.hint("rebalance")
    # A compact batch still points into the Arrow message it came in (polars shares numeric buffers, and the message
    # body is one allocation): every few batches are copied into fresh buffers, so the client holds at most
    # ``_MERGE_EVERY`` messages besides the cube. The cube stays in those chunks (no copy of it all at the end).
    done: list[pl.DataFrame] = []
    pending: list[pl.DataFrame] = []
    for table in arrow_batches(aggregated):
        pending.append(_compact(table, tag_cells))
        del table
        if len(pending) >= _MERGE_EVERY:
            done.append(pl.concat(pending, rechunk=True))
            pending = []
    if pending:
        done.append(pl.concat(pending, rechunk=True))
    return pl.concat(done, rechunk=False)


def key_sets(rows: DataFrame, run_of_part: dict[int, int], months: Sequence[date]) -> list[tuple[date, frozenset[int], int]]:
    """For ``months``: the distinct row keys of kept rows, counted by the set of runs (numbers) that hold each."""
    fn = _functions()
    pairs: list[Column] = []
    for part, run in run_of_part.items():
        pairs += [fn.lit(part), fn.lit(run)]
    month = fn.trunc(fn.col(Col.CHARGE_DATE), "month")
    kept = rows.filter((fn.col(DROP) == KEPT) & month.isin(*months)).select(
        month.alias("_month"), *[fn.col(k) for k in _KEY], fn.create_map(*pairs)[fn.col(PART)].alias("_run")
    )
    per_key = kept.groupBy("_month", *_KEY).agg(fn.sort_array(fn.collect_set("_run")).alias("_runs"))
    counted = per_key.groupBy("_month", "_runs").agg(fn.count(fn.lit(1)).alias("n")).toArrow().to_pylist()
    return [(r["_month"], frozenset(int(x) for x in r["_runs"]), int(r["n"])) for r in counted]


def run_months(frame: pl.DataFrame, files: Sequence[LakeFile], parts: set[int]) -> dict[date, list[RunMonth]]:
    """Each month's runs among ``parts``, from the cube (kept rows only)."""
    stats = (
        frame.filter((pl.col(DROP) == KEPT) & pl.col(PART).is_in(list(parts)))
        .group_by(pl.col(Col.CHARGE_DATE).dt.month_start().alias("_month"), PART)
        .agg(pl.col(ROWS).sum(), pl.col(Col.CHARGE_DATE).max().alias("_last"))
    )
    months: dict[date, dict[str, list[tuple[int, int, date]]]] = {}
    for month, part, rows, last in stats.iter_rows():
        months.setdefault(month, {}).setdefault(files[part].run, []).append((int(part), int(rows), last))
    result: dict[date, list[RunMonth]] = {}
    for month, runs in months.items():
        result[month] = [
            RunMonth(
                run=run,
                parts=tuple(p for p, _r, _l in found),
                run_time=max((f.run_time or "" for f in files if f.run == run), default=""),
                last_day=max(last for _p, _r, last in found),
                rows=sum(r for _p, r, _l in found),
                rows_by_part={p: r for p, r, _l in found},
            )
            for run, found in runs.items()
        ]
    return result


@dataclass(frozen=True)
class RawFilter:
    """Which raw rows a download wants, said in canonical values the engine works out as the cube's: each ``(column,
    values)`` of ``equal`` keeps rows whose canonical value is one of ``values``; ``days`` keeps rows charged in it."""

    equal: tuple[tuple[Col, tuple[str, ...]], ...] = ()
    days: tuple[date, date] | None = None


def _wanted(wanted: RawFilter, day: Column, dialect: Dialect, headers: dict[str, str], column_of: dict[str, str], comma: bool) -> Column:
    """``wanted`` as one condition over a group's raw cells (the canonical values worked out as for the cube)."""
    fn = _functions()
    condition = fn.lit(True)
    if wanted.days is not None:
        condition &= day.between(fn.lit(wanted.days[0]), fn.lit(wanted.days[1]))
    for col, values in wanted.equal:
        source = dialect.source_column(headers, col)
        if source is not None:
            value = canonical(col, fn.col(column_of[source]), comma)
        elif col is Col.BILLING_CURRENCY and dialect.currency:
            value = fn.lit(dialect.currency)
        else:
            value = fn.lit(None).cast("string")
        if col is Col.BILLING_CURRENCY:
            value = fn.coalesce(value, fn.lit(UNKNOWN_CURRENCY))
        condition &= value.isin(*values)
    return _column(condition)


def stream_raw(
    spark: SparkSession,
    scan: Scan,
    metric: Metric,
    kept_parts: Sequence[int],
    removed: Sequence[tuple[int, date]] = (),
    batch_rows: int = 10_000,
    wanted: RawFilter = RawFilter(),
    with_tags: bool = False,
) -> Iterator[pa.RecordBatch]:
    """The raw rows the data set kept (text cells, original headers) of ``kept_parts`` less the ``removed`` part-months,
    narrowed by ``wanted`` in the engine; ``with_tags`` adds each row's raw tags cell as ``TAGS_CELL``.

    Rows come as Arrow batches (``arrow_batches``) of at most ``batch_rows``: the client holds one at a time.
    """
    fn = _functions()
    parts_wanted = set(kept_parts)
    for group in scan.groups:
        parts = [p for p in group.parts if p in parts_wanted]
        if not parts:
            continue
        raw = _raw_frame(spark, scan, group)
        dialect = for_metric(group.detection.dialect, amortized=metric is Metric.AMORTIZED)
        headers = {header_key(h): h for h in group.header}
        column_of = {h: f"c{i}" for i, h in reversed(list(enumerate(group.header)))}
        date_header, cost_header = dialect.source_column(headers, Col.CHARGE_DATE), dialect.source_column(headers, Col.COST)
        if date_header is None or cost_header is None:
            continue
        comma = _decimal_comma(spark, raw, group, cost_header)
        day = parse_date(fn.col(column_of[date_header]))
        condition = fn.col(PART).isin(*parts) & day.isNotNull()
        condition &= parse_number(fn.col(column_of[cost_header]), decimal_comma=comma).isNotNull()
        gone = [f"{part}|{month.isoformat()}" for part, month in removed if part in parts]
        if gone:
            condition &= ~fn.concat_ws("|", fn.col(PART).cast("string"), fn.trunc(day, "month").cast("string")).isin(*gone)
        condition &= _wanted(wanted, day, dialect, headers, column_of, comma)
        names = [*group.header]
        selected = raw.filter(condition).select(*[fn.col(f"c{i}") for i in range(len(names))])
        if with_tags:
            tags = dialect.source_column(headers, Col.TAGS)
            selected = selected.withColumn(TAGS_CELL, fn.col(column_of[tags]) if tags else fn.lit(None).cast("string"))
            names.append(TAGS_CELL)
        for table in arrow_batches(selected):
            for batch in table.to_batches(max_chunksize=batch_rows):
                if batch.num_rows:
                    yield pa.RecordBatch.from_arrays(batch.columns, names=names)
