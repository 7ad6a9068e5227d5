"""The Lake source: cost exports in a data lake, computed by Apache Spark through Spark Connect.

For exports too big for one machine (tens of millions of rows a month). The engine reads the exports where they lie
(a local path or ``abfss://container@account.dfs.core.windows.net/exports``, as the engine sees storage), maps them to
the canonical schema and aggregates them to the cube every page computes on (``lib.sources.spark.engine``). The client gets the
cube back as Arrow: ``Dataset.frame`` holds one row per cube cell, its cost, cost in USD and quantity summed, and
``ROW_COUNT`` says how many rows of the lake each cell stands for. Filters and group-bys the pages apply run on that
frame in the dashboard process, never in the engine; the raw rows stay in the lake and stream from it for a download
(``raw_batches``).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from lib.core import fmt
from lib.core.dataset import Dataset, LoadRequest, ProgressCallback, SourceError
from lib.core.i18n import N_, _, ngettext
from lib.core.models import Agreement, Metric, Scope, ScopeKind
from lib.core.periods import last_period_open
from lib.core.reading import Dropped
from lib.core.schema import LAKE_ROWS, TAG_KEY, TAG_VALUE, UNASSIGNED, UNTAGGED, Col, as_text, conform, source_rows
from lib.ingest.dialects import for_metric, header_key
from lib.ingest.normalize import TAG_SET_ID, TagCells, _unify, parse_tags
from lib.ingest.read import BOTH, UNKNOWN_CURRENCY
from lib.sources.spark import engine
from lib.sources.spark.connect import EngineError, engine_message, remote_from_env, session, shown
from lib.sources.spark.plan import Replaced, replaced_runs

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession

ROOT_ENV = "AZDASH_LAKE_PATH"
# How many cube rows the dashboard process keeps at most: above it the cube leaves out its finest detail
# (``engine.COARSER_STEPS``), so the process's memory stays bounded however big the lake (docs/lake.md, "Bench").
CUBE_ROWS_ENV = "AZDASH_LAKE_CUBE_ROWS"
CUBE_ROWS = 250_000
ROW_COUNT = LAKE_ROWS
LAKE = "lake"
MAX_SCOPES = 500

_COMMITMENTS = ("Reservation", "SavingsPlan", "Savings Plan")


@dataclass(frozen=True)
class LakeSelection:
    """What a download streams: the parts kept and the part-months a later run replaced."""

    remote: str
    scan: engine.Scan
    metric: Metric
    kept_parts: tuple[int, ...]
    removed: tuple[tuple[int, date], ...]


def root_from_env() -> str:
    """The lake root ``AZDASH_LAKE_PATH`` names (empty when unset)."""
    return os.environ.get(ROOT_ENV, "").strip()


_SELECTIONS: dict[int, LakeSelection] = {}


def cube_rows_from_env() -> int:
    """The cube's row limit: ``AZDASH_LAKE_CUBE_ROWS`` when set to a positive whole number, else ``CUBE_ROWS``.

    Raises:
        SourceError: for a value that is not a positive whole number.
    """
    text = os.environ.get(CUBE_ROWS_ENV, "").strip().replace("_", "")
    if not text:
        return CUBE_ROWS
    if not text.isdigit() or int(text) < 1:
        raise SourceError(_("{name} must be a positive whole number of rows, not {value!r}").format(name=CUBE_ROWS_ENV, value=text))
    return int(text)


def load_lake(
    root: str,
    *,
    remote: str | None = None,
    as_of: date,
    metric: Metric,
    progress: ProgressCallback | None = None,
    cube_rows: int | None = None,
) -> Dataset:
    """The data set of the exports under ``root``, computed by the Spark Connect server at ``remote``.

    ``cube_rows``: the most cube rows the data set holds (default ``cube_rows_from_env``); a bigger cube leaves out
    detail (``Dataset.left_out``).

    Raises:
        SourceError: with a one-line message (no server, nothing readable, the engine failed).
    """
    remote = remote or remote_from_env()
    limit = cube_rows if cube_rows is not None else cube_rows_from_env()
    if not root:
        raise SourceError(_("no lake path given: name the folder of the exports (a local path or abfss://…)"))
    if "://" not in root and not root.startswith("file:") and os.path.exists(root):
        root = os.path.abspath(root)  # the engine resolves a relative path against its own working folder
    if progress:
        progress(0.02, _("Connecting to Spark at {remote}").format(remote=shown(remote)))
    spark = session(remote)
    try:
        return _load(spark, root, remote, as_of, metric, progress, limit)
    except SourceError:
        raise
    except Exception as error:
        raise EngineError(engine_message(error, remote)) from None


def _load(
    spark: SparkSession, root: str, remote: str, as_of: date, metric: Metric, progress: ProgressCallback | None, limit: int
) -> Dataset:
    if progress:
        progress(0.05, _("Finding the exports under {root}").format(root=root))
    scan = engine.plan(spark, root)
    files = scan.listing.files
    if progress:
        progress(0.15, _("Spark is reading and aggregating {count} export parts").format(count=len(files)))
    rows = engine.canonical_rows(spark, scan, metric)
    tag_cells = TagCells()
    fitted = engine.fitted_cube(rows, tag_cells, limit)
    cells, left_out = fitted.cells, tuple(Col.TAGS if key == engine.TAGS_CELL else Col(key) for key in fitted.left_out)
    fitted_note = _left_out_note(fitted, limit)
    del fitted
    if progress:
        progress(0.8, _("Combining the export runs"))
    dropped_any = bool((cells.get_column(engine.DROP) != engine.KEPT).any())
    readable = cells.filter(pl.col(engine.DROP) == engine.KEPT) if dropped_any else cells  # no copy when all are read
    part_metric = _part_metrics(scan, readable)
    aside, warnings, shown_metric = _select_metric(part_metric, metric)
    live = {i for i in range(len(files)) if i not in aside}
    replaced = _replaced(spark, rows, readable, scan, live)
    removed = {(r_part, r.month) for r in replaced for r_part in r.rows_by_part}
    dropped = _dropped(scan, cells, readable, aside, replaced, metric)
    del cells  # from here on only the readable cells
    # Per part as the local reader says them: over every row the part holds, also one a later run replaces.
    warnings += _part_warnings(scan, readable)
    warnings += scan.warnings
    sets = tag_cells.table()
    counts, tag_notes = _tag_keys(readable, sets)
    with_rows = set(readable.get_column(engine.PART).unique().to_list())
    pending = [_kept(readable, aside, removed)]
    del readable  # the merge below frees the kept cells as it goes
    frame = _frame(pending, counts, sets)
    if frame.is_empty():
        raise SourceError(_("{root}: the exports hold no rows that can be shown").format(root=root))
    notes = [*fitted_note, *_replaced_notes(scan, replaced), *_part_notes(scan, tag_notes)]
    last_day = frame.get_column(Col.CHARGE_DATE).max()
    # As the Files source: every part read names the layouts, also one set aside; the agreement is of the parts with rows.
    detections = [scan.detections[i] for i in sorted(scan.detections)]
    formats = sorted({d.dialect.name for d in detections})
    agreements = {d.dialect.agreement for i, d in scan.detections.items() if i in with_rows} or {d.dialect.agreement for d in detections}
    selection = LakeSelection(remote, scan, metric, tuple(sorted(live)), tuple(sorted(removed)))
    if progress:
        progress(
            1.0,
            _("Spark aggregated {rows} rows into {cells} cube rows").format(
                rows=fmt.count(source_rows(frame)), cells=fmt.count(frame.height)
            ),
        )
    dataset = Dataset(
        source=LAKE,
        format=formats[0] if len(formats) == 1 else f"{len(formats)} layouts: " + "; ".join(formats),
        schema_version=", ".join(sorted({d.version for d in detections})),
        agreement=agreements.pop() if len(agreements) == 1 else Agreement.UNKNOWN,
        metric=shown_metric,
        raw=pl.DataFrame(),
        frame=frame,
        scopes=_scopes(frame),
        as_of=min(last_day, as_of) if isinstance(last_day, date) else as_of,
        last_period_open=last_period_open(last_day, as_of) if isinstance(last_day, date) else True,
        dropped=dropped,
        warnings=tuple(warnings),
        notes=tuple(notes),
        left_out=left_out,
    )
    # The engine-side selection stays beside the data set (its raw rows are streamed from it), dropped with it.
    _SELECTIONS[id(dataset)] = selection
    weakref.finalize(dataset, _SELECTIONS.pop, id(dataset), None)
    return dataset


# The detail a cube can leave out (``engine.COARSER_STEPS``), as a note names it.
_LEFT_OUT_NAMES = {
    Col.METER: N_("meter"),
    Col.UNIT: N_("unit"),
    engine.TAGS_CELL: N_("tags"),
    Col.BILLING_PROFILE: N_("billing profile"),
    Col.INVOICE_SECTION: N_("invoice section"),
    Col.LOCATION: N_("location"),
    Col.RESOURCE_GROUP: N_("resource group"),
}


def _left_out_note(fitted: engine.Cube, limit: int) -> list[str]:
    """What the cube left out to stay under ``limit`` rows, and how to keep it (nothing when it left nothing out)."""
    if not fitted.left_out:
        return []
    names = [_(_LEFT_OUT_NAMES[key]) for key in fitted.left_out]
    return [
        _(
            "The lake's cube would hold {full} rows, more than the {limit} this dashboard keeps ({env}): {names} are "
            "left out of this data set, so no page filters or groups by them. Totals are unchanged. Point the Lake path "
            "at fewer months, or raise {env} where the dashboard has the memory."
        ).format(full=fmt.count(fitted.full_rows or 0), limit=fmt.count(limit), env=CUBE_ROWS_ENV, names=", ".join(names))
    ]


def _part_metrics(scan: engine.Scan, readable: pl.DataFrame) -> dict[int, str | None]:
    """Each part's cost view, as ``lib.ingest.read`` tells it: FOCUS holds both; else the manifest, name or rows say."""
    flags = readable.group_by(engine.PART).agg(
        pl.col(Col.CHARGE_TYPE).is_in(["UnusedReservation", "UnusedSavingsPlan"]).any().alias("unused"),
        ((pl.col(Col.CHARGE_TYPE) == "Purchase") & pl.col(Col.PRICING_MODEL).is_in(_COMMITMENTS)).any().alias("purchase"),
        ((pl.col(Col.CHARGE_TYPE) == "Usage") & pl.col(Col.PRICING_MODEL).is_in(_COMMITMENTS) & (pl.col(engine.NONZERO) == 1))
        .any()
        .alias("covered_cost"),
        ((pl.col(Col.CHARGE_TYPE) == "Usage") & pl.col(Col.PRICING_MODEL).is_in(_COMMITMENTS)).any().alias("covered"),
    )
    by_part = {int(r[engine.PART]): r for r in flags.iter_rows(named=True)}
    result: dict[int, str | None] = {}
    for index, item in enumerate(scan.listing.files):
        if scan.detection_of(index).dialect.family == "focus":
            result[index] = BOTH
            continue
        found = by_part.get(index, {})
        from_rows = (
            "amortized"
            if found.get("unused") or found.get("covered_cost")
            else "actual"
            if found.get("purchase") or found.get("covered")
            else None
        )
        result[index] = item.metric_hint or from_rows
    return result


