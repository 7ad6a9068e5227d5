"""The Files source in the running app: uploads, per-file report, combined totals, downloads."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.ui import state
from tests.app.conftest import download

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
FILES = ("finops-toolkit/EA_ActualCost_Small.csv", "focus-converters/sample-anonymous-ea-export-dataset.csv")


def _total(name: str, cost: str) -> Decimal:
    rows = csv.DictReader(io.StringIO((REAL / name).read_bytes().decode("utf-8-sig"), newline=""))
    return sum((Decimal(r[cost]) for r in rows), Decimal(0))


def _upload(app: AppTest) -> list[bytes]:
    app.radio(key=state.SOURCE).set_value("files").run()
    contents = [(REAL / name).read_bytes() for name in FILES]
    app.file_uploader(key="files_upload").set_value([(Path(n).name, c, "text/csv") for n, c in zip(FILES, contents, strict=True)]).run()
    assert not app.exception, app.exception
    return contents


def test_uploading_two_files_shows_both_and_their_combined_totals(app: AppTest) -> None:
    _upload(app)
    text = "\n".join(m.value for m in app.sidebar.markdown)
    assert "EA_ActualCost_Small.csv" in text
    assert "sample-anonymous-ea-export-dataset.csv" in text
    assert "11 of 11 rows kept" in text
    assert "27 of 27 rows kept" in text
    usd = _total(FILES[0], "Cost")
    cad = _total(FILES[1], "CostInBillingCurrency")
    combined = next(m.value for m in app.sidebar.markdown if m.value.startswith("**Combined"))
    assert f"{usd:,.2f}" in combined
    assert f"{cad:,.2f}" in combined
    # Two currencies: the frame offers the currency picker instead of adding them up.
    assert app.selectbox(key=state.CURRENCY).options == ["CAD", "USD"]


def test_download_page_serves_the_uploaded_bytes_unchanged(app: AppTest, served_files: dict[str, bytes]) -> None:
    contents = _upload(app)
    app.switch_page("pages/download.py").run()
    assert not app.exception, app.exception
    original = download(app, served_files, "download_original")
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        assert [archive.read(Path(n).name) for n in FILES] == contents
    v2 = download(app, served_files, "download_v2").decode("utf-8-sig")
    assert v2.startswith("InvoiceSectionName,AccountName")
    focus = download(app, served_files, "download_focus").decode()
    assert focus.startswith("BilledCost,")


def test_a_bad_upload_is_reported_without_a_traceback(app: AppTest) -> None:
    app.radio(key=state.SOURCE).set_value("files").run()
    app.file_uploader(key="files_upload").set_value([("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv")]).run()
    assert not app.exception
    assert any("binary data" in e.value for e in app.sidebar.error)


def test_files_with_a_non_currency_code_default_to_the_real_currency(app: AppTest) -> None:
    """Issue 19, point 5: a real export whose currency column says "MC" (on more rows than the other file's USD) never
    makes "MC" the currency shown or offered."""
    names = ("koku/azure_version_2.csv", "koku/azure_camelCased.csv")
    app.radio(key=state.SOURCE).set_value("files").run()
    app.file_uploader(key="files_upload").set_value([(Path(n).name, (REAL / n).read_bytes(), "text/csv") for n in names]).run()
    assert not app.exception, app.exception
    offered = [s for s in app.sidebar.selectbox if s.key == state.CURRENCY]
    assert not offered or offered[0].options == ["USD"]
    values = [m.value for m in app.metric]
    assert values and not any("MC" in v for v in values), values
    assert any(v.startswith("US$") or v.startswith("$") for v in values), values
