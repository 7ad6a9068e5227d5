"""Layouts without a public sample, containers and quirks, built from the documented headers.

Expected figures are computed here from the rows the generators write, never by the loader.
"""

from __future__ import annotations

import gzip
import io
from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from lib.analysis.summary import summarize
from lib.core.models import Metric
from lib.core.reading import InputFile
from lib.core.schema import TAG_KEY, Col
from lib.ingest import dialects
from lib.ingest.errors import FormatError
from lib.sources.files import load_files
from tests.fixtures import generate

AS_OF = date(2026, 11, 26)


def load(*files: tuple[str, bytes], metric: Metric = Metric.ACTUAL) -> object:
    return load_files(list(files), as_of=AS_OF, metric=metric)


def totals(dataset: object) -> dict[str, float]:
    summary = summarize(dataset)  # type: ignore[arg-type]
    result = summary["cost_by_currency"]
    assert isinstance(result, dict)
    return result


def test_account_center_v2_estimates_daily_cost_from_statement_rates() -> None:
    """Daily cost = quantity × the Statement's rate of the same meter, labelled as an estimate."""
    dataset = load_files([("usage-v2.csv", generate.account_center_v2())], as_of=AS_OF, metric=Metric.ACTUAL)
    rates = {row[0]: Decimal(row[5]) for row in generate.STATEMENT_ROWS}
    want = sum(Decimal(q) * rates[generate.STATEMENT_ROWS[i][0]] for _, i, q, *_ in generate.DAILY_ROWS)
    assert dataset.is_estimate
    assert dataset.normalized.height == len(generate.DAILY_ROWS)
    assert Decimal(str(totals(dataset)["EUR"])) == pytest.approx(want, abs=Decimal("0.000001"))
    assert any("ESTIMATE" in n for n in dataset.notes)
    assert "version 2" in dataset.schema_version
    assert dataset.normalized[Col.CHARGE_DATE].min() == date(2017, 1, 1)
    # Tag keys differing only by case are one key.
    keys = dataset.normalized[Col.TAGS].explode().struct.field(TAG_KEY).drop_nulls().unique().to_list()
    assert keys == ["env"]
    assert dataset.raw.height == len(generate.DAILY_ROWS)


def test_account_center_v1_asks_for_version_2() -> None:
    with pytest.raises(FormatError, match="download version 2"):
        load(("usage-v1.csv", generate.account_center_v1()))


def test_old_ea_portal_file_with_preamble() -> None:
    """Text lines before the quoted header are skipped and said so; the numeric SubscriptionId is not used."""
    dataset = load_files([("ea-portal.csv", generate.ea_portal())], as_of=AS_OF, metric=Metric.ACTUAL)
    want = sum(Decimal(row[3]) for row in generate.EA_PORTAL_ROWS)
    assert dataset.normalized.height == len(generate.EA_PORTAL_ROWS)
    assert Decimal(str(totals(dataset)["XXX"])) == want
    assert dataset.normalized[Col.SUBSCRIPTION_ID].unique().sort().to_list() == sorted({r[5] for r in generate.EA_PORTAL_ROWS})
    assert any("before the header" in n for n in dataset.notes)
    assert any("no currency" in w for w in dataset.warnings)
    assert "Old EA portal" in dataset.format


@pytest.mark.parametrize(
    ("version", "seconds", "label"),
    [
        ("1.2", True, "1.2"),
        ("1.2-preview", True, "1.2-preview"),
        ("1.0", False, "1.0"),
        ("1.0", True, "1.0r2"),
        ("1.0-preview(v1)", True, "1.0-preview(v1)"),
    ],
)
def test_focus_exports_use_billed_cost_for_actual_and_effective_cost_for_amortized(version: str, seconds: bool, label: str) -> None:
    data = generate.focus(version, seconds=seconds)
    for metric, column in ((Metric.ACTUAL, 1), (Metric.AMORTIZED, 2)):
        dataset = load_files([("focus.csv", data)], as_of=AS_OF, metric=metric)
        want: dict[str, Decimal] = {}
        for row in generate.FOCUS_ROWS:
            want[row[4]] = want.get(row[4], Decimal(0)) + Decimal(row[column])
        got = totals(dataset)
        assert {k: Decimal(str(v)) for k, v in got.items()} == pytest.approx(want)
        assert dataset.schema_version == label
        assert dataset.metric is metric
        assert dataset.normalized[Col.SUBSCRIPTION_ID].unique().to_list() == ["bbbb0000-0000-0000-0000-000000000001"]


