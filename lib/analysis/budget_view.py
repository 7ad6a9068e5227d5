"""What the Budgets page and the overview show of the budgets; free of Streamlit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Final

import polars as pl

from lib.analysis import frames
from lib.analysis.budgets import FILTER_COLUMNS, THRESHOLDS, Budget, BudgetError, BudgetStatus, budget_period, status
from lib.analysis.views import View, scope_of
from lib.azure.budgets import AzureBudget
from lib.azure.query import NOT_QUERIED
from lib.core.dataset import Dataset
from lib.core.fmt import share as fmt_share
from lib.core.i18n import _
from lib.core.models import Metric
from lib.core.periods import period_label

# Azure's time grains the dashboard can follow (calendar month, quarter, year) and its filter dimensions it can apply.
AZURE_GRAINS: Final = {"monthly": "monthly", "quarterly": "quarterly", "annually": "annually"}
AZURE_DIMENSIONS: Final = {
    "resourcegroupname": "resource_group",
    "resourcegroup": "resource_group",
    "metercategory": "service",
    "resourcelocation": "location",
    "subscriptionname": "subscription",
    "chargetype": "charge_type",
    "meter": "meter",
}


def grain_label(grain: str) -> str:
    """A time grain in the reader's language."""
    return {"monthly": _("Monthly"), "quarterly": _("Quarterly"), "annually": _("Annually")}.get(grain, grain)


def statuses(dataset: Dataset, budgets: Sequence[Budget]) -> list[BudgetStatus]:
    """Each budget's status over the whole data set (its own filters and currency), remembered per budget."""
    prepared = frames.prepared(dataset)
    return [prepared.memo(("budget", repr(b.as_dict()), dataset.as_of), partial(status, dataset.frame, b, dataset.as_of)) for b in budgets]


def matches_view(dataset: Dataset, budget: Budget, view: View, currency: str) -> bool:
    """Whether the overview's accumulated cost is the budget's own rows: a monthly budget, same currency, same filters,
    whole data set."""
    scope = scope_of(dataset, view)
    if budget.time_grain != "monthly" or budget.currency != currency or (scope is not None and scope.match) or view.filters.tag_values:
        return False
    chosen = {name: view.filters.values(col) for name, col in FILTER_COLUMNS.items()}
    wanted = {name: tuple(budget.filters.get(name, ())) for name in FILTER_COLUMNS}
    return {k: sorted(v) for k, v in chosen.items() if v} == {k: sorted(v) for k, v in wanted.items() if v}


def table(found: Sequence[BudgetStatus]) -> pl.DataFrame:
    """One row per budget: amount, spend, share used, estimate, and the day each threshold is (forecast to be) reached."""
    return pl.DataFrame(
        [
            {
                "name": s.budget.name,
                "filters": "; ".join(f"{k}: {', '.join(v)}" for k, v in s.budget.filters.items()),
                "grain": grain_label(s.budget.time_grain),
                "period": period_label(s.period),
                "amount": s.budget.amount,
                "spent": s.spent,
                "used": s.used,
                "estimate": s.estimate_total,
                "reach_50": s.threshold_days.get(0.5),
                "reach_80": s.threshold_days.get(0.8),
                "breach": s.breach_day,
            }
            for s in found
        ],
        schema={
            "name": pl.String,
            "filters": pl.String,
            "grain": pl.String,
            "period": pl.String,
            "amount": pl.Float64,
            "spent": pl.Float64,
            "used": pl.Float64,
            "estimate": pl.Float64,
            "reach_50": pl.Date,
            "reach_80": pl.Date,
            "breach": pl.Date,
        },
    )


@dataclass(frozen=True)
class AzureBudgetOutlook:
    """An Azure budget with the dashboard's forecast for it: from the loaded rows of the scope when they can say it
    (``status``), else only Azure's own forecast spend, with ``reason`` saying why."""

    azure: AzureBudget
    status: BudgetStatus | None
    reason: str

    @property
    def basis(self) -> str:
        """Where the forecast figures come from."""
        if self.status is not None:
            return _("dashboard's data for this scope")
        if self.azure.forecast_spend is not None:
            return _("Azure's forecast spend only, no date ({reason})").format(reason=self.reason)
        return _("no forecast ({reason})").format(reason=self.reason)


