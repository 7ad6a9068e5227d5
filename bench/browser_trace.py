"""Where a new session's wait goes, in Chromium: the websocket messages of one visit against what the page shows.

Usage: .venv/bin/python -m bench.browser_trace [--visits 2] [--deltas]
Serves the dashboard and the minimal page of ``bench.browser_first_chart`` (both warmed by one visit), then for each
timed visit prints, in seconds from navigation: the rerun requests the browser sends (one per script run), the server's
session start, page-link update, navigation and script end, the big element messages (a chart's), when the first
metric and the first chart bar are shown (the page's own stopwatch, ``browser_first_chart.SEEN``), the page's long tasks
(its main thread busy for over 50 ms), each chart's drawing (``Plotly.react``: its title, how long, the width it was
given; Streamlit draws each chart twice on a new page, first without a width) and the script files it fetched (those
asked for after the run, and any big one before it): when each was asked for, its first and last byte. The biggest,
Plotly's, is what the first chart waits for. Server time is from ``new_session`` to ``script_finished``; the rest up to
the first bar is the browser's (loading Plotly, evaluating it, drawing). With ``--deltas`` every element message is
listed.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.browser_first_chart import SEEN, seen_times, warm_servers

BIG_MESSAGE = 20_000  # bytes: a chart's figure, a table
# The page's long tasks (main thread busy over 50 ms: Plotly's module evaluation, a commit that draws the charts).
LONG_TASKS = """window.__longTasks = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
  .observe({type: 'longtask', buffered: true});"""

# Each time a chart is drawn: Streamlit hands its figure to ``Plotly.react`` (twice on a new page: first without a width,
# then with the width it measured). Plotly's module sets ``window.Plotly`` when it is evaluated; the setter wraps
# ``react`` to note when each call began, how long its synchronous part took, the chart's title and the width given.
CHART_DRAWS = """window.__draws = [];
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
      return result;
    };
  }});
})();"""

# The script files the page fetched: when each was asked for, its first byte and its last, from navigation start.
SCRIPT_FILES = """performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js'))
  .map(e => [e.name, e.startTime, e.responseStart, e.responseEnd, e.encodedBodySize])"""


def _received(payload: bytes) -> tuple[str, str]:
    message = ForwardMsg()
    message.ParseFromString(payload)
    kind = message.WhichOneof("type") or "?"
    if kind == "delta":
        what = message.delta.WhichOneof("type") or "?"
        if what == "new_element":
            what += ":" + (message.delta.new_element.WhichOneof("type") or "?")
        return kind, what
    if kind == "script_finished":
        return kind, str(message.script_finished)
    return kind, ""


def _sent(payload: bytes) -> tuple[str, str]:
    message = BackMsg()
    message.ParseFromString(payload)
    return "SENT " + (message.WhichOneof("type") or "?"), ""


def trace(browser: Any, url: str, label: str, deltas: bool) -> None:
    """One new session: its messages and DOM milestones, in seconds from navigation."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.add_init_script(LONG_TASKS)
    context.add_init_script(SEEN)
    context.add_init_script(CHART_DRAWS)
    page = context.new_page()
    events: list[tuple[float, str, str, int]] = []
    started = time.perf_counter()

    def on_socket(socket: Any) -> None:
        def note(decode: Any) -> Any:
            def handler(payload: bytes | str) -> None:
                if isinstance(payload, bytes):
                    events.append((time.perf_counter() - started, *decode(payload), len(payload)))

            return handler

        socket.on("framereceived", note(_received))
        socket.on("framesent", note(_sent))

    page.on("websocket", on_socket)
    started = time.perf_counter()
    page.goto(url)
    for name, at_ms in seen_times(page).items():
        events.append((at_ms / 1000, f"shown: first {name}", "", 0))
    page.wait_for_function("() => document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning'")
    rerun_asked = min((at for at, kind, _, _ in events if kind.startswith("SENT")), default=0.0)
    events += _page_events(page, rerun_asked)
    context.close()
    print(f"== {label}")
    for at, kind, what, size in sorted(events):
        if kind == "delta" and not deltas and size < BIG_MESSAGE:
            continue
        if kind == "session_status_changed":
            continue
        print(f"  {at:7.3f} s  {kind:24} {what:32} {size:>8} B")


def _page_events(page: Any, rerun_asked: float) -> list[tuple[float, str, str, int]]:
    """What the page noted itself (long tasks, chart drawings, script files fetched), in seconds from its navigation
    start, which is within a few ms of the trace's own start."""
    events: list[tuple[float, str, str, int]] = []
    for start_ms, duration_ms in page.evaluate("window.__longTasks"):
        events.append((start_ms / 1000, "long task", f"{duration_ms / 1000:.3f} s on the main thread", 0))
    for start_ms, duration_ms, title, width in page.evaluate("window.__draws"):
        given = f"width {width}" if width else "no width yet"
        events.append((start_ms / 1000, "chart drawn", f"{title}: {duration_ms / 1000:.3f} s, {given}", 0))
    for name, start_ms, response_ms, end_ms, size in page.evaluate(SCRIPT_FILES):
        if start_ms < rerun_asked * 1000 and size < BIG_MESSAGE:
            continue  # the page's own small modules, the same for every app
        what = f"{name[-28:]} first byte +{(response_ms - start_ms) / 1000:.3f} s, done +{(end_ms - start_ms) / 1000:.3f} s"
        events.append((start_ms / 1000, "script file asked", what, size))
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=2)
    parser.add_argument("--deltas", action="store_true", help="list every element message")
    args = parser.parse_args()
    with warm_servers() as (browser, urls):
        dashboard, plain = urls["dashboard"], urls["minimal"]
        for visit in range(args.visits):
            trace(browser, dashboard, f"dashboard, visit {visit + 1}", args.deltas)
            trace(browser, plain, f"minimal page, visit {visit + 1}", args.deltas)


if __name__ == "__main__":
    main()
