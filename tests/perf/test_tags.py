"""Tag sets found while a big file is read, and big-file downloads written to disk (issue 5, round 2).

Each new piece is compared with the computation it replaces: ``tags_column`` + ``unify_tag_keys`` +
``tag_sets_module.tag_sets`` on the rows' tag lists, and ``downloads.prepare``'s in-memory CSV.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bench.generate import Spec
from lib.analysis import frames, views
from lib.analysis.filters import Filters
from lib.core.models import Metric
from lib.core.schema import TAG_PREFIX, Col
from lib.ingest import normalize, stream
from lib.ingest import tags as tag_sets_module
from lib.ingest.normalize import TagCells, parse_tags, plain_pairs, tags_column, unify_tag_keys, unify_tag_table
from lib.output import downloads, export
from lib.sources.files import load_files, load_paths
from tests.perf.conftest import generated_usage

AS_OF = date(2026, 11, 25)

CELLS = [
    '"env": "prod","team": "data"',
    None,
    '{"Env": "prod"}',
    "",
    '"env": "dev"',
    "not json {",
    '"team": "data","env": "prod"',
    "unassigned",
    '"ENV": "test"',
    '"env": "prod","team": "data"',
    '{"env": "prod", "team": "data"}',
    None,
]


def _reference(cells: list[str | None]) -> tuple[pl.Series, pl.DataFrame, list[str]]:
    """The old computation: per-row tag lists, keys unified over the rows, then ``tag_sets_module.tag_sets``."""
    frame = pl.DataFrame({Col.TAGS: tags_column(pl.Series(cells, dtype=pl.String))})
    unified, notes = unify_tag_keys(frame)
    ids, sets = tag_sets_module.tag_sets(unified.get_column(Col.TAGS))
    return ids, sets, notes


@pytest.mark.parametrize("batch", [1, 3, 5, len(CELLS)])
def test_tag_cells_in_batches_give_the_same_sets_as_the_row_lists(batch: int) -> None:
    """Ids per batch, keys unified on the distinct sets: the same tags, sets, ids and notes as the row-level path."""
    cells = TagCells()
    ids = pl.concat([cells.ids(pl.Series(CELLS[i : i + batch], dtype=pl.String), batch) for i in range(0, len(CELLS), batch)])
    table, notes = unify_tag_table(cells.table(), ids)
    tags = table.get_column(Col.TAGS).gather(ids)
    want_ids, want_sets, want_notes = _reference(CELLS)
    assert sorted(notes) == sorted(want_notes)
    assert tags.to_list() == want_sets.get_column(Col.TAGS).gather(want_ids).to_list()
    got_ids, got_sets = tag_sets_module.index_tag_sets(ids, table)
    assert got_ids.to_list() == want_ids.to_list()
    assert got_sets.equals(want_sets)


TRICKY_CELLS = [
    *CELLS,
    "  {}  ",
    '{"a": "b"',
    '"a": "b"}',
    '"a": "x{y"',
    '"a": "x}y"',
    '"a": "[1]"',
    '"a": 1',
    '"a": null, "b": "c"',
    '"a": NaN',
    '"a": "1", "a": "2"',
    '"a": "caf\\u00e9"',
    '{"a": {"b": "c"}}',
    '"a": "b", ',
    "  NULL ",
    "N/A",
    '"k": "v"' * 3,
    '"' + "k" * 70_000 + '": "v"',
]


# Text keys and values, nothing nested: the cells the quick reading answers itself.
PLAIN_CELLS = {
    '"env": "prod","team": "data"',
    '{"Env": "prod"}',
    '"env": "dev"',
    '"team": "data","env": "prod"',
    '"ENV": "test"',
    '{"env": "prod", "team": "data"}',
    '"a": "1", "a": "2"',
}


@pytest.mark.parametrize("cell", TRICKY_CELLS, ids=lambda cell: repr(cell)[:40])
def test_plain_tag_cells_read_as_parse_tags_reads_them(cell: str | None) -> None:
    """The quick reading of plain cells (``plain_pairs``) gives ``parse_tags``' tags, or leaves the cell to it."""
    [quick] = plain_pairs([cell])
    full = tuple((t["key"], t["value"]) for t in parse_tags(cell))
    assert quick is None or quick == full
    assert (quick is not None) == (cell in PLAIN_CELLS)


