"""Azure's budgets given the dashboard's forecast: when the loaded rows can say it, and why not otherwise (worked by hand)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from lib.analysis import budget_view
from lib.azure.budgets import AzureBudget
from lib.core.dataset import Dataset, LiveAnswer
from lib.core.models import Agreement, Metric
from lib.core.schema import Col
from tests.factories import days, frame

AS_OF = date(2026, 11, 10)
AZURE = AzureBudget(
    name="ml",
    amount=245.0,
    time_grain="Monthly",
    thresholds=(0.8, 1.0),
    current_spend=90.0,
    currency="EUR",
    forecast_spend=280.0,
    filters="ResourceGroupName In rg-ml",
    start="2026-01-01 00:00:00+00:00",
    end="2027-12-31 00:00:00+00:00",
    dimensions=(("ResourceGroupName", ("rg-ml",)),),
)


def live_dataset(*, metric: str = "actual", filters: list[object] | None = None, loaded_from: str = "2026-09-01") -> Dataset:
    """10 a day in rg-ml and 5 a day in rg-web from 1 Sep to 10 Nov 2026; the location was not queried."""
    rows = [
        {Col.CHARGE_DATE: d, Col.COST: cost, Col.RESOURCE_GROUP: group, Col.LOCATION: "(not queried)"}
        for d in days(date(2026, 9, 1), AS_OF)
        for group, cost in (("rg-ml", 10.0), ("rg-web", 5.0))
    ]
    canonical = frame(rows)
    query = {"scope": "/subscriptions/x", "from": loaded_from, "to": AS_OF.isoformat(), "metric": metric, "filters": filters or []}
    live = LiveAnswer({}, (), "", "2026-11-10T08:00:00+00:00", pages=1, rows=0, months_queried=3, query=query)
    return Dataset("azure", "live", "", Agreement.MCA, Metric.ACTUAL, canonical, canonical, (), AS_OF, live=live)


def test_an_azure_budget_gets_the_breach_date_of_its_own_rows() -> None:
    """rg-ml only: 100 spent by 10 Nov, 300 estimated; 50 % (122.5) on 13 Nov, 80 % (196) on 20 Nov, 100 % (245) on 25 Nov."""
    (found,) = budget_view.azure_outlooks(live_dataset(), [AZURE], "EUR")
    assert found.status is not None and found.reason == ""
    assert found.status.spent == pytest.approx(100.0)
    assert found.status.estimate_total == pytest.approx(300.0)
    assert found.status.threshold_days == {0.5: date(2026, 11, 13), 0.8: date(2026, 11, 20), 1.0: date(2026, 11, 25)}
    assert found.basis == "dashboard's data for this scope"


@pytest.mark.parametrize(
    ("dataset", "budget", "reason"),
    [
        (live_dataset(), replace(AZURE, time_grain="BillingMonth"), "the BillingMonth grain follows the invoice period"),
        (live_dataset(metric="amortized"), AZURE, "the data are amortized cost"),
        (live_dataset(filters=[["ResourceGroupName", ["rg-ml"]]]), AZURE, "loaded with server-side filters"),
        (live_dataset(), replace(AZURE, filter_readable=False), "uses tags or conditions"),
        (live_dataset(), replace(AZURE, dimensions=(("ResourceLocation", ("westeurope",)),)), "without the ResourceLocation breakdown"),
        (live_dataset(), replace(AZURE, dimensions=(("PublisherType", ("Azure",)),)), "filters on PublisherType"),
        (live_dataset(), replace(AZURE, time_grain="Annually"), "start on 2026-09-01, after the budget period's start on 2026-01-01"),
        (live_dataset(), replace(AZURE, start="2027-01-01T00:00:00Z"), "not running on 2026-11-10"),
    ],
)
def test_without_rows_that_can_say_it_only_azures_forecast_is_given(dataset: Dataset, budget: AzureBudget, reason: str) -> None:
    (found,) = budget_view.azure_outlooks(dataset, [budget], "EUR")
    assert found.status is None
    assert reason in found.reason
    assert found.basis.startswith("Azure's forecast spend only, no date (")
