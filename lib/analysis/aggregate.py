"""Aggregates behind every chart and headline figure: pure functions over the canonical frame.

Money is never summed across currencies: every function here takes rows of one currency
(``in_currency``) or keeps the currency as a grouping key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from lib.analysis.backtest import METHODS, best_method
from lib.analysis.estimate import Estimate
from lib.analysis.filters import tag_value
from lib.core.dataset import LiveAnswer
from lib.core.i18n import _
from lib.core.models import Period
from lib.core.periods import billing_period, billing_periods, period_label
from lib.core.schema import TAG_PREFIX, UNTAGGED, Col

OTHER = "Other"
TOP_GROUPS = 9
# In a pre-aggregated frame (``lib.analysis.frames``), how many usage rows each row stands for.
ROWS = "Rows"


def in_currency(frame: pl.DataFrame, currency: str) -> pl.DataFrame:
    """Rows billed in ``currency``."""
    return frame.filter(pl.col(Col.BILLING_CURRENCY) == currency)


def cost_by_currency(frame: pl.DataFrame) -> dict[str, float]:
    """Total cost per billing currency."""
    totals = frame.group_by(Col.BILLING_CURRENCY).agg(pl.col(Col.COST).sum()).sort(Col.BILLING_CURRENCY)
    return dict(totals.iter_rows())


def group_expression(group_by: str) -> pl.Expr:
    """The grouping key for a dimension name or ``tag:KEY`` (rows without the tag → untagged)."""
    if group_by.startswith(TAG_PREFIX):
        return tag_value(group_by.removeprefix(TAG_PREFIX)).fill_null(UNTAGGED).alias("group")
    return pl.col(group_by).alias("group")


def cost_by(frame: pl.DataFrame, group_by: str) -> pl.DataFrame:
    """Cost per group (one currency), most costly first: columns ``group`` (text), ``cost``, ``share``."""
    grouped = frame.lazy().group_by(group_expression(group_by)).agg(pl.col(Col.COST).sum().alias("cost")).collect()
    grouped = grouped.with_columns(pl.col("group").cast(pl.String))
    total = grouped.get_column("cost").sum()
    share = pl.col("cost") / total if total else pl.lit(0.0)
    return grouped.with_columns(share.alias("share")).sort(["cost", "group"], descending=[True, False])


def top_groups(frame: pl.DataFrame, group_by: str, top: int = TOP_GROUPS) -> list[str]:
    """The ``top`` costliest groups; the rest are shown together as "Other"."""
    return cost_by(frame, group_by).head(top).get_column("group").to_list()


def daily_cost(frame: pl.DataFrame, group_by: str, period: Period, top: int = TOP_GROUPS) -> pl.DataFrame:
    """Cost per day and group (one currency) over ``period``, top groups plus "Other".

    Every day of the period is present, with zero where nothing was charged, so gaps are visible
    as gaps and not as missing bars.

    Returns:
        Columns ``day``, ``group`` (text), ``cost``; groups in order of total cost, "Other" last.
    """
    # Aggregate to (day, group) first: the top-9 fold and the grid then work on a small table.
    small = (
        frame.lazy()
        .group_by(pl.col(Col.CHARGE_DATE).alias("day"), group_expression(group_by))
        .agg(pl.col(Col.COST).sum().alias("cost"))
        .collect()
        .with_columns(pl.col("group").cast(pl.String))
    )
    totals = small.group_by("group").agg(pl.col("cost").sum()).sort(["cost", "group"], descending=[True, False])
    keep = totals.head(top).get_column("group").to_list()
    folded = pl.when(pl.col("group").is_in(keep)).then(pl.col("group")).otherwise(pl.lit(OTHER)).alias("group")
    daily = small.group_by("day", folded).agg(pl.col("cost").sum())
    order = keep + ([OTHER] if totals.height > len(keep) else [])
    days = pl.DataFrame({"day": pl.date_range(period.start, period.end, "1d", eager=True)})
    grid = days.join(pl.DataFrame({"group": order}, schema={"group": pl.String}), how="cross")
    full = grid.join(daily, on=["day", "group"], how="left").with_columns(pl.col("cost").fill_null(0.0))
    rank = pl.col("group").replace_strict(order, list(range(len(order))), return_dtype=pl.Int64)
    return full.sort(["day", rank]).select("day", "group", "cost")


def row_count(frame: pl.DataFrame) -> int:
    """Usage rows behind ``frame``: its height, or the sum of ``ROWS`` for a pre-aggregated frame."""
    return int(frame.get_column(ROWS).sum()) if ROWS in frame.columns else frame.height


def daily_total(frame: pl.DataFrame) -> pl.DataFrame:
    """Cost per day (one currency): columns ``day``, ``cost``."""
    return frame.group_by(pl.col(Col.CHARGE_DATE).alias("day")).agg(pl.col(Col.COST).sum().alias("cost")).sort("day")


@dataclass(frozen=True)
class PeriodBill:
    """One bar of the billed-vs-estimate chart."""

    period: Period
    label: str
    status: str  # "invoiced", "closed" (no invoice in the data) or "open"
    invoice_ids: tuple[str, ...]
    billed: float  # invoiced amount, or final actual cost when the data has no invoice
    cost_so_far: float  # open period only
    estimated_rest: float  # open period only
    estimate_method: str = ""

    @property
    def total(self) -> float:
        """The bar's height: billed for closed periods, estimate at period end for the open one."""
        return self.billed if self.status != "open" else self.cost_so_far + self.estimated_rest


