"""Chart hovers (issue 19, point 7): days written as the page writes them (Babel, the session's language), the daily
chart's hover adds the day's total over every series, and every hover label reads at WCAG's 4.5:1 or better."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
import plotly.io as plotly_io
import polars as pl
import pytest

from lib.analysis.aggregate import PeriodBill
from lib.core import i18n
from lib.core.models import Period
from lib.output import charts

NBSP = "\u00a0"
SEP_2, SEP_3 = date(2026, 9, 2), date(2026, 9, 3)
# Two days, two series; the day totals by hand: 2 Sep 12.50 + 7.25 = 19.75, 3 Sep 1,000.00 + -0.50 = 999.50.
DAILY = pl.DataFrame(
    {
        "day": [SEP_2, SEP_2, SEP_3, SEP_3],
        "group": ["Compute", "Storage", "Compute", "Storage"],
        "cost": [12.50, 7.25, 1000.00, -0.50],
    }
)


def _trace(fig: go.Figure, name: str) -> dict[str, object]:
    return next(t for t in fig.to_plotly_json()["data"] if t["name"] == name)


def test_daily_hover_names_the_day_as_the_page_does_and_gives_the_day_total() -> None:
    fig = charts.build_daily_cost_chart(DAILY, {}, "EUR", "Daily cost")
    storage = _trace(fig, "Storage")
    assert [list(row) for row in storage["customdata"]] == [  # type: ignore[union-attr]
        ["2 Sep 2026", "€7.25", "€19.75"],
        ["3 Sep 2026", "-€0.50", "€999.50"],
    ]
    assert (
        storage["hovertemplate"] == "%{customdata[0]}<br>%{fullData.name}: %{customdata[1]}<br>Day total: %{customdata[2]}<extra></extra>"
    )
    # One label for the hovered bar, which names its day (a unified hover's title was Plotly's English or numeric date).
    assert fig.layout.hovermode == "closest"


def test_daily_hover_in_dutch() -> None:
    with i18n.language("nl"):
        fig = charts.build_daily_cost_chart(DAILY, {}, "EUR", "Dagelijkse kosten")
    compute = _trace(fig, "Compute")
    assert [list(row) for row in compute["customdata"]] == [  # type: ignore[union-attr]
        ["2 sep 2026", f"€{NBSP}12,50", f"€{NBSP}19,75"],
        ["3 sep 2026", f"€{NBSP}1.000,00", f"€{NBSP}999,50"],
    ]
    assert "Dagtotaal: %{customdata[2]}" in str(compute["hovertemplate"])


def test_anomaly_and_accumulated_hovers_name_their_days() -> None:
    fig = charts.build_daily_cost_chart(DAILY, {}, "EUR", "Daily cost")
    charts.add_anomaly_markers(fig, DAILY, [(SEP_3, "Compute", 900.0)], "EUR")
    marker = _trace(fig, "Anomaly")
    assert [list(row) for row in marker["customdata"]] == [["3 Sep 2026", "Compute: €900.00 vs expected"]]  # type: ignore[union-attr]
    assert str(marker["hovertemplate"]).startswith("%{customdata[0]}<br>Anomaly: %{customdata[1]}")
    accumulated = pl.DataFrame(
        {"day": [SEP_2, SEP_3, date(2026, 9, 30)], "kind": ["actual", "actual", "estimate"], "cumulative": [19.75, 1019.25, 9000.0]}
    )
    with i18n.language("nl"):
        figure = charts.build_accumulated_chart(accumulated, "EUR", "Opgebouwde kosten")
    actual, estimate = figure.to_plotly_json()["data"]
    assert [list(row) for row in actual["customdata"]] == [["2 sep 2026", f"€{NBSP}19,75"], ["3 sep 2026", f"€{NBSP}1.019,25"]]
    assert [list(row) for row in estimate["customdata"]] == [["30 sep 2026", f"€{NBSP}9.000,00"]]
    assert all(str(t["hovertemplate"]).startswith("%{customdata[0]}<br>") for t in (actual, estimate))


def test_billing_hovers_name_their_period() -> None:
    bill = PeriodBill(
        Period(date(2026, 9, 1), date(2026, 9, 30)), "Sep 2026", "invoiced", ("INV-1",), billed=100.0, cost_so_far=0.0, estimated_rest=0.0
    )
    fig = charts.build_billing_chart([bill], "EUR").to_plotly_json()
    assert fig["data"][0]["x"][0] == "Sep 2026"
    assert all(str(t["hovertemplate"]).startswith("%{x}<br>") for t in fig["data"])


def _luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a #RRGGBB colour or a CSS name used here."""
    rgb = {"white": "#FFFFFF"}.get(colour, colour).lstrip("#")
    channels = [int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("build", ["daily", "accumulated", "billing", "breakdown"])
def test_hover_labels_read_at_wcag_contrast(build: str) -> None:
    """An explicit background and text colour (not the series' colour with Plotly's pick of text), 4.5:1 or more."""
    if build == "daily":
        fig = charts.build_daily_cost_chart(DAILY, {}, "EUR", "x")
    elif build == "accumulated":
        fig = charts.build_accumulated_chart(DAILY.select("day", kind=pl.lit("actual"), cumulative="cost"), "EUR", "x")
    elif build == "billing":
        fig = charts.build_billing_chart([], "EUR")
    else:
        fig = charts.build_breakdown_chart(pl.DataFrame({"group": ["a"], "cost": [1.0], "share": [1.0]}), {}, "EUR", "x")
    label = fig.layout.hoverlabel
    assert label.bgcolor and label.font.color
    light, dark = sorted((_luminance(label.bgcolor), _luminance(label.font.color)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5


def test_daily_chart_sends_its_days_as_dates_and_its_amounts_as_numbers() -> None:
    """The days go to Plotly as one array of dates; the spec the browser gets still writes them as ISO dates."""
    spec = plotly_io.to_json(charts.build_daily_cost_chart(DAILY, {}, "EUR", "Daily cost"), validate=False)
    compact = json.loads(spec)
    storage = next(t for t in compact["data"] if t["name"] == "Storage")
    assert storage["x"] == ["2026-09-02", "2026-09-03"]
    assert storage["y"] == [7.25, -0.5]
