"""The Lake source's tests run against a real Spark Connect server (``make spark-server``; ``.ci/run`` starts one).

Without a server they are skipped with one loud line at the end of the run, except in CI (``CI=true``), where a
missing server fails them: the Spark path must be tested for real there.
"""

from __future__ import annotations

import os
import socket
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lib.core.dataset import Dataset
from lib.core.models import Metric
from lib.sources.files import load_paths
from lib.sources.lake import load_lake
from lib.sources.spark.connect import remote_from_env
from tests.sources.lake import lakes

AS_OF = date(2026, 12, 1)
_missing: list[str] = []

# pyspark's client takes a __main__ module with neither __spec__ nor __file__ for its own doctest run and exits the
# process on import (pyspark.sql.connect.utils.check_dependencies). pytest-xdist's workers run from `python -c`, so
# the first Lake test of a worker that had run no AppTest (which leaves app.py as __main__) died: name the worker's
# __main__ as a script's would be named.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"


def _answers(remote: str) -> bool:
    parts = urlsplit(remote)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 15002), timeout=3):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def spark_remote() -> str:
    """The Spark Connect server's address; skips (fails in CI) when none answers."""
    remote = remote_from_env()
    if not _answers(remote):
        message = f"no Spark Connect server at {remote}: start one with `make spark-server`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI must test the Lake source against a real Spark)")
        _missing.append(message)
        pytest.skip(message)
    return remote


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _missing:
        terminalreporter.write_line(f"!!! SPARK TESTS SKIPPED: {_missing[0]} !!!", red=True, bold=True)


@pytest.fixture(scope="session")
def generated_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[lakes.Written]]:
    """FOCUS and EA exports in one root: partitioned parts, manifests, two overlapping March month-to-date runs."""
    root = tmp_path_factory.mktemp("lake")
    written = lakes.ea_lake(root) + lakes.focus_lake(root)
    return root, written


class Loaded:
    """Data sets loaded once per session and cost view (every Spark load is a few seconds on two cores)."""

    def __init__(self, remote: str) -> None:
        self.remote = remote
        self._lake: dict[tuple[str, Metric], Dataset] = {}
        self._files: dict[tuple[str, Metric], Dataset] = {}

    def lake(self, root: Path, metric: Metric) -> Dataset:
        key = (str(root), metric)
        if key not in self._lake:
            self._lake[key] = load_lake(str(root), remote=self.remote, as_of=AS_OF, metric=metric)
        return self._lake[key]

    def files(self, root: Path, metric: Metric) -> Dataset:
        key = (str(root), metric)
        if key not in self._files:
            self._files[key] = load_paths([str(root)], as_of=AS_OF, metric=metric)
        return self._files[key]


@pytest.fixture(scope="session")
def loaded(spark_remote: str) -> Loaded:
    return Loaded(spark_remote)
