"""Streamlit parts of the Changes page: the period pickers and the live-Azure rows behind a comparison."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

import polars as pl
import streamlit as st

from lib.analysis import changes, currencies
from lib.analysis.changes import Default, ViewComparison
from lib.analysis.views import View
from lib.azure.clients import Clients
from lib.azure.errors import explain
from lib.core import fmt
from lib.core.dataset import Dataset
from lib.core.i18n import N_, _
from lib.core.models import Period
from lib.sources.azure_changes import query_frame
from lib.ui import cache_azure, state, widgets

WHICH: Final = state.CHANGES_WHICH  # in the link (``lib.ui.state``), as are the two ranges
BASE_RANGE: Final = state.CHANGES_BASE
COMPARE_RANGE: Final = state.CHANGES_COMPARE
CUSTOM: Final = state.CHANGES_CUSTOM
CHOICES: Final = {
    Default.CLOSED.value: N_("Last closed billing period vs the one before"),
    Default.MONTH_TO_DATE.value: N_("Month to date vs the same days of the previous period"),
    CUSTOM: N_("Two periods of your choice"),
}
PART: Final = "changes_part"


def markdown_text(text: str) -> str:
    """``text`` with every Markdown character escaped, so data (resource groups, charge types) shows as written."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>$~:])", r"\\\1", text)


def _range(label: str, key: str, default: Period, as_of: date) -> Period | None:
    if key not in st.session_state:
        st.session_state[key] = (default.start, default.end)
    chosen = st.date_input(label, max_value=as_of, key=key, format=fmt.date_input_format())
    picked = tuple(chosen) if isinstance(chosen, list | tuple) else (chosen,)
    return Period(picked[0], picked[-1]) if len(picked) == 2 else None


def pick_periods(as_of: date, *, open_last: bool = True) -> tuple[Period, Period] | None:
    """The comparison's periods as chosen on the page (``None`` while a custom range is half picked).

    ``open_last``: whether the billing period holding ``as_of`` is still open (``Dataset.last_period_open``)."""
    keys = list(CHOICES)
    which = st.selectbox(_("Compare"), keys, format_func=widgets.labels_of(keys, lambda k: _(CHOICES[k])), key=WHICH)
    if which != CUSTOM:
        return changes.default_periods(as_of, Default(which), open_last=open_last)
    base_default, compare_default = changes.default_periods(as_of, open_last=open_last)
    left, right = st.columns(2)
    with left:
        base = _range(_("Base period"), BASE_RANGE, base_default, as_of)
    with right:
        compared = _range(_("Compared period"), COMPARE_RANGE, compare_default, as_of)
    if base is None or compared is None:
        st.info(_("Pick the first and the last day of both periods."))
        return None
    return base, compared


def live_comparison(dataset: Dataset, view: View, base: Period, compared: Period) -> ViewComparison | str:
    """The comparison for a live-Azure data set, from its own totals queries; or why there is none."""
    connection = cache_azure.connection()
    if isinstance(connection, str):
        return connection
    scope = dataset.scopes[0].id
    key = ("changes", scope, str(dataset.metric), view.filters, base, compared)

    def compute() -> tuple[pl.DataFrame, list[str]] | str:
        try:
            with (
                Clients(connection.credential, connection.settings).cost() as client,
                st.spinner(_("Asking Azure for the totals per resource and meter…")),
            ):
                return query_frame(client, scope, (base, compared), dataset.metric, view.filters, max_pages=connection.settings.max_pages)
        except Exception as error:  # shown as a sentence; the next run asks again
            return " ".join(explain(error, scope_id=scope, endpoint=connection.settings.arm_endpoint).split())

    found = cache_azure.cached(connection, key, compute).value
    if isinstance(found, str):
        cache_azure.forget(connection, key)
        return found
    frame, notes = found
    for note in notes:
        st.caption(note)
    present = set(frame.get_column("BillingCurrency").drop_nulls().to_list())
    currency = view.currency if view.currency in present else currencies.main_currency(frame)
    if currency is None:
        return _("Azure returned no cost rows for these periods.")
    others = changes.other_currencies(frame, (base, compared), currency)
    return ViewComparison(changes.compare(frame, base, compared, currency), tuple(others))
