"""Anomalies on small hand-worked frames: one rule per test, expected values worked out by hand.

The series used most: 100 a weekday and 50 a weekend day, no noise. Its weekday factors are
100/(600/7) and 50/(600/7), its level 600/7, so a weekday is expected at exactly 100 and a weekend
day at 50. With no noise the spread is the floor (2 %), so at the default sensitivity (4.5) a
weekday's band is 100 ± 9 and a weekend day's 50 ± 4.5 (the material floor, 1, is smaller).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.analysis import anomalies
from lib.analysis.anomalies import OTHER_CONTRIBUTORS, find_anomalies, group_by_of
from lib.core.schema import Col, conform

START = date(2026, 6, 1)  # a Monday
WEEKS = 8
DAYS = 7 * WEEKS
LAST = START + timedelta(days=DAYS - 1)
SETTLED = LAST + timedelta(days=2)  # as_of at which every day of the frame is settled


def rhythm(day: date, weekday: float = 100.0, weekend: float = 50.0) -> float:
    return weekend if day.weekday() >= 5 else weekday


def rows_of(costs: dict[tuple[str, str], dict[date, float]], charge_type: str = "Usage") -> list[dict[str, object]]:
    """Rows from {(service, resource): {day: cost}}."""
    return [
        {"day": day, "service": service, "resource": resource, "cost": cost, "charge_type": charge_type}
        for (service, resource), per_day in costs.items()
        for day, cost in per_day.items()
    ]


def canonical(rows: list[dict[str, object]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows, schema={"day": pl.Date, "service": pl.String, "resource": pl.String, "cost": pl.Float64, "charge_type": pl.String}
    )
    return conform(
        frame.select(
            pl.col("day").alias(Col.CHARGE_DATE),
            pl.col("day").dt.month_start().alias(Col.BILLING_PERIOD_START),
            pl.lit("EUR").alias(Col.BILLING_CURRENCY),
            pl.col("cost").alias(Col.COST),
            pl.col("service").alias(Col.SERVICE),
            pl.col("resource").alias(Col.RESOURCE_ID),
            pl.lit("meter").alias(Col.METER),
            pl.col("charge_type").alias(Col.CHARGE_TYPE),
        )
    )


def steady(days: int = DAYS, **changes: float) -> dict[date, float]:
    """The 100/50 series, with some days' costs replaced (``d2026_07_08=300``)."""
    series = {START + timedelta(days=n): rhythm(START + timedelta(days=n)) for n in range(days)}
    for name, cost in changes.items():
        series[date.fromisoformat(name[1:].replace("_", "-"))] = cost
    return series


def test_a_steady_weekly_rhythm_raises_nothing() -> None:
    """Quiet weekends are the series' rhythm, not drops."""
    found = find_anomalies(canonical(rows_of({("Storage", "r1"): steady()})), Col.SERVICE, SETTLED)
    assert found.anomalies == ()
    assert found.settled_until == LAST


def test_a_spike_is_one_anomaly_with_its_expected_range() -> None:
    """Wednesday 2026-07-08 at 300 instead of 100: impact 200, expected range 91 to 109."""
    found = find_anomalies(canonical(rows_of({("Storage", "r1"): steady(d2026_07_08=300.0)})), Col.SERVICE, SETTLED)
    assert len(found.anomalies) == 1
    spike = found.anomalies[0]
    assert (spike.day, spike.kind, spike.value, spike.dimension) == (date(2026, 7, 8), "spike", "Storage", "service")
    assert spike.cost == pytest.approx(300.0)
    assert spike.expected == pytest.approx(100.0)
    assert spike.impact == pytest.approx(200.0)
    assert (spike.expected_low, spike.expected_high) == (pytest.approx(91.0), pytest.approx(109.0))
    assert spike.last_day == date(2026, 7, 8)


def test_purchase_and_refund_rows_never_raise_a_flag() -> None:
    """A reservation bought for 5,000 and a refund of 3,000 on two weekdays: no anomaly."""
    usage = rows_of({("Storage", "r1"): steady()})
    one_offs = rows_of({("Storage", "reservation"): {date(2026, 7, 8): 5000.0}}, "Purchase")
    one_offs += rows_of({("Storage", "reservation"): {date(2026, 7, 15): -3000.0}}, "Refund")
    found = find_anomalies(canonical(usage + one_offs), Col.SERVICE, SETTLED)
    assert found.anomalies == ()


