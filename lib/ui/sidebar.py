"""The shared frame's sidebar: data source (and its panel), scope, period, metric, currency and filters.

Widgets keep their values for the whole session (``persist_state="session"``), so a filter chosen on
one page, or read from a link before its data is loaded, is still there on the next.
"""

from __future__ import annotations

import importlib
from datetime import date
from functools import partial
from typing import Final

import streamlit as st

from lib.analysis import filters, frames, views
from lib.core import fmt, labels
from lib.core.dataset import Dataset
from lib.core.i18n import _
from lib.core.models import Metric, Period
from lib.core.period_bounds import clamp_to_data
from lib.core.periods import PeriodChoice, PeriodKind
from lib.core.safe_text import markdown
from lib.core.schema import DIMENSIONS, TAG_PREFIX, Col
from lib.output.charts import group_name
from lib.sources import SOURCES
from lib.ui import cache, state, widgets

# The period radio's entry that drops down the billing periods (no period key is spelled so).
BILLING_PERIOD: Final = PeriodKind.BILLING_PERIOD.value
# Each source with controls of its own: the module drawing them (``render_source_controls``).
PANELS: Final = {"files": "lib.ui.files_panel", "azure": "lib.ui.azure_panel", "lake": "lib.ui.lake_panel"}
# Streamlit's range date input applies a typed range on blur or Escape, not on Enter (its key handler has no Enter).
# This constant script, installed once per page, turns Enter in a date input into the Escape that applies the range
# (tests/browser/test_views.py types a range, presses Enter and waits for the page's period to change).
ENTER_APPLIES_DATES: Final = """<script>
(() => {
  if (window.azdashEnterAppliesDates) return;
  window.azdashEnterAppliesDates = true;
  document.addEventListener('keydown', (event) => {
    const field = event.key === 'Enter' && event.target instanceof Element
      && event.target.closest('[data-testid="stDateInputField"]');
    if (!field || event.isComposing) return;
    event.preventDefault();
    event.stopPropagation();
    event.target.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', code: 'Escape', bubbles: true, cancelable: true}));
  }, true);
})();
</script>"""


def render_sidebar(as_of: date) -> widgets.Context:
    """Draw the sidebar (source, metric, period, scope, currency, filters, language) and return the context."""
    context = _render_controls(as_of)
    # The language comes last: chosen once, it leaves the top of the sidebar to the choices made every visit (a laptop
    # screen shows the period whole under the page links). The run's language was set before anything was drawn.
    widgets.render_language_picker()
    return context


