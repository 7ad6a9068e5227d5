"""Sidebar controls of the Files source (upload or path), drawn only when it is chosen."""

from __future__ import annotations

from datetime import date

from lib.models import Metric
from lib.sources.base import Dataset


def render_source_controls(as_of: date, metric: Metric) -> Dataset | str:
    """Draw the file controls; return the loaded data set or a message saying what is needed."""
    del as_of, metric
    return "Reading usage files arrives in a coming release. Until then, the Demo source shows the full dashboard."
