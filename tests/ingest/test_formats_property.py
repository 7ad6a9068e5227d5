"""Property tests: whatever bytes arrive, the loader answers with data or its own error."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.core.dataset import Dataset, SourceError
from lib.core.models import Metric
from lib.sources.files import load_files

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
SAMPLES = [
    (REAL / name).read_bytes()
    for name in (
        "finops-toolkit/EA_ActualCost_Small.csv",
        "koku/camel_azure_version_2.csv",
        "opencost/headersets/German.csv",
        "focus-converters/sample-anonymous-ea-export-dataset.csv",
    )
]
NAMES = st.sampled_from(["usage.csv", "usage.csv.gz", "export.zip", "part.parquet", "noext"])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load(name: str, data: bytes) -> Dataset | None:
    message = ""
    try:
        return load_files([(name, data)], as_of=date(2026, 11, 26), metric=Metric.ACTUAL)
    except SourceError as error:
        message = str(error)
    assert message
    assert "\n" not in message
    return None


@SETTINGS
@given(name=NAMES, data=st.binary(max_size=2048))
def test_random_bytes_never_raise_anything_else(name: str, data: bytes) -> None:
    _load(name, data)


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "delete", "insert", "replace"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "cut":
            del data[at:]
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from([b'"', b",", b"\n", b"\r\n", b";", b"\x00", b"\xff\xfe", b'""', b"{", b"NaN", b"1e400"]))
        elif data:
            data[at] = draw(st.integers(0, 255))
    return bytes(data)


@SETTINGS
@given(data=mangled(), compress=st.booleans())
def test_mangled_real_files_never_raise_anything_else(data: bytes, compress: bool) -> None:
    dataset = _load("usage.csv.gz" if compress else "usage.csv", gzip.compress(data) if compress else data)
    if dataset is not None:
        assert dataset.rows_read >= dataset.normalized.height
        assert dataset.normalized.height > 0
