"""Display formatting of money, numbers, dates and percentages, through Babel and never by hand.

Every function takes an optional Babel ``locale``; without one it formats for the current
session's language (``lib.core.i18n``), which is English outside a dashboard session. Exports never
use these functions: files stay machine-readable (dot decimal, ISO dates) in every language.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date, get_date_format
from babel.numbers import format_currency, format_decimal, format_percent, get_decimal_symbol, get_group_symbol, list_currencies

from lib.core import i18n

DEFAULT_LOCALE = i18n.LANGUAGES[i18n.DEFAULT_LANGUAGE]


def _locale(locale: str | None) -> str:
    return locale or i18n.current_locale()


def money(value: float, currency: str, locale: str | None = None) -> str:
    """Amount with the currency's own symbol in the locale's form: ``€1,234.56`` (en), ``€ 1.234,56`` (nl).

    A text that is no ISO 4217 code (a file's cells shifted, an anonymised sample) is never shown as a currency:
    the number, then the file's own text.
    """
    if not is_currency_code(currency):
        return f"{number(value, 2, locale)} {currency}"
    if value == 0:  # 0.0 and -0.0 are equal keys, but Babel writes them apart
        return str(format_currency(value, currency, locale=_locale(locale)))
    return _money(value, currency, _locale(locale))


@lru_cache(maxsize=1 << 15)
def _money(value: float, currency: str, locale: str) -> str:
    # Remembered: a chart's hovers and a page's figures format the same amounts again on every run (the daily chart
    # alone writes a few thousand), and Babel takes some 20 µs each.
    return str(format_currency(value, currency, locale=locale))


@cache
def _currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency_code(text: str) -> bool:
    """Whether ``text`` is an ISO 4217 code (current or historical), ``XXX`` (no currency) included."""
    return text in _currency_codes()


def number(value: float, decimals: int = 0, locale: str | None = None) -> str:
    """A plain number with the locale's separators, e.g. ``1,234,567`` (en) or ``1.234.567`` (nl)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, pattern, locale=_locale(locale)))


def count(value: int, locale: str | None = None) -> str:
    """A count of things (rows, files) with the locale's thousands separator."""
    return number(value, 0, locale)


def percent(fraction: float | None, locale: str | None = None) -> str:
    """Signed percentage such as ``+4.2%`` (en) or ``+4,2%`` (nl); ``–`` when unknown."""
    if fraction is None:
        return "–"
    return str(format_percent(fraction, "+#,##0.0%;-#,##0.0%", locale=_locale(locale)))


def share(fraction: float, locale: str | None = None) -> str:
    """Unsigned share of a total such as ``12.5%`` (en) or ``12,5%`` (nl)."""
    return str(format_percent(fraction, "#,##0.0%", locale=_locale(locale)))


# Day, abbreviated month, year: Dutch's medium date and the international English order. The
# locale supplies the month names ("26 Nov 2026", "26 nov 2026").
DAY_PATTERN = "d MMM y"
SHORT_DAY_PATTERN = "d MMM"
MONTH_PATTERN = "MMM y"
LONG_DAY_PATTERN = "EEE d MMM y"
# st.date_input only knows a few orders; English follows the day-month-year order used above.
_DATE_INPUT_LOCALE = {"en": "en_GB"}


def day(value: date, locale: str | None = None) -> str:
    """A date such as ``26 Nov 2026`` (en) or ``26 nov 2026`` (nl)."""
    return str(format_date(value, DAY_PATTERN, locale=_locale(locale)))


def long_day(value: date, locale: str | None = None) -> str:
    """A date with its weekday, for hovers: ``Thu 26 Nov 2026`` (en), ``do 26 nov 2026`` (nl)."""
    return str(format_date(value, LONG_DAY_PATTERN, locale=_locale(locale)))


def short_day(value: date, locale: str | None = None) -> str:
    """Day and month without the year, for axis ticks: ``26 Nov`` (en), ``26 nov`` (nl)."""
    return str(format_date(value, SHORT_DAY_PATTERN, locale=_locale(locale)))


def month(value: date, locale: str | None = None) -> str:
    """Abbreviated month and year: ``Nov 2026`` (en), ``nov 2026`` (nl)."""
    return str(format_date(value, MONTH_PATTERN, locale=_locale(locale)))


def first_weekday(locale: str | None = None) -> int:
    """The locale's first day of the week (0 = Monday, as ``date.weekday``); Monday in nl."""
    return int(Locale.parse(_locale(locale)).first_week_day)


def separators(locale: str | None = None) -> str:
    """Plotly's ``layout.separators``: the decimal mark, then the thousands separator (``.,`` en, ``,.`` nl)."""
    code = _locale(locale)
    return str(get_decimal_symbol(code)) + str(get_group_symbol(code))


@cache
def money_affixes(currency: str, locale: str) -> tuple[str, str]:
    """What the locale writes before and after a positive amount: ``("€", "")`` en, ``("€\\xa0", "")`` nl.

    Used for chart axes, where Plotly formats the number and Babel decides the symbol's place.
    """
    if not is_currency_code(currency):
        return "", f" {currency}"
    text = str(format_currency(1, currency, locale=locale))
    digits = re.search(r"\d[\d\s.,\u00a0\u202f]*\d|\d", text)
    assert digits is not None
    return text[: digits.start()], text[digits.end() :]


def _numeric_date_order(locale: str | None) -> tuple[list[str], str]:
    """The order of day, month and year in the locale's short numeric date, and its separator."""
    code = _locale(locale)
    pattern = str(get_date_format("short", locale=_DATE_INPUT_LOCALE.get(code, code)).pattern)
    fields = list(dict.fromkeys(c for c in pattern if c in "dMy"))
    separator = next((c for c in pattern if c in "/-."), "/")
    return (fields if sorted(fields) == ["M", "d", "y"] else ["y", "M", "d"]), separator


def date_input_format(locale: str | None = None) -> str:
    """The locale's short date order for ``st.date_input``: ``DD/MM/YYYY`` (en), ``DD-MM-YYYY`` (nl)."""
    fields, separator = _numeric_date_order(locale)
    return separator.join({"d": "DD", "M": "MM", "y": "YYYY"}[f] for f in fields)


def d3_date_format(locale: str | None = None) -> str:
    """The locale's short numeric date as a d3 format for Plotly hovers: ``%d/%m/%Y`` (en), ``%d-%m-%Y`` (nl).

    Numeric on purpose: Plotly.js only knows English month names.
    """
    fields, separator = _numeric_date_order(locale)
    return separator.join({"d": "%d", "M": "%m", "y": "%Y"}[f] for f in fields)