def _as_budget(dataset: Dataset, found: AzureBudget, currency: str, as_of: date) -> Budget | str:
    """The dashboard budget that counts what ``found`` counts over the loaded rows, or why there is none."""
    grain = AZURE_GRAINS.get(found.time_grain.lower())
    live = dataset.live
    if grain is None:
        return _("the {grain} grain follows the invoice period, which the loaded data do not give").format(grain=found.time_grain)
    if live is None:
        return _("the data are not a live load of this scope")
    if live.query.get("filters"):
        return _("the data were loaded with server-side filters")
    if live.query.get("metric", str(Metric.ACTUAL)) != str(Metric.ACTUAL):
        return _("Azure's budgets count actual cost and the data are amortized cost")
    if not found.filter_readable:
        return _("the budget's filter uses tags or conditions the dashboard does not apply")
    filters: dict[str, tuple[str, ...]] = {}
    for dimension, values in found.dimensions:
        name = AZURE_DIMENSIONS.get(dimension.lower())
        if name is None:
            return _("the budget filters on {dimension}, which the dashboard does not load").format(dimension=dimension)
        if NOT_QUERIED in dataset.frame.get_column(FILTER_COLUMNS[name]).cast(pl.String).unique().to_list():
            return _("the data were loaded without the {dimension} breakdown").format(dimension=dimension)
        filters[name] = filters.get(name, ()) + values
    try:
        start = date.fromisoformat(found.start[:10]) if found.start else None
        end = date.fromisoformat(found.end[:10]) if found.end else None
    except ValueError:
        return _("Azure gave no readable start and end dates")
    thresholds = tuple(sorted({*THRESHOLDS, *found.thresholds}))
    budget = Budget(found.name, found.amount, found.currency or currency, filters, thresholds, grain, start, end)
    period = budget_period(budget, as_of)
    if period is None:
        return _("the budget is not running on {day}").format(day=as_of.isoformat())
    loaded_from = str(live.query.get("from", ""))
    if loaded_from > period.start.isoformat():
        return _("the loaded data start on {start}, after the budget period's start on {period_start}").format(
            start=loaded_from, period_start=period.start.isoformat()
        )
    return budget


def azure_outlooks(dataset: Dataset, found: Sequence[AzureBudget], currency: str) -> list[AzureBudgetOutlook]:
    """Each Azure budget with the forecast breach date the loaded rows give it, where they can (remembered per budget)."""
    prepared = frames.prepared(dataset)
    result = []
    for azure in found:
        budget = _as_budget(dataset, azure, currency, dataset.as_of)
        if isinstance(budget, str):
            result.append(AzureBudgetOutlook(azure, None, budget))
            continue
        try:
            known = prepared.memo(("budget", repr(budget.as_dict()), dataset.as_of), partial(status, dataset.frame, budget, dataset.as_of))
        except BudgetError as error:
            result.append(AzureBudgetOutlook(azure, None, str(error)))
            continue
        result.append(AzureBudgetOutlook(azure, known, ""))
    return result


def azure_table(found: Sequence[AzureBudgetOutlook]) -> pl.DataFrame:
    """One row per Azure budget: Azure's own figures beside the dashboard's spend, estimate and threshold days."""
    return pl.DataFrame(
        [
            {
                "name": o.azure.name,
                "grain": o.azure.time_grain,
                "filters": o.azure.filters,
                "amount": o.azure.amount,
                "spent": o.azure.current_spend,
                "forecast": o.azure.forecast_spend,
                "thresholds": ", ".join(fmt_share(t) for t in o.azure.thresholds),
                "period": period_label(o.status.period) if o.status else None,
                "dashboard_spent": o.status.spent if o.status else None,
                "estimate": o.status.estimate_total if o.status else None,
                "reach_50": o.status.threshold_days.get(0.5) if o.status else None,
                "reach_80": o.status.threshold_days.get(0.8) if o.status else None,
                "breach": o.status.breach_day if o.status else None,
                "basis": o.basis,
            }
            for o in found
        ],
        schema={
            "name": pl.String,
            "grain": pl.String,
            "filters": pl.String,
            "amount": pl.Float64,
            "spent": pl.Float64,
            "forecast": pl.Float64,
            "thresholds": pl.String,
            "period": pl.String,
            "dashboard_spent": pl.Float64,
            "estimate": pl.Float64,
            "reach_50": pl.Date,
            "reach_80": pl.Date,
            "breach": pl.Date,
            "basis": pl.String,
        },
    )
