"""How far the estimate to period end can be trusted: back-tested on the closed periods in the data.

For each closed billing period and each of days 3, 7, 14, 21 and 28, the estimate is made again
with only the data up to that day, and compared with the period's final total. The typical error on
a day of the period is the median of the absolute relative errors over the periods.

Two methods are compared: the weekday average of ``lib.analysis.estimate`` and a trend-aware one (the same
weekday rhythm on a straight-line level fitted to the last four weeks, its slope damped). The method
with the lower back-tested error is the one to use (``best_method``).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import numpy as np
import polars as pl

from lib.analysis.estimate import (
    LOOKBACK_DAYS,
    Estimate,
    cost_per_day,
    daily_usage,
    estimate_and_usage,
    estimate_from,
    estimate_period_end,
)
from lib.core.models import Period
from lib.core.periods import add_months, billing_period
from lib.core.schema import Col

BACKTEST_DAYS: Final = (3, 7, 14, 21, 28)
DAMPING: Final = 0.9  # each day ahead keeps this share of the previous day's slope
TREND_MIN_DAYS: Final = 14  # fewer days of history: no trend is fitted (the weekday average is used)

EstimateMethod = Callable[[pl.DataFrame, Period, date], Estimate]


def trend_estimate(frame: pl.DataFrame, period: Period, as_of: date) -> Estimate:
    """The weekday rhythm on a damped straight-line level fitted to the last four weeks of usage.

    One-off charges count in the cost so far and are not extrapolated, as in ``lib.analysis.estimate``.
    """
    return _trend_on(*estimate_and_usage(frame, period, as_of))


def _trend_on(base: Estimate, per_day: dict[date, float]) -> Estimate:
    """``trend_estimate`` from the weekday average's estimate and the usage per day of its last four weeks."""
    period = base.period
    last_day = base.last_data_day
    history_start = last_day - timedelta(days=LOOKBACK_DAYS - 1)
    if not per_day:
        return base
    first_seen = max(min(per_day), history_start)
    days = [first_seen + timedelta(days=n) for n in range((last_day - first_seen).days + 1)]
    if len(days) < TREND_MIN_DAYS:
        return base
    costs = np.array([per_day.get(d, 0.0) for d in days])
    weekday = np.array([d.weekday() for d in days])
    means = np.array([costs[weekday == wd].mean() for wd in range(7)])
    overall = means.mean()
    if overall <= 0:
        return base
    factors = means / overall
    plain = np.divide(costs, factors[weekday], out=np.zeros_like(costs), where=factors[weekday] > 0)
    x = np.arange(len(days), dtype=np.float64)
    slope, intercept = np.polyfit(x, plain, 1)
    level = intercept + slope * x[-1]
    rest = 0.0
    step = slope
    for n in range(1, (period.end - last_day).days + 1):
        step *= DAMPING
        level += step
        rest += max(level, 0.0) * factors[(last_day + timedelta(days=n)).weekday()]
    return Estimate(period, last_day, base.cost_so_far, float(rest), f"weekday rhythm on a damped trend over the last {len(days)} days")


METHODS: Final[dict[str, EstimateMethod]] = {"weekday average": estimate_period_end, "damped trend": trend_estimate}
DEFAULT_METHOD: Final = "weekday average"


@dataclass(frozen=True)
class Trial:
    """One re-made estimate: a closed period, the day of the period it was made on, and its error."""

    period: Period
    day: int
    estimate: float
    final: float

    @property
    def error(self) -> float:
        """Relative error against the final total (positive: the estimate was too high)."""
        return (self.estimate - self.final) / abs(self.final)


@dataclass(frozen=True)
class Backtest:
    """The trials of one method over the closed periods of a data set."""

    method: str
    trials: tuple[Trial, ...]

    @property
    def periods(self) -> int:
        """Closed periods tried."""
        return len({t.period for t in self.trials})

    def typical_error(self, day: int) -> float | None:
        """Median absolute relative error of the estimates made on ``day`` of a period (``None``: no trial)."""
        errors = [abs(t.error) for t in self.trials if t.day == day]
        return statistics.median(errors) if errors else None

    @property
    def overall(self) -> float | None:
        """Median absolute relative error over every trial."""
        errors = [abs(t.error) for t in self.trials]
        return statistics.median(errors) if errors else None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "method": self.method,
            "periods": self.periods,
            "median_abs_error_by_day": {str(d): _rounded(self.typical_error(d)) for d in BACKTEST_DAYS},
            "median_abs_error": _rounded(self.overall),
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def daily_charges(frame: pl.DataFrame) -> pl.DataFrame:
    """Cost per charge day and charge type: all an estimate reads, small enough to re-estimate often."""
    return frame.group_by(Col.CHARGE_DATE, Col.CHARGE_TYPE).agg(pl.col(Col.COST).sum()).sort(Col.CHARGE_DATE)


