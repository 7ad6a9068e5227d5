"""The Lake source against a real Spark Connect server: the engine's cube equals the local reader's, runs and all.

The local (polars) reader is the reference: the same files read by the Files source must give the same cube (day ×
dimensions × tags, cost / cost in USD / quantity / rows) and the same summary. Totals are also worked out here
from the generated rows with Decimal, independently of both readers.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from lib import cli
from lib.analysis.summary import summarize
from lib.core.dataset import Dataset
from lib.core.models import Metric
from lib.core.schema import TAG_KEY, TAG_VALUE, Col
from lib.ingest.normalize import TAG_SET_ID, TagCells
from lib.sources.files import load_paths
from lib.sources.lake import ROW_COUNT, load_lake, raw_batches
from lib.sources.spark import engine as spark_engine
from lib.sources.spark.connect import session
from lib.ui.sidebar import group_choices
from tests.sources.lake import lakes
from tests.sources.lake.conftest import AS_OF, Loaded

REAL = Path(__file__).resolve().parents[2] / "fixtures" / "real"
CUBE_KEYS = [
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
]
# The engine cannot say on which line a row was unreadable; the local reader adds it to the reason.
_LINE = re.compile(r" \(first at line \d+: .*\)$")


def cube(frame: pl.DataFrame) -> dict[tuple[object, ...], tuple[float, float, float, int]]:
    """``frame`` aggregated to the cube, with rows counted (a Lake frame's rows stand for ``ROW_COUNT`` rows each)."""
    rows = pl.col(ROW_COUNT) if ROW_COUNT in frame.columns else pl.lit(1)
    tags = pl.col(Col.TAGS).list.eval(pl.concat_str(pl.element().struct.field(TAG_KEY), pl.lit("="), pl.element().struct.field(TAG_VALUE)))
    grouped = (
        frame.with_columns(pl.col(pl.Categorical).cast(pl.String), tags.list.sort().list.join(";").alias("_tags"), rows.alias("_n"))
        .group_by([*CUBE_KEYS, "_tags"])
        .agg(*[pl.col(c).fill_null(0).sum() for c in (Col.COST, Col.COST_USD, Col.QUANTITY)], pl.col("_n").sum())
    )
    return {
        tuple(row[:-4]): (round(row[-4], 6), round(row[-3], 6), round(row[-2], 6), int(row[-1]))
        for row in grouped.select([*CUBE_KEYS, "_tags", Col.COST, Col.COST_USD, Col.QUANTITY, "_n"]).iter_rows()
    }


def same_summary(lake: Dataset, files: Dataset) -> None:
    ours, theirs = summarize(lake), summarize(files)
    assert ours.pop("source") == "lake" and theirs.pop("source") == "files"
    ours["warnings"] = [_LINE.sub("", w) for w in ours["warnings"]]  # type: ignore[attr-defined]
    theirs["warnings"] = [_LINE.sub("", w) for w in theirs["warnings"]]  # type: ignore[attr-defined]
    assert ours == theirs


def assert_same_cube(lake: Dataset, files: Dataset) -> None:
    ours, theirs = cube(lake.frame), cube(files.normalized)
    assert ours.keys() == theirs.keys()
    for key, (cost, usd, quantity, rows) in theirs.items():
        assert ours[key] == (pytest.approx(cost, abs=1e-6), pytest.approx(usd, abs=1e-6), pytest.approx(quantity, abs=1e-6), rows)


def test_fixture_files_give_the_local_readers_cube_and_summary(loaded: Loaded) -> None:
    # Every real fixture in one root: seven layouts, a header-only file, a BOM file whose costs are unreadable,
    # localised headers, a semicolon file; actual and amortized EA files side by side (one is set aside).
    lake, files = loaded.lake(REAL, Metric.ACTUAL), loaded.files(REAL, Metric.ACTUAL)
    assert lake.frame.height < files.normalized.height  # aggregated in the engine, not shipped row by row
    assert_same_cube(lake, files)
    same_summary(lake, files)


@pytest.mark.parametrize("metric", [Metric.ACTUAL, Metric.AMORTIZED])
def test_partitioned_exports_with_an_overlapping_run_give_the_local_readers_cube(
    loaded: Loaded, generated_lake: tuple[Path, list[lakes.Written]], metric: Metric
) -> None:
    root, written = generated_lake
    lake, files = loaded.lake(root, metric), loaded.files(root, metric)
    assert_same_cube(lake, files)
    same_summary(lake, files)
    # Worked out from the written rows. Actual: the early March run is replaced by the later one. Amortized: the EA
    # exports hold actual cost (their manifests say so) and are set aside, as FOCUS carries amortized cost.
    ea_parts = {"feb", "early", "late"}
    cost = "BilledCost" if metric is Metric.ACTUAL else "EffectiveCost"
    expected: dict[str, Decimal] = {}
    for part in written:
        if part.run == "early" or (metric is Metric.AMORTIZED and part.run in ea_parts):
            continue
        for row in part.rows:
            currency = row.get("BillingCurrencyCode") or row["BillingCurrency"]
            amount = row.get("CostInBillingCurrency") or row[cost]
            expected[currency] = expected.get(currency, Decimal(0)) + Decimal(amount)
    totals = summarize(lake)["cost_by_currency"]
    assert totals == {c: pytest.approx(float(v), abs=0.005) for c, v in expected.items()}
    if metric is Metric.ACTUAL:
        replaced = [d for d in lake.dropped if "later export run of 2025-03" in d.reason]
        assert sum(d.rows for d in replaced) == sum(len(p.rows) for p in written if p.run == "early")
        assert any("Month 2025-03 appears in several export runs" in n for n in lake.notes)
    else:
        aside = [d for d in lake.dropped if "holds actual cost while the Cost view is amortized" in d.reason]
        assert sum(d.rows for d in aside) == sum(len(p.rows) for p in written if p.run in ea_parts)


def test_raw_rows_stream_from_the_engine_as_the_files_hold_them(loaded: Loaded, generated_lake: tuple[Path, list[lakes.Written]]) -> None:
    root, written = generated_lake
    lake = loaded.lake(root, Metric.ACTUAL)
    streamed: Counter[tuple[str, ...]] = Counter()
    for batch in raw_batches(lake, batch_rows=50):
        assert batch.num_rows <= 50
        for row in batch.to_pylist():
            streamed[tuple(v or "" for v in row.values())] += 1
    expected: Counter[tuple[str, ...]] = Counter()
    for part in written:
        if part.run == "early":  # replaced by the later run: not in the data set
            continue
        text = part.path.read_text(encoding="utf-8")
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader)
        expected.update(tuple(r) for r in reader)
    assert streamed == expected