def open_period(as_of: date) -> Period:
    """The billing period that is still open on ``as_of``."""
    return billing_period(as_of)


def billing_history(frame: pl.DataFrame, as_of: date, estimate: Estimate | None = None, *, open_last: bool = True) -> list[PeriodBill]:
    """The six closed billing periods and the open one (one currency), oldest first.

    A closed period's amount is what its rows' invoices add up to; rows of a closed period that
    carry no invoice id count as final actual cost and the period is marked "closed".
    ``open_last=False`` (data whose last period has ended, ``Dataset.last_period_open``): the period holding
    ``as_of`` is closed too, with no estimate.
    """
    bills = []
    periods = billing_periods(as_of)
    for period in periods if not open_last else periods[:-1]:
        rows = frame.filter(pl.col(Col.BILLING_PERIOD_START).is_between(period.start, period.end))
        invoiced = rows.filter(pl.col(Col.INVOICE_ID).is_not_null())
        invoice_ids = tuple(sorted(invoiced.get_column(Col.INVOICE_ID).unique().to_list()))
        status = "invoiced" if invoice_ids and row_count(invoiced) == row_count(rows) else "closed"
        total = float(rows.get_column(Col.COST).sum())
        bills.append(PeriodBill(period, period_label(period), status, invoice_ids, total, 0.0, 0.0))
    if not open_last:
        return bills
    estimate = estimate or open_estimate(frame, as_of)
    bills.append(
        PeriodBill(
            estimate.period,
            period_label(estimate.period),
            "open",
            (),
            0.0,
            estimate.cost_so_far,
            estimate.estimated_rest,
            estimate.method,
        )
    )
    return bills


def open_estimate(frame: pl.DataFrame, as_of: date, method: str | None = None) -> Estimate:
    """The open period's cost so far and its estimate to period end (one currency).

    The estimate method is the one with the lowest error back-tested on the closed periods of ``frame``
    (``lib.analysis.backtest``); the weekday average when there is nothing to test on. ``method``: that back-test's
    choice when the caller already has it (``lib.analysis.views`` remembers it per view).
    """
    period = open_period(as_of)
    current = frame.filter(pl.col(Col.BILLING_PERIOD_START).is_between(period.start, period.end) | (pl.col(Col.CHARGE_DATE) < period.start))
    if method is None:
        method, _trials = best_method(frame, as_of)
    return METHODS[method](current, period, as_of)


def accumulated_cost(frame: pl.DataFrame, as_of: date, estimate: Estimate | None = None) -> tuple[pl.DataFrame, Estimate]:
    """Running total through the open period, and the straight estimate line to its end.

    Returns:
        Columns ``day``, ``cumulative``, ``kind`` ("actual" up to ``as_of``, "estimate" to the
        period end), and the estimate used.
    """
    estimate = estimate or open_estimate(frame, as_of)
    period = estimate.period
    daily = daily_total(frame.filter(pl.col(Col.CHARGE_DATE).is_between(period.start, estimate.last_data_day)))
    days = pl.DataFrame({"day": pl.date_range(period.start, estimate.last_data_day, "1d", eager=True)})
    actual = days.join(daily, on="day", how="left").with_columns(pl.col("cost").fill_null(0.0).cum_sum().alias("cumulative"))
    actual = actual.select("day", "cumulative", pl.lit("actual").alias("kind"))
    line = pl.DataFrame(
        {
            "day": [estimate.last_data_day, period.end],
            "cumulative": [estimate.cost_so_far, estimate.total],
            "kind": ["estimate", "estimate"],
        }
    )
    return pl.concat([actual, line]), estimate


