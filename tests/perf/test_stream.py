"""A big CSV streamed from its path gives the data set its bytes would give (issue 5).

The streaming threshold and batch size are lowered so small fixtures take the streamed path in
several batches; every result is compared with reading the same file's bytes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from bench.generate import Spec, generate
from lib.analysis import views
from lib.core.dataset import Dataset
from lib.core.models import Metric
from lib.core.reading import InputFile
from lib.ingest import stream
from lib.output import downloads, export
from lib.sources.files import expand_paths, load_files, load_paths
from tests.perf.conftest import generated_usage

AS_OF = date(2026, 11, 25)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = FIXTURES / "real"


@pytest.fixture
def streamed_small(stream_in_batches: Callable[[int], Path]) -> Path:
    return stream_in_batches(7)


@pytest.fixture(params=[False, True], ids=["every column", "page first"])
def page_first(request: pytest.FixtureRequest) -> bool:
    """Read every column at once (the command line), or the columns no page shows after the first page (the app)."""
    return bool(request.param)


def _wait_for_cache_writes() -> None:
    for thread in threading.enumerate():
        if thread.name == "azdash-cache-write":
            thread.join()


def _by_bytes(path: Path, metric: Metric = Metric.ACTUAL) -> Dataset:
    return load_files([(str(path), path.read_bytes())], as_of=AS_OF, metric=metric)


def _same(streamed: Dataset, whole: Dataset) -> None:
    assert streamed.normalized.equals(whole.normalized)
    assert streamed.dropped == whole.dropped
    assert streamed.warnings == whole.warnings
    assert streamed.notes == whole.notes
    assert streamed.scopes == whole.scopes
    assert (streamed.format, streamed.schema_version, streamed.metric, streamed.as_of) == (
        whole.format,
        whole.schema_version,
        whole.metric,
        whole.as_of,
    )
    assert [r.as_dict() for r in streamed.file_reports] == [r.as_dict() for r in whole.file_reports]
    assert isinstance(streamed.raw, pl.LazyFrame)
    assert streamed.raw.collect().equals(whole.raw)  # type: ignore[union-attr]


def _csvs() -> list[Path]:
    return sorted(p for p in REAL.rglob("*.csv") if p.stat().st_size < 5_000_000)


@pytest.mark.parametrize("path", _csvs(), ids=lambda p: str(p.relative_to(REAL)))
def test_real_files_stream_to_the_same_data_set(path: Path, streamed_small: Path, page_first: bool) -> None:
    """Every real CSV fixture, streamed in batches of 7 rows, equals reading its bytes (or is read whole)."""
    try:
        whole = _by_bytes(path)
    except Exception as error:  # the bytes path refuses it: the streamed path must refuse it too
        with pytest.raises(type(error)):
            load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=page_first)
        return
    streamed = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=page_first)
    if isinstance(streamed.raw, pl.DataFrame):
        # Read whole (not UTF-8, cut off, Account Center...): then it is the very same reader.
        assert streamed.normalized.equals(whole.normalized)
        return
    _same(streamed, whole)


@pytest.fixture(scope="module")
def generated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_usage(tmp_path_factory, Spec(rows=3000, days=20, resources=300, resource_groups=20, subscriptions=3, chunk_rows=1000))


def test_generated_file_streams_with_lazy_raw_and_downloads(generated_file: Path, streamed_small: Path, page_first: bool) -> None:
    """A streamed file keeps no bytes, its raw rows come from disk, downloads equal the bytes path's."""
    item = expand_paths([str(generated_file)])[0]
    assert item.streamed and item.data == b""
    streamed = load_paths([str(generated_file)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=page_first)
    whole = _by_bytes(generated_file)
    _same(streamed, whole)
    assert streamed.raw_files == ()
    view = views.View(filters=views.filters.Filters().with_values(views.Col.SERVICE, ("Storage",)))
    assert downloads.prepare(streamed, view) == downloads.prepare(whole, view)
    rows = views.select(streamed, view).rows
    assert export.raw_rows(streamed.raw, rows).equals(export.raw_rows(whole.raw, rows))


def test_blank_and_undated_rows_are_reported_with_their_lines(tmp_path: Path, streamed_small: Path, page_first: bool) -> None:
    """Blank rows and rows without a date across batches: same reasons, counts and first lines."""
    header = "Date,CostInBillingCurrency,BillingCurrencyCode,MeterCategory,ResourceGroup,Tags,Extra"
    lines = [header]
    for n in range(40):
        if n in (3, 25):
            lines.append(",,,,,,")
        elif n in (9, 30):
            lines.append(f",1.5,EUR,Storage,rg,,x{n}")
        else:
            lines.append(f'11/{n % 28 + 1:02d}/2026,{n}.25,EUR,Storage,rg-{n % 3},"{{""env"": ""e{n % 2}""}}",')
    path = tmp_path / "usage.csv"
    path.write_text("\n".join(lines) + "\n")
    streamed = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=page_first)
    _same(streamed, _by_bytes(path))
    assert sum(d.rows for d in streamed.dropped) == 4


