"""Daily cost through the Cost Management Query API, page by page, month by month.

The SDK's ``query.usage`` makes one POST and does not page: the next page is fetched by POSTing
the same body to ``nextLink`` (the URL already carries ``$skiptoken``) until it is empty. Long
periods are split into calendar months (Daily queries are limited to about a month, and Azure
charges one query unit per month of data). Queries run one after another, never in parallel
against a scope.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

import polars as pl
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError, map_error
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat

from lib.core import fmt
from lib.core.i18n import N_, _
from lib.core.models import Metric, Period
from lib.core.periods import add_months, month_end
from lib.core.schema import DIMENSIONS, TAG_KEY, TAG_PREFIX, TAG_TYPE, TAG_VALUE, UNASSIGNED, Col, conform

API_VERSION: Final = "2025-03-01"
SERVICE_DIMENSION: Final = "MeterCategory"  # Azure's service name is the meter category
NOT_QUERIED: Final = "(not queried)"

# Dimensions a user can pick as the second grouping (Azure name → canonical column).
SECOND_DIMENSIONS: Final[dict[str, Col]] = {
    "ResourceGroupName": Col.RESOURCE_GROUP,
    "SubscriptionName": Col.SUBSCRIPTION_NAME,
    "SubscriptionId": Col.SUBSCRIPTION_ID,
    "ResourceLocation": Col.LOCATION,
    "ChargeType": Col.CHARGE_TYPE,
    "PricingModel": Col.PRICING_MODEL,
    "Meter": Col.METER,
    "ResourceId": Col.RESOURCE_ID,
    "InvoiceId": Col.INVOICE_ID,
    "BillingProfileName": Col.BILLING_PROFILE,
    "InvoiceSectionName": Col.INVOICE_SECTION,
}
# Result column (lower-cased) → canonical column, for columns other than the chosen grouping.
RESULT_COLUMNS: Final[dict[str, Col]] = {
    "cost": Col.COST,
    "pretaxcost": Col.COST,
    "costusd": Col.COST_USD,
    "pretaxcostusd": Col.COST_USD,
    "usagedate": Col.CHARGE_DATE,
    "billingmonth": Col.CHARGE_DATE,
    "currency": Col.BILLING_CURRENCY,
    "metercategory": Col.SERVICE,
    "servicename": Col.SERVICE,
}
_TEXT_COLUMNS = (*DIMENSIONS, Col.SUBSCRIPTION_ID, Col.RESOURCE_ID, Col.BILLING_PROFILE, Col.INVOICE_SECTION)

PageCallback = Callable[[int, int], None]  # (pages fetched so far in this chunk, rows so far in this chunk)


class TooManyPagesError(Exception):
    """The result has more pages than allowed; nothing is returned rather than a silent part."""


@dataclass(frozen=True)
class QuerySpec:
    """One query: scope, period, metric, second grouping and server-side filters (hashable, a cache key)."""

    scope_id: str
    period: Period
    metric: Metric = Metric.ACTUAL
    group_by: str | None = "ResourceGroupName"  # an entry of SECOND_DIMENSIONS, ``tag:KEY`` or None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())  # Azure dimension → values (``tag:KEY`` for tags)


def month_chunks(period: Period) -> list[Period]:
    """``period`` split at calendar-month boundaries."""
    chunks = []
    start = period.start
    while start <= period.end:
        end = min(month_end(start), period.end)
        chunks.append(Period(start, end))
        start = add_months(start, 1)
    return chunks


def _grouping(group_by: str) -> dict[str, str]:
    if group_by.startswith(TAG_PREFIX):
        return {"type": "TagKey", "name": group_by.removeprefix(TAG_PREFIX)}
    if group_by not in SECOND_DIMENSIONS:
        raise ValueError(
            _("cannot group by {value}: choose one of {dimensions} or tag:KEY").format(
                value=repr(group_by), dimensions=", ".join(SECOND_DIMENSIONS)
            )
        )
    return {"type": "Dimension", "name": group_by}


def _filter(filters: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, Any] | None:
    parts: list[dict[str, Any]] = []
    for name, values in filters:
        if not values:
            continue
        if name.startswith(TAG_PREFIX):
            parts.append({"tags": {"name": name.removeprefix(TAG_PREFIX), "operator": "In", "values": list(values)}})
        else:
            parts.append({"dimensions": {"name": name, "operator": "In", "values": list(values)}})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"and": parts}  # "and" needs at least two expressions


def query_body(spec: QuerySpec, chunk: Period) -> dict[str, Any]:
    """The wire body of one month's Daily query (plain dict: the 5.0 models accept it as is)."""
    grouping = [{"type": "Dimension", "name": SERVICE_DIMENSION}]
    if spec.group_by:
        grouping.append(_grouping(spec.group_by))
    dataset: dict[str, Any] = {
        "granularity": "Daily",
        "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}, "totalCostUSD": {"name": "CostUSD", "function": "Sum"}},
        "grouping": grouping,
    }
    condition = _filter(spec.filters)
    if condition is not None:
        dataset["filter"] = condition
    return {
        "type": "AmortizedCost" if spec.metric is Metric.AMORTIZED else "ActualCost",
        "timeframe": "Custom",
        "timePeriod": {"from": f"{chunk.start.isoformat()}T00:00:00Z", "to": f"{chunk.end.isoformat()}T23:59:59Z"},
        "dataset": dataset,
    }


