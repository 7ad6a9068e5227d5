"""The one canonical schema every source is normalized into, declared once.

Column names follow FOCUS where FOCUS has a name (``BillingCurrency``, ``ChargeCategory``...) and
otherwise say plainly what they hold. Pages, aggregates and exports only refer to columns through
``Col``; input dialects map their own headers onto these names with an alias map (see
``lib.ingest.dialects``).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Final

import polars as pl


class Col(StrEnum):
    """Canonical column names."""

    CHARGE_DATE = "ChargeDate"
    BILLING_PERIOD_START = "BillingPeriodStart"
    INVOICE_ID = "InvoiceId"
    BILLING_CURRENCY = "BillingCurrency"
    COST = "Cost"
    COST_USD = "CostUsd"
    SERVICE = "Service"
    METER = "Meter"
    SUBSCRIPTION_ID = "SubscriptionId"
    SUBSCRIPTION_NAME = "SubscriptionName"
    RESOURCE_GROUP = "ResourceGroup"
    RESOURCE_ID = "ResourceId"
    LOCATION = "Location"
    CHARGE_TYPE = "ChargeType"
    PRICING_MODEL = "PricingModel"
    QUANTITY = "Quantity"
    UNIT = "Unit"
    BILLING_PROFILE = "BillingProfile"
    INVOICE_SECTION = "InvoiceSection"
    TAGS = "Tags"
    SOURCE_ROW = "SourceRow"  # index of the row in the data set's raw frame


# A group-by or link value naming a tag key: ``tag:env`` groups by the tag "env".
TAG_PREFIX: Final = "tag:"
TAG_KEY: Final = "key"
TAG_VALUE: Final = "value"
TAG_TYPE: Final = pl.List(pl.Struct({TAG_KEY: pl.String, TAG_VALUE: pl.String}))

# Text columns are held as pl.Categorical: usage files repeat a few thousand names over millions of rows, so
# a row stores a 4-byte code instead of the text (a 1M-row frame: 395 MB -> 134 MB) and filters and group-bys
# compare codes. Small results handed to pages and charts are cast back to text (``as_text``).
CANONICAL_SCHEMA: Final[dict[str, pl.DataType]] = {
    Col.CHARGE_DATE: pl.Date(),
    Col.BILLING_PERIOD_START: pl.Date(),
    Col.INVOICE_ID: pl.Categorical(),
    Col.BILLING_CURRENCY: pl.Categorical(),
    Col.COST: pl.Float64(),
    Col.COST_USD: pl.Float64(),
    Col.SERVICE: pl.Categorical(),
    Col.METER: pl.Categorical(),
    Col.SUBSCRIPTION_ID: pl.Categorical(),
    Col.SUBSCRIPTION_NAME: pl.Categorical(),
    Col.RESOURCE_GROUP: pl.Categorical(),
    Col.RESOURCE_ID: pl.Categorical(),
    Col.LOCATION: pl.Categorical(),
    Col.CHARGE_TYPE: pl.Categorical(),
    Col.PRICING_MODEL: pl.Categorical(),
    Col.QUANTITY: pl.Float64(),
    Col.UNIT: pl.Categorical(),
    Col.BILLING_PROFILE: pl.Categorical(),
    Col.INVOICE_SECTION: pl.Categorical(),
    Col.TAGS: TAG_TYPE,
    Col.SOURCE_ROW: pl.UInt32(),
}

# Dimensions a user can filter and group by, in the order the UI offers them.
DIMENSIONS: Final[tuple[Col, ...]] = (
    Col.SERVICE,
    Col.RESOURCE_GROUP,
    Col.SUBSCRIPTION_NAME,
    Col.LOCATION,
    Col.CHARGE_TYPE,
    Col.PRICING_MODEL,
    Col.METER,
)

# Shown where a dimension is empty, as Azure's Cost analysis does.
UNASSIGNED: Final = "Unassigned"
UNTAGGED: Final = "(untagged)"


def empty_frame() -> pl.DataFrame:
    """Return a canonical frame with no rows."""
    return pl.DataFrame(schema=CANONICAL_SCHEMA)


def conform(frame: pl.DataFrame, later: Collection[str] = ()) -> pl.DataFrame:
    """Return ``frame`` with exactly the canonical columns, order and types.

    Missing columns are added as nulls so every source yields the same shape, except those in ``later``
    (a big file's columns read after its first page, ``lib.ingest.stream.Later``): left out, never null-filled.

    Raises:
        ValueError: if a column cannot be cast to its canonical type.
    """
    columns = []
    for name, dtype in CANONICAL_SCHEMA.items():
        if name in frame.columns:
            columns.append(pl.col(name).cast(dtype, strict=True))
        elif name not in later:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(columns)


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its categorical columns as plain text (for small results, exports and joins with text)."""
    return frame.with_columns(pl.col(pl.Categorical).cast(pl.String)) if pl.Categorical in frame.dtypes else frame


# A frame the Lake source hands back is a cube: each row stands for this many rows of the lake (not canonical).
LAKE_ROWS: Final = "LakeRows"


def source_rows(frame: pl.DataFrame) -> int:
    """Rows of the source behind ``frame``: its height, or for a cube the rows each of its rows stands for."""
    return int(frame.get_column(LAKE_ROWS).sum()) if LAKE_ROWS in frame.columns else frame.height
