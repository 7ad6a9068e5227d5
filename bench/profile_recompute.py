"""Profile the recompute path (``views.overview`` + ``views.explore`` for each filter / group-by change) with pyinstrument.

    python -m bench.profile_recompute --rows 1m            # the load_paths frame when available, else the stand-in
    python -m bench.profile_recompute --rows 1m --standin  # always the bench-only stand-in frame
    python -m bench.profile_recompute --rows 1m --html bench/out/recompute.html

Prints the call tree (time attributed to the Python frame that called into polars), and a flat table of the
``lib`` functions by total time, so it is clear which aggregate or filter dominates.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, as_of_of, rss_mb
from bench.generate import bench_file, rows_command
from bench.recompute import VIEW_CHANGES, recompute, standin_dataset, summarize_times, time_recompute


def load(path: Path, *, standin: bool) -> tuple[Any, str]:
    """The data set to profile on, and what it is."""
    if not standin:
        from lib.core.dataset import SourceError
        from lib.core.models import Metric
        from lib.sources.files import load_paths

        try:
            return load_paths([str(path)], as_of=as_of_of(path), metric=Metric.ACTUAL), "load_paths frame"
        except SourceError as error:
            print(f"load_paths not available yet ({error}); using the bench-only stand-in frame", file=sys.stderr)
    return standin_dataset(path, as_of_of(path)), "STAND-IN frame (pl.read_csv(infer_schema=False) + lib.ingest.normalize)"


OURS = (str(REPO / "lib") + "/", str(REPO / "pages") + "/", str(REPO / "app.py"))


def flat_lib_table(session: Any, limit: int = 25) -> list[str]:
    """Total (inclusive) time per function of the app's own code (lib/, pages/, app.py), largest first."""
    totals: dict[str, float] = {}

    def walk(frame: Any, active: set[str]) -> None:
        file_path = frame.file_path or ""
        key = f"{Path(file_path).name}:{frame.function}"
        in_lib = file_path.startswith(OURS) and "/.venv/" not in file_path
        if in_lib and key not in active:  # count recursion once
            totals[key] = totals.get(key, 0.0) + frame.time
        for child in frame.children:
            walk(child, active | {key} if in_lib else active)

    root = session.root_frame()
    if root is not None:
        walk(root, set())
    total = root.time if root is not None else 0.0
    rows = sorted(totals.items(), key=lambda kv: -kv[1])[:limit]
    return [f"  {seconds:7.3f} s  {seconds / total * 100 if total else 0:5.1f} %  {name}" for name, seconds in rows]


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    from pyinstrument import Profiler

    parser = rows_command("python -m bench.profile_recompute", __doc__, 1_000_000)
    parser.add_argument("--standin", action="store_true", help="profile on the bench-only stand-in frame even if load_paths works")
    parser.add_argument("--rounds", type=int, default=2, help="profiled rounds over every view change")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report here")
    args = parser.parse_args(argv)
    path = bench_file(args.rows)
    started = time.perf_counter()
    dataset, what = load(path, standin=args.standin)
    print(f"{args.rows:,} rows, {what}: loaded in {time.perf_counter() - started:.1f} s, RSS {rss_mb():.0f} MB")
    summary = summarize_times(time_recompute(dataset, rounds=3))
    print(f"recompute (overview + explore) median {summary['recompute_ms_median']} ms; per change: {summary['per_change_ms']}")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.rounds):
        for _name, view in VIEW_CHANGES:
            recompute(dataset, view)
    session = profiler.stop()
    print(f"\nprofile of {args.rounds} rounds x {len(VIEW_CHANGES)} changes:")
    print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False))
    print("lib functions by inclusive time:")
    print(*flat_lib_table(session), sep="\n")
    if args.html:
        args.html.write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
