"""Where the time of one big-file load goes: a timeline of ``load_paths`` → ``views.overview`` in one process.

    python -m bench.timeline --rows 1m      # bench/out/mca_1m.csv (generated on first use)

The loader's steps are wrapped (each still does its own work) and the moment each starts and ends is printed, with
the gap since the previous mark. The file's mtime is bumped first, so the columnar cache cannot serve it.

The columns no page shows (``lib.ingest.stream.LATER``) are read after the first page, as the app's cache write
does: the last mark.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench.common import as_of_of
from bench.generate import bench_file, rows_command

STARTED = time.perf_counter()
MARKS: list[tuple[str, float]] = []


def mark(name: str) -> None:
    MARKS.append((name, time.perf_counter() - STARTED))


def _around(module: Any, name: str, label: str) -> None:
    """``module.name`` marks its start and end."""
    inner: Callable[..., Any] = getattr(module, name)

    @functools.wraps(inner)
    def timed(*args: Any, **kwargs: Any) -> Any:
        mark(f"{label} start")
        try:
            return inner(*args, **kwargs)
        finally:
            mark(f"{label} end")

    setattr(module, name, timed)


def _around_batches(module: Any) -> None:
    """The typed reader's batches: marks the first and the last."""
    inner = module._typed_batches

    @functools.wraps(inner)
    def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        mark("read start")
        yield from inner(*args, **kwargs)
        mark("read end (every batch handed over)")

    module._typed_batches = timed


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    args = rows_command("python -m bench.timeline", __doc__, 1_000_000).parse_args(argv)
    path = bench_file(args.rows)
    os.utime(path)
    mark("imports start")
    from lib.analysis import views
    from lib.core.models import Metric
    from lib.ingest import stream
    from lib.sources import files

    mark("imports end")
    _around_batches(stream)
    _around(stream, "_pair_rows", "billing accounts")
    _around(stream, "normalize", "normalize")
    _around(stream, "_tidy", "tidy")
    _around(files, "_assemble", "file report, scopes, tag index")
    dataset = files.load_paths([str(path)], as_of=as_of_of(path), metric=Metric.ACTUAL, page_first=True)
    mark("loaded")
    views.overview(dataset, views.View())
    mark("overview computed (ready)")
    if dataset.later is not None:
        _ = dataset.normalized
        mark("later columns read (what the cache write then does first)")
    previous = 0.0
    size = f"{path.stat().st_size / 1e6:,.0f} MB"
    print(f"{dataset.normalized.height:,} rows: {path.name} ({size}); seconds since the script's start")
    for label, at in MARKS:
        print(f"  {at:7.3f}  (+{at - previous:6.3f})  {label}")
        previous = at
    return 0


if __name__ == "__main__":
    sys.exit(main())
