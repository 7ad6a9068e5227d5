"""Time the billing history: the table of periods, and one row's usage (version 2) and FOCUS downloads.

    python -m bench.billing_history                # the demo (as the page sees it) and a generated 100k-row file
    python -m bench.billing_history --rows 1m      # a generated 1M-row MCA file (bench/out/, made on first use)
    python -m bench.billing_history --runs 7

Prints min / median / max seconds per step over ``--runs`` runs, in this process (imports and loading excluded).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from bench.common import as_of_of
from bench.generate import bench_file, rows_command


def _times(step: Callable[[], object], runs: int) -> str:
    seen = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        seen.append(time.perf_counter() - started)
    return f"min {min(seen):7.3f}  median {statistics.median(seen):7.3f}  max {max(seen):7.3f} s"


def _report(name: str, dataset: object, runs: int) -> None:
    from lib.analysis import billing
    from lib.core.dataset import Dataset
    from lib.output import convert

    assert isinstance(dataset, Dataset)
    found = billing.history(dataset)
    row = max(found.rows, key=lambda r: r.rows)
    print(f"== {name}: {dataset.frame.height:,} rows; biggest period {row.period.start:%Y-%m} with {row.rows:,} rows ==")
    print(f"  billing history (7 periods)      {_times(lambda: billing.history(dataset), runs)}")
    narrowed = billing.period_dataset(dataset, row.period, row.currency)
    print(f"  one period narrowed              {_times(lambda: billing.period_dataset(dataset, row.period, row.currency), runs)}")
    print(f"  its usage CSV (version 2)        {_times(lambda: convert.to_csv(narrowed, convert.V2), runs)}")
    print(f"  its FOCUS 1.2 CSV                {_times(lambda: convert.to_csv(narrowed, convert.FOCUS), runs)}")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = rows_command("python -m bench.billing_history", __doc__, 100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from lib.core.dataset import LoadRequest
    from lib.core.models import Metric
    from lib.sources.demo import DemoSource
    from lib.sources.files import load_paths

    as_of = as_of_of(bench_file(args.rows))
    _report("demo", DemoSource().load(LoadRequest(as_of=as_of)), args.runs)
    path = bench_file(args.rows)
    _report(str(path.name), load_paths([str(path)], as_of=as_of, metric=Metric.ACTUAL), args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
