"""What the Budgets page and the overview show of the budgets; free of Streamlit."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import polars as pl

from lib.analysis import frames
from lib.analysis.budgets import FILTER_COLUMNS, Budget, BudgetStatus, status
from lib.analysis.views import View, scope_of
from lib.core.dataset import Dataset


def statuses(dataset: Dataset, budgets: Sequence[Budget]) -> list[BudgetStatus]:
    """Each budget's status over the whole data set (its own filters and currency), remembered per budget."""
    prepared = frames.prepared(dataset)
    return [prepared.memo(("budget", repr(b.as_dict()), dataset.as_of), partial(status, dataset.frame, b, dataset.as_of)) for b in budgets]


def matches_view(dataset: Dataset, budget: Budget, view: View, currency: str) -> bool:
    """Whether the overview's accumulated cost is the budget's own rows: same currency, same filters, whole data set."""
    scope = scope_of(dataset, view)
    if budget.currency != currency or (scope is not None and scope.match) or view.filters.tag_values:
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
            "amount": pl.Float64,
            "spent": pl.Float64,
            "used": pl.Float64,
            "estimate": pl.Float64,
            "reach_50": pl.Date,
            "reach_80": pl.Date,
            "breach": pl.Date,
        },
    )