def _as_parse_tags(cells: list[str | None]) -> list[tuple[tuple[str, str], ...] | None]:
    return [tuple((t["key"], t["value"]) for t in parse_tags(c)) if c in PLAIN_CELLS else None for c in cells]


@pytest.mark.parametrize("group", [1000, 3, 1])
def test_a_batch_of_cells_is_read_as_each_cell_alone(monkeypatch: pytest.MonkeyPatch, group: int) -> None:
    """Read together (one decoding per group of cells), the tricky cells give what each gives alone, in order."""
    monkeypatch.setattr(normalize, "PLAIN_GROUP", group)
    cells = [*TRICKY_CELLS, *sorted(PLAIN_CELLS), *reversed(TRICKY_CELLS)]
    assert plain_pairs(cells) == _as_parse_tags(cells)


@pytest.mark.parametrize(
    "cells",
    [
        # An unclosed quote would swallow the next cell, which closes it: together, one valid object of two cells.
        ['"a": "b', ', "c": "d"', '"env": "prod"'],
        ['"env": "prod"', '"a": "b', '": "x", "y": "z"'],
        # A cell the array decoding rejects (not JSON) among good ones: the good ones are still read.
        ['"env": "prod"', '"a": b', '"team": "web"'],
    ],
    ids=["swallowed-cell", "swallowed-last", "one-bad-cell"],
)
def test_cells_cannot_reach_into_their_neighbours(cells: list[str]) -> None:
    """Cells that would decode differently side by side than alone are each read alone."""
    alone = [plain_pairs([cell])[0] for cell in cells]
    assert plain_pairs(cells) == alone
    assert alone[0] is not None or alone[-1] is not None  # the good cells are answered


def test_real_tags_cells_read_as_parse_tags_reads_them() -> None:
    """Every distinct tags cell of the real fixtures: the quick reading agrees with ``parse_tags`` wherever it answers."""
    real = Path(__file__).resolve().parents[1] / "fixtures" / "real"
    cells: set[str] = set()
    for path in real.rglob("*.csv"):
        try:
            frame = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=True, encoding="utf8-lossy")
        except pl.exceptions.PolarsError:
            continue
        for column in frame.columns:
            if column.strip().lstrip("\ufeff").lower() in ("tags", "tag", "resourcetags"):
                cells.update(c for c in frame.get_column(column).drop_nulls().to_list())
    assert len(cells) > 10
    answered = 0
    ordered = sorted(cells)
    for cell, quick in zip(ordered, plain_pairs(ordered), strict=True):
        if quick is not None:
            answered += 1
            assert quick == tuple((t["key"], t["value"]) for t in parse_tags(cell)), cell
    assert answered > len(cells) // 2


def test_tag_cells_without_a_tags_column_are_one_empty_set() -> None:
    """A layout without tags: every row gets the id of the empty set."""
    cells = TagCells()
    ids = cells.ids(None, 4)
    assert ids.to_list() == [0, 0, 0, 0]
    assert cells.table().get_column(Col.TAGS).to_list() == [[]]


@pytest.fixture(scope="module")
def generated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_usage(tmp_path_factory, Spec(rows=2000, days=10, resources=200, resource_groups=12, subscriptions=3, chunk_rows=1000))


@pytest.fixture
def streamed_small(stream_in_batches: Callable[[int], Path]) -> Path:
    return stream_in_batches(150)


def _index(dataset: object) -> frames.TagIndex:
    index = dataset.tag_index
    assert isinstance(index, frames.TagIndex)
    return index