def test_parts_in_a_zip_with_manifest_are_merged_and_repeated_headers_dropped() -> None:
    header = dialects.HEADER_EA_USAGE_2024_08_01
    rows = [
        {"Date": f"03/{d:02d}/2025", "CostInBillingCurrency": str(d), "BillingCurrencyCode": "EUR", "ResourceId": f"r{d}", "MeterName": "m"}
        for d in range(1, 7)
    ]
    parts = {
        "part_0.csv": generate.to_csv(header, rows[:3], bom=True),
        "part_1.csv.gz": gzip.compress(generate.to_csv(header, rows[3:], bom=True)),
    }
    manifest = {"exportConfig": {"type": "ActualCost", "dataVersion": "2024-08-01"}, "runInfo": {"submittedTime": "2025-03-07T01:00:00Z"}}
    dataset = load(("export.zip", generate.export_zip(parts, manifest, folder="ea/20250301-20250331/run1/")))
    assert dataset.normalized.height == 6
    assert totals(dataset) == {"EUR": 21.0}
    assert [r.name for r in dataset.file_reports] == [
        "export.zip/ea/20250301-20250331/run1/part_0.csv",
        "export.zip/ea/20250301-20250331/run1/part_1.csv.gz",
    ]
    assert dataset.schema_version == "2024-08-01"
    assert dataset.raw.height == 6


def test_overlapping_month_to_date_runs_keep_the_latest() -> None:
    header = dialects.HEADER_EA_USAGE_2024_08_01

    def run(days: int, bump: float) -> bytes:
        rows = [
            {
                "Date": f"03/{d:02d}/2025",
                "CostInBillingCurrency": str(d + bump),
                "BillingCurrencyCode": "EUR",
                "ResourceId": "r",
                "MeterName": "m",
            }
            for d in range(1, days + 1)
        ]
        return generate.to_csv(header, rows)

    early, late = run(5, 0.0), run(8, 0.5)
    dataset = load(("mtd-0306.csv", early), ("mtd-0309.csv", late))
    assert dataset.normalized.height == 8
    assert totals(dataset) == {"EUR": pytest.approx(sum(d + 0.5 for d in range(1, 9)))}
    assert any("several export runs" in n for n in dataset.notes)
    first = dataset.file_reports[0]
    assert (first.rows_read, first.rows_kept) == (5, 0)
    assert "later export run" in first.dropped[0].reason
    # Parts of one run (different rows) are not mistaken for runs.
    parts = load(
        ("part1.csv", run(3, 0.0)),
        (
            "part2.csv",
            generate.to_csv(
                header,
                [
                    {
                        "Date": "03/04/2025",
                        "CostInBillingCurrency": "4",
                        "BillingCurrencyCode": "EUR",
                        "ResourceId": "other",
                        "MeterName": "m",
                    }
                ],
            ),
        ),
    )
    assert parts.normalized.height == 4


def test_parquet_export_reads_like_csv() -> None:
    frame = pl.DataFrame(
        {
            "Date": [date(2025, 3, 1), date(2025, 3, 2)],
            "CostInBillingCurrency": [1.25, 2.5],
            "BillingCurrencyCode": ["EUR", "EUR"],
            "MeterCategory": ["Storage", "Storage"],
        }
    )
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    dataset = load(("part.parquet", buffer.getvalue()))
    assert totals(dataset) == {"EUR": 3.75}
    assert dataset.raw.dtypes == [pl.String] * 4


