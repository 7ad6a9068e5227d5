"""Join the parts of one or more exports into one frame; drop what a later run replaces.

Parts of one export run hold different rows and are simply appended. A month-to-date export
runs daily and each run repeats the month so far, so two runs of the same month overlap: for
each month, a run whose rows mostly reappear in a later run is replaced by it (latest run wins).
Files of the other cost view (actual vs amortized) are set aside when files of the chosen view
are present, so nothing is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from lib.core import fmt
from lib.core.i18n import _, ngettext
from lib.core.models import Metric
from lib.core.schema import Col
from lib.ingest.read import BOTH, PartResult

OVERLAP = 0.5  # share of an earlier run's row keys found in a later run that marks it as the same export
_KEY = (Col.CHARGE_DATE, Col.SUBSCRIPTION_ID, Col.RESOURCE_ID, Col.METER, Col.CHARGE_TYPE)


@dataclass(frozen=True)
class Removal:
    """Rows of one part left out of the data set, with the reason."""

    part: int
    rows: int
    reason: str
    month: date | None = None  # only this month's rows; None: all of the part's rows


def _run_order(frame: pl.DataFrame, results: list[PartResult], run_parts: list[int]) -> tuple[str, date, int, int]:
    run_time = max((results[i].part.run_time or "" for i in run_parts), default="")
    last_day = frame.get_column(Col.CHARGE_DATE).max()
    return (run_time, last_day if isinstance(last_day, date) else date.min, frame.height, max(run_parts))


def select_metric(results: list[PartResult], metric: Metric) -> tuple[set[int], list[str], Metric]:
    """Parts to set aside because they hold the other cost view while the chosen one is loaded.

    Returns the parts, warnings, and the cost view the data set really shows.
    """
    wanted = str(metric)
    other = "actual" if metric is Metric.AMORTIZED else "amortized"
    has_wanted = any(r.metric in (wanted, BOTH) for r in results)
    aside = {i for i, r in enumerate(results) if r.metric == other} if has_wanted else set()
    if not has_wanted and any(r.metric == other for r in results):
        if other == "actual":
            warning = _(
                "The files hold actual cost, not amortized cost; showing actual cost. Load the amortized file to see amortized cost."
            )
        else:
            warning = _("The files hold amortized cost, not actual cost; showing amortized cost. Load the actual file to see actual cost.")
        return aside, [warning], Metric(other)
    return aside, [], metric


def remove(frame: pl.DataFrame, removals: list[Removal]) -> pl.DataFrame:
    """``frame`` (with ``_part``) without the removed rows."""
    condition = pl.lit(False)
    for removal in removals:
        rows = pl.col("_part") == removal.part
        if removal.month is not None:
            rows &= pl.col(Col.CHARGE_DATE).dt.month_start() == removal.month
        condition |= rows
    return frame.filter(~condition)


def deduplicate(frame: pl.DataFrame, results: list[PartResult]) -> tuple[list[Removal], list[str]]:
    """Find month-to-date runs replaced by a later run.

    ``frame`` holds the canonical rows of all parts plus a ``_part`` column (index into
    ``results``). Returns the removals and notes for the user.
    """
    runs: dict[str, list[int]] = {}
    for index, result in enumerate(results):
        runs.setdefault(result.part.run, []).append(index)
    if len(runs) < 2 or frame.is_empty():
        return [], []
    run_of = {i: run for run, parts in runs.items() for i in parts}
    tagged = frame.with_columns(
        pl.col("_part").replace_strict(list(run_of), list(run_of.values()), return_dtype=pl.String).alias("_run"),
        pl.col(Col.CHARGE_DATE).dt.month_start().alias("_month"),
    )
    removals: list[Removal] = []
    notes: list[str] = []
    months = tagged.group_by("_month").agg(pl.col("_run").n_unique().alias("n")).filter(pl.col("n") > 1).get_column("_month").sort()
    for month in months:
        in_month = tagged.filter(pl.col("_month") == month)
        by_run = {str(run): rows for (run,), rows in in_month.group_by("_run", maintain_order=True)}
        ordered = sorted(by_run, key=lambda r: _run_order(by_run[r], results, runs[r]), reverse=True)
        keepers: list[pl.DataFrame] = [by_run[ordered[0]].select(_KEY).unique()]
        for run in ordered[1:]:
            rows = by_run[run]
            keys = rows.select(_KEY).unique()
            later = pl.concat(keepers)
            shared = keys.join(later, on=list(_KEY), how="semi", nulls_equal=True).height
            if keys.height and shared / keys.height >= OVERLAP:
                winner = next(r for r in ordered if r != run and by_run[r].height and _same(keys, by_run[r]))
                label = f"{month:%Y-%m}"
                for part, count in rows.group_by("_part").len().iter_rows():
                    reason = _("replaced by a later export run of {month} ({name}): month-to-date runs overlap").format(
                        month=label, name=results[runs[winner][0]].part.name
                    )
                    removals.append(Removal(int(part), int(count), reason, month))
                notes.append(
                    ngettext(
                        "Month {month} appears in several export runs; kept the latest ({kept}) and left out "
                        "{count} overlapping row of {left}.",
                        "Month {month} appears in several export runs; kept the latest ({kept}) and left out "
                        "{count} overlapping rows of {left}.",
                        rows.height,
                    ).format(
                        month=label,
                        kept=results[runs[winner][0]].part.name,
                        count=fmt.count(rows.height),
                        left=results[runs[run][0]].part.name,
                    )
                )
            else:
                keepers.append(keys)
    return removals, notes


def _same(keys: pl.DataFrame, rows: pl.DataFrame) -> bool:
    other = rows.select(_KEY).unique()
    return keys.join(other, on=list(_KEY), how="semi", nulls_equal=True).height / max(keys.height, 1) >= OVERLAP
