"""A big file read from disk in batches (``lib.ingest.stream``) decides its decimal mark from the whole file, as a small one does.

The streamed path is taken by any file here (its size threshold is set to 0, its batches to 500 rows), and the cells
that settle the mark come long after its sample (the first 1,000 rows). Each file is built from ``Decimal``
costs; the expected total is their sum, and the streamed reading is compared with the bytes reading of the same file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from lib.core.dataset import SourceError
from lib.core.models import Metric
from lib.ingest import stream
from lib.ingest.containers import Part
from lib.ingest.read import PartResult, read_part

HEADER = ["Date", "CostInBillingCurrency", "BillingCurrencyCode", "MeterCategory", "SubscriptionId", "Quantity"]
EARLY_ROWS = 3000  # far past the sample (its first 1,000 rows) and several batches (500 rows)


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(stream, "BATCH_ROWS", 500)


def _comma(value: Decimal) -> str:
    """``1234.5`` → ``1.234,5`` (a European spreadsheet's number)."""
    whole, _point, fraction = f"{value:f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{fraction}" if fraction else grouped


def _point(value: Decimal) -> str:
    """``1234.5`` → ``1,234.5`` (a spreadsheet's display format with thousands commas)."""
    whole, _point, fraction = f"{value:f}".partition(".")
    grouped = f"{int(whole):,}"
    return f"{grouped}.{fraction}" if fraction else grouped


def _write(path: Path, separator: str, early: list[Decimal], late: list[Decimal], text: Callable[[Decimal], str]) -> Path:
    """``early`` costs first (the sample sees only them), then ``late`` ones; every cost written by ``text``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\n")
    writer.writerow(HEADER)
    for n, cost in enumerate([*early, *late]):
        writer.writerow([f"11/{n % 28 + 1:02d}/2026", text(cost), "EUR", "Storage", "sub-1", "1"])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _total_from_file(path: Path, separator: str, comma: bool) -> Decimal:
    """The file's costs read back with csv and Decimal, with the mark the test wrote."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=separator))
    cells = [r["CostInBillingCurrency"] for r in rows]
    if comma:
        return sum((Decimal(c.replace(".", "").replace(",", ".")) for c in cells), Decimal(0))
    return sum((Decimal(c.replace(",", "")) for c in cells), Decimal(0))


def _both(path: Path, *, later: bool = False) -> tuple[PartResult, PartResult]:
    streamed = stream.read_csv_path(Part(path.name, run=path.name), path, Metric.ACTUAL, later=later)
    assert streamed is not None and streamed.scan is not None  # really the streamed path
    whole = read_part(Part(path.name, run=path.name, data=path.read_bytes()), Metric.ACTUAL)
    return streamed, whole


def _total(result: PartResult) -> Decimal:
    return Decimal(str(round(result.normalized.get_column("Cost").sum(), 6)))


# The first rows hold only whole numbers, or only ``1,234`` / ``1.234`` (thousands or decimal? the sample cannot tell);
# a later cell settles it.
CASES = {
    "semicolon-integers-then-0,5": (";", [Decimal(n % 7 + 1) for n in range(EARLY_ROWS)], [Decimal("0.5"), Decimal("1234.56")], True),
    "comma-quoted-1,234-then-0,5": (",", [Decimal("1.234")] * EARLY_ROWS, [Decimal("0.5"), Decimal("12.5")], True),
    "semicolon-1.234-then-0,5": (";", [Decimal("1234")] * EARLY_ROWS, [Decimal("0.5")], True),
    "semicolon-1,234-then-1,234.56": (";", [Decimal("1234")] * EARLY_ROWS, [Decimal("1234.56")], False),
    "comma-integers-then-1,234.56": (",", [Decimal(n % 5) for n in range(EARLY_ROWS)], [Decimal("1234.56"), Decimal("0.075")], False),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_decimal_mark_first_shown_after_the_sample_is_the_files_mark(tmp_path: Path, case: str) -> None:
    separator, early, late, comma = CASES[case]
    path = _write(tmp_path / "usage.csv", separator, early, late, _comma if comma else _point)
    want = sum([*early, *late], Decimal(0))
    assert _total_from_file(path, separator, comma) == want
    streamed, whole = _both(path)
    assert streamed.dropped == whole.dropped == ()
    assert streamed.normalized.height == whole.normalized.height == len(early) + len(late)
    assert _total(streamed) == _total(whole) == want
    assert streamed.reading.decimal == whole.reading.decimal == ("," if comma else ".")


def test_a_comma_sample_outvoted_by_the_whole_file_reads_the_file_with_a_point(tmp_path: Path) -> None:
    """The first rows write ``0,5``; far more rows after them write ``12.5``: the point wins, as in a small file, and the
    comma cells are reported unreadable with their line instead of being read."""
    early = [Decimal("0.5")] * 1100
    late = [Decimal("12.5")] * 4000
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for n, cost in enumerate([*early, *late]):
        writer.writerow(
            [f"11/{n % 28 + 1:02d}/2026", f"{cost:f}".replace(".", ",") if n < len(early) else f"{cost:f}", "EUR", "S", "s", "1"]
        )
    path = tmp_path / "usage.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    streamed, whole = _both(path)
    assert streamed.reading.decimal == whole.reading.decimal == "."
    assert _total(streamed) == _total(whole) == sum(late, Decimal(0))
    assert [(d.rows, d.example_line) for d in streamed.dropped] == [(d.rows, d.example_line) for d in whole.dropped] == [(1100, 2)]


def test_a_decimal_comma_only_in_a_column_read_later_is_refused_not_misread(tmp_path: Path) -> None:
    """Costs all whole numbers (polars parses them), quantities ``0,5``: asked for later, the quantities are refused in one
    message instead of being read as empty or as thousands."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for n in range(EARLY_ROWS):
        writer.writerow([f"11/{n % 28 + 1:02d}/2026", str(n % 7 + 1), "EUR", "Storage", "sub-1", "0,5" if n > 1000 else "1"])
    path = tmp_path / "usage.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    streamed = stream.read_csv_path(Part(path.name, run=path.name), path, Metric.ACTUAL, later=True)
    assert streamed is not None and streamed.later is not None
    with pytest.raises(SourceError, match="decimal comma"):
        streamed.later.complete(streamed.normalized)