def _select_metric(part_metric: dict[int, str | None], metric: Metric) -> tuple[set[int], list[str], Metric]:
    """``lib.ingest.merge.select_metric`` over the parts' cost views."""
    wanted = str(metric)
    other = "actual" if metric is Metric.AMORTIZED else "amortized"
    has_wanted = any(m in (wanted, BOTH) for m in part_metric.values())
    aside = {i for i, m in part_metric.items() if m == other} if has_wanted else set()
    if not has_wanted and any(m == other for m in part_metric.values()):
        if other == "actual":
            warning = _(
                "The files hold actual cost, not amortized cost; showing actual cost. Load the amortized file to see amortized cost."
            )
        else:
            warning = _("The files hold amortized cost, not actual cost; showing amortized cost. Load the actual file to see actual cost.")
        return aside, [warning], Metric(other)
    return aside, [], metric


def _replaced(spark: SparkSession, rows: object, readable: pl.DataFrame, scan: engine.Scan, live: set[int]) -> list[Replaced]:
    """Month-to-date runs a later run of the same month replaces (only months two or more runs hold are asked about)."""
    files = scan.listing.files
    per_month = engine.run_months(readable, files, live)  # the cube as it is: no copy back to Arrow
    shared = sorted(m for m, runs in per_month.items() if len(runs) > 1)
    if not shared:
        return []
    run_names = sorted({f.run for i, f in enumerate(files) if i in live})
    number = {run: n for n, run in enumerate(run_names)}
    counted = engine.key_sets(rows, {i: number[files[i].run] for i in live}, shared)  # type: ignore[arg-type]
    found = []
    for month in shared:
        sets = {frozenset(run_names[n] for n in holders): count for m, holders, count in counted if m == month}
        found += replaced_runs(month, per_month[month], sets)
    return found


