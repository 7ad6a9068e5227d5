"""Aggregates, filters and the billed/estimate split on small hand-made frames."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lib.analysis import aggregate, filters
from lib.analysis.aggregate import OTHER
from lib.core.dataset import LiveAnswer
from lib.core.models import Period, Scope, ScopeKind
from lib.core.schema import UNTAGGED, Col
from tests.factories import days, frame

ROWS = [
    {Col.CHARGE_DATE: date(2026, 11, 1), Col.COST: 10.0, Col.SERVICE: "Storage", Col.TAGS: {"env": "prod"}},
    {Col.CHARGE_DATE: date(2026, 11, 1), Col.COST: 5.5, Col.SERVICE: "Virtual Machines", Col.RESOURCE_GROUP: "rg-b"},
    {Col.CHARGE_DATE: date(2026, 11, 2), Col.COST: 2.25, Col.SERVICE: "Storage", Col.TAGS: {"env": "dev"}},
    {Col.CHARGE_DATE: date(2026, 11, 3), Col.COST: -1.0, Col.SERVICE: "Virtual Machines", Col.CHARGE_TYPE: "Refund"},
    {Col.CHARGE_DATE: date(2026, 11, 3), Col.COST: 99.0, Col.SERVICE: "Storage", Col.BILLING_CURRENCY: "USD"},
]


def test_cost_by_currency_never_mixes_currencies() -> None:
    """It totals each currency on its own."""
    assert aggregate.cost_by_currency(frame(ROWS)) == {"EUR": pytest.approx(16.75), "USD": pytest.approx(99.0)}


def test_cost_by_service_is_sorted_and_shares_add_up() -> None:
    """It ranks groups by cost and gives each its share of the total."""
    table = aggregate.cost_by(aggregate.in_currency(frame(ROWS), "EUR"), Col.SERVICE)
    assert table.get_column("group").to_list() == ["Storage", "Virtual Machines"]
    assert table.get_column("cost").to_list() == pytest.approx([12.25, 4.5])
    assert table.get_column("share").sum() == pytest.approx(1.0)


def test_daily_cost_fills_missing_days_and_keeps_refunds_negative() -> None:
    """It gives every day of the period a bar per group, zero where nothing was charged."""
    period = Period(date(2026, 11, 1), date(2026, 11, 4))
    daily = aggregate.daily_cost(aggregate.in_currency(frame(ROWS), "EUR"), Col.SERVICE, period)
    assert daily.height == 4 * 2
    by_key = {(d, g): c for d, g, c in daily.iter_rows()}
    assert by_key[(date(2026, 11, 3), "Virtual Machines")] == -1.0
    assert by_key[(date(2026, 11, 4), "Storage")] == 0.0
    assert daily.get_column("cost").sum() == pytest.approx(16.75)


def test_daily_cost_puts_everything_beyond_top_groups_in_other() -> None:
    """It keeps the top groups and adds the rest up as Other, losing nothing."""
    rows = [{Col.SERVICE: f"S{i:02d}", Col.COST: float(100 - i)} for i in range(12)]
    daily = aggregate.daily_cost(frame(rows), Col.SERVICE, Period(date(2026, 11, 1), date(2026, 11, 1)), top=9)
    groups = daily.get_column("group").to_list()
    assert groups[:9] == [f"S{i:02d}" for i in range(9)]
    assert groups[-1] == OTHER
    # S09, S10, S11 cost 91 + 90 + 89.
    assert daily.filter(pl.col("group") == OTHER).get_column("cost").item() == 270.0
    assert daily.get_column("cost").sum() == sum(100 - i for i in range(12))


def test_group_by_tag_puts_rows_without_the_tag_under_untagged() -> None:
    """It groups by a tag's value, with untagged rows kept and named."""
    table = aggregate.cost_by(aggregate.in_currency(frame(ROWS), "EUR"), "tag:env")
    assert dict(table.select("group", "cost").iter_rows()) == {"prod": 10.0, UNTAGGED: 4.5, "dev": 2.25}


