"""A big file's columns no page shows are read after the first page (``lib.ingest.stream.Later``, issue 5).

The first read leaves out resource id, quantity, unit, invoice section and cost in USD; every page computes without
them, and whatever needs every column (``Dataset.normalized``: conversions, the columnar cache, several files merged)
gets them from a second read of the file, once, equal to what reading the file's bytes gives.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bench.generate import Spec, generate
from lib.analysis import frames, summary, views
from lib.analysis.filters import Filters
from lib.core.dataset import Dataset, SourceError
from lib.core.models import Metric
from lib.core.schema import CANONICAL_SCHEMA, DIMENSIONS, Col
from lib.ingest import stream
from lib.output import convert, downloads
from lib.sources import disk_cache
from lib.sources.files import load_files, load_paths
from tests.perf.conftest import generated_usage

AS_OF = date(2026, 11, 25)


@pytest.fixture
def streamed(stream_in_batches: Callable[[int], Path]) -> Path:
    return stream_in_batches(400)


@pytest.fixture(scope="module")
def usage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_usage(tmp_path_factory, Spec(rows=2500, days=20, resources=300, resource_groups=20, subscriptions=3, chunk_rows=500))


@pytest.fixture
def later_reads(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The columns of each read of the file after the first (``Later``)."""
    reads: list[list[str]] = []
    typed = stream._typed_batches

    def spy(path: Path, separator: str, skip: int, header: list[str], columns: list[str], numbers: set[str], size: int) -> object:
        if Col.RESOURCE_ID.value in columns or "ResourceId" in columns:
            reads.append(columns)
        return typed(path, separator, skip, header, columns, numbers, size)

    monkeypatch.setattr(stream, "_typed_batches", spy)
    return reads


def _by_bytes(path: Path) -> Dataset:
    return load_files([(str(path), path.read_bytes())], as_of=AS_OF, metric=Metric.ACTUAL)


def _copy(source: Path, folder: Path, name: str = "usage.csv") -> Path:
    path = folder / name
    path.write_bytes(source.read_bytes())
    return path


def test_pages_compute_without_the_later_columns(usage: Path, tmp_path: Path, streamed: Path, later_reads: list[list[str]]) -> None:
    """Overview, explore by every dimension and a tag, filters, the download page and the summary read no later
    column; ``normalized`` then has them, equal to the bytes path's, read once."""
    dataset = load_paths([str(_copy(usage, tmp_path))], as_of=AS_OF, metric=Metric.ACTUAL, page_first=True)
    assert isinstance(dataset.later, stream.Later)
    assert set(CANONICAL_SCHEMA) - set(dataset.frame.columns) == set(stream.LATER)
    assert dataset.later.columns == stream.LATER
    whole = _by_bytes(usage)
    tag = f"tag:{frames.prepared(whole).tag_keys()[0]}"
    for group_by in (*DIMENSIONS, tag):
        view = views.View(group_by=group_by, filters=Filters().with_values(Col.SERVICE, ("Storage",)))
        # To the cent: the rows are summed in other pieces (the streamed file's batches), so the last bits may differ.
        assert views.overview(dataset, view).headline.as_dict() == views.overview(whole, view).headline.as_dict()
        assert_frame_equal(views.explore(dataset, view).table, views.explore(whole, view).table)
        assert downloads.prepare(dataset, view) == downloads.prepare(whole, view)
    assert summary.summarize(dataset) == summary.summarize(whole)
    assert not dataset.later.read and later_reads == []
    assert dataset.normalized.equals(whole.normalized)
    assert dataset.later.read and len(later_reads) == 1
    assert dataset.normalized is dataset.normalized  # remembered, not read again
    assert convert.to_csv(dataset, convert.FOCUS) == convert.to_csv(whole, convert.FOCUS)
    assert len(later_reads) == 1


