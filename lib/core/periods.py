"""Billing periods and the period choices a user can pick; the clock is always a parameter."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from lib.core import fmt
from lib.core.i18n import _
from lib.core.models import Period

CLOSED_PERIODS_SHOWN = 6  # the Azure portal's billing history lists six closed periods


def month_start(day: date) -> date:
    """First day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """Last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """First day of the month ``months`` after ``day``'s month (negative goes back)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def billing_period(day: date) -> Period:
    """The calendar-month billing period that holds ``day``."""
    return Period(month_start(day), month_end(day))


def billing_periods(as_of: date, closed: int = CLOSED_PERIODS_SHOWN) -> list[Period]:
    """The last ``closed`` billing periods plus the open one, oldest first."""
    return [billing_period(add_months(as_of, -back)) for back in range(closed, -1, -1)]


def period_label(period: Period, locale: str | None = None) -> str:
    """``'Nov 2026'`` for a whole month, else ``'3 Nov 2026 – 9 Nov 2026'``, in the session's language.

    ``locale`` (a Babel locale) overrides the session's; month names come from Babel.
    """
    if period.start.day == 1 and period.end == month_end(period.start):
        return fmt.month(period.start, locale)
    return _("{start} – {end}").format(start=fmt.day(period.start, locale), end=fmt.day(period.end, locale))


class PeriodKind(StrEnum):
    """How a period choice was made."""

    BILLING_HISTORY = "history"
    BILLING_PERIOD = "billing"
    MONTH_TO_DATE = "mtd"
    LAST_30_DAYS = "last30"
    CUSTOM = "custom"


@dataclass(frozen=True)
class PeriodChoice:
    """One entry of the period picker."""

    key: str
    label: str
    period: Period
    kind: PeriodKind
    open: bool = False


def period_choices(as_of: date) -> list[PeriodChoice]:
    """Choices offered by the period picker, default first.

    The default is the open billing period to date, the period the headline figures describe (as the portal's cost
    analysis opens on the current month, and as files open on their latest period). The billing-history entry spans
    the six closed periods and the open one, as the portal's billing history does; each billing period is offered on
    its own, the open one up to ``as_of``.
    """
    periods = billing_periods(as_of)
    history = Period(periods[0].start, as_of)
    choices = [
        PeriodChoice(
            "mtd",
            _("Month to date ({period})").format(period=period_label(periods[-1])),
            Period(periods[-1].start, as_of),
            PeriodKind.MONTH_TO_DATE,
            open=True,
        ),
        PeriodChoice("history", _("Last 6 billing periods + current"), history, PeriodKind.BILLING_HISTORY),
        PeriodChoice("last30", _("Last 30 days"), Period(as_of - timedelta(days=29), as_of), PeriodKind.LAST_30_DAYS),
    ]
    choices += [_billing_choice(period) for period in reversed(periods[:-1])]
    return choices


def last_period_open(last_day: date, today: date) -> bool:
    """Whether the billing period holding the data's last day is still open: it also holds ``today``.

    A file of a month that has ended is a closed period, whenever it is opened: no month to date, no estimate.
    """
    return billing_period(last_day).contains(today)


def data_period_choices(months: Iterable[date], last_day: date, open_last: bool) -> list[PeriodChoice]:
    """The period picker's choices for data that holds what it holds (files), default first.

    ``months``: the first day of each billing period with data; ``last_day``: the data's last day ("data up to").
    The default is the latest billing period in the data: month to date when it is still open
    (``last_period_open``), else that whole closed period. Then every billing period in the data (``history``,
    from the first period's start to the latest's end, or to ``last_day`` while it is open), the data's last
    30 days, and each earlier billing period in the data, latest first.
    """
    present = sorted({month_start(m) for m in months} | {month_start(last_day)})
    latest = billing_period(last_day)
    history_end = last_day if open_last else latest.end
    if open_last:
        first = PeriodChoice(
            "mtd",
            _("Month to date ({period})").format(period=period_label(latest)),
            Period(latest.start, last_day),
            PeriodKind.MONTH_TO_DATE,
            open=True,
        )
    else:
        first = _billing_choice(latest)
    choices = [
        first,
        PeriodChoice("history", _("All billing periods in the data"), Period(present[0], history_end), PeriodKind.BILLING_HISTORY),
        PeriodChoice("last30", _("Last 30 days of the data"), Period(last_day - timedelta(days=29), last_day), PeriodKind.LAST_30_DAYS),
    ]
    choices += [_billing_choice(billing_period(start)) for start in reversed(present[:-1])]
    return choices


def _billing_choice(period: Period) -> PeriodChoice:
    label = _("Billing period {period}").format(period=period_label(period))
    return PeriodChoice(f"{period.start:%Y%m}", label, period, PeriodKind.BILLING_PERIOD)


def parse_period_key(key: str, as_of: date, choices: Sequence[PeriodChoice] | None = None) -> Period | None:
    """Resolve a period key (``history``, ``mtd``, ``last30``, ``YYYYMM`` or ``YYYY-MM-DD..YYYY-MM-DD``).

    ``choices``: the picker's choices when they are not ``period_choices(as_of)`` (files: ``data_period_choices``).
    """
    for choice in choices if choices is not None else period_choices(as_of):
        if choice.key == key:
            return choice.period
    if ".." in key:
        start_text, _, end_text = key.partition("..")
        try:
            return Period(date.fromisoformat(start_text), date.fromisoformat(end_text))
        except ValueError:
            return None
    if len(key) == 6 and key.isdigit():
        try:
            start = date(int(key[:4]), int(key[4:]), 1)
        except ValueError:
            return None
        period = billing_period(start)
        return Period(period.start, min(period.end, as_of)) if period.contains(as_of) else period
    return None


# Azure lets a closed period's charges move until about the 5th of the next month; after that they are final.
FINAL_DAY_OF_NEXT_MONTH: Final = 5


def is_final(period: Period, as_of: date) -> bool:
    """Whether a period's charges no longer move: closed, and past about the 5th of the next month."""
    return as_of >= add_months(period.start, 1) + timedelta(days=FINAL_DAY_OF_NEXT_MONTH - 1)
