"""Anomalies: days whose usage cost is out of the ordinary, per value of any dimension, with what caused them."""

import polars as pl
import streamlit as st

from lib.analysis import anomaly_view, views
from lib.analysis.anomalies import PROVISIONAL_DAYS, SENSITIVITIES
from lib.core import fmt, labels
from lib.core.i18n import _
from lib.core.periods import period_label
from lib.ui import sidebar, state, widgets

SHOWN_IN_DETAIL = 20  # anomalies with their contributors and a "mark as expected" button; the table holds all

context = widgets.context()
dataset = widgets.require_dataset(context)

st.title(_("Anomalies"))
controls = st.columns(2)
choices = sidebar.group_choices(dataset)
if st.session_state.get(state.GROUP_BY) not in choices:
    st.session_state[state.GROUP_BY] = choices[0]
group_by = controls[0].selectbox(
    _("Look per"), choices, format_func=widgets.labels_of(choices, labels.dimension_label), key=state.GROUP_BY, persist_state="session"
)
if st.session_state.get(state.ANOMALY_SENSITIVITY) not in SENSITIVITIES:
    st.session_state[state.ANOMALY_SENSITIVITY] = "normal"
sensitivity = controls[1].select_slider(
    _("Sensitivity"),
    list(SENSITIVITIES),
    format_func=lambda s: _(anomaly_view.SENSITIVITY_LABELS[s]),
    key=state.ANOMALY_SENSITIVITY,
    help=_("How far from its usual range a day must be to be flagged. Normal keeps false alarms rare."),
    persist_state="session",
)
view = views.View(**{**context.view.__dict__, "group_by": group_by})
found = anomaly_view.findings(dataset, view, sensitivity, state.expected_anomalies())
currency = views.select(dataset, view).currency
label = labels.dimension_label(group_by)
st.caption(
    _(
        "{period} · each {dimension} against its own history, weekday rhythm included · usage only: purchases, refunds "
        "and other one-off charges are left out · the last {days} days are provisional"
    ).format(period=period_label(views.select(dataset, view).period), dimension=labels.dimension_in_text(group_by), days=PROVISIONAL_DAYS)
)

if not found.open:
    st.success(_("No anomalies in this period."))
else:
    st.header(_("{count} anomalies").format(count=fmt.count(len(found.open))))
    kinds = {kind: _(text) for kind, text in anomaly_view.KIND_LABELS.items()}
    st.dataframe(
        widgets.styled_table(
            anomaly_view.table(found.open).with_columns(pl.col("kind").replace_strict(kinds, return_dtype=pl.String)),
            columns={
                "day": _("First day"),
                "value": label,
                "kind": _("Kind"),
                "cost": _("Cost"),
                "expected_low": _("Expected from"),
                "expected_high": _("Expected to"),
                "impact": _("Impact"),
                "last_day": _("Until"),
                "total_impact": _("Total impact"),
            },
            money_columns=("cost", "expected_low", "expected_high", "impact", "total_impact"),
            date_columns=("day", "last_day"),
            group_columns=("value",),
            currency=currency,
        ),
        hide_index=True,
        width="stretch",
        key="anomalies_table",
    )
    for anomaly in found.open[:SHOWN_IN_DETAIL]:
        title = _("{day} · {value} · {kind}: impact {impact}").format(
            day=fmt.day(anomaly.day),
            value=anomaly_view.markdown_text(anomaly.value),
            kind=kinds[anomaly.kind],
            impact=fmt.money(anomaly.impact, currency),
        )
        with st.expander(title):
            st.caption(
                _("Cost {cost}; expected {low} to {high}. The contributors' excess adds up to the impact.").format(
                    cost=fmt.money(anomaly.cost, currency),
                    low=fmt.money(anomaly.expected_low, currency),
                    high=fmt.money(anomaly.expected_high, currency),
                )
            )
            st.dataframe(
                widgets.styled_table(
                    anomaly_view.contributors_table(anomaly),
                    columns={
                        "resource": _("Resource"),
                        "meter": _("Meter"),
                        "cost": _("Cost"),
                        "expected": _("Expected"),
                        "excess": _("Excess"),
                    },
                    money_columns=("cost", "expected", "excess"),
                    currency=currency,
                ),
                hide_index=True,
                width="stretch",
            )
            st.button(
                _("Mark as expected"),
                key=f"expect_{anomaly.key}",
                on_click=state.mark_expected,
                args=(anomaly.key, True),
                help=_("Hides this anomaly here and on the overview, for this session and in the shared link."),
            )

if found.provisional:
    st.header(_("Provisional: data not settled yet"))
    st.caption(_("Azure's usage data arrive 8 to 24 hours late; these days are out of their usual range so far but are not flagged."))
    provisional = pl.DataFrame(
        [
            {"day": p.day, "value": p.value, "cost": p.cost, "expected_low": p.expected_low, "expected_high": p.expected_high}
            for p in found.provisional
        ],
        schema={"day": pl.Date, "value": pl.String, "cost": pl.Float64, "expected_low": pl.Float64, "expected_high": pl.Float64},
    )
    st.dataframe(
        widgets.styled_table(
            provisional,
            columns={
                "day": _("Day"),
                "value": label,
                "cost": _("Cost"),
                "expected_low": _("Expected from"),
                "expected_high": _("Expected to"),
            },
            money_columns=("cost", "expected_low", "expected_high"),
            date_columns=("day",),
            group_columns=("value",),
            currency=currency,
        ),
        hide_index=True,
        width="stretch",
    )

if found.marked:
    with st.expander(_("Marked as expected ({count})").format(count=len(found.marked))):
        for anomaly in found.marked:
            left, right = st.columns([4, 1])
            left.text(f"{fmt.day(anomaly.day)} · {anomaly.value} · {fmt.money(anomaly.impact, currency)}")
            right.button(_("Undo"), key=f"unexpect_{anomaly.key}", on_click=state.mark_expected, args=(anomaly.key, False))
