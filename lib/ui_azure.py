"""Sidebar controls of the live Azure source (sign-in state, scope discovery), drawn only when chosen."""

from __future__ import annotations

from datetime import date

from lib.models import Metric
from lib.sources.base import Dataset


def render_source_controls(as_of: date, metric: Metric) -> Dataset | str:
    """Draw the Azure controls; return the loaded data set or a message saying what is needed."""
    del as_of, metric
    return (
        "Live Azure needs a sign-in (az login, a managed identity or a service principal) and the "
        "Cost Management connection, which arrives in a coming release. The Demo source shows the full dashboard meanwhile."
    )
