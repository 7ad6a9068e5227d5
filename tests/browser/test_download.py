"""Usage download in a real browser: the files really arrive and hold the rows the pages show."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from lib.core.fmt import money
from tests.browser.conftest import Visit, sync_api, wait_for_run
from tests.browser.test_overview import choose_service

pytestmark = pytest.mark.browser

expect = sync_api.expect


def _download(page: Any, button: str, folder: Path) -> tuple[str, pl.DataFrame]:
    """Click ``button``, wait for the browser's download and read the CSV it saved.

    The click waits for the page's run to end: a button redrawn by a rerun in flight can swallow it (a busy machine);
    a swallowed click is made once more.
    """
    for attempt in range(2):
        wait_for_run(page)
        try:
            with page.expect_download(timeout=15_000 * (attempt + 1)) as info:
                page.get_by_role("button", name=button).click()
            break
        except sync_api.TimeoutError:
            if attempt == 1:
                raise
    download = info.value
    assert download.failure() is None
    saved = folder / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes()[:3] == b"\xef\xbb\xbf"  # Azure's files start with a BOM; polars drops it
    return download.suggested_filename, pl.read_csv(saved, infer_schema=False)


def _total(rows: pl.DataFrame) -> float:
    return float(rows.get_column("costInBillingCurrency").cast(pl.Float64).sum())


def _caption_rows(page: Any, ending: str) -> int:
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text=ending)
    found = re.match(r"([\d,]+) rows", caption.inner_text())
    assert found, caption.inner_text()
    return int(found.group(1).replace(",", ""))


def test_downloads_hold_the_rows_shown(visit: Visit, cli_summary: dict[str, Any], tmp_path: Path) -> None:
    """The raw CSV holds the rows and total the pages show; after filtering one service the filtered CSV holds only its rows."""
    visit.goto("/download?period=history")  # the command line's default span: every row of the demo
    page = visit.page
    page.get_by_role("heading", name="Usage download").wait_for()
    stated = _caption_rows(page, "exactly as the source gave them")
    name, rows = _download(page, "Download raw usage CSV", tmp_path)
    assert name.endswith(".csv") and "raw" in name
    assert len(rows) == stated == cli_summary["rows"]
    # The overview shows this total (test_overview checks it equals the CLI's headline).
    assert money((_total(rows)), "EUR") == money(cli_summary["headline"]["selected_total"], "EUR")
    assert set(rows.get_column("billingCurrency")) == {"EUR"}

    service = "Storage"
    choose_service(page, service)
    filtered_caption = page.get_by_test_id("stCaptionContainer").filter(has_text="pass every filter")
    expect(filtered_caption).not_to_contain_text(f"{stated:,} rows")
    filtered_stated = _caption_rows(page, "pass every filter")
    name, filtered = _download(page, "Download filtered rows", tmp_path)
    assert "filtered" in name
    assert 0 < len(filtered) == filtered_stated < len(rows)
    assert set(filtered.get_column("meterCategory")) == {service}
    assert money((_total(filtered)), "EUR") == money(cli_summary["cost_by_service"][service]["EUR"], "EUR")
    # The filtered file is a subset of the raw one, row for row as the source gave them.
    assert filtered.columns == rows.columns
    assert filtered.join(rows, on=rows.columns, how="anti", nulls_equal=True).is_empty()

    visit.assert_clean()
