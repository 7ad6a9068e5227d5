"""Every real usage file in tests/fixtures/real loads, with figures computed here independently.

Expected rows and totals come from the csv module and Decimal on the file itself: a row counts
when its date cell is filled and its cost cell is a number. Nothing here calls the loader's
parsing helpers.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from lib.analysis.summary import summarize
from lib.core.dataset import SourceError
from lib.core.models import Agreement, Metric
from lib.core.schema import Col
from lib.ingest.errors import FormatError
from lib.sources.files import load_files, load_paths

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
AS_OF = date(2026, 11, 26)

# The layout names a file report gives, written out (the loader's own table of them is not used here).
EA_DETAILS = "EA / pay-as-you-go cost details (portal Usage + charges download, Cost Details API)"
EA_EXPORT = "EA cost and usage details export"
FOCUS_FILE = "FOCUS file (not a Cost Management export layout)"
PAYG_USAGE = "Pay-as-you-go usage-only export (legacy Consumption layout)"
MCA = "Microsoft Customer Agreement usage and charges (download, export, Cost Details API)"
MCA_PARTNER = "Microsoft Partner Agreement (CSP) usage and charges"
UNRECOGNISED = "Azure usage file in an unrecognised layout"

# file, date column, cost column, currency column (None: the file has none), cost view, layout name, version
CASES = [
    ("finops-toolkit/EA_ActualCost_Small.csv", "Date", "Cost", "BillingCurrency", "actual", EA_DETAILS, "Cost Details API"),
    ("finops-toolkit/EA_AmortizedCost_Small.csv", "Date", "Cost", "BillingCurrency", "amortized", EA_DETAILS, "Cost Details API"),
    (
        "focus-converters/sample-anonymous-ea-export-dataset.csv",
        "Date",
        "CostInBillingCurrency",
        "BillingCurrencyCode",
        "actual",
        EA_EXPORT,
        "2023-12-01-preview",
    ),
    ("focus-sample-data/focus_sample.csv", "ChargePeriodStart", "BilledCost", "BillingCurrency", "actual", FOCUS_FILE, "1.0"),
    ("koku/azure_camelCased.csv", "usageDateTime", "preTaxCost", "currency", "actual", PAYG_USAGE, "2019-11-01, variant"),
    ("koku/azure_version_2.csv", "Date", "CostInBillingCurrency", "BillingCurrencyCode", "actual", EA_EXPORT, "2020-01-01"),
    ("koku/camel_azure_version_2.csv", "date", "costInBillingCurrency", "billingCurrency", "actual", MCA, "2019-11-01"),
    (
        "koku/costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv",
        "UsageDateTime",
        "PreTaxCost",
        "Currency",
        "actual",
        PAYG_USAGE,
        "2019-11-01",
    ),
    ("opencost/headersets/Enterprise.csv", "Date", "CostInBillingCurrency", "BillingCurrencyCode", "actual", EA_EXPORT, "2021-01-01"),
    ("opencost/headersets/EnterpriseCamel.csv", "date", "costInBillingCurrency", "billingCurrency", "actual", MCA_PARTNER, "partner"),
    (
        "opencost/headersets/German.csv",
        "UsageDateTime (UsageDateTime)",
        "PreTaxCost (PreTaxCost)",
        "Currency",
        "actual",
        PAYG_USAGE,
        "2019-11-01 (localised headers)",
    ),
    ("opencost/headersets/PayAsYouGo.csv", "UsageDateTime", "PreTaxCost", "Currency", "actual", PAYG_USAGE, "2019-11-01"),
    ("opencost/headersets/YA.csv", "date", "costInBillingCurrency", "Currency", "actual", UNRECOGNISED, "unrecognised"),
    ("opencost/values/MissingBrackets.csv", "UsageDateTime", "costinbillingcurrency", None, "actual", UNRECOGNISED, "unrecognised"),
    ("opencost/values/Template.csv", "UsageDateTime", "costinbillingcurrency", None, "actual", UNRECOGNISED, "unrecognised"),
    ("opencost/values/VirtualMachine.csv", "UsageDateTime", "costinbillingcurrency", None, "actual", UNRECOGNISED, "unrecognised"),
]


def expected(path: Path, date_column: str, cost_column: str, currency_column: str | None) -> tuple[int, dict[str, Decimal]]:
    """Rows with a date and a numeric cost, and their cost per currency (XXX when none is stated)."""
    reader = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    rows = 0
    for row in reader:
        day = (row.get(date_column) or "").strip()
        cost = (row.get(cost_column) or "").strip()
        if not day or not cost:
            continue
        try:
            value = Decimal(cost)
        except InvalidOperation:
            continue
        currency = ((row.get(currency_column) or "").strip().upper() if currency_column else "") or "XXX"
        totals[currency] += value
        rows += 1
    return rows, dict(totals)


@pytest.mark.parametrize(("name", "date_column", "cost_column", "currency_column", "metric", "layout", "version"), CASES)
def test_real_file_loads_with_independent_rows_and_totals(
    name: str, date_column: str, cost_column: str, currency_column: str | None, metric: str, layout: str, version: str
) -> None:
    """It keeps every row with a date and a cost, and its totals per currency match to the cent."""
    path = REAL / name
    rows, totals = expected(path, date_column, cost_column, currency_column)
    dataset = load_paths([str(path)], as_of=AS_OF, metric=Metric(metric))
    summary = summarize(dataset)
    assert summary["rows"] == rows
    by_currency = summary["cost_by_currency"]
    assert isinstance(by_currency, dict)
    assert set(by_currency) == set(totals)
    for currency, total in totals.items():
        assert abs(Decimal(str(by_currency[currency])) - total) < Decimal("0.000001"), currency
    (report,) = dataset.file_reports
    assert report.rows_kept == rows
    assert report.rows_read == rows + sum(d.rows for d in report.dropped)
    assert version in report.schema_version
    assert dataset.raw_files[0].data == path.read_bytes()
    assert report.format == layout


@pytest.mark.parametrize("chosen", list(Metric))
def test_amortized_file_is_recognised_and_actual_one_too(tmp_path: Path, chosen: Metric) -> None:
    """It tells the EA actual file from the amortized one by their rows: copied under names that say neither."""
    (tmp_path / "usage-a.csv").write_bytes((REAL / "finops-toolkit/EA_ActualCost_Small.csv").read_bytes())
    (tmp_path / "usage-b.csv").write_bytes((REAL / "finops-toolkit/EA_AmortizedCost_Small.csv").read_bytes())
    actual = load_paths([str(tmp_path / "usage-a.csv")], as_of=AS_OF, metric=chosen)
    amortized = load_paths([str(tmp_path / "usage-b.csv")], as_of=AS_OF, metric=chosen)
    assert actual.file_reports[0].metric == "actual"
    assert amortized.file_reports[0].metric == "amortized"
    assert actual.agreement is Agreement.EA
    # A file of the other cost view than the one chosen is shown as what it is, and said so.
    assert [bool(d.warnings) for d in (actual, amortized)] == [chosen is Metric.AMORTIZED, chosen is Metric.ACTUAL]


def test_purchase_rows_are_counted() -> None:
    """Reservation purchases (and Marketplace purchases full of Unassigned) are kept and summed."""
    ea = load_paths([str(REAL / "finops-toolkit/EA_ActualCost_Small.csv")], as_of=AS_OF, metric=Metric.ACTUAL)
    purchases = ea.normalized.filter(ea.normalized[Col.CHARGE_TYPE] == "Purchase")
    assert purchases.height >= 1
    assert purchases[Col.COST].sum() == pytest.approx(3.25 * purchases.height, rel=0.5)
    koku = load_paths([str(REAL / "koku/azure_version_2.csv")], as_of=AS_OF, metric=Metric.ACTUAL)
    marketplace = koku.normalized.filter(koku.normalized[Col.CHARGE_TYPE] == "Purchase")
    assert marketplace.height == 1
    assert marketplace[Col.SERVICE][0] == "Unassigned"


def test_header_only_files_report_no_rows_clearly() -> None:
    """A month without usage (header only) gives a clear message alone and adds nothing to others."""
    for name in ("finops-toolkit/EA_NoRows.csv", "koku/empty_frame.csv"):
        with pytest.raises(FormatError, match="no data rows"):
            load_paths([str(REAL / name)], as_of=AS_OF, metric=Metric.ACTUAL)
    both = load_paths(
        [str(REAL / "finops-toolkit/EA_NoRows.csv"), str(REAL / "finops-toolkit/EA_ActualCost_Small.csv")],
        as_of=AS_OF,
        metric=Metric.ACTUAL,
    )
    assert both.normalized.height == 11
    assert [r.rows_read for r in both.file_reports] == [0, 11]


def test_a_row_without_cost_is_dropped_with_the_reason() -> None:
    """opencost's BOM.csv has one row with only a date: it is reported dropped, not lost."""
    with pytest.raises(SourceError, match="cost missing"):
        load_paths([str(REAL / "opencost/headersets/BOM.csv")], as_of=AS_OF, metric=Metric.ACTUAL)
    both = load_paths(
        [str(REAL / "opencost/headersets/BOM.csv"), str(REAL / "opencost/headersets/PayAsYouGo.csv")], as_of=AS_OF, metric=Metric.ACTUAL
    )
    bom = both.file_reports[0]
    assert (bom.rows_read, bom.rows_kept) == (1, 0)
    assert "PreTaxCost" in bom.dropped[0].reason
    assert both.rows_read == 2


