"""The overview's headline figures for the demo, worked out here from its raw rows with csv and Decimal.

This is the independent expectation for the page tests (AppTest and browser): it reads the demo's raw
usage CSV as text, as a person with a spreadsheet would, and applies the rules the README states (the open
billing period is the calendar month holding today; the estimate adds, for each remaining day, the average
usage cost of the same weekday over the last 28 days; purchases and refunds are not extrapolated). It
calls none of the dashboard's aggregation code.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from lib.core.dataset import LoadRequest
from lib.sources.demo import DemoSource

CENT = Decimal("0.01")


def demo_raw_rows(as_of: date) -> list[dict[str, str]]:
    """The demo's raw rows as CSV text cells (the bytes the raw download serves, read back by the csv module)."""
    text = DemoSource().load(LoadRequest(as_of=as_of)).raw.lazy().collect().write_csv()
    return list(csv.DictReader(io.StringIO(text)))


def _day(cell: str) -> date:
    return datetime.strptime(cell, "%m/%d/%Y").date()


def demo_headline(as_of: date) -> dict[str, Decimal]:
    """Cost so far, estimate to period end, last closed period's total, change against it, and the six-periods total (EUR)."""
    per_day: dict[date, Decimal] = defaultdict(Decimal)
    usage_per_day: dict[date, Decimal] = defaultdict(Decimal)
    for row in demo_raw_rows(as_of):
        assert row["billingCurrency"] == "EUR"
        day, cost = _day(row["date"]), Decimal(row["costInBillingCurrency"])
        per_day[day] += cost
        if row["chargeType"] not in ("Purchase", "Refund"):
            usage_per_day[day] += cost
    open_start = as_of.replace(day=1)
    open_end = (open_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    closed_start = (open_start - timedelta(days=1)).replace(day=1)
    history_start = date(as_of.year - (1 if as_of.month <= 6 else 0), (as_of.month - 7) % 12 + 1, 1)
    so_far = sum((c for d, c in per_day.items() if open_start <= d <= as_of), Decimal(0))
    last_closed = sum((c for d, c in per_day.items() if closed_start <= d < open_start), Decimal(0))
    window = [as_of - timedelta(days=n) for n in range(28)]
    by_weekday: dict[int, list[Decimal]] = defaultdict(list)
    for day in window:
        by_weekday[day.weekday()].append(usage_per_day.get(day, Decimal(0)))
    remaining = [as_of + timedelta(days=n) for n in range(1, (open_end - as_of).days + 1)]
    rest = sum((sum(by_weekday[d.weekday()]) / len(by_weekday[d.weekday()]) for d in remaining), Decimal(0))
    trend_rest = _damped_trend_rest([usage_per_day.get(d, Decimal(0)) for d in reversed(window)], window[0], remaining)
    return {
        "cost_so_far": so_far,
        "estimate_total": so_far + rest,
        "estimate_total_trend": so_far + trend_rest,
        "last_closed_amount": last_closed,
        "change_vs_last": (so_far + rest) / last_closed - 1,
        "change_vs_last_trend": (so_far + trend_rest) / last_closed - 1,
        "selected_total": sum((c for d, c in per_day.items() if history_start <= d <= as_of), Decimal(0)),
    }


def _damped_trend_rest(costs: list[Decimal], last_day: date, remaining: list[date]) -> Decimal:
    """The rest of the period by the documented trend rule: the 28 days' weekday factors, a least-squares line through
    the days with the rhythm divided out, its slope kept at 0.9 of the day before for every day ahead."""
    days = [last_day - timedelta(days=len(costs) - 1 - n) for n in range(len(costs))]
    sums: dict[int, list[Decimal]] = defaultdict(list)
    for day, cost in zip(days, costs, strict=True):
        sums[day.weekday()].append(cost)
    means = {wd: sum(v) / len(v) for wd, v in sums.items()}
    overall = sum(means.values()) / 7
    factors = {wd: m / overall for wd, m in means.items()}
    plain = [c / factors[d.weekday()] for d, c in zip(days, costs, strict=True)]
    n = Decimal(len(plain))
    xs = [Decimal(i) for i in range(len(plain))]
    mean_x, mean_y = sum(xs) / n, sum(plain) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, plain, strict=True)) / sum((x - mean_x) ** 2 for x in xs)
    level = mean_y + slope * (xs[-1] - mean_x)
    rest = Decimal(0)
    for day in remaining:
        slope *= Decimal("0.9")
        level += slope
        rest += max(level, Decimal(0)) * factors[day.weekday()]
    return rest


def cents(value: Decimal) -> float:
    """``value`` rounded to the cent, as the page shows it."""
    return float(value.quantize(CENT, rounding=ROUND_HALF_EVEN))
