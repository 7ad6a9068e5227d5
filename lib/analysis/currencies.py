"""Which billing currencies a data set offers, and which one a view starts in.

A file can carry a value in its currency column that is no currency at all (one real export holds
"MC"); offering it would show every figure as "MC0.00". Only ISO 4217 codes are offered, and the
default is the currency with the largest total, not the one on most rows.
"""

from __future__ import annotations

from functools import cache

import polars as pl
from babel.numbers import list_currencies

from lib.core.schema import Col

# ISO 4217 codes that name no money one is billed in: "no currency", testing, precious metals, fund units.
_NOT_BILLING: frozenset[str] = frozenset({"XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA"})


@cache
def _iso_codes() -> frozenset[str]:
    return frozenset(list_currencies()) - _NOT_BILLING


def is_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 code of a currency one can be billed in."""
    return code in _iso_codes()


def currency_totals(frame: pl.DataFrame) -> dict[str, float]:
    """Total cost per billing currency present in ``frame`` (nulls left out)."""
    grouped = frame.lazy().drop_nulls(Col.BILLING_CURRENCY).group_by(Col.BILLING_CURRENCY).agg(pl.col(Col.COST).sum()).collect()
    return {str(code): float(total or 0.0) for code, total in grouped.iter_rows()}


def offered_and_default(frame: pl.DataFrame) -> tuple[list[str], str]:
    """The currencies to offer (sorted) and the default: the one with the largest total.

    Values that are no currency are never offered, unless the data holds nothing else (then its
    figures still show, under the only code it has). An empty frame offers nothing and defaults to EUR.
    """
    totals = currency_totals(frame)
    real = {code: total for code, total in totals.items() if is_currency(code)}
    chosen = real or totals
    if not chosen:
        return [], "EUR"
    default = max(sorted(chosen), key=lambda code: abs(chosen[code]))
    return sorted(chosen), default


def main_currency(frame: pl.DataFrame) -> str | None:
    """The currency a view of ``frame`` starts in (``offered_and_default``), or ``None`` when it has no currency at all."""
    offered, default = offered_and_default(frame)
    return default if offered else None
