"""What each page shows, computed from a data set and the user's view; free of Streamlit.

Pages call one function here and draw the result, so the numbers a page shows can be tested
(and benchmarked) without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Final

import polars as pl

from lib.analysis import aggregate, currencies, filters, frames
from lib.analysis.aggregate import Headline, PeriodBill
from lib.analysis.backtest import Backtest, best_method
from lib.analysis.estimate import Estimate
from lib.core.dataset import Dataset, LaterColumns, every_column
from lib.core.fmt import money
from lib.core.i18n import N_, _, get_language
from lib.core.models import Metric, Period, Scope
from lib.core.period_bounds import bounded, clamp_to_data
from lib.core.periods import PeriodChoice, PeriodKind, data_period_choices, period_choices, period_label
from lib.core.schema import TAG_PREFIX, Col
from lib.output.charts import colour_map


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
    present, main = _currencies(dataset)
    if view.currency in present:
        return str(view.currency)
    return main


def _currencies(dataset: Dataset) -> tuple[list[str], str]:
    """The data set's currencies (sorted) and the one with the largest total, computed once per data set."""

    return frames.prepared(dataset).memo(("currencies",), lambda: currencies.offered_and_default(dataset.frame))


def offered_currencies(dataset: Dataset) -> list[str]:
    """The currencies the sidebar offers: ISO codes only, sorted."""
    return _currencies(dataset)[0]


@dataclass(frozen=True)
class Selection:
    """What a view selects, pre-aggregated for the pages, with the canonical rows on demand.

    ``cube`` holds the selected rows of the chosen currency grouped by (charge date, billing period,
    invoice, charge type, ``group``) with their ``Cost`` and ``Rows`` (usage rows each stands for),
    over the whole history; ``cube_rows`` is its part inside the period. Every aggregate in
    ``lib.analysis.aggregate`` gives the same figures on them as on the rows. ``history`` (the period
    ignored) and ``rows`` are the canonical rows themselves, computed only when asked for.
    """

    currency: str
    period: Period
    scope: Scope | None
    other_currencies: dict[str, float]
    cube: pl.DataFrame
    cube_rows: pl.DataFrame
    group_by: str
    _frame: pl.DataFrame = field(repr=False, compare=False)  # the data set's ``frame`` (not the data set: this is memoised beside it)
    _later: LaterColumns | None = field(default=None, repr=False, compare=False)
    _filters: filters.Filters = field(default_factory=filters.Filters, repr=False)
    _prepared: frames.Prepared | None = field(default=None, repr=False, compare=False)

    @property
    def row_count(self) -> int:
        """Usage rows inside scope, filters, currency and period."""
        return aggregate.row_count(self.cube_rows)

    @cached_property
    def history(self) -> pl.DataFrame:
        """The canonical rows in scope, filters and currency, whatever the period (every column: a big file's
        ``Dataset.later`` columns are read for them)."""
        rows = every_column(self._frame, self._later)
        if self._prepared is not None and self._prepared.lazy_tags:  # tag lists not held per row: through the tag sets
            found = self._prepared
            chosen = found.rows_where(filters.scope_expression(self.scope) & found.filter_expression(self._filters), rows)
        else:
            chosen = filters.apply(rows, self._filters, scope=self.scope)
        return aggregate.in_currency(chosen, self.currency)

    @cached_property
    def rows(self) -> pl.DataFrame:
        """The canonical rows the view selects (scope, filters, currency and period)."""
        return self.history.filter(filters.period_expression(self.period))


GROUP = "group"  # the cube's group column


def select(dataset: Dataset, view: View) -> Selection:
    """Apply scope, filters, currency and period to the data set (remembered per view)."""
    prepared = frames.prepared(dataset)
    return prepared.memo(("select", view), lambda: _select(dataset, prepared, view))


