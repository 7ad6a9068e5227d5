"""A person's wait, in Chromium: a new session's first metric and first chart on the dashboard next to a minimal
Streamlit page (one metric, one Plotly chart) served in the same run, and how long a filter change takes to settle.
The page itself notes when each first shows (``SEEN``), in seconds from navigation.

Usage: .venv/bin/python -m bench.browser_first_chart [--runs 5] [--changes 6] [--change-sessions 2] [--baseline CHECKOUT ...]
[--controls]
Needs Chromium (CHROMIUM_PATH or /usr/bin/chromium). Both servers are warm (each opened once before timing); every
timed visit is a new browser context, so a new Streamlit session with an empty HTTP cache, as a new visitor has.
Prints min/median/max of each, the dashboard/minimal ratio and the load average (the machine may be shared).
A filter change (``--changes`` per session, ``--change-sessions`` sessions per dashboard) is settled when the script has
ended, the total shows a new figure and every chart has been drawn again with its width; the page times it from the
Enter key going down (``settled``). The same changes are timed on the minimal page with a Service filter box in its
sidebar (``minimal-filter``): what Streamlit itself takes for a filter change.
``--baseline`` serves another checkout's dashboard as well (e.g. ``git worktree add /tmp/before <commit>``), timed in
the same run, interleaved, so a change can be measured against what came before it on the same machine and moment;
given more than once, each checkout is served and named by its folder.
``--controls`` also times the minimal page with the dashboard's sidebar controls: what Streamlit's widgets alone cost;
and that page with its controls sent after the metric and the chart (``controls-after``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.serving import REPO, chromium_path, free_port, loopback_only, wait_healthy

_IMPORTS = "import plotly.graph_objects as go\nimport streamlit as st\n"
_CHART = """st.metric("Total", "€1,234.56")
st.plotly_chart(go.Figure(go.Bar(x=list(range(30)), y=[v % 7 + 1 for v in range(30)])))
"""
MINIMAL_APP = _IMPORTS + _CHART
_CONTROLS = """with st.sidebar:
    st.radio("Data source", ["Demo", "Files", "Azure", "Lake"], horizontal=True)
    st.radio("Cost", ["Actual", "Amortized"], horizontal=True)
    st.radio("Period", ["Month to date", "Last 6 billing periods + current", "Last 30 days", "Billing period…", "Custom range…"])
    st.radio("Scope", ["Billing account", "Billing profile", "Production", "Development", "Data Platform"])
    st.expander("Filters")
    st.radio("Language", ["English", "Nederlands"], horizontal=True)
"""
# The minimal page with the dashboard's sidebar controls as a new visitor finds them (language, source, cost, scope,
# period, the closed Filters expander): what those Streamlit widgets alone add to the first chart (``--controls``);
# and the same page sending its controls after the metric and the chart, to see whether the order they reach the
# browser in matters.
CONTROLS_APP = _IMPORTS + _CONTROLS + _CHART
CONTROLS_AFTER_APP = _IMPORTS + _CHART + _CONTROLS
FIRST_METRIC = "[data-testid=stMetricValue]"
FIRST_BAR = ".js-plotly-plot g.point path"
# The services a filter change adds, one more each time.
SERVICES = ("Storage", "Key Vault", "Bandwidth", "SQL Database", "Backup", "Event Hubs", "Virtual Machines")
# The floor for a filter change: the minimal page with a Service filter box (the dashboard's thirty services) in a
# Filters expander of the sidebar, its metric and chart following the choice; the chart as wide as the page, as the
# dashboard's are (so it is drawn with a width, which ``settled`` waits for). Timed for filter changes only.
MINIMAL_FILTER_APP = (
    _IMPORTS
    + f"""services = sorted({list(SERVICES)!r} + [f"Service {{n}}" for n in range(23)])
with st.sidebar, st.expander("Filters"):
    chosen = st.multiselect("Service", services)
