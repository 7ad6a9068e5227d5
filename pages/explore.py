"""Explore: group cost by any dimension or tag key, as a chart and a table."""

import streamlit as st

from lib.analysis import describe, views
from lib.core import fmt, labels
from lib.core.i18n import _
from lib.core.periods import period_label
from lib.core.safe_text import markdown
from lib.output import charts
from lib.ui import sidebar, state, widgets

context = widgets.context()
dataset = widgets.require_dataset(context)

st.title(_("Explore"))
choices = sidebar.group_choices(dataset)
if st.session_state.get(state.GROUP_BY) not in choices:
    st.session_state[state.GROUP_BY] = choices[0]
group_by = st.selectbox(
    _("Group by"), choices, format_func=widgets.labels_of(choices, labels.dimension_label), key=state.GROUP_BY, persist_state="session"
)
view = views.View(**{**context.view.__dict__, "group_by": group_by})
model = views.explore(dataset, view)
currency = model.selection.currency
label = labels.dimension_label(group_by)
in_text = labels.dimension_in_text(group_by)  # a tag key as the data writes it
st.caption(
    _("{period} · {rows} rows after filters · every sidebar filter applies").format(
        period=period_label(model.selection.period), rows=fmt.count(model.selection.row_count)
    )
)

if view.filters.active:
    st.caption(describe.markdown_literal(describe.filters_text(view.filters)))
shown_groups = min(model.table.height, charts.BREAKDOWN_GROUPS)
if shown_groups < model.table.height:
    st.caption(
        _("The chart shows the {shown} costliest of {total} groups; the table below lists them all.").format(
            shown=shown_groups, total=fmt.count(model.table.height)
        )
    )
widgets.chart(
    charts.build_breakdown_chart(model.table, model.colours, currency, _("Cost by {group}").format(group=in_text)), key="breakdown_chart"
)
widgets.chart(
    charts.build_daily_cost_chart(model.daily, model.colours, currency, _("Daily cost by {group}").format(group=in_text)),
    key="explore_daily_chart",
)
# The breakdown chart's table alternative: every group, not only the 25 the chart shows.
st.header(_("Cost by {group}").format(group=markdown(in_text)))  # a tag key is the data's
cost_column = _("Cost ({currency})").format(currency=currency)
st.dataframe(
    widgets.styled_table(
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
widgets.csv_download(model.table, "cost-by-" + group_by)
widgets.show_table(
    model.daily.filter(model.daily["cost"] != 0).sort("day", "group"),  # one order every run: the CSV is the same file each time
    label=_("Daily cost as a table"),
    columns={"day": _("Day"), "group": label, "cost": _("Cost")},
    money_columns=("cost",),
    date_columns=("day",),
    group_columns=("group",),
    currency=currency,
    csv_name="daily-cost-by-" + group_by,
)
