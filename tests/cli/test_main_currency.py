"""The command line's main currency is the one the page starts in: the largest total, not the most rows.

Three small USD rows and one large EUR row: the page opens on EUR (``lib.analysis.currencies``), so ``summarize``'s
headline and ``explain``'s comparison must be in EUR too. The expected totals are read back from the file with csv and
Decimal.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from lib.cli import run

HEADER = ["Date", "CostInBillingCurrency", "BillingCurrencyCode", "MeterCategory", "SubscriptionId", "ResourceId", "Quantity"]
ROWS = [
    ["11/02/2026", "1.00", "USD", "Storage", "sub-1", "res-1", "1"],
    ["11/03/2026", "1.00", "USD", "Storage", "sub-1", "res-1", "1"],
    ["11/04/2026", "1.00", "USD", "Storage", "sub-1", "res-1", "1"],
    ["11/05/2026", "912.34", "EUR", "Virtual Machines", "sub-2", "res-2", "1"],
]


@pytest.fixture
def usage(tmp_path: Path) -> Path:
    path = tmp_path / "two-currencies.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def _eur_total(path: Path) -> float:
    with path.open(encoding="utf-8", newline="") as handle:
        return float(sum(Decimal(r["CostInBillingCurrency"]) for r in csv.DictReader(handle) if r["BillingCurrencyCode"] == "EUR"))


def test_summarize_headline_is_in_the_currency_with_the_largest_total(usage: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["summarize", str(usage), "--json", "--as-of", "2026-11-06"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["headline"]["currency"] == "EUR"
    assert summary["headline"]["selected_total"] == _eur_total(usage)


def test_explain_compares_in_the_currency_with_the_largest_total(usage: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["explain", str(usage), "--base", "2026-10", "--compare", "2026-11", "--json", "--as-of", "2026-11-06"]
    assert run(argv) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["currency"] == "EUR"
    assert answer["compare_total"] == _eur_total(usage)
