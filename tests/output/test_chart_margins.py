"""Charts start with the left margin their amounts need, so Plotly never draws one twice to widen it.

The expected margins were measured in Chromium (``python -m bench.chart_margins``): the margin Plotly's own
``automargin`` widened each chart to, for amounts from 9 to 90 million in four currencies and both languages.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from lib.analysis.aggregate import PeriodBill
from lib.core import i18n
from lib.core.models import Period
from lib.output import charts

MEASURED = Path(__file__).parents[1] / "fixtures" / "chart_margins.tsv"
ROWS = [line.split("\t") for line in MEASURED.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
# Wider than needed costs a few pixels of plot; the widest the estimate may be.
SLACK_PX = 12


@pytest.mark.parametrize(("language", "currency", "top", "negative", "measured", "widest"), ROWS, ids=[" ".join(r[:4]) for r in ROWS])
def test_the_margin_fits_the_measured_labels(language: str, currency: str, top: str, negative: str, measured: str, widest: str) -> None:
    high = int(top)
    with i18n.language(language):
        fig = charts.styled_figure({"yaxis": charts.money_axis(currency), "margin": {"l": 8}})
    fig.add_bar(x=[1, 2, 3], y=[high, high / 2, -high / 3 if negative == "True" else 0])
    charts.make_room_for_amounts(fig)
    assert int(measured) <= fig.layout.margin.l <= int(measured) + SLACK_PX, widest


def test_stacked_bars_count_their_sum_per_day() -> None:
    """Ten series of 900 a day stack to 9,000: the margin of '€8,000' labels, not of '€800'."""
    daily = pl.DataFrame({"day": [date(2026, 9, 1)] * 10, "group": [f"s{n}" for n in range(10)], "cost": [900.0] * 10})
    with i18n.language("en"):
        fig = charts.make_room_for_amounts(charts.build_daily_cost_chart(daily, {}, "EUR", "t"))
    assert fig.layout.margin.l >= 84  # measured for labels up to €8,000 (tests/fixtures/chart_margins.tsv)


def test_budget_lines_above_the_data_count() -> None:
    """A budget of 90,000 drawn over a month that has spent 500: the axis runs to the budget's line."""
    accumulated = pl.DataFrame({"day": [date(2026, 9, 1), date(2026, 9, 2)], "kind": ["actual"] * 2, "cumulative": [250.0, 500.0]})
    with i18n.language("en"):
        fig = charts.build_accumulated_chart(accumulated, "EUR", "t")
        charts.add_budget_lines(fig, "b", 90_000.0, [0.5, 1.0], "EUR")
        charts.make_room_for_amounts(fig)
    assert fig.layout.margin.l >= 90  # measured for labels up to €80,000


def test_a_waterfall_counts_its_running_total() -> None:
    """Bars of +6,000 and +6,000 after a base of 0 reach 12,000 although no single value does."""
    fig = charts.styled_figure({"yaxis": charts.money_axis("EUR")})
    fig.add_waterfall(x=["a", "b", "c", "d"], y=[0, 6_000, 6_000, 0], measure=["absolute", "relative", "relative", "total"])
    with i18n.language("en"):
        charts.make_room_for_amounts(fig)
    assert fig.layout.margin.l >= 90  # labels up to €10,000


def test_bars_by_name_keep_plotlys_own_margin() -> None:
    """The breakdown's names on the y axis are no amounts: its margin is left to Plotly."""
    fig = charts.styled_figure({"yaxis": {"type": "category"}, "margin": {"l": 8}})
    fig.add_bar(x=[5_000_000], y=["Virtual Machines"], orientation="h")
    assert charts.make_room_for_amounts(fig).layout.margin.l == 8


def test_a_billing_chart_with_an_open_period() -> None:
    """The open period's cost so far and estimated rest stack: 5,000 + 5,000 needs the margin of '€10,000'."""
    october, november = Period(date(2026, 10, 1), date(2026, 10, 31)), Period(date(2026, 11, 1), date(2026, 11, 30))
    bills = [
        PeriodBill(october, "Oct 2026", "invoiced", ("INV-1",), 4_000.0, 0.0, 0.0),
        PeriodBill(november, "Nov 2026", "open", (), 0.0, 5_000.0, 5_000.0),
    ]
    with i18n.language("en"):
        fig = charts.make_room_for_amounts(charts.build_billing_chart(bills, "EUR"))
    assert fig.layout.margin.l >= 90
