"""PROTOTYPE of the proposed lean load path (bench only; not the app's loader): what the files source could cost.

    python -m bench.cases lean FILE          # CSV -> only the mapped columns -> lib.normalize -> categoricals -> overview
    python -m bench.cases lean_reopen FILE   # the Parquet cache "lean" wrote -> overview

Differences from ``lib.sources.files.load_paths`` as it is today, each one a proposal:

1. the file is handed to polars by path (memory-mapped), not read into a Python ``bytes`` object first, and its bytes are
   not kept in the data set (the raw download can stream from the path);
2. only the ~20 columns the dialect maps are parsed (``columns=``), not all 65 as text; no all-column raw frame is kept
   (the raw download re-reads the file, or a row-index into it);
3. the text dimensions become ``pl.Categorical`` once, after normalizing (lib's daily_cost then needs the String cast of
   its small results: the overview here runs with ``bench.proto``'s "agg-first" patch);
4. after the dashboard is ready, the normalized frame is written to a Parquet cache keyed by path + size + mtime, which a
   reopen reads instead of the CSV.

Figures are only for MCA files (``lib.dialects.MCA_2023_12_01_PREVIEW``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

CATEGORICAL = (
    "Service", "Meter", "SubscriptionId", "SubscriptionName", "ResourceGroup", "ResourceId", "Location", "ChargeType",
    "PricingModel", "Unit", "BillingProfile", "InvoiceSection", "BillingCurrency", "InvoiceId",
)  # fmt: skip


def cache_path(path: Path) -> Path:
    """Cache file keyed by path + size + mtime (a changed file gets a new key)."""
    stat = path.stat()
    return path.with_name(f"{path.name}.{stat.st_size}-{stat.st_mtime_ns}.lean.parquet")


def _overview(dataset: Any) -> Any:
    """views.overview with bench.proto's agg-first patch (lib's daily_cost cannot join a Categorical group yet)."""
    from contextlib import ExitStack

    from bench.proto import step_agg_first
    from lib import views

    with ExitStack() as stack:
        step_agg_first(stack)
        return views.overview(dataset, views.View())


def _dataset(normalized: Any, as_of: Any) -> Any:
    import polars as pl

    from lib.dialects import MCA_2023_12_01_PREVIEW
    from lib.models import Agreement, Metric
    from lib.sources.base import Dataset

    return Dataset(
        source="bench-lean",
        format=MCA_2023_12_01_PREVIEW.name,
        schema_version="2023-12-01-preview",
        agreement=Agreement.MCA,
        metric=Metric.ACTUAL,
        raw=pl.DataFrame(),
        normalized=normalized,
        scopes=(),
        as_of=as_of,
    )


def lean(path: Path, out: dict[str, Any]) -> None:
    """CSV → dashboard ready through the lean path, then write the cache (timed apart)."""
    t = time.perf_counter()
    import polars as pl

    from bench.common import as_of_of
    from lib.dialects import MCA_2023_12_01_PREVIEW, header_key
    from lib.normalize import normalize
    from lib.schema import Col

    out["import_s"] = time.perf_counter() - t
    t = time.perf_counter()
    header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    headers = {header_key(c): c for c in header}
    needed = [c for c in header if c in {MCA_2023_12_01_PREVIEW.source_column(headers, col) for col in Col}]
    raw = pl.read_csv(path, columns=needed, infer_schema=False)
    out["parse_s"] = time.perf_counter() - t
    result = normalize(raw, MCA_2023_12_01_PREVIEW)
    del raw
    normalized = result.frame.with_columns(pl.col(c).cast(pl.Categorical) for c in CATEGORICAL)
    dataset = _dataset(normalized, as_of_of(path))
    out["load_s"] = time.perf_counter() - t
    out["rows"] = normalized.height
    t = time.perf_counter()
    model = _overview(dataset)
    out["overview_s"] = time.perf_counter() - t
    out["selected_total"] = round(model.headline.selected_total, 2)
    t = time.perf_counter()
    target = cache_path(path)
    for old in path.parent.glob(f"{path.name}.*.lean.parquet"):
        old.unlink()
    normalized.write_parquet(target, compression="zstd")
    out["cache_write_s"] = time.perf_counter() - t
    out["cache_mb"] = round(target.stat().st_size / 1e6, 1)


def lean_reopen(path: Path, out: dict[str, Any]) -> None:
    """The Parquet cache → dashboard ready."""
    t = time.perf_counter()
    import polars as pl

    from bench.common import as_of_of

    out["import_s"] = time.perf_counter() - t
    t = time.perf_counter()
    target = cache_path(path)
    if not target.is_file():
        out["unavailable"] = "no lean cache for this file yet (run the lean case first)"
        return
    normalized = pl.read_parquet(target)
    dataset = _dataset(normalized, as_of_of(path))
    out["load_s"] = time.perf_counter() - t
    out["rows"] = normalized.height
    t = time.perf_counter()
    model = _overview(dataset)
    out["overview_s"] = time.perf_counter() - t
    out["selected_total"] = round(model.headline.selected_total, 2)
