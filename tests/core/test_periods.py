"""Billing periods and period choices, for any 'today'."""

from __future__ import annotations

from datetime import date

import pytest

from lib.core.models import Period
from lib.core.periods import (
    PeriodKind,
    add_months,
    billing_periods,
    data_period_choices,
    last_period_open,
    parse_period_key,
    period_choices,
    period_label,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 26), -6, date(2026, 5, 1)),
        (date(2026, 1, 31), -1, date(2025, 12, 1)),
        (date(2026, 12, 5), 1, date(2027, 1, 1)),
        (date(2024, 3, 31), -1, date(2024, 2, 1)),
    ],
)
def test_add_months_crosses_years(day: date, months: int, expected: date) -> None:
    """It moves whole months, landing on the first day."""
    assert add_months(day, months) == expected


def test_billing_periods_are_six_closed_and_the_open_one() -> None:
    """It lists seven calendar months, the open one last, leap February included."""
    periods = billing_periods(date(2024, 7, 10))
    assert len(periods) == 7
    assert periods[0] == Period(date(2024, 1, 1), date(2024, 1, 31))
    assert periods[1] == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert periods[-1] == Period(date(2024, 7, 1), date(2024, 7, 31))


def test_period_choices_offer_mtd_history_and_each_closed_period() -> None:
    """It offers month to date first (the default: the period the headline describes), the billing history, last 30
    days and six closed periods."""
    choices = period_choices(date(2026, 11, 26))
    assert [c.key for c in choices[:3]] == ["mtd", "history", "last30"]
    assert choices[0].period == Period(date(2026, 11, 1), date(2026, 11, 26))
    assert choices[1].period == Period(date(2026, 5, 1), date(2026, 11, 26))
    assert [c.key for c in choices[3:]] == ["202610", "202609", "202608", "202607", "202606", "202605"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("mtd", Period(date(2026, 11, 1), date(2026, 11, 26))),
        ("202602", Period(date(2026, 2, 1), date(2026, 2, 28))),
        ("202611", Period(date(2026, 11, 1), date(2026, 11, 26))),
        ("2026-10-03..2026-10-09", Period(date(2026, 10, 3), date(2026, 10, 9))),
        ("2026-10-09..2026-10-03", None),
        ("202613", None),
        ("nonsense", None),
    ],
)
def test_parse_period_key(key: str, expected: Period | None) -> None:
    """It resolves every key form and rejects malformed or reversed ones."""
    assert parse_period_key(key, date(2026, 11, 26)) == expected


def test_period_label() -> None:
    """It names whole months briefly and other ranges by their ends."""
    assert period_label(Period(date(2026, 2, 1), date(2026, 2, 28))) == "Feb 2026"
    assert period_label(Period(date(2026, 2, 3), date(2026, 2, 9))) == "3 Feb 2026 – 9 Feb 2026"


# --- data that holds what it holds (files): issue 14's old months -------------------------------------------------

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("months", "last_day", "want_open", "want"),
    [
        pytest.param(
            [date(2025, 3, 1)],
            date(2025, 3, 31),
            False,
            [("202503", date(2025, 3, 1), date(2025, 3, 31)), ("history", date(2025, 3, 1), date(2025, 3, 31))],
            id="a past month",
        ),
        pytest.param(
            [date(2026, 12, 1)],
            date(2026, 12, 2),
            True,
            [("mtd", date(2026, 12, 1), date(2026, 12, 2)), ("history", date(2026, 12, 1), date(2026, 12, 2))],
            id="the current month",
        ),
        pytest.param(
            [date(2025, 2, 1), date(2025, 3, 1)],
            date(2025, 3, 30),
            False,
            [
                ("202503", date(2025, 3, 1), date(2025, 3, 31)),
                ("history", date(2025, 2, 1), date(2025, 3, 31)),
                ("202502", date(2025, 2, 1), date(2025, 2, 28)),
            ],
            id="two past months, the last day without usage",
        ),
        pytest.param(
            [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)],
            date(2026, 12, 2),
            True,
            [
                ("mtd", date(2026, 12, 1), date(2026, 12, 2)),
                ("history", date(2026, 10, 1), date(2026, 12, 2)),
                ("202611", date(2026, 11, 1), date(2026, 11, 30)),
                ("202610", date(2026, 10, 1), date(2026, 10, 31)),
            ],
            id="a month-to-date download of the current month, with the months before",
        ),
        pytest.param(
            [date(2026, 9, 1)],
            date(2026, 9, 15),
            False,
            [("202609", date(2026, 9, 1), date(2026, 9, 30)), ("history", date(2026, 9, 1), date(2026, 9, 30))],
            id="a month-to-date download of a past month, opened later",
        ),
    ],
)
def test_data_periods_default_to_the_latest_in_the_data_and_are_open_only_while_it_holds_today(
    months: list[date], last_day: date, want_open: bool, want: list[tuple[str, date, date]]
) -> None:
    """Only the billing periods in the data are offered, latest first; month to date only while it holds today."""
    is_open = last_period_open(last_day, TODAY)
    assert is_open is want_open
    choices = data_period_choices(months, last_day, is_open)
    billing = [(c.key, c.period.start, c.period.end) for c in choices if c.key != "last30"]
    assert billing == want
    assert choices[0].open is want_open
    assert (choices[0].kind is PeriodKind.MONTH_TO_DATE) is want_open
    assert not any(c.key == "mtd" for c in choices) or want_open
    last30 = next(c for c in choices if c.key == "last30")
    assert (last30.period.start, last30.period.end) == (date.fromordinal(last_day.toordinal() - 29), last_day)
    # A key of these choices resolves to its own period, not to the period of that name counted back from today.
    for key, start, end in want:
        assert parse_period_key(key, last_day, choices) == Period(start, end)
