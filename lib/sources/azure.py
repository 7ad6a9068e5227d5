"""The live Azure source: Cost Management for the chosen scope and period."""

from __future__ import annotations

import argparse
from datetime import date

from lib.models import Metric
from lib.sources.base import Dataset, SourceError


def load_for_cli(args: argparse.Namespace, *, as_of: date, metric: Metric) -> Dataset:
    """``summarize --scope``: query the scope and return the data set."""
    del args, as_of, metric
    raise SourceError("the live Azure source is not available yet")


def download_for_cli(args: argparse.Namespace) -> int:
    """``download``: write the raw cost details CSV and return the exit status."""
    del args
    raise SourceError("the live Azure source is not available yet")
