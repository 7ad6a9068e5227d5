"""One benchmark case in one fresh process: ``python -m bench.cases CASE FILE``.

Prints one JSON line: in-process phase timings (s), checksums and this process's peak RSS. ``bench.run`` measures the
whole-process wall time and peak RSS from outside (``os.wait4``) and takes medians.

Cases:
  pandas      pd.read_csv(all columns) → Q1 → Q2 (the naive anchor)
  polars      pl.scan_csv → group_by → collect, Q1 and Q2 each scanning the file (the anchor)
  polars_mapped  the fair anchor: pl.scan_csv of every column the dashboard maps, held in memory, then Q1 and Q2 on it
  duckdb      SELECT … FROM read_csv_auto(file) GROUP BY ALL, Q1 and Q2 each scanning the file
  ours        lib.sources.files.load_paths → views.overview(dataset, View()): the dashboard is ready
  reopen      the same, in a new process after ``ours`` loaded the same unchanged file (columnar cache)
  recompute   load_paths, then views.overview + views.explore for each filter / group-by change
  standin     BENCH-ONLY stand-in loader (pl.read_csv(infer_schema=False) + lib.ingest.normalize), then the same recompute
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

T0 = time.perf_counter()


def _q_pandas(path: Path, out: dict[str, Any]) -> None:
    from bench.common import Q2_SERVICES, Q2_TAG_TEXT, layout_of

    c = layout_of(path)
    t = time.perf_counter()
    import pandas as pd

    out["import_s"] = time.perf_counter() - t
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DtypeWarning on invoiceId (mixed empty/text): the naive default is the point
        frame = pd.read_csv(path)
    out["load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    q1 = frame.groupby([c.date, c.service], sort=False)[c.cost].sum()
    out["q1_s"] = time.perf_counter() - t
    t = time.perf_counter()
    keep = frame[c.service].isin(Q2_SERVICES) & frame[c.tags].str.contains(Q2_TAG_TEXT, regex=False, na=False)
    q2 = frame[keep].groupby([c.date, c.service], sort=False)[c.cost].sum()
    out["q2_s"] = time.perf_counter() - t
    out.update(q1_groups=len(q1), q1_sum=round(float(q1.sum()), 2), q2_groups=len(q2), q2_sum=round(float(q2.sum()), 2))


def _q_polars(path: Path, out: dict[str, Any]) -> None:
    from bench.common import Q2_SERVICES, Q2_TAG_TEXT, layout_of

    c = layout_of(path)
    t = time.perf_counter()
    import polars as pl

    out["import_s"] = time.perf_counter() - t

    def by_day(frame: pl.LazyFrame) -> pl.DataFrame:
        return frame.group_by(c.date, c.service).agg(pl.col(c.cost).sum()).collect()

    t = time.perf_counter()
    q1 = by_day(pl.scan_csv(path))
    out["q1_s"] = time.perf_counter() - t
    t = time.perf_counter()
    keep = pl.col(c.service).is_in(Q2_SERVICES) & pl.col(c.tags).str.contains(Q2_TAG_TEXT, literal=True)
    q2 = by_day(pl.scan_csv(path).filter(keep))
    out["q2_s"] = time.perf_counter() - t
    out.update(q1_groups=q1.height, q1_sum=round(float(q1[c.cost].sum()), 2), q2_groups=q2.height, q2_sum=round(float(q2[c.cost].sum()), 2))


def _q_polars_mapped(path: Path, out: dict[str, Any]) -> None:
    """The fair anchor: polars reads every column the dashboard maps (not just the three the queries need) into memory,
    as a dashboard must hold them, then runs Q1 and Q2 on the frame it holds."""
    from bench.common import Q2_SERVICES, Q2_TAG_TEXT, layout_of

    c = layout_of(path)
    t = time.perf_counter()
    import polars as pl

    from lib.core.schema import Col
    from lib.ingest.dialects import MCA_2023_12_01_PREVIEW, header_key

    out["import_s"] = time.perf_counter() - t
    t = time.perf_counter()
    header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    headers = {header_key(h): h for h in header}
    wanted = {MCA_2023_12_01_PREVIEW.source_column(headers, col) for col in Col} | {c.date, c.service, c.cost, c.tags}
    frame = pl.scan_csv(path).select([h for h in header if h in wanted]).collect()
    out["load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    q1 = frame.group_by(c.date, c.service).agg(pl.col(c.cost).sum())
    out["q1_s"] = time.perf_counter() - t
    t = time.perf_counter()
    keep = pl.col(c.service).is_in(Q2_SERVICES) & pl.col(c.tags).str.contains(Q2_TAG_TEXT, literal=True)
    q2 = frame.filter(keep).group_by(c.date, c.service).agg(pl.col(c.cost).sum())
    out["q2_s"] = time.perf_counter() - t
    out.update(q1_groups=q1.height, q1_sum=round(float(q1[c.cost].sum()), 2), q2_groups=q2.height, q2_sum=round(float(q2[c.cost].sum()), 2))


def _q_duckdb(path: Path, out: dict[str, Any]) -> None:
    from bench.common import Q2_SERVICES, Q2_TAG_TEXT, layout_of

    c = layout_of(path)
    t = time.perf_counter()
    import duckdb

    out["import_s"] = time.perf_counter() - t
    con = duckdb.connect()
    source = f"read_csv_auto('{path}')"
    q1_sql = f'SELECT "{c.date}", "{c.service}", sum("{c.cost}") AS cost FROM {source} GROUP BY ALL'
    services = ", ".join(f"'{s}'" for s in Q2_SERVICES)
    tag = Q2_TAG_TEXT.replace("'", "''")
    q2_sql = (
        f'SELECT "{c.date}", "{c.service}", sum("{c.cost}") AS cost FROM {source} '
        f'WHERE "{c.service}" IN ({services}) AND contains("{c.tags}", \'{tag}\') GROUP BY ALL'
    )
    t = time.perf_counter()
    q1 = con.execute(q1_sql).fetchnumpy()
    out["q1_s"] = time.perf_counter() - t
    t = time.perf_counter()
    q2 = con.execute(q2_sql).fetchnumpy()
    out["q2_s"] = time.perf_counter() - t
    out.update(q1_groups=len(q1["cost"]), q1_sum=round(float(q1["cost"].sum()), 2))
    out.update(q2_groups=len(q2["cost"]), q2_sum=round(float(q2["cost"].sum()), 2))


def _load_ours(path: Path, out: dict[str, Any]) -> Any:
    """``load_paths`` of the file; returns None (and says why) while the loader is not available."""
    from bench.common import as_of_of
    from lib.core.dataset import SourceError
    from lib.core.models import Metric
    from lib.sources.files import load_paths

    t = time.perf_counter()
    try:
        # As the app does: the columnar cache is written once the first page is drawn (``_ours``), not during it.
        dataset = load_paths([str(path)], as_of=as_of_of(path), metric=Metric.ACTUAL, page_first=True)
    except SourceError as error:
        out["unavailable"] = str(error)
        return None
    out["load_s"] = time.perf_counter() - t
    out["rows"] = dataset.frame.height
    out["dropped"] = sum(d.rows for d in dataset.dropped)
    return dataset


def _ours(path: Path, out: dict[str, Any]) -> None:
    t = time.perf_counter()
    from lib.analysis import views

    out["import_s"] = time.perf_counter() - t
    dataset = _load_ours(path, out)
    if dataset is None:
        return
    t = time.perf_counter()
    model = views.overview(dataset, views.View())
    out["overview_s"] = time.perf_counter() - t
    out["ready_at"] = time.monotonic()  # the dashboard is ready; what follows is the app's background work
    out["selected_total"] = round(model.headline.selected_total, 2)
    out["currency"] = model.headline.currency
    from lib.sources import disk_cache

    if dataset.later is not None:  # what the app's cache write does first: read the columns no page needed
        t = time.perf_counter()
        _ = dataset.normalized
        out["later_s"] = time.perf_counter() - t
    out["complete_at"] = time.monotonic()  # every column read
    t = time.perf_counter()
    writer = disk_cache.start_pending(dataset)
    if writer is not None:
        writer.join()
        out["cache_write_s"] = time.perf_counter() - t


def _recompute(path: Path, out: dict[str, Any], *, standin: bool) -> None:
    from bench.common import as_of_of, peak_rss_mb, reset_peak_rss, rss_mb
    from bench.recompute import standin_dataset, summarize_times, time_recompute

    t = time.perf_counter()
    if standin:
        dataset: Any = standin_dataset(path, as_of_of(path))
        out["rows"] = dataset.normalized.height
    else:
        dataset = _load_ours(path, out)
        if dataset is None:
            return
    out["load_s"] = time.perf_counter() - t
    out["held_rss_mb"] = round(rss_mb(), 1)
    out["normalized_mb"] = round(dataset.normalized.estimated_size() / 1e6, 1)
    # A streamed file's raw rows stay on disk (a lazy scan): nothing held.
    out["raw_mb"] = round(dataset.raw.estimated_size() / 1e6, 1) if hasattr(dataset.raw, "estimated_size") else 0.0
    out["peak_before_recompute_mb"] = round(peak_rss_mb(), 1)
    reset_peak_rss()
    out.update(summarize_times(time_recompute(dataset)))
    out["peak_during_recompute_mb"] = round(peak_rss_mb(), 1)


CASES = {
    "pandas": _q_pandas,
    "polars": _q_polars,
    "polars_mapped": _q_polars_mapped,
    "duckdb": _q_duckdb,
    "ours": _ours,
    "reopen": _ours,
    "recompute": lambda path, out: _recompute(path, out, standin=False),
    "standin": lambda path, out: _recompute(path, out, standin=True),
}


def main() -> int:
    """Run one case and print its JSON line."""
    case, path = sys.argv[1], Path(sys.argv[2])
    out: dict[str, Any] = {"case": case, "file": path.name}
    CASES[case](path, out)
    out.setdefault("ready_at", time.monotonic())  # the anchors are ready when their last query is done
    from bench.common import peak_rss_mb

    out["inproc_s"] = time.perf_counter() - T0
    out["self_peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