def _render_controls(as_of: date) -> widgets.Context:
    bar = st.sidebar
    widgets.keep_valid(state.SOURCE, list(SOURCES), _("Data source"))
    source = bar.radio(
        _("Data source"),
        list(SOURCES),
        format_func=widgets.labels_of(SOURCES, lambda k: _(SOURCES.label(k))),
        horizontal=True,
        key=state.SOURCE,
        persist_state="session",
        on_change=state.start_source_view,
    )
    widgets.keep_valid(state.METRIC, list(labels.METRIC_LABELS), _("Cost"))
    metric = Metric(
        bar.radio(
            _("Cost"),
            list(labels.METRIC_LABELS),
            format_func=widgets.labels_of(labels.METRIC_LABELS, lambda m: _(labels.METRIC_LABELS[m])),
            horizontal=True,
            key=state.METRIC,
            persist_state="session",
            help=_("Actual: as invoiced. Amortized: reservation purchases spread over their term."),
        )
    )
    loaded = _load(source, as_of, metric)
    if not isinstance(loaded, Dataset):
        return widgets.Context(None, state.current_view(as_of), as_of, loaded)
    dataset = loaded
    # Files hold what they hold: the picker offers the billing periods in the data, opening on the latest (month to
    # date only while it is still open, ``Dataset.last_period_open``), and "data up to" is the data's last day.
    choices = views.period_choices_of(dataset, as_of)
    if source in views.PERIODS_FROM_DATA:
        as_of = min(as_of, dataset.as_of)
    period_key = _render_period_picker(choices)
    if period_key == state.CUSTOM:
        if state.CUSTOM_RANGE not in st.session_state:
            month = next((c for c in choices if c.kind in (PeriodKind.MONTH_TO_DATE, PeriodKind.BILLING_PERIOD)), choices[0])
            st.session_state[state.CUSTOM_RANGE] = (month.period.start, min(month.period.end, as_of))
        _clamp_custom_range(dataset)
        bar.date_input(_("From – to"), max_value=as_of, key=state.CUSTOM_RANGE, format=fmt.date_input_format(), persist_state="session")
        bar.html(ENTER_APPLIES_DATES, unsafe_allow_javascript=True)
    scope_ids = [s.id for s in dataset.scopes]
    scopes = {s.id: s for s in dataset.scopes}
    widgets.keep_valid(state.SCOPE, scope_ids, _("Scope"))
    # A short list is shown whole, as radio buttons (one click; and a first view without a select box does not make a new
    # visitor's browser fetch the select box's many script files before the headline and Plotly's); a long one drops down.
    scope_label = widgets.labels_of(scope_ids, lambda i: labels.scope_label(scopes[i]))
    if len(scope_ids) <= widgets.RADIO_MAX_OPTIONS:
        bar.radio(_("Scope"), scope_ids, format_func=scope_label, key=state.SCOPE, persist_state="session")
    else:
        bar.selectbox(_("Scope"), scope_ids, format_func=scope_label, key=state.SCOPE, persist_state="session")
    currencies = views.offered_currencies(dataset)
    widgets.keep_valid(state.CURRENCY, list(currencies), _("Currency"))
    if len(currencies) > 1:
        # Unchosen, the picker starts on the currency with the largest total, not the first in the list.
        st.session_state.setdefault(state.CURRENCY, views.currency_of(dataset, views.View()))
        bar.selectbox(
            _("Currency"),
            currencies,
            key=state.CURRENCY,
            help=_("Costs in different currencies are never added up."),
            persist_state="session",
        )
    widgets.keep_valid(state.GROUP_BY, group_choices(dataset), _("Group by"))
    _render_filters(dataset)
    return widgets.Context(dataset, state.current_view(as_of, choices), as_of)


def _render_period_picker(choices: list[PeriodChoice]) -> str:
    """The period picker; returns the chosen period's key (``state.PERIOD``).

    A short radio (month to date, history, last 30 days, "Billing period…", "Custom range…"); "Billing period…" drops
    down the billing periods, as "Custom range…" opens the date fields. The chosen key lives in ``state.PERIOD`` (what
    links, the language switch and every page read); the two widgets only show it, and their callbacks change it.
    """
    keys = [c.key for c in choices] + [state.CUSTOM]
    widgets.keep_valid(state.PERIOD, keys, _("Period"))
    st.session_state.setdefault(state.PERIOD, keys[0])
    chosen: str = st.session_state[state.PERIOD]
    billing = [c.key for c in choices if c.kind == PeriodKind.BILLING_PERIOD]
    presets = [c.key for c in choices if c.kind != PeriodKind.BILLING_PERIOD] + ([BILLING_PERIOD] if billing else []) + [state.CUSTOM]
    preset_labels = {c.key: c.label for c in choices} | {BILLING_PERIOD: _("Billing period…"), state.CUSTOM: _("Custom range…")}
    st.session_state[state.PERIOD_PRESET] = BILLING_PERIOD if chosen in billing else chosen
    st.sidebar.radio(
        _("Period"),
        presets,
        format_func=widgets.labels_of(presets, preset_labels.__getitem__),
        key=state.PERIOD_PRESET,
        on_change=partial(_preset_chosen, billing),
    )
    if chosen in billing:
        st.session_state[state.PERIOD_BILLING] = chosen
        st.sidebar.selectbox(
            _("Billing period"),
            billing,
            format_func=widgets.labels_of(billing, preset_labels.__getitem__),
            key=state.PERIOD_BILLING,
            on_change=_billing_period_chosen,
        )
    return chosen


def _preset_chosen(billing: list[str]) -> None:
    """The period radio's callback: its choice becomes the period ("Billing period…": the latest closed one)."""
    preset = st.session_state[state.PERIOD_PRESET]
    st.session_state[state.PERIOD] = billing[0] if preset == BILLING_PERIOD else preset


def _billing_period_chosen() -> None:
    st.session_state[state.PERIOD] = st.session_state[state.PERIOD_BILLING]


