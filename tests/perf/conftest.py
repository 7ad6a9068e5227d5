"""Shared fixtures of the performance-path tests (the streamed big-file reader, generated usage files)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bench.generate import Spec, generate
from lib.ingest import stream


@pytest.fixture
def stream_in_batches(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Path]:
    """Make a file of any size take the streamed (big-file) path, ``batch_rows`` rows at a time, with an empty columnar
    cache folder of its own, which is returned."""

    def streamed(batch_rows: int) -> Path:
        monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
        monkeypatch.setattr(stream, "BATCH_ROWS", batch_rows)
        cache = tmp_path_factory.mktemp("cache")
        monkeypatch.setenv("AZDASH_CACHE_DIR", str(cache))
        return cache

    return streamed


def generated_usage(factory: pytest.TempPathFactory, spec: Spec, name: str = "usage.csv") -> Path:
    """A usage file made by the benchmark's generator (``bench.generate``), in a temporary folder of its own."""
    path = Path(factory.mktemp("gen")) / name
    generate(spec, path)
    return path