def _replaced_notes(scan: engine.Scan, replaced: list[Replaced]) -> list[str]:
    files = scan.listing.files
    first_name = {f.run: f.name for f in reversed(files)}
    return [
        ngettext(
            "Month {month} appears in several export runs; kept the latest ({kept}) and left out {count} overlapping row of {left}.",
            "Month {month} appears in several export runs; kept the latest ({kept}) and left out {count} overlapping rows of {left}.",
            r.rows,
        ).format(month=f"{r.month:%Y-%m}", kept=first_name[r.winner], count=fmt.count(r.rows), left=first_name[r.run])
        for r in replaced
    ]


def _dropped(
    scan: engine.Scan, cells: pl.DataFrame, readable: pl.DataFrame, aside: set[int], replaced: list[Replaced], metric: Metric
) -> tuple[Dropped, ...]:
    """Rows read but not kept, part by part as the Files source lists them: unreadable rows, then the part's removals.

    The engine does not say on which line a row was unreadable: the reasons name the column instead.
    """
    files = scan.listing.files
    by_part: dict[int, list[Dropped]] = {}
    counts = cells.filter(pl.col(engine.DROP) != engine.KEPT).group_by(engine.PART, engine.DROP).agg(pl.col(engine.ROWS).sum())
    for part, reason, rows in counts.sort(engine.PART, engine.DROP).iter_rows():
        text = {
            engine.BLANK: _("empty row with no cells filled"),
            engine.NO_DATE: _("date missing or unreadable in column '{column}'").format(
                column=_source(scan, part, Col.CHARGE_DATE, metric)
            ),
            engine.NO_COST: _("cost missing or unreadable in column '{column}'").format(column=_source(scan, part, Col.COST, metric)),
        }[int(reason)]
        by_part.setdefault(int(part), []).append(Dropped(f"{files[part].name}: {text}", int(rows)))
    kept_rows = readable.group_by(engine.PART).agg(pl.col(engine.ROWS).sum())
    rows_of = {int(p): int(n) for p, n in kept_rows.iter_rows()}
    for part in sorted(aside):
        if rows_of.get(part):
            held = "amortized" if metric is Metric.ACTUAL else "actual"
            reason = _("holds {held} cost while the Cost view is {metric}").format(held=held, metric=metric)
            by_part.setdefault(part, []).append(Dropped(f"{files[part].name}: {reason}", rows_of[part]))
    first_name = {f.run: f.name for f in reversed(files)}
    for r in replaced:
        reason = _("replaced by a later export run of {month} ({name}): month-to-date runs overlap").format(
            month=f"{r.month:%Y-%m}", name=first_name[r.winner]
        )
        for part, rows in sorted(r.rows_by_part.items()):
            by_part.setdefault(part, []).append(Dropped(f"{files[part].name}: {reason}", rows))
    return tuple(d for part in sorted(by_part) for d in by_part[part])


