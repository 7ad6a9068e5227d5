"""The Files source in a real browser: upload through the sidebar, see what was read, or why not."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lib.fmt import money
from tests.browser.conftest import REPO, Server, Visit, sync_api, wait_for_run

pytestmark = pytest.mark.browser

expect = sync_api.expect

SAMPLE = REPO / "tests" / "fixtures" / "real" / "finops-toolkit" / "EA_ActualCost_Small.csv"  # a real EA portal download


def _open_files_source(visit: Visit) -> Any:
    """Open the dashboard, switch the sidebar's data source to Files and return the upload input."""
    visit.goto("/")
    sidebar = visit.page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stRadioOption").filter(has_text="Files").click()
    upload = sidebar.get_by_test_id("stFileUploaderDropzoneInput")
    upload.wait_for(state="attached")
    return upload


def test_uploading_a_real_sample_shows_its_format_and_totals(visit: Visit, server: Server) -> None:
    """A real EA usage file: the sidebar names its format and shows its rows and total, the pages use it."""
    text = SAMPLE.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    (currency,) = {r["BillingCurrency"] for r in rows}
    total = money(float(sum((Decimal(r["Cost"]) for r in rows), Decimal(0))), currency)
    log_start = len(server.log_text())

    _open_files_source(visit).set_input_files(SAMPLE)
    sidebar = visit.page.get_by_test_id("stSidebar")
    report = sidebar.get_by_test_id("stMarkdown").filter(has_text=SAMPLE.name)
    expect(report).to_contain_text("EA")
    expect(report).to_contain_text(f"{len(rows)} of {len(rows)} rows kept")
    expect(report).to_contain_text(total)
    wait_for_run(visit.page)
    visit.page.get_by_role("heading", level=1).first.wait_for()
    assert visit.page.get_by_test_id("stException").count() == 0
    assert "Traceback" not in server.log_text(log_start)
    assert not visit.unexpected_console_errors(), visit.console_errors
    assert not visit.outside_requests, visit.outside_requests


def test_uploading_a_non_usage_file_says_why_without_a_traceback(visit: Visit, server: Server, tmp_path: Path) -> None:
    """A CSV that is not a usage file gets a clear message naming the file, not an exception."""
    other = tmp_path / "shopping-list.csv"
    other.write_text("item,quantity\napples,6\npears,4\n", encoding="utf-8")
    log_start = len(server.log_text())

    _open_files_source(visit).set_input_files(other)
    # The sidebar says which file and what a usage file needs; the page says nothing could be shown.
    expect(visit.page.get_by_test_id("stSidebar").get_by_test_id("stAlert").filter(has_text=other.name)).to_contain_text("usage file")
    expect(visit.page.get_by_test_id("stMain")).to_contain_text("could not be read")
    wait_for_run(visit.page)
    assert visit.page.get_by_test_id("stException").count() == 0
    assert "Traceback" not in server.log_text(log_start)
    assert not visit.unexpected_console_errors(), visit.console_errors
    assert not visit.outside_requests, visit.outside_requests
