"""The fast recompute path gives the figures of the row-level computation (issue 5).

``views.select`` pre-aggregates the selected rows to (slot, group) sums and ``lib.analysis.frames`` indexes
tag sets; every figure is compared here with ``lib.analysis.aggregate`` run on the canonical rows
themselves, on the demo data set and on a file made by the benchmark's generator.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from bench.generate import Spec
from lib.analysis import aggregate, filters, frames, views
from lib.analysis.filters import Filters
from lib.core.dataset import Dataset, LoadRequest
from lib.core.models import Metric, Period
from lib.core.schema import UNTAGGED, Col
from lib.ingest import tags as tag_sets_module
from lib.sources.demo import DemoSource
from lib.sources.files import load_paths
from tests.perf.conftest import generated_usage

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return DemoSource().load(LoadRequest(as_of=AS_OF))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    path = generated_usage(tmp_path_factory, Spec(rows=6000, days=40, resources=400, resource_groups=30, subscriptions=4, chunk_rows=3000))
    return load_paths([str(path)], as_of=date(2026, 11, 25), metric=Metric.ACTUAL)


def _views(dataset: Dataset) -> list[views.View]:
    tag_key = frames.prepared(dataset).tag_keys()[0]
    value = frames.prepared(dataset).tag_values(tag_key)[0]
    service = filters.options(dataset.normalized, Col.SERVICE)[0]
    end = views.data_period(dataset).end
    return [
        views.View(),
        views.View(group_by=Col.RESOURCE_GROUP),
        views.View(group_by=Col.METER, period=Period(date(end.year, end.month, 1), end)),
        views.View(filters=Filters().with_values(Col.SERVICE, (service,))),
        views.View(group_by=f"tag:{tag_key}"),
        views.View(filters=Filters(tag_key=tag_key, tag_values=(value,))),
        views.View(filters=Filters(tag_key=tag_key, tag_values=(UNTAGGED,)), group_by=Col.LOCATION),
        views.View(scope_id=dataset.scopes[-1].id, group_by=Col.CHARGE_TYPE),
    ]


def _cents(frame: pl.DataFrame, value: str) -> list[tuple[object, ...]]:
    return sorted(frame.with_columns(pl.col(value).round(2)).iter_rows())


def _row_level(dataset: Dataset, view: views.View) -> dict[str, object]:
    """Every figure of both pages, computed the slow way: lib.analysis.aggregate over the canonical rows."""
    scope = views.scope_of(dataset, view)
    currency = views.currency_of(dataset, view)
    period = view.period or views.data_period(dataset)
    history = aggregate.in_currency(filters.apply(dataset.normalized, view.filters, scope=scope), currency)
    rows = history.filter(filters.period_expression(period))
    bills = aggregate.billing_history(history, dataset.as_of)
    accumulated, estimate = aggregate.accumulated_cost(history, dataset.as_of)
    return {
        "headline": aggregate.headline(history, rows, currency, dataset.as_of, bills).as_dict(),
        "bills": [(b.label, b.status, b.invoice_ids, round(b.total, 2)) for b in bills],
        "accumulated": _cents(accumulated, "cumulative"),
        "estimate": (round(estimate.total, 2), estimate.method),
        "daily": _cents(aggregate.daily_cost(rows, view.group_by, period), "cost"),
        "table": _cents(aggregate.cost_by(rows, view.group_by).drop("share"), "cost"),
        "rows": rows.height,
    }


def _fast(dataset: Dataset, view: views.View) -> dict[str, object]:
    overview = views.overview(dataset, view)
    explore = views.explore(dataset, view)
    return {
        "headline": overview.headline.as_dict(),
        "bills": [(b.label, b.status, b.invoice_ids, round(b.total, 2)) for b in overview.bills],
        "accumulated": _cents(overview.accumulated, "cumulative"),
        "estimate": (round(overview.estimate.total, 2), overview.estimate.method),
        "daily": _cents(overview.daily, "cost"),
        "table": _cents(explore.table.drop("share"), "cost"),
        "rows": explore.selection.row_count,
    }


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_pre_aggregated_pages_equal_the_row_level_computation(which: str, request: pytest.FixtureRequest) -> None:
    """Overview and explore on the (slot, group) cube give the figures lib.analysis.aggregate gives on the rows."""
    dataset = request.getfixturevalue(which)
    for view in _views(dataset):
        assert _fast(dataset, view) == _row_level(dataset, view), view


def test_selection_rows_are_the_canonical_rows(demo: Dataset) -> None:
    """``Selection.rows`` is still the canonical rows (downloads and exports use them)."""
    view = views.View(filters=Filters().with_values(Col.SERVICE, ("Storage",)))
    chosen = views.select(demo, view)
    expected = filters.apply(demo.normalized, view.filters, period=chosen.period).filter(pl.col(Col.BILLING_CURRENCY) == chosen.currency)
    assert chosen.rows.equals(expected)
    assert chosen.row_count == expected.height
    assert chosen.rows.columns == demo.normalized.columns


def test_categorical_dimensions_come_back_as_text(demo: Dataset) -> None:
    """Dimensions are categorical in the frame, but results handed to pages are plain text."""
    assert demo.normalized.schema[Col.SERVICE] == pl.Categorical
    table = aggregate.cost_by(demo.normalized, Col.SERVICE)
    assert table.schema["group"] == pl.String
    period = views.data_period(demo)
    daily = aggregate.daily_cost(demo.normalized, Col.RESOURCE_GROUP, period)
    assert daily.schema["group"] == pl.String
    assert daily.get_column("cost").sum() == pytest.approx(demo.normalized.get_column(Col.COST).sum())
    overview = views.overview(demo, views.View())
    assert overview.daily.schema["group"] == pl.String
    assert all(isinstance(i, str) for b in overview.bills for i in b.invoice_ids)


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_tag_set_index_equals_tag_value(which: str, request: pytest.FixtureRequest) -> None:
    """A tag's value gathered through the tag-set index equals ``filters.tag_value`` on every row."""
    dataset = request.getfixturevalue(which)
    prepared = frames.prepared(dataset)
    keys = prepared.tag_keys()
    # Most used first (rows carrying the key, counted on every row), ties by name.
    counted = dataset.normalized.select(pl.col(Col.TAGS).explode().struct.field("key")).to_series().drop_nulls().value_counts()
    assert keys == [k for k, _n in sorted(counted.iter_rows(), key=lambda kn: (-kn[1], kn[0]))]
    for key in keys:
        expected = dataset.normalized.select(filters.tag_value(key).fill_null(UNTAGGED).alias("v")).get_column("v")
        fast = prepared.tagged_frame.select(prepared.group_key(f"tag:{key}").cast(pl.String).alias("v")).get_column("v")
        assert fast.equals(expected)
        assert prepared.tag_values(key) == filters.tag_values(dataset.normalized, key)
        for value in [*filters.tag_values(dataset.normalized, key)[:3], UNTAGGED]:
            chosen = Filters(tag_key=key, tag_values=(value,))
            slow = dataset.normalized.select(filters.filter_expression(chosen).alias("k")).get_column("k")
            quick = prepared.tagged_frame.select(prepared.filter_expression(chosen).alias("k")).get_column("k")
            assert quick.equals(slow)


def test_tag_sets_by_hash_match_the_exact_comparison(demo: Dataset) -> None:
    """Hashing tag lists gives the same partition into sets as comparing the lists."""
    tags = demo.normalized.get_column(Col.TAGS)
    ids, sets = tag_sets_module.tag_sets(tags)
    exact_ids, exact_sets = tag_sets_module.tag_sets_exact(tags)
    assert ids.equals(exact_ids)
    assert sets.equals(exact_sets)
    assert sets.get_column(tag_sets_module.ROWS).sum() == tags.len()
    assert sets.get_column(Col.TAGS).gather(ids).equals(tags.alias(Col.TAGS))
