"""Bounds on the period a view may show: what a link or a custom range asks for is cut to the data.

Every day of a view's period becomes a point of the daily series and the charts, so a link such as
``?period=0001-01-01..9999-12-31`` once asked for millions of days. A custom period (from a link or
the date picker) is cut to the data's own first and last charge day; any period, and the span of a
data set whose dates are themselves absurd, is cut to the last ``MAX_VIEW_DAYS`` days.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from lib.core.models import Period

MAX_VIEW_DAYS: Final = 3660  # ten years of daily cost: more than any Azure export holds, still quick to draw


def bounded(period: Period, max_days: int = MAX_VIEW_DAYS) -> Period:
    """``period`` cut to its last ``max_days`` days."""
    if period.days <= max_days:
        return period
    return Period(period.end - timedelta(days=max_days - 1), period.end)


def clamp_to_data(period: Period, data: Period, max_days: int = MAX_VIEW_DAYS) -> Period:
    """A custom ``period`` cut to the days the data holds (``data``: its first and last charge day), then ``bounded``.

    A period holding no day of the data is kept as asked (it shows nothing), only ``bounded``.
    """
    start, end = max(period.start, data.start), min(period.end, data.end)
    if start > end:
        return bounded(period, max_days)
    return bounded(Period(start, end), max_days)
