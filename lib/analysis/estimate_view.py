"""The estimate's back-tested accuracy for a view, as the overview shows it; free of Streamlit."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lib.analysis import frames
from lib.analysis.backtest import BACKTEST_DAYS, Backtest, day_of_period
from lib.analysis.views import View, backtests
from lib.core.dataset import Dataset


@dataclass(frozen=True)
class Accuracy:
    """The method in use, how its estimates on today's day of the period have fared, and every method's back-test."""

    method: str
    day: int
    typical_error: float | None
    periods: int
    tests: dict[str, Backtest]

    def table(self) -> pl.DataFrame:
        """Median absolute error per method (rows) and day of the period (columns ``day_3``...)."""
        return pl.DataFrame(
            [{"method": name, **{f"day_{d}": test.typical_error(d) for d in BACKTEST_DAYS}} for name, test in self.tests.items()],
            schema={"method": pl.String, **{f"day_{d}": pl.Float64 for d in BACKTEST_DAYS}},
        )


def accuracy(dataset: Dataset, view: View) -> Accuracy:
    """The back-test of the view's selection (scope, filters, currency; all its history), remembered per view."""

    def compute() -> Accuracy:
        method, tests = backtests(dataset, view)
        day = day_of_period(dataset.as_of)
        test = tests[method]
        return Accuracy(method, day, test.typical_error(day), test.periods, tests)

    return frames.prepared(dataset).memo(("estimate accuracy", view), compute)
