"""Small hand-made canonical frames for unit tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from lib.core.schema import TAG_TYPE, Col, conform


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A canonical frame from dicts keyed by ``Col``; sensible defaults fill the rest."""
    filled = []
    for index, row in enumerate(rows):
        day = row.get(Col.CHARGE_DATE, date(2026, 11, 1))
        filled.append(
            {
                Col.CHARGE_DATE: day,
                Col.BILLING_PERIOD_START: row.get(Col.BILLING_PERIOD_START, day.replace(day=1)),
                Col.INVOICE_ID: row.get(Col.INVOICE_ID),
                Col.BILLING_CURRENCY: row.get(Col.BILLING_CURRENCY, "EUR"),
                Col.COST: float(row.get(Col.COST, 0.0)),
                Col.SERVICE: row.get(Col.SERVICE, "Storage"),
                Col.RESOURCE_GROUP: row.get(Col.RESOURCE_GROUP, "rg-a"),
                Col.SUBSCRIPTION_NAME: row.get(Col.SUBSCRIPTION_NAME, "Sub A"),
                Col.SUBSCRIPTION_ID: row.get(Col.SUBSCRIPTION_ID, "sub-a"),
                Col.LOCATION: row.get(Col.LOCATION, "westeurope"),
                Col.CHARGE_TYPE: row.get(Col.CHARGE_TYPE, "Usage"),
                Col.TAGS: [{"key": k, "value": v} for k, v in row.get(Col.TAGS, {}).items()],
                Col.SOURCE_ROW: index,
            }
        )
    schema = {Col.TAGS: TAG_TYPE, Col.INVOICE_ID: pl.String, Col.SOURCE_ROW: pl.UInt32}
    return conform(pl.DataFrame(filled, schema_overrides=schema))


def days(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end`` inclusive."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
