"""Back-testing the estimate on hand-worked frames."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lib.analysis.backtest import backtest, best_method, closed_periods, day_of_period, trend_estimate
from lib.analysis.estimate import estimate_period_end
from lib.core.models import Period
from lib.core.schema import Col
from tests.factories import days, frame

FEBRUARY = Period(date(2026, 2, 1), date(2026, 2, 28))


def step_in_february() -> list[dict[str, object]]:
    """10 a day from 1 Jan to 10 Mar 2026, except 15-28 Feb at 20 a day."""
    return [
        {Col.CHARGE_DATE: d, Col.COST: 20.0 if date(2026, 2, 15) <= d <= date(2026, 2, 28) else 10.0}
        for d in days(date(2026, 1, 1), date(2026, 3, 10))
    ]


def test_closed_periods_are_whole_months_before_the_open_one() -> None:
    rows = frame(step_in_february())
    assert [p.start for p in closed_periods(rows, date(2026, 3, 10))] == [date(2026, 1, 1), date(2026, 2, 1)]
    late_start = frame([r for r in step_in_february() if r[Col.CHARGE_DATE] >= date(2026, 1, 15)])  # type: ignore[operator]
    assert [p.start for p in closed_periods(late_start, date(2026, 3, 10))] == [date(2026, 2, 1)]


def test_backtest_arithmetic() -> None:
    """February's final total is 14 x 10 + 14 x 20 = 420.

    Made on day 3, 7 or 14, the weekday average has seen only days at 10: so far 10 a day plus 10 a day for
    the rest, 280 (error -1/3). Made on day 21: so far 14 x 10 + 7 x 20 = 280; each weekday's mean over the
    last 28 days is (3 x 10 + 20) / 4 = 12.5, so the rest is 7 x 12.5 = 87.5: 367.5 (error -0.125). Day 28 is
    February's last day: nothing left to estimate, no trial. January is flat at 10: every error 0.
    """
    test = backtest(frame(step_in_february()), date(2026, 3, 10), "weekday average")
    february = {t.day: t for t in test.trials if t.period == FEBRUARY}
    assert sorted(february) == [3, 7, 14, 21]
    assert february[7].final == pytest.approx(420.0)
    assert [february[d].estimate for d in (3, 7, 14, 21)] == [pytest.approx(280.0)] * 3 + [pytest.approx(367.5)]
    assert february[21].error == pytest.approx(-0.125)
    assert all(t.error == pytest.approx(0.0) for t in test.trials if t.period != FEBRUARY)
    assert test.typical_error(7) == pytest.approx(1 / 6)  # median of 0 (January) and 1/3 (February)
    assert test.typical_error(21) == pytest.approx(0.0625)
    assert test.typical_error(28) == pytest.approx(0.0)  # January only
    assert test.periods == 2
    assert test.overall == pytest.approx(0.0)  # nine trials, five of them exact


def test_the_trend_follows_a_ramp_better_than_the_weekday_average() -> None:
    """Cost growing by 1 a day: the weekday average lags behind; the damped trend comes closer to the final total."""
    rows = [{Col.CHARGE_DATE: d, Col.COST: 100.0 + n} for n, d in enumerate(days(date(2026, 1, 1), date(2026, 3, 10)))]
    as_of = date(2026, 2, 14)
    final = sum(100.0 + n for n, d in enumerate(days(date(2026, 1, 1), date(2026, 3, 10))) if d.month == 2)
    data = frame([r for r in rows if r[Col.CHARGE_DATE] <= as_of])  # type: ignore[operator]
    plain = estimate_period_end(data, FEBRUARY, as_of).total
    trend = trend_estimate(data, FEBRUARY, as_of).total
    assert plain < trend < final + 1
    assert abs(trend - final) < abs(plain - final)


def test_on_a_flat_series_both_methods_agree() -> None:
    rows = frame([{Col.CHARGE_DATE: d, Col.COST: 10.0} for d in days(date(2026, 1, 1), date(2026, 2, 10))])
    assert trend_estimate(rows, FEBRUARY, date(2026, 2, 10)).total == pytest.approx(280.0)
    assert estimate_period_end(rows, FEBRUARY, date(2026, 2, 10)).total == pytest.approx(280.0)


def test_best_method_is_the_weekday_average_without_closed_periods() -> None:
    rows = frame([{Col.CHARGE_DATE: d, Col.COST: 10.0} for d in days(date(2026, 2, 1), date(2026, 2, 10))])
    method, tests = best_method(rows, date(2026, 2, 10))
    assert method == "weekday average"
    assert all(t.overall is None for t in tests.values())


def test_best_method_picks_the_lower_error() -> None:
    """On a steady ramp the trend's back-tested error is lower, so it is chosen."""
    rows = frame([{Col.CHARGE_DATE: d, Col.COST: 100.0 + n} for n, d in enumerate(days(date(2025, 12, 1), date(2026, 3, 10)))])
    method, tests = best_method(rows, date(2026, 3, 10))
    assert method == "damped trend"
    assert tests["damped trend"].overall < tests["weekday average"].overall  # type: ignore[operator]


@pytest.mark.parametrize(("day", "expected"), [(1, 3), (3, 3), (6, 3), (7, 7), (20, 14), (27, 21), (31, 28)])
def test_day_of_period(day: int, expected: int) -> None:
    assert day_of_period(date(2026, 1, 1) + timedelta(days=day - 1)) == expected
