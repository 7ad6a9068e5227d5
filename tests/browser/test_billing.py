"""Billing history in a real browser: a period's downloads arrive and hold exactly that period's usage."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lib.core.fmt import money
from tests.browser.conftest import AS_OF, Visit, sync_api
from tests.serving import REPO

pytestmark = pytest.mark.browser

expect = sync_api.expect


def _cli_history() -> dict[str, Any]:
    command = [sys.executable, "-m", "lib.cli", "billing-history", "--demo", "--json", "--as-of", AS_OF]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True, timeout=120)
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _download(row: Any, button: str, folder: Path) -> tuple[str, list[dict[str, str]]]:
    """Click ``button`` in ``row``, wait for the file the browser saves and read it as CSV."""
    with row.page.expect_download() as info:
        row.get_by_role("button", name=button).click()
    download = info.value
    assert download.failure() is None
    saved = folder / download.suggested_filename
    download.save_as(saved)
    return download.suggested_filename, list(csv.DictReader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))


def test_each_rows_usage_and_focus_downloads_reconcile_with_the_row(visit: Visit, cli_summary: dict[str, Any], tmp_path: Path) -> None:
    history = _cli_history()
    visit.goto("/billing")
    page = visit.page
    page.get_by_role("heading", name="Billing history", exact=True).wait_for()
    # Three rows here (the oldest, the newest invoiced, the open one) keep the browser layer short;
    # tests/unit/test_billing.py checks every row's two files without a browser.
    for period in [history["periods"][i] for i in (0, -2, -1)]:
        key = f"{period['period'].replace('-', '')}_{period['currency']}"
        row = page.locator(f".st-key-billing_row_{key}")
        expect(row.get_by_test_id("stMetricValue").nth(1)).to_have_text(money(period["usage_total"], "EUR"))
        name, usage = _download(row, "Usage (CSV, version 2)", tmp_path)
        assert name == f"azure-usage_{period['period']}_EUR_mca-v2.csv"
        name, focus = _download(row, "FOCUS 1.2", tmp_path)
        assert name == f"azure-usage_{period['period']}_EUR_focus-1.2.csv"
        expected = Decimal(str(period["usage_total"]))
        assert len(usage) == len(focus) == period["rows"]
        assert abs(sum((Decimal(r["costInBillingCurrency"]) for r in usage), Decimal(0)) - expected) < Decimal("0.000001")
        assert abs(sum((Decimal(r["BilledCost"]) for r in focus), Decimal(0)) - expected) < Decimal("0.000001")
        assert {r["invoiceId"] for r in usage} == ({period["invoice_id"]} if period["invoice_id"] else {""})
    closed = sum(Decimal(str(p["usage_total"])) for p in history["periods"] if p["status"] != "open")
    assert abs(closed - Decimal(str(cli_summary["billed_cost_by_currency"]["EUR"]))) < Decimal("0.00001")
    visit.assert_clean()
