"""Sidebar controls of the live Azure source (sign-in state, scope discovery), drawn only when chosen.

The scope picked here is the query scope: Azure is asked for that scope only. Results are cached
per identity, scope, period and query (``lib.ui.cache_azure``); "Refresh now" asks Azure again.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import streamlit as st

from lib.azure.clients import Clients
from lib.azure.cost_details import CostDetailsRequest, check_request
from lib.azure.period_store import default_store
from lib.azure.query import SECOND_DIMENSIONS, QuerySpec
from lib.azure.scopes import Discovery, ScopeChoice, ScopeIdError, agreement_of, discover, scope_from_id
from lib.core import fmt, i18n
from lib.core.dataset import Dataset, LoadRequest, SourceError
from lib.core.i18n import N_, _, ngettext
from lib.core.labels import scope_label
from lib.core.models import Agreement, Metric, Period
from lib.core.periods import billing_periods
from lib.core.safe_text import markdown
from lib.core.schema import TAG_PREFIX
from lib.sources.azure import THROTTLED, AzureSource, Connection, dimension_label
from lib.ui import cache_azure, download_buttons, state
from lib.ui.widgets import labels_of

SCOPE_PICK: Final = "azure_scope"
SCOPE_PASTE: Final = state.AZURE_SCOPE_PASTE
GROUP: Final = "azure_group_by"
TAG: Final = "azure_tag"
FILTER_DIM: Final = "azure_filter_dim"
FILTER_VALUES: Final = "azure_filter_values"
LOADED: Final = "azure_loaded"
REFRESH: Final = "azure_refresh"
REPORT: Final = "azure_report"
NO_FILTER: Final = N_("(none)")  # the widget's value; shown through _()
REPORT_KINDS: Final = {
    "billing_period": N_("Billing period (EA)"),
    "invoice": N_("Invoice id (MCA)"),
    "range": N_("Date range (≤ 1 month)"),
}


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return _("just now")
    if minutes < 90:
        return ngettext("{n} min ago", "{n} min ago", minutes).format(n=minutes)
    hours = minutes / 60
    return ngettext("{n} h ago", "{n} h ago", round(hours)).format(n=fmt.number(hours, 1))


def _choice_label(choice: ScopeChoice) -> str:
    """The picker's label in the reader's language: ``Resource group: rg-web (Contoso Production) [EA]``."""
    suffix = f" ({choice.parent})" if choice.parent else ""
    agreement = f" [{choice.agreement}]" if choice.agreement is not Agreement.UNKNOWN else ""
    return f"{scope_label(choice.scope)}{suffix}{agreement}"


def _discovery(connection: Connection) -> Discovery:
    """The scopes this identity can pick; the hints are worded in the reader's language, so cached per language."""
    key = ("discovery", i18n.get_language())
    return cache_azure.cached(connection, key, lambda: discover(Clients(connection.credential, connection.settings))).value


def _query_period(as_of: date) -> Period:
    """The billing history window, widened to the period chosen in the sidebar (its earlier start)."""
    history = Period(billing_periods(as_of)[0].start, as_of)
    chosen = state.current_view(as_of).period
    if chosen is None:
        return history
    return Period(min(history.start, chosen.start), max(history.end, min(chosen.end, as_of)))


def _pick_scope(bar: st.delta_generator.DeltaGenerator, connection: Connection) -> tuple[str | None, Agreement, str | None]:
    found = _discovery(connection)
    choices: dict[str, ScopeChoice] = {c.scope.id: c for c in found.choices}
    bar.selectbox(
        _("Scope"),
        list(choices),
        index=None,
        format_func=labels_of(choices, lambda i: _choice_label(choices[i])),
        key=SCOPE_PICK,
        placeholder=_("Choose a scope") if choices else _("No scopes found: paste an id below"),
    )
    pasted = bar.text_input(_("…or paste a scope id"), key=SCOPE_PASTE, placeholder="/subscriptions/…")
    if found.hints or found.skipped:
        with bar.expander(_("Why is a scope missing?")):
            for hint in found.hints:
                st.write(hint)
            for skipped in found.skipped:
                st.caption(_("Skipped: {reason}").format(reason=markdown(skipped)))
    chosen_id = (pasted or "").strip() or st.session_state.get(SCOPE_PICK)
    if not chosen_id:
        return None, Agreement.UNKNOWN, None
    choice = choices.get(chosen_id)
    if choice is not None:
        return choice.scope.id, choice.agreement, choice.scope.name
    try:
        return scope_from_id(chosen_id).id, agreement_of(chosen_id), None
    except ScopeIdError as error:
        bar.error(markdown(error))  # quotes the id, which a link can set
        return None, Agreement.UNKNOWN, None


