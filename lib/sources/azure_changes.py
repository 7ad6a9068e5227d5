"""Live Azure for the change decomposition: Query API totals per (resource id, meter) for each period.

The dashboard's daily query groups by service and one chosen dimension and carries no quantity, so it
cannot tell a new resource from a price rise. The Query API allows only two grouping dimensions, so the
decomposition asks, per period and calendar month, two totals queries (granularity ``None``):

1. usage: grouped by ``ResourceId`` and ``Meter``, summing ``Cost`` and ``UsageQuantity``, filtered to the
   usage charge types (``lib.analysis.changes.USAGE_CHARGE_TYPES``), so every row is usage of one resource and meter;
2. everything else: grouped by ``ChargeType`` and ``Meter``; the usage charge types are dropped here, what is
   left (purchases, refunds, adjustments…) is the one-off part, by charge type and meter, without a resource id.

The currency comes back as its own column, so the two grouping dimensions stay free. The sidebar's filters
are sent as the query's filter (service → ``MeterCategory``, resource group → ``ResourceGroupName``…).
The resource group of a row is read from its resource id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Final

import polars as pl

from lib.analysis.changes import USAGE_CHARGE_TYPES
from lib.analysis.filters import Filters
from lib.azure.query import fetch_pages, month_chunks
from lib.core.dataset import SourceError
from lib.core.i18n import _
from lib.core.models import Metric, Period
from lib.core.schema import UNTAGGED, Col, conform

USAGE_GROUPING: Final = ("ResourceId", "Meter")
ONE_OFF_GROUPING: Final = ("ChargeType", "Meter")
# Sidebar filter column → the Query API dimension that holds the same values.
FILTER_DIMENSIONS: Final[dict[Col, str]] = {
    Col.SERVICE: "MeterCategory",
    Col.RESOURCE_GROUP: "ResourceGroupName",
    Col.SUBSCRIPTION_NAME: "SubscriptionName",
    Col.LOCATION: "ResourceLocation",
    Col.CHARGE_TYPE: "ChargeType",
    Col.PRICING_MODEL: "PricingModel",
    Col.METER: "Meter",
}
_RESULT: Final = {
    "cost": Col.COST,
    "pretaxcost": Col.COST,
    "usagequantity": Col.QUANTITY,
    "currency": Col.BILLING_CURRENCY,
    "resourceid": Col.RESOURCE_ID,
    "meter": Col.METER,
    "chargetype": Col.CHARGE_TYPE,
}


def server_filters(filters: Filters) -> tuple[list[dict[str, Any]], list[str]]:
    """The sidebar's filters as Query API filter expressions, and notes on any part that cannot be sent."""
    parts: list[dict[str, Any]] = []
    notes: list[str] = []
    for col, values in filters.dimensions:
        name = FILTER_DIMENSIONS.get(col)
        if name is None:
            notes.append(_("The filter on {column} cannot be sent to Azure and is not applied here.").format(column=col))
            continue
        parts.append({"dimensions": {"name": name, "operator": "In", "values": list(values)}})
    if filters.tag_key and filters.tag_values:
        wanted = [v for v in filters.tag_values if v != UNTAGGED]
        if len(wanted) != len(filters.tag_values):
            notes.append(_("Rows without the tag cannot be asked of Azure: only the tagged values are applied."))
        if wanted:
            parts.append({"tags": {"name": filters.tag_key, "operator": "In", "values": wanted}})
    return parts, notes


def _and(parts: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"and": list(parts)}  # "and" needs at least two expressions