def raise_for_response(response: Any) -> None:
    """Raise the same typed errors the SDK raises for a raw response (401 → ClientAuthenticationError…)."""
    if response.status_code in (200, 204):
        return
    map_error(response.status_code, response, {401: ClientAuthenticationError, 404: ResourceNotFoundError})
    raise HttpResponseError(response=response, error_format=ARMErrorFormat)


def _columns_rows(page: Mapping[str, Any] | None) -> tuple[list[str], list[list[Any]], str | None]:
    if page is None:
        return [], [], None
    properties = page.get("properties") or {}
    columns = [str(c.get("name")) for c in properties.get("columns") or []]
    return columns, [list(r) for r in properties.get("rows") or []], properties.get("nextLink") or None


def fetch_pages(
    client: Any,
    scope_id: str,
    body: dict[str, Any],
    *,
    max_pages: int,
    on_page: PageCallback | None = None,
    operation: str = "query",
) -> tuple[list[str], list[list[Any]], int]:
    """All rows of one query: the first page through the SDK, the rest by POSTing ``body`` to ``nextLink``.

    ``operation`` is ``"query"`` (``client.query.usage``) or ``"forecast"`` (``client.forecast.usage``).

    Returns:
        Column names, rows and the number of pages fetched.

    Raises:
        TooManyPagesError: when more than ``max_pages`` pages would be needed.
        HttpResponseError: (and subclasses) as the SDK raises them.
    """
    first = getattr(client, operation).usage(scope_id, body)
    columns, rows, next_link = _columns_rows(first)
    pages = 1
    if on_page:
        on_page(pages, len(rows))
    while next_link:
        if pages >= max_pages:
            raise TooManyPagesError(
                _("the result has more than {pages} pages ({rows} rows so far)").format(pages=max_pages, rows=fmt.count(len(rows)))
            )
        response = client.send_request(HttpRequest("POST", next_link, json=body))
        raise_for_response(response)
        page = response.json() if response.status_code == 200 else None
        page_columns, page_rows, next_link = _columns_rows(page)
        if page_columns and columns and [c.lower() for c in page_columns] != [c.lower() for c in columns]:
            raise HttpResponseError(message=f"page {pages + 1} has different columns ({page_columns}) than page 1 ({columns})")
        columns = columns or page_columns
        rows.extend(page_rows)
        pages += 1
        if on_page:
            on_page(pages, len(rows))
    return columns, rows, pages


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    return str(value)


def raw_frame(columns: list[str], rows: list[list[Any]]) -> pl.DataFrame:
    """The rows exactly as Azure returned them, every cell as text, columns named as Azure named them."""
    data = {name: [_text(r[i]) if i < len(r) else None for r in rows] for i, name in enumerate(columns)}
    return pl.DataFrame(data, schema={name: pl.String for name in columns})


def _date_expr(cell: pl.Expr) -> pl.Expr:
    text = cell.str.strip_chars()
    compact = text.str.strptime(pl.Date, "%Y%m%d", strict=False)
    iso = text.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    return pl.coalesce(compact, iso)


def _dimension_text(cell: pl.Expr) -> pl.Expr:
    cleaned = cell.str.strip_chars()
    return pl.when(cleaned.is_null() | (cleaned == "")).then(pl.lit(UNASSIGNED)).otherwise(cleaned)