def _query_options(bar: st.delta_generator.DeltaGenerator) -> tuple[str | None, tuple[tuple[str, tuple[str, ...]], ...]]:
    options = [*SECOND_DIMENSIONS, ""]
    group = bar.selectbox(
        _("Break down by (besides service)"),
        options,
        format_func=labels_of(options, lambda k: dimension_label(k).capitalize() if k else _("Nothing else")),
        key=GROUP,
        help=_("Azure returns cost per day, service and one more dimension; pick another one to see it."),
    )
    tag = bar.text_input(_("…or by tag key"), key=TAG, placeholder=_("e.g. costCenter")).strip()
    group_by = f"{TAG_PREFIX}{tag}" if tag else (group or None)
    with bar.expander(_("Server-side filter")):
        # Azure's own dimension names: they are what the query sends.
        filter_options = [NO_FILTER, *SECOND_DIMENSIONS, "MeterCategory"]
        dimension = st.selectbox(
            _("Dimension"), filter_options, format_func=labels_of(filter_options, lambda d: _(d) if d == NO_FILTER else d), key=FILTER_DIM
        )
        values_text = st.text_input(_("Values (comma separated)"), key=FILTER_VALUES, disabled=dimension == NO_FILTER)
    values = tuple(v.strip() for v in (values_text or "").split(",") if v.strip())
    filters = ((dimension, values),) if dimension != NO_FILTER and values else ()
    return group_by, filters


def _load(source: AzureSource, spec: QuerySpec, connection: Connection, as_of: date, refresh: bool) -> Dataset | str:
    def compute() -> Dataset | str:
        throttled = _(THROTTLED).split("{", 1)[0]
        with st.status(_("Loading cost from Azure…"), expanded=True) as status:
            bar = st.progress(0.0)
            line = st.empty()

            def progress(fraction: float, text: str) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0))
                if text.startswith(throttled):
                    st.write(f":material/hourglass_top: {text}")
                else:
                    line.write(text)

            try:
                request = LoadRequest(as_of=as_of, metric=spec.metric, period=spec.period, scope_id=spec.scope_id)
                dataset = source.load(request, progress=progress)
            except SourceError as error:
                status.update(label=_("Azure did not deliver the data"), state="error")
                return str(error)
            rows = dataset.live.rows if dataset.live else 0
            loaded = ngettext("Loaded {n} row from Azure", "Loaded {n} rows from Azure", rows).format(n=fmt.count(rows))
            status.update(label=loaded, state="complete", expanded=False)
            return dataset

    # The data set's notes and warnings are worded in the reader's language: one entry per language.
    key = ("query", spec, as_of, i18n.get_language())
    result = cache_azure.cached(connection, key, compute, refresh=refresh)
    if isinstance(result.value, str):
        cache_azure.forget(connection, key)
        return result.value
    live = result.value.live
    rows, pages = (live.rows, live.pages) if live else (0, 0)
    st.sidebar.caption(
        _("Data fetched {age} · {rows} rows, {pages} page(s). Azure refreshes cost data about every 4 hours.").format(
            age=_age(result.age_s()), rows=fmt.count(rows), pages=pages
        )
    )
    return result.value