def test_streamed_file_hands_its_tag_sets_to_the_working_frame(generated_file: Path, streamed_small: Path) -> None:
    """The ids found while reading equal ``tag_sets`` of the final rows, before and after a cache reopen."""
    first = load_paths([str(generated_file)], as_of=AS_OF, metric=Metric.ACTUAL)
    index = _index(first)
    assert index.frame is first.frame  # the frame the pages compute on (without the later columns)
    want_ids, want_sets = tag_sets_module.tag_sets(first.normalized.get_column(Col.TAGS))
    assert index.ids.equals(want_ids, check_names=False)
    assert index.sets.equals(want_sets)
    prepared = frames.prepared(first)
    assert prepared.tag_sets is index.sets
    for thread in threading.enumerate():
        if thread.name == "azdash-cache-write":
            thread.join()
    assert list(streamed_small.glob("*.tags.parquet"))
    again = load_paths([str(generated_file)], as_of=AS_OF, metric=Metric.ACTUAL)
    assert again.from_cache is True
    assert again.normalized.equals(first.normalized)
    reopened = _index(again)
    assert reopened.ids.equals(want_ids, check_names=False)
    assert reopened.sets.equals(want_sets)
    # Tag filters and group-bys through the index agree with the bytes path (no index).
    whole = load_files([(str(generated_file), generated_file.read_bytes())], as_of=AS_OF, metric=Metric.ACTUAL)
    assert whole.tag_index is None
    key = frames.prepared(whole).tag_keys()[0]
    value = frames.prepared(whole).tag_values(key)[0]
    view = views.View(filters=Filters(tag_key=key, tag_values=(value,)), group_by=f"{TAG_PREFIX}{key}")
    for data in (first, again):
        assert frames.prepared(data).tag_keys() == frames.prepared(whole).tag_keys()
        # Sums may differ in the last bits (rows summed in another chunk order): compared to well below a cent.
        assert_frame_equal(views.select(data, view).cube.sort(pl.all()), views.select(whole, view).cube.sort(pl.all()), abs_tol=1e-6)