def test_dates_are_month_first_and_unpadded_dates_work() -> None:
    """``9/2/2023`` is 2 September, and ISO dates with a time are read as the day."""
    ea = load_paths([str(REAL / "focus-converters/sample-anonymous-ea-export-dataset.csv")], as_of=AS_OF, metric=Metric.ACTUAL)
    assert ea.normalized[Col.CHARGE_DATE].unique().to_list() == [date(2023, 9, 2)]
    payg = load_paths([str(REAL / "koku/costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv")], as_of=AS_OF, metric=Metric.ACTUAL)
    assert sorted(payg.normalized[Col.CHARGE_DATE].unique().to_list()) == [date(2019, 7, 28), date(2019, 7, 29)]


def test_as_of_is_the_last_charge_date_and_scopes_come_from_the_data() -> None:
    """The data set ends on its last charge day; subscriptions in the file become scopes."""
    dataset = load_paths([str(REAL / "finops-toolkit/EA_AmortizedCost_Small.csv")], as_of=AS_OF, metric=Metric.AMORTIZED)
    assert dataset.as_of == date(2023, 9, 22)
    assert dataset.scopes[0].id == "/providers/Microsoft.Billing/billingAccounts/8611537"
    subscriptions = {s.match for s in dataset.scopes if s.match and s.match[0][0] == Col.SUBSCRIPTION_ID}
    assert len(subscriptions) == dataset.normalized[Col.SUBSCRIPTION_ID].n_unique()


def test_several_real_files_in_different_currencies_are_never_summed() -> None:
    """USD, CAD and the koku file's MC stay apart, and the files' totals add up per currency."""
    names = [
        "finops-toolkit/EA_ActualCost_Small.csv",
        "focus-converters/sample-anonymous-ea-export-dataset.csv",
        "koku/azure_version_2.csv",
    ]
    dataset = load_files([(n, (REAL / n).read_bytes()) for n in names], as_of=AS_OF, metric=Metric.ACTUAL)
    summary = summarize(dataset)
    by_currency = summary["cost_by_currency"]
    assert isinstance(by_currency, dict)
    assert sorted(by_currency) == ["CAD", "MC", "USD"]
    assert dataset.currencies == ["CAD", "MC", "USD"]
    per_file = [r.totals for r in dataset.file_reports]
    for currency, total in by_currency.items():
        assert total == pytest.approx(sum(t.get(currency, 0.0) for t in per_file), abs=1e-6)
