"""Every page of the real app on a big file opened by path, server side, with Streamlit's AppTest.

    python -m bench.pages --rows 10m        # bench/out/mca_10m.csv (generated on first use, ~10 GB)
    python -m bench.pages --rows 1m

The app is started as a user would start it on a big export: ``AZDASH_DATA_PATH`` names the file and the Files
source is chosen, so the real loader (streamed, with its disk cache, in a new empty cache folder) reads it. Then each
page is opened, a service and a tag filter are set, and every run is checked for an exception. Prints the time of each run, the process's
RSS and its peak (VmHWM), and what the download page offers for a selection too big for the browser.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, as_of_of, peak_rss_mb, rss_mb
from bench.generate import bench_file, rows_command


def _check(at: Any, label: str, started: float) -> bool:
    took = time.perf_counter() - started
    problems = [e.message for e in at.exception]
    verdict = f"RAISED {problems}" if problems else "ok"
    print(f"  {label:<44} {took:7.2f} s  RSS {rss_mb():6.0f} MB  peak {peak_rss_mb():6.0f} MB  {verdict}")
    return not problems


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    args = rows_command("python -m bench.pages", __doc__, 10_000_000).parse_args(argv)
    path = bench_file(args.rows)
    # A first open, as the first user of a new export sees it: a columnar cache an earlier run left is not used.
    cache = tempfile.mkdtemp(prefix="azdash-bench-pages-")
    os.environ["AZDASH_CACHE_DIR"] = cache
    os.environ["AZDASH_DATA_PATH"] = str(path)
    try:
        return _run_pages(args.rows, path)
    finally:
        for thread in threading.enumerate():
            if thread.name == "azdash-cache-write":
                thread.join()
        shutil.rmtree(cache, ignore_errors=True)


def _run_pages(rows: int, path: Path) -> int:
    os.environ["AZDASH_TODAY"] = as_of_of(path).isoformat()

    from streamlit.testing.v1 import AppTest

    print(f"{rows:,} rows: {path.relative_to(REPO)} ({path.stat().st_size / 1e6:,.0f} MB), AZDASH_DATA_PATH, Files source")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=3600)
    at.session_state["source"] = "files"
    ok = True
    started = time.perf_counter()
    at.run()
    ok &= _check(at, "first run: load the file, overview", started)
    started = time.perf_counter()
    at.switch_page("pages/explore.py").run()
    ok &= _check(at, "open pages/explore.py", started)
    started = time.perf_counter()
    at.switch_page("pages/overview.py").run()
    at.sidebar.multiselect(key="filter_Service").set_value(["Virtual Machines"]).run()
    ok &= _check(at, "overview, filter one service", started)
    started = time.perf_counter()
    at.sidebar.selectbox(key="tag_key").set_value("env").run()
    at.sidebar.multiselect(key="tag_values").set_value(["prod"]).run()
    ok &= _check(at, "overview, tag env=prod", started)
    started = time.perf_counter()
    at.switch_page("pages/explore.py").run()
    ok &= _check(at, "open pages/explore.py (filtered)", started)
    # Last: in AppTest, a page opened after one that ends with st.stop() (download of a big file, access) renders nothing.
    for page in ("pages/download.py", "pages/access.py"):
        started = time.perf_counter()
        at.switch_page(page).run()
        ok &= _check(at, f"open {page} (filtered)", started)
        for warning in at.warning:
            print(f"    the page says: {warning.value[:150]}…")
    # The cache write the first page started (after reading the columns no page shows) runs on: its memory counts too.
    started = time.perf_counter()
    for thread in threading.enumerate():
        if thread.name == "azdash-cache-write":
            thread.join()
    print(f"  background work (later columns, columnar cache) finished {time.perf_counter() - started:.2f} s after the last page")
    print(f"every page rendered without an exception: {'yes' if ok else 'NO'}; peak RSS {peak_rss_mb():.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
