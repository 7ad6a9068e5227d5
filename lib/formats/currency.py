"""Currencies are ISO 4217 codes: anything else in the currency column is a row read wrong, never a currency.

An export whose Tags cells hold unquoted commas shifts the cells after them, and a company name lands in the
currency column ("CONTOSO B.V."). Such rows' cost cannot be trusted either: they are dropped with the reason,
so the totals shown are of rows read right, and the report says how many were not.
"""

from __future__ import annotations

from functools import cache

import polars as pl
from babel.numbers import list_currencies

from lib.i18n import _
from lib.schema import Col
from lib.sources.base import Dropped

UNKNOWN_CURRENCY = "XXX"  # as ``lib.formats.read``: the file states none


@cache
def iso_codes() -> frozenset[str]:
    """ISO 4217 codes, current and historical (an old file may bill in one no longer issued)."""
    return frozenset(list_currencies()) | {UNKNOWN_CURRENCY}


def drop_unknown_currencies(frame: pl.DataFrame, line_offset: int) -> tuple[pl.DataFrame, tuple[Dropped, ...]]:
    """``frame`` without rows whose currency is no ISO 4217 code, and one ``Dropped`` per such currency text.

    ``line_offset``: the file line of the frame's first row (``SourceRow`` 0).
    """
    found = frame.get_column(Col.BILLING_CURRENCY).unique().drop_nulls().to_list()
    wrong = sorted(c for c in found if c not in iso_codes())
    if not wrong:
        return frame, ()
    dropped = []
    for text in wrong:
        rows = frame.filter(pl.col(Col.BILLING_CURRENCY) == text)
        first = rows.get_column(Col.SOURCE_ROW).min()
        reason = _(
            "the currency cell says {text}, which is no currency code: the row's cells are shifted (often an unquoted comma "
            "in Tags), so its cost cannot be trusted"
        ).format(text=repr(text[:40]))
        dropped.append(Dropped(reason, rows.height, first + line_offset if isinstance(first, int) else None))
    return frame.filter(~pl.col(Col.BILLING_CURRENCY).is_in(wrong)), tuple(dropped)
