"""The real-world re-saves in tests/fixtures/real-world reconcile to the cent with the file they were saved from.

Expected rows, per-day and total cost come from the source file itself (csv + Decimal, its dates read by hand as
Azure writes them, month first); each re-save goes through the command line (``summarize FILE --json``).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from lib.cli import run
from tests.fixtures import real_world

CENT = Decimal("0.01")
# Fixture, encoding and date order the report must state.
CASES = [
    ("nl-excel-semicolon-cp1252.csv", "Windows-1252", "dmy"),
    ("de-excel-dotted-dates.csv", "UTF-8", "dmy"),
    ("uk-excel-day-first.csv", "UTF-8", "dmy"),
    ("mac-csv-cr-only.csv", "UTF-8", "mdy"),
    ("excel-unicode-text.txt", "UTF-16", "mdy"),
    ("macos-finder.zip", "UTF-8 (BOM)", "mdy"),
]


def _expected() -> tuple[int, dict[str, Decimal], dict[str, Decimal]]:
    rows = list(csv.DictReader(io.StringIO(real_world.SOURCE.read_bytes().decode("utf-8-sig"), newline="")))
    per_day: dict[str, Decimal] = defaultdict(Decimal)
    per_currency: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        month, day, year = (int(p) for p in row["Date"].split("/"))
        per_day[date(year, month, day).isoformat()] += Decimal(row["Cost"])
        per_currency[row["BillingCurrency"]] += Decimal(row["Cost"])
    return len(rows), dict(per_day), dict(per_currency)


def test_the_fixtures_are_what_the_script_builds() -> None:
    built = real_world.build()
    assert sorted(built) == sorted(p.name for p in real_world.OUT.iterdir())
    for name, data in built.items():
        assert (real_world.OUT / name).read_bytes() == data, name


@pytest.mark.parametrize(("name", "encoding", "order"), CASES, ids=[c[0] for c in CASES])
def test_each_resave_reconciles_to_the_cent(name: str, encoding: str, order: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows, per_day, per_currency = _expected()
    assert run(["summarize", str(real_world.OUT / name), "--json", "--as-of", "2026-12-01"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == rows
    assert summary["rows_dropped"] == 0
    assert {c: Decimal(str(v)).quantize(CENT) for c, v in summary["cost_by_currency"].items()} == {
        c: v.quantize(CENT) for c, v in per_currency.items()
    }
    got_days = {d: sum(Decimal(str(v)) for v in cells.values()) for d, cells in summary["cost_by_day"].items()}
    assert {d: v.quantize(CENT) for d, v in got_days.items()} == {d: v.quantize(CENT) for d, v in per_day.items()}
    report = summary["files"][0]
    assert (report["encoding"], report["date_order"]) == (encoding, order)