def _select(dataset: Dataset, prepared: frames.Prepared, view: View) -> Selection:
    scope = scope_of(dataset, view)
    currency = currency_of(dataset, view)
    # A custom period (a link, the date picker) holds only the data's days; no view holds more than MAX_VIEW_DAYS.
    span = data_period(dataset)
    period = clamp_to_data(view.period, span) if view.period and view.period_key == PeriodKind.CUSTOM else view.period
    period = bounded(period or span)
    uses_tags = view.group_by.startswith(TAG_PREFIX) or bool(view.filters.tag_key and view.filters.tag_values)
    condition = filters.scope_expression(scope) & prepared.filter_expression(view.filters)
    # One pass over the rows: everything the pages show is folded from (slot, group) sums.
    grouped = (
        prepared.frame_for(uses_tags)
        .lazy()
        .filter(condition)
        .group_by(frames.SLOT, prepared.group_key(view.group_by).alias(GROUP))
        .agg(pl.col(Col.COST).sum(), pl.len().cast(pl.Int64).alias(aggregate.ROWS))
        .collect()
    )
    cube = (
        grouped.with_columns(pl.col(GROUP).cast(pl.String))
        .join(prepared.slots, on=frames.SLOT, how="left")
        .drop(frames.SLOT)
        .sort(Col.CHARGE_DATE, GROUP, Col.BILLING_PERIOD_START, Col.INVOICE_ID, Col.CHARGE_TYPE, nulls_last=True)
    )
    in_period = filters.period_expression(period)
    others = {c: v for c, v in aggregate.cost_by_currency(cube.filter(in_period)).items() if c != currency}
    history = aggregate.in_currency(cube, currency)
    in_view = history.filter(in_period)
    return Selection(currency, period, scope, others, history, in_view, view.group_by, dataset.frame, dataset.later, view.filters, prepared)


def data_months(dataset: Dataset) -> list[date]:
    """The first day of each billing month the data set's charge dates fall in, oldest first (remembered per data set)."""

    def compute() -> list[date]:
        months = dataset.frame.get_column(Col.CHARGE_DATE).dt.month_start().unique().drop_nulls().sort()
        return [m for m in months.to_list() if isinstance(m, date)]

    return frames.prepared(dataset).memo(("data_months",), compute)


# Sources whose rows were written out once (downloaded files, a lake of exports): their periods come from the data.
PERIODS_FROM_DATA: Final = frozenset({"files", "lake"})


def period_choices_of(dataset: Dataset, as_of: date) -> list[PeriodChoice]:
    """The period picker's choices, default first: for files and lakes, the billing periods the data holds
    (``data_period_choices``: they hold what they hold, whenever they are opened); else counted back from ``as_of``."""
    if dataset.source not in PERIODS_FROM_DATA or dataset.frame.is_empty():
        return period_choices(as_of)
    return data_period_choices(data_months(dataset), dataset.as_of, dataset.last_period_open)


def data_period(dataset: Dataset) -> Period:
    """The span of the data set's charge dates (today only, when it has no rows)."""

    def compute() -> Period:
        dates = dataset.frame.get_column(Col.CHARGE_DATE)
        if dates.is_empty():
            return Period(dataset.as_of, dataset.as_of)
        return Period(dates.min(), dates.max())  # type: ignore[arg-type]

    return frames.prepared(dataset).memo(("data_period", dataset.as_of), compute)


@dataclass(frozen=True)
class Overview:
    """Everything the overview page draws."""

    selection: Selection
    headline: Headline
    daily: pl.DataFrame
    bills: list[PeriodBill]
    accumulated: pl.DataFrame
    estimate: Estimate | None  # None: the data's last period is closed (``Dataset.last_period_open``)
    colours: dict[str, str]
    azure_forecast: aggregate.AzureForecast | None = None  # live Azure only: Cost Management's forecast, shown beside the estimate

    @property
    def latest_period(self) -> Period:
        """The period the headline and the accumulated chart describe: the open one, or the latest closed one."""
        return self.estimate.period if self.estimate is not None else self.bills[-1].period


def ranked(dataset: Dataset, group_by: str) -> list[str]:
    """Group names of the whole data set, costliest first (stable colours across pages)."""
    prepared = frames.prepared(dataset)

    def compute() -> list[str]:
        frame = prepared.frame_for(group_by.startswith(TAG_PREFIX))
        grouped = frame.lazy().select(prepared.group_key(group_by).alias(GROUP), Col.COST).collect()
        return [str(g) for g in aggregate.cost_by(grouped, GROUP).get_column("group").to_list()]

    return prepared.memo(("ranked", group_by), compute)


