"""Explore: group cost by any dimension or tag key, as a chart and a table."""

import streamlit as st

from lib import charts, fmt, state, ui, views
from lib.i18n import _
from lib.periods import period_label
from lib.safe_text import markdown

context = ui.context()
dataset = ui.require_dataset(context)

st.title(_("Explore"))
choices = ui.group_choices(dataset)
if st.session_state.get(state.GROUP_BY) not in choices:
    st.session_state[state.GROUP_BY] = choices[0]
group_by = st.selectbox(
    _("Group by"), choices, format_func=ui.labels_of(choices, ui.dimension_label), key=state.GROUP_BY, persist_state="session"
)
view = views.View(**{**context.view.__dict__, "group_by": group_by})
model = views.explore(dataset, view)
currency = model.selection.currency
label = ui.dimension_label(group_by)
st.caption(
    _("{period} · {rows} rows after filters · every sidebar filter applies").format(
        period=period_label(model.selection.period), rows=fmt.count(model.selection.row_count)
    )
)

st.plotly_chart(
    charts.build_breakdown_chart(model.table, model.colours, currency, _("Cost by {group}").format(group=label.lower())),
    width="stretch",
    key="breakdown_chart",
)
st.plotly_chart(
    charts.build_daily_cost_chart(model.daily, model.colours, currency, _("Daily cost by {group}").format(group=label.lower())),
    width="stretch",
    key="explore_daily_chart",
)
# The breakdown chart's table alternative: every group, not only the 25 the chart shows.
st.header(_("Cost by {group}").format(group=markdown(label.lower())))  # a tag key is the data's
cost_column = _("Cost ({currency})").format(currency=currency)
st.dataframe(
    ui.styled_table(
        model.table,
        columns={"group": label, "cost": cost_column, "share": _("Share")},
        money_columns=("cost",),
        share_columns=("share",),
        group_columns=("group",),
        currency=currency,
    ),
    hide_index=True,
    width="stretch",
)
ui.show_table(
    model.daily.filter(model.daily["cost"] != 0),
    label=_("Daily cost as a table"),
    columns={"day": _("Day"), "group": label, "cost": _("Cost")},
    money_columns=("cost",),
    date_columns=("day",),
    group_columns=("group",),
    currency=currency,
)
