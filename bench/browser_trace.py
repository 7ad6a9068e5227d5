"""Where a new session's wait goes, in Chromium: the websocket messages of one visit against what the page shows.

Usage: .venv/bin/python -m bench.browser_trace [--visits 2] [--deltas] [--changes 0]
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
With ``--changes N`` it then traces N filter changes on the dashboard (``browser_first_chart.filter_changes``'s: one
more service each time), in seconds from the key press: the rerun request, the server's script end, the big element
messages, the long tasks, each chart's drawing, and when the page settled (``browser_first_chart.settled``: the script
no longer running, the total showing a new figure, every chart drawn again with its width).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.browser_first_chart import (
    CHART_DRAWS,
    FIRST_METRIC,
    SEEN,
    SERVICES,
    open_service_filter,
    script_ended,
    seen_times,
    settled,
    warm_servers,
)

BIG_MESSAGE = 20_000  # bytes: a chart's figure, a table
# The page's long tasks (main thread busy over 50 ms: Plotly's module evaluation, a commit that draws the charts).
LONG_TASKS = """window.__longTasks = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
  .observe({type: 'longtask', buffered: true});"""

# When each message left the page for the server.
SENDS = """window.__sends = [];
(() => { const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) { window.__sends.push(performance.now()); return send.call(this, data); }; })();"""

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


class _Socket:
    """The page's websocket frames as events, in seconds from ``origin`` (the navigation, or a key press)."""

    def __init__(self, page: Any) -> None:
        self.events: list[tuple[float, str, str, int]] = []
        self.origin = time.perf_counter()
        page.on("websocket", self._on_socket)

    def restart(self) -> None:
        self.events, self.origin = [], time.perf_counter()

    def _on_socket(self, socket: Any) -> None:
        def note(decode: Any) -> Any:
            def handler(payload: bytes | str) -> None:
                if isinstance(payload, bytes):
                    self.events.append((time.perf_counter() - self.origin, *decode(payload), len(payload)))

            return handler

        socket.on("framereceived", note(_received))
        socket.on("framesent", note(_sent))


def _print(label: str, events: list[tuple[float, str, str, int]], deltas: bool) -> None:
    print(f"== {label}")
    for at, kind, what, size in sorted(events):
        if kind == "delta" and not deltas and size < BIG_MESSAGE:
            continue
        if kind == "session_status_changed":
            continue
        print(f"  {at:7.3f} s  {kind:24} {what:32} {size:>8} B")


def _new_page(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    context.add_init_script(LONG_TASKS)
    context.add_init_script(SEEN)
    context.add_init_script(CHART_DRAWS)
    context.add_init_script(SENDS)
    return context, context.new_page()


def trace(browser: Any, url: str, label: str, deltas: bool) -> None:
    """One new session: its messages and DOM milestones, in seconds from navigation."""
    context, page = _new_page(browser)
    socket = _Socket(page)
    page.goto(url)
    events = socket.events
    for name, at_ms in seen_times(page).items():
        events.append((at_ms / 1000, f"shown: first {name}", "", 0))
    script_ended(page)
    rerun_asked = min((at for at, kind, _, _ in events if kind.startswith("SENT")), default=0.0)
    events += _page_events(page, rerun_asked)
    context.close()
    _print(label, events, deltas)


def trace_changes(browser: Any, url: str, count: int, deltas: bool) -> None:
    """``count`` filter changes in one session, each in seconds from the key press that makes it: the page's own events
    from the moment the key went down, the websocket frames from the moment Playwright was told to press it (a few ms
    earlier)."""
    context, page = _new_page(browser)
    socket = _Socket(page)
    page.goto(url)
    box = open_service_filter(page)
    for name in SERVICES[:count]:
        total = page.locator(FIRST_METRIC).nth(4).inner_text()
        box.click()
        box.fill(name)
        page.wait_for_timeout(300)  # let the box's own drawing end before the clock starts
        charts = page.evaluate(
            "window.__longTasks = []; window.__draws = []; window.__sends = []; document.querySelectorAll('.js-plotly-plot').length"
        )
        socket.restart()
        page.keyboard.press("Enter")
        settled_ms = settled(page, total, charts)
        key_ms = page.evaluate("window.__lastKey")
        page_events = _page_events(page, float("inf"), scripts=False)
        page_events += [(ms / 1000, "page: message sent", "", 0) for ms in page.evaluate("window.__sends")]
        events = [*socket.events, (settled_ms / 1000, "settled (page's clock)", "", 0)]
        events += [(at - key_ms / 1000, *rest) for at, *rest in page_events]
        _print(f"filter change: + {name}", events, deltas)
        page.keyboard.press("Escape")
    context.close()


def _page_events(page: Any, rerun_asked: float, scripts: bool = True) -> list[tuple[float, str, str, int]]:
    """What the page noted itself (long tasks, chart drawings, script files fetched), in seconds from its navigation
    start, which is within a few ms of the trace's own start."""
    events: list[tuple[float, str, str, int]] = []
    for start_ms, duration_ms in page.evaluate("window.__longTasks"):
        events.append((start_ms / 1000, "long task", f"{duration_ms / 1000:.3f} s on the main thread", 0))
    for start_ms, duration_ms, title, width in page.evaluate("window.__draws"):
        given = f"width {width}" if width else "no width yet"
        events.append((start_ms / 1000, "chart drawn", f"{title}: {duration_ms / 1000:.3f} s, {given}", 0))
    for name, start_ms, response_ms, end_ms, size in page.evaluate(SCRIPT_FILES) if scripts else []:
        if start_ms < rerun_asked * 1000 and size < BIG_MESSAGE:
            continue  # the page's own small modules, the same for every app
        what = f"{name[-28:]} first byte +{(response_ms - start_ms) / 1000:.3f} s, done +{(end_ms - start_ms) / 1000:.3f} s"
        events.append((start_ms / 1000, "script file asked", what, size))
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=2)
    parser.add_argument("--deltas", action="store_true", help="list every element message")
    parser.add_argument("--changes", type=int, default=0, help="then trace this many filter changes on the dashboard")
    args = parser.parse_args()
    with warm_servers() as (browser, urls):
        dashboard, plain = urls["dashboard"], urls["minimal"]
        for visit in range(args.visits):
            trace(browser, dashboard, f"dashboard, visit {visit + 1}", args.deltas)
            trace(browser, plain, f"minimal page, visit {visit + 1}", args.deltas)
        if args.changes:
            trace_changes(browser, dashboard, args.changes, args.deltas)


if __name__ == "__main__":
    main()
