"""The overview's figures are made once per view (issue 19, point 12): a new session opening the same view, or the
estimate's accuracy caption beside the estimate, does not compute them (or the back-test behind them) again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import polars as pl
import pytest

from lib.analysis import backtest, estimate_view, views
from lib.analysis.filters import Filters
from lib.core import i18n
from lib.core.dataset import Dataset, LoadRequest
from lib.core.schema import Col
from lib.sources.demo import DemoSource

AS_OF = date(2026, 11, 26)


@pytest.fixture
def demo() -> Dataset:
    return DemoSource().load(LoadRequest(as_of=AS_OF))


@pytest.fixture
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def test_the_overview_is_remembered_per_view_and_language(demo: Dataset, english: None) -> None:
    first = views.overview(demo, views.View())
    assert views.overview(demo, views.View()) is first
    assert views.overview(demo, views.View(group_by=Col.RESOURCE_GROUP)) is not first
    i18n.set_language("nl")
    assert views.overview(demo, views.View()) is not first


def test_the_back_test_is_made_once_for_the_estimate_and_its_accuracy(demo: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []
    real = backtest.daily_charges

    def counted(frame: pl.DataFrame) -> pl.DataFrame:
        read.append(frame.height)
        return real(frame)

    monkeypatch.setattr(backtest, "daily_charges", counted)
    view = views.View(filters=Filters().with_values(Col.SERVICE, ("Storage",)))
    views.overview(demo, view)
    estimate_view.accuracy(demo, view)
    views.overview(demo, view)
    assert len(read) == 1  # both methods back-tested on one read of the view's charges


def test_both_methods_back_tested_together_equal_each_on_its_own(demo: Dataset) -> None:
    """The shared back-test of ``best_method`` gives, trial for trial, what each method's own ``backtest`` gives."""
    frame = views.select(demo, views.View()).cube
    _best, together = backtest.best_method(frame, AS_OF)
    alone = {name: backtest.backtest(frame, AS_OF, name) for name in backtest.METHODS}
    for name, test in alone.items():
        assert len(test.trials) == 30  # 6 closed periods × 5 days
        assert [(t.period, t.day) for t in together[name].trials] == [(t.period, t.day) for t in test.trials]
        # Equal but for the last bits: polars sums a day's charge types in any order, in one back-test as in two.
        for field in ("estimate", "final"):
            expected = [getattr(t, field) for t in test.trials]
            assert [getattr(t, field) for t in together[name].trials] == pytest.approx(expected, rel=1e-12)