@dataclass(frozen=True)
class Normalized:
    """Canonical rows, rows dropped with reasons, and notes."""

    frame: pl.DataFrame
    dropped: tuple[tuple[str, int], ...]
    notes: tuple[str, ...]


def normalize_rows(raw: pl.DataFrame, group_by: str | None) -> Normalized:
    """Map query rows (text cells) onto the canonical schema; ``SourceRow`` indexes ``raw``.

    Dimensions that were not queried hold ``NOT_QUERIED`` so charts and filters stay honest.
    """
    by_key = {c.lower(): c for c in raw.columns}
    exprs: list[pl.Expr] = []
    seen: set[Col] = set()
    second = SECOND_DIMENSIONS.get(group_by or "")
    for key, col in RESULT_COLUMNS.items():
        if key in by_key and col not in seen:
            seen.add(col)
            cell = pl.col(by_key[key])
            if col is Col.CHARGE_DATE:
                exprs.append(_date_expr(cell).alias(col))
            elif col in (Col.COST, Col.COST_USD):
                exprs.append(cell.str.strip_chars().cast(pl.Float64, strict=False).alias(col))
            elif col is Col.SERVICE:
                exprs.append(_dimension_text(cell).alias(col))
            else:
                exprs.append(cell.str.strip_chars().alias(col))
    if second is not None and group_by and group_by.lower() in by_key:
        cell = pl.col(by_key[group_by.lower()])
        exprs.append((cell.str.strip_chars().replace("", None) if second is Col.INVOICE_ID else _dimension_text(cell)).alias(second))
        seen.add(second)
    frame = raw.select(exprs).with_row_index(Col.SOURCE_ROW)
    if group_by and group_by.startswith(TAG_PREFIX):
        frame = frame.with_columns(raw.select(_tags(raw, group_by.removeprefix(TAG_PREFIX))).to_series())
        seen.add(Col.TAGS)
    missing = [c for c in _TEXT_COLUMNS if c not in seen and c is not Col.INVOICE_ID]
    frame = frame.with_columns([pl.lit(NOT_QUERIED).alias(c) for c in missing])
    dropped: list[tuple[str, int]] = []
    for col, absent, unreadable in (
        (
            Col.CHARGE_DATE,
            N_("the query result has no date column (columns: {columns})"),
            N_("date missing or unreadable in the query result"),
        ),
        (Col.COST, N_("the query result has no cost column (columns: {columns})"), N_("cost missing or unreadable in the query result")),
    ):
        if col not in frame.columns:
            raise ValueError(_(absent).format(columns=", ".join(raw.columns)))
        bad = frame.filter(pl.col(col).is_null()).height
        if bad:
            dropped.append((_(unreadable), bad))
            frame = frame.filter(pl.col(col).is_not_null())
    frame = frame.with_columns(pl.col(Col.CHARGE_DATE).dt.month_start().alias(Col.BILLING_PERIOD_START))
    notes = []
    if missing:
        notes.append(
            _(
                "Only the service and the chosen breakdown were queried from Azure; other dimensions show "
                "'{value}'. Pick another breakdown in the sidebar to see them."
            ).format(value=NOT_QUERIED)
        )
    return Normalized(conform(frame), tuple(dropped), tuple(notes))


def _tags(raw: pl.DataFrame, key: str) -> pl.Expr:
    by_key = {c.lower(): c for c in raw.columns}
    value_column = by_key.get("tagvalue") or by_key.get("tag")
    if value_column is None:
        return pl.lit([], dtype=TAG_TYPE).alias(Col.TAGS)
    key_column = by_key.get("tagkey")
    key_expr = pl.col(key_column) if key_column and value_column != by_key.get("tag") else pl.lit(key)
    value = pl.col(value_column).str.strip_chars()
    tag = pl.concat_list(pl.struct(key_expr.fill_null(key).alias(TAG_KEY), value.alias(TAG_VALUE)))
    return pl.when(value.is_null() | (value == "")).then(pl.lit([], dtype=TAG_TYPE)).otherwise(tag).cast(TAG_TYPE).alias(Col.TAGS)


def covered_days(frame: pl.DataFrame) -> tuple[date, date] | None:
    """First and last charge date present."""
    dates = frame.get_column(Col.CHARGE_DATE).drop_nulls()
    if dates.is_empty():
        return None
    return dates.min(), dates.max()  # type: ignore[return-value]


def days_after(day: date, days: int) -> date:
    """``day`` plus ``days`` days."""
    return day + timedelta(days=days)