@pytest.mark.parametrize(
    ("chosen", "expected_total"),
    [
        (filters.Filters(), 16.75),
        (filters.Filters().with_values(Col.SERVICE, ["Storage"]), 12.25),
        (filters.Filters().with_values(Col.RESOURCE_GROUP, ["rg-b"]), 5.5),
        (filters.Filters().with_values(Col.CHARGE_TYPE, ["Refund"]), -1.0),
        (filters.Filters(tag_key="env", tag_values=("prod",)), 10.0),
        (filters.Filters(tag_key="env", tag_values=(UNTAGGED,)), 4.5),
        (filters.Filters(tag_key="env", tag_values=("dev", UNTAGGED)), 6.75),
        (filters.Filters().with_values(Col.SERVICE, ["Storage"]).with_values(Col.RESOURCE_GROUP, ["rg-b"]), 0.0),
    ],
)
def test_filters_keep_exactly_the_chosen_rows(chosen: filters.Filters, expected_total: float) -> None:
    """It applies each filter, and several filters together, to the rows."""
    kept = filters.apply(aggregate.in_currency(frame(ROWS), "EUR"), chosen)
    assert kept.get_column(Col.COST).sum() == pytest.approx(expected_total)


def test_filters_with_empty_values_clear_the_filter() -> None:
    """It treats an emptied multiselect as no filter."""
    chosen = filters.Filters().with_values(Col.SERVICE, ["Storage"]).with_values(Col.SERVICE, [])
    assert not chosen.active


def test_scope_and_period_select_rows() -> None:
    """It keeps rows of the scope's subscription and inside the period only."""
    rows = [
        {Col.CHARGE_DATE: date(2026, 11, 1), Col.COST: 1.0, Col.SUBSCRIPTION_ID: "a"},
        {Col.CHARGE_DATE: date(2026, 11, 2), Col.COST: 2.0, Col.SUBSCRIPTION_ID: "a"},
        {Col.CHARGE_DATE: date(2026, 11, 2), Col.COST: 4.0, Col.SUBSCRIPTION_ID: "b"},
    ]
    scope = Scope("/subscriptions/a", "A", ScopeKind.SUBSCRIPTION, ((Col.SUBSCRIPTION_ID, "a"),))
    kept = filters.apply(frame(rows), filters.Filters(), scope=scope, period=Period(date(2026, 11, 2), date(2026, 11, 30)))
    assert kept.get_column(Col.COST).to_list() == [2.0]


def test_filter_options_are_ranked_by_spend() -> None:
    """It offers the costliest values first."""
    assert filters.options(aggregate.in_currency(frame(ROWS), "EUR"), Col.SERVICE) == ["Storage", "Virtual Machines"]
    assert filters.tag_values(frame(ROWS), "env") == ["dev", "prod", UNTAGGED]


def history_rows() -> list[dict[str, object]]:
    """September invoiced, October closed without invoice ids, November open (to the 26th)."""
    rows: list[dict[str, object]] = []
    rows += [{Col.CHARGE_DATE: d, Col.COST: 3.0, Col.INVOICE_ID: "G001"} for d in days(date(2026, 9, 1), date(2026, 9, 30))]
    rows += [{Col.CHARGE_DATE: d, Col.COST: 2.0} for d in days(date(2026, 10, 1), date(2026, 10, 31))]
    rows += [{Col.CHARGE_DATE: d, Col.COST: 1.0} for d in days(date(2026, 11, 1), date(2026, 11, 26))]
    return rows


def test_billing_history_splits_billed_closed_and_open() -> None:
    """It shows invoiced, closed-without-invoice and open periods with the open one's estimate."""
    bills = aggregate.billing_history(frame(history_rows()), date(2026, 11, 26))
    assert [b.label for b in bills] == ["May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"]
    september, october, november = bills[-3:]
    assert (september.status, september.billed, september.invoice_ids) == ("invoiced", 90.0, ("G001",))
    assert (october.status, october.billed) == ("closed", 62.0)
    assert november.status == "open"
    assert november.cost_so_far == 26.0
    # The 28-day look-back (30 Oct–26 Nov) holds Fri 30 Oct and Sat 31 Oct at 2, the rest at 1:
    # Fri 27 = (2+1+1+1)/4, Sat 28 = (2+1+1+1)/4, Sun 29 = 1, Mon 30 = 1.
    assert november.estimated_rest == pytest.approx(4.5)
    assert november.total == pytest.approx(30.5)


