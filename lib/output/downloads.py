"""Prepare the usage-download page's files from a data set and a view."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from lib.analysis import filters, frames, views
from lib.core.cache_dir import cache_dir
from lib.core.dataset import Dataset, RawFile
from lib.core.schema import LAKE_ROWS, Col
from lib.output import convert, export, spreadsheet_csv
from lib.sources import lake

# A streamed file's rows stay on disk: a selection larger than this (about 256 MB of CSV at Azure's ~1 KB per
# row) is not built in memory for the browser, but written to a file on disk a batch at a time (``write_on_disk``).
BROWSER_MAX_ROWS: Final = 250_000
_WRITE_BATCH: Final = 50_000


@dataclass(frozen=True)
class Downloads:
    """The raw file for scope and period, and the filtered rows, both in the source's layout.

    The raw file is the source's rows untouched; the filtered file, meant for spreadsheets, has
    formula-like text cells neutralised (``convert.spreadsheet_safe``: amounts such as ``-0,5`` stay numbers).
    """

    raw: RawFile
    raw_rows: int
    filtered: RawFile
    filtered_rows: int


def prepare(dataset: Dataset, view: views.View) -> Downloads:
    """Build both downloads for ``view``: raw rows are selected, never rewritten."""
    chosen = views.select(dataset, view)
    in_scope = frames.filtered_rows(dataset, filters.Filters(), scope=chosen.scope, period=chosen.period)
    in_filters = frames.filtered_rows(dataset, view.filters, scope=chosen.scope, period=chosen.period)
    raw = export.raw_rows(dataset.raw, in_scope)
    filtered = export.raw_rows(dataset.raw, in_filters)
    return Downloads(
        RawFile(export.export_name(chosen.scope, chosen.period, "raw-v2"), export.to_csv_bytes(raw)),
        raw.height,
        RawFile(
            export.export_name(chosen.scope, chosen.period, "filtered-v2"), spreadsheet_csv.csv_bytes(convert.spreadsheet_safe(filtered))
        ),
        filtered.height,
    )


@dataclass(frozen=True)
class SelectionRows:
    """The raw rows of a view's scope and period, and those passing its filters: counts and file names."""

    raw_name: str
    raw_rows: int
    filtered_name: str
    filtered_rows: int

    @property
    def raw_fits(self) -> bool:
        return self.raw_rows <= BROWSER_MAX_ROWS

    @property
    def filtered_fits(self) -> bool:
        return self.filtered_rows <= BROWSER_MAX_ROWS


def _in_scope(chosen: views.Selection) -> pl.Expr:
    """The rows of the selection's scope and period (what the raw download holds)."""
    return filters.scope_expression(chosen.scope) & filters.period_expression(chosen.period)


def _counted(chosen: views.Selection, frame: pl.DataFrame, weight: pl.Expr, view_filter: pl.Expr) -> SelectionRows:
    """The selection's two downloads, their rows counted in one pass over ``frame``: ``weight`` summed over the rows of
    the scope and period, and over those that also pass ``view_filter``. Counted, not filtered: a filtered copy of ten
    million rows would cost a gigabyte."""
    in_scope = _in_scope(chosen)
    raw_rows, filtered_rows = (
        frame.lazy()
        .select(
            (in_scope.cast(pl.Int64) * weight).sum().alias("raw"),
            ((in_scope & view_filter).cast(pl.Int64) * weight).sum().alias("filtered"),
        )
        .collect()
        .row(0)
    )
    return SelectionRows(
        export.export_name(chosen.scope, chosen.period, "raw-v2"),
        int(raw_rows or 0),
        export.export_name(chosen.scope, chosen.period, "filtered-v2"),
        int(filtered_rows or 0),
    )


