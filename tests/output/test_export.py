"""Exports: safe for spreadsheets where they are ours to change, untouched where they are raw."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lib.core.models import Period, Scope, ScopeKind
from lib.output import export


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tdata", "'\tdata"),
        ("\rdata", "'\rdata"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1.5E-05", "-1.5E-05"),
        ("rg-web-prod", "rg-web-prod"),
        ("", ""),
        (None, None),
    ],
)
def test_neutralise_formulas_follows_owasp(cell: str | None, expected: str | None) -> None:
    """It prefixes formula triggers with an apostrophe and leaves numbers and plain text alone."""
    frame = pl.DataFrame({"text": [cell]}, schema={"text": pl.String})
    assert export.neutralise_formulas(frame).item() == expected


def test_neutralise_formulas_leaves_numeric_columns_alone() -> None:
    """It never touches typed numeric columns."""
    frame = pl.DataFrame({"cost": [-1.0, 2.0], "name": ["=1+1", "ok"]})
    safe = export.neutralise_formulas(frame)
    assert safe.get_column("cost").to_list() == [-1.0, 2.0]
    assert safe.get_column("name").to_list() == ["'=1+1", "ok"]


def test_export_name_says_scope_and_period() -> None:
    """It names the file after the scope and the period, safe for every file system."""
    scope = Scope("/subscriptions/x", "Contoso Prod / EU", ScopeKind.SUBSCRIPTION)
    name = export.export_name(scope, Period(date(2026, 11, 1), date(2026, 11, 26)), "raw-v2")
    assert name == "azure-usage_contoso-prod-eu_2026-11-01_2026-11-26_raw-v2.csv"


def test_csv_bytes_keep_dot_decimals_and_a_bom() -> None:
    """It writes UTF-8 with a BOM, dot decimals and ISO dates."""
    data = export.to_csv_bytes(pl.DataFrame({"day": [date(2026, 11, 2)], "cost": [1234.5]}))
    assert data == b"\xef\xbb\xbfday,cost\n2026-11-02,1234.5\n"


def test_filtered_download_keeps_decimal_comma_amounts() -> None:
    """It leaves a decimal-comma refund amount a number in the filtered download, and neutralises text."""
    from lib.output import convert

    frame = pl.DataFrame({"costInBillingCurrency": ["-0,5"], "meterName": ["=1+1"]})
    safe = convert.spreadsheet_safe(frame)
    assert safe.row(0) == ("-0,5", "'=1+1")