def _cost_details(source: AzureSource, scope_id: str, agreement: Agreement, metric: Metric, as_of: date) -> None:
    with st.sidebar.expander(_("Raw usage CSV (Cost Details report)")):
        kinds = list(REPORT_KINDS)
        kind = st.radio(_("For"), kinds, format_func=labels_of(kinds, lambda k: _(REPORT_KINDS[k])), key="azure_report_kind")
        billing_period = invoice_id = None
        period = None
        if kind == "billing_period":
            billing_period = st.text_input(_("Billing period (YYYYMM)"), value=f"{as_of:%Y%m}", key="azure_report_period")
        elif kind == "invoice":
            invoice_id = st.text_input(_("Invoice id"), key="azure_report_invoice") or None
        else:
            picked = st.date_input(
                _("From – to"),
                value=(as_of.replace(day=1), as_of),
                max_value=as_of,
                format=fmt.date_input_format(),
                key="azure_report_range",
            )
            if isinstance(picked, tuple) and len(picked) == 2:
                period = Period(picked[0], picked[1])
        request = CostDetailsRequest(scope_id, metric, billing_period, invoice_id, period)
        problem = check_request(request, agreement)
        if problem:
            st.info(problem)
            return
        if st.button(_("Prepare the CSV"), key="azure_report_go"):
            with st.status(_("Preparing the report in Azure…"), expanded=True) as status:
                bar = st.progress(0.0)
                line = st.empty()

                def progress(fraction: float, text: str) -> None:
                    bar.progress(min(max(fraction, 0.0), 1.0))
                    line.write(text)

                try:
                    st.session_state[REPORT] = (request, source.cost_details(request, progress=progress))
                    status.update(label=_("Report ready"), state="complete", expanded=False)
                except SourceError as error:
                    st.session_state.pop(REPORT, None)
                    status.update(label=_("No report"), state="error")
                    st.error(str(error))
        ready = st.session_state.get(REPORT)
        if ready and ready[0] == request:
            download_buttons.download_button(  # made on click, expires soon after (lib/download_buttons.py)
                _("Download cost details CSV"), ready[1].data, file_name="cost-details.csv", mime="text/csv", key="azure_report_dl"
            )


def render_source_controls(as_of: date, metric: Metric) -> Dataset | str:
    """Draw the Azure controls; return the loaded data set or a message saying what is needed."""
    bar = st.sidebar
    signed_in = cache_azure.connection(force=bool(st.session_state.get(REFRESH)))
    if isinstance(signed_in, str):
        bar.warning(_("Not signed in to Azure."))
        bar.button(_("Try again"), key="azure_retry_sign_in", on_click=lambda: st.session_state.update({REFRESH: True}))
        st.session_state[REFRESH] = False
        return signed_in
    connection = signed_in
    bar.caption(_("Signed in as {who} · {cloud} cloud").format(who=connection.who, cloud=connection.settings.cloud))
    scope_id, agreement, name = _pick_scope(bar, connection)
    group_by, filters = _query_options(bar)
    if scope_id is None:
        return _("Choose a scope in the sidebar (or paste a scope id) to load its cost from Azure.")
    spec = QuerySpec(scope_id, _query_period(as_of), metric, group_by, filters)
    left, right = bar.columns(2)
    load = left.button(_("Load"), type="primary", key="azure_load")
    refresh = right.button(_("Refresh now"), key="azure_refresh_now", help=_("Ask Azure again instead of using the cached result"))
    if load or refresh:
        st.session_state[LOADED] = spec
    if st.session_state.get(LOADED) != spec:
        return _("Press Load to query Azure for {scope} ({start} – {end}).").format(
            scope=markdown(scope_id), start=fmt.day(spec.period.start), end=fmt.day(spec.period.end)
        )

    # Closed, final periods come from disk (asked for once per identity and scope); Refresh asks Azure again.
    store = default_store(connection.identity, connection.settings.cache_ttl_s)
    source = AzureSource(
        connection, group_by=group_by, filters=filters, agreement=agreement, scope_name=name, period_store=store, refresh=refresh
    )
    result = _load(source, spec, connection, as_of, refresh)
    if isinstance(result, str):
        st.session_state.pop(LOADED, None)
        bar.error(result)
        return result
    _cost_details(source, scope_id, agreement, metric, as_of)
    return result
