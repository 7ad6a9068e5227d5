"""Currencies are ISO 4217 codes: any other text in the currency column is said so and never shown as a currency.

An export whose Tags cells hold unquoted commas used to shift the cells after them, putting a company name in the
currency column ("CONTOSO B.V."); such rows are now joined back or dropped when the text is read
(``lib.ingest.ragged``). What remains is a file that writes something else there (an anonymised sample's "MC"):
its rows keep their own text, are never added to a real currency, and ``lib.core.fmt.money`` shows the number beside
that text instead of a currency symbol.
"""

from __future__ import annotations

import polars as pl

from lib.core import fmt
from lib.core.i18n import ngettext
from lib.core.schema import Col


def unknown_currency_warnings(frame: pl.DataFrame, name: str) -> list[str]:
    """A warning per currency text of ``frame`` that is no ISO 4217 code."""
    found = frame.get_column(Col.BILLING_CURRENCY).unique().drop_nulls().to_list()
    warnings = []
    for text in sorted(str(c) for c in found if not fmt.is_currency_code(str(c))):
        rows = frame.filter(pl.col(Col.BILLING_CURRENCY) == text).height
        warnings.append(
            ngettext(
                "{name}: {count} row states currency {text}, which is no ISO 4217 currency code; its cost is shown as a plain number.",
                "{name}: {count} rows state currency {text}, which is no ISO 4217 currency code; their cost is shown as a plain number.",
                rows,
            ).format(name=name, count=fmt.count(rows), text=repr(text[:40]))
        )
    return warnings
