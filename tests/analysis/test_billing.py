"""The billing history (lib.analysis.billing): periods, invoices, the difference and its reconciling items, the per-row downloads.

Expected figures are worked out independently: by hand from the rows written here, or from the CSV text with Decimal.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lib import cli
from lib.analysis import billing
from lib.analysis.billing import Invoice
from lib.core.dataset import Dataset, LoadRequest
from lib.core.models import Agreement, Metric, Period
from lib.core.schema import Col
from lib.output import convert
from lib.sources.demo import DemoSource
from lib.sources.files import load_paths
from tests.factories import frame

AS_OF = date(2026, 11, 26)
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
HEADER = ["invoiceId", "billingProfileId", "billingPeriodStartDate", "date", "meterCategory", "chargeType", "billingCurrency"]
HEADER += ["costInBillingCurrency", "costInUsd"]
# invoice id, period start, day, service, charge type, cost
FILE_ROWS = [
    ("G100", "10/01/2026", "10/03/2026", "Storage", "Usage", "10.004"),
    ("G100", "10/01/2026", "10/17/2026", "Virtual Machines", "Usage", "2.5"),
    ("G200", "10/01/2026", "10/05/2026", "Virtual Machines", "Purchase", "100"),
    ("", "10/01/2026", "10/31/2026", "Bandwidth", "Usage", "1.25"),
    ("G090", "09/01/2026", "09/30/2026", "Storage", "Usage", "7.75"),
    ("", "11/01/2026", "11/20/2026", "Storage", "Usage", "3.125"),
]


def _mca_file(folder: Path) -> Path:
    path = folder / "mca.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for invoice, start, day, service, charge, cost in FILE_ROWS:
            writer.writerow([invoice, "BP-1", start, day, service, charge, "EUR", cost, cost])
    return path


def _dataset(rows: list[dict[str, object]], source: str = "files") -> Dataset:
    canonical = frame(rows)  # type: ignore[arg-type]
    return Dataset(source, "test", "", Agreement.MCA, Metric.ACTUAL, canonical, canonical, (), AS_OF)


def _csv_total(data: bytes, column: str) -> tuple[Decimal, int]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    rows = list(reader)
    return sum((Decimal(r[column]) for r in rows), Decimal(0)), len(rows)


def test_files_periods_and_invoice_ids_come_from_the_rows(tmp_path: Path) -> None:
    dataset = load_paths([str(_mca_file(tmp_path))], as_of=AS_OF, metric=Metric.ACTUAL)
    found = billing.history(dataset, AS_OF)
    assert [r.period.start.month for r in found.rows] == [5, 6, 7, 8, 9, 10, 11]
    by_month = {r.period.start.month: r for r in found.rows}
    october, september, november = by_month[10], by_month[9], by_month[11]
    assert found.invoices_source == "data"
    assert (october.status, october.invoice_ids, october.invoiced, october.difference) == ("invoiced", ("G100", "G200"), None, None)
    assert october.usage_total == pytest.approx(10.004 + 2.5 + 100 + 1.25, abs=1e-9)
    assert october.outside_invoice == pytest.approx(1.25, abs=1e-9)  # the row without an invoice id
    assert (september.status, september.invoice_ids) == ("invoiced", ("G090",))
    assert (november.status, november.invoice_ids, november.final) == ("open", (), False)
    assert november.outside_invoice == pytest.approx(3.125)
    assert by_month[5].status == "closed" and by_month[5].usage_total == 0
    assert october.final and not by_month[10].items  # no invoice amounts in files: nothing to reconcile against


def test_each_rows_usage_and_focus_downloads_hold_exactly_that_periods_rows(tmp_path: Path) -> None:
    dataset = load_paths([str(_mca_file(tmp_path))], as_of=AS_OF, metric=Metric.ACTUAL)
    for row in billing.history(dataset, AS_OF).rows:
        narrowed = billing.period_dataset(dataset, row.period, row.currency)
        v2_total, v2_rows = _csv_total(convert.to_csv(narrowed, convert.V2), "costInBillingCurrency")
        focus_total, focus_rows = _csv_total(convert.to_csv(narrowed, convert.FOCUS), "BilledCost")
        expected = sum(
            (Decimal(cost) for _i, start, _d, _s, _c, cost in FILE_ROWS if start.startswith(f"{row.period.start:%m}/")), Decimal(0)
        )
        assert v2_total == focus_total == expected
        assert v2_rows == focus_rows == row.rows
        assert round(float(expected), 6) == round(row.usage_total, 6)


def test_difference_splits_into_tax_credits_rounding_separate_and_outside_rows() -> None:
    rows = [
        {Col.CHARGE_DATE: date(2026, 10, 2), Col.INVOICE_ID: "G1", Col.COST: 10.004},
        {Col.CHARGE_DATE: date(2026, 10, 9), Col.INVOICE_ID: "G1", Col.COST: 2.5},
        {Col.CHARGE_DATE: date(2026, 10, 5), Col.INVOICE_ID: "G2", Col.COST: 100.0, Col.CHARGE_TYPE: "Purchase"},
        {Col.CHARGE_DATE: date(2026, 10, 31), Col.COST: 1.25},
        {Col.CHARGE_DATE: date(2026, 11, 3), Col.COST: 4.0},
    ]
    # G1: rows 12.504 -> 12.50 on the invoice; credit 2.00; tax 21% of 10.50 = 2.205 -> 2.21; a stray 0.40 nobody explains.
    invoice = Invoice("G1", OCTOBER, "EUR", total=12.50 - 2.00 + 2.21 + 0.40, tax=2.21, credits=-2.00)
    found = billing.build(_dataset(rows), [invoice], AS_OF, invoices_source="billing_api")
    october = next(r for r in found.rows if r.period == OCTOBER)
    assert october.status == "invoiced" and october.invoice_ids == ("G1",)
    assert october.invoiced == pytest.approx(13.11)
    assert october.usage_total == pytest.approx(113.754)
    assert october.difference == pytest.approx(13.11 - 113.754)
    items = october.items
    assert items["tax"] == pytest.approx(2.21)
    assert items["credits"] == pytest.approx(-2.00)
    assert items["rounding"] == pytest.approx(-0.004)
    assert items["billed_separately"] == pytest.approx(-100.0)
    assert items["outside_invoice"] == pytest.approx(-1.25)
    assert items["unexplained"] == pytest.approx(0.40)
    assert sum(items.values()) == pytest.approx(october.difference)
    assert found.as_json()["periods"][5]["difference"] == round(13.11 - 113.754, 2)  # type: ignore[index]
    opened = found.rows[-1]
    assert (opened.status, opened.invoiced, opened.outside_invoice) == ("open", None, pytest.approx(4.0))


def test_a_period_closed_less_than_five_days_ago_is_still_an_estimate() -> None:
    found = billing.build(_dataset([{Col.CHARGE_DATE: date(2026, 10, 4), Col.COST: 1.0}]), [], date(2026, 11, 3), invoices_source="none")
    october = found.rows[-2]
    assert (october.status, october.final) == ("closed", False)
    assert billing.build(_dataset([]), [], date(2026, 11, 5), invoices_source="none").rows[-2].final


def _demo_text_totals(as_of: date) -> dict[str, Decimal]:
    """The demo's costs per invoice id, summed as Decimal from the generated CSV text."""
    from lib.sources.demo import generate_raw

    totals: dict[str, Decimal] = defaultdict(Decimal)
    for invoice, cost in generate_raw(as_of).select("invoiceId", "costInBillingCurrency").iter_rows():
        totals[invoice] += Decimal(cost)
    return totals


