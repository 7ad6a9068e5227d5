"""Display formatting of money, dates and percentages (through Babel, never by hand)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_currency, format_percent

DEFAULT_LOCALE = "en_GB"


def money(value: float, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """``€1,234.56`` style amount in the locale's form."""
    return format_currency(value, currency, locale=locale)


def percent(fraction: float | None, locale: str = DEFAULT_LOCALE) -> str:
    """Signed percentage such as ``+4.2%``; ``–`` when unknown."""
    if fraction is None:
        return "–"
    text = format_percent(fraction, "+#,##0.0%;-#,##0.0%", locale=locale)
    return str(text)


def day(value: date, locale: str = DEFAULT_LOCALE) -> str:
    """Medium date in the locale's form, e.g. ``26 Nov 2026``."""
    return format_date(value, "medium", locale=locale)