def backtests(dataset: Dataset, view: View, as_of: date | None = None) -> tuple[str, dict[str, Backtest]]:
    """The estimate method the back-test picks for the view's selection, and both back-tests (remembered per view):
    the overview's estimate and its accuracy caption read the same back-test, made once."""
    as_of = as_of or dataset.as_of
    chosen = select(dataset, view)
    return frames.prepared(dataset).memo(("best method", view, as_of), lambda: best_method(chosen.cube, as_of))


def overview(dataset: Dataset, view: View, as_of: date | None = None) -> Overview:
    """Compute the overview page's figures and chart data (remembered per view and language: a new session on the
    same view, or a view chosen again, is not computed again).

    When the data's last billing period has ended (``Dataset.last_period_open`` is false: a file of a past month),
    every period is closed: no estimate, and the accumulated cost runs through that last period.
    """
    as_of = as_of or dataset.as_of
    return frames.prepared(dataset).memo(("overview", view, as_of, get_language()), lambda: _overview(dataset, view, as_of))


def _overview(dataset: Dataset, view: View, as_of: date) -> Overview:
    chosen = select(dataset, view)
    if not dataset.last_period_open:
        bills = aggregate.billing_history(chosen.cube, as_of, open_last=False)
        head = aggregate.headline(chosen.cube, chosen.cube_rows, chosen.currency, as_of, bills)
        daily = aggregate.daily_cost(chosen.cube_rows, GROUP, chosen.period)
        accumulated_closed = aggregate.closed_accumulated(chosen.cube, bills[-1].period)
        return Overview(chosen, head, daily, bills, accumulated_closed, None, colour_map(ranked(dataset, view.group_by)))
    estimate = aggregate.open_estimate(chosen.cube, as_of, backtests(dataset, view, as_of)[0])
    bills = aggregate.billing_history(chosen.cube, as_of, estimate)
    accumulated, estimate = aggregate.accumulated_cost(chosen.cube, as_of, estimate)
    forecast = None
    if dataset.live:
        if view.filters.active:
            forecast = aggregate.AzureForecast(None, None, _("it covers the whole scope and filters are set"))
        else:
            # Invoices and forecasts cover the whole scope: they only hold while nothing is filtered out.
            bills = aggregate.apply_outlook(bills, dataset.live, chosen.currency)
            forecast = aggregate.azure_forecast(dataset.live, chosen.currency, estimate.period)
    head = aggregate.headline(chosen.cube, chosen.cube_rows, chosen.currency, as_of, bills)
    daily = aggregate.daily_cost(chosen.cube_rows, GROUP, chosen.period)
    return Overview(chosen, head, daily, bills, accumulated, estimate, colour_map(ranked(dataset, view.group_by)), forecast)


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
    table = aggregate.cost_by(chosen.cube_rows, GROUP)
    daily = aggregate.daily_cost(chosen.cube_rows, GROUP, chosen.period)
    return Exploration(chosen, table, daily, colour_map(ranked(dataset, view.group_by)))


BILL_STATUS_LABELS = {"invoiced": N_("Invoiced"), "closed": N_("Closed (no invoice in data)"), "open": N_("Open: estimate")}


def bills_table(bills: list[PeriodBill], currency: str = "EUR") -> pl.DataFrame:
    """The billed-vs-estimate chart as a table (its text alternative).

    Four columns with a value in every cell (a narrow screen shows them whole): the open period's
    cost so far is part of its status, not a column empty for every other period.
    """
    return pl.DataFrame(
        {
            "period": [period_label(b.period) for b in bills],
            "status": [_bill_status(b, currency) for b in bills],
            "invoice": [", ".join(b.invoice_ids) or "–" for b in bills],
            "amount": [b.total for b in bills],
        }
    )


def _bill_status(bill: PeriodBill, currency: str) -> str:
    status = _(BILL_STATUS_LABELS[bill.status])
    if bill.status != "open":
        return status
    return _("{status}, so far {amount}").format(status=status, amount=money(bill.cost_so_far, currency))
