"""Safe exports: filtered and converted CSVs neutralise spreadsheet formulas; the original files stay byte-identical."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from lib.analysis.views import View
from lib.core.models import Metric
from lib.output import convert, downloads
from lib.sources.files import load_files
from lib.ui import state
from tests.app.conftest import download
from tests.security import hostile
from tests.security.conftest import APP, TIMEOUT

AS_OF = date(2026, 11, 26)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _dangerous(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Cells a spreadsheet would run: starting with a trigger and not a plain number."""
    return [(k, v) for r in rows for k, v in r.items() if v and v.startswith(TRIGGERS) and not NUMBER.match(v)]


@pytest.fixture
def dataset():  # type: ignore[no-untyped-def]
    return load_files([("hostile.csv", hostile.formula_file())], as_of=AS_OF, metric=Metric.ACTUAL)


def test_the_fixture_really_holds_formulas() -> None:
    # Without this the other tests could pass on a file that never had anything to neutralise.
    rows = _rows(hostile.formula_file())
    assert len(_dangerous(rows)) >= 3 * len(hostile.FORMULAS)


@pytest.mark.parametrize("target", [convert.V2, convert.FOCUS])
def test_conversions_neutralise_every_formula_cell(dataset, target: str) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(convert.to_csv(dataset, target))
    assert len(rows) == dataset.normalized.height == len(hostile.FORMULAS) + 2
    assert _dangerous(rows) == []
    meters = {r["meterName" if target == convert.V2 else "SkuMeter"] for r in rows}
    for formula in hostile.FORMULAS:
        # v2 copies the cell; FOCUS takes the trimmed canonical meter: either way an apostrophe leads.
        expected = "'" + (formula if target == convert.V2 else formula.strip())
        assert expected in meters


def test_v2_keeps_negative_and_scientific_amounts_exactly(dataset) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(convert.to_csv(dataset, convert.V2))
    refund = next(r for r in rows if r["chargeType"] == "Refund")
    assert (refund["costInBillingCurrency"], refund["effectivePrice"], refund["quantity"]) == ("-12.5", "-0.25", "-50")
    assert refund["meterName"] == "'-refund"  # text, not a number: neutralised
    tiny = next(r for r in rows if r["meterName"] == "tiny")
    assert (tiny["costInBillingCurrency"], tiny["effectivePrice"], tiny["unitPrice"]) == ("1E-05", "+2", "1.5e-3")


def test_decimal_comma_amounts_are_numbers_not_formulas() -> None:
    frame = convert.spreadsheet_safe(pl.DataFrame({"costInBillingCurrency": ["-0,5", "=1+1", None], "meterName": ["-0,5", "=1+1", None]}))
    assert frame.get_column("costInBillingCurrency").to_list() == ["-0,5", "'=1+1", None]
    # Outside amount columns a decimal-comma text is text like any other.
    assert frame.get_column("meterName").to_list() == ["'-0,5", "'=1+1", None]


def test_filtered_download_neutralises_and_raw_rows_stay_as_written(dataset) -> None:  # type: ignore[no-untyped-def]
    view = View(source="files")
    files = downloads.prepare(dataset, view)
    filtered = _rows(files.filtered.data)
    assert filtered and _dangerous(filtered) == []
    raw = _rows(files.raw.data)
    assert len(raw) == len(filtered)
    assert {r["meterName"] for r in raw} >= set(hostile.FORMULAS)  # the raw file is the source's cells, untouched


def test_the_page_serves_the_upload_byte_for_byte_and_neutralised_conversions(served_files: dict[str, bytes]) -> None:
    data = hostile.formula_file()
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.run()
    app.radio(key=state.SOURCE).set_value("files").run()
    app.file_uploader(key="files_upload").set_value([("hostile.csv", data, "text/csv")]).run()
    assert not app.exception, app.exception
    app.switch_page("pages/download.py").run()
    assert not app.exception, app.exception
    assert download(app, served_files, "download_original") == data
    for key in ("download_v2", "download_focus", "download_filtered"):
        rows = _rows(download(app, served_files, key))
        assert rows, key
        assert _dangerous(rows) == [], key
    captions = " ".join(c.value for c in app.caption)
    assert "byte for byte" in captions
    assert "apostrophe" in captions
