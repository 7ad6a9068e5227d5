"""The estimate to period end, computed the way a FinOps analyst would by hand.

Each remaining day of the open period is estimated as the average cost of the same weekday over
the last four weeks of usage (so weekends stay cheaper); one-off charges such as reservation
purchases and refunds are not extrapolated. With less than a week of history, the plain daily
average is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from lib.core.models import Period
from lib.core.schema import Col

LOOKBACK_DAYS = 28
ONE_OFF_CHARGE_TYPES = ("Purchase", "Refund")


@dataclass(frozen=True)
class Estimate:
    """Cost so far in an open period and its estimated rest."""

    period: Period
    last_data_day: date
    cost_so_far: float
    estimated_rest: float
    method: str

    @property
    def total(self) -> float:
        """Estimated cost at period end."""
        return self.cost_so_far + self.estimated_rest


def cost_per_day(frame: pl.DataFrame) -> dict[date, float]:
    """Cost per charge day (days without rows left out)."""
    daily = frame.group_by(Col.CHARGE_DATE).agg(pl.col(Col.COST).sum())
    return dict(zip(daily.get_column(Col.CHARGE_DATE).to_list(), daily.get_column(Col.COST).to_list(), strict=True))


def daily_usage(frame: pl.DataFrame) -> dict[date, float]:
    """Recurring (non one-off) cost per day."""
    return cost_per_day(frame.filter(~pl.col(Col.CHARGE_TYPE).is_in(ONE_OFF_CHARGE_TYPES)))


def estimate_period_end(frame: pl.DataFrame, period: Period, as_of: date) -> Estimate:
    """Estimate the open ``period``'s cost at its end from ``frame`` (one currency) up to ``as_of``.

    Args:
        frame: canonical rows, already filtered, in a single currency, covering at least the
            four weeks before ``as_of`` when available.
        period: the open billing period.
        as_of: the day the estimate is made; days after it count as remaining.
    """
    return estimate_and_usage(frame, period, as_of)[0]


def estimate_and_usage(frame: pl.DataFrame, period: Period, as_of: date) -> tuple[Estimate, dict[date, float]]:
    """``estimate_period_end`` and the recurring cost per day of the ``LOOKBACK_DAYS`` it read (up to its last day),
    for an estimate built on the same days (``lib.analysis.backtest``), which then need not read them again."""
    last_day = min(as_of, period.end)
    cost_so_far = float(frame.filter(pl.col(Col.CHARGE_DATE).is_between(period.start, last_day)).get_column(Col.COST).sum())
    history_start = last_day - timedelta(days=LOOKBACK_DAYS - 1)
    per_day = daily_usage(frame.filter(pl.col(Col.CHARGE_DATE).is_between(history_start, last_day)))
    return estimate_from(cost_so_far, per_day, period, last_day), per_day


def estimate_from(cost_so_far: float, per_day: dict[date, float], period: Period, last_day: date) -> Estimate:
    """The estimate made on ``last_day`` from the period's cost so far and the recurring cost per day of the
    ``LOOKBACK_DAYS`` up to ``last_day`` (days without recurring rows left out)."""
    remaining = [last_day + timedelta(days=n) for n in range(1, (period.end - last_day).days + 1)]
    history_start = last_day - timedelta(days=LOOKBACK_DAYS - 1)
    first_seen = min(per_day, default=last_day)
    history = {d: per_day.get(d, 0.0) for d in (history_start + timedelta(days=n) for n in range(LOOKBACK_DAYS)) if d >= first_seen}
    if len(history) >= 7:
        by_weekday: dict[int, list[float]] = {}
        for day, cost in history.items():
            by_weekday.setdefault(day.weekday(), []).append(cost)
        means = {wd: sum(v) / len(v) for wd, v in by_weekday.items()}
        rest = sum(means[d.weekday()] for d in remaining)
        method = f"average of the same weekday over the last {len(history)} days"
    else:
        mean = sum(history.values()) / len(history) if history else 0.0
        rest = mean * len(remaining)
        method = f"daily average over the last {len(history)} days"
    return Estimate(period, last_day, cost_so_far, rest, method)
