"""How long the overview's daily chart takes to build on the server (a view not seen before has to build it).

Usage: .venv/bin/python -m bench.chart_build [--repeat 30] [--baseline CHECKOUT]

Builds the demo's daily chart (the default view: 210 days x 10 series) ``--repeat`` times in English and in Dutch and
prints min/median/max, and the memory one built chart holds (what ``widgets.remembered_chart`` keeps per view).
``--baseline`` builds the same charts with another checkout's ``lib/output/charts.py`` (e.g. ``git worktree add
/tmp/before <commit>``), interleaved in the same process, and says whether both give byte-for-byte the same JSON.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
import types
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import plotly.io as plotly_io

from lib.analysis import views
from lib.core import i18n
from lib.core.models import Metric
from lib.output import charts
from lib.ui.cache import load_demo

AS_OF = date(2026, 11, 26)


def _module_of(checkout: Path) -> types.ModuleType:
    """``lib/output/charts.py`` of ``checkout``, run against this checkout's other modules."""
    module = types.ModuleType("baseline_charts")
    source = (checkout / "lib" / "output" / "charts.py").read_text()
    exec(compile(source, str(checkout / "lib" / "output" / "charts.py"), "exec"), module.__dict__)
    return module


def _spread(values: list[float]) -> str:
    return f"min {min(values):.1f} ms · median {statistics.median(values):.1f} ms · max {max(values):.1f} ms (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--baseline", type=Path, help="another checkout of the project, timed side by side")
    args = parser.parse_args()
    dataset = load_demo(AS_OF, Metric.ACTUAL)
    builders: dict[str, Any] = {"now": charts}
    if args.baseline:
        builders["baseline"] = _module_of(args.baseline)
    for language in ("en", "nl"):
        i18n.set_language(language)
        model = views.overview(dataset, views.View(), AS_OF)
        calls: dict[str, Callable[[], object]] = {
            name: (lambda m=module, d=model: m.build_daily_cost_chart(d.daily, d.colours, "EUR", "Daily cost"))
            for name, module in builders.items()
        }
        specs = {name: plotly_io.to_json(call(), validate=False) for name, call in calls.items()}  # also warms each
        timings: dict[str, list[float]] = {name: [] for name in calls}
        for _ in range(args.repeat):
            for name, call in calls.items():
                started = time.perf_counter()
                call()
                timings[name].append((time.perf_counter() - started) * 1000)
        for name, values in timings.items():
            print(f"{language} {name:8} build: {_spread(values)}")
        if "baseline" in specs:
            print(f"{language} same JSON as the baseline: {specs['now'] == specs['baseline']}")
        gc.collect()
        tracemalloc.start()
        kept = [calls["now"]() for _ in range(10)]
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] / len(kept)
        tracemalloc.stop()
        print(f"{language} one built chart holds {held / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