values = [(v * 7 + len(chosen) * 3) % 11 + 1 for v in range(30)]
st.metric("Total", f"€{{sum(values) * (len(chosen) + 1):,.2f}}")
st.plotly_chart(go.Figure(go.Bar(x=list(range(30)), y=values)), width="stretch")
"""
)
TIMEOUT_MS = 120_000
# Installed in every timed page before its own scripts: at each animation frame, whether the first metric value and
# the first chart bar are in the page yet; the moment the frame that first holds one has been rendered (the task
# after that frame's rendering) is kept in ``window.__seen``, in milliseconds from navigation.
SEEN = f"""window.__seen = {{}};
(() => {{
  const marks = {{metric: "{FIRST_METRIC}", bar: "{FIRST_BAR}"}};
  const pending = new Set();
  const check = () => {{
    for (const [name, selector] of Object.entries(marks)) {{
      if (name in window.__seen || pending.has(name) || !document.querySelector(selector)) continue;
      pending.add(name);
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {{ window.__seen[name] = performance.now(); }};
      channel.port2.postMessage(null);
    }}
    if (pending.size < Object.keys(marks).length) requestAnimationFrame(check);
  }};
  requestAnimationFrame(check);
}})();"""

# Each time a chart is drawn: Streamlit hands its figure to ``Plotly.react`` (twice whenever it mounts a chart: first
# without a width, then with the width it measured; it mounts a new chart whenever the figure changes). Plotly's module
# sets ``window.Plotly`` when it is evaluated; the setter wraps ``react`` to note when each call began, how long its
# synchronous part took, the chart's title and the width given (``__draws``), and for each chart element the moment it
# was last drawn with a width (``__drawnAt``). ``__lastKey`` is when the last key went down.
CHART_DRAWS = """window.__draws = []; window.__drawnAt = new WeakMap(); window.__lastKey = 0;
document.addEventListener('keydown', e => { window.__lastKey = e.timeStamp; }, true);
(() => {
  let plotly;
  Object.defineProperty(window, 'Plotly', {configurable: true, get: () => plotly, set: (module) => {
    plotly = module;
    const react = module.react;
    module.react = function (element, figure, ...rest) {
      const began = performance.now();
      const result = react.call(this, element, figure, ...rest);
      const layout = (figure && figure.layout) || {};
      const title = String((layout.title && layout.title.text) || '?').replace(/<[^>]*>/g, '').slice(0, 24);
      window.__draws.push([began, performance.now() - began, title, layout.width || 0]);
      if (layout.width) window.__drawnAt.set(element, performance.now());
      return result;
    };
  }});
})();"""


@contextmanager
def served(script: Path, log: Path) -> Iterator[str]:
    """`streamlit run script` on a free loopback port, as the test servers run (headless, no file watcher)."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", script.name, "--server.headless", "true", "--server.address", "127.0.0.1"]
    command += ["--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    env = loopback_only({**os.environ, "AZDASH_TODAY": "2026-11-26", "PYTHONPATH": str(REPO)})
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=script.parent, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def seen_times(page: Any) -> dict[str, float]:
    """Once a page with ``SEEN`` installed has shown both, milliseconds from navigation to its first metric value
    (``metric``) and its first chart bar (``bar``)."""
    seen = page.wait_for_function("() => window.__seen.metric && window.__seen.bar && window.__seen", timeout=TIMEOUT_MS)
    times: dict[str, float] = seen.json_value()
    return times


def first_view(browser: Any, url: str) -> tuple[float, float]:
    """A new session: seconds from navigation to the frame that shows the first metric value, and the first chart bar.

    The page times both itself (``SEEN``): Playwright's own waiting polls ever less often (after a few tries, every
    0.5 s), so the moment it notices an element can be up to half a second after the page showed it.
    """
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.add_init_script(SEEN)
    try:
        page = context.new_page()
        page.goto(url)
        times = seen_times(page)
        return times["metric"] / 1000, times["bar"] / 1000
    finally:
        context.close()


def settled(page: Any, previous_total: str, charts: int, total: int = 4) -> float:
    """Once the rerun after the last key press has settled, milliseconds from that key press: the script no longer
    running, the total (the page's metric number ``total``) showing a new figure, and ``charts`` charts in the page, each
    drawn with its width since the key went down (a filter change redraws every chart of the overview; Streamlit leaves
    a new chart out of the page until it knows its width, so the count matters). Checked at each animation frame."""
    moment = page.wait_for_function(
        """([prev, count, total]) => {
          const app = document.querySelector('[data-testid=stApp]');
          const values = document.querySelectorAll('[data-testid=stMetricValue]');
          if (!app || app.dataset.testScriptState !== 'notRunning') return false;
          if (values.length <= total || values[total].innerText === prev) return false;
          const shown = [...document.querySelectorAll('.js-plotly-plot')];
          const drawn = shown.filter(chart => (window.__drawnAt.get(chart) || -1) > window.__lastKey);
          if (shown.length < count || drawn.length < shown.length) return false;
          return performance.now() - window.__lastKey;
        }""",
        arg=[previous_total, charts, total],
        timeout=TIMEOUT_MS,
    )
    elapsed: float = moment.json_value()
    return elapsed


def script_ended(page: Any) -> None:
    """Wait until the page's script run has ended."""
    page.wait_for_function("() => document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning'")


def open_service_filter(page: Any) -> Any:
    """Once the page shows its first chart, open the sidebar's Filters expander; its Service box's text field."""
    page.locator(FIRST_BAR).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    script_ended(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.locator("summary", has_text="Filters").click()
    # The expander opening (on the dashboard, with the rerun that draws its boxes) is over before a box is typed into:
    # a box typed into while it is still being drawn loses the text. Not timed: the clock starts at the key press.
    page.wait_for_timeout(500)
    script_ended(page)
    return sidebar.get_by_test_id("stMultiSelect").filter(has_text="Service").locator("input").first


def filter_changes(browser: Any, url: str, count: int, total: int = 4) -> list[float]:
    """Seconds from choosing one more service in the sidebar filter (the Enter key going down) to the page settled on
    new figures and charts (``settled``; ``total``: which metric is the page's total), as the page itself times them."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.add_init_script(CHART_DRAWS)
    page = context.new_page()
    page.goto(url)
    box = open_service_filter(page)
    timings = []
    for name in SERVICES[:count]:
        shown = page.locator(FIRST_METRIC).nth(total).inner_text()
        box.click()
        box.fill(name)
        charts = page.locator(".js-plotly-plot").count()
        page.keyboard.press("Enter")  # each change adds one more service to the filter
        timings.append(settled(page, shown, charts, total) / 1000)
        page.keyboard.press("Escape")
    context.close()
    return timings


def spread(values: list[float]) -> str:
    return f"min {min(values):.2f} s · median {statistics.median(values):.2f} s · max {max(values):.2f} s (n={len(values)})"


@contextmanager
def warm_servers(baselines: Sequence[Path] = (), controls: bool = False) -> Iterator[tuple[Any, dict[str, str]]]:
    """A Chromium and the URLs of the dashboard, the minimal page, (with ``baselines``) those checkouts' dashboards,
    (with ``controls``) the minimal page with the dashboard's sidebar controls and the minimal page with a filter box
    (``minimal-filter``), each server visited once; the load average before and after."""
    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("no Chromium: set CHROMIUM_PATH or apt-get install -y chromium")
    print("load average before:", Path("/proc/loadavg").read_text().split()[:3])
    with tempfile.TemporaryDirectory() as folder, ExitStack() as servers:
        minimal = Path(folder) / "minimal.py"
        minimal.write_text(MINIMAL_APP)
        urls = {"dashboard": servers.enter_context(served(REPO / "app.py", Path(folder) / "dashboard.log"))}
        for checkout in baselines:
            name = "baseline" if len(baselines) == 1 else checkout.name
            urls[name] = servers.enter_context(served(checkout / "app.py", Path(folder) / f"{name}.log"))
        urls["minimal"] = servers.enter_context(served(minimal, Path(folder) / "minimal.log"))
        with_filter = Path(folder) / "minimal_filter.py"
        with_filter.write_text(MINIMAL_FILTER_APP)
        urls["minimal-filter"] = servers.enter_context(served(with_filter, Path(folder) / "minimal-filter.log"))
        if controls:
            for name, source in (("controls", CONTROLS_APP), ("controls-after", CONTROLS_AFTER_APP)):
                page = Path(folder) / f"{name}.py"
                page.write_text(source)
                urls[name] = servers.enter_context(served(page, Path(folder) / f"{name}.log"))
        playwright = servers.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=chromium, args=["--disable-gpu", "--disable-dev-shm-usage"])
        for url in urls.values():  # warm: the first session of a server is not what a later visitor meets
            first_view(browser, url)
        yield browser, urls
        browser.close()
    print("load average after:", Path("/proc/loadavg").read_text().split()[:3], f"on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--changes", type=int, default=6)
    parser.add_argument("--baseline", type=Path, action="append", default=[], help="another checkout, timed side by side")
    parser.add_argument("--controls", action="store_true", help="also the minimal page with the dashboard's sidebar controls")
    parser.add_argument("--change-sessions", type=int, default=2, help="sessions of filter changes per dashboard, order alternated")
    args = parser.parse_args()
    with warm_servers(args.baseline, args.controls) as (browser, urls):
        pages = {name: url for name, url in urls.items() if name != "minimal-filter"}
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in pages}
        for run in range(args.runs):  # interleaved, so a busy moment of the machine hits each alike
            order = list(pages.items())
            for name, url in order if run % 2 == 0 else reversed(order):
                results[name].append(first_view(browser, url))
        for name, timings in results.items():
            print(f"{name:9} first metric: {spread([m for m, _ in timings])}")
            print(f"{name:9} first chart:  {spread([c for _, c in timings])}")
        minimal = statistics.median(c for _, c in results["minimal"])
        for name in (n for n in pages if n != "minimal"):
            ratio = statistics.median(c for _, c in results[name]) / minimal
            print(f"first chart, {name} / minimal (medians): {ratio:.2f}×", flush=True)
        if args.changes == 0:
            return
        dashboards = [n for n in urls if n not in ("minimal", "controls", "controls-after")]
        changes: dict[str, list[float]] = {name: [] for name in dashboards}
        for turn in range(args.change_sessions):  # the order is reversed every other session
            for name in dashboards if turn % 2 == 0 else reversed(dashboards):
                changes[name] += filter_changes(browser, urls[name], args.changes, 0 if name == "minimal-filter" else 4)
        for name, timings in changes.items():
            print(f"{name:9} filter change settled: {spread(timings)}")
        floor = statistics.median(changes["minimal-filter"])
        for name in (n for n in dashboards if n != "minimal-filter"):
            print(f"filter change, {name} / minimal-filter (medians): {statistics.median(changes[name]) / floor:.2f}×")


if __name__ == "__main__":
    main()
