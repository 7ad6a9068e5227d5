"""The estimate to period end (Forecast API) and billed amounts per closed period (Billing API invoices).

Both are optional extras: when a scope has no forecast or no invoices, the dashboard falls back to
its own estimate and to the closed periods' final actual cost, and the extras say so.

``Dataset.live.forecast`` (``forecast_extra``)::

    {"source": "Cost Management forecast API" | "dashboard estimate",
     "available": bool, "reason": str,                 # reason: why the API's forecast is not used
     "period_start": "YYYY-MM-DD", "period_end": "YYYY-MM-DD",
     "currency": "EUR" | None,
     "actual_to_date": float, "forecast_rest": float, "total": float,
     "daily": [{"date": "YYYY-MM-DD", "cost": float, "status": "Actual" | "Forecast"}]}

``Dataset.live.invoices`` (``invoice_extra`` / ``final_cost_extra``), one entry per invoice or
per closed period and currency, oldest first::

    [{"kind": "invoice" | "final_actual_cost", "invoice_id": str | None,
      "period_start": "YYYY-MM-DD", "period_end": "YYYY-MM-DD",
      "amount": float, "currency": str, "status": str | None, "invoice_date": "YYYY-MM-DD" | None,
      "total": float, "tax": float, "credits": float, "invoice_type": str | None}]  # invoices only: see lib.analysis.billing

with ``Dataset.live.invoices_source`` saying which of the two it is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

import polars as pl
from azure.core.exceptions import AzureError

from lib.azure.clients import Clients
from lib.azure.errors import explain
from lib.azure.query import fetch_pages
from lib.azure.scopes import segment_value
from lib.azure.throttle import ThrottledError
from lib.azure.wire import get_field as _get
from lib.core.i18n import N_, _
from lib.core.models import Agreement, Metric, Period, ScopeKind
from lib.core.schema import Col

FORECAST_SOURCE: Final = "Cost Management forecast API"
FALLBACK_SOURCE: Final = "dashboard estimate"
# English in the extras (they are data); shown through ``_()``.
INVOICES_SOURCE: Final = N_("Billing API invoices")
FINAL_COST_SOURCE: Final = N_("final actual cost from Cost Management (no invoices at this scope)")


def forecast_body(metric: Metric, period: Period) -> dict[str, Any]:
    """Wire body of a daily forecast over the whole open period, actual cost included."""
    return {
        "type": "AmortizedCost" if metric is Metric.AMORTIZED else "ActualCost",
        "timeframe": "Custom",
        "timePeriod": {"from": f"{period.start.isoformat()}T00:00:00Z", "to": f"{period.end.isoformat()}T23:59:59Z"},
        "dataset": {"granularity": "Daily", "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}}},
        "includeActualCost": True,
        "includeFreshPartialCost": False,
    }


def fallback(period: Period, reason: str) -> dict[str, object]:
    """The forecast extra when Azure's forecast is not used: the dashboard's own estimate applies."""
    return {
        "source": FALLBACK_SOURCE,
        "available": False,
        "reason": reason,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "currency": None,
        "actual_to_date": None,
        "forecast_rest": None,
        "total": None,
        "daily": [],
    }


def _day(value: Any) -> date | None:
    text = str(value).strip()
    try:
        if text.isdigit() and len(text) == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def forecast_extra(client: Any, scope_id: str, metric: Metric, period: Period, as_of: date, *, max_pages: int) -> dict[str, object]:
    """The forecast to the end of the open ``period``, or the fallback with the reason."""
    if as_of >= period.end:
        return fallback(period, _("the billing period ends today, nothing left to forecast"))
    try:
        columns, rows, _pages = fetch_pages(client, scope_id, forecast_body(metric, period), max_pages=max_pages, operation="forecast")
    except (AzureError, ThrottledError) as error:
        return fallback(period, _("Azure gave no forecast for this scope: {reason}").format(reason=explain(error, scope_id=scope_id)))
    index = {c.lower(): i for i, c in enumerate(columns)}
    cost_i = index.get("cost", index.get("pretaxcost"))
    date_i, status_i, currency_i = index.get("usagedate"), index.get("coststatus"), index.get("currency")
    if cost_i is None or date_i is None or not rows:
        return fallback(period, _("Azure returned no forecast rows (a forecast needs about a month of history)"))
    currencies = {str(r[currency_i]) for r in rows} if currency_i is not None else set()
    if len(currencies) > 1:
        return fallback(period, _("the forecast mixes currencies ({currencies})").format(currencies=", ".join(sorted(currencies))))
    daily = []
    for row in rows:
        day = _day(row[date_i])
        if day is None or row[cost_i] is None:
            continue
        status = str(row[status_i]) if status_i is not None else ("Actual" if day <= as_of else "Forecast")
        daily.append({"date": day.isoformat(), "cost": float(row[cost_i]), "status": status})
    daily.sort(key=lambda d: (str(d["date"]), str(d["status"])))
    actual = sum(float(str(d["cost"])) for d in daily if str(d["status"]).lower() == "actual")
    rest = sum(float(str(d["cost"])) for d in daily if str(d["status"]).lower() == "forecast")
    return {
        "source": FORECAST_SOURCE,
        "available": True,
        "reason": "",
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "currency": next(iter(currencies), None),
        "actual_to_date": actual,
        "forecast_rest": rest,
        "total": actual + rest,
        "daily": daily,
    }


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    if value:
        return str(value)[:10]
    return None


def _invoice(item: Any) -> dict[str, object] | None:
    amount = None
    for field in ("billedAmount", "totalAmount", "subTotal", "amountDue"):
        value = _get(item, "properties", field, "value")
        if value is not None:
            amount, currency = float(value), _get(item, "properties", field, "currency")
            break
    start = _iso(_get(item, "properties", "invoicePeriodStartDate"))
    end = _iso(_get(item, "properties", "invoicePeriodEndDate"))
    if amount is None or start is None or end is None:
        return None
    return {
        "kind": "invoice",
        "invoice_id": _get(item, "name"),
        "period_start": start,
        "period_end": end,
        "amount": amount,
        "currency": str(currency or ""),
        "status": _get(item, "properties", "status"),
        "invoice_date": _iso(_get(item, "properties", "invoiceDate")),
        **_reconciling(item, amount),
    }


def _reconciling(item: Any, amount: float) -> dict[str, object]:
    """The invoice's total with its tax and credits (``lib.analysis.billing`` reconciles usage with them).

    ``totalAmount`` is taken as the amount charged with tax and after credits; without it the amount
    above stands and no tax or credits are claimed.
    """
    total = _get(item, "properties", "totalAmount", "value")
    credits = 0.0
    for field in ("creditAmount", "azurePrepaymentApplied", "freeAzureCreditApplied"):
        value = _get(item, "properties", field, "value")
        credits -= abs(float(value)) if value is not None else 0.0
    tax = _get(item, "properties", "taxAmount", "value")
    return {
        "total": float(total) if total is not None else amount,
        "tax": float(tax) if total is not None and tax is not None else 0.0,
        "credits": credits if total is not None else 0.0,
        "invoice_type": _get(item, "properties", "invoiceType"),
    }


def invoice_extra(clients: Clients, scope_id: str, kind: ScopeKind, agreement: Agreement, span: Period) -> list[dict[str, object]] | None:
    """Invoices of the scope issued for periods inside ``span``; ``None`` when this scope has none to read."""
    account = segment_value(scope_id, "billingAccounts")
    profile = segment_value(scope_id, "billingProfiles")
    window = {"period_start_date": span.start, "period_end_date": span.end}
    try:
        if kind is ScopeKind.BILLING_PROFILE and account and profile:
            items = list(clients.billing().invoices.list_by_billing_profile(account, profile, **window))
        elif kind is ScopeKind.BILLING_ACCOUNT and account and agreement is not Agreement.EA:
            items = list(clients.billing().invoices.list_by_billing_account(account, **window))
        elif kind is ScopeKind.SUBSCRIPTION and agreement is not Agreement.EA:
            subscription = segment_value(scope_id, "subscriptions") or ""
            items = list(clients.billing(subscription).invoices.list_by_billing_subscription(**window))
        else:
            return None
    except (AzureError, ThrottledError):
        return None
    invoices = [i for i in (_invoice(item) for item in items) if i is not None]
    return sorted(invoices, key=lambda i: (str(i["period_start"]), str(i["invoice_id"]))) or None


def final_cost_extra(frame: pl.DataFrame, closed: list[Period]) -> list[dict[str, object]]:
    """Each closed period's final actual cost per currency, from the queried rows."""
    result: list[dict[str, object]] = []
    for period in closed:
        rows = frame.filter(pl.col(Col.CHARGE_DATE).is_between(period.start, period.end))
        totals = rows.group_by(Col.BILLING_CURRENCY).agg(pl.col(Col.COST).sum()).sort(Col.BILLING_CURRENCY)
        for currency, amount in totals.iter_rows():
            result.append(
                {
                    "kind": "final_actual_cost",
                    "invoice_id": None,
                    "period_start": period.start.isoformat(),
                    "period_end": period.end.isoformat(),
                    "amount": float(amount),
                    "currency": currency,
                    "status": None,
                    "invoice_date": None,
                }
            )
    return result
