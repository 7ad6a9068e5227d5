"""The machine-readable summary of a data set: what ``lib.cli summarize --json`` prints.

The dashboard shows the same numbers: both call the functions in ``lib.analysis.aggregate``.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from lib.analysis import aggregate, filters, frames
from lib.analysis.currencies import main_currency
from lib.core.dataset import Dataset
from lib.core.models import Period, Scope
from lib.core.schema import Col, source_rows

DECIMALS = 6  # well below a cent, so sums reconcile after rounding to cents


def _nested(frame: pl.DataFrame, key_text: pl.Expr) -> dict[str, dict[str, float]]:
    grouped = frame.group_by(key_text.alias("k"), Col.BILLING_CURRENCY).agg(pl.col(Col.COST).sum()).sort("k", Col.BILLING_CURRENCY)
    result: dict[str, dict[str, float]] = {}
    for name, currency, cost in grouped.iter_rows():
        result.setdefault(str(name), {})[currency] = round(cost, DECIMALS)
    return result


def summarize(
    dataset: Dataset,
    *,
    scope: Scope | None = None,
    period: Period | None = None,
    chosen: filters.Filters | None = None,
    extra_warnings: Iterable[str] = (),
) -> dict[str, object]:
    """Summarize ``dataset`` within scope, period and filters as JSON-ready values."""
    chosen = chosen or filters.Filters()
    history = frames.filtered_rows(dataset, chosen, scope=scope)
    frame = filters.apply(history, filters.Filters(), period=period)
    dates = frame.get_column(Col.CHARGE_DATE)
    billed = frame.filter(pl.col(Col.INVOICE_ID).is_not_null())
    warnings = [*dataset.warnings, *extra_warnings]
    warnings += [f"{d.rows} rows dropped: {d.reason}" for d in dataset.dropped]
    currency = main_currency(frame)
    headline = None
    if currency is not None:
        headline = aggregate.headline(
            aggregate.in_currency(history, currency),
            aggregate.in_currency(frame, currency),
            currency,
            dataset.as_of,
            open_last=dataset.last_period_open,
        ).as_dict()
    return {
        "format": dataset.format,
        "schema_version": dataset.schema_version,
        "agreement": str(dataset.agreement),
        "metric": str(dataset.metric),
        "source": dataset.source,
        "as_of": dataset.as_of.isoformat(),
        "scope": scope.id if scope else None,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()} if period else None,
        "rows": source_rows(frame),
        "rows_read": source_rows(dataset.frame) + sum(d.rows for d in dataset.dropped),
        "rows_dropped": sum(d.rows for d in dataset.dropped),
        "date_min": dates.min().isoformat() if frame.height else None,  # type: ignore[union-attr]
        "date_max": dates.max().isoformat() if frame.height else None,  # type: ignore[union-attr]
        "is_estimate": dataset.is_estimate,
        "cost_by_currency": {k: round(v, DECIMALS) for k, v in aggregate.cost_by_currency(frame).items()},
        "billed_cost_by_currency": {k: round(v, DECIMALS) for k, v in aggregate.cost_by_currency(billed).items()},
        "cost_by_service": _nested(frame, pl.col(Col.SERVICE)),
        "cost_by_day": _nested(frame, pl.col(Col.CHARGE_DATE).cast(pl.String)),
        "headline": headline,
        "notes": list(dataset.notes),
        "warnings": warnings,
    }
