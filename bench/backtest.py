"""The estimate's back-test: median absolute error per day of the period, per method, on the data sets at hand.

    .venv/bin/python -m bench.backtest [--seeds 5]

Data sets: the built-in demo (six closed months) and the anomaly bench's synthetic six months
(``bench/anomaly_set.py``, several seeds; its spikes, shifts, starts and stops make it a hard case).
Also times ``best_method`` (both back-tests) on a million rows, min/median/max.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from bench.anomaly_set import generate
from lib.analysis.aggregate import in_currency
from lib.analysis.backtest import BACKTEST_DAYS, METHODS, Backtest, backtest, best_method
from lib.core.dataset import LoadRequest
from lib.sources.demo import DemoSource

DEMO_AS_OF = date(2026, 11, 26)


def _row(name: str, test: Backtest) -> str:
    cells = [f"{test.typical_error(d):6.1%}" if test.typical_error(d) is not None else "     –" for d in BACKTEST_DAYS]
    overall = f"{test.overall:6.1%}" if test.overall is not None else "–"
    return f"    {name:16} " + " ".join(cells) + f"   all {overall}  ({test.periods} periods, {len(test.trials)} trials)"


def main() -> None:
    """Print the back-test tables and the timing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    header = "    method           " + " ".join(f"day {d:2}" for d in BACKTEST_DAYS)
    demo = in_currency(DemoSource().load(LoadRequest(as_of=DEMO_AS_OF)).frame, "EUR")
    print("demo data (median absolute error of the estimate to period end)")
    print(header)
    for name in METHODS:
        print(_row(name, backtest(demo, DEMO_AS_OF, name)))
    print(f"    chosen: {best_method(demo, DEMO_AS_OF)[0]}")
    sets = [generate(seed) for seed in range(args.seeds)]
    print(f"synthetic six months, {args.seeds} seeds pooled")
    print(header)
    for name in METHODS:
        pooled = Backtest(name, tuple(t for s in sets for t in backtest(s.frame, s.as_of, name).trials))
        print(_row(name, pooled))
    chosen = [best_method(s.frame, s.as_of)[0] for s in sets]
    print(f"    chosen per seed: {', '.join(chosen)}")
    big = generate(0, rows_per_resource=112)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        best_method(big.frame, big.as_of)
        times.append(time.perf_counter() - started)
    print(
        f"time, best_method (both back-tests) on {big.frame.height:,} rows: "
        f"min {min(times):.3f} s, median {statistics.median(times):.3f} s, max {max(times):.3f} s"
    )


if __name__ == "__main__":
    main()
