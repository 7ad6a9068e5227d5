"""Where a new session's wait goes, in Chromium: the websocket messages of one visit against what the page shows.

Usage: .venv/bin/python -m bench.browser_trace [--visits 2] [--deltas]
Serves the dashboard and the minimal page of ``bench.browser_first_chart`` (both warmed by one visit), then for each
timed visit prints, in seconds from navigation: the rerun requests the browser sends (one per script run), the server's
session start, page-link update, navigation and script end, the big element messages (a chart's), when the first
metric and the first chart bar appear in the DOM, and the page's long tasks (its main thread busy for over 50 ms).
Server time is from ``new_session`` to ``script_finished``; the rest up to the first bar is the browser's (loading
Plotly, evaluating it, drawing). With ``--deltas`` every element message is listed.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.browser_first_chart import FIRST_BAR, FIRST_METRIC, TIMEOUT_MS, warm_servers

BIG_MESSAGE = 20_000  # bytes: a chart's figure, a table
# The page's long tasks (main thread busy over 50 ms: Plotly's module evaluation, a commit that draws the charts).
LONG_TASKS = """window.__longTasks = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
  .observe({type: 'longtask', buffered: true});"""


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
    page.locator(FIRST_METRIC).first.wait_for(timeout=TIMEOUT_MS)
    events.append((time.perf_counter() - started, "DOM first metric", "", 0))
    page.locator(FIRST_BAR).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    events.append((time.perf_counter() - started, "DOM first bar", "", 0))
    page.wait_for_function("() => document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning'")
    # Long tasks are timed from the page's own navigation start, which is within a few ms of ``started``.
    for start_ms, duration_ms in page.evaluate("window.__longTasks"):
        events.append((start_ms / 1000, "long task", f"{duration_ms / 1000:.3f} s on the main thread", 0))
    context.close()
    print(f"== {label}")
    for at, kind, what, size in sorted(events):
        if kind == "delta" and not deltas and size < BIG_MESSAGE:
            continue
        if kind == "session_status_changed":
            continue
        print(f"  {at:7.3f} s  {kind:24} {what:32} {size:>8} B")


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