def test_fingerprint_changes_with_the_file(generated_file: Path, tmp_path: Path, streamed_small: Path) -> None:
    """A streamed input's fingerprint is path + size + mtime: it changes when the file does."""
    copy = tmp_path / "copy.csv"
    copy.write_bytes(generated_file.read_bytes())
    before = expand_paths([str(copy)])[0].fingerprint()
    assert expand_paths([str(copy)])[0].fingerprint() == before
    with copy.open("ab") as handle:
        handle.write(b"\n")
    assert expand_paths([str(copy)])[0].fingerprint() != before
    assert InputFile("a.csv", b"x").fingerprint() != InputFile("a.csv", b"y").fingerprint()


def test_reopening_reads_the_parquet_cache_until_the_file_changes(generated_file: Path, tmp_path: Path, streamed_small: Path) -> None:
    """A second open of the same big file comes from the cache (same data set); a changed file is read again."""
    path = tmp_path / "usage.csv"
    path.write_bytes(generated_file.read_bytes())
    first = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL)
    assert not first.from_cache
    _wait_for_cache_writes()
    assert list(streamed_small.glob("*.parquet"))
    again = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL)
    assert again.from_cache is True
    for field in ("normalized", "dropped", "warnings", "notes", "scopes", "format", "schema_version", "agreement", "metric", "as_of"):
        left, right = getattr(again, field), getattr(first, field)
        assert left.equals(right) if isinstance(left, pl.DataFrame) else left == right, field
    assert [r.as_dict() for r in again.file_reports] == [r.as_dict() for r in first.file_reports]
    assert again.raw.collect().equals(first.raw.collect())  # type: ignore[union-attr]
    # The other cost view is another entry.
    amortized = load_paths([str(path)], as_of=AS_OF, metric=Metric.AMORTIZED)
    assert not amortized.from_cache
    # Same size, new modification time: read again, and the new content shows.
    text = path.read_text().replace("EUR", "USD")
    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL)
    assert not changed.from_cache
    assert changed.currencies == ["USD"]
    assert changed.normalized.get_column("Cost").sum() == pytest.approx(first.normalized.get_column("Cost").sum())


