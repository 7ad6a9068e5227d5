"""Bad and partly bad files (issue 19, point 8): one message per problem, in plain words, where the eye is."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.ingest import dialects
from lib.ui import state
from tests.app.conftest import APP, TIMEOUT
from tests.fixtures import generate

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
GOOD = REAL / "finops-toolkit" / "EA_ActualCost_Small.csv"
BAD = ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00")


def _texts(app: AppTest) -> list[str]:
    """Every message element's text, in the page and the sidebar."""
    return [e.value for kind in ("error", "warning", "info", "success") for e in getattr(app, kind)]


def _upload(app: AppTest, *files: tuple[str, bytes]) -> None:
    app.radio(key=state.SOURCE).set_value("files").run()
    app.file_uploader(key="files_upload").set_value([(n, c, "text/csv") for n, c in files]).run()
    assert not app.exception, app.exception


def test_a_bad_upload_from_a_files_link_says_its_problem_once_and_no_link_hint() -> None:
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.query_params["source"] = "files"
    app.run()
    assert any("Files are never part of a link" in t for t in _texts(app))  # before any file: the hint is due
    app.file_uploader(key="files_upload").set_value([(BAD[0], BAD[1], "text/csv")]).run()
    texts = _texts(app)
    assert not any("Files are never part of a link" in t for t in texts), texts
    assert len([t for t in texts if "binary data" in t]) == 1, texts


def test_a_good_and_a_bad_file_say_the_bad_files_problem_once_naming_it_once(app: AppTest) -> None:
    _upload(app, (GOOD.name, GOOD.read_bytes()), BAD)
    texts = _texts(app)
    about_bad = [t for t in texts if "binary data" in t]
    assert len(about_bad) == 1, texts
    assert about_bad[0].count("photo.csv") == 1, about_bad


def test_a_cut_off_file_says_why_its_row_was_left_out(app: AppTest) -> None:
    data = GOOD.read_bytes()
    _upload(app, ("cut.csv", data[: len(data) - 200]))
    sidebar = "\n".join(m.value for m in app.sidebar.markdown)
    assert "10 of 11 rows kept" in sidebar
    assert "the file ends inside a quoted cell" in sidebar, sidebar


def test_a_replaced_export_run_says_so_instead_of_zero_rows_kept(app: AppTest) -> None:
    def run(days: int, bump: float) -> bytes:
        rows = [
            {
                "Date": f"03/{d:02d}/2025",
                "CostInBillingCurrency": str(d + bump),
                "BillingCurrencyCode": "EUR",
                "ResourceId": "r",
                "MeterName": "m",
            }
            for d in range(1, days + 1)
        ]
        return generate.to_csv(dialects.HEADER_EA_USAGE_2024_08_01, rows)

    _upload(app, ("mtd-0306.csv", run(5, 0.0)), ("mtd-0309.csv", run(8, 0.5)))
    early = next(m.value for m in app.sidebar.markdown if m.value.startswith("**mtd-0306.csv**"))
    assert "replaced by a later export run" in early, early
    assert "0 of 5 rows kept" not in early and "no cost" not in early, early
