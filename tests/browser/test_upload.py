"""The Files source in a real browser: upload through the sidebar, see what was read, or why not."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lib.core.fmt import money
from tests.browser.conftest import REPO, Visit, sync_api, wait_for_run

pytestmark = pytest.mark.browser

expect = sync_api.expect

SAMPLE = REPO / "tests" / "fixtures" / "real" / "finops-toolkit" / "EA_ActualCost_Small.csv"  # a real EA portal download


def _open_files_source(visit: Visit) -> Any:
    """Open the Access page (the lightest: no charts), switch the sidebar's data source to Files and
    return the upload input."""
    visit.goto("/access")
    sidebar = visit.page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stRadioOption").filter(has_text="Files").click()
    upload = sidebar.get_by_test_id("stFileUploaderDropzoneInput")
    upload.wait_for(state="attached")
    return upload


def test_uploading_a_real_sample_shows_its_format_and_totals(visit: Visit) -> None:
    """A real EA usage file: the sidebar names its format, its rows and its total; the page uses it."""
    text = SAMPLE.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    (currency,) = {r["BillingCurrency"] for r in rows}
    total = money(float(sum((Decimal(r["Cost"]) for r in rows), Decimal(0))), currency)

    _open_files_source(visit).set_input_files(SAMPLE)
    sidebar = visit.page.get_by_test_id("stSidebar")
    report = sidebar.get_by_test_id("stMarkdown").filter(has_text=SAMPLE.name)
    expect(report).to_contain_text("EA")
    expect(report).to_contain_text(f"{len(rows)} of {len(rows)} rows kept")
    expect(report).to_contain_text(total)
    # The page now describes the uploaded file's agreement, not the demo's.
    current = visit.page.get_by_test_id("stMain").get_by_test_id("stAlert").filter(has_text="current source")
    expect(current).to_contain_text("Enterprise Agreement")
    wait_for_run(visit.page)
    visit.assert_clean()


def test_uploading_a_non_usage_file_says_why_without_a_traceback(visit: Visit, tmp_path: Path) -> None:
    """A CSV that is not a usage file gets a clear message naming the file, not an exception."""
    other = tmp_path / "shopping-list.csv"
    other.write_text("item,quantity\napples,6\npears,4\n", encoding="utf-8")

    _open_files_source(visit).set_input_files(other)
    # The sidebar says which file and what a usage file needs; the page says nothing could be shown.
    expect(visit.page.get_by_test_id("stSidebar").get_by_test_id("stAlert").filter(has_text=other.name)).to_contain_text("usage file")
    expect(visit.page.get_by_test_id("stMain")).to_contain_text("could not be read")
    wait_for_run(visit.page)
    visit.assert_clean()