def closed_accumulated(frame: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Running total through a closed ``period``, every day of it (one currency): columns as ``accumulated_cost``, all "actual"."""
    daily = daily_total(frame.filter(pl.col(Col.CHARGE_DATE).is_between(period.start, period.end)))
    days = pl.DataFrame({"day": pl.date_range(period.start, period.end, "1d", eager=True)})
    actual = days.join(daily, on="day", how="left").with_columns(pl.col("cost").fill_null(0.0).cum_sum().alias("cumulative"))
    return actual.select("day", "cumulative", pl.lit("actual").alias("kind"))


@dataclass(frozen=True)
class Headline:
    """The headline figures on the overview (one currency).

    ``open``: the last period is open, so there is a cost so far and an estimate to its end. When it is closed
    (a file of a month that has ended), ``last_closed_*`` describe that period itself, ``change_vs_last`` compares
    it with the one before, and there is no cost so far or estimate (``None`` in ``as_dict``).
    """

    currency: str
    selected_total: float
    cost_so_far: float
    estimate_total: float
    last_closed_label: str
    last_closed_amount: float
    last_closed_invoiced: bool
    change_vs_last: float | None  # estimate at period end (or the latest closed period) vs the period before, as a fraction
    open: bool = True

    def as_dict(self) -> dict[str, object]:
        """The figures as plain JSON-ready values."""
        return {
            "currency": self.currency,
            "selected_total": round(self.selected_total, 2),
            "cost_so_far": round(self.cost_so_far, 2) if self.open else None,
            "estimate_total": round(self.estimate_total, 2) if self.open else None,
            "last_closed_period": self.last_closed_label,
            "last_closed_amount": round(self.last_closed_amount, 2),
            "last_closed_invoiced": self.last_closed_invoiced,
            "change_vs_last": None if self.change_vs_last is None else round(self.change_vs_last, 4),
        }


def headline(
    all_rows: pl.DataFrame,
    selected: pl.DataFrame,
    currency: str,
    as_of: date,
    bills: list[PeriodBill] | None = None,
    *,
    open_last: bool = True,
) -> Headline:
    """Headline figures: ``selected`` is the filtered period, ``all_rows`` the filtered history.

    ``bills`` replaces the billing history computed from ``all_rows`` (e.g. with invoices applied); whether
    its last period is open is then its own status, else ``open_last``.
    """
    history = bills if bills is not None else billing_history(all_rows, as_of, open_last=open_last)
    current, last = history[-1], history[-2]
    change = (current.total - last.total) / abs(last.total) if last.total else None
    selected_total = float(selected.get_column(Col.COST).sum())
    if current.status != "open":
        return Headline(currency, selected_total, 0.0, 0.0, current.label, current.total, current.status == "invoiced", change, open=False)
    return Headline(
        currency=currency,
        selected_total=selected_total,
        cost_so_far=current.cost_so_far,
        estimate_total=current.total,
        last_closed_label=last.label,
        last_closed_amount=last.total,
        last_closed_invoiced=last.status == "invoiced",
        change_vs_last=change,
    )


def apply_outlook(bills: list[PeriodBill], live: LiveAnswer, currency: str) -> list[PeriodBill]:
    """Use a source's own invoices (live Azure) in place of the row-based figures of closed periods.

    Invoices describe the whole scope, so callers apply them only when no filter narrows the rows.
    Periods without an invoice in ``currency`` keep their row-based amount. The open period keeps the
    dashboard's own estimate: Azure's forecast is shown beside it (``azure_forecast``), never instead.
    """
    by_period: dict[date, list[dict[str, object]]] = {}
    for invoice in live.invoices:
        if invoice.get("kind") == "invoice" and invoice.get("currency") == currency:
            by_period.setdefault(date.fromisoformat(str(invoice["period_start"])), []).append(invoice)
    result = []
    for bill in bills:
        found = by_period.get(bill.period.start)
        if bill.status != "open" and found:
            ids = tuple(sorted(str(i["invoice_id"]) for i in found if i.get("invoice_id")))
            amount = sum(float(str(i["amount"])) for i in found)
            bill = PeriodBill(bill.period, bill.label, "invoiced", ids, amount, 0.0, 0.0)
        result.append(bill)
    return result


@dataclass(frozen=True)
class AzureForecast:
    """Cost Management's Forecast API answer for the open period (whole scope): its total, or why there is none."""

    total: float | None
    actual_to_date: float | None
    reason: str


def azure_forecast(live: LiveAnswer, currency: str, period: Period) -> AzureForecast:
    """Azure's forecast of ``period`` in ``currency`` from a live load's answer, or the reason it cannot be shown."""
    forecast = live.forecast
    if not forecast.get("available") or forecast.get("total") is None:
        return AzureForecast(None, None, str(forecast.get("reason") or ""))
    if forecast.get("period_start") != period.start.isoformat():
        return AzureForecast(None, None, _("Azure's forecast covers another billing period"))
    if forecast.get("currency") not in (None, currency):
        return AzureForecast(None, None, _("Azure's forecast is in {currency}").format(currency=forecast.get("currency")))
    actual = forecast.get("actual_to_date")
    return AzureForecast(float(str(forecast["total"])), None if actual is None else float(str(actual)), "")
