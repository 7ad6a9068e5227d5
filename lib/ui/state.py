"""Session-state keys, reading the user's view from the widgets, and the view's shareable link.

A view lives in the URL's query parameters (see ``PARAM_*`` and ``DIMENSION_PARAMS``): the link
is read once, when a session starts, into the widgets' session state; after every run the
widgets' state is written back, so the address bar always holds the view on screen. Parameters
that are malformed or name something the data does not hold are left out with a visible note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Final

import streamlit as st

from lib.analysis.changes import Default, PeriodError, parse_period
from lib.analysis.filters import Filters
from lib.analysis.views import View
from lib.core import i18n
from lib.core.i18n import _
from lib.core.models import Metric
from lib.core.periods import PeriodChoice, parse_period_key, period_choices
from lib.core.safe_text import markdown
from lib.core.schema import DIMENSIONS, TAG_PREFIX, Col
from lib.sources import SOURCES

SOURCE: Final = "source"
SCOPE: Final = "scope"
PERIOD: Final = "period"  # the chosen period's key (``lib.core.periods``), shown by the two widgets below
PERIOD_PRESET: Final = "period_preset"  # the period radio: a key, "Billing period…" or "Custom range…"
PERIOD_BILLING: Final = "period_billing"  # the billing period drop-down, under "Billing period…"
CUSTOM_RANGE: Final = "custom_range"
METRIC: Final = "metric"
CURRENCY: Final = "currency"
GROUP_BY: Final = "group_by"
TAG_KEY: Final = "tag_key"
TAG_VALUES: Final = "tag_values"
LANGUAGE: Final = "language"
ANOMALY_SENSITIVITY: Final = "anomaly_sensitivity"
ANOMALY_EXPECTED: Final = "anomaly_expected"  # keys of anomalies marked as expected (``lib.analysis.anomalies.Anomaly.key``)
CHANGES_WHICH: Final = "changes_which"  # the Changes page's comparison: a ``lib.analysis.changes.Default`` or CHANGES_CUSTOM
CHANGES_BASE: Final = "changes_base"  # its custom base period (first day, last day)
CHANGES_COMPARE: Final = "changes_compare"  # its custom compared period
CHANGES_CUSTOM: Final = "custom"
CONTEXT: Final = "_context"
CUSTOM: Final = "custom"
LINK_READ: Final = "_link_read"  # the session's link has been read (only once, at its start)
NOTES: Final = "_notes"  # notes for the reader collected during this run (ignored link parts...)
FILES_LINK: Final = "_files_link"  # the session started from a link to a files view
AZURE_SCOPE_PASTE: Final = "azure_scope_paste"  # the Azure panel's scope id field, filled in from a link
# The overview's tables under its charts: each is built only while its expander is open (``widgets.show_table``).
TABLE_DAILY: Final = "table_daily"
TABLE_BILLING: Final = "table_billing"
TABLE_ACCURACY: Final = "table_accuracy"
TABLE_ACCUMULATED: Final = "table_accumulated"
OVERVIEW_TABLES: Final = (TABLE_DAILY, TABLE_BILLING, TABLE_ACCURACY, TABLE_ACCUMULATED)
FILTERS_OPEN: Final = "filters_open"  # the sidebar's filter boxes are drawn only while their expander is open


# Query-parameter names of a shareable link.
PARAM_LANGUAGE: Final = "lang"
PARAM_SOURCE: Final = "source"
PARAM_SCOPE: Final = "scope"
PARAM_PERIOD: Final = "period"
PARAM_METRIC: Final = "metric"
PARAM_CURRENCY: Final = "currency"
PARAM_GROUP: Final = "group"
PARAM_TAG: Final = "tag"
PARAM_TAG_VALUE: Final = "tag_value"
PARAM_SENSITIVITY: Final = "sensitivity"
PARAM_EXPECTED: Final = "expected"
PARAM_CHANGES: Final = "changes"  # closed (left out of links), mtd or custom
PARAM_CHANGES_BASE: Final = "changes_base"  # YYYY-MM-DD..YYYY-MM-DD (or YYYY-MM), with changes=custom
PARAM_CHANGES_COMPARE: Final = "changes_compare"
CHANGES_CHOICES: Final = (Default.CLOSED.value, Default.MONTH_TO_DATE.value, CHANGES_CUSTOM)
SENSITIVITIES: Final = ("low", "normal", "high")  # as lib.analysis.anomalies.SENSITIVITIES; "normal" is left out of links
DIMENSION_PARAMS: Final[dict[Col, str]] = {
    Col.SERVICE: "service",
    Col.RESOURCE_GROUP: "resource_group",
    Col.SUBSCRIPTION_NAME: "subscription",
    Col.LOCATION: "location",
    Col.CHARGE_TYPE: "charge_type",
    Col.PRICING_MODEL: "pricing_model",
    Col.METER: "meter",
}
KNOWN_PARAMS: Final = frozenset(
    {PARAM_LANGUAGE, PARAM_SOURCE, PARAM_SCOPE, PARAM_PERIOD, PARAM_METRIC, PARAM_CURRENCY, PARAM_GROUP, PARAM_TAG, PARAM_TAG_VALUE}
    | {PARAM_SENSITIVITY, PARAM_EXPECTED, PARAM_CHANGES, PARAM_CHANGES_BASE, PARAM_CHANGES_COMPARE}
    | set(DIMENSION_PARAMS.values())
)


def filter_key(col: Col) -> str:
    """Session key of the multiselect filtering ``col``."""
    return f"filter_{col}"


def current_filters() -> Filters:
    """The filters as chosen in the sidebar."""
    filters = Filters()
    for col in DIMENSIONS:
        filters = filters.with_values(col, tuple(st.session_state.get(filter_key(col), ())))
    tag_key = st.session_state.get(TAG_KEY) or None
    tag_values = tuple(st.session_state.get(TAG_VALUES, ())) if tag_key else ()
    return Filters(filters.dimensions, tag_key, tag_values)


def clear_filters() -> None:
    """Reset every filter widget (used as a button callback)."""
    for col in DIMENSIONS:
        st.session_state[filter_key(col)] = []
    st.session_state[TAG_KEY] = None
    st.session_state[TAG_VALUES] = []


def keep_view() -> None:
    """Hold on to every view choice across a language switch (the picker's callback).

    The browser keeps a choice as its shown label ("Actual"), which names nothing once the labels
    are in another language; setting each value again makes the next run send it in the new labels.
    """
    for key in (*_LINK_KEYS, *_OTHER_VIEW_KEYS):
        if key != LANGUAGE and key in st.session_state:
            st.session_state[key] = st.session_state[key]


def start_source_view() -> None:
    """A new data source starts from its own view (the source radio's callback): the scope, currency,
    filters and grouping of the one before name nothing in it, and would only come back as notes; its period
    picker starts on its own default (files: the latest billing period in the data)."""
    for key in (SCOPE, CURRENCY, GROUP_BY, TAG_KEY, TAG_VALUES, PERIOD, CUSTOM_RANGE, *(filter_key(c) for c in DIMENSIONS)):
        st.session_state.pop(key, None)


def current_view(as_of: date, choices: Sequence[PeriodChoice] | None = None) -> View:
    """The view the widgets describe (``choices``: the period picker's, when not ``period_choices(as_of)``)."""
    # The default choices are worked out only when no period is chosen yet (Babel writes their labels).
    period_key = st.session_state.get(PERIOD) or (choices or period_choices(as_of))[0].key
    if period_key == CUSTOM:
        chosen: tuple[date, ...] = tuple(st.session_state.get(CUSTOM_RANGE) or ())
        period = parse_period_key(f"{chosen[0]}..{chosen[-1]}", as_of) if chosen else None
    else:
        period = parse_period_key(period_key, as_of, choices)
    return View(
        source=st.session_state.get(SOURCE, "demo"),
        scope_id=st.session_state.get(SCOPE),
        period_key=period_key,
        period=period,
        metric=Metric(st.session_state.get(METRIC, Metric.ACTUAL.value)),
        currency=st.session_state.get(CURRENCY),
        filters=current_filters(),
        group_by=st.session_state.get(GROUP_BY, Col.SERVICE),
    )


def anomaly_sensitivity() -> str:
    """The anomaly sensitivity chosen on the Anomalies page (``normal`` until one is)."""
    chosen = st.session_state.get(ANOMALY_SENSITIVITY)
    return chosen if chosen in SENSITIVITIES else "normal"


def expected_anomalies() -> tuple[str, ...]:
    """Keys of the anomalies marked as expected in this session (or by its link)."""
    return tuple(st.session_state.get(ANOMALY_EXPECTED) or ())


def mark_expected(key: str, expected: bool) -> None:
    """Mark an anomaly as expected, or take the mark off (a button callback)."""
    marked = [k for k in expected_anomalies() if k != key]
    st.session_state[ANOMALY_EXPECTED] = [*marked, key] if expected else marked


# --- notes for the reader -------------------------------------------------------------------


def add_note(text: str) -> None:
    """Keep a note for the reader (shown once, at the top of the page, by ``app.py``)."""
    notes = st.session_state.setdefault(NOTES, [])
    if text not in notes:
        notes.append(text)


def take_notes() -> list[str]:
    """The notes collected so far, removed so they show only once."""
    notes = st.session_state.get(NOTES) or []
    st.session_state[NOTES] = []
    return list(notes)


# --- links: pure conversions ------------------------------------------------------------------


def language_from(params: Mapping[str, Sequence[str]], browser_locale: str | None) -> tuple[str, list[str]]:
    """The session's first language: the link's ``lang``, else the browser's, else English."""
    notes: list[str] = []
    asked = list(params.get(PARAM_LANGUAGE, ()))
    if asked:
        chosen = i18n.normalize_language(asked[-1])
        if chosen:
            return chosen, notes
        notes.append(asked[-1])
    return i18n.normalize_language(browser_locale) or i18n.DEFAULT_LANGUAGE, notes


def _last(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = [v for v in params.get(name, ()) if v != ""]
    return values[-1] if values else None


def _period_state(text: str, as_of: date) -> tuple[dict[str, object], list[str]]:
    if text in {c.key for c in period_choices(as_of)}:
        return {PERIOD: text}, []
    period = parse_period_key(text, as_of)
    if period is None:
        return {}, [_("The period '{value}' in the link is not a valid period; it was ignored.").format(value=markdown(text))]
    if period.start > as_of:
        return {}, [_("The period '{value}' in the link starts after today; it was ignored.").format(value=markdown(text))]
    notes = []
    end = period.end
    if end > as_of:
        end = as_of
        notes.append(_("The period in the link ends after today; it is shown up to today."))
    return {PERIOD: CUSTOM, CUSTOM_RANGE: (period.start, end)}, notes


def group_param(group_by: str) -> str:
    """The link's name for a group-by choice: ``service``, ``resource_group``… or ``tag:KEY``."""
    if group_by.startswith(TAG_PREFIX):
        return group_by
    try:
        return DIMENSION_PARAMS[Col(group_by)]
    except ValueError:
        return group_by


def _group_state(text: str) -> tuple[dict[str, object], list[str]]:
    by_param = {name: col for col, name in DIMENSION_PARAMS.items()}
    if text in by_param:
        return {GROUP_BY: str(by_param[text])}, []
    if text in {str(c) for c in DIMENSIONS}:
        return {GROUP_BY: text}, []
    if text.startswith(TAG_PREFIX) and len(text) > len(TAG_PREFIX):
        return {GROUP_BY: text}, []
    return {}, [_("The grouping '{value}' in the link is not known; it was ignored.").format(value=markdown(text))]


def _simple_state(params: Mapping[str, Sequence[str]]) -> tuple[dict[str, object], list[str]]:
    """Source, metric, scope and currency: one value each, checked for form only."""
    values: dict[str, object] = {}
    notes: list[str] = []
    checks: tuple[tuple[str, str, Callable[[str], str | None]], ...] = (
        (PARAM_SOURCE, SOURCE, lambda v: v if v in SOURCES else None),
        (PARAM_METRIC, METRIC, lambda v: v if v in {m.value for m in Metric} else None),
        (PARAM_SCOPE, SCOPE, lambda v: v),
        (PARAM_CURRENCY, CURRENCY, lambda v: v.upper() if len(v) == 3 and v.isalpha() else None),
        (PARAM_SENSITIVITY, ANOMALY_SENSITIVITY, lambda v: v if v in SENSITIVITIES else None),
        (PARAM_CHANGES, CHANGES_WHICH, lambda v: v if v in CHANGES_CHOICES else None),
    )
    for name, key, check in checks:
        given = _last(params, name)
        if given is None:
            continue
        accepted = check(given)
        if accepted is None:
            notes.append(_("The link's {name} '{value}' is not known; it was ignored.").format(name=name, value=markdown(given)))
        else:
            values[key] = accepted
    return values, notes


def _filter_state(params: Mapping[str, Sequence[str]]) -> dict[str, object]:
    values: dict[str, object] = {}
    for col, name in DIMENSION_PARAMS.items():
        chosen = list(dict.fromkeys(v for v in params.get(name, ()) if v != ""))
        if chosen:
            values[filter_key(col)] = chosen
    tag = _last(params, PARAM_TAG)
    if tag is not None:
        values[TAG_KEY] = tag
        tag_values = list(dict.fromkeys(v for v in params.get(PARAM_TAG_VALUE, ()) if v != ""))
        if tag_values:
            values[TAG_VALUES] = tag_values
    expected = list(dict.fromkeys(v for v in params.get(PARAM_EXPECTED, ()) if v.count("|") >= 2))
    if expected:
        values[ANOMALY_EXPECTED] = expected
    return values


def _changes_state(params: Mapping[str, Sequence[str]], as_of: date) -> tuple[dict[str, object], list[str]]:
    """The Changes page's two custom periods (a link with either chooses "two periods of your choice")."""
    values: dict[str, object] = {}
    notes: list[str] = []
    for name, key in ((PARAM_CHANGES_BASE, CHANGES_BASE), (PARAM_CHANGES_COMPARE, CHANGES_COMPARE)):
        given = _last(params, name)
        if given is None:
            continue
        try:
            period = parse_period(given, as_of)
        except PeriodError as error:
            notes.append(_("The link's {name} is not used: {reason}.").format(name=name, reason=markdown(str(error))))
            continue
        if period.end > as_of:
            notes.append(_("The link's {name} ends after today; it is shown up to today.").format(name=name))
        values[key] = (period.start, min(period.end, as_of))
    if values and _last(params, PARAM_CHANGES) in (None, CHANGES_CUSTOM):
        values[CHANGES_WHICH] = CHANGES_CUSTOM
    return values, notes


def state_from_params(params: Mapping[str, Sequence[str]], as_of: date) -> tuple[dict[str, object], list[str]]:
    """Session-state values for a link's parameters, and a note for each part left out.

    Only the form is checked here; whether a scope, service or tag exists in the data is checked
    when the data is loaded (``lib.ui``), and reported the same way.
    """
    values, notes = _simple_state(params)
    period = _last(params, PARAM_PERIOD)
    if period is not None:
        found, more = _period_state(period, as_of)
        values.update(found)
        notes += more
    group = _last(params, PARAM_GROUP)
    if group is not None:
        found, more = _group_state(group)
        values.update(found)
        notes += more
    values.update(_filter_state(params))
    found, more = _changes_state(params, as_of)
    values.update(found)
    notes += more
    unknown = sorted(set(params) - KNOWN_PARAMS - {PARAM_LANGUAGE})
    if unknown:
        text = _("The link holds parameters this dashboard does not know: {names}; they were ignored.")
        notes.append(text.format(names=", ".join(markdown(name) for name in unknown)))
    return values, notes


def params_from_state(values: Mapping[str, object]) -> dict[str, list[str]]:
    """The link's query parameters for the view held in ``values`` (session state)."""
    params: dict[str, list[str]] = {PARAM_LANGUAGE: [str(values.get(LANGUAGE) or i18n.DEFAULT_LANGUAGE)]}
    params[PARAM_SOURCE] = [str(values.get(SOURCE) or "demo")]
    scope = values.get(SCOPE)
    if scope:
        params[PARAM_SCOPE] = [str(scope)]
    period = str(values.get(PERIOD) or "mtd")
    if period == CUSTOM:
        given = values.get(CUSTOM_RANGE)
        chosen: tuple[date, ...] = tuple(given) if isinstance(given, list | tuple) else ()
        if chosen:
            params[PARAM_PERIOD] = [f"{chosen[0].isoformat()}..{chosen[-1].isoformat()}"]
    else:
        params[PARAM_PERIOD] = [period]
    params[PARAM_METRIC] = [str(values.get(METRIC) or Metric.ACTUAL.value)]
    currency = values.get(CURRENCY)
    if currency:
        params[PARAM_CURRENCY] = [str(currency)]
    params[PARAM_GROUP] = [group_param(str(values.get(GROUP_BY) or Col.SERVICE))]
    for col, name in DIMENSION_PARAMS.items():
        chosen_values = values.get(filter_key(col))
        if isinstance(chosen_values, list | tuple) and chosen_values:
            params[name] = [str(v) for v in chosen_values]
    tag = values.get(TAG_KEY)
    if tag:
        params[PARAM_TAG] = [str(tag)]
        tag_values = values.get(TAG_VALUES)
        if isinstance(tag_values, list | tuple) and tag_values:
            params[PARAM_TAG_VALUE] = [str(v) for v in tag_values]
    sensitivity = values.get(ANOMALY_SENSITIVITY)
    if sensitivity and sensitivity != "normal":
        params[PARAM_SENSITIVITY] = [str(sensitivity)]
    expected = values.get(ANOMALY_EXPECTED)
    if isinstance(expected, list | tuple) and expected:
        params[PARAM_EXPECTED] = [str(v) for v in expected]
    params.update(_changes_params(values))
    return params


def _changes_params(values: Mapping[str, object]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    which = values.get(CHANGES_WHICH)
    if which in CHANGES_CHOICES and which != Default.CLOSED.value:
        params[PARAM_CHANGES] = [str(which)]
    if which == CHANGES_CUSTOM:
        for name, key in ((PARAM_CHANGES_BASE, CHANGES_BASE), (PARAM_CHANGES_COMPARE, CHANGES_COMPARE)):
            given = values.get(key)
            picked: tuple[date, ...] = tuple(given) if isinstance(given, list | tuple) else ()
            if len(picked) == 2:  # a range half picked is left out until its last day is chosen
                params[name] = [f"{picked[0].isoformat()}..{picked[1].isoformat()}"]
    return params


# --- links: the session's side ------------------------------------------------------------------


def _url_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def start_run(as_of: date) -> str:
    """Set up a run: read the link once per session, set the run's language, and return it.

    Must run before anything is translated or drawn.
    """
    if not st.session_state.get(LINK_READ):
        params = _url_params()
        language, bad_languages = language_from(params, st.context.locale)
        st.session_state.setdefault(LANGUAGE, language)
        i18n.set_language(st.session_state[LANGUAGE])
        for bad in bad_languages:
            add_note(_("The language '{value}' in the link is not offered; it was ignored.").format(value=markdown(bad)))
        values, notes = state_from_params({k: v for k, v in params.items() if k != PARAM_LANGUAGE}, as_of)
        for key, value in values.items():
            st.session_state[key] = value
        for note in notes:
            add_note(note)
        st.session_state[FILES_LINK] = values.get(SOURCE) == "files"
        if values.get(SOURCE) == "azure" and values.get(SCOPE):
            # The Azure source asks Azure for the scope typed into its own field: fill it in.
            st.session_state.setdefault(AZURE_SCOPE_PASTE, values[SCOPE])
        st.session_state[LINK_READ] = True
    language = i18n.normalize_language(st.session_state.get(LANGUAGE)) or i18n.DEFAULT_LANGUAGE
    i18n.set_language(language)
    return language


def write_link() -> None:
    """Put the view on screen into the address bar (only when it changed, to keep history quiet)."""
    values = {key: st.session_state.get(key) for key in _LINK_KEYS}
    wanted = params_from_state(values)
    if _url_params() != wanted:
        st.query_params.from_dict(wanted)


# View choices the link does not carry (the Azure panel's own pickers, the overview's open tables), kept across a
# language switch all the same.
_OTHER_VIEW_KEYS: Final = (
    AZURE_SCOPE_PASTE,
    "azure_scope",
    "azure_group_by",
    "azure_filter_dim",
    "azure_report_kind",
    *OVERVIEW_TABLES,
    FILTERS_OPEN,
)

_LINK_KEYS: Final = (
    LANGUAGE,
    SOURCE,
    SCOPE,
    PERIOD,
    CUSTOM_RANGE,
    METRIC,
    CURRENCY,
    GROUP_BY,
    TAG_KEY,
    TAG_VALUES,
    ANOMALY_SENSITIVITY,
    ANOMALY_EXPECTED,
    CHANGES_WHICH,
    CHANGES_BASE,
    CHANGES_COMPARE,
    *(filter_key(c) for c in DIMENSIONS),
)
