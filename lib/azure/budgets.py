"""Azure's own budgets for a scope (Consumption Budgets API), read-only: amount, grain, filters, thresholds, spend.

Notification recipients (e-mail addresses, groups, roles) are never read into the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

from lib.azure.clients import Clients
from lib.azure.errors import explain
from lib.core.dataset import SourceError


@dataclass(frozen=True)
class AzureBudget:
    """One budget as Azure holds it."""

    name: str
    amount: float
    time_grain: str
    thresholds: tuple[float, ...]  # enabled notification thresholds, as fractions of the amount
    current_spend: float | None  # Azure's last evaluated spend in the current period
    currency: str | None
    forecast_spend: float | None
    filters: str  # a short description of the filter (dimension names and values), empty for none
    start: str | None
    end: str | None
    # The filter as the dashboard can apply it: Azure dimension → values, each an ``In`` condition, all of them ANDed;
    # ``filter_readable`` is False when the filter holds anything else (tags, other operators, ``or``, ``not``).
    dimensions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    filter_readable: bool = True


def _conditions(found: Any) -> tuple[list[tuple[str, tuple[str, ...]]], bool]:
    """The filter's dimension conditions, and whether they are all it holds (only ``In`` dimensions under ``and``)."""
    if not found:
        return [], True
    readable = getattr(found, "tags", None) is None and not getattr(found, "or_property", None) and not getattr(found, "not_property", None)
    conditions: list[tuple[str, tuple[str, ...]]] = []
    condition = getattr(found, "dimensions", None)
    if condition is not None:
        operator = str(getattr(condition.operator, "value", condition.operator) or "In")
        readable = readable and operator.lower() == "in" and bool(getattr(condition, "name", None))
        conditions.append((str(condition.name), tuple(str(v) for v in (condition.get("values") or []))))
    for item in getattr(found, "and_property", None) or []:
        inner, inner_readable = _conditions(item)
        conditions.extend(inner)
        readable = readable and inner_readable
    return conditions, readable


def _filter_text(found: Any) -> str:
    if not found:
        return ""
    parts = []
    for kind in ("dimensions", "tags"):
        condition = getattr(found, kind, None)
        if condition is not None and getattr(condition, "name", None):
            # The SDK's models are mappings too: ``.values`` is the mapping's method, the field is ``["values"]``.
            values = [str(v) for v in (condition.get("values") or [])]
            operator = getattr(condition.operator, "value", condition.operator) or "In"
            parts.append(f"{condition.name} {operator} {', '.join(values)}")
    for item in getattr(found, "and_property", None) or []:
        parts.append(_filter_text(item))
    return "; ".join(p for p in parts if p)


def read_budgets(clients: Clients, scope: str) -> list[AzureBudget]:
    """The budgets defined on ``scope``.

    Raises:
        SourceError: with Azure's reason in words (no access, throttled, unreachable...).
    """
    client = clients.consumption()
    try:
        found = list(client.budgets.list(scope.strip("/")))
    except (HttpResponseError, ServiceRequestError, ServiceResponseError) as error:
        raise SourceError(explain(error, scope_id=scope, endpoint=clients.settings.arm_endpoint)) from None
    result = []
    for budget in found:
        props = budget.properties
        if props is None or props.amount is None:
            continue
        notifications = (props.notifications or {}).values()
        thresholds = tuple(sorted({float(n.threshold) / 100 for n in notifications if n.enabled and n.threshold is not None}))
        spend, forecast = props.current_spend, props.forecast_spend
        period = props.time_period
        dimensions, readable = _conditions(props.filter)
        result.append(
            AzureBudget(
                name=str(budget.name),
                amount=float(props.amount),
                time_grain=str(getattr(props.time_grain, "value", props.time_grain) or ""),
                thresholds=thresholds,
                current_spend=float(spend.amount) if spend is not None and spend.amount is not None else None,
                currency=spend.unit if spend is not None else None,
                forecast_spend=float(forecast.amount) if forecast is not None and forecast.amount is not None else None,
                filters=_filter_text(props.filter),
                start=str(period.start_date) if period is not None and period.start_date else None,
                end=str(period.end_date) if period is not None and period.end_date else None,
                dimensions=tuple(dimensions),
                filter_readable=readable,
            )
        )
    return result
