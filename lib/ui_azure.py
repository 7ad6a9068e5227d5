"""Sidebar controls of the live Azure source (sign-in state, scope discovery), drawn only when chosen.

The scope picked here is the query scope: Azure is asked for that scope only. Results are cached
per identity, scope, period and query (``lib.cache_azure``); "Refresh now" asks Azure again.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import streamlit as st

from lib import cache_azure, state
from lib.azure.cost_details import CostDetailsRequest, check_request
from lib.azure.query import SECOND_DIMENSIONS, TAG_PREFIX, QuerySpec
from lib.azure.scopes import ScopeChoice, ScopeIdError, agreement_of, scope_from_id
from lib.models import Agreement, Metric, Period
from lib.periods import billing_periods
from lib.sources.azure import AzureSource, Connection, dimension_label
from lib.sources.base import Dataset, LoadRequest, SourceError

SCOPE_PICK: Final = "azure_scope"
SCOPE_PASTE: Final = "azure_scope_paste"
GROUP: Final = "azure_group_by"
TAG: Final = "azure_tag"
FILTER_DIM: Final = "azure_filter_dim"
FILTER_VALUES: Final = "azure_filter_values"
LOADED: Final = "azure_loaded"
REFRESH: Final = "azure_refresh"
REPORT: Final = "azure_report"
NO_FILTER: Final = "(none)"


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return "just now"
    if minutes < 90:
        return f"{minutes} min ago"
    return f"{minutes / 60:.1f} h ago"


def _query_period(as_of: date) -> Period:
    """The billing history window, widened to the period chosen in the sidebar (its earlier start)."""
    history = Period(billing_periods(as_of)[0].start, as_of)
    chosen = state.current_view(as_of).period
    if chosen is None:
        return history
    return Period(min(history.start, chosen.start), max(history.end, min(chosen.end, as_of)))


def _pick_scope(bar: st.delta_generator.DeltaGenerator, connection: Connection) -> tuple[str | None, Agreement, str | None]:
    found = cache_azure.discovery(connection)
    choices: dict[str, ScopeChoice] = {c.scope.id: c for c in found.value.choices}
    bar.selectbox(
        "Scope",
        list(choices),
        index=None,
        format_func=lambda i: choices[i].label,
        key=SCOPE_PICK,
        placeholder="Choose a scope" if choices else "No scopes found: paste an id below",
    )
    pasted = bar.text_input("…or paste a scope id", key=SCOPE_PASTE, placeholder="/subscriptions/…")
    if found.value.hints or found.value.skipped:
        with bar.expander("Why is a scope missing?"):
            for hint in found.value.hints:
                st.write(hint)
            for skipped in found.value.skipped:
                st.caption(f"Skipped: {skipped}")
    chosen_id = (pasted or "").strip() or st.session_state.get(SCOPE_PICK)
    if not chosen_id:
        return None, Agreement.UNKNOWN, None
    choice = choices.get(chosen_id)
    if choice is not None:
        return choice.scope.id, choice.agreement, choice.scope.name
    try:
        return scope_from_id(chosen_id).id, agreement_of(chosen_id), None
    except ScopeIdError as error:
        bar.error(str(error))
        return None, Agreement.UNKNOWN, None


def _query_options(bar: st.delta_generator.DeltaGenerator) -> tuple[str | None, tuple[tuple[str, tuple[str, ...]], ...]]:
    options = [*SECOND_DIMENSIONS, ""]
    group = bar.selectbox(
        "Break down by (besides service)",
        options,
        format_func=lambda k: dimension_label(k).capitalize() if k else "Nothing else",
        key=GROUP,
        help="Azure returns cost per day, service and one more dimension; pick another one to see it.",
    )
    tag = bar.text_input("…or by tag key", key=TAG, placeholder="e.g. costCenter").strip()
    group_by = f"{TAG_PREFIX}{tag}" if tag else (group or None)
    with bar.expander("Server-side filter"):
        dimension = st.selectbox("Dimension", [NO_FILTER, *SECOND_DIMENSIONS, "MeterCategory"], key=FILTER_DIM)
        values_text = st.text_input("Values (comma separated)", key=FILTER_VALUES, disabled=dimension == NO_FILTER)
    values = tuple(v.strip() for v in (values_text or "").split(",") if v.strip())
    filters = ((dimension, values),) if dimension != NO_FILTER and values else ()
    return group_by, filters


def _load(source: AzureSource, spec: QuerySpec, connection: Connection, as_of: date, refresh: bool) -> Dataset | str:
    def compute() -> Dataset | str:
        with st.status("Loading cost from Azure…", expanded=True) as status:
            bar = st.progress(0.0)
            line = st.empty()

            def progress(fraction: float, text: str) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0))
                if text.startswith("throttled"):
                    st.write(f":material/hourglass_top: {text}")
                else:
                    line.write(text)

            try:
                request = LoadRequest(as_of=as_of, metric=spec.metric, period=spec.period, scope_id=spec.scope_id)
                dataset = source.load(request, progress=progress)
            except SourceError as error:
                status.update(label="Azure did not deliver the data", state="error")
                return str(error)
            status.update(label=f"Loaded {dataset.extras.get('query_rows', 0):,} rows from Azure", state="complete", expanded=False)
            return dataset

    result = cache_azure.cached(connection, ("query", spec, as_of), compute, refresh=refresh)
    if isinstance(result.value, str):
        cache_azure.forget(connection, ("query", spec, as_of))
        return result.value
    st.sidebar.caption(
        f"Data fetched {_age(result.age_s())} · {result.value.extras.get('query_rows', 0):,} rows, "
        f"{result.value.extras.get('pages', 0)} page(s). Azure refreshes cost data about every 4 hours."
    )
    return result.value


def _cost_details(source: AzureSource, scope_id: str, agreement: Agreement, metric: Metric, as_of: date) -> None:
    with st.sidebar.expander("Raw usage CSV (Cost Details report)"):
        kind = st.radio("For", ["Billing period (EA)", "Invoice id (MCA)", "Date range (≤ 1 month)"], key="azure_report_kind")
        billing_period = invoice_id = None
        period = None
        if kind.startswith("Billing"):
            billing_period = st.text_input("Billing period (YYYYMM)", value=f"{as_of:%Y%m}", key="azure_report_period")
        elif kind.startswith("Invoice"):
            invoice_id = st.text_input("Invoice id", key="azure_report_invoice") or None
        else:
            picked = st.date_input("From – to", value=(as_of.replace(day=1), as_of), max_value=as_of, key="azure_report_range")
            if isinstance(picked, tuple) and len(picked) == 2:
                period = Period(picked[0], picked[1])
        request = CostDetailsRequest(scope_id, metric, billing_period, invoice_id, period)
        problem = check_request(request, agreement)
        if problem:
            st.info(problem)
            return
        if st.button("Prepare the CSV", key="azure_report_go"):
            with st.status("Preparing the report in Azure…", expanded=True) as status:
                bar = st.progress(0.0)
                line = st.empty()

                def progress(fraction: float, text: str) -> None:
                    bar.progress(min(max(fraction, 0.0), 1.0))
                    line.write(text)

                try:
                    st.session_state[REPORT] = (request, source.cost_details(request, progress=progress))
                    status.update(label="Report ready", state="complete", expanded=False)
                except SourceError as error:
                    st.session_state.pop(REPORT, None)
                    status.update(label="No report", state="error")
                    st.error(str(error))
        ready = st.session_state.get(REPORT)
        if ready and ready[0] == request:
            st.download_button(
                "Download cost details CSV", ready[1].data, file_name="cost-details.csv", mime="text/csv", key="azure_report_dl"
            )


def render_source_controls(as_of: date, metric: Metric) -> Dataset | str:
    """Draw the Azure controls; return the loaded data set or a message saying what is needed."""
    bar = st.sidebar
    signed_in = cache_azure.connection(force=bool(st.session_state.get(REFRESH)))
    if isinstance(signed_in, str):
        bar.warning("Not signed in to Azure.")
        bar.button("Try again", key="azure_retry_sign_in", on_click=lambda: st.session_state.update({REFRESH: True}))
        st.session_state[REFRESH] = False
        return signed_in
    connection = signed_in
    bar.caption(f"Signed in as {connection.who} · {connection.settings.cloud} cloud")
    scope_id, agreement, name = _pick_scope(bar, connection)
    group_by, filters = _query_options(bar)
    if scope_id is None:
        return "Choose a scope in the sidebar (or paste a scope id) to load its cost from Azure."
    spec = QuerySpec(scope_id, _query_period(as_of), metric, group_by, filters)
    left, right = bar.columns(2)
    load = left.button("Load", type="primary", key="azure_load")
    refresh = right.button("Refresh now", key="azure_refresh_now", help="Ask Azure again instead of using the cached result")
    if load or refresh:
        st.session_state[LOADED] = spec
    if st.session_state.get(LOADED) != spec:
        return f"Press Load to query Azure for {scope_id} ({spec.period.start:%d %b %Y} – {spec.period.end:%d %b %Y})."
    source = AzureSource(connection, group_by=group_by, filters=filters, agreement=agreement, scope_name=name)
    result = _load(source, spec, connection, as_of, refresh)
    if isinstance(result, str):
        st.session_state.pop(LOADED, None)
        bar.error(result)
        return result
    _cost_details(source, scope_id, agreement, metric, as_of)
    return result
