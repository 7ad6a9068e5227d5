"""The estimate to period end, on frames whose answers are worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from lib.analysis.estimate import estimate_period_end
from lib.core.models import Period
from lib.core.schema import Col
from tests.factories import days, frame

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def weekday_rhythm(start: date, end: date, weekday_cost: float = 10.0, weekend_cost: float = 4.0) -> list[dict[str, object]]:
    return [{Col.CHARGE_DATE: d, Col.COST: weekend_cost if d.weekday() >= 5 else weekday_cost} for d in days(start, end)]


def test_estimate_uses_same_weekday_average_and_skips_one_off_charges() -> None:
    """It extrapolates weekday and weekend costs separately and never repeats a purchase."""
    rows = weekday_rhythm(date(2026, 10, 1), date(2026, 11, 26))
    rows.append({Col.CHARGE_DATE: date(2026, 11, 3), Col.COST: 100.0, Col.CHARGE_TYPE: "Purchase"})
    estimate = estimate_period_end(frame(rows), NOVEMBER, date(2026, 11, 26))
    # 1–26 Nov 2026: 19 weekdays × 10 + 7 weekend days × 4 + the 100 purchase.
    assert estimate.cost_so_far == pytest.approx(318.0)
    # 27 Fri 10, 28 Sat 4, 29 Sun 4, 30 Mon 10.
    assert estimate.estimated_rest == pytest.approx(28.0)
    assert estimate.total == pytest.approx(346.0)
    assert "weekday" in estimate.method


def test_estimate_with_short_history_uses_plain_daily_average() -> None:
    """It falls back to the mean of the days there are when less than a week exists."""
    rows = [{Col.CHARGE_DATE: date(2026, 11, d), Col.COST: c} for d, c in [(1, 3.0), (2, 5.0), (3, 7.0)]]
    estimate = estimate_period_end(frame(rows), NOVEMBER, date(2026, 11, 3))
    assert estimate.cost_so_far == pytest.approx(15.0)
    assert estimate.estimated_rest == pytest.approx(5.0 * 27)
    assert "daily average" in estimate.method


def test_estimate_on_last_day_has_nothing_left() -> None:
    """It estimates no rest when the period ends on the day of the estimate."""
    rows = weekday_rhythm(date(2026, 11, 1), date(2026, 11, 30))
    estimate = estimate_period_end(frame(rows), NOVEMBER, date(2026, 11, 30))
    assert estimate.estimated_rest == 0.0
    assert estimate.total == pytest.approx(estimate.cost_so_far)


def test_estimate_counts_missing_days_as_zero() -> None:
    """It treats a day without rows inside the look-back as a day that cost nothing."""
    rows = [{Col.CHARGE_DATE: d, Col.COST: 7.0} for d in days(date(2026, 10, 1), date(2026, 11, 26)) if d != date(2026, 11, 20)]
    estimate = estimate_period_end(frame(rows), NOVEMBER, date(2026, 11, 26))
    # Fridays in the 28 days to 26 Nov: 30 Oct, 6, 13, 20 Nov; 20 Nov is missing → (7+7+7+0)/4.
    friday, other = 21.0 / 4, 7.0
    assert estimate.estimated_rest == pytest.approx(friday + 3 * other)