def _source(scan: engine.Scan, part: int, col: Col, metric: Metric) -> str:
    group = next(g for g in scan.groups if part in g.parts)
    dialect = for_metric(scan.detection_of(part).dialect, amortized=metric is Metric.AMORTIZED)
    return dialect.source_column({header_key(h): h for h in group.header}, col) or "?"


def _part_warnings(scan: engine.Scan, kept: pl.DataFrame) -> list[str]:
    """Each part's warnings in the Files source's order: its layout's, then its rows without a currency."""
    missing = dict(kept.group_by(engine.PART).agg(pl.col("_no_currency").sum()).iter_rows())
    by_currency = kept.group_by(engine.PART, pl.col(Col.BILLING_CURRENCY).cast(pl.String)).agg(pl.col(engine.ROWS).sum())
    found: list[str] = []
    for part in sorted(scan.detections):
        found += scan.detections[part].warnings
        count = int(missing.get(part) or 0)
        if count:
            found.append(
                ngettext(
                    "{name}: {count} row states no currency; its cost is shown under {code} (unknown currency).",
                    "{name}: {count} rows state no currency; their cost is shown under {code} (unknown currency).",
                    count,
                ).format(name=scan.listing.files[part].name, count=fmt.count(count), code=UNKNOWN_CURRENCY)
            )
        # As the local reader: a currency text that is no ISO 4217 code is said, per part.
        for _part, text, rows in by_currency.filter(pl.col(engine.PART) == part).sort(Col.BILLING_CURRENCY).iter_rows():
            if text is not None and not fmt.is_currency_code(str(text)):
                found.append(
                    ngettext(
                        "{name}: {count} row states currency {text}, which is no ISO 4217 currency code; its cost is shown as a plain number.",  # noqa: E501 - the local reader's message
                        "{name}: {count} rows state currency {text}, which is no ISO 4217 currency code; their cost is shown as a plain number.",  # noqa: E501
                        int(rows),
                    ).format(name=scan.listing.files[part].name, count=fmt.count(int(rows)), text=repr(str(text)[:40]))
                )
    return found


