"""The data set a command asks for: files, the demo, or a live-Azure scope (the Azure commands imported only then)."""

from __future__ import annotations

import argparse
import importlib
from datetime import date
from types import ModuleType

from lib.core.dataset import Dataset, LoadRequest, SourceError
from lib.core.models import Metric
from lib.ingest.dates import DateOrder
from lib.sources.demo import DemoSource
from lib.sources.files import load_paths


def azure_commands() -> ModuleType:
    """``lib.cli.azure``, imported when a command names a scope: it brings in the Azure SDK, which files never need."""
    return importlib.import_module("lib.cli.azure")


def load(args: argparse.Namespace, as_of: date) -> Dataset:
    """The data set of ``args``: ``--scope`` (live Azure), file paths, or the demo."""
    metric = Metric(args.metric)
    if args.scope:
        loaded: Dataset = azure_commands().load_for_cli(args, as_of=as_of, metric=metric)
        return loaded
    if getattr(args, "engine", "local") == "spark":
        if len(args.paths) != 1:
            raise SourceError("--engine spark reads one lake root: give one folder (or file) path")
        # The Spark Connect client is imported only for --engine spark.
        lake: Dataset = importlib.import_module("lib.sources.lake").load_lake(args.paths[0], remote=args.remote, as_of=as_of, metric=metric)
        return lake
    if args.paths and not args.demo:
        order = DateOrder(args.date_order) if getattr(args, "date_order", None) else None
        return load_paths(args.paths, as_of=as_of, metric=metric, date_order=order)
    return DemoSource().load(LoadRequest(as_of=as_of, metric=metric))
