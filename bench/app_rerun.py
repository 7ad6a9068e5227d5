"""Time and profile the real app's page rerun on a big data set, server side, with Streamlit's AppTest.

    python -m bench.app_rerun --rows 1m                  # load_paths frame (stand-in if load_paths is unavailable)
    python -m bench.app_rerun --rows 1m --profile        # plus a pyinstrument profile of the reruns
    python -m bench.app_rerun --rows 1m --standin

The app has no way yet to open a big file by path, so this BENCH-ONLY hook replaces ``lib.ui.cache.load_demo`` (what the
sidebar calls for the default source) with a function returning the big data set, and pins ``AZDASH_TODAY`` to the
file's last day. Each timed step is one ``AppTest.run()``: the whole script (sidebar, filters, the page) as Streamlit
reruns it after a widget change, without the browser's websocket and drawing time. The medians are of the interactive
reruns (a widget change, then the page recomputes and rebuilds every chart).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, as_of_of, peak_rss_mb, reset_peak_rss, rss_mb
from bench.generate import bench_file, rows_command
from bench.profile_recompute import load

TARGET_RERUN_MS = 300.0


def steps(at: Any) -> list[tuple[str, Any]]:
    """Widget changes a user makes, each followed by a rerun (functions of the AppTest)."""
    return [
        ("rerun, nothing changed (overview)", lambda: at.run()),
        ("filter: one service (overview)", lambda: at.sidebar.multiselect(key="filter_Service").set_value(["Virtual Machines"]).run()),
        ("clear the service filter (overview)", lambda: at.sidebar.multiselect(key="filter_Service").set_value([]).run()),
        ("filter: tag key 'env' chosen (overview)", lambda: at.sidebar.selectbox(key="tag_key").set_value("env").run()),
        ("filter: tag env=prod (overview)", lambda: at.sidebar.multiselect(key="tag_values").set_value(["prod"]).run()),
        ("clear the tag filter (overview)", lambda: at.sidebar.selectbox(key="tag_key").set_value(None).run()),
        ("open Explore", lambda: at.switch_page("pages/explore.py").run()),
        ("explore: group by resource group", lambda: at.selectbox(key="group_by").set_value("ResourceGroup").run()),
        ("explore: group by tag 'env'", lambda: at.selectbox(key="group_by").set_value("tag:env").run()),
        ("explore: filter one service", lambda: at.sidebar.multiselect(key="filter_Service").set_value(["Virtual Machines"]).run()),
    ]


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = rows_command("python -m bench.app_rerun", __doc__, 1_000_000)
    parser.add_argument("--rounds", type=int, default=2, help="times the whole list of changes is replayed (default %(default)s)")
    parser.add_argument("--standin", action="store_true")
    parser.add_argument("--profile", action="store_true", help="sampling profile (all threads) of one extra round")
    args = parser.parse_args(argv)
    path = bench_file(args.rows)
    os.environ["AZDASH_TODAY"] = as_of_of(Path(path)).isoformat()

    from streamlit.testing.v1 import AppTest

    import lib.ui.cache

    started = time.perf_counter()
    dataset, what = load(Path(path), standin=args.standin)
    print(
        f"{args.rows:,} rows, {what}: loaded in {time.perf_counter() - started:.1f} s; RSS {rss_mb():.0f} MB, peak {peak_rss_mb():.0f} MB"
    )
    lib.ui.cache.load_demo = lambda as_of, metric: dataset  # BENCH-ONLY hook (proposal: AZDASH_DATA_PATH in the files source)

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=900)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    if at.exception:
        print(f"the app raised: {[e.message for e in at.exception]}")
        return 1
    print(f"first page run (overview, sidebar built): {first:.2f} s; RSS {rss_mb():.0f} MB")
    reset_peak_rss()
    times: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        at.switch_page("pages/overview.py").run()
        for label, action in steps(at):
            t = time.perf_counter()
            action()
            times.setdefault(label, []).append((time.perf_counter() - t) * 1000)
            if at.exception:
                print(f"  {label}: the app raised {[e.message for e in at.exception]}")
                return 1
        at.sidebar.multiselect(key="filter_Service").set_value([]).run()
    every = [ms for values in times.values() for ms in values]
    median = statistics.median(every)
    print(
        f"page rerun after a widget change, median of {len(every)}: {median:.0f} ms (max {max(every):.0f} ms); target <= 300 ms: ", end=""
    )
    print("MET" if median <= TARGET_RERUN_MS else "MISSED")
    for label, values in times.items():
        print(f"  {label:<44} {statistics.median(values):7.0f} ms")
    print(f"RSS after reruns {rss_mb():.0f} MB; peak during reruns {peak_rss_mb():.0f} MB (VmHWM reset after the first run)")
    if args.profile:
        from bench.sampler import Sampler

        at.switch_page("pages/overview.py").run()
        at.sidebar.multiselect(key="filter_Service").set_value([]).run()
        with Sampler() as sampler:
            for _label, action in steps(at):
                action()
        print(f"profile of one more round of the {len(steps(at))} changes (all-threads sampler):")
        print(*sampler.report(), sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