def _part_notes(scan: engine.Scan, tag_notes: dict[int, list[str]]) -> list[str]:
    """Each part's notes in the Files source's order: its layout's, its manifest's, its merged tag keys."""
    found: list[str] = []
    for part, detection in sorted(scan.detections.items()):
        item = scan.listing.files[part]
        found += detection.notes
        if item.version_hint and item.version_hint not in detection.version:
            found.append(
                _("{name}: the export's manifest says dataset version {version}.").format(name=item.name, version=item.version_hint)
            )
        found += tag_notes.get(part, [])
    return found


def _kept(readable: pl.DataFrame, aside: set[int], removed: set[tuple[int, date]]) -> pl.DataFrame:
    """The cells the data set shows: not of a part set aside (the other cost view), not of a replaced run's month."""
    kept = readable.filter(~pl.col(engine.PART).is_in(list(aside))) if aside else readable
    if not removed:
        return kept
    gone = pl.DataFrame(
        {engine.PART: [p for p, _m in removed], "_month": [m for _p, m in removed]},
        schema={engine.PART: readable.schema[engine.PART], "_month": pl.Date()},
    )
    month = pl.col(Col.CHARGE_DATE).dt.month_start().alias("_month")
    return kept.with_columns(month).join(gone, on=[engine.PART, "_month"], how="anti").drop("_month")