def test_command_line_spark_engine_prints_the_local_json(
    spark_remote: str, generated_lake: tuple[Path, list[lakes.Written]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _written = generated_lake
    printed = []
    for engine in ("local", "spark"):
        argv = ["summarize", str(root), "--json", "--as-of", AS_OF.isoformat(), "--engine", engine]
        assert cli.run([*argv, "--remote", spark_remote] if engine == "spark" else argv) == 0
        printed.append(json.loads(capsys.readouterr().out))
    local, spark = printed
    assert (local.pop("source"), spark.pop("source")) == ("files", "lake")
    # How each file was read (encoding, separator, date order) is the local reader's own report: the engine reads the
    # files elsewhere, so its list is empty; every other key is the same.
    assert spark.pop("files") == [] and len(local.pop("files")) > 1
    assert spark == local


def test_the_cube_comes_back_batch_by_batch_as_a_compact_frame(spark_remote: str, generated_lake: tuple[Path, list[lakes.Written]]) -> None:
    root, written = generated_lake
    spark = session(spark_remote)
    scan = spark_engine.plan(spark, str(root))
    rows = spark_engine.canonical_rows(spark, scan, Metric.ACTUAL)
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "7")
    try:
        sizes = [table.num_rows for table in spark_engine.arrow_batches(rows)]
        tag_cells = TagCells()
        cells = spark_engine.cube(rows, tag_cells)
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")
    every_row = sum(len(part.rows) for part in written)
    assert sum(sizes) == every_row and len(sizes) > 1 and max(sizes) <= 7  # never one table of them all
    # Text keys as categorical codes, the tags cell as its parsed set's id: no text column left in the cube.
    assert pl.String not in cells.dtypes and spark_engine.TAGS_CELL not in cells.columns
    assert all(cells.schema[c] == pl.Categorical() for c in (Col.SERVICE, Col.METER, Col.SUBSCRIPTION_ID, Col.RESOURCE_GROUP))
    assert int(cells.get_column(spark_engine.ROWS).sum()) == every_row
    sets = tag_cells.table()
    used = sets.filter(pl.col(TAG_SET_ID).is_in(cells.get_column(TAG_SET_ID).unique().implode()))
    spellings = {tuple(sorted((t[TAG_KEY], t[TAG_VALUE]) for t in tags)) for tags in used.get_column(Col.TAGS).to_list()}
    # lakes.TAGS: the five cells, "" untagged and a cell without braces, read with the local reader's rules.
    assert spellings == {
        (("env", "prod"), ("team", "web")),
        (("Env", "test"),),
        (),
        (("team", "data"),),
        (("cost-center", "42"), ("env", "prod")),
    }


def test_a_cube_over_its_row_limit_leaves_out_the_finest_detail_first_and_keeps_every_total(spark_remote: str, tmp_path: Path) -> None:
    # Thirty rows a day on three meters each, two locations: leaving out detail merges rows at most steps.
    written = lakes.write_part(tmp_path / "ea" / "run", lakes.ea_rows(random.Random(3), lakes.days(date(2025, 2, 1), 5), 30))
    spark = session(spark_remote)
    rows = spark_engine.canonical_rows(spark, spark_engine.plan(spark, str(tmp_path)), Metric.ACTUAL)
    whole = spark_engine.fitted_cube(rows, TagCells(), limit=10**9)
    assert whole.left_out == () and whole.full_rows == whole.cells.height
    # Each step's rows worked out here, on the whole cube (one tags cell per tag set in these rows).
    levels: list[tuple[tuple[str, ...], int]] = [((), whole.cells.height)]
    for step in spark_engine.COARSER_STEPS:
        left_out = (*levels[-1][0], *step)
        tags = [] if spark_engine.TAGS_CELL in left_out else [TAG_SET_ID]
        keys = [k for k in (*spark_engine.CUBE_DIMENSIONS, spark_engine.PART, spark_engine.DROP) if k not in left_out]
        levels.append((left_out, whole.cells.select(*keys, *tags).unique().height))
    assert len({count for _left, count in levels}) >= 3  # the steps do merge rows here
    for limit in sorted({count for _left, count in levels}, reverse=True):
        left_out, count = next((left, count) for left, count in levels if count <= limit)
        fitted = spark_engine.fitted_cube(rows, TagCells(), limit=limit)
        assert (fitted.left_out, fitted.cells.height, fitted.full_rows) == (left_out, count, whole.cells.height)

    files = load_paths([str(tmp_path)], as_of=AS_OF, metric=Metric.ACTUAL)
    lake = load_lake(str(tmp_path), remote=spark_remote, as_of=AS_OF, metric=Metric.ACTUAL, cube_rows=1)
    assert lake.left_out == tuple(Col.TAGS if k == spark_engine.TAGS_CELL else Col(k) for k in levels[-1][0])
    assert lake.frame.height == levels[-1][1]
    assert lake.frame.get_column(Col.METER).null_count() == lake.frame.height
    assert lake.frame.get_column(Col.TAGS).list.len().sum() == 0
    # What is kept adds up as the written rows do: per day, service and subscription, to the cent.
    expected: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    counted: Counter[tuple[str, str, str]] = Counter()
    for row in written.rows:
        key = (datetime.strptime(row["Date"], "%m/%d/%Y").date().isoformat(), row["MeterCategory"], row["SubscriptionName"])
        expected[key] += Decimal(row["CostInBillingCurrency"])
        counted[key] += 1
    shown = lake.frame.group_by(Col.CHARGE_DATE, Col.SERVICE, Col.SUBSCRIPTION_NAME).agg(pl.col(Col.COST).sum(), pl.col(ROW_COUNT).sum())
    assert {(d.isoformat(), str(s), str(n)): (round(c, 2), r) for d, s, n, c, r in shown.iter_rows()} == {
        k: (round(float(v), 2), counted[k]) for k, v in expected.items()
    }
    ours, theirs = summarize(lake), summarize(files)
    assert ours["cost_by_currency"] == theirs["cost_by_currency"] and ours["rows"] == theirs["rows"]
    assert any("are left out of this data set" in n for n in lake.notes)
    assert not {str(Col.METER), str(Col.LOCATION), str(Col.RESOURCE_GROUP)} & set(group_choices(lake))
    assert str(Col.SERVICE) in group_choices(lake)