def test_headline_compares_the_estimate_with_the_last_closed_period() -> None:
    """It reports so far, estimate, last closed amount and the change between them."""
    rows = frame(history_rows())
    head = aggregate.headline(rows, rows, "EUR", date(2026, 11, 26))
    assert head.cost_so_far == 26.0
    assert head.estimate_total == pytest.approx(30.5)
    assert head.last_closed_amount == 62.0
    assert not head.last_closed_invoiced
    assert head.change_vs_last == pytest.approx((30.5 - 62.0) / 62.0)
    assert head.selected_total == 90.0 + 62.0 + 26.0


def test_accumulated_cost_runs_to_so_far_then_estimate() -> None:
    """It accumulates the open period day by day and ends the estimate line at the period end."""
    accumulated, estimate = aggregate.accumulated_cost(frame(history_rows()), date(2026, 11, 26))
    actual = accumulated.filter(pl.col("kind") == "actual")
    assert actual.height == 26
    assert actual.get_column("cumulative").to_list()[-1] == 26.0
    line = accumulated.filter(pl.col("kind") == "estimate")
    assert line.get_column("day").to_list() == [date(2026, 11, 26), date(2026, 11, 30)]
    assert line.get_column("cumulative").to_list() == pytest.approx([26.0, estimate.total])


def answer(*, forecast: dict[str, object], invoices: tuple[dict[str, object], ...] = ()) -> LiveAnswer:
    """A live answer holding only ``forecast`` and ``invoices`` (the rest as a load would fill it)."""
    return LiveAnswer(forecast, invoices, "invoices", "2026-11-26T08:00:00+00:00", pages=1, rows=0, months_queried=1, query={})


def test_apply_outlook_uses_invoices_and_forecast_of_the_currency() -> None:
    """It replaces closed periods by their invoices; the open period's estimate stays the dashboard's."""
    bills = aggregate.billing_history(frame(history_rows()), date(2026, 11, 26))
    live = answer(
        invoices=(
            {"kind": "invoice", "invoice_id": "G9", "period_start": "2026-10-01", "amount": 60.0, "currency": "EUR"},
            {"kind": "invoice", "invoice_id": "G8", "period_start": "2026-10-01", "amount": 1.5, "currency": "EUR"},
            {"kind": "invoice", "invoice_id": "U1", "period_start": "2026-09-01", "amount": 999.0, "currency": "USD"},
        ),
        forecast={
            "available": True,
            "currency": "EUR",
            "period_start": "2026-11-01",
            "forecast_rest": 7.0,
            "source": "Cost Management forecast API",
        },
    )
    applied = aggregate.apply_outlook(bills, live, "EUR")
    september, october, november = applied[-3:]
    assert (september.status, september.billed) == ("invoiced", 90.0)  # the USD invoice does not apply
    assert (october.status, october.billed, october.invoice_ids) == ("invoiced", 61.5, ("G8", "G9"))
    assert november == bills[-1]  # the open period keeps the dashboard's own estimate; Azure's forecast goes beside it
    assert aggregate.azure_forecast(live, "EUR", november.period) == aggregate.AzureForecast(None, None, "")  # no total in it


def test_azure_forecast_is_read_beside_the_estimate() -> None:
    """Azure's total for the open period in the shown currency; another currency or period gives the reason instead."""
    november = aggregate.billing_history(frame(history_rows()), date(2026, 11, 26))[-1].period
    forecast = {"available": True, "currency": "EUR", "period_start": "2026-11-01", "actual_to_date": 26.0, "total": 33.0}
    assert aggregate.azure_forecast(answer(forecast=forecast), "EUR", november) == aggregate.AzureForecast(33.0, 26.0, "")
    in_usd = aggregate.azure_forecast(answer(forecast={**forecast, "currency": "USD"}), "EUR", november)
    assert (in_usd.total, in_usd.reason) == (None, "Azure's forecast is in USD")
    refused = aggregate.azure_forecast(answer(forecast={"available": False, "reason": "Forecast is unavailable"}), "EUR", november)
    assert (refused.total, refused.reason) == (None, "Forecast is unavailable")


def test_apply_outlook_ignores_an_unavailable_forecast() -> None:
    """It keeps the dashboard's own estimate when the forecast is not available."""
    bills = aggregate.billing_history(frame(history_rows()), date(2026, 11, 26))
    live = answer(forecast={"available": False, "currency": "EUR", "period_start": "2026-11-01", "forecast_rest": None})
    assert aggregate.apply_outlook(bills, live, "EUR") == bills