def _tag_keys(readable: pl.DataFrame, sets: pl.DataFrame) -> tuple[dict[int, dict[str, int]], dict[int, list[str]]]:
    """Each part's tag keys counted over its rows (as the local reader counts them) and its notes on merged keys, for
    every part read (``readable``: kept or later left out, as locally). ``sets``: every tag set seen (``TagCells.table``)."""
    per_set = readable.group_by(engine.PART, TAG_SET_ID).agg(pl.col(engine.ROWS).sum())
    keys = (
        per_set.join(sets, on=TAG_SET_ID, how="left")
        .select(engine.PART, pl.col(Col.TAGS).list.eval(pl.element().struct.field(TAG_KEY)).alias("k"), engine.ROWS)
        .explode("k")
        .drop_nulls("k")
        .group_by(engine.PART, "k")
        .agg(pl.col(engine.ROWS).sum())
    )
    counts: dict[int, dict[str, int]] = {}
    for part, key, rows in keys.iter_rows():
        counts.setdefault(int(part), {})[str(key)] = int(rows)
    return counts, {part: _unify(sets.clear(), part_counts)[1] for part, part_counts in counts.items()}


def _frame(pending: list[pl.DataFrame], counts: dict[int, dict[str, int]], sets: pl.DataFrame) -> pl.DataFrame:
    """The kept cells (taken out of ``pending``, freed once merged) as the pages' canonical frame: tag keys unified
    within each part (as the local reader does, part by part), then the parts merged.

    Keys are unified on the tag sets each part uses, not on its cells: a part's sets are few, its cells many. The tag
    lists are joined last, to the merged and sorted cells.
    """
    kept = pending.pop()
    if kept.is_empty():
        return kept
    used = kept.select(engine.PART, TAG_SET_ID).unique().join(sets, on=TAG_SET_ID, how="left")
    unified = pl.concat(
        [_unify(part_sets, counts.get(int(part), {}))[0] for (part,), part_sets in used.group_by(engine.PART, maintain_order=True)]  # type: ignore[call-overload]
    ).with_columns(pl.col(Col.TAGS).list.eval(pl.element().struct.json_encode()).list.join("\u0001").alias("_tags_key"))
    # One id per distinct set after unifying: sets that became equal (``env`` and ``Env``) merge their cells.
    ids = unified.select("_tags_key").unique(maintain_order=True).with_row_index("_tags")
    unified = unified.join(ids, on="_tags_key", how="left")
    measures = [pl.col(m).sum() if kept.get_column(m).null_count() < kept.height else pl.col(m).first() for m in engine.MEASURES]
    merged = (
        kept.lazy()
        .join(unified.lazy().select(engine.PART, TAG_SET_ID, "_tags"), on=[engine.PART, TAG_SET_ID], how="left")
        .group_by([*engine.CUBE_DIMENSIONS, "_tags"])
        .agg(*measures, pl.col(engine.ROWS).sum().alias(ROW_COUNT))
        .sort(pl.col(Col.CHARGE_DATE), pl.col(Col.SERVICE).cast(pl.String), nulls_last=True)
        .with_row_index(Col.SOURCE_ROW)
        .collect()
    )
    del kept
    lists = unified.unique("_tags", keep="first").select("_tags", Col.TAGS)
    frame = merged.join(lists, on="_tags", how="left", maintain_order="left")
    del merged
    return conform(frame).with_columns(frame.get_column(ROW_COUNT).cast(pl.Int64))


