"""Every table under a chart downloads as CSV (issue 19, point 10): exactly that table, machine-readable, in any language."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from lib import cli
from lib.ui import state
from tests.app.conftest import download, open_tables
from tests.app.pickers import choose_period

AS_OF = date(2026, 11, 26)


def _summary(capsys: object) -> dict[str, dict[str, dict[str, float]]]:
    assert cli.run(["summarize", "--demo", "--json", "--as-of", AS_OF.isoformat()]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[attr-defined, no-any-return]


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _cents(value: str | float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_overview_tables_download_as_machine_readable_csv_in_both_languages(
    served_files: dict[str, bytes], app: AppTest, capsys: object
) -> None:
    summary = _summary(capsys)
    choose_period(app, "history").run()  # the command line's default span
    open_tables(app)
    daily_bytes = download(app, served_files, "csv_daily-cost-by-service.csv")
    daily = _rows(daily_bytes)
    assert list(daily[0]) == ["day", "group", "cost"]
    per_day: dict[str, Decimal] = {}
    for row in daily:
        assert date.fromisoformat(row["day"]).isoformat() == row["day"]  # ISO dates
        assert Decimal(row["cost"]) != 0  # exactly the table: its zero rows are left out there too
        per_day[row["day"]] = per_day.get(row["day"], Decimal(0)) + Decimal(row["cost"])
    expected = {day: _cents(by_currency["EUR"]) for day, by_currency in summary["cost_by_day"].items()}
    assert {day: _cents(total) for day, total in per_day.items()} == {d: v for d, v in expected.items() if v}

    bills = _rows(download(app, served_files, "csv_billing-periods.csv"))
    assert [r["status"] for r in bills] == ["invoiced"] * 6 + ["open"]
    assert [r["period_start"] for r in bills][-1] == "2026-11-01"
    invoiced = sum(Decimal(r["amount"]) for r in bills if r["status"] == "invoiced")
    assert _cents(invoiced) == _cents(summary["billed_cost_by_currency"]["EUR"])  # type: ignore[arg-type]

    app.sidebar.radio(key=state.LANGUAGE).set_value("nl").run()
    assert not app.exception, app.exception
    # The same file in Dutch: same header, days, groups and amounts (dot decimals). Amounts are compared to the
    # millionth: a rerun sums each day again, and float sums in another order can move the sixth decimal.
    dutch = download(app, served_files, "csv_daily-cost-by-service.csv")
    assert dutch.startswith(b"\xef\xbb\xbfday,group,cost\n")
    english_rows = [line.rsplit(b",", 1) for line in daily_bytes.splitlines()[1:]]
    dutch_rows = [line.rsplit(b",", 1) for line in dutch.splitlines()[1:]]
    assert [key for key, _cost in dutch_rows] == [key for key, _cost in english_rows]
    assert [float(cost) for _key, cost in dutch_rows] == pytest.approx([float(cost) for _key, cost in english_rows], abs=2e-6)


def test_explore_group_table_downloads_every_group(served_files: dict[str, bytes], app: AppTest, capsys: object) -> None:
    summary = _summary(capsys)
    choose_period(app, "history")  # the command line's default span
    app.switch_page("pages/explore.py").run()
    assert not app.exception, app.exception
    groups = _rows(download(app, served_files, "csv_cost-by-service.csv"))
    services = summary["cost_by_service"]
    assert {r["group"] for r in groups} == set(services)
    for row in groups:
        assert _cents(row["cost"]) == _cents(services[row["group"]]["EUR"])
