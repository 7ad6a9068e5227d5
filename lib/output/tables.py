"""The tables under the charts as CSV downloads: exactly the rows the table shows, machine-readable.

Numbers keep a dot decimal and no grouping, days are ISO dates, whatever the reader's language;
text cells a spreadsheet would run as a formula are made inert (``export.neutralise_formulas``).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lib.analysis.aggregate import PeriodBill
from lib.output import export

SUM_DECIMALS = 6


def table_csv(frame: pl.DataFrame) -> bytes:
    """``frame`` as CSV bytes for a spreadsheet: the export's own encoding and formula guard."""
    as_text = frame.with_columns(
        pl.col(pl.Categorical, pl.Enum).cast(pl.String),  # so the formula guard sees group names too
        # Sums keep a summation order's last-digit noise: six decimals, far below a cent, give the same file every time.
        pl.col(pl.Float32, pl.Float64).round(SUM_DECIMALS),
    )
    return export.to_csv_bytes(export.neutralise_formulas(as_text))


def csv_name(what: str) -> str:
    """A download's file name from what the table holds (``daily cost`` → ``daily-cost.csv``)."""
    return f"{export.slug(what)}.csv"


def bills_for_csv(bills: Sequence[PeriodBill]) -> pl.DataFrame:
    """The billing-periods table for a machine: ISO period dates and the status as a key, not a label."""
    return pl.DataFrame(
        {
            "period_start": [b.period.start for b in bills],
            "period_end": [b.period.end for b in bills],
            "status": [b.status for b in bills],
            "invoice": [", ".join(b.invoice_ids) for b in bills],
            "amount": [b.total for b in bills],
            "cost_so_far": [b.cost_so_far if b.status == "open" else None for b in bills],
        },
        schema={
            "period_start": pl.Date,
            "period_end": pl.Date,
            "status": pl.String,
            "invoice": pl.String,
            "amount": pl.Float64,
            "cost_so_far": pl.Float64,
        },
    )
