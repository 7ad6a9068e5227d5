"""The demo data set: deterministic and shaped like a real MCA account."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from lib.core.dataset import Dataset, LoadRequest
from lib.core.models import Agreement, Metric
from lib.core.schema import Col
from lib.ingest.dialects import MCA_V2_HEADER
from lib.output import export
from lib.sources.demo import DemoSource, generate_raw

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return DemoSource().load(LoadRequest(as_of=AS_OF))


def test_demo_is_deterministic() -> None:
    """It generates the same rows for the same day, every time."""
    assert generate_raw(AS_OF).equals(generate_raw(AS_OF))


def test_demo_raw_is_the_newest_mca_layout(demo: Dataset) -> None:
    """It writes the 65 columns of the MCA 2023-12-01-preview cost details, in order."""
    assert tuple(demo.raw.columns) == MCA_V2_HEADER
    assert demo.agreement is Agreement.MCA


def test_demo_has_the_promised_shape(demo: Dataset) -> None:
    """It has 3 subscriptions, 40+ resource groups, 25+ services, several regions, EUR with USD."""
    rows = demo.normalized
    assert rows.get_column(Col.SUBSCRIPTION_NAME).n_unique() == 3
    assert rows.get_column(Col.RESOURCE_GROUP).n_unique() >= 40
    assert rows.get_column(Col.SERVICE).n_unique() >= 25
    assert rows.get_column(Col.LOCATION).n_unique() >= 4
    assert demo.currencies == ["EUR"]
    assert rows.get_column(Col.COST_USD).null_count() == 0
    assert set(rows.get_column(Col.CHARGE_TYPE).unique()) == {"Usage", "Purchase", "Refund"}


def test_demo_has_untagged_spend_and_inconsistent_tag_casing(demo: Dataset) -> None:
    """It has rows without tags, and env/Env spellings that normalizing merges with a note."""
    raw_tags = demo.raw.get_column("tags")
    assert (raw_tags == "").sum() > 0
    assert raw_tags.str.contains('"Env"').any() and raw_tags.str.contains('"env"').any()
    assert any("merged into 'env'" in note for note in demo.notes)


def test_demo_has_six_invoiced_periods_and_an_open_one(demo: Dataset) -> None:
    """It carries one invoice id per closed period and none in the open period."""
    per_period = demo.normalized.group_by(Col.BILLING_PERIOD_START).agg(
        pl.col(Col.INVOICE_ID).drop_nulls().unique().alias("ids"), pl.col(Col.INVOICE_ID).null_count().alias("open_rows")
    )
    per_period = per_period.sort(Col.BILLING_PERIOD_START)
    assert per_period.height == 7
    ids = per_period.get_column("ids").to_list()
    assert all(len(i) == 1 for i in ids[:6]) and ids[6] == []
    assert per_period.get_column("open_rows").to_list()[:6] == [0] * 6
    assert demo.normalized.get_column(Col.CHARGE_DATE).max() == AS_OF


def test_demo_has_a_weekend_rhythm_and_a_spike(demo: Dataset) -> None:
    """It costs less at weekends and has one day far above the typical day."""
    usage = demo.normalized.filter(pl.col(Col.CHARGE_TYPE) == "Usage")
    daily = usage.group_by(Col.CHARGE_DATE).agg(pl.col(Col.COST).sum()).with_columns(weekend=pl.col(Col.CHARGE_DATE).dt.weekday() >= 6)
    weekday_mean = daily.filter(~pl.col("weekend")).get_column(Col.COST).mean()
    weekend_mean = daily.filter(pl.col("weekend")).get_column(Col.COST).mean()
    assert weekend_mean < 0.85 * weekday_mean  # type: ignore[operator]
    assert daily.get_column(Col.COST).max() > 1.4 * daily.get_column(Col.COST).median()  # type: ignore[operator]


def test_demo_totals_reconcile_with_the_raw_csv_to_the_cent(demo: Dataset) -> None:
    """It sums, per currency, exactly what the exported raw CSV says (decimal arithmetic)."""
    text = export.to_csv_bytes(demo.raw).decode("utf-8-sig")
    totals: dict[str, Decimal] = {}
    for row in csv.DictReader(io.StringIO(text)):
        totals[row["billingCurrency"]] = totals.get(row["billingCurrency"], Decimal(0)) + Decimal(row["costInBillingCurrency"])
    ours = demo.normalized.group_by(Col.BILLING_CURRENCY).agg(pl.col(Col.COST).sum())
    for currency, cost in ours.iter_rows():
        assert Decimal(str(round(cost, 2))) == totals[currency].quantize(Decimal("0.01"))


def test_amortized_demo_spreads_the_reservation() -> None:
    """It replaces the purchase and refund by daily amortized rows in the amortized view."""
    amortized = DemoSource().load(LoadRequest(as_of=AS_OF, metric=Metric.AMORTIZED)).normalized
    assert set(amortized.get_column(Col.CHARGE_TYPE).unique()) == {"Usage"}
    assert amortized.filter(pl.col(Col.PRICING_MODEL) == "Reservation").height > 100