def test_a_purchase_on_a_spike_day_does_not_mask_it() -> None:
    """A refund of 200 on the day usage went from 100 to 300: the spike is still found, at its usage cost."""
    usage = rows_of({("Storage", "r1"): steady(d2026_07_08=300.0)})
    refund = rows_of({("Storage", "reservation"): {date(2026, 7, 8): -200.0}}, "Refund")
    found = find_anomalies(canonical(usage + refund), Col.SERVICE, SETTLED)
    assert [(a.day, a.cost) for a in found.anomalies] == [(date(2026, 7, 8), pytest.approx(300.0))]


def test_a_level_shift_is_one_anomaly_at_its_first_day() -> None:
    """From Wednesday 2026-07-08 the series doubles (200/100) and stays: one "increase", not a fortnight of flags.

    Its total impact is the extra over the old rhythm to the last day: 13 weekdays x 100 + 6 weekend days x 50 = 1,600
    (2026-07-08, a Wednesday, to Sunday 2026-07-26 holds 13 weekdays and 6 weekend days).
    """
    shifted = {d: (2 * c if d >= date(2026, 7, 8) else c) for d, c in steady().items()}
    found = find_anomalies(canonical(rows_of({("Storage", "r1"): shifted})), Col.SERVICE, SETTLED)
    assert len(found.anomalies) == 1
    shift = found.anomalies[0]
    assert (shift.day, shift.kind, shift.last_day) == (date(2026, 7, 8), "increase", LAST)
    assert shift.impact == pytest.approx(100.0)
    assert shift.total_impact == pytest.approx(13 * 100 + 6 * 50)


def test_a_drop_of_two_days_is_one_anomaly() -> None:
    """An outage on Tuesday and Wednesday (cost 0), then back to normal: one "drop" over both days."""
    found = find_anomalies(canonical(rows_of({("Storage", "r1"): steady(d2026_07_07=0.0, d2026_07_08=0.0)})), Col.SERVICE, SETTLED)
    assert [(a.day, a.kind, a.last_day) for a in found.anomalies] == [(date(2026, 7, 7), "drop", date(2026, 7, 8))]
    assert found.anomalies[0].impact == pytest.approx(-100.0)
    assert found.anomalies[0].total_impact == pytest.approx(-200.0)


def test_a_resource_that_stops_is_one_anomaly() -> None:
    """A service with no cost from Monday 2026-07-06 on: one "stop" on that day."""
    stopped = {d: c for d, c in steady().items() if d < date(2026, 7, 6)}
    other = {d: 1000.0 for d in steady()}  # keeps the data running to the last day
    found = find_anomalies(canonical(rows_of({("Storage", "r1"): stopped, ("Compute", "vm"): other})), Col.SERVICE, SETTLED)
    assert [(a.value, a.day, a.kind) for a in found.anomalies] == [("Storage", date(2026, 7, 6), "stop")]


def test_a_service_that_starts_is_one_anomaly() -> None:
    """A service first charged on Monday 2026-07-06 (300 a day) beside a steady one: one "start"."""
    new = {d: 300.0 for d in steady() if d >= date(2026, 7, 6)}
    other = {d: 1000.0 for d in steady()}
    found = find_anomalies(canonical(rows_of({("AI", "model"): new, ("Compute", "vm"): other})), Col.SERVICE, SETTLED)
    assert [(a.value, a.day, a.kind) for a in found.anomalies] == [("AI", date(2026, 7, 6), "start")]
    assert found.anomalies[0].impact == pytest.approx(300.0)


