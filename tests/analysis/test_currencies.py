"""Which currency a view starts in (issue 19, point 5): the largest total, and only real currencies offered."""

from __future__ import annotations

import polars as pl

from lib.analysis.currencies import offered_and_default
from lib.core.schema import Col


def _frame(rows: list[tuple[str | None, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {Col.BILLING_CURRENCY: [c for c, _ in rows], Col.COST: [v for _, v in rows]},
        schema={Col.BILLING_CURRENCY: pl.String, Col.COST: pl.Float64},
    )


def test_the_default_is_the_currency_with_the_largest_total_not_the_most_rows() -> None:
    # USD on three rows adding up to 3.00, EUR on one row of 500.00: EUR carries the money.
    frame = _frame([("USD", 1.0), ("USD", 1.0), ("USD", 1.0), ("EUR", 500.0), (None, 9999.0)])
    assert offered_and_default(frame) == (["EUR", "USD"], "EUR")


def test_a_value_that_is_no_currency_is_never_offered() -> None:
    # "MC" (from a real export) and ISO's own "no currency" XXX on most rows and with the largest totals.
    frame = _frame([("MC", 20.0)] * 5 + [("XXX", 90.0)] * 4 + [("USD", 0.5)])
    assert offered_and_default(frame) == (["USD"], "USD")


def test_data_with_nothing_but_a_non_currency_still_shows_under_that_code() -> None:
    assert offered_and_default(_frame([("MC", 20.0)])) == (["MC"], "MC")