@pytest.fixture
def reader_used(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which reader each streamed file went through: polars' typed batches, or the text byte ranges (the fallback)."""
    used: list[str] = []
    typed, text = stream._typed_batches, stream._read_chunks

    def typed_spy(*args: object, **kwargs: object) -> object:
        used.append("typed")
        return typed(*args, **kwargs)  # type: ignore[arg-type]

    def text_spy(*args: object, **kwargs: object) -> object:
        if not kwargs.get("batch_rows"):  # not the first rows ``_sample`` reads to detect the layout
            used.append("text")
        return text(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stream, "_typed_batches", typed_spy)
    monkeypatch.setattr(stream, "_read_chunks", text_spy)
    return used


@pytest.mark.parametrize(
    ("whole_frame", "max_chunks"), [(True, None), (False, None), (True, 1)], ids=["one frame", "a batch at a time", "pieces joined"]
)
def test_typed_reader_gives_the_bytes_data_set(
    generated_file: Path,
    streamed_small: Path,
    reader_used: list[str],
    monkeypatch: pytest.MonkeyPatch,
    whole_frame: bool,
    max_chunks: int | None,
    page_first: bool,
) -> None:
    """A clean file is read by polars' typed reader (codes and numbers, no text held), normalized as one frame or a
    batch at a time (a very big file), its columns' pieces joined or not, and still equals the data set of its bytes."""
    if not whole_frame:
        monkeypatch.setattr(stream, "WHOLE_FRAME_MAX_BYTES", 0)
        monkeypatch.setattr(stream, "TYPED_BATCH_ROWS", 500)
    if max_chunks is not None:
        monkeypatch.setattr(stream, "MAX_CHUNKS", max_chunks)
    streamed = load_paths([str(generated_file)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=page_first)
    assert set(reader_used) == {"typed"}  # the first read, and (from the cache write or a page) the later columns' read
    _same(streamed, _by_bytes(generated_file))
    assert all(streamed.normalized.get_column(c).n_chunks() <= stream.MAX_CHUNKS for c in streamed.normalized.columns)


@pytest.mark.parametrize(
    ("cost", "reader"),
    [("NaN", ["typed"]), ("inf", ["typed"]), ("", ["typed"]), ("12,5", ["typed", "text"]), ("abc", ["typed", "text"])],
    ids=["NaN", "inf", "empty", "comma", "text"],
)
def test_unreadable_costs_are_reported_by_either_reader(
    tmp_path: Path, streamed_small: Path, reader_used: list[str], cost: str, reader: list[str]
) -> None:
    """A cost polars parses but is no amount (NaN, inf) or is empty stays on the typed reader, and its reason shows the
    file's own text; one polars cannot parse sends the file to the text reader. Either way: the bytes path's report."""
    lines = ["Date,CostInBillingCurrency,BillingCurrencyCode,MeterCategory"]
    lines += [f"11/{n % 28 + 1:02d}/2026,{n}.5,EUR,Storage" for n in range(30)]
    lines[17] = f'11/17/2026,"{cost}",EUR,Storage'
    path = tmp_path / "usage.csv"
    path.write_text("\n".join(lines) + "\n")
    streamed = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL)
    assert reader_used == reader
    _same(streamed, _by_bytes(path))
    assert [(d.rows, d.example_line) for d in streamed.dropped] == [(1, 18)]
    assert f"line 18: {cost!r}" in streamed.dropped[0].reason


def test_cache_write_can_wait_for_the_first_page(generated_file: Path, tmp_path: Path, streamed_small: Path) -> None:
    """``page_first``: nothing is written until ``start_pending`` (the app calls it once the page is drawn)."""
    from lib.sources import disk_cache

    path = tmp_path / "usage.csv"
    path.write_bytes(generated_file.read_bytes())
    first = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=True)
    _wait_for_cache_writes()
    assert not list(streamed_small.glob("*.parquet"))
    writer = disk_cache.start_pending(first)
    assert writer is not None
    writer.join()
    assert disk_cache.start_pending(first) is None  # once
    again = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL)
    assert again.from_cache is True
    assert again.normalized.equals(first.normalized)


@pytest.mark.parametrize(("layout", "crlf"), [("ea", False), ("ea", True), ("mca", True)], ids=["ea-bom", "ea-bom-crlf", "mca-crlf"])
def test_typed_reader_takes_ea_files_with_a_bom_and_crlf(
    tmp_path: Path, streamed_small: Path, reader_used: list[str], layout: str, crlf: bool, page_first: bool
) -> None:
    """EA files (byte-order mark, their own headers and date layout) and CRLF line ends go through the typed reader
    too, with the bytes path's data set."""
    path = tmp_path / "usage.csv"
    generate(Spec(rows=1500, format=layout, days=20, resources=200, resource_groups=12, subscriptions=2, chunk_rows=500, crlf=crlf), path)
    streamed = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL, page_first=page_first)
    assert set(reader_used) == {"typed"}
    _same(streamed, _by_bytes(path))
