"""Files shaped like the ones customers send around, through the command line (``summarize FILES --json``).

Each test builds its file here from rows whose true date and cost are known (``Decimal``), writes them the way a
spreadsheet or a browser would, and checks the command's figures against those rows to the cent; nothing here
calls the reader's parsing helpers.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from lib.cli import run
from lib.ingest import stream

REPO = Path(__file__).resolve().parents[2]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Row:
    day: date
    cost: Decimal
    service: str = "Storage"
    subscription: str = "sub-1"
    resource: str = "res-1"
    charge: str = "Usage"
    pricing: str = "OnDemand"
    currency: str = "EUR"


def _rows(first: date, days: int, per_day: int = 2, big_every: int = 0) -> list[Row]:
    rows = []
    for n in range(days * per_day):
        day = first + timedelta(days=n // per_day)
        cost = Decimal(f"{(n * 37) % 900}.{(n * 7919) % 1000:03d}") + Decimal("0.004")
        if big_every and n % big_every == 0:
            cost += Decimal("12345")
        rows.append(Row(day, cost, service="Storage" if n % 2 else "Virtual Machines", resource=f"res-{n % per_day}"))
    return rows


def _summary(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    status = run(["summarize", *args, "--json", "--as-of", "2026-12-15"])
    out = capsys.readouterr().out
    assert status == 0, out
    result: dict[str, object] = json.loads(out)
    return result


def _failure(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = run(["summarize", *args, "--json", "--as-of", "2026-12-15"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def _check(summary: dict[str, object], rows: list[Row]) -> None:
    """Totals per currency and per day equal the rows' own, to the cent; every row kept."""
    want: dict[str, Decimal] = defaultdict(Decimal)
    per_day: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        want[row.currency] += row.cost
        per_day[row.day.isoformat()] += row.cost
    totals = summary["cost_by_currency"]
    assert isinstance(totals, dict)
    assert {c: Decimal(str(v)).quantize(CENT) for c, v in totals.items()} == {c: v.quantize(CENT) for c, v in want.items()}
    by_day = summary["cost_by_day"]
    assert isinstance(by_day, dict)
    got_days = {d: sum(Decimal(str(v)) for v in cells.values()) for d, cells in by_day.items()}
    assert {d: v.quantize(CENT) for d, v in got_days.items()} == {d: v.quantize(CENT) for d, v in per_day.items()}
    assert summary["rows"] == len(rows)
    assert summary["rows_dropped"] == 0


def _files(summary: dict[str, object]) -> list[dict[str, object]]:
    files = summary["files"]
    assert isinstance(files, list)
    return files


HEADER = [
    "Date",
    "CostInBillingCurrency",
    "BillingCurrencyCode",
    "MeterCategory",
    "SubscriptionId",
    "ResourceId",
    "ChargeType",
    "PricingModel",
]


def _cells(row: Row, day: str, cost: str) -> list[str]:
    return [day, cost, row.currency, row.service, row.subscription, row.resource, row.charge, row.pricing]


def _write(
    path: Path, lines: list[list[str]], separator: str, *, encoding: str = "utf-8", newline: str = "\n", quote_all: bool = False
) -> Path:
    def cell(text: str) -> str:
        return f'"{text}"' if quote_all or separator in text or '"' in text else text

    body = newline.join(separator.join(cell(c) for c in line) for line in lines) + newline
    path.write_bytes(body.encode(encoding))
    return path


# --- European and UK spreadsheet re-saves ---------------------------------------------------------------------


