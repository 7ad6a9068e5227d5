"""Issue 14, old months: a file of a billing period that has ended, through the command line (``summarize --json``).

The file is built here; every expected figure is worked out from its rows with ``csv`` and ``Decimal``, never by the
code under test. ``--as-of`` stands in for today.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from lib.cli import run

HEADER = ["Date", "CostInBillingCurrency", "BillingCurrencyCode", "MeterCategory", "SubscriptionId", "ResourceId"]
CENT = Decimal("0.01")


def _write(path: Path, first: date, last: date) -> Path:
    """Two rows a day from ``first`` to ``last``, dates written the way Azure does (month first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    day, n = first, 0
    while day <= last:
        for service in ("Storage", "Virtual Machines"):
            writer.writerow([f"{day:%m/%d/%Y}", f"{(n * 37) % 500}.{(n * 7919) % 1000:03d}", "EUR", service, "sub-1", f"res-{n % 3}"])
            n += 1
        day += timedelta(days=1)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _month_totals(path: Path) -> dict[str, Decimal]:
    """Cost per billing month ("2025-03") read back with csv and Decimal."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            month, _day, year = row["Date"].split("/")
            totals[f"{year}-{month}"] += Decimal(row["CostInBillingCurrency"])
    return dict(totals)


def _summary(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    status = run(["summarize", *args, "--json"])
    out = capsys.readouterr().out
    assert status == 0, out
    found: dict[str, object] = json.loads(out)
    return found


def _money(value: Decimal) -> float:
    return float(value.quantize(CENT))


@pytest.mark.parametrize(
    ("first", "last", "today", "closed", "latest", "previous"),
    [
        pytest.param(date(2025, 3, 1), date(2025, 3, 31), "2026-12-03", True, "2025-03", "2025-02", id="a past month"),
        pytest.param(date(2026, 12, 1), date(2026, 12, 2), "2026-12-03", False, "2026-12", "2026-11", id="the current month"),
        pytest.param(date(2025, 2, 1), date(2025, 3, 30), "2026-12-03", True, "2025-03", "2025-02", id="two past months"),
        pytest.param(
            date(2026, 11, 1), date(2026, 12, 2), "2026-12-03", False, "2026-12", "2026-11", id="month to date after a whole month"
        ),
    ],
)
def test_a_file_of_an_ended_month_is_summarized_as_that_closed_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], first: date, last: date, today: str, closed: bool, latest: str, previous: str
) -> None:
    """No estimate for a month that has ended: the headline's closed period is the data's last month, "data up to" its
    last day; a month still running keeps its cost so far and estimate, the month before it as the last closed one."""
    path = _write(tmp_path / "usage.csv", first, last)
    months = _month_totals(path)
    found = _summary(capsys, str(path), "--as-of", today)
    assert found["as_of"] == last.isoformat()
    headline = found["headline"]
    assert isinstance(headline, dict)
    assert found["cost_by_currency"] == {"EUR": pytest.approx(float(sum(months.values())), abs=1e-6)}
    if closed:
        assert headline["cost_so_far"] is None and headline["estimate_total"] is None
        year, month = latest.split("-")
        assert headline["last_closed_period"] == date(int(year), int(month), 1).strftime("%b %Y")
        assert headline["last_closed_amount"] == _money(months[latest])
        if previous in months:
            change = ((months[latest] - months[previous]) / months[previous]).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
            assert headline["change_vs_last"] == float(change)
        else:
            assert headline["change_vs_last"] is None  # nothing billed the month before
    else:
        assert headline["cost_so_far"] == _money(months[latest])
        assert headline["estimate_total"] is not None and headline["estimate_total"] >= headline["cost_so_far"]
        if previous in months:
            year, month = previous.split("-")
            assert headline["last_closed_period"] == date(int(year), int(month), 1).strftime("%b %Y")
            assert headline["last_closed_amount"] == _money(months[previous])


def test_the_period_keys_of_an_ended_month_are_the_data_s_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--period 202503`` is the whole closed month; ``history`` spans the months in the file; ``mtd`` is refused."""
    path = _write(tmp_path / "usage.csv", date(2025, 2, 1), date(2025, 3, 30))
    months = _month_totals(path)
    march = _summary(capsys, str(path), "--as-of", "2026-12-03", "--period", "202503")
    assert march["period"] == {"start": "2025-03-01", "end": "2025-03-31"}
    headline = march["headline"]
    assert isinstance(headline, dict)
    assert headline["selected_total"] == _money(months["2025-03"])
    history = _summary(capsys, str(path), "--as-of", "2026-12-03", "--period", "history")
    assert history["period"] == {"start": "2025-02-01", "end": "2025-03-31"}
    assert history["cost_by_currency"] == {"EUR": pytest.approx(float(months["2025-02"] + months["2025-03"]), abs=1e-6)}
    assert run(["summarize", str(path), "--as-of", "2026-12-03", "--period", "mtd"]) == 2
    assert "'mtd' is not offered for this data" in capsys.readouterr().err


def test_the_human_summary_of_an_ended_month_has_no_estimate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary for a person names the closed month and its total, and no estimate or cost so far."""
    monkeypatch.setenv("AZDASH_LANG", "en")
    path = _write(tmp_path / "usage.csv", date(2025, 3, 1), date(2025, 3, 31))
    march = _month_totals(path)["2025-03"]
    assert run(["summarize", str(path), "--as-of", "2026-12-03"]) == 0
    out = capsys.readouterr().out
    assert "estimate" not in out and "so far" not in out, out
    assert f"last closed period Mar 2025: €{march.quantize(CENT):,}" in out, out


def test_the_billing_history_of_an_ended_month_opens_no_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``billing-history``: seven closed periods up to the data's last month, that month's usage to the cent and final."""
    path = _write(tmp_path / "usage.csv", date(2025, 2, 1), date(2025, 3, 30))
    months = _month_totals(path)
    assert run(["billing-history", str(path), "--json", "--as-of", "2026-12-03"]) == 0
    periods = json.loads(capsys.readouterr().out)["periods"]
    assert [p["period"] for p in periods] == ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
    assert {p["status"] for p in periods} == {"closed"}
    assert [p["usage_total"] for p in periods[-2:]] == [_money(months["2025-02"]), _money(months["2025-03"])]
    assert periods[-1]["final"] is True  # read in December 2026: March 2025's charges stopped moving long ago