def test_demo_invoices_reconcile_to_the_cent_and_with_summarize(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["billing-history", "--demo", "--as-of", AS_OF.isoformat(), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert cli.run(["summarize", "--demo", "--as-of", AS_OF.isoformat(), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    periods = printed["periods"]
    assert len(periods) == 7
    assert [p["status"] for p in periods] == ["invoiced"] * 6 + ["open"]
    assert {k for p in periods for k in p} >= {"period", "status", "invoice_id", "invoiced", "usage_total", "difference", "currency"}
    closed_total = sum(Decimal(str(p["usage_total"])) for p in periods[:-1])
    assert abs(closed_total - Decimal(str(summary["billed_cost_by_currency"]["EUR"]))) < Decimal("0.00001")
    by_invoice = _demo_text_totals(AS_OF)
    for period in periods[:-1]:
        charges = by_invoice[period["invoice_id"]]
        assert abs(Decimal(str(period["usage_total"])) - charges) < Decimal("0.000001")
        items = {k: Decimal(str(v)) for k, v in period["reconciling_items"].items()}
        assert items["unexplained"] == 0
        # The invoice charges the rows rounded to the cent, then credits, then tax: all worked out from the text.
        subtotal = charges.quantize(Decimal("0.01")) + items["credits"]
        assert items["tax"] == (subtotal * Decimal("0.21")).quantize(Decimal("0.01"))
        assert Decimal(str(period["invoiced"])) == subtotal + items["tax"]
        assert Decimal(str(period["difference"])) == Decimal(str(period["invoiced"])) - charges.quantize(Decimal("0.01"))
    assert sum(Decimal(str(p["reconciling_items"]["credits"])) for p in periods[:-1]) == Decimal("-250")
    assert periods[-1]["invoiced"] is None and periods[-1]["difference"] is None


def test_amortized_demo_keeps_the_actual_invoices_and_says_so() -> None:
    dataset = DemoSource().load(LoadRequest(as_of=AS_OF, metric=Metric.AMORTIZED))
    found = billing.history(dataset)
    actual = billing.history(DemoSource().load(LoadRequest(as_of=AS_OF)))
    assert [r.invoiced for r in found.rows] == [r.invoiced for r in actual.rows]
    assert "amortized" in found.notes
    assert "amortized cost, final" in billing.figure_label(found, found.rows[0])


def test_every_demo_rows_downloads_hold_its_invoices_rows() -> None:
    dataset = DemoSource().load(LoadRequest(as_of=AS_OF))
    by_invoice = _demo_text_totals(AS_OF)
    for row in billing.history(dataset).rows:
        narrowed = billing.period_dataset(dataset, row.period, row.currency)
        v2_total, v2_rows = _csv_total(convert.to_csv(narrowed, convert.V2), "costInBillingCurrency")
        focus_total, focus_rows = _csv_total(convert.to_csv(narrowed, convert.FOCUS), "BilledCost")
        expected = by_invoice[row.invoice_ids[0] if row.invoice_ids else ""]  # the open period's rows carry no invoice id
        assert abs(v2_total - expected) < Decimal("0.000001") and abs(focus_total - expected) < Decimal("0.000001")
        assert v2_rows == focus_rows == row.rows