def test_big_selection_is_written_to_disk_like_the_browser_download(
    generated_file: Path, streamed_small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the browser limit, the raw and filtered files written to disk hold the bytes the in-memory download would."""
    streamed = load_paths([str(generated_file)], as_of=AS_OF, metric=Metric.ACTUAL)
    view = views.View(filters=Filters().with_values(Col.SERVICE, ("Storage",)))
    assert downloads.on_disk(streamed, view) is None  # 2,000 rows: through the browser
    whole = load_files([(str(generated_file), generated_file.read_bytes())], as_of=AS_OF, metric=Metric.ACTUAL)
    monkeypatch.setattr(downloads, "BROWSER_MAX_ROWS", 100)
    monkeypatch.setattr(downloads, "_WRITE_BATCH", 170)
    assert downloads.on_disk(whole, view) is None  # raw rows in memory: never written to disk
    big = downloads.on_disk(streamed, view)
    expected = downloads.prepare(whole, view)
    assert big is not None
    assert (big.raw_rows, big.filtered_rows) == (expected.raw_rows, expected.filtered_rows)
    raw = downloads.write_on_disk(streamed, view, tmp_path / "out", filtered=False)
    filtered = downloads.write_on_disk(streamed, view, tmp_path / "out", filtered=True)
    assert (raw.name, filtered.name) == (expected.raw.name, expected.filtered.name)
    assert raw.read_bytes() == expected.raw.data
    assert filtered.read_bytes() == expected.filtered.data
    nothing = views.View(filters=Filters().with_values(Col.SERVICE, ("no such service",)))
    empty = downloads.write_on_disk(streamed, nothing, tmp_path / "empty", filtered=True)
    assert empty.read_bytes() == export.to_csv_bytes(export.raw_rows(whole.raw, whole.normalized.head(0)))


def test_very_big_file_keeps_tags_by_set_and_every_consumer_agrees(
    generated_file: Path, streamed_small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ``TAGS_INLINE_MAX_ROWS`` the Tags column is left null; selections, downloads, summary and conversions
    reach the tags through the tag sets and equal the bytes path's, also after a cache reopen."""
    from lib.analysis import summary
    from lib.output import convert

    monkeypatch.setattr(stream, "TAGS_INLINE_MAX_ROWS", 0)
    lazy = load_paths([str(generated_file)], as_of=AS_OF, metric=Metric.ACTUAL)
    whole = load_files([(str(generated_file), generated_file.read_bytes())], as_of=AS_OF, metric=Metric.ACTUAL)
    assert frames.prepared(lazy).lazy_tags and not frames.prepared(whole).lazy_tags
    assert lazy.normalized.get_column(Col.TAGS).null_count() == lazy.normalized.height
    assert lazy.normalized.drop(Col.TAGS).equals(whole.normalized.drop(Col.TAGS))
    assert frames.with_tags(lazy).equals(whole.normalized)
    for thread in threading.enumerate():
        if thread.name == "azdash-cache-write":
            thread.join()
    again = load_paths([str(generated_file)], as_of=AS_OF, metric=Metric.ACTUAL)
    assert again.from_cache is True and frames.prepared(again).lazy_tags
    key = frames.prepared(whole).tag_keys()[0]
    value = frames.prepared(whole).tag_values(key)[1]
    chosen = Filters(tag_key=key, tag_values=(value,)).with_values(Col.SERVICE, ("Storage", "Virtual Machines"))
    view = views.View(filters=chosen, group_by=f"{TAG_PREFIX}{key}")
    expected = views.select(whole, view)
    for data in (lazy, again):
        got = views.select(data, view)
        assert got.rows.equals(expected.rows)
        assert got.history.equals(expected.history)
        assert downloads.prepare(data, view) == downloads.prepare(whole, view)
        assert summary.summarize(data, chosen=chosen) == summary.summarize(whole, chosen=chosen)
        assert convert.to_csv(data, convert.V2) == convert.to_csv(whole, convert.V2)
    monkeypatch.setattr(downloads, "BROWSER_MAX_ROWS", 10)
    written = downloads.write_on_disk(lazy, view, tmp_path, filtered=True)
    assert written.read_bytes() == downloads.prepare(whole, view).filtered.data


def test_tidy_through_distinct_values_equals_the_row_by_row_expression() -> None:
    """Currency and subscription fixes worked out per distinct value give what the row-level expressions give."""
    from lib.ingest.read import UNKNOWN_CURRENCY, _tidy

    frame = pl.DataFrame(
        {
            Col.BILLING_CURRENCY: [" eur", "USD", None, "eur ", "EUR", None] * 50,
            Col.SUBSCRIPTION_ID: ["/subscriptions/abc", "abc", None, "/SUBSCRIPTIONS/def", "ghi", "x/subscriptions/y"] * 50,
        },
        schema={Col.BILLING_CURRENCY: pl.Categorical, Col.SUBSCRIPTION_ID: pl.Categorical},
    )
    old = frame.with_columns(
        pl.col(Col.BILLING_CURRENCY).cast(pl.String).str.strip_chars().str.to_uppercase().fill_null(UNKNOWN_CURRENCY).cast(pl.Categorical),
        pl.col(Col.SUBSCRIPTION_ID).cast(pl.String).str.replace(r"(?i)^/subscriptions/", "").cast(pl.Categorical),
    )
    warnings: list[str] = []
    new = _tidy(frame, "f.csv", warnings)
    assert new.select(pl.all().cast(pl.String)).equals(old.select(pl.all().cast(pl.String)))
    assert new.schema == old.schema
    assert len(warnings) == 1


@pytest.mark.parametrize("range_bytes", [16, 64, 1000])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_byte_ranges_cut_whole_rows(
    tmp_path: Path, streamed_small: Path, monkeypatch: pytest.MonkeyPatch, range_bytes: int, newline: str
) -> None:
    """Rows cut from the file by byte ranges (quoted line breaks and quotes in cells, blank and short lines, rows longer
    than a range) give the data set the file's bytes give."""
    monkeypatch.setattr(stream, "RANGE_BYTES", range_bytes)
    monkeypatch.setattr(stream, "BATCH_ROWS", 5)
    lines = ["Date,CostInBillingCurrency,BillingCurrencyCode,MeterCategory,ResourceGroup,Tags,Extra"]
    for n in range(30):
        if n == 4:
            lines.append("")
        elif n == 11:
            lines.append(",,")
        elif n % 7 == 3:
            lines.append(f'11/{n % 28 + 1:02d}/2026,{n}.5,EUR,"Stor{newline}age ""x""",rg,"{{""env"": ""a{newline}b""}}",')
        else:
            lines.append(f'11/{n % 28 + 1:02d}/2026,{n}.25,EUR,Storage,rg-{n % 3},"{{""env"": ""e{n % 2}""}}",{"x" * (n * 3)}')
    path = tmp_path / "usage.csv"
    path.write_bytes((newline.join(lines) + newline).encode())
    streamed = load_paths([str(path)], as_of=AS_OF, metric=Metric.ACTUAL)
    whole = load_files([(str(path), path.read_bytes())], as_of=AS_OF, metric=Metric.ACTUAL)
    assert isinstance(streamed.raw, pl.LazyFrame)
    assert streamed.normalized.equals(whole.normalized)
    assert streamed.dropped == whole.dropped
    assert streamed.raw.collect().equals(whole.raw)  # type: ignore[union-attr]
