"""Time the demo dashboard as a user meets it: `make run` to first chart, filter change to new charts.

Usage: .venv/bin/python -m bench.ui_timing [--runs 3]
Needs Chromium (CHROMIUM_PATH or /usr/bin/chromium). Prints medians of fresh-server starts and of
filter changes in one browser session.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("server did not become healthy")


def charts_drawn(page: Page, count: int = 3) -> None:
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {count}", timeout=60_000)


def idle(page: Page) -> None:
    # Streamlit shows the status widget while a script runs; wait until it is gone.
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)


def time_start(browser_launch: object) -> float:
    port = free_port()
    env = {**os.environ, "AZDASH_TODAY": "2026-11-26"}
    started = time.monotonic()
    server = subprocess.Popen(
        ["make", "-s", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_healthy(port, started + 120)
        browser = browser_launch()  # type: ignore[operator]
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/")
        charts_drawn(page)
        elapsed = time.monotonic() - started
        browser.close()
        return elapsed
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def time_filter_changes(browser_launch: object, runs: int) -> list[float]:
    port = free_port()
    env = {**os.environ, "AZDASH_TODAY": "2026-11-26"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/streamlit"), "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_healthy(port, time.monotonic() + 120)
        browser = browser_launch()  # type: ignore[operator]
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/")
        charts_drawn(page)
        idle(page)
        page.get_by_text("Filters", exact=False).first.click()
        services = ["Storage", "SQL Database", "Virtual Machines", "Key Vault", "Backup", "Bandwidth", "Event Hubs"]
        timings = []
        for service in services[:runs]:
            total = page.locator("[data-testid=stMetricValue]").last.inner_text()
            box = page.locator("[data-testid=stMultiSelect]").first.locator("input")
            box.click()
            box.fill(service)
            started = time.monotonic()
            page.keyboard.press("Enter")
            page.wait_for_function(
                "prev => document.querySelectorAll('[data-testid=stMetricValue]')[4]?.innerText !== prev", arg=total, timeout=60_000
            )
            idle(page)
            charts_drawn(page)
            timings.append(time.monotonic() - started)
            page.keyboard.press("Escape")
        browser.close()
        return timings
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with sync_playwright() as playwright:

        def launch() -> object:
            return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        starts = [time_start(launch) for _ in range(args.runs)]
        changes = time_filter_changes(launch, max(args.runs, 5))
    start_runs = [round(s, 2) for s in starts]
    change_runs = [round(s, 2) for s in changes]
    print(f"make run → first chart drawn (fresh server, .venv present): median {statistics.median(starts):.2f} s, runs {start_runs}")
    print(f"filter change → new figures and charts: median {statistics.median(changes):.2f} s, changes {change_runs}")


if __name__ == "__main__":
    main()
