"""One change decomposition (``lib.analysis.changes.compare``) over a generated usage file: min / median / max in ms.

    .venv/bin/python -m bench.changes --rows 1m [--rounds 7]
    POLARS_MAX_THREADS=1 .venv/bin/python -m bench.changes --rows 1m   # one thread: CPU time = work done

The file is ``bench/out/mca_1m.csv`` (made by ``bench.generate`` on first use: 56 days ending 2026-11-25).
Read once through the bench's stand-in loader; then each round times one comparison on the canonical frame:
month to date (1–25 Oct vs 1–25 Nov, the comparison with most keys in both periods) and the last closed
billing period against the one before (Sep vs Oct: September has no rows in the file, so everything is new).
"""

from __future__ import annotations

import statistics
import sys
import time

from bench.common import as_of_of
from bench.generate import bench_file, rows_command
from bench.recompute import standin_dataset
from lib.analysis import changes, currencies
from lib.analysis.changes import Default


def main(argv: list[str] | None = None) -> int:
    parser = rows_command("python -m bench.changes", __doc__, 1_000_000)
    parser.add_argument("--rounds", type=int, default=7, help="timed comparisons per case (default %(default)s)")
    args = parser.parse_args(argv)
    path = bench_file(args.rows)
    as_of = as_of_of(path)
    started = time.perf_counter()
    frame = standin_dataset(path, as_of).normalized
    print(f"{path.name}: {frame.height:,} rows, read in {time.perf_counter() - started:.1f} s; as_of {as_of}")
    currency = currencies.main_currency(frame) or "EUR"
    for which in (Default.MONTH_TO_DATE, Default.CLOSED):
        base, compared = changes.default_periods(as_of, which)
        result = changes.compare(frame, base, compared, currency)  # warm-up, untimed
        times, cpu = [], []
        for _ in range(args.rounds):
            begun, begun_cpu = time.perf_counter(), time.process_time()
            changes.compare(frame, base, compared, currency)
            times.append((time.perf_counter() - begun) * 1000)
            cpu.append((time.process_time() - begun_cpu) * 1000)
        print(
            f"{which.value:>6} {base.start}..{base.end} vs {compared.start}..{compared.end}: "
            f"{result.contributions.height:,} contributions, change {result.change} {currency}, parts add up: "
            f"{sum(result.parts.values()) == result.change}"
        )
        print(
            f"        compare ms: min {min(times):.0f}  median {statistics.median(times):.0f}  max {max(times):.0f}  ({args.rounds} rounds)"
        )
        # CPU time of all of polars' threads: steadier than the wall clock when the machine is shared.
        print(f"        cpu ms:     min {min(cpu):.0f}  median {statistics.median(cpu):.0f}  max {max(cpu):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