def test_quirks_bom_crlf_scientific_tags_and_placeholders() -> None:
    header = dialects.HEADER_EA_COSTDETAILS_PORTAL
    rows = [
        {
            "Date": "09/04/2023",
            "Cost": "5.64902E-05",
            "BillingCurrency": "usd",
            "Tags": '"env": "prod","Team": "a"',
            "ChargeType": "Usage",
            "ResourceGroup": "Unassigned",
        },
        {
            "Date": "9/5/2023",
            "Cost": "-1.5",
            "BillingCurrency": "USD",
            "Tags": '{"team": "b"}',
            "ChargeType": "Refund",
            "ResourceGroup": "",
        },
        {
            "Date": "2023-09-06T00:00:00Z",
            "Cost": "2",
            "BillingCurrency": "EUR",
            "Tags": "",
            "ChargeType": "Purchase",
            "ResourceGroup": "rg",
        },
    ]
    dataset = load(("Detail_Enrollment_1_202309_en.csv", generate.to_csv(header, rows, bom=True)))
    got = totals(dataset)
    assert got["USD"] == pytest.approx(5.64902e-05 - 1.5)
    assert got["EUR"] == 2.0
    assert dataset.normalized[Col.CHARGE_DATE].to_list() == [date(2023, 9, 4), date(2023, 9, 5), date(2023, 9, 6)]
    assert dataset.normalized[Col.RESOURCE_GROUP].to_list()[:2] == ["Unassigned", "Unassigned"]
    keys = set(dataset.normalized[Col.TAGS].explode().struct.field(TAG_KEY).drop_nulls().to_list())
    assert keys == {"env", "team"} or keys == {"env", "Team"}


def test_semicolon_and_decimal_comma_from_a_european_spreadsheet() -> None:
    data = (
        b"Date;CostInBillingCurrency;BillingCurrencyCode;MeterCategory;ResourceGroup\r\n"
        b"03/01/2025;0,075;EUR;Storage;rg\r\n03/02/2025;1,5;EUR;Storage;rg\r\n"
    )
    assert totals(load(("resaved.csv", data))) == {"EUR": pytest.approx(1.575)}


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("empty.csv", b"", "empty file"),
        ("binary.csv", bytes(range(256)) * 4, "binary"),
        ("notes.csv", b"Dear customer,\nhere is your invoice\n", "first line"),
        ("lookup.csv", b"UnitOfMeasure,AccountTypes,PricingBlockSize\n10K,EA,10000\n", "date column"),
        ("broken.zip", b"PK\x03\x04garbage", "zip"),
        ("broken.csv.gz", b"\x1f\x8b\x08\x00garbage", "gzip"),
        ("broken.parquet", b"PAR1garbage", "Parquet"),
    ],
)
def test_bad_files_get_a_clear_message(name: str, data: bytes, match: str) -> None:
    with pytest.raises(FormatError, match=match) as error:
        load((name, data))
    assert "\n" not in str(error.value)
    assert "expected" in str(error.value)


def test_a_file_cut_off_mid_row_keeps_the_rows_before() -> None:
    header = dialects.HEADER_EA_USAGE_2024_08_01
    rows = [
        {"Date": f"03/{d:02d}/2025", "CostInBillingCurrency": "1", "BillingCurrencyCode": "EUR", "Tags": '"a": "b"'} for d in range(1, 6)
    ]
    data = generate.to_csv(header, rows)
    for cut in (len(data) - 40, data.rindex(b'"a') + 3):
        dataset = load(("cut.csv", data[:cut]))
        assert dataset.normalized.height == 4
        (report,) = dataset.file_reports
        assert report.rows_read == 5
        assert "cut off" in report.dropped[0].reason
        assert report.dropped[0].example_line == 6