def test_dutch_resave_dashes_decimal_comma_windows_1252_late_accent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``30-11-2026``, ``;``, ``0,5``, Windows-1252 with the first accented letter at the very end, CRLF."""
    rows = _rows(date(2026, 11, 1), 30, big_every=7)
    lines = [HEADER] + [_cells(r, f"{r.day:%d-%m-%Y}", f"{r.cost:f}".replace(".", ",")) for r in rows]
    lines[-1][3] = "Géén dienst"  # é in Windows-1252: one byte that is not UTF-8, 3 KB into the file
    rows[-1] = Row(rows[-1].day, rows[-1].cost, service="Géén dienst", resource=rows[-1].resource)
    path = _write(tmp_path / "kosten.csv", lines, ";", encoding="cp1252", newline="\r\n")
    summary = _summary(capsys, str(path))
    _check(summary, rows)
    report = _files(summary)[0]
    assert (report["encoding"], report["separator"], report["decimal_mark"], report["line_ends"]) == ("Windows-1252", ";", ",", "CRLF")
    assert report["date_order"] == "dmy"
    assert "above 12" in str(report["date_order_reason"])
    assert "Géén dienst" in summary["cost_by_service"]  # type: ignore[operator]


def test_german_resave_dots_and_thousands_points(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``03.11.2026`` (days 1-12 only: dotted dates are day first) and ``12.345,678`` amounts."""
    rows = _rows(date(2026, 11, 1), 12, big_every=3)

    def german(value: Decimal) -> str:
        whole, _, fraction = f"{value:f}".partition(".")
        return f"{int(whole):,}".replace(",", ".") + "," + fraction

    lines = [HEADER] + [_cells(r, f"{r.day:%d.%m.%Y}", german(r.cost)) for r in rows]
    path = _write(tmp_path / "kosten.csv", lines, ";")
    summary = _summary(capsys, str(path))
    _check(summary, rows)
    assert _files(summary)[0]["date_order"] == "dmy"


