"""Issue 21, hole 5: what a spreadsheet would run never leaves the dashboard in a file meant for spreadsheets.

Formula triggers hidden behind white space, invisible characters or full-width signs are
neutralised; a cell holding ``;`` is quoted, so a Dutch or German Excel (list separator ``;``)
does not split it into a formula cell; the tables' own "Download as CSV" is off; the raw
download's "not neutralised" note is a visible warning beside its button.
"""

from __future__ import annotations

import csv
import io
import tomllib
from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from lib.analysis import views
from lib.core.models import Metric
from lib.output import convert, downloads, export
from lib.sources.files import load_files
from tests.security import hostile
from tests.security.conftest import APP, TIMEOUT
from tests.serving import REPO

AS_OF = date(2026, 11, 26)
SPLIT_FORMULA = "x;=cmd|' /C calc'!A0;y"
# Each starts, after what a spreadsheet skips, with a formula sign.
HIDDEN = (" =1+1", "\u00a0=1+1", "\u200b=1+1", "\n=1+1", "\ufeff@SUM(A1)", "\uff1d1+1", "\uff0bcmd", "  -2+3")


@pytest.mark.parametrize("cell", HIDDEN)
def test_a_trigger_behind_white_space_or_a_full_width_sign_is_neutralised(cell: str) -> None:
    out = export.neutralise_formulas(pl.DataFrame({"resourceGroupName": [cell]})).item()
    assert out == "'" + cell


def test_plain_numbers_and_text_stay_as_they_are() -> None:
    cells = ["-12.5", "1E-05", "+3", "rg-data", "Storage", "a = b", "", "env=prod;team=data", '{"a":"b","c":"-1"}']
    assert export.neutralise_formulas(pl.DataFrame({"c": cells})).get_column("c").to_list() == cells


def _fields(data: bytes, delimiter: str) -> list[str]:
    return [field for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter) for field in row]


def _dataset() -> object:
    rows = [hostile.row("11/02/2026", "2.5", resourceGroupName=SPLIT_FORMULA, meterName=" =1+1")]
    return load_files([("usage.csv", hostile.to_csv(hostile.HEADER, rows))], as_of=AS_OF, metric=Metric.ACTUAL)


def test_a_semicolon_cell_stays_one_cell_in_a_semicolon_spreadsheet() -> None:
    """Filtered rows and both conversions: read with ``;`` or ``,`` as separator, no field starts a formula."""
    dataset = _dataset()
    files = downloads.prepare(dataset, views.View(source="files"))  # type: ignore[arg-type]
    outputs = {
        "filtered": files.filtered.data,
        "v2": convert.to_csv(dataset, convert.V2),  # type: ignore[arg-type]
        "focus": convert.to_csv(dataset, convert.FOCUS),  # type: ignore[arg-type]
    }
    for name, data in outputs.items():
        for delimiter in (";", ","):
            risky = [f for f in _fields(data, delimiter) if f.lstrip().startswith(("=", "+", "@"))]
            assert not risky, (name, delimiter, risky)
        # Read with its own separator, the cell is whole; only an apostrophe went in before the formula sign.
        assert "x;'=cmd|' /C calc'!A0;y" in _fields(data, ","), name


def test_the_raw_download_keeps_the_bytes_and_the_page_warns_beside_it() -> None:
    """The raw file is untouched by design; the page says so in a warning, not a footnote."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/download.py").run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.main.warning]
    assert sum("not neutralised" in w for w in warnings) >= 1, warnings


def test_the_tables_own_csv_export_is_off() -> None:
    """``st.dataframe``'s toolbar download writes cells as they are: switched off in the app's config."""
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
