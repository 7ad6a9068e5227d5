"""Number cells: what is not a finite amount is reported as dropped, never summed."""

from __future__ import annotations

import polars as pl

from lib.core.schema import Col
from lib.ingest.dialects import MCA_2023_12_01_PREVIEW, MCA_V2_HEADER
from lib.ingest.normalize import normalize


def raw_rows(costs: list[str]) -> pl.DataFrame:
    rows = []
    for cost in costs:
        row = dict.fromkeys(MCA_V2_HEADER, "")
        row.update({"date": "11/02/2026", "costInBillingCurrency": cost, "billingCurrency": "EUR", "meterCategory": "Storage"})
        rows.append(row)
    return pl.DataFrame(rows, schema=dict.fromkeys(MCA_V2_HEADER, pl.String))


def test_nan_and_infinite_costs_are_dropped_with_a_reason() -> None:
    """It keeps the readable amounts and reports NaN / inf cells as unreadable cost, with a line number."""
    result = normalize(raw_rows(["1.25", "NaN", "inf", "-0.25", "1E-2"]), MCA_2023_12_01_PREVIEW)
    assert result.frame.get_column(Col.COST).to_list() == [1.25, -0.25, 0.01]
    assert sum(d.rows for d in result.dropped) == 2
    assert result.dropped[0].example_line == 3  # header is line 1, so the NaN row is line 3
