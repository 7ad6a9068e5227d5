"""What Streamlit's forced garbage collection after every run costs, and what turning it off does to memory.

Usage: .venv/bin/python -m bench.post_run_gc [--changes 150]

For each setting of ``runner.postScriptGC`` (Streamlit's default ``true``, the app's ``false``), a fresh process runs
the dashboard on demo data in Streamlit's AppTest and makes ``--changes`` filter changes (one more service, then none,
each a view not seen before), as a person clicking through would. It prints the time of one full collection
(``gc.collect(2)``, what the forced collection does after each run while holding the interpreter), the rerun times,
and the process's resident memory after the first run and every 50 changes, and its peak: memory that only a forced
collection would free shows up as a climb in the ``false`` column.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import REPO, peak_rss_mb, rss_mb

SERVICES = ["Storage", "Key Vault", "Bandwidth", "SQL Database", "Backup", "Event Hubs", "Virtual Machines", "Azure Monitor"]


def _one(forced: bool, changes: int) -> dict[str, object]:
    """One setting, in this (fresh) process."""
    os.environ.setdefault("AZDASH_TODAY", "2026-11-26")
    from streamlit import config
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from lib.core.schema import Col
    from lib.ui import state

    config.set_option("runner.postScriptGC", forced)
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:  # as tests/app/conftest.py: stay in st.navigation mode
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.session_state[state.FILTERS_OPEN] = True
    at.run()
    rss = {0: round(rss_mb())}
    times = []
    for n in range(1, changes + 1):
        chosen = SERVICES[: n % len(SERVICES)]
        started = time.perf_counter()
        at.sidebar.multiselect(key=state.filter_key(Col.SERVICE)).set_value(chosen).run()
        times.append(time.perf_counter() - started)
        if at.exception:
            raise SystemExit(str(at.exception))
        if n % 50 == 0:
            rss[n] = round(rss_mb())
    started = time.perf_counter()
    gc.collect(2)
    collect_ms = (time.perf_counter() - started) * 1000
    return {
        "forced": forced,
        "collect_ms": round(collect_ms, 1),
        "tracked": len(gc.get_objects()),
        "rerun_ms": [round(t * 1000, 1) for t in times],
        "rss": rss,
        "peak": round(peak_rss_mb()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=150)
    parser.add_argument("--child", choices=["true", "false"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_one(args.child == "true", args.changes)))
        return
    print("load average before:", Path("/proc/loadavg").read_text().split()[:3])
    for forced in ("true", "false"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.post_run_gc", "--changes", str(args.changes), "--child", forced],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        times = result["rerun_ms"]
        print(f"runner.postScriptGC = {forced}:")
        print(f"  one full collection after the changes: {result['collect_ms']} ms over {result['tracked']:,} tracked objects")
        print(f"  rerun: min {min(times):.0f} ms · median {statistics.median(times):.0f} ms · max {max(times):.0f} ms (n={len(times)})")
        after = ", ".join(f"{n}: {mb}" for n, mb in result["rss"].items())
        print(f"  resident memory (MB) after n changes: {after} · peak {result['peak']}")
    print("load average after:", Path("/proc/loadavg").read_text().split()[:3], f"on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