def test_the_later_columns_are_read_once_whoever_asks_first(
    usage: Path, tmp_path: Path, streamed: Path, later_reads: list[list[str]]
) -> None:
    """Four threads asking at once (a page, the cache write, ...) wait for one read and get the same frame."""
    dataset = load_paths([str(_copy(usage, tmp_path))], as_of=AS_OF, metric=Metric.ACTUAL, page_first=True)
    got: list[pl.DataFrame] = []
    threads = [threading.Thread(target=lambda: got.append(dataset.normalized)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 4 and all(frame is got[0] for frame in got)
    assert len(later_reads) == 1
    assert got[0].columns == list(CANONICAL_SCHEMA)


def test_rows_dropped_in_the_first_read_keep_the_later_columns_in_line(tmp_path: Path, streamed: Path) -> None:
    """Blank and undated rows between others: each kept row still gets its own resource id, quantity and unit."""
    lines = ["Date,CostInBillingCurrency,BillingCurrencyCode,MeterCategory,ResourceId,Quantity,UnitOfMeasure,InvoiceSection"]
    for n in range(900):
        if n % 97 == 3:
            lines.append(",,,,,,,")
        elif n % 89 == 5:
            lines.append(f",1.5,EUR,Storage,/r/undated-{n},{n},1 Hour,S")
        else:
            lines.append(f"11/{n % 28 + 1:02d}/2026,{n}.25,EUR,Storage,/r/res-{n},{n}.5,{n % 7} GB,S{n % 3}")
    path = tmp_path / "usage.csv"
    path.write_text("\n".join(lines) + "\n")
    dataset = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=True)
    assert dataset.later is not None and Col.RESOURCE_ID not in dataset.frame.columns
    whole = _by_bytes(path)
    assert sum(d.rows for d in dataset.dropped) == sum(d.rows for d in whole.dropped) > 0
    assert dataset.normalized.equals(whole.normalized)
    kept = dataset.normalized.filter(pl.col(Col.RESOURCE_ID) == "/r/res-500")
    assert kept.select(Col.COST, Col.QUANTITY).row(0) == (500.25, 500.5)


def test_a_later_number_polars_cannot_parse_is_read_as_text(tmp_path: Path, streamed: Path) -> None:
    """A quantity that is not a number no longer sends the whole file to the text reader: the first read stays typed
    and only the later columns are read as text, giving the bytes path's data set (that quantity empty)."""
    lines = ["Date,CostInBillingCurrency,BillingCurrencyCode,MeterCategory,ResourceId,Quantity"]
    lines += [f"11/{n % 28 + 1:02d}/2026,{n}.5,EUR,Storage,/r/{n},{n}" for n in range(600)]
    lines[451] = "11/03/2026,3.5,EUR,Storage,/r/odd,n/a"
    path = tmp_path / "usage.csv"
    path.write_text("\n".join(lines) + "\n")
    dataset = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=True)
    assert dataset.later is not None
    whole = _by_bytes(path)
    assert dataset.normalized.equals(whole.normalized)
    assert dataset.normalized.filter(pl.col(Col.RESOURCE_ID) == "/r/odd").get_column(Col.QUANTITY).to_list() == [None]


@pytest.mark.parametrize("change", ["rewritten", "removed"])
def test_a_file_changed_before_its_later_columns_are_read_is_refused(usage: Path, tmp_path: Path, streamed: Path, change: str) -> None:
    """Rows of two versions of a file are never mixed: a clear message, and no columnar cache is written."""
    path = _copy(usage, tmp_path)
    dataset = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=True)
    views.overview(dataset, views.View())  # the first page needs nothing more
    if change == "removed":
        path.unlink()
    else:
        path.write_text(path.read_text().replace("EUR", "USD"))
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with pytest.raises(SourceError, match=r"usage\.csv changed since it was read: open it again"):
        _ = dataset.normalized
    writer = disk_cache.start_pending(dataset)
    assert writer is not None
    writer.join()
    assert not list(streamed.glob("*.parquet"))


def test_several_files_are_merged_on_every_column(usage: Path, tmp_path: Path, streamed: Path) -> None:
    """Two big files: their later columns are read before they are merged (de-duplication keys use the resource id)."""
    other = tmp_path / "other.csv"
    generate(Spec(rows=1200, days=10, resources=100, resource_groups=5, subscriptions=2, chunk_rows=400, seed=7), other)
    first = _copy(usage, tmp_path)
    dataset = load_paths([str(first), str(other)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=True)
    whole = load_files([(str(p), p.read_bytes()) for p in (first, other)], as_of=AS_OF, metric=Metric.ACTUAL)
    assert dataset.later is None
    assert dataset.frame.columns == list(CANONICAL_SCHEMA)
    assert dataset.normalized.equals(whole.normalized)
    assert [r.as_dict() for r in dataset.file_reports] == [r.as_dict() for r in whole.file_reports]


def test_without_a_page_first_every_column_is_read_at_once(usage: Path, tmp_path: Path, streamed: Path) -> None:
    """The command line (a conversion, a summary) draws no page: one read of the file, with every column."""
    dataset = load_paths([str(_copy(usage, tmp_path))], as_of=AS_OF, metric=Metric.ACTUAL)
    assert dataset.later is None
    assert dataset.frame.columns == list(CANONICAL_SCHEMA)
    assert dataset.normalized is dataset.frame
