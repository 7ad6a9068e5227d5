"""How each file was read, in the sidebar's file report; and the question asked when a file's date order cannot be known."""

from __future__ import annotations

import streamlit as st

from lib.core.i18n import N_, _
from lib.core.reading import FileReport
from lib.ingest.dates import DateOrder, DateOrderUnknownError

DATE_ORDER_KEY = "files_date_order"
_ORDER_LABELS = {
    DateOrder.DMY: N_("Day first: 03/04/2026 is 3 April 2026"),
    DateOrder.MDY: N_("Month first: 03/04/2026 is 4 March 2026"),
}


def ask_date_order(error: DateOrderUnknownError) -> str:
    """Ask which way round the file's dates are; the answer reloads the files. Returns the page's message."""
    bar = st.sidebar
    bar.warning(str(error))
    bar.radio(
        _("Date order in {file}").format(file=error.file),
        list(DateOrder),
        index=None,
        key=DATE_ORDER_KEY,
        format_func=lambda order: _(_ORDER_LABELS[DateOrder(order)]),
    )
    return _("Choose the date order of the files in the sidebar: their dates can be read both ways.")


def reading_text(report: FileReport) -> str:
    """One line: encoding, separator, decimal mark, date order and why (empty for a file not read as text)."""
    reading = report.reading
    if reading is None or not reading.separator:
        return ""
    order = {"dmy": _("day first"), "mdy": _("month first")}.get(reading.date_order, "")
    parts = [
        reading.encoding,
        _("separator {separator}").format(separator=reading.separator_name()),
        _("decimal {mark}").format(mark=reading.decimal),
    ]
    if reading.line_ends == "CR":
        parts.append(_("Mac line ends (CR)"))
    if order:
        parts.append(_("dates {order} ({reason})").format(order=order, reason=reading.date_reason))
    return " · ".join(parts)
