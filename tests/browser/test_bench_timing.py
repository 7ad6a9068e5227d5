"""The browser bench's stopwatch (``bench.browser_first_chart.SEEN``): the page notes when it first shows the first
metric value and the first chart bar, in the frame that shows each, not when Playwright's ever slower polling
happens to look (after a few tries it looks every half second)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.browser_first_chart import SEEN, seen_times
from tests.browser.conftest import BROWSER_SETTINGS, TIMEOUT_MS

pytestmark = pytest.mark.browser

# A page that adds a metric value, then (later than Playwright's polling has slowed to every 0.5 s) a chart bar, and
# notes when it added each and when the frame after the one that could first show it began.
PAGE = """<body><script>
window.__added = {};
const add = (name, html) => {
  document.body.insertAdjacentHTML('beforeend', html);
  window.__added[name] = performance.now();
  requestAnimationFrame(() => requestAnimationFrame(() => { window.__added[name + 'NextFrame'] = performance.now(); }));
};
setTimeout(() => add('metric', '<div data-testid="stMetricValue">€1</div>'), 150);
setTimeout(() => add('bar', '<div class="js-plotly-plot"><svg><g class="point"><path d="M0,0H5V5Z"/></g></svg></div>'), 1400);
</script></body>"""


def test_the_bench_notes_each_first_sight_in_the_frame_that_shows_it(browser: Any) -> None:
    context = browser.new_context(**BROWSER_SETTINGS)
    context.add_init_script(SEEN)
    try:
        page = context.new_page()
        page.set_content(PAGE)
        times = seen_times(page)
        page.wait_for_function("() => window.__added.barNextFrame", timeout=TIMEOUT_MS)
        added = page.evaluate("window.__added")
    finally:
        context.close()
    for name in ("metric", "bar"):
        # Noted after the element was in the page, and before the next frame began: the frame that first showed it.
        assert added[name] <= times[name] <= added[f"{name}NextFrame"], (name, times, added)
