"""Formatting tables for English and Dutch: money, negative money, dates, large numbers, percentages.

Expected texts are written out by hand (CLDR's forms as a reader expects them), never computed by
the code under test. Dutch Babel output separates the euro sign with a no-break space (U+00A0).
"""

from __future__ import annotations

from datetime import date

import pytest

from lib.core import fmt, i18n

NBSP = "\u00a0"
EN, NL = "en", "nl_NL"


@pytest.mark.parametrize(
    ("value", "currency", "locale", "expected"),
    [
        (1234.56, "EUR", EN, "€1,234.56"),
        (1234.56, "EUR", NL, f"€{NBSP}1.234,56"),
        (-1234.56, "EUR", EN, "-€1,234.56"),
        (-1234.56, "EUR", NL, f"€{NBSP}-1.234,56"),
        (0.006, "EUR", EN, "€0.01"),
        (0, "EUR", NL, f"€{NBSP}0,00"),
        (1234567.891, "EUR", EN, "€1,234,567.89"),
        (1234567.891, "EUR", NL, f"€{NBSP}1.234.567,89"),
        (-98765432.1, "EUR", NL, f"€{NBSP}-98.765.432,10"),
        (1234.5, "USD", EN, "$1,234.50"),
        (1234.5, "USD", NL, f"US${NBSP}1.234,50"),
        (-5, "GBP", EN, "-£5.00"),
        (-5, "GBP", NL, f"£{NBSP}-5,00"),
        (1234, "JPY", EN, "¥1,234"),  # the currency's own digits: no yen cents
        (1234, "JPY", NL, f"JP¥{NBSP}1.234"),
    ],
)
def test_money(value: float, currency: str, locale: str, expected: str) -> None:
    """It writes the currency's own symbol where the locale puts it, with the locale's separators."""
    assert fmt.money(value, currency, locale) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "locale", "expected"),
    [
        (1234567, 0, EN, "1,234,567"),
        (1234567, 0, NL, "1.234.567"),
        (9876543210.5, 2, EN, "9,876,543,210.50"),
        (9876543210.5, 2, NL, "9.876.543.210,50"),
        (-1000, 0, NL, "-1.000"),
        (999, 0, NL, "999"),
    ],
)
def test_large_numbers(value: float, decimals: int, locale: str, expected: str) -> None:
    """It groups thousands with a comma in English and a dot in Dutch."""
    assert fmt.number(value, decimals, locale) == expected


@pytest.mark.parametrize(
    ("fraction", "locale", "expected"),
    [(0.042, EN, "+4.2%"), (0.042, NL, "+4,2%"), (-0.125, EN, "-12.5%"), (-0.125, NL, "-12,5%"), (None, NL, "–")],
)
def test_percent(fraction: float | None, locale: str, expected: str) -> None:
    """It signs the change and uses the locale's decimal mark."""
    assert fmt.percent(fraction, locale) == expected


@pytest.mark.parametrize(
    ("value", "locale", "day", "short", "month", "long"),
    [
        (date(2026, 11, 26), EN, "26 Nov 2026", "26 Nov", "Nov 2026", "Thu 26 Nov 2026"),
        (date(2026, 11, 26), NL, "26 nov 2026", "26 nov", "nov 2026", "do 26 nov 2026"),
        (date(2026, 3, 1), EN, "1 Mar 2026", "1 Mar", "Mar 2026", "Sun 1 Mar 2026"),
        (date(2026, 3, 1), NL, "1 mrt 2026", "1 mrt", "mrt 2026", "zo 1 mrt 2026"),
        (date(2026, 5, 4), NL, "4 mei 2026", "4 mei", "mei 2026", "ma 4 mei 2026"),
        (date(2026, 9, 30), EN, "30 Sep 2026", "30 Sep", "Sep 2026", "Wed 30 Sep 2026"),
    ],
)
def test_dates(value: date, locale: str, day: str, short: str, month: str, long: str) -> None:
    """It writes dates with the locale's month and weekday names."""
    assert fmt.day(value, locale) == day
    assert fmt.short_day(value, locale) == short
    assert fmt.month(value, locale) == month
    assert fmt.long_day(value, locale) == long


def test_week_starts_on_monday_in_dutch() -> None:
    """Dutch weeks start on Monday (0, as ``date.weekday`` counts)."""
    assert fmt.first_weekday(NL) == 0


@pytest.mark.parametrize(
    ("locale", "separators", "eur", "usd", "date_input"),
    [
        (EN, ".,", ("€", ""), ("$", ""), "DD/MM/YYYY"),
        (NL, ",.", (f"€{NBSP}", ""), (f"US${NBSP}", ""), "DD-MM-YYYY"),
    ],
)
def test_chart_and_widget_settings(locale: str, separators: str, eur: tuple[str, str], usd: tuple[str, str], date_input: str) -> None:
    """Plotly gets the decimal mark then the thousands mark, and the symbol before or after the number."""
    assert fmt.separators(locale) == separators
    assert fmt.money_affixes("EUR", locale) == eur
    assert fmt.money_affixes("USD", locale) == usd
    assert fmt.date_input_format(locale) == date_input
    assert fmt.d3_date_format(locale) == date_input.replace("DD", "%d").replace("MM", "%m").replace("YYYY", "%Y")


def test_the_session_language_picks_the_locale() -> None:
    """Without an explicit locale, it formats for the current language (English outside a session)."""
    assert fmt.money(-1234.56, "EUR") == "-€1,234.56"
    with i18n.language("nl"):
        assert fmt.money(-1234.56, "EUR") == f"€{NBSP}-1.234,56"
        assert fmt.day(date(2026, 10, 5)) == "5 okt 2026"
    assert fmt.day(date(2026, 10, 5)) == "5 Oct 2026"
