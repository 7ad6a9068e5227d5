"""Budgets: the saved file, and the spend, estimate and breach date worked out by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.analysis import budgets
from lib.analysis.budgets import Budget, BudgetError, budget_period, crossing_days, status
from lib.core.models import Period
from lib.core.schema import Col
from tests.factories import days, frame

AS_OF = date(2026, 11, 10)


def flat(cost: float = 100.0, service: str = "Storage") -> list[dict[str, object]]:
    return [{Col.CHARGE_DATE: d, Col.COST: cost, Col.SERVICE: service} for d in days(date(2026, 9, 1), AS_OF)]


def test_breach_date_of_a_flat_spend() -> None:
    """100 a day against 2,000 a month: 1,000 spent by 10 Nov, 3,000 estimated; 1,000 (50 %) reached on
    10 Nov, 1,600 (80 %) on 16 Nov and 2,000 (100 %) on 20 Nov."""
    found = status(frame(flat()), Budget("storage", 2000.0, "EUR"), AS_OF)
    assert found.spent == pytest.approx(1000.0)
    assert found.estimate_total == pytest.approx(3000.0)
    assert found.threshold_days == {0.5: date(2026, 11, 10), 0.8: date(2026, 11, 16), 1.0: date(2026, 11, 20)}
    assert found.breach_day == date(2026, 11, 20)
    assert found.used == pytest.approx(0.5)


def test_a_budget_out_of_reach_has_no_breach_date() -> None:
    found = status(frame(flat()), Budget("big", 10_000.0, "EUR"), AS_OF)
    assert found.estimate_total == pytest.approx(3000.0)
    assert found.breach_day is None
    assert found.threshold_days[0.5] is None  # 5,000 is not reached either


def test_filters_and_currency_choose_the_rows() -> None:
    """Storage 100 a day and Compute 50 a day; a Compute budget of 1,000 sees 500 spent and is reached on 20 Nov."""
    rows = frame(flat() + flat(50.0, "Compute") + [{Col.CHARGE_DATE: AS_OF, Col.COST: 999.0, Col.BILLING_CURRENCY: "USD"}])
    found = status(rows, Budget("compute", 1000.0, "EUR", {"service": ("Compute",)}), AS_OF)
    assert found.spent == pytest.approx(500.0)
    assert found.breach_day == date(2026, 11, 20)


def test_a_purchase_counts_in_the_spend_but_is_not_repeated() -> None:
    """A 1,500 purchase on 2 Nov: 2,500 spent by 10 Nov. The running total is 100 + 100 + 1,500 = 1,700 on 2 Nov
    (80 % = 1,600 reached) and 2,000 on 5 Nov (100 %)."""
    rows = frame([*flat(), {Col.CHARGE_DATE: date(2026, 11, 2), Col.COST: 1500.0, Col.CHARGE_TYPE: "Purchase"}])
    found = status(rows, Budget("storage", 2000.0, "EUR"), AS_OF)
    assert found.spent == pytest.approx(2500.0)
    assert found.estimate_total == pytest.approx(4500.0)  # the rest is 20 days x 100: the purchase is not extrapolated
    assert found.threshold_days[0.8] == date(2026, 11, 2)  # 1,700 >= 1,600
    assert found.breach_day == date(2026, 11, 5)


def test_a_quarterly_budget_crosses_in_the_second_month() -> None:
    """100 a day from 1 Sep to 20 Oct against 4,950 a quarter (Q4: 1 Oct to 31 Dec, 92 days): 2,000 spent by 20 Oct,
    9,200 estimated. 50 % (2,475) on day 25 = 25 Oct; 80 % (3,960) on day 40 = 9 Nov (31 days of October + 9);
    100 % (4,950) on day 50 = 19 Nov."""
    as_of = date(2026, 10, 20)
    rows = frame([{Col.CHARGE_DATE: d, Col.COST: 100.0} for d in days(date(2026, 9, 1), as_of)])
    found = status(rows, Budget("quarter", 4950.0, "EUR", time_grain="quarterly"), as_of)
    assert found.period == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert found.spent == pytest.approx(2000.0)
    assert found.estimate_total == pytest.approx(9200.0)
    assert found.threshold_days == {0.5: date(2026, 10, 25), 0.8: date(2026, 11, 9), 1.0: date(2026, 11, 19)}


def test_an_annual_budget_that_is_never_crossed() -> None:
    """100 a day through 2026 up to 20 Oct (day 293) against 39,900 a year: 29,300 spent, 36,500 estimated (365 days).
    50 % (19,950) on day 200 = 19 Jul; 80 % (31,920) on day 320 = 16 Nov (31 October is day 304); 100 % never."""
    as_of = date(2026, 10, 20)
    rows = frame([{Col.CHARGE_DATE: d, Col.COST: 100.0} for d in days(date(2026, 1, 1), as_of)])
    found = status(rows, Budget("year", 39_900.0, "EUR", time_grain="annually"), as_of)
    assert found.period == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert found.spent == pytest.approx(29_300.0)
    assert found.estimate_total == pytest.approx(36_500.0)
    assert found.threshold_days == {0.5: date(2026, 7, 19), 0.8: date(2026, 11, 16), 1.0: None}


def test_a_start_date_inside_the_quarter_and_an_ended_budget() -> None:
    """Azure's budgets evaluate cost from their start date on and stop at their end date."""
    started = Budget("q", 1.0, "EUR", time_grain="quarterly", start=date(2026, 11, 1))
    assert budget_period(started, date(2026, 11, 10)) == Period(date(2026, 11, 1), date(2026, 12, 31))
    assert budget_period(started, date(2026, 10, 10)) is None  # not started yet
    ended = Budget("y", 1.0, "EUR", time_grain="annually", end=date(2026, 6, 30))
    assert budget_period(ended, date(2026, 3, 1)) == Period(date(2026, 1, 1), date(2026, 6, 30))
    assert budget_period(ended, date(2026, 7, 1)) is None
    with pytest.raises(BudgetError, match="not running"):
        status(frame(flat()), ended, date(2026, 7, 1))


