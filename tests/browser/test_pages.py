"""Every page in a real browser: accessible (axe-core), clean console, local only, screenshotted."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, Visit, plotly_figures, sync_api, wait_for_run

pytestmark = pytest.mark.browser

PAGES = [
    pytest.param("/", "Azure usage and charges", True, id="overview"),
    pytest.param("/explore", "Explore", True, id="explore"),
    pytest.param("/billing", "Billing history", False, id="billing"),
    pytest.param("/anomalies", "Anomalies", False, id="anomalies"),
    pytest.param("/changes", "Changes", True, id="changes"),
    pytest.param("/changes?changes=custom&changes_base=2026-07&changes_compare=2026-08", "Changes", True, id="changes-custom"),
    pytest.param("/budgets", "Budgets", False, id="budgets"),
    pytest.param("/download", "Usage download", False, id="download"),
    pytest.param("/access", "Who can see usage and charges", False, id="access"),
]

# Findings that come from Streamlit's own markup, which the app cannot change: (rule, selector, why).
# Each is matched against the exact element axe reports, so the same rule anywhere else still fails.
STREAMLIT_INTERNALS = [
    (
        "list",
        '[data-testid="stSidebarNavItems"]',
        "st.navigation with sections puts each section's header <div> straight into the nav's <ul>",
    ),
    (
        "listitem",
        '[data-testid="stSidebarNavItems"] li',
        "the same nav: its <li> items sit inside those section <div>s, not directly in the <ul>",
    ),
]

_AXE_RUN_JS = """
async (ignored) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  const isIgnored = (rule, target) => {
    const element = document.querySelector(target[0]);
    return element !== null && ignored.some(([id, selector]) => id === rule && element.matches(selector));
  };
  return result.violations
    .filter(v => ['moderate', 'serious', 'critical'].includes(v.impact))
    .map(v => ({rule: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.filter(n => !isIgnored(v.id, n.target)).map(n => n.html.slice(0, 160))}))
    .filter(v => v.nodes.length > 0);
}
"""

# A chart's alternative: an expander labelled "... as a table" holding a table, or a table on the page.
_ALTERNATIVES_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const charts = main.querySelectorAll('[data-testid="stPlotlyChart"]').length;
  const expanders = [...main.querySelectorAll('[data-testid="stExpander"]')]
    .filter(e => /as a table$/.test(e.querySelector('summary').innerText.trim()))
    .filter(e => e.querySelector('[data-testid="stDataFrame"]') !== null).length;
  const tables = [...main.querySelectorAll('[data-testid="stDataFrame"]')]
    .filter(t => t.closest('[data-testid="stExpander"]') === null).length;
  return {charts, alternatives: expanders + tables};
}
"""


@pytest.mark.parametrize(("path", "title", "has_charts"), PAGES)
def test_page_is_accessible_clean_and_local(
    visit: Visit, axe_source: str, path: str, title: str, has_charts: bool, request: pytest.FixtureRequest
) -> None:
    """No moderate, serious or critical axe finding (heading order included), a table for every chart, no JS error,
    nothing sent off the machine."""
    visit.goto(path)
    page = visit.page
    page.get_by_role("heading", level=1, name=title).wait_for()
    if has_charts:
        assert plotly_figures(page), "no chart drawn"
        # Every chart element has been plotted (for the screenshot, and so axe sees the finished page).
        page.wait_for_function(
            "() => { const n = document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length;"
            " return n > 0 && [...document.querySelectorAll('.js-plotly-plot')].filter(d => d._fullLayout).length === n; }"
        )

    # The overview builds a table only once its expander is opened: open each, as a reader looking for the numbers does.
    wait_for_run(page)
    for summary in page.get_by_test_id("stMain").get_by_test_id("stExpander").locator("summary").all():
        if summary.inner_text().strip().endswith("as a table"):
            summary.click()
            wait_for_run(page)
    # Tables further down the page may still be arriving after the charts drew: give them time.
    with contextlib.suppress(sync_api.TimeoutError):
        page.wait_for_function(f"(() => {{ const c = ({_ALTERNATIVES_JS})(); return c.alternatives >= c.charts; }})", timeout=10_000)
    alternatives = page.evaluate(_ALTERNATIVES_JS)
    assert (alternatives["charts"] > 0) == has_charts
    assert alternatives["alternatives"] >= alternatives["charts"], f"a chart has no table alternative: {alternatives}"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.callspec.id}.png"))

    wait_for_run(page)  # elements of a run in progress are drawn faded, which would fail the contrast rule
    page.add_script_tag(content=axe_source)
    findings: list[dict[str, Any]] = page.evaluate(_AXE_RUN_JS, [[rule, selector] for rule, selector, _ in STREAMLIT_INTERNALS])
    assert not findings, json.dumps(findings, indent=1)

    visit.assert_clean()