def query_body(chunk: Period, metric: Metric, grouping: Sequence[str], filters: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One totals query over ``chunk``: ``Cost`` and ``UsageQuantity`` summed, grouped by the two ``grouping`` dimensions."""
    dataset: dict[str, Any] = {
        "granularity": "None",
        "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}, "totalQuantity": {"name": "UsageQuantity", "function": "Sum"}},
        "grouping": [{"type": "Dimension", "name": name} for name in grouping],
    }
    condition = _and(filters)
    if condition is not None:
        dataset["filter"] = condition
    return {
        "type": "AmortizedCost" if metric is Metric.AMORTIZED else "ActualCost",
        "timeframe": "Custom",
        "timePeriod": {"from": f"{chunk.start.isoformat()}T00:00:00Z", "to": f"{chunk.end.isoformat()}T23:59:59Z"},
        "dataset": dataset,
    }


def _frame(columns: list[str], rows: list[list[Any]], day: date) -> pl.DataFrame:
    """Query rows as canonical rows charged on ``day`` (the chunk's first day)."""
    by_name = {c.lower(): i for i, c in enumerate(columns)}
    data: dict[str, list[Any]] = {}
    for key, col in _RESULT.items():
        index = by_name.get(key)
        if index is not None and col not in data:
            data[col] = [r[index] if index < len(r) else None for r in rows]
    if Col.COST not in data:
        raise SourceError(_("the query result has no cost column (columns: {columns})").format(columns=", ".join(columns)))
    frame = pl.DataFrame(
        {name: [None if v is None else str(v) for v in values] for name, values in data.items()}, schema=dict.fromkeys(data, pl.String)
    )
    text = [c for c in (Col.RESOURCE_ID, Col.METER, Col.CHARGE_TYPE, Col.BILLING_CURRENCY) if c in frame.columns]
    frame = frame.with_columns(
        *(pl.col(c).str.strip_chars().replace("", None) for c in text),
        pl.col(Col.COST).cast(pl.Float64, strict=False),
        *([pl.col(Col.QUANTITY).cast(pl.Float64, strict=False)] if Col.QUANTITY in frame.columns else []),
        pl.lit(day).alias(Col.CHARGE_DATE),
        pl.lit(day.replace(day=1)).alias(Col.BILLING_PERIOD_START),
    )
    if Col.RESOURCE_ID in frame.columns:
        group = pl.col(Col.RESOURCE_ID).str.extract(r"(?i)/resourcegroups/([^/]+)", 1)
        frame = frame.with_columns(group.alias(Col.RESOURCE_GROUP))
    return frame


def query_frame(
    client: Any,
    scope_id: str,
    periods: Sequence[Period],
    metric: Metric,
    filters: Filters,
    *,
    max_pages: int = 200,
    progress: Callable[[str], None] | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """Canonical rows (resource id, meter, charge type, quantity, cost, currency) covering ``periods``, and notes.

    Each calendar month of each period is asked separately (a month is the Query API's unit of work); its rows
    are dated on the month part's first day, so ``lib.analysis.changes.compare`` finds them inside the period.
    """
    sent, notes = server_filters(filters)
    usage_filter = {"dimensions": {"name": "ChargeType", "operator": "In", "values": list(USAGE_CHARGE_TYPES)}}
    frames: list[pl.DataFrame] = []
    for period in periods:
        for chunk in month_chunks(period):
            for grouping, extra in ((USAGE_GROUPING, [usage_filter]), (ONE_OFF_GROUPING, [])):
                if progress:
                    progress(
                        _("{from_day} to {to_day}: totals by {dimensions}").format(
                            from_day=chunk.start.isoformat(), to_day=chunk.end.isoformat(), dimensions=" + ".join(grouping)
                        )
                    )
                body = query_body(chunk, metric, grouping, [*extra, *sent])
                columns, rows, _pages = fetch_pages(client, scope_id, body, max_pages=max_pages)
                frame = _frame(columns, rows, chunk.start)
                if grouping == ONE_OFF_GROUPING and Col.CHARGE_TYPE in frame.columns:
                    frame = frame.filter(~pl.col(Col.CHARGE_TYPE).is_in(list(USAGE_CHARGE_TYPES)))
                frames.append(frame)
    found = [f for f in frames if f.height]
    combined = conform(pl.concat(found, how="diagonal_relaxed")) if found else conform(pl.DataFrame())
    return combined, notes
