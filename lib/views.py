"""What each page shows, computed from a data set and the user's view; free of Streamlit.

Pages call one function here and draw the result, so the numbers a page shows can be tested
(and benchmarked) without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from lib import aggregate, filters
from lib.aggregate import Headline, PeriodBill
from lib.charts import colour_map
from lib.estimate import Estimate
from lib.i18n import N_, _
from lib.models import Metric, Period, Scope
from lib.periods import period_label
from lib.schema import Col
from lib.sources.base import Dataset


@dataclass(frozen=True)
class View:
    """Everything the user picked: the state a link would carry."""

    source: str = "demo"
    scope_id: str | None = None
    period_key: str = "history"
    period: Period | None = None
    metric: Metric = Metric.ACTUAL
    currency: str | None = None
    filters: filters.Filters = field(default_factory=filters.Filters)
    group_by: str = Col.SERVICE


def scope_of(dataset: Dataset, view: View) -> Scope | None:
    """The scope the view names, or ``None`` for the whole data set."""
    return next((s for s in dataset.scopes if s.id == view.scope_id), None)


def currency_of(dataset: Dataset, view: View) -> str:
    """The currency to show: the chosen one if present, else the data set's main currency."""
    present = dataset.currencies
    if view.currency in present:
        return str(view.currency)
    counts = dataset.normalized.get_column(Col.BILLING_CURRENCY).drop_nulls().value_counts(sort=True)
    return str(counts.item(0, 0)) if counts.height else "EUR"


@dataclass(frozen=True)
class Selection:
    """The rows a view selects: ``history`` ignores the period (for billing history), ``rows`` obeys it."""

    history: pl.DataFrame
    rows: pl.DataFrame
    currency: str
    period: Period
    scope: Scope | None
    other_currencies: dict[str, float]


def select(dataset: Dataset, view: View) -> Selection:
    """Apply scope, filters, currency and period to the data set."""
    scope = scope_of(dataset, view)
    currency = currency_of(dataset, view)
    filtered = filters.apply(dataset.normalized, view.filters, scope=scope)
    period = view.period or data_period(dataset)
    in_period = filtered.filter(filters.period_expression(period))
    others = {c: v for c, v in aggregate.cost_by_currency(in_period).items() if c != currency}
    history = aggregate.in_currency(filtered, currency)
    return Selection(history, history.filter(filters.period_expression(period)), currency, period, scope, others)


def data_period(dataset: Dataset) -> Period:
    """The span of the data set's charge dates (today only, when it has no rows)."""
    dates = dataset.normalized.get_column(Col.CHARGE_DATE)
    if dates.is_empty():
        return Period(dataset.as_of, dataset.as_of)
    return Period(dates.min(), dates.max())  # type: ignore[arg-type]


@dataclass(frozen=True)
class Overview:
    """Everything the overview page draws."""

    selection: Selection
    headline: Headline
    daily: pl.DataFrame
    bills: list[PeriodBill]
    accumulated: pl.DataFrame
    estimate: Estimate
    colours: dict[str, str]


def ranked(dataset: Dataset, group_by: str) -> list[str]:
    """Group names of the whole data set, costliest first (stable colours across pages)."""
    return aggregate.cost_by(dataset.normalized, group_by).get_column("group").cast(pl.String).to_list()


def overview(dataset: Dataset, view: View, as_of: date | None = None) -> Overview:
    """Compute the overview page's figures and chart data."""
    as_of = as_of or dataset.as_of
    chosen = select(dataset, view)
    bills = aggregate.billing_history(chosen.history, as_of)
    accumulated, estimate = aggregate.accumulated_cost(chosen.history, as_of)
    if dataset.extras and not view.filters.active:
        # Invoices and forecasts cover the whole scope: they only hold while nothing is filtered out.
        bills = aggregate.apply_outlook(bills, dataset.extras, chosen.currency)
        current = bills[-1]
        if current.estimate_method != estimate.method:
            estimate = Estimate(
                estimate.period, estimate.last_data_day, estimate.cost_so_far, current.estimated_rest, current.estimate_method
            )
            end_of_line = (pl.col("kind") == "estimate") & (pl.col("day") == estimate.period.end)
            accumulated = accumulated.with_columns(
                pl.when(end_of_line).then(pl.lit(estimate.total)).otherwise(pl.col("cumulative")).alias("cumulative")
            )
    head = aggregate.headline(chosen.history, chosen.rows, chosen.currency, as_of, bills)
    daily = aggregate.daily_cost(chosen.rows, view.group_by, chosen.period)
    return Overview(chosen, head, daily, bills, accumulated, estimate, colour_map(ranked(dataset, view.group_by)))


@dataclass(frozen=True)
class Exploration:
    """What the explore page draws."""

    selection: Selection
    table: pl.DataFrame
    daily: pl.DataFrame
    colours: dict[str, str]


def explore(dataset: Dataset, view: View) -> Exploration:
    """Cost grouped by the view's dimension or tag, as a table and per day."""
    chosen = select(dataset, view)
    table = aggregate.cost_by(chosen.rows, view.group_by)
    daily = aggregate.daily_cost(chosen.rows, view.group_by, chosen.period)
    return Exploration(chosen, table, daily, colour_map(ranked(dataset, view.group_by)))


BILL_STATUS_LABELS = {"invoiced": N_("Invoiced"), "closed": N_("Closed (no invoice in data)"), "open": N_("Open: estimate")}


def bills_table(bills: list[PeriodBill]) -> pl.DataFrame:
    """The billed-vs-estimate chart as a table (its text alternative)."""
    return pl.DataFrame(
        {
            "period": [period_label(b.period) for b in bills],
            "status": [_(BILL_STATUS_LABELS[b.status]) for b in bills],
            "invoice": [", ".join(b.invoice_ids) for b in bills],
            "amount": [b.total for b in bills],
            "so_far": [b.cost_so_far if b.status == "open" else None for b in bills],
        }
    )
