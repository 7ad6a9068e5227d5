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
    made: list[str] = []
    real = backtest.backtest

    def counted(frame: pl.DataFrame, as_of: date, method: str = backtest.DEFAULT_METHOD) -> backtest.Backtest:
        made.append(method)
        return real(frame, as_of, method)

    monkeypatch.setattr(backtest, "backtest", counted)
    view = views.View(filters=Filters().with_values(Col.SERVICE, ("Storage",)))
    views.overview(demo, view)
    estimate_view.accuracy(demo, view)
    views.overview(demo, view)
    assert sorted(made) == sorted(backtest.METHODS)  # each method back-tested once