def closed_periods(frame: pl.DataFrame, as_of: date) -> list[Period]:
    """The billing periods wholly inside the data and closed by ``as_of``, oldest first."""
    dates = frame.get_column(Col.CHARGE_DATE).drop_nulls()
    if dates.is_empty():
        return []
    first: date = dates.min()  # type: ignore[assignment]
    last: date = dates.max()  # type: ignore[assignment]
    periods: list[Period] = []
    month = first if first.day == 1 else add_months(first, 1)
    while True:
        period = billing_period(month)
        if period.end >= billing_period(as_of).start or period.end > last:
            return periods
        periods.append(period)
        month = add_months(month, 1)


def backtest(frame: pl.DataFrame, as_of: date, method: str = DEFAULT_METHOD, days: Sequence[int] = BACKTEST_DAYS) -> Backtest:
    """Re-make ``method``'s estimate on ``days`` of every closed period in ``frame`` (one currency)."""
    estimate = METHODS[method]
    charges = daily_charges(frame)
    trials = []
    for period in closed_periods(charges, as_of):
        in_period = charges.filter(pl.col(Col.CHARGE_DATE).is_between(period.start, period.end))
        final = float(in_period.get_column(Col.COST).sum())
        if final == 0:
            continue
        for day in days:
            made_on = period.start + timedelta(days=day - 1)
            if made_on >= period.end:
                continue
            # The estimate reads nothing after ``made_on``: each method bounds its own reading by that day.
            trials.append(Trial(period, day, estimate(charges, period, made_on).total, final))
    return Backtest(method, tuple(trials))


def _both_methods(frame: pl.DataFrame, as_of: date) -> dict[str, Backtest]:
    """``backtest`` of both methods from the view's cost per day, summed once: each trial takes its days from those
    sums (not from the rows again), and the damped trend is built on the weekday average's estimate and the usage it
    read (``_trend_on``), so each trial equals its method's own ``backtest`` trial (but for the order of the sums)."""
    charges = daily_charges(frame)
    totals = cost_per_day(charges)
    usage = daily_usage(charges)
    trials: dict[str, list[Trial]] = {name: [] for name in METHODS}
    for period in closed_periods(charges, as_of):
        final = sum(totals.get(d, 0.0) for d in _days(period.start, period.end))
        if final == 0:
            continue
        for day in BACKTEST_DAYS:
            made_on = period.start + timedelta(days=day - 1)
            if made_on >= period.end:
                continue
            so_far = sum(totals.get(d, 0.0) for d in _days(period.start, made_on))
            read = {d: usage[d] for d in _days(made_on - timedelta(days=LOOKBACK_DAYS - 1), made_on) if d in usage}
            base = estimate_from(so_far, read, period, made_on)
            trials["weekday average"].append(Trial(period, day, base.total, final))
            trials["damped trend"].append(Trial(period, day, _trend_on(base, read).total, final))
    return {name: Backtest(name, tuple(found)) for name, found in trials.items()}


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def best_method(frame: pl.DataFrame, as_of: date) -> tuple[str, dict[str, Backtest]]:
    """The method with the lowest back-tested error (the weekday average when there is nothing to test on or a tie)."""
    tests = _both_methods(frame, as_of)
    scored = {name: t.overall for name, t in tests.items() if t.overall is not None}
    if not scored:
        return DEFAULT_METHOD, tests
    best = min(scored, key=lambda name: (scored[name], name != DEFAULT_METHOD))
    return best, tests


def day_of_period(as_of: date) -> int:
    """The back-test day that describes an estimate made on ``as_of``: the last tried day not after it."""
    day = billing_period(as_of).start
    elapsed = (as_of - day).days + 1
    return max((d for d in BACKTEST_DAYS if d <= elapsed), default=BACKTEST_DAYS[0])
