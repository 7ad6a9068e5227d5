"""The shared frame: sidebar controls and small drawing helpers used by every page.

Every text here is in the session's language (``lib.i18n``); amounts, numbers and dates are
formatted by Babel (``lib.fmt``). Widgets keep their values for the whole session
(``persist_state="session"``), so a filter chosen on one page, or read from a link before its
data is loaded, is still there on the next.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

import pandas as pd
import polars as pl
import streamlit as st

from lib import cache, filters, fmt, frames, i18n, state
from lib.aggregate import TAG_PREFIX
from lib.charts import group_name
from lib.i18n import N_, _
from lib.models import Agreement, Metric, Scope, ScopeKind
from lib.periods import period_choices
from lib.schema import DIMENSIONS, Col
from lib.sources.base import Dataset
from lib.views import View

SOURCE_LABELS = {"demo": N_("Demo"), "files": N_("Files"), "azure": N_("Azure"), "lake": N_("Lake")}
METRIC_LABELS = {Metric.ACTUAL.value: N_("Actual"), Metric.AMORTIZED.value: N_("Amortized")}
DIMENSION_LABELS = {
    Col.SERVICE: N_("Service"),
    Col.RESOURCE_GROUP: N_("Resource group"),
    Col.SUBSCRIPTION_NAME: N_("Subscription"),
    Col.LOCATION: N_("Location"),
    Col.CHARGE_TYPE: N_("Charge type"),
    Col.PRICING_MODEL: N_("Pricing model"),
    Col.METER: N_("Meter"),
}
SCOPE_KIND_LABELS = {
    ScopeKind.BILLING_ACCOUNT: N_("Billing account"),
    ScopeKind.BILLING_PROFILE: N_("Billing profile"),
    ScopeKind.INVOICE_SECTION: N_("Invoice section"),
    ScopeKind.DEPARTMENT: N_("Department"),
    ScopeKind.ENROLLMENT_ACCOUNT: N_("Enrollment account"),
    ScopeKind.MANAGEMENT_GROUP: N_("Management group"),
    ScopeKind.SUBSCRIPTION: N_("Subscription"),
    ScopeKind.RESOURCE_GROUP: N_("Resource group"),
}
AGREEMENT_LABELS = {
    Agreement.EA: N_("Enterprise Agreement (EA)"),
    Agreement.MCA: N_("Microsoft Customer Agreement (MCA)"),
    Agreement.MOSP: N_("Microsoft Online Subscription Program (pay-as-you-go)"),
    Agreement.MPA: N_("Microsoft Partner Agreement (CSP)"),
    Agreement.UNKNOWN: N_("Unknown agreement"),
}
# Names of the file layouts (lib.dialects) that have a translation; others are described by agreement.
FORMAT_NAMES = (
    N_("Microsoft Customer Agreement cost details"),
    N_("EA / pay-as-you-go cost details (portal Usage + charges download, Cost Details API)"),
    N_("EA cost and usage details export"),
    N_("Microsoft Customer Agreement usage and charges (download, export, Cost Details API)"),
    N_("Pay-as-you-go usage-only export (legacy Consumption layout)"),
    N_("FOCUS cost and usage export"),
    N_("Azure usage file in an unrecognised layout"),
)
# The estimate's method as lib.estimate words it, and the translatable form of each.
_ESTIMATE_METHODS = (
    (re.compile(r"average of the same weekday over the last (\d+) days"), N_("average of the same weekday over the last {days} days")),
    (re.compile(r"daily average over the last (\d+) days"), N_("daily average over the last {days} days")),
)


@dataclass(frozen=True)
class Context:
    """What the frame hands to every page."""

    dataset: Dataset | None
    view: View
    as_of: date
    message: str = ""


def _keep_valid(key: str, options: list[str], what: str) -> None:
    """Drop stale choices (values no longer offered) before a widget is drawn, and say so.

    ``what`` names the control in the reader's language ("Service", "Scope"...). Stale values come
    from a link made on other data, or from switching to a source that lacks them.
    """
    chosen = st.session_state.get(key)
    offered = set(options)
    if isinstance(chosen, list | tuple):
        dropped = [v for v in chosen if v not in offered]
        if dropped:
            st.session_state[key] = [v for v in chosen if v in offered]
    elif chosen is not None and chosen not in offered:
        dropped = [chosen]
        del st.session_state[key]
    else:
        dropped = []
    for value in dropped:
        state.add_note(
            _("{what} '{value}' is not in this data, so it was left out of the view.").format(what=what, value=group_name(str(value)))
        )


def labels_of(options: Iterable[str], label: Callable[[str], str]) -> Callable[[str], str]:
    """A ``format_func`` that shows each option as ``label`` did when the widget was drawn.

    Labels are computed now, in this run's language: Streamlit may call a ``format_func`` again
    later, outside the run (AppTest does), where the run's language is no longer set.
    """
    shown = {option: label(option) for option in options}
    return lambda option: shown.get(option, str(option))


def render_language_picker() -> str:
    """The language picker; returns the chosen language code."""
    codes = list(i18n.LANGUAGES)
    chosen: str = st.sidebar.selectbox(
        _("Language"),
        codes,
        format_func=lambda c: i18n.LANGUAGE_NAMES[c],
        key=state.LANGUAGE,
        persist_state="session",
    )
    return chosen


def render_sidebar(as_of: date) -> Context:
    """Draw the sidebar (source, scope, period, metric, currency, filters) and return the context."""
    bar = st.sidebar
    render_language_picker()
    _keep_valid(state.SOURCE, list(SOURCE_LABELS), _("Data source"))
    source = bar.radio(
        _("Data source"),
        list(SOURCE_LABELS),
        format_func=labels_of(SOURCE_LABELS, lambda k: _(SOURCE_LABELS[k])),
        horizontal=True,
        key=state.SOURCE,
        persist_state="session",
    )
    _keep_valid(state.METRIC, list(METRIC_LABELS), _("Cost"))
    metric = Metric(
        bar.radio(
            _("Cost"),
            list(METRIC_LABELS),
            format_func=labels_of(METRIC_LABELS, lambda m: _(METRIC_LABELS[m])),
            horizontal=True,
            key=state.METRIC,
            persist_state="session",
            help=_("Actual: as invoiced. Amortized: reservation purchases spread over their term."),
        )
    )
    loaded = _load(source, as_of, metric)
    if not isinstance(loaded, Dataset):
        return Context(None, state.current_view(as_of), as_of, loaded)
    dataset = loaded
    scope_ids = [s.id for s in dataset.scopes]
    scopes = {s.id: s for s in dataset.scopes}
    _keep_valid(state.SCOPE, scope_ids, _("Scope"))
    bar.selectbox(
        _("Scope"), scope_ids, format_func=labels_of(scope_ids, lambda i: scope_label(scopes[i])), key=state.SCOPE, persist_state="session"
    )
    choices = period_choices(as_of)
    keys = [c.key for c in choices] + [state.CUSTOM]
    period_labels = {c.key: c.label for c in choices} | {state.CUSTOM: _("Custom range…")}
    _keep_valid(state.PERIOD, keys, _("Period"))
    period_key = bar.selectbox(
        _("Period"), keys, format_func=labels_of(keys, period_labels.__getitem__), key=state.PERIOD, persist_state="session"
    )
    if period_key == state.CUSTOM:
        if state.CUSTOM_RANGE not in st.session_state:
            st.session_state[state.CUSTOM_RANGE] = (choices[1].period.start, as_of)
        bar.date_input(_("From – to"), max_value=as_of, key=state.CUSTOM_RANGE, format=fmt.date_input_format(), persist_state="session")
    currencies = dataset.currencies
    _keep_valid(state.CURRENCY, list(currencies), _("Currency"))
    if len(currencies) > 1:
        bar.selectbox(
            _("Currency"),
            currencies,
            key=state.CURRENCY,
            help=_("Costs in different currencies are never added up."),
            persist_state="session",
        )
    _keep_valid(state.GROUP_BY, group_choices(dataset), _("Group by"))
    _render_filters(dataset)
    return Context(dataset, state.current_view(as_of), as_of)


def group_choices(dataset: Dataset) -> list[str]:
    """What cost can be grouped by: every dimension, then every tag key of the data."""
    return [str(c) for c in DIMENSIONS] + [TAG_PREFIX + key for key in frames.prepared(dataset).tag_keys()]


def _render_filters(dataset: Dataset) -> None:
    # Options, tag keys and tag values are computed once per data set (lib.frames), not on every rerun.
    prepared = frames.prepared(dataset)
    frame = dataset.frame
    active = state.current_filters()
    title = _("Filters (active)") if active.active else _("Filters")
    with st.sidebar.expander(title, expanded=active.active):
        for col in DIMENSIONS:
            options = prepared.memo(("options", col), partial(filters.options, frame, col))
            label = _(DIMENSION_LABELS[col])
            _keep_valid(state.filter_key(col), options, label)
            st.multiselect(
                label,
                options,
                format_func=labels_of(options, group_name),
                key=state.filter_key(col),
                placeholder=_("All"),
                persist_state="session",
            )
        keys = prepared.tag_keys()
        _keep_valid(state.TAG_KEY, keys, _("Tag"))
        tag_key = st.selectbox(_("Tag"), keys, index=None, key=state.TAG_KEY, placeholder=_("Any tag"), persist_state="session")
        if tag_key:
            values = prepared.tag_values(tag_key)
            label = _("Values of tag '{tag}'").format(tag=tag_key)
            _keep_valid(state.TAG_VALUES, values, label)
            st.multiselect(
                label,
                values,
                format_func=labels_of(values, group_name),
                key=state.TAG_VALUES,
                placeholder=_("All"),
                persist_state="session",
            )
        st.button(_("Clear filters"), on_click=state.clear_filters, disabled=not active.active)


def _load(source: str, as_of: date, metric: Metric) -> Dataset | str:
    """The data set of ``source``, or a message saying what it still needs."""
    if source == "files":
        from lib import ui_files

        return ui_files.render_source_controls(as_of, metric)
    if source == "azure":
        from lib import ui_azure

        return ui_azure.render_source_controls(as_of, metric)
    if source == "lake":
        from lib import ui_lake

        return ui_lake.render_source_controls(as_of, metric)
    with st.spinner(_("Generating demo data…")):
        return cache.load_demo(as_of, metric)


def show_notes(context: Context) -> None:
    """Notes for the reader gathered in this run (parts of a link left out...), and the files-link hint."""
    for note in state.take_notes():
        st.warning(note, icon=":material/link_off:")
    if context.dataset is None and context.view.source == "files" and st.session_state.get(state.FILES_LINK):
        st.info(
            _(
                "This link shows a view of usage files. Files are never part of a link: "
                "load the same files again in the sidebar to see this view."
            ),
            icon=":material/upload_file:",
        )


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
        # A deep link on a fresh server ran this page without the frame (see leave_legacy_pages_mode).
        leave_legacy_pages_mode(force=True)
    assert isinstance(stored, Context)
    return stored


def leave_legacy_pages_mode(*, force: bool = False) -> None:
    """Rerun through ``st.navigation`` when Streamlit runs this script in its old pages-folder mode.

    With a ``pages/`` folder beside app.py, a freshly started server decides, before app.py ever
    runs, to serve its first run in the legacy mode that makes one page of every file in pages/;
    only the first ``st.navigation`` call switches that off for the process. Widgets made in that
    first run then belong to the wrong page and the first visitor's choices revert. Switching the
    mode off and rerunning at once, before any widget exists, gives that visitor a normal run.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if force or PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def styled_table(
    frame: pl.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    money_columns: tuple[str, ...] = (),
    share_columns: tuple[str, ...] = (),
    date_columns: tuple[str, ...] = (),
    group_columns: tuple[str, ...] = (),
    currency: str = "EUR",
) -> Any:
    """``frame`` ready for ``st.dataframe``: headers in the reader's language, values formatted by Babel.

    Numbers stay numbers underneath (sorting works); only their display is the locale's.
    """
    locale = i18n.current_locale()
    shown = frame.with_columns([pl.col(c).map_elements(group_name, return_dtype=pl.String) for c in group_columns])
    data = shown.to_pandas()
    formats: dict[str, Callable[[Any], str]] = {}
    for c in money_columns:
        formats[c] = lambda v: "" if v is None or pd.isna(v) else fmt.money(v, currency, locale)
    for c in share_columns:
        formats[c] = lambda v: "" if v is None or pd.isna(v) else fmt.share(v, locale)
    for c in date_columns:
        formats[c] = lambda v: "" if v is None or pd.isna(v) else fmt.day(v, locale)
    names = dict(columns or {})
    data = data.rename(columns=names)
    return data.style.format({names.get(c, c): f for c, f in formats.items()})