def on_disk(dataset: Dataset, view: views.View) -> SelectionRows | None:
    """The selection of a data set whose raw rows are on disk (a big file read by path), when it is too big for the browser."""
    if not isinstance(dataset.raw, pl.LazyFrame):
        return None
    prepared = frames.prepared(dataset)
    counted = _counted(views.select(dataset, view), prepared.tagged_frame, pl.lit(1), prepared.filter_expression(view.filters))
    return None if counted.raw_fits else counted


def write_on_disk(dataset: Dataset, view: views.View, folder: Path, *, filtered: bool) -> Path:
    """Write the raw rows of the scope and period (``filtered``: and the sidebar's filters) to a CSV in ``folder``.

    The rows are read from the source file and written a batch at a time, so memory stays small
    whatever the size; the filtered file has formula-like cells neutralised, as its browser download has.
    """
    chosen = views.select(dataset, view)
    prepared = frames.prepared(dataset)
    condition = _in_scope(chosen)
    if filtered:
        condition &= prepared.filter_expression(view.filters)
    wanted = prepared.tagged_frame.select(pl.col(Col.SOURCE_ROW).filter(condition).sort().implode()).to_series()
    name = export.export_name(chosen.scope, chosen.period, "filtered-v2" if filtered else "raw-v2")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / name
    partial = target.with_suffix(".csv.part")
    chosen_rows = dataset.raw.lazy().with_row_index("_source_row").filter(pl.col("_source_row").is_in(wanted)).drop("_source_row")
    with partial.open("wb") as handle:
        handle.write(b"\xef\xbb\xbf")
        first = True
        for batch in chosen_rows.collect_batches(chunk_size=_WRITE_BATCH):
            if filtered:
                spreadsheet_csv.write(convert.spreadsheet_safe(batch), handle, include_header=first)
            else:
                batch.write_csv(handle, include_header=first)
            first = False
        if first:
            handle.write(export.to_csv_bytes(chosen_rows.head(0).collect(), bom=False))
    partial.replace(target)
    return target


def disk_folder() -> Path:
    """Where rows too many for the browser are written on request: beside the columnar cache, never in the repository."""
    return cache_dir() / "downloads"


def lake_download(dataset: Dataset, view: views.View) -> SelectionRows | None:
    """The selection of a Lake data set (None for other sources), counted on the cube: each cube row stands for
    ``LakeRows`` rows of the lake, so the counts are exact without asking the engine."""
    if dataset.source != lake.LAKE:
        return None
    return _counted(views.select(dataset, view), dataset.frame, pl.col(LAKE_ROWS), filters.filter_expression(view.filters))


def lake_csv(dataset: Dataset, view: views.View, *, filtered: bool) -> bytes:
    """The raw rows of a Lake data set's scope and period (``filtered``: and the sidebar's filters), streamed from the
    engine, as the same CSV the Files source gives: raw cells untouched, or neutralised for spreadsheets when filtered.

    Called only for a selection within ``BROWSER_MAX_ROWS`` (``lake_download``), so the rows fit in memory.

    Raises:
        SourceError: when the engine is gone.
    """
    chosen = views.select(dataset, view)
    scope = chosen.scope.match if chosen.scope else ()
    wanted: tuple[tuple[Col, tuple[str, ...]], ...] = tuple((Col(col), (value,)) for col, value in scope)
    tag = None
    if filtered:
        wanted += tuple((col, tuple(values)) for col, values in view.filters.dimensions)
        if view.filters.tag_key and view.filters.tag_values:
            tag = (view.filters.tag_key, tuple(view.filters.tag_values))
    days = (chosen.period.start, chosen.period.end) if chosen.period else None
    pieces = [pl.from_arrow(batch) for batch in lake.raw_batches(dataset, _WRITE_BATCH, equal=wanted, days=days, tag=tag)]
    frames_read = [piece for piece in pieces if isinstance(piece, pl.DataFrame)]
    rows = pl.concat(frames_read, how="diagonal_relaxed") if frames_read else pl.DataFrame()
    if filtered:
        return spreadsheet_csv.csv_bytes(convert.spreadsheet_safe(rows))
    return export.to_csv_bytes(rows)
