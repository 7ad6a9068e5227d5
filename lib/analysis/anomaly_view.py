"""What the Anomalies page and the overview's markers show, from a data set and the user's view; free of Streamlit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import polars as pl

from lib.analysis import frames
from lib.analysis.anomalies import DEFAULT_SENSITIVITY, Anomaly, Findings, find_anomalies
from lib.analysis.views import View, select
from lib.core.dataset import Dataset
from lib.core.i18n import N_

KIND_LABELS: Final = {
    "spike": N_("Spike"),
    "drop": N_("Drop"),
    "increase": N_("Lasting increase"),
    "decrease": N_("Lasting decrease"),
    "start": N_("Started"),
    "stop": N_("Stopped"),
}
SENSITIVITY_LABELS: Final = {"low": N_("Low: only large changes"), "normal": N_("Normal"), "high": N_("High: smaller changes too")}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def markdown_text(text: str) -> str:
    """``text`` (from data) with every character Markdown would act on escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def findings(dataset: Dataset, view: View, sensitivity: str = DEFAULT_SENSITIVITY, expected_keys: Iterable[str] = ()) -> Findings:
    """Anomalies per value of the view's group-by, in its scope, filters and currency, starting in its period.

    The whole history of the selection is learned from (remembered per view and setting).
    """
    keys = frozenset(expected_keys)
    chosen = select(dataset, view)

    def compute() -> Findings:
        return find_anomalies(
            chosen.history,
            view.group_by,
            dataset.as_of,
            sensitivity=sensitivity,
            first_day=chosen.period.start,
            last_day=chosen.period.end,
            expected_keys=keys,
        )

    return frames.prepared(dataset).memo(("anomalies", view, sensitivity, keys), compute)


def table(anomalies: Iterable[Anomaly]) -> pl.DataFrame:
    """The anomalies as a table: one row each, newest first."""
    rows = [
        {
            "day": a.day,
            "value": a.value,
            "kind": a.kind,
            "cost": a.cost,
            "expected_low": a.expected_low,
            "expected_high": a.expected_high,
            "impact": a.impact,
            "last_day": a.last_day,
            "total_impact": a.total_impact,
        }
        for a in anomalies
    ]
    schema = {
        "day": pl.Date,
        "value": pl.String,
        "kind": pl.String,
        "cost": pl.Float64,
        "expected_low": pl.Float64,
        "expected_high": pl.Float64,
        "impact": pl.Float64,
        "last_day": pl.Date,
        "total_impact": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def contributors_table(anomaly: Anomaly) -> pl.DataFrame:
    """An anomaly's contributors: resource, meter, cost, expected, excess (adding up to the impact)."""
    return pl.DataFrame(
        [
            {"resource": c.resource, "meter": c.meter, "cost": c.cost, "expected": c.expected, "excess": c.excess}
            for c in anomaly.contributors
        ],
        schema={"resource": pl.String, "meter": pl.String, "cost": pl.Float64, "expected": pl.Float64, "excess": pl.Float64},
    )