def _scopes(frame: pl.DataFrame) -> tuple[Scope, ...]:
    scopes = [Scope(LAKE, _("the whole lake"), ScopeKind.BILLING_ACCOUNT)]
    per_name = (
        frame.lazy()
        .filter(pl.col(Col.SUBSCRIPTION_ID).is_not_null())
        .group_by(Col.SUBSCRIPTION_ID, Col.SUBSCRIPTION_NAME)
        .agg(pl.col(ROW_COUNT).sum().alias("rows"), pl.col(Col.COST).sum())
        .collect()
    )
    subscriptions = (
        as_text(per_name)
        .sort("rows", Col.SUBSCRIPTION_NAME, descending=[True, False], nulls_last=True)
        .group_by(Col.SUBSCRIPTION_ID, maintain_order=True)
        .agg(pl.col(Col.SUBSCRIPTION_NAME).first().alias("name"), pl.col(Col.COST).sum().abs().alias("spend"))
        .sort(["spend", Col.SUBSCRIPTION_ID], descending=[True, False])
        .head(MAX_SCOPES)
    )
    for sub_id, name, _spend in subscriptions.iter_rows():
        label = name if name and name != UNASSIGNED else sub_id
        scopes.append(Scope(f"/subscriptions/{sub_id}", label, ScopeKind.SUBSCRIPTION, ((Col.SUBSCRIPTION_ID, sub_id),)))
    return tuple(scopes)


def selection_of(dataset: Dataset) -> LakeSelection | None:
    """The lake selection behind a Lake data set (None for other sources)."""
    found = _SELECTIONS.get(id(dataset))
    return found if dataset.source == LAKE else None


def raw_batches(
    dataset: Dataset,
    batch_rows: int = 10_000,
    *,
    equal: tuple[tuple[Col, tuple[str, ...]], ...] = (),
    days: tuple[date, date] | None = None,
    tag: tuple[str, tuple[str, ...]] | None = None,
) -> Iterator[pa.RecordBatch]:
    """The raw rows of a Lake data set as the exports hold them, streamed from the engine a batch at a time.

    ``equal`` (canonical column, values) and ``days`` narrow the rows in the engine, as the pages filter the cube;
    ``tag`` (key, values) keeps rows whose tag ``key`` has one of the values (``UNTAGGED``: rows without it), read
    from each distinct tags cell with the local reader's rules. Tag keys are matched ignoring case, as the data set
    merges keys that differ only by case.

    Raises:
        SourceError: for a data set of another source, or when the engine is gone.
    """
    selection = selection_of(dataset)
    if selection is None:
        raise SourceError(_("only a Lake data set streams its raw rows from the engine"))
    spark = session(selection.remote)
    wanted = engine.RawFilter(equal, days)
    matches: dict[str | None, bool] = {}
    try:
        for batch in engine.stream_raw(
            spark, selection.scan, selection.metric, selection.kept_parts, selection.removed, batch_rows, wanted, with_tags=tag is not None
        ):
            if tag is None:
                yield batch
                continue
            cells = batch.column(engine.TAGS_CELL).to_pylist()
            keep = [_tag_matches(cell, tag, matches) for cell in cells]
            rows = batch.filter(pa.array(keep, type=pa.bool_())).drop_columns([engine.TAGS_CELL])
            if rows.num_rows:
                yield rows
    except SourceError:
        raise
    except Exception as error:
        raise EngineError(engine_message(error, selection.remote)) from None


def _tag_matches(cell: str | None, tag: tuple[str, tuple[str, ...]], known: dict[str | None, bool]) -> bool:
    found = known.get(cell)
    if found is None:
        key, values = tag[0].lower(), tag[1]
        value = next((t[TAG_VALUE] for t in parse_tags(cell) if t[TAG_KEY].lower() == key), None)
        found = known[cell] = (value is None and UNTAGGED in values) or (value is not None and value in values)
    return found


class LakeSource:
    """Cost exports in a data lake, computed by Spark through Spark Connect."""

    key = LAKE
    label = "Lake"

    def __init__(self, root: str = "", remote: str | None = None) -> None:
        self.root = root or root_from_env()
        self.remote = remote

    def load(self, request: LoadRequest, *, progress: ProgressCallback | None = None) -> Dataset:
        """Aggregate the exports under the root in the engine and return the cube as the data set."""
        return load_lake(self.root, remote=self.remote, as_of=request.as_of, metric=request.metric, progress=progress)
