"""The Lake source (Spark through Spark Connect) against the local polars path: the client's memory and the first page.

    make spark-server                       # a local Spark Connect server on sc://127.0.0.1:15002
    python -m bench.lake --rows 1m          # lake vs local polars at 1M rows
    python -m bench.lake --rows 10m --lake-only
    python -m bench.lake --rows 1m --layout parquet   # the same rows as Parquet parts (as Parquet exports come)

The lake is ``bench/out/lake_<rows>/costs/`` holding the generated export (``bench/out/mca_<rows>.csv``, generated on
first use, hard-linked), or with ``--layout parquet`` ``bench/out/lake_<rows>_parquet/costs/run/part_0_NNNN.parquet``:
the same CSV converted once by polars into parts of ``PARQUET_PART_ROWS`` rows, every cell kept as its CSV text.
Each measurement runs in a new process (its peak RSS, VmHWM, is the client's alone; the
Spark server is another process): the real app under Streamlit's AppTest opens the overview page on the source, as a
user who chose it would. A third process loads the lake without the app and prints where the time goes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REPO, as_of_of, peak_rss_mb, rss_mb
from bench.generate import bench_file, rows_command

OUT = REPO / "bench" / "out"
PARQUET_PART_ROWS = 250_000


def _parquet_parts(source: Path, folder: Path) -> None:
    """``source`` CSV as Parquet parts in ``folder`` (text cells, as the CSV holds them), written once, batch by batch."""
    import polars as pl

    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    pending: list[pl.DataFrame] = []
    count = 0
    number = 0
    for batch in pl.scan_csv(source, infer_schema=False).collect_batches(chunk_size=50_000):
        pending.append(batch)
        count += batch.height
        if count >= PARQUET_PART_ROWS:
            number += 1
            pl.concat(pending).write_parquet(partial / f"part_0_{number:04d}.parquet")
            pending, count = [], 0
    if pending:
        pl.concat(pending).write_parquet(partial / f"part_0_{number + 1:04d}.parquet")
    partial.rename(folder)


def lake_root(rows: int, layout: str = "csv") -> tuple[Path, Path]:
    """The lake folder for ``rows`` rows (``layout``: csv or parquet) and the generated CSV behind it."""
    source = bench_file(rows)
    if layout == "parquet":
        root = OUT / f"lake_{source.stem.split('_', 1)[1]}_parquet"
        folder = root / "costs" / "run"
        if not folder.exists():
            print(f"writing {folder.relative_to(REPO)} from {source.name}", file=sys.stderr, flush=True)
            _parquet_parts(source, folder)
        return root, source
    root = OUT / f"lake_{source.stem.split('_', 1)[1]}"
    target = root / "costs" / source.name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)
    return root, source


def _child_page(mode: str, path: str, as_of: str) -> None:
    """In a new process: open the overview page on ``mode`` (files or lake) and print time and memory as JSON."""
    os.environ["AZDASH_TODAY"] = as_of
    os.environ["AZDASH_CACHE_DIR"] = tempfile.mkdtemp(prefix="azdash-bench-lake-")
    os.environ["AZDASH_DATA_PATH" if mode == "files" else "AZDASH_LAKE_PATH"] = path
    os.environ["AZDASH_PATH_ROOTS"] = str(Path(path).parent)  # a lake path is read only inside the allowed folders
    from streamlit.testing.v1 import AppTest

    before = rss_mb()
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=3600)
    at.session_state["source"] = mode
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    problems = [e.message for e in at.exception] + [e.value for e in at.sidebar.error] + [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_before_mb": before,
                "peak_mb": peak_rss_mb(),
                "rss_mb": rss_mb(),
                "problems": problems,
                "metrics": metrics,
            }
        )
    )


def _child_steps(path: str, as_of: str) -> None:
    """In a new process: load the lake without the app, printing when each step started."""
    from datetime import date

    from lib.core.models import Metric
    from lib.core.schema import source_rows
    from lib.sources.lake import load_lake

    started = time.perf_counter()
    marks: list[tuple[float, str]] = []
    dataset = load_lake(
        path,
        as_of=date.fromisoformat(as_of),
        metric=Metric.ACTUAL,
        progress=lambda _f, text: marks.append((time.perf_counter() - started, text)),
    )
    total = time.perf_counter() - started
    steps = [(text, (marks[i + 1][0] if i + 1 < len(marks) else total) - at) for i, (at, text) in enumerate(marks)]
    print(
        json.dumps(
            {
                "seconds": total,
                "steps": steps,
                "rows": source_rows(dataset.frame),
                "cube_rows": dataset.frame.height,
                "peak_mb": peak_rss_mb(),
            }
        )
    )


def _run(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "bench.lake", *args], cwd=REPO, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        print(done.stdout[-2000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"the measuring process failed ({done.returncode})")
    result: dict[str, object] = json.loads(lines[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    if argv is None and len(sys.argv) > 1 and sys.argv[1] in ("_page", "_steps"):
        if sys.argv[1] == "_page":
            _child_page(*sys.argv[2:5])
        else:
            _child_steps(*sys.argv[2:4])
        return 0
    parser = rows_command("python -m bench.lake", __doc__, 1_000_000)
    parser.add_argument("--lake-only", action="store_true", help="skip the local polars path")
    parser.add_argument("--repeat", type=int, default=1, help="measurements per path (min/median/max when > 1)")
    parser.add_argument("--layout", choices=("csv", "parquet"), default="csv", help="the lake's parts (default %(default)s)")
    parser.add_argument("--no-steps", action="store_true", help="skip the step timing (a third load of the lake)")
    args = parser.parse_args(argv)
    root, source = lake_root(args.rows, args.layout)
    as_of = as_of_of(source).isoformat()
    size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
    print(f"{args.rows:,} rows: {root.relative_to(REPO)} ({args.layout}, {size / 1e6:,.0f} MB); load average {os.getloadavg()}")
    paths = ["lake"] if args.lake_only else ["lake", "files"]
    seconds: dict[str, list[float]] = {}
    for mode in paths:
        for _n in range(args.repeat):
            result = _run("_page", mode, str(root if mode == "lake" else source), as_of)
            seconds.setdefault(mode, []).append(float(str(result["seconds"])))
            print(
                f"  {mode:<5} first page {result['seconds']:7.1f} s  client RSS before {result['rss_before_mb']:6.0f} MB"
                f"  peak {result['peak_mb']:6.0f} MB  after {result['rss_mb']:6.0f} MB  {result['problems'] or 'ok'}"
            )
            print(f"        {result['metrics']}")
    for mode, values in seconds.items():
        ordered = sorted(values)
        print(f"  {mode:<5} first page min/median/max {ordered[0]:.1f} / {ordered[len(ordered) // 2]:.1f} / {ordered[-1]:.1f} s")
    if "files" in seconds:
        medians = {mode: sorted(values)[len(values) // 2] for mode, values in seconds.items()}
        print(f"  ratio lake / local polars (median first page): {medians['lake'] / medians['files']:.1f}")
    if args.no_steps:
        print(f"load average after: {os.getloadavg()}")
        return 0
    steps = _run("_steps", str(root), as_of)
    print(
        f"  lake without the app: {steps['seconds']:.1f} s, {steps['rows']:,} rows into {steps['cube_rows']:,} cube rows,"
        f" client peak {steps['peak_mb']:.0f} MB"
    )
    for text, took in steps["steps"]:  # type: ignore[attr-defined]
        print(f"    {took:7.1f} s  {text}")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