def test_cut_off_gzip_keeps_what_could_be_read() -> None:
    header = dialects.HEADER_EA_USAGE_2024_08_01
    rows = [{"Date": "03/01/2025", "CostInBillingCurrency": "1", "BillingCurrencyCode": "EUR", "ResourceId": f"r{i}"} for i in range(2000)]
    packed = gzip.compress(generate.to_csv(header, rows))
    dataset = load(("cut.csv.gz", packed[: len(packed) // 2]))
    assert 0 < dataset.normalized.height < 2000
    assert any("cut off" in w for w in dataset.warnings)


def test_ui_mode_reports_a_bad_file_and_reads_the_others() -> None:
    good = generate.focus()
    dataset = load_files([InputFile("good.csv", good), InputFile("bad.csv", b"hello")], as_of=AS_OF, metric=Metric.ACTUAL, strict=False)
    reports = dataset.file_reports
    assert [r.error is None for r in reports] == [True, False]
    with pytest.raises(FormatError):
        load_files([("good.csv", good), ("bad.csv", b"hello")], as_of=AS_OF, metric=Metric.ACTUAL, strict=True)


@pytest.mark.parametrize(
    ("header", "date_col", "cost_col", "currency_col", "version"),
    [
        (dialects.HEADER_EA_USAGE_2024_08_01, "Date", "CostInBillingCurrency", "BillingCurrencyCode", "2024-08-01"),
        (dialects.HEADER_EA_USAGE_2021_10_01_DOC_ORDER, "Date", "CostInBillingCurrency", "BillingCurrencyCode", "2021-10-01"),
        (dialects.HEADER_EA_USAGE_2019_10_01, "UsageDateTime", "PreTaxCost", None, "2019-10-01"),
        (dialects.HEADER_EA_PAYG_ACTUAL_C360_2025_04, "Date", "Cost", None, "c360-2025-04"),
        (dialects.MCA_V2_HEADER, "date", "costInBillingCurrency", "billingCurrency", "2023-12-01-preview"),
        (dialects.HEADER_MCA_2021_10_01, "date", "costInBillingCurrency", "billingCurrency", "2021-10-01"),
        (dialects.HEADER_MCA_2021_01_01, "date", "costInBillingCurrency", "billingCurrency", "2021-01-01"),
        (dialects.HEADER_MCA_2019_10_01, "Date", "CostInBillingCurrency", "BillingCurrencyCode", "2019-10-01"),
    ],
)
def test_every_documented_schema_version_is_named(
    header: tuple[str, ...], date_col: str, cost_col: str, currency_col: str | None, version: str
) -> None:
    rows = [{date_col: "2024-08-01" if "Usage" in date_col else "08/01/2024", cost_col: "1.5"}, {date_col: "08/02/2024", cost_col: "2"}]
    if currency_col:
        for row in rows:
            row[currency_col] = "EUR"
    dataset = load(("export.csv", generate.to_csv(header, rows, bom=True)))
    assert version in dataset.schema_version
    assert totals(dataset) == {("EUR" if currency_col else "XXX"): 3.5}


def test_blank_lines_and_rows_without_a_date_are_reported_separately() -> None:
    data = b"Date,Cost,BillingCurrency\n01/02/2024,1,EUR\n,,\n\n01/03/2024,2,EUR\n,5,EUR\n"
    dataset = load(("gaps.csv", data))
    (report,) = dataset.file_reports
    assert dataset.normalized.height == 2
    assert [(d.rows, d.example_line) for d in report.dropped] == [(2, 3), (1, 6)]
    assert "empty row" in report.dropped[0].reason
    assert "date missing" in report.dropped[1].reason


def test_subscription_scopes_take_each_subscriptions_most_used_name() -> None:
    """A subscription renamed during the period is offered under the name most of its rows carry (a tie: the first
    alphabetically), costliest subscription first."""
    header = dialects.HEADER_EA_COSTDETAILS_PORTAL
    day = {"Date": "09/04/2023", "BillingCurrency": "USD", "ChargeType": "Usage"}
    rows = [
        {**day, "SubscriptionId": "sub-a", "SubscriptionName": "Old name", "Cost": "1"},
        {**day, "SubscriptionId": "sub-a", "SubscriptionName": "New name", "Cost": "1"},
        {**day, "SubscriptionId": "sub-a", "SubscriptionName": "New name", "Cost": "1"},
        {**day, "SubscriptionId": "sub-b", "SubscriptionName": "Zulu", "Cost": "5"},
        {**day, "SubscriptionId": "sub-b", "SubscriptionName": "Alpha", "Cost": "5"},
    ]
    dataset = load(("Detail_Enrollment_1_202309_en.csv", generate.to_csv(header, rows)))
    offered = [(s.name, s.match) for s in dataset.scopes if s.match and s.match[0][0] == Col.SUBSCRIPTION_ID]
    assert offered == [("Alpha", ((Col.SUBSCRIPTION_ID, "sub-b"),)), ("New name", ((Col.SUBSCRIPTION_ID, "sub-a"),))]