@given(st.lists(st.floats(0, 1000), min_size=1, max_size=40), st.floats(1, 20_000))
def test_crossing_days_are_first_days_in_threshold_order(daily: list[float], amount: float) -> None:
    day_list = [date(2026, 1, 1) + (date(2026, 1, 2) - date(2026, 1, 1)) * n for n in range(len(daily))]
    found = crossing_days(day_list, daily, amount, (0.5, 0.8, 1.0))
    reached = [found[t] for t in (0.5, 0.8, 1.0)]
    known = [d for d in reached if d is not None]
    assert known == sorted(known)
    for threshold, day in found.items():
        if day is not None:
            index = day_list.index(day)
            assert sum(daily[: index + 1]) >= threshold * amount - 1e-6
            assert sum(daily[:index]) < threshold * amount
        else:
            assert sum(daily) < threshold * amount


def test_the_file_round_trips_and_is_exportable(tmp_path: Path) -> None:
    path = tmp_path / "budgets.json"
    assert budgets.load(path) == []
    saved = [Budget("rg-ml", 5000.0, "EUR", {"resource_group": ("rg-ml",)}), Budget("all", 20_000.0, "USD")]
    budgets.save(path, saved)
    assert budgets.load(path) == saved
    assert budgets.parse(budgets.dumps(saved)) == saved
    assert '"time_grain": "monthly"' in path.read_text()
    quarterly = [Budget("q", 9000.0, "EUR", time_grain="quarterly"), Budget("y", 30_000.0, "EUR", time_grain="annually")]
    budgets.save(path, quarterly)
    assert budgets.load(path) == quarterly


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"budgets": {}}', "must hold"),
        ('{"budgets": [{"name": "x", "amount": -1, "currency": "EUR"}]}', "positive number"),
        ('{"budgets": [{"name": "x", "amount": 1, "currency": "euro"}]}', "three-letter"),
        ('{"budgets": [{"name": "x", "amount": 1, "currency": "EUR", "filters": {"colour": ["red"]}}]}', "filters may name"),
        ('{"budgets": [{"name": "x", "amount": 1, "currency": "EUR", "time_grain": "weekly"}]}', "time grain must be one of"),
        ('{"budgets": [{"name": "x", "amount": 1, "currency": "EUR"}, {"name": "x", "amount": 2, "currency": "EUR"}]}', "same name"),
    ],
)
def test_a_bad_file_gives_a_clear_message_and_is_left_alone(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "budgets.json"
    path.write_text(text)
    with pytest.raises(BudgetError, match=message):
        budgets.load(path)
    assert path.read_text() == text


def test_the_path_setting_and_one_file_per_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = {"AZDASH_BUDGETS": str(tmp_path / "team.json")}
    assert budgets.budgets_path(None, given) == tmp_path / "team.json"
    alice, bob = budgets.budgets_path("alice-oid", given), budgets.budgets_path("bob-oid", given)
    assert alice.parent == tmp_path and alice != bob and "alice" not in alice.name
    monkeypatch.setenv("AZDASH_CACHE_DIR", str(tmp_path / "cache"))
    assert budgets.budgets_path(None, {}) == tmp_path / "cache" / "budgets.json"
