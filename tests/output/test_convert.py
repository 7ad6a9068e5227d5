"""Conversions to version 2 and FOCUS 1.2, and the command line for files."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lib import cli
from lib.core.models import Metric
from lib.ingest import dialects
from lib.output import convert
from lib.sources.files import load_files, load_paths
from tests.fixtures import generate

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
AS_OF = date(2026, 11, 26)


def rows_of(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


@pytest.mark.parametrize(
    ("name", "header", "cost"),
    [
        ("koku/camel_azure_version_2.csv", dialects.MCA_V2_HEADER, "costInBillingCurrency"),
        ("koku/costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv", dialects.MCA_V2_HEADER, "costInBillingCurrency"),
        ("finops-toolkit/EA_ActualCost_Small.csv", dialects.HEADER_EA_USAGE_2024_08_01, "CostInBillingCurrency"),
    ],
)
def test_version_2_has_the_newest_header_and_the_same_rows_and_cost(name: str, header: tuple[str, ...], cost: str) -> None:
    dataset = load_paths([str(REAL / name)], as_of=AS_OF, metric=Metric.ACTUAL)
    columns, rows = rows_of(convert.to_csv(dataset, convert.V2))
    assert tuple(columns) == header
    assert len(rows) == dataset.normalized.height
    assert sum(Decimal(r[cost]) for r in rows) == pytest.approx(Decimal(str(dataset.normalized["Cost"].sum())), abs=Decimal("1e-9"))
    assert all(r["date" if "date" in r else "Date"].count("/") == 2 for r in rows)


def test_focus_conversion_has_the_1_2_header_and_the_cost() -> None:
    dataset = load_paths([str(REAL / "finops-toolkit/EA_ActualCost_Small.csv")], as_of=AS_OF, metric=Metric.ACTUAL)
    columns, rows = rows_of(convert.to_csv(dataset, convert.FOCUS))
    assert tuple(columns) == dialects.HEADER_FOCUS_1_2
    assert sum(Decimal(r["BilledCost"]) for r in rows) == pytest.approx(Decimal("8.545008"), abs=Decimal("1e-6"))
    assert {r["ChargeCategory"] for r in rows} == {"Usage", "Purchase"}
    assert all(r["ChargePeriodStart"].endswith("T00:00:00Z") for r in rows)
    tagged = [json.loads(r["Tags"]) for r in rows if r["Tags"]]
    assert tagged and all(isinstance(t, dict) for t in tagged)
    # The FOCUS conversion reads back as FOCUS 1.2 with the same total.
    again = load_files([("back.csv", convert.to_csv(dataset, convert.FOCUS))], as_of=AS_OF, metric=Metric.ACTUAL)
    assert again.schema_version == "1.2"
    assert again.normalized["Cost"].sum() == pytest.approx(dataset.normalized["Cost"].sum())


def test_focus_to_version_2_and_back() -> None:
    dataset = load_files([("focus.csv", generate.focus())], as_of=AS_OF, metric=Metric.ACTUAL)
    columns, rows = rows_of(convert.to_csv(dataset, convert.V2))
    assert tuple(columns) == dialects.MCA_V2_HEADER
    assert sorted({r["billingCurrency"] for r in rows}) == ["EUR", "USD"]
    again = load_files([("v2.csv", convert.to_csv(dataset, convert.V2))], as_of=AS_OF, metric=Metric.ACTUAL)
    assert again.normalized["Cost"].sum() == pytest.approx(dataset.normalized["Cost"].sum())


def test_original_files_are_served_byte_for_byte() -> None:
    a = (REAL / "koku/azure_version_2.csv").read_bytes()
    b = (REAL / "opencost/headersets/German.csv").read_bytes()
    one = load_files([("a.csv", a)], as_of=AS_OF, metric=Metric.ACTUAL)
    assert convert.original_files(one)[1] == a
    two = load_files([("a.csv", a), ("b.csv", b)], as_of=AS_OF, metric=Metric.ACTUAL)
    name, data, _ = convert.original_files(two)
    assert name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("a.csv") == a
        assert archive.read("b.csv") == b


def test_cli_summarize_files_gives_the_demo_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["summarize", "--demo", "--json", "--as-of", "2026-11-26"]) == 0
    demo = json.loads(capsys.readouterr().out)
    paths = [str(REAL / "finops-toolkit/EA_ActualCost_Small.csv"), str(REAL / "koku/azure_version_2.csv")]
    assert cli.run(["summarize", *paths, "--json", "--as-of", "2026-11-26"]) == 0
    files = json.loads(capsys.readouterr().out)
    assert set(files) == set(demo)
    assert files["rows"] == 16
    assert files["cost_by_currency"]["USD"] == pytest.approx(8.545008)


def test_cli_bad_file_exits_non_zero_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_bytes(b"\x00\x01\x02binary")
    assert cli.run(["summarize", str(bad), "--json"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "notes.csv" in err
    assert cli.run(["summarize", str(tmp_path / "missing.csv")]) != 0


def test_cli_convert_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "v2.csv"
    assert cli.run(["convert", str(REAL / "koku/camel_azure_version_2.csv"), "--to", "v2", "-o", str(out)]) == 0
    columns, rows = rows_of(out.read_bytes())
    assert tuple(columns) == dialects.MCA_V2_HEADER
    assert len(rows) == 4
    focus = tmp_path / "focus.csv"
    assert cli.run(["convert", str(REAL / "koku"), "--to", "focus", "-o", str(focus)]) == 0
    columns, rows = rows_of(focus.read_bytes())
    assert tuple(columns) == dialects.HEADER_FOCUS_1_2