def _clamp_custom_range(dataset: Dataset) -> None:
    """Cut the custom range (a link's, or one kept from other data) to the data's days, so picker and link show what is shown."""
    chosen = st.session_state.get(state.CUSTOM_RANGE)
    if isinstance(chosen, list | tuple) and len(chosen) == 2 and all(isinstance(d, date) for d in chosen) and chosen[0] <= chosen[1]:
        clamped = clamp_to_data(Period(chosen[0], chosen[1]), views.data_period(dataset))
        if (clamped.start, clamped.end) != tuple(chosen):
            st.session_state[state.CUSTOM_RANGE] = (clamped.start, clamped.end)


def group_choices(dataset: Dataset) -> list[str]:
    """What cost can be grouped by: every dimension, then every tag key of the data."""
    return [str(c) for c in DIMENSIONS if c not in dataset.left_out] + [TAG_PREFIX + key for key in frames.prepared(dataset).tag_keys()]


def _render_filters(dataset: Dataset) -> None:
    # Options, tag keys and tag values are computed once per data set (lib.analysis.frames), not on every rerun.
    prepared = frames.prepared(dataset)
    frame = dataset.frame
    # A link's choices are checked against the data whether or not the boxes are drawn: what is not there is dropped,
    # with a note, before any page uses the filters.
    options: dict[Col, list[str]] = {}
    for col in DIMENSIONS:
        label = _(labels.DIMENSION_LABELS[col])
        options[col] = [] if col in dataset.left_out else prepared.memo(("options", col), partial(filters.options, frame, col))
        widgets.keep_valid(state.filter_key(col), options[col], label)
    keys = prepared.tag_keys()
    widgets.keep_valid(state.TAG_KEY, keys, _("Tag"))
    tag_key = st.session_state.get(state.TAG_KEY)
    tag_values = prepared.tag_values(tag_key) if tag_key else []
    if tag_key:
        widgets.keep_valid(state.TAG_VALUES, tag_values, _("Values of tag '{tag}'").format(tag=tag_key))
    active = state.current_filters()
    title = _("Filters (active)") if active.active else _("Filters")
    # The boxes are drawn only while the expander is open (opening it runs the page again): closed, as a new visitor
    # finds it, they cost the page nothing, on the server or in the browser. Their choices are kept all the same
    # (``persist_state``), and every page names the active ones under its title. A link that brings filters opens it.
    # Its title says whether filters are on, and Streamlit takes a new title for a new expander that starts as
    # ``expanded`` says: so that is where it was left.
    was_open = bool(st.session_state.get(state.FILTERS_OPEN, active.active))
    with st.sidebar.expander(title, expanded=was_open, key=state.FILTERS_OPEN, on_change="rerun") as box:
        if box.open:
            _draw_filter_boxes(dataset, options, keys, tag_values, active)


def _draw_filter_boxes(
    dataset: Dataset, options: dict[Col, list[str]], keys: list[str], tag_values: list[str], active: filters.Filters
) -> None:
    """The filter boxes, offering the choices ``_render_filters`` checked the session's against."""
    for col in DIMENSIONS:
        if col in dataset.left_out:  # not in the data set: nothing to choose from
            continue
        st.multiselect(
            _(labels.DIMENSION_LABELS[col]),
            options[col],
            format_func=widgets.labels_of(options[col], group_name),
            key=state.filter_key(col),
            placeholder=_("All"),
            persist_state="session",
        )
    tag_key = st.selectbox(_("Tag"), keys, index=None, key=state.TAG_KEY, placeholder=_("Any tag"), persist_state="session")
    if tag_key:
        st.multiselect(
            _("Values of tag '{tag}'").format(tag=markdown(tag_key)),  # a widget label is Markdown
            tag_values,
            format_func=widgets.labels_of(tag_values, group_name),
            key=state.TAG_VALUES,
            placeholder=_("All"),
            persist_state="session",
        )
    st.button(_("Clear filters"), on_click=state.clear_filters, disabled=not active.active)


def _load(source: str, as_of: date, metric: Metric) -> Dataset | str:
    """The data set of ``source``, or a message saying what it still needs."""
    panel = PANELS.get(source)
    if panel is not None:
        # The panel of the source chosen, imported when first chosen: the Azure one brings in the Azure SDK.
        controls: Dataset | str = importlib.import_module(panel).render_source_controls(as_of, metric)
        return controls
    with st.spinner(_("Generating demo data…")):
        return cache.load_demo(as_of, metric)