def show_table(
    frame: pl.DataFrame,
    *,
    label: str,
    columns: Mapping[str, str] | None = None,
    money_columns: tuple[str, ...] = (),
    share_columns: tuple[str, ...] = (),
    date_columns: tuple[str, ...] = (),
    group_columns: tuple[str, ...] = (),
    currency: str = "EUR",
    key: str | None = None,
) -> None:
    """An expander with the data behind a chart: the chart's text alternative."""
    with st.expander(label):
        table = styled_table(
            frame,
            columns=columns,
            money_columns=money_columns,
            share_columns=share_columns,
            date_columns=date_columns,
            group_columns=group_columns,
            currency=currency,
        )
        st.dataframe(table, hide_index=True, width="stretch", key=key)


def dimension_label(group_by: str) -> str:
    """Human name of a group-by choice, in the reader's language."""
    if group_by.startswith(TAG_PREFIX):
        return _("Tag '{key}'").format(key=group_by[len(TAG_PREFIX) :])
    try:
        return _(DIMENSION_LABELS[Col(group_by)])
    except (KeyError, ValueError):
        return group_by


def scope_label(scope: Scope) -> str:
    """``Subscription: Contoso Production`` in the reader's language (the name is the data's)."""
    return _("{kind}: {name}").format(kind=_(SCOPE_KIND_LABELS[scope.kind]), name=scope.name)


def agreement_label(agreement: Agreement) -> str:
    """The agreement's name in the reader's language."""
    return _(AGREEMENT_LABELS.get(agreement, AGREEMENT_LABELS[Agreement.UNKNOWN]))


def format_label(dataset: Dataset) -> str:
    """The data set's file layout in the reader's language; described by its agreement when untranslated."""
    if i18n.is_translated(dataset.format):
        return _(dataset.format)
    return agreement_label(dataset.agreement)


def estimate_method(method: str) -> str:
    """The estimate's method (worded by ``lib.estimate`` in English) in the reader's language."""
    for pattern, message in _ESTIMATE_METHODS:
        found = pattern.fullmatch(method)
        if found:
            return _(message).format(days=found.group(1))
    return method