def test_uk_resave_slashes_quoted_thousands_and_a_late_day_above_12(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``,`` separator, ``dd/mm/yyyy`` with days 1-12 in the first 1,500 rows and one day 13 at the end; ``"1,234.56"``."""
    rows = [*_rows(date(2026, 11, 1), 12, per_day=125, big_every=5), Row(date(2026, 11, 13), Decimal("1.25"))]
    lines = [HEADER] + [_cells(r, f"{r.day:%d/%m/%Y}", f"{r.cost:,f}") for r in rows]
    path = _write(tmp_path / "usage.csv", lines, ",")
    summary = _summary(capsys, str(path))
    _check(summary, rows)
    assert _files(summary)[0]["date_order"] == "dmy"


def test_billing_period_column_settles_the_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Days 1-5 only, one per month read month first: the period start (the 1st) can only be day first."""
    rows = _rows(date(2026, 11, 1), 1, per_day=3)
    header = [*HEADER, "BillingPeriodStartDate"]
    lines = [header] + [[*_cells(r, f"{r.day:%d/%m/%Y}", f"{r.cost:f}".replace(".", ",")), "01/11/2026"] for r in rows]
    lines[2][0] = "01/11/2026"  # one date only: the range cannot tell
    path = _write(tmp_path / "usage.csv", lines, ";")
    summary = _summary(capsys, str(path))
    _check(summary, rows)
    report = _files(summary)[0]
    assert report["date_order"] == "dmy"
    assert "BillingPeriodStartDate" in str(report["date_order_reason"])


def test_undecidable_dates_ask_for_the_order_and_the_flag_reads_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One re-saved date, 03/04/2026, and nothing else: refused in one line naming --date-order; both orders then work."""
    row = Row(date(2026, 4, 3), Decimal("10.50"))
    path = _write(tmp_path / "usage.csv", [HEADER, _cells(row, "03/04/2026", "10,50")], ";")
    message = _failure(capsys, str(path))
    assert "--date-order" in message
    assert "03/04/2026" in message
    _check(_summary(capsys, str(path), "--date-order", "dmy"), [row])
    march = _summary(capsys, str(path), "--date-order", "mdy")
    _check(march, [Row(date(2026, 3, 4), row.cost)])
    assert _files(march)[0]["date_order_reason"]


def test_untouched_azure_file_with_one_ambiguous_date_is_read_month_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Comma separator, decimal point, UTF-8: Azure's own month-first order, and the report says why."""
    row = Row(date(2026, 3, 4), Decimal("10.5"))
    path = _write(tmp_path / "usage.csv", [HEADER, _cells(row, "03/04/2026", "10.5")], ",")
    summary = _summary(capsys, str(path))
    _check(summary, [row])
    assert "as Azure writes it" in str(_files(summary)[0]["date_order_reason"])


def test_mac_cr_only_line_ends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(date(2026, 11, 1), 20)
    lines = [HEADER] + [_cells(r, f"{r.day:%m/%d/%Y}", f"{r.cost:f}") for r in rows]
    path = _write(tmp_path / "usage.csv", lines, ",", newline="\r")
    summary = _summary(capsys, str(path))
    _check(summary, rows)
    assert _files(summary)[0]["line_ends"] == "CR"


@pytest.mark.parametrize("mark", [True, False], ids=["bom", "no-bom"])
def test_excel_unicode_text_utf16_tabs(tmp_path: Path, capsys: pytest.CaptureFixture[str], mark: bool) -> None:
    rows = _rows(date(2026, 11, 1), 15)
    lines = [HEADER] + [_cells(r, f"{r.day:%d/%m/%Y}", f"{r.cost:f}") for r in rows]
    path = _write(tmp_path / "usage.txt", lines, "\t", encoding="utf-16-le", newline="\r\n")
    if mark:
        path.write_bytes(codecs.BOM_UTF16_LE + path.read_bytes())
    summary = _summary(capsys, str(path))
    _check(summary, rows)
    report = _files(summary)[0]
    assert (report["encoding"], report["separator"]) == ("UTF-16", "\t")


def test_decimal_comma_in_a_comma_separated_file_with_quoted_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every cell quoted, ``"0,5"``; the only cells proving the decimal comma come after row 1,000."""
    rows = [Row(date(2026, 11, 1) + timedelta(days=n % 28), Decimal(n % 7 + 1) * 1000) for n in range(1200)]
    rows += [Row(date(2026, 11, 2), Decimal("0.075")), Row(date(2026, 11, 3), Decimal("12.5"))]

    def text(value: Decimal) -> str:
        return f"{value.normalize():f}".replace(".", ",") if value % 1 else str(int(value))

    lines = [HEADER] + [_cells(r, f"{r.day:%m/%d/%Y}", text(r.cost)) for r in rows]
    path = _write(tmp_path / "usage.csv", lines, ",", quote_all=True)
    summary = _summary(capsys, str(path))
    _check(summary, rows)
    assert _files(summary)[0]["decimal_mark"] == ","


def test_big_file_whose_decimal_comma_first_shows_after_its_first_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read from disk in batches (the big-file path, its threshold set to 0): 1,500 rows of ``1,234`` (thousands or
    decimal?), then ``0,5``. The whole file decides: a decimal comma, so ``1,234`` is 1.234."""
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(stream, "BATCH_ROWS", 400)
    rows = [Row(date(2026, 11, 1) + timedelta(days=n % 28), Decimal("1.234")) for n in range(1500)]
    rows += [Row(date(2026, 11, 20), Decimal("0.5")), Row(date(2026, 11, 21), Decimal("1234.56"))]

    def text(value: Decimal) -> str:
        whole, _point, fraction = f"{value:f}".partition(".")
        return f"{int(whole):,}".replace(",", ".") + f",{fraction}"

    lines = [HEADER] + [_cells(r, f"{r.day:%m/%d/%Y}", text(r.cost)) for r in rows]
    path = _write(tmp_path / "usage.csv", lines, ";")
    summary = _summary(capsys, str(path))
    _check(summary, rows)
    assert _files(summary)[0]["decimal_mark"] == ","


# --- the same rows twice -----------------------------------------------------------------------------------------


def _plain(path: Path, rows: list[Row]) -> Path:
    lines = [HEADER] + [_cells(r, f"{r.day:%m/%d/%Y}", f"{r.cost:f}") for r in rows]
    return _write(path, lines, ",")


def test_same_path_twice_and_spelled_differently_counts_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(date(2026, 11, 1), 10)
    path = _plain(tmp_path / "usage.csv", rows)
    other_spelling = str(tmp_path / "." / "usage.csv")
    summary = _summary(capsys, str(path), other_spelling, str(tmp_path))
    _check(summary, rows)
    skipped = [f for f in _files(summary) if f["skipped"]]
    assert len(skipped) == 2
    assert all("given twice" in str(f["skipped"]) for f in skipped)


def test_byte_identical_browser_copy_counts_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(date(2026, 11, 1), 10)
    first = _plain(tmp_path / "usage.csv", rows)
    copy = tmp_path / "usage (1).csv"
    copy.write_bytes(first.read_bytes())
    summary = _summary(capsys, str(first), str(copy))
    _check(summary, rows)
    assert [f["name"] for f in _files(summary) if f["skipped"]] == [str(copy)]


def test_month_to_date_downloads_in_a_folder_keep_the_latest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A classic export folder: one file per daily run, each repeating the month so far (Azure may restate a day)."""
    folder = tmp_path / "export" / "20261101-20261130"
    folder.mkdir(parents=True)
    early = _rows(date(2026, 11, 1), 5)
    late = _rows(date(2026, 11, 1), 9)
    late[0] = Row(late[0].day, late[0].cost + Decimal("1.11"), late[0].service, resource=late[0].resource)  # restated
    _plain(folder / "export_0a1b.csv", early)
    _plain(folder / "export_9f8e.csv", late)
    summary = _summary(capsys, str(tmp_path / "export"))
    _check({**summary, "rows_dropped": 0}, late)
    assert any("kept the latest" in str(n) for n in summary["notes"])  # type: ignore[union-attr]
    replaced = [f for f in _files(summary) if f["rows_kept"] == 0]
    assert [f["rows_dropped"] for f in replaced] == [len(early)]


def test_other_subscription_same_month_is_not_a_duplicate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = _rows(date(2026, 11, 1), 5)
    two = [Row(r.day, r.cost, r.service, subscription="sub-2", resource=r.resource) for r in one]
    folder = tmp_path / "downloads"
    folder.mkdir()
    _plain(folder / "a.csv", one)
    _plain(folder / "b.csv", two)
    _check(_summary(capsys, str(folder)), one + two)


# --- folders and zips --------------------------------------------------------------------------------------------


def test_folder_with_notes_and_readme_skips_and_lists_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(date(2026, 11, 1), 6)
    _plain(tmp_path / "usage.csv", rows)
    (tmp_path / "notes.txt").write_text("Downloaded from the portal on 6 November.\nAsk Anna about the VM spike.\n")
    (tmp_path / "README").write_text("Cost files for the finance team\n")
    summary = _summary(capsys, str(tmp_path))
    _check(summary, rows)
    skipped = {Path(str(f["name"])).name: f["skipped"] for f in _files(summary) if f["skipped"]}
    assert set(skipped) == {"notes.txt", "README"}
    assert any("notes.txt" in str(w) for w in summary["warnings"])  # type: ignore[union-attr]


def test_macos_finder_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(date(2026, 11, 1), 6)
    body = _plain(tmp_path / "usage.csv", rows).read_bytes()
    path = tmp_path / "usage.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("usage/usage.csv", body)
        archive.writestr("__MACOSX/usage/._usage.csv", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
        archive.writestr("usage/.DS_Store", b"\x00\x00\x00\x01Bud1")
    _check(_summary(capsys, str(path)), rows)


# --- actual vs amortized ----------------------------------------------------------------------------------------


def test_cost_view_comes_from_the_rows_not_the_folder_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder "amortized vs actual" and a file "Contractual.csv": the charge types decide."""
    folder = tmp_path / "amortized vs actual"
    folder.mkdir()
    purchase = Row(date(2026, 11, 3), Decimal("1200"), charge="Purchase", pricing="Reservation")
    covered = Row(date(2026, 11, 4), Decimal("0"), charge="Usage", pricing="Reservation")
    actual_path = _plain(folder / "Contractual.csv", [*_rows(date(2026, 11, 1), 3), purchase, covered])
    unused = Row(date(2026, 11, 3), Decimal("4.5"), charge="UnusedReservation", pricing="Reservation")
    amortized_path = _plain(tmp_path / "actual.csv", [*_rows(date(2026, 11, 1), 3), unused])
    assert _summary(capsys, str(actual_path))["metric"] == "actual"
    assert _files(_summary(capsys, str(amortized_path), "--metric", "amortized"))[0]["metric"] == "amortized"


# --- unquoted tags ----------------------------------------------------------------------------------------------


def test_unquoted_tags_with_commas_are_joined_back_or_refused_never_a_currency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ["Date", "MeterCategory", "Tags", "CostInBillingCurrency", "BillingCurrencyCode", "SubscriptionId"]
    rows = _rows(date(2026, 11, 1), 4)
    lines = [",".join(header)]
    for n, r in enumerate(rows):
        tags = '{"env":"prod","owner":"CONTOSO, B.V."}' if n % 2 else '{"env":"test"}'
        lines.append(f"{r.day:%m/%d/%Y},{r.service},{tags},{r.cost:f},EUR,sub-1")
    lines.append('11/06/2026,Storage,"env": "prod", "owner": "CONTOSO B.V.",7.25,EUR,sub-1')  # no braces: cannot be put back
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n")
    summary = _summary(capsys, str(path))
    assert list(summary["cost_by_currency"]) == ["EUR"]  # type: ignore[arg-type]
    _check({**summary, "rows_dropped": 0}, rows)
    assert summary["rows_dropped"] == 1
    report = _files(summary)[0]
    assert report["rows_dropped"] == 1
    assert "joined back" in " ".join(str(n) for n in report["notes"])  # type: ignore[union-attr]


# --- two files joined into one ----------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True], ids=["bytes", "streamed"])
def test_two_exports_joined_with_cat_count_every_row_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    """``cat october.csv november.csv > both.csv``: the second header is skipped (and said), every row of both counted."""
    if streamed:
        monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
        monkeypatch.setattr(stream, "BATCH_ROWS", 40)
    october, november = _rows(date(2026, 10, 1), 20), _rows(date(2026, 11, 1), 25)
    first = _write(tmp_path / "october.csv", [HEADER] + [_cells(r, f"{r.day:%m/%d/%Y}", f"{r.cost:f}") for r in october], ",")
    second = _write(tmp_path / "november.csv", [HEADER] + [_cells(r, f"{r.day:%m/%d/%Y}", f"{r.cost:f}") for r in november], ",")
    both = tmp_path / "both.csv"
    both.write_bytes(first.read_bytes() + second.read_bytes())
    summary = _summary(capsys, str(both))
    _check(summary, october + november)
    assert any("line 42" in str(note) for note in _files(summary)[0]["notes"])  # type: ignore[union-attr]


def test_two_exports_of_different_layouts_joined_are_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An EA download and a pay-as-you-go one in one file: the second part's cells would be read under the first part's
    column names. One line names the second header's line."""
    rows = _rows(date(2026, 11, 1), 20)
    ea = [HEADER] + [_cells(r, f"{r.day:%m/%d/%Y}", f"{r.cost:f}") for r in rows]
    payg_header = ["SubscriptionGuid", "UsageDateTime", "MeterCategory", "PreTaxCost", "Currency"]
    payg = [payg_header] + [[r.subscription, f"{r.day:%Y-%m-%d}", r.service, f"{r.cost:f}", r.currency] for r in rows]
    path = _write(tmp_path / "both.csv", ea + payg, ",")
    line = _failure(capsys, str(path))
    assert "line 42" in line
    assert "joined" in line


# --- the command line -------------------------------------------------------------------------------------------


ZERO = "00000000-0000-0000-0000-000000000000"


def _process(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AZDASH_"))} | {"AZURE_TOKEN_CREDENTIALS": "dev"}
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["summarize", "--scope", "not-a-scope"], "--scope"),
        (
            ["download", "--scope", "/subscriptions/00000000-0000-0000-0000-000000000000", "--billing-period", "2026-11", "-o", "x.csv"],
            "--billing-period",
        ),
        (["summarize", "usage.csv", "--scope", f"/subscriptions/{ZERO}"], "--scope"),
        (["summarize", "--date-order", "dmy"], "--date-order"),
    ],
    ids=["bad-scope", "bad-billing-period", "file-and-scope", "date-order-without-files"],
)
def test_bad_arguments_fail_in_one_line_before_signing_in(args: list[str], names: str) -> None:
    done = _process(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert names in lines[0]
    assert "identity" not in done.stderr.lower()