def test_contributors_excess_adds_up_to_the_impact() -> None:
    """Before: r1 60 and r2 40 a weekday. On 2026-07-08: r1 160, r2 40, and a new r3 at 50.

    The expected 100 is shared 60/40 by what each cost on the four Wednesdays before:
    r1 160 - 60 = +100, r3 50 - 0 = +50, r2 40 - 40 = 0; together +150 = 250 - 100.
    """
    r1 = {d: 0.6 * c for d, c in steady().items()}
    r2 = {d: 0.4 * c for d, c in steady().items()}
    r1[date(2026, 7, 8)] = 160.0
    costs = {("Storage", "r1"): r1, ("Storage", "r2"): r2, ("Storage", "r3"): {date(2026, 7, 8): 50.0}}
    found = find_anomalies(canonical(rows_of(costs)), Col.SERVICE, SETTLED)
    (anomaly,) = found.anomalies
    assert anomaly.impact == pytest.approx(150.0)
    excess = {c.resource: c.excess for c in anomaly.contributors}
    assert excess == {"r1": pytest.approx(100.0), "r3": pytest.approx(50.0), "r2": pytest.approx(0.0)}
    assert [c.resource for c in anomaly.contributors] == ["r1", "r3", "r2"]  # largest excess first


def test_contributors_beyond_the_top_five_are_one_line() -> None:
    """Seven resources of 10 a day each, all tripled on one day: five named, the other two as one line of +40."""
    per = {("Storage", f"r{i}"): {d: c / 10 for d, c in steady().items()} for i in range(10)}
    for i in range(7):
        per[("Storage", f"r{i}")][date(2026, 7, 8)] = 30.0
    found = find_anomalies(canonical(rows_of(per)), Col.SERVICE, SETTLED)
    (anomaly,) = found.anomalies
    assert len(anomaly.contributors) == 6
    assert anomaly.contributors[-1].resource == OTHER_CONTRIBUTORS
    assert sum(c.excess for c in anomaly.contributors) == pytest.approx(anomaly.impact) == pytest.approx(140.0)
    assert anomaly.contributors[-1].excess == pytest.approx(40.0)  # r5, r6 (+20 each), r7-r9 (0)


def test_the_last_unsettled_days_are_provisional_not_flagged() -> None:
    """With as_of the day after the last data day, a spike on the last day is provisional only."""
    found = find_anomalies(canonical(rows_of({("Storage", "r1"): steady(d2026_07_26=300.0)})), Col.SERVICE, LAST + timedelta(days=1))
    assert found.anomalies == ()
    assert found.settled_until == LAST - timedelta(days=1)
    assert [(p.day, p.cost) for p in found.provisional] == [(LAST, 300.0)]


@pytest.mark.parametrize(
    ("sensitivity", "flagged"),
    [("high", [True, True]), ("normal", [True, False]), ("low", [False, False])],
)
def test_sensitivity_sets_the_band(sensitivity: str, flagged: list[bool]) -> None:
    """Weekday bands 100 ± 6 (high), ± 9 (normal), ± 12 (low): a day at 110 and one at 107, weeks apart."""
    frame = canonical(rows_of({("Storage", "r1"): steady(d2026_07_01=110.0, d2026_07_15=107.0)}))
    found = find_anomalies(frame, Col.SERVICE, SETTLED, sensitivity=sensitivity)
    days = {a.day for a in found.anomalies}
    assert [date(2026, 7, 1) in days, date(2026, 7, 15) in days] == flagged


def test_marked_as_expected_is_kept_apart() -> None:
    frame = canonical(rows_of({("Storage", "r1"): steady(d2026_07_08=300.0)}))
    key = find_anomalies(frame, Col.SERVICE, SETTLED).anomalies[0].key
    found = find_anomalies(frame, Col.SERVICE, SETTLED, expected_keys=frozenset({key}))
    assert found.open == ()
    assert [a.key for a in found.marked] == [key]
    assert found.as_dict()["anomalies"] == []


def test_period_bounds_limit_what_is_reported_not_what_is_learned() -> None:
    frame = canonical(rows_of({("Storage", "r1"): steady(d2026_07_08=300.0)}))
    assert find_anomalies(frame, Col.SERVICE, SETTLED, first_day=date(2026, 7, 9)).anomalies == ()
    assert len(find_anomalies(frame, Col.SERVICE, SETTLED, first_day=date(2026, 7, 8), last_day=date(2026, 7, 8)).anomalies) == 1


def test_dimension_names() -> None:
    assert group_by_of("service") == Col.SERVICE
    assert group_by_of("subscription") == Col.SUBSCRIPTION_NAME
    assert group_by_of("tag:env") == "tag:env"
    with pytest.raises(ValueError, match="unknown dimension"):
        group_by_of("colour")


