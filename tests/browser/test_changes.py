"""The Changes page in a real browser: the waterfall draws the CLI's parts, a drill-down opens, a filter applies, Dutch."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from typing import Any

import polars as pl
import pytest

from lib.analysis.changes import compare, default_periods
from lib.core.dataset import LoadRequest
from lib.core.models import Metric
from lib.core.schema import Col
from lib.sources.demo import DemoSource
from tests.browser.conftest import AS_OF, CHARTS_JS, REPO, Visit, page_state, pick_option, plotly_figures, sync_api, wait_for_run
from tests.browser.test_overview import choose_service

pytestmark = pytest.mark.browser

expect = sync_api.expect
TITLE = "From Sep 2026 to Oct 2026"
# The waterfall's y values as plotly.js holds them, once it is drawn with ``base`` as its first bar.
_REDRAWN = f"base => {CHARTS_JS}.some(d => d.data[0].type === 'waterfall' && d.data[0].y[0] === base)"


def choose_cause(page: Any, label: str) -> None:
    """Pick ``label`` in the drill-down's Cause list and wait for the rerun."""
    pick_option(page, page.get_by_test_id("stSelectbox").filter(has_text="Cause").get_by_role("combobox"), label)
    wait_for_run(page)


def test_waterfall_drill_down_and_filter(visit: Visit) -> None:
    command = [sys.executable, "-m", "lib.cli", "explain", "--demo", "--json", "--as-of", AS_OF]
    answer = json.loads(subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True, timeout=120).stdout)
    visit.goto("/changes")
    page = visit.page
    expect(page.get_by_role("heading", level=1, name="Changes")).to_be_visible()
    waterfall = plotly_figures(page, TITLE)[TITLE]["traces"][0]
    assert waterfall["type"] == "waterfall"
    assert waterfall["y"] == [answer["base_total"], *answer["parts"].values(), 0.0]
    # Every non-zero part and both totals have a box on screen.
    assert waterfall["drawn"] == 2 + sum(1 for v in answer["parts"].values() if v)
    expect(page.get_by_text("Cost rose", exact=False).first).to_be_visible()

    # Drill down into the one-off charges: the rule of that part shows under the picker.
    choose_cause(page, "One-off charges")
    expect(page.get_by_role("paragraph").filter(has_text="Rows whose charge type is not usage")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(2)  # the causes and the chosen cause's rows (AppTest reads them)

    # The sidebar's service filter narrows the comparison to that service's rows.
    choose_service(page, "Storage")
    rows = DemoSource().load(LoadRequest(as_of=date.fromisoformat(AS_OF), metric=Metric.ACTUAL)).normalized
    storage = compare(rows.filter(pl.col(Col.SERVICE) == "Storage"), *default_periods(date.fromisoformat(AS_OF)), "EUR")
    page.wait_for_function(_REDRAWN, arg=float(storage.base_total))
    wait_for_run(page)
    narrowed = plotly_figures(page, TITLE)[TITLE]["traces"][0]
    assert narrowed["y"] == [float(storage.base_total), *(float(v) for v in storage.parts.values()), 0.0], page_state(page)
    visit.assert_clean()


def test_changes_page_in_dutch(visit: Visit) -> None:
    visit.goto("/changes?lang=nl")
    page = visit.page
    expect(page.get_by_role("heading", level=1, name="Wijzigingen")).to_be_visible()
    title = "Van sep 2026 tot okt 2026"
    waterfall = plotly_figures(page, title)[title]["traces"][0]
    assert waterfall["x"][1:-1] == [
        "Nieuwe resources",
        "Verwijderde resources",
        "Hoeveelheid",
        "Prijs",
        "Meters gewijzigd",
        "Eenmalige kosten",
    ]
    expect(page.get_by_text("De kosten stegen", exact=False).first).to_be_visible()
    visit.assert_clean()
