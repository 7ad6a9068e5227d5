"""Overview in a real browser: the charts draw, and the figures equal the CLI's for the same data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lib.core.fmt import money, percent
from tests.browser.conftest import (
    AS_OF,
    CHARTS_JS,
    Visit,
    chart_drawings,
    metric_value,
    page_state,
    pick_option,
    plotly_figures,
    sync_api,
    wait_for_run,
)
from tests.expected import cents, demo_headline

pytestmark = pytest.mark.browser

expect = sync_api.expect


def _months_up_to(as_of: date, count: int) -> list[str]:
    """Labels of the ``count`` calendar months ending with ``as_of``'s, oldest first."""
    index = as_of.year * 12 + as_of.month - 1
    return [date((index - back) // 12, (index - back) % 12 + 1, 1).strftime("%b %Y") for back in range(count - 1, -1, -1)]


def _eur(amounts: dict[str, float]) -> float:
    return amounts["EUR"]


def test_overview_draws_both_charts_with_the_cli_figures(visit: Visit, cli_summary: dict[str, Any]) -> None:
    """A fresh server's overview shows the headline worked out by hand from the demo's rows, none of it cut off, and
    draws the two charts. On the billing history (``?period=history``), the command line's default span."""
    visit.goto("/?period=history")
    want = demo_headline(date.fromisoformat(AS_OF))
    expect(metric_value(visit.page, "Cost so far this period")).to_have_text(money(cents(want["cost_so_far"]), "EUR"))
    expect(metric_value(visit.page, "Estimate to period end")).to_have_text(money(cents(want["estimate_total_trend"]), "EUR"))
    expect(metric_value(visit.page, "Last invoiced")).to_have_text(money(cents(want["last_closed_amount"]), "EUR"))
    expect(metric_value(visit.page, "Change vs previous period")).to_have_text(percent(float(want["change_vs_last_trend"])))
    expect(metric_value(visit.page, "Total in selected period")).to_have_text(money(cents(want["selected_total"]), "EUR"))

    figures = plotly_figures(visit.page, "Daily cost by service", "Billed vs month-to-date estimate")
    daily = figures["Daily cost by service"]
    # The bars: the anomaly markers drawn over them (a scatter trace) are checked by the anomalies tests.
    daily["traces"] = [t for t in daily["traces"] if t["type"] == "bar"]
    ranked = sorted(cli_summary["cost_by_service"], key=lambda s: -_eur(cli_summary["cost_by_service"][s]))
    assert [t["name"] for t in daily["traces"]] == [*ranked[:9], "Other"]
    days = sorted(cli_summary["cost_by_day"])
    for trace in daily["traces"]:
        assert trace["type"] == "bar"
        assert sorted(x[:10] for x in trace["x"]) == days
        assert trace["drawn"] > 0, f"no bar of {trace['name']} is on screen"
    # The stacked bars of each day add up to the CLI's cost of that day.
    stacked: dict[str, float] = {}
    for trace in daily["traces"]:
        for x, y in zip(trace["x"], trace["y"], strict=True):
            stacked[x[:10]] = stacked.get(x[:10], 0.0) + (y or 0.0)
    for day in days:
        assert stacked[day] == pytest.approx(_eur(cli_summary["cost_by_day"][day]), abs=0.01), day

    billing = figures["Billed vs month-to-date estimate"]
    by_name = {t["name"]: t for t in billing["traces"]}
    assert list(by_name) == ["Billed (invoiced)", "Month to date", "Estimated rest of period"]
    months = _months_up_to(date.fromisoformat(AS_OF), 7)  # six closed billing periods and the open one
    billed, so_far, rest = (by_name[n] for n in ("Billed (invoiced)", "Month to date", "Estimated rest of period"))
    assert billed["x"] == so_far["x"] == rest["x"] == months
    assert billed["y"][-1] is None and None not in billed["y"][:-1]
    assert billed["y"][-2] == pytest.approx(float(want["last_closed_amount"]), abs=0.01)
    assert sum(billed["y"][:-1]) == pytest.approx(_eur(cli_summary["billed_cost_by_currency"]), abs=0.01)
    assert so_far["y"][:-1] == rest["y"][:-1] == [None] * 6
    assert so_far["y"][-1] == pytest.approx(float(want["cost_so_far"]), abs=0.01)
    assert so_far["y"][-1] + rest["y"][-1] == pytest.approx(float(want["estimate_total_trend"]), abs=0.01)
    # Six invoiced bars, the open period's cost so far and its estimated rest: eight boxes on screen.
    assert [t["drawn"] for t in billing["traces"]] == [6, 1, 1]
    # In the same visit: the English headline shows every figure whole on a laptop screen and a wide one.
    assert_headline_figures_whole(visit.page)
    visit.assert_clean()


def test_filtering_one_service_shows_its_total(visit: Visit, cli_summary: dict[str, Any]) -> None:
    """Choosing one service in the sidebar's filters turns the selected-period total into that service's total."""
    service = "Storage"
    expected = money(_eur(cli_summary["cost_by_service"][service]), "EUR")
    assert expected != money(cli_summary["headline"]["selected_total"], "EUR")
    visit.goto("/?period=history")  # the command line's default span
    total = metric_value(visit.page, "Total in selected period")
    expect(total).to_have_text(money(cli_summary["headline"]["selected_total"], "EUR"))

    choose_service(visit.page, service)
    expect(total).to_have_text(expected)
    # The daily chart redraws after the figures above it: wait until its bars are the one service's (anomaly markers,
    # a scatter trace over the bars, may come and go with the filter).
    redrawn = f"service => {CHARTS_JS}.some(d => d.data.filter(t => t.type === 'bar').map(t => t.name).join('|') === service)"
    visit.page.wait_for_function(redrawn, arg=service)
    wait_for_run(visit.page)
    daily = plotly_figures(visit.page)["Daily cost by service"]
    daily["traces"] = [t for t in daily["traces"] if t["type"] == "bar"]
    assert [t["name"] for t in daily["traces"]] == [service], page_state(visit.page)
    assert daily["traces"][0]["drawn"] > 0
    # Each chart is drawn once per figure: not again after Streamlit copies it, and with the left margin its amounts
    # need from the start (Plotly widening the margin draws it twice). A changed figure is a new chart element, which
    # is what lets lib.ui.widgets.chart fix the figure's datarevision.
    drawings = chart_drawings(visit.page)
    elements = [number for number, _title in drawings]
    assert len(elements) == len(set(elements)), drawings
    assert [title for _number, title in drawings].count("Daily cost by service") == 2, drawings  # before and after the filter
    visit.assert_clean()


def choose_service(page: Any, service: str) -> None:
    """Open the sidebar's Filters expander and pick ``service`` in its Service multiselect."""
    wait_for_run(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.locator("summary", has_text="Filters").click()
    services = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Service")
    pick_option(page, services.get_by_role("combobox"), service)
    page.keyboard.press("Escape")
    expect(services.get_by_role("button", name=f"Remove {service}")).to_be_visible()


def test_headline_figures_are_never_cut_off_in_dutch(visit: Visit) -> None:
    """In Dutch (longer labels, '€ 312.857,86') every headline figure shows whole too (English: the first test here)."""
    visit.goto("/?lang=nl")
    assert_headline_figures_whole(visit.page)
    visit.assert_clean()


def assert_headline_figures_whole(page: Any) -> None:
    """On a laptop screen and a wide one every headline figure shows whole: the row wraps instead of cutting a figure
    off with an ellipsis. Both widths in one visit: a resize redraws the row."""
    for width in (1440, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        values = page.get_by_test_id("stMetricValue")
        expect(values).to_have_count(5)
        # The text sits in an inner element that cuts it with an ellipsis: compare every element's full and shown width.
        # Measured once the layout has settled at this width (two animation frames after the resize).
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        sizes = values.evaluate_all(
            "els => els.flatMap(e => [e, ...e.querySelectorAll('*')].map(n => [e.textContent, n.scrollWidth, n.clientWidth]))"
        )
        cut = [(text, scroll, client) for text, scroll, client in sizes if scroll > client]
        assert not cut, f"cut off at {width} px (text, full width, shown width): {cut}"