def test_unknown_sensitivity_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown sensitivity"):
        find_anomalies(canonical(rows_of({("Storage", "r1"): steady()})), Col.SERVICE, SETTLED, sensitivity="extreme")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.lists(st.floats(20, 200), min_size=3, max_size=3),
    noise=st.lists(st.floats(0.9, 1.1), min_size=DAYS, max_size=DAYS),
    bumps=st.lists(st.tuples(st.integers(28, DAYS - 1), st.integers(0, 2), st.floats(0, 400)), max_size=4),
    one_offs=st.lists(st.tuples(st.integers(0, DAYS - 1), st.floats(-5000, 5000)), max_size=4),
)
def test_properties_one_offs_change_nothing_and_contributors_add_up(
    base: list[float], noise: list[float], bumps: list[tuple[int, int, float]], one_offs: list[tuple[int, float]]
) -> None:
    """On any three-resource series: purchase/refund rows never change the findings, and each anomaly's
    contributors' excess adds up to its impact."""
    costs: dict[tuple[str, str], dict[date, float]] = {}
    for r, level in enumerate(base):
        costs[("Storage", f"r{r}")] = {
            START + timedelta(days=n): level * noise[n] * rhythm(START + timedelta(days=n), 1.0, 0.5) for n in range(DAYS)
        }
    for day, r, extra in bumps:
        costs[("Storage", f"r{r}")][START + timedelta(days=day)] += extra
    usage = rows_of(costs)
    charges = [
        {
            "day": START + timedelta(days=d),
            "service": "Storage",
            "resource": "res",
            "cost": c,
            "charge_type": "Purchase" if c > 0 else "Refund",
        }
        for d, c in one_offs
    ]
    plain = find_anomalies(canonical(usage), Col.SERVICE, SETTLED)
    with_charges = find_anomalies(canonical(usage + charges), Col.SERVICE, SETTLED)
    assert [a.as_dict() for a in plain.anomalies] == [a.as_dict() for a in with_charges.anomalies]
    for anomaly in plain.anomalies:
        assert sum(c.excess for c in anomaly.contributors) == pytest.approx(anomaly.impact, abs=1e-6)
        assert sum(c.cost for c in anomaly.contributors) == pytest.approx(anomaly.cost, abs=1e-6)


# --- the walk's small statistics, against numpy's own ----------------------------------------------------------------

costs_lists = st.lists(st.one_of(st.just(0.0), st.floats(-50, 500, allow_nan=False)), min_size=1, max_size=63)


@settings(max_examples=300, deadline=None)
@given(costs=costs_lists, first_weekday=st.integers(0, 6))
def test_the_walks_weekday_factors_level_and_spread_are_numpys_medians(costs: list[float], first_weekday: int) -> None:
    """The walk computes these for every day of every series, so they avoid numpy's wrappers; they must still be
    exactly what ``np.median`` and ``mean`` give."""
    values = np.array(costs)
    weekdays = (np.arange(len(values)) + first_weekday) % 7
    before = values.copy()
    weeks = len(values) // 7
    expected_factors = None
    if weeks >= 2 and values.any():
        last_weeks = values[len(values) - 7 * weeks :].reshape(weeks, 7)
        medians = np.median(last_weeks, axis=0)
        if medians.mean() > 0:
            expected_factors = np.empty(7)
            expected_factors[weekdays[len(values) - 7 * weeks :][:7]] = medians / medians.mean()
    factors = anomalies._factors(values, weekdays)
    if expected_factors is None:
        assert factors is None
    else:
        assert factors is not None and np.array_equal(factors, expected_factors)
    for used in ([1.0] * 7, [f if f > 0 else 0.0 for f in (factors if factors is not None else [0.5, 1, 1, 1, 1, 1, 1.5])]):
        f = np.array(used)[weekdays]
        plain = values[f > 0] / f[f > 0]
        level, spread = anomalies._level_and_spread(values, weekdays, np.array(used))
        if not (f > 0).any():
            assert (level, spread) == (0.0, None)
            continue
        expected_level = float(np.median(plain))
        assert level == max(expected_level, 0.0)
        if expected_level > 0 and len(plain) >= 7:
            assert spread == 1.4826 * float(np.median(np.abs(plain / expected_level - 1.0)))
        else:
            assert spread is None
    assert np.array_equal(values, before)  # the series itself is never sorted in place
