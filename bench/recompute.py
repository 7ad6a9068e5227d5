"""The recompute path: the filter and group-by changes a user makes, timed at library level, and the stand-in loader."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl

from lib.analysis import frames, views
from lib.analysis.filters import Filters
from lib.core.dataset import Dataset
from lib.core.models import Agreement, Metric
from lib.core.schema import Col
from lib.ingest.dialects import MCA_2023_12_01_PREVIEW
from lib.ingest.normalize import normalize


def standin_dataset(path: Path, as_of: date) -> Dataset:
    """BENCH-ONLY STAND-IN for the files source: ``pl.read_csv(infer_schema=False)`` + ``lib.ingest.normalize``, wrapped like the demo.

    It is not the loader: it reads all 65 columns as text and keeps them as ``raw``, as the demo source does.
    """
    raw = pl.read_csv(path, infer_schema=False)
    normalized = normalize(raw, MCA_2023_12_01_PREVIEW)
    return Dataset(
        source="bench-standin",
        format=MCA_2023_12_01_PREVIEW.name,
        schema_version="2023-12-01-preview",
        agreement=Agreement.MCA,
        metric=Metric.ACTUAL,
        raw=raw,
        frame=normalized.frame,
        scopes=(),
        as_of=as_of,
        dropped=normalized.dropped,
        notes=normalized.notes,
    )


# Filter and group-by changes a user makes on a page; each recomputes every aggregate the overview and explore pages show.
VIEW_CHANGES: tuple[tuple[str, views.View], ...] = (
    ("no filter, group by service", views.View()),
    ("filter: one service", views.View(filters=Filters().with_values(Col.SERVICE, ("Virtual Machines",)))),
    ("group by resource group", views.View(group_by=Col.RESOURCE_GROUP)),
    ("group by tag 'env'", views.View(group_by="tag:env")),
    ("filter: tag env=prod", views.View(filters=Filters(tag_key="env", tag_values=("prod",)))),
)


def recompute(dataset: Dataset, view: views.View) -> object:
    """Every aggregate both pages show for ``view``: ``views.overview`` + ``views.explore``."""
    return views.overview(dataset, view), views.explore(dataset, view)


def time_recompute(
    dataset: Dataset, rounds: int = 5, compute: Callable[[Dataset, views.View], object] = recompute
) -> dict[str, list[float]]:
    """Milliseconds per view change, ``rounds`` times round-robin after one untimed warm-up round.

    The warm-up builds the data set's one-off indexes and constants (``lib.analysis.frames``: slots, tag sets,
    colour ranking), as loading the page once does. Before every timed change the remembered
    selections are forgotten, so each change pays its own pass over the rows (overview and explore of
    one change share it, as the two pages of one view would).
    """
    for _name, view in VIEW_CHANGES:
        compute(dataset, view)
    times: dict[str, list[float]] = {name: [] for name, _ in VIEW_CHANGES}
    for _ in range(rounds):
        for name, view in VIEW_CHANGES:
            frames.prepared(dataset).forget("select")
            started = time.perf_counter()
            compute(dataset, view)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def summarize_times(times: dict[str, list[float]]) -> dict[str, object]:
    """Median over every change and round, and the median per change."""
    every = [t for values in times.values() for t in values]
    return {
        "recompute_ms_median": round(statistics.median(every), 1),
        "recompute_ms_max": round(max(every), 1),
        "per_change_ms": {name: round(statistics.median(values), 1) for name, values in times.items()},
    }
