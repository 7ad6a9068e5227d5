"""Two usage files joined into one (``cat a.csv b.csv``): the second header sits among the rows.

The same header again is skipped and said so, and every row of both parts is counted; a header of another layout is
refused in one message naming its line and both layouts, never read with the second part's cells under the first
part's column names. Each file is built here with csv; expected totals are the ``Decimal`` costs written. Both ways of
reading are checked: from the bytes (``read_part``) and from disk in batches (``lib.ingest.stream``, its size
threshold set to 0; a file it cannot take is read from its bytes, as ``lib.sources.files`` does).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from lib.core.models import Metric
from lib.ingest import dialects, stream
from lib.ingest.containers import Part
from lib.ingest.errors import FormatError
from lib.ingest.read import PartResult, read_part

EA = dialects.HEADER_EA_COSTDETAILS_PORTAL  # 55 columns: Date, Cost, BillingCurrency
PAYG = dialects.HEADER_PAYG_2019_11_01  # 24 columns: UsageDateTime, PreTaxCost, Currency
MCA = dialects.HEADER_MCA_2021_10_01  # 65 columns: date, costInBillingCurrency, billingCurrency
EA_NAME = "EA / pay-as-you-go cost details"
PAYG_NAME = "Pay-as-you-go usage-only"
MCA_NAME = "Microsoft Customer Agreement"
NAMES = {
    EA: ("Date", "Cost", "BillingCurrency"),
    PAYG: ("UsageDateTime", "PreTaxCost", "Currency"),
    MCA: ("date", "costInBillingCurrency", "billingCurrency"),
}


def _costs(rows: int, first: int) -> list[Decimal]:
    return [Decimal(f"{(n * 37) % 900}.{(n * 7919) % 100:02d}") + Decimal("0.5") for n in range(first, first + rows)]


def _part(header: Sequence[str], costs: list[Decimal], *, bom: bool = False, date_names: tuple[str, str, str] | None = None) -> bytes:
    """A file of ``header`` (cells in its order) with one row per cost, CRLF line ends as Azure writes them."""
    date, cost, currency = date_names or NAMES[tuple(header)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\r\n")
    writer.writeheader()
    for n, value in enumerate(costs):
        day = f"2026-11-{n % 28 + 1:02d}" if date == "UsageDateTime" else f"11/{n % 28 + 1:02d}/2026"
        writer.writerow(dict.fromkeys(header, "") | {date: day, cost: f"{value:f}", currency: "EUR"})
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(stream, "BATCH_ROWS", 50)


def _read(path: Path, how: str) -> PartResult:
    if how == "streamed":
        result = stream.read_csv_path(Part(path.name, run=path.name), path, Metric.ACTUAL)
        if result is not None:
            return result
    return read_part(Part(path.name, run=path.name, data=path.read_bytes()), Metric.ACTUAL)


@pytest.mark.parametrize("how", ["bytes", "streamed"])
def test_the_same_header_again_is_skipped_and_said(tmp_path: Path, how: str) -> None:
    first, second = _costs(120, 0), _costs(80, 500)
    data = _part(EA, first, bom=True) + _part(EA, second, bom=True)
    path = tmp_path / "joined.csv"
    path.write_bytes(data)
    result = _read(path, how)
    assert (result.scan is not None) == (how == "streamed")
    want = sum([*first, *second], Decimal(0))
    assert result.normalized.height == 200
    assert Decimal(str(round(result.normalized.get_column("Cost").sum(), 6))) == want
    assert result.dropped == ()
    assert any("repeated at line 122" in note for note in result.notes), result.notes


def _joined(case: str) -> tuple[bytes, int, tuple[str, str]]:
    """The joined bytes, the second header's line, and the names of the two layouts (first, second)."""
    if case == "ea-then-payg":  # narrower second part
        return _part(EA, _costs(60, 0)) + _part(PAYG, _costs(40, 60)), 62, (EA_NAME, PAYG_NAME)
    if case == "payg-then-ea-near-the-top":  # the wider header is within the first lines: it looked like the header
        return _part(PAYG, _costs(5, 0)) + _part(EA, _costs(40, 5)), 7, (PAYG_NAME, EA_NAME)
    if case == "ea-then-mca":  # wider second part, far from the top
        return _part(EA, _costs(60, 0)) + _part(MCA, _costs(40, 60)), 62, (EA_NAME, MCA_NAME)
    if case == "mca-then-ea":
        return _part(MCA, _costs(60, 0)) + _part(EA, _costs(40, 60)), 62, (MCA_NAME, EA_NAME)
    if case == "ea-then-ea-other-column-order":  # same width: read by the streamed path too
        return _part(EA, _costs(60, 0)) + _part(tuple(reversed(EA)), _costs(40, 60), date_names=NAMES[EA]), 62, (EA_NAME, EA_NAME)
    assert case == "ea-then-ea-without-a-line-break"  # the first file's last row and the second header on one line
    return _part(EA, _costs(60, 0)).removesuffix(b"\r\n") + _part(EA, _costs(40, 60)), 61, (EA_NAME, EA_NAME)


CASES = [
    "ea-then-payg",
    "payg-then-ea-near-the-top",
    "ea-then-mca",
    "mca-then-ea",
    "ea-then-ea-other-column-order",
    "ea-then-ea-without-a-line-break",
]


@pytest.mark.parametrize("how", ["bytes", "streamed"])
@pytest.mark.parametrize("case", CASES)
def test_a_second_header_of_another_layout_is_refused_naming_line_and_layouts(tmp_path: Path, case: str, how: str) -> None:
    data, line, (first, second) = _joined(case)
    path = tmp_path / "joined.csv"
    path.write_bytes(data)
    with pytest.raises(FormatError) as raised:
        _read(path, how)
    message = str(raised.value)
    assert "\n" not in message
    assert raised.value.line == line
    assert f"line {line}" in message
    assert first in message and second in message
    assert "joined" in message
