"""The shared frame: sidebar controls and small drawing helpers used by every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st

from lib import cache, filters, state
from lib.fmt import money
from lib.models import Metric
from lib.periods import period_choices
from lib.schema import DIMENSIONS, Col
from lib.sources.base import Dataset
from lib.views import View

SOURCE_LABELS = {"demo": "Demo", "files": "Files", "azure": "Azure"}
DIMENSION_LABELS = {
    Col.SERVICE: "Service",
    Col.RESOURCE_GROUP: "Resource group",
    Col.SUBSCRIPTION_NAME: "Subscription",
    Col.LOCATION: "Location",
    Col.CHARGE_TYPE: "Charge type",
    Col.PRICING_MODEL: "Pricing model",
    Col.METER: "Meter",
}


@dataclass(frozen=True)
class Context:
    """What the frame hands to every page."""

    dataset: Dataset | None
    view: View
    as_of: date
    message: str = ""


def _keep_valid(key: str, options: list[str]) -> None:
    """Drop stale choices (values no longer offered) before a widget is drawn."""
    chosen = st.session_state.get(key)
    if isinstance(chosen, list):
        st.session_state[key] = [v for v in chosen if v in options]
    elif chosen is not None and chosen not in options:
        del st.session_state[key]


def render_sidebar(as_of: date) -> Context:
    """Draw the sidebar (source, scope, period, metric, currency, filters) and return the context."""
    bar = st.sidebar
    source = bar.radio("Data source", list(SOURCE_LABELS), format_func=lambda k: SOURCE_LABELS[k], horizontal=True, key=state.SOURCE)
    metric = Metric(bar.radio("Cost", [m.value for m in Metric], format_func=str.capitalize, horizontal=True, key=state.METRIC))
    loaded = _load(source, as_of, metric)
    if not isinstance(loaded, Dataset):
        return Context(None, state.current_view(as_of), as_of, loaded)
    dataset = loaded
    scope_ids = [s.id for s in dataset.scopes]
    labels = {s.id: s.label for s in dataset.scopes}
    _keep_valid(state.SCOPE, scope_ids)
    bar.selectbox("Scope", scope_ids, format_func=lambda i: labels[i], key=state.SCOPE)
    choices = period_choices(as_of)
    keys = [c.key for c in choices] + [state.CUSTOM]
    period_labels = {c.key: c.label for c in choices} | {state.CUSTOM: "Custom range…"}
    _keep_valid(state.PERIOD, keys)
    period_key = bar.selectbox("Period", keys, format_func=lambda k: period_labels[k], key=state.PERIOD)
    if period_key == state.CUSTOM:
        bar.date_input("From – to", value=(choices[1].period.start, as_of), max_value=as_of, key=state.CUSTOM_RANGE)
    currencies = dataset.currencies
    if len(currencies) > 1:
        bar.selectbox("Currency", currencies, key=state.CURRENCY, help="Costs in different currencies are never added up.")
    _render_filters(dataset)
    return Context(dataset, state.current_view(as_of), as_of)


def _render_filters(dataset: Dataset) -> None:
    frame = dataset.normalized
    active = state.current_filters()
    with st.sidebar.expander("Filters" + (" (active)" if active.active else ""), expanded=active.active):
        for col in DIMENSIONS:
            options = filters.options(frame, col)
            _keep_valid(state.filter_key(col), options)
            st.multiselect(DIMENSION_LABELS[col], options, key=state.filter_key(col), placeholder="All")
        keys = filters.tag_keys(frame)
        _keep_valid(state.TAG_KEY, keys)
        tag_key = st.selectbox("Tag", keys, index=None, key=state.TAG_KEY, placeholder="Any tag")
        if tag_key:
            values = filters.tag_values(frame, tag_key)
            _keep_valid(state.TAG_VALUES, values)
            st.multiselect(f"Values of tag '{tag_key}'", values, key=state.TAG_VALUES, placeholder="All")
        st.button("Clear filters", on_click=state.clear_filters, disabled=not active.active)


def _load(source: str, as_of: date, metric: Metric) -> Dataset | str:
    """The data set of ``source``, or a message saying what it still needs."""
    if source == "files":
        from lib import ui_files

        return ui_files.render_source_controls(as_of, metric)
    if source == "azure":
        from lib import ui_azure

        return ui_azure.render_source_controls(as_of, metric)
    return cache.load_demo(as_of, metric)


def require_dataset(context: Context) -> Dataset:
    """The context's data set, or stop the page with the reason shown."""
    if context.dataset is None:
        st.info(context.message)
        st.stop()
    assert context.dataset is not None
    return context.dataset


def context() -> Context:
    """The context the frame stored for this run."""
    stored = st.session_state.get(state.CONTEXT)
    if not isinstance(stored, Context):
        # A fresh server runs its first request in Streamlit's legacy "pages/ folder" mode (the
        # mode is decided before app.py ever runs), so a deep link runs the page without the
        # frame. Leave that mode for good and rerun through app.py.
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    assert isinstance(stored, Context)
    return stored


def show_table(frame: pl.DataFrame, *, label: str, money_columns: tuple[str, ...] = (), currency: str = "EUR") -> None:
    """An expander with the data behind a chart: the chart's text alternative."""
    with st.expander(label):
        shown = frame.with_columns([pl.col(c).map_elements(lambda v: money(v, currency), return_dtype=pl.String) for c in money_columns])
        st.dataframe(shown.to_pandas(), hide_index=True, width="stretch")


def dimension_label(group_by: str) -> str:
    """Human name of a group-by choice."""
    if group_by.startswith("tag:"):
        return f"Tag '{group_by[4:]}'"
    return DIMENSION_LABELS.get(Col(group_by), group_by)
