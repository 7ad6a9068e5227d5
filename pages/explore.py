"""Explore: group cost by any dimension or tag key, as a chart and a table."""

import streamlit as st

from lib import charts, filters, state, ui, views
from lib.aggregate import TAG_PREFIX
from lib.periods import period_label
from lib.schema import DIMENSIONS

context = ui.context()
dataset = ui.require_dataset(context)

st.title("Explore")
choices = [str(c) for c in DIMENSIONS] + [TAG_PREFIX + key for key in filters.tag_keys(dataset.normalized)]
if st.session_state.get(state.GROUP_BY) not in choices:
    st.session_state[state.GROUP_BY] = choices[0]
group_by = st.selectbox("Group by", choices, format_func=ui.dimension_label, key=state.GROUP_BY)
view = views.View(**{**context.view.__dict__, "group_by": group_by})
model = views.explore(dataset, view)
currency = model.selection.currency
label = ui.dimension_label(group_by)
st.caption(f"{period_label(model.selection.period)} · {model.selection.rows.height:,} rows after filters · every sidebar filter applies")

st.plotly_chart(
    charts.build_breakdown_chart(model.table, model.colours, currency, f"Cost by {label.lower()}"), width="stretch", key="breakdown_chart"
)
st.plotly_chart(
    charts.build_daily_cost_chart(model.daily, model.colours, currency, f"Daily cost by {label.lower()}"),
    width="stretch",
    key="explore_daily_chart",
)
st.subheader(f"Cost by {label.lower()}")
st.dataframe(
    model.table.rename({"group": label, "cost": f"Cost ({currency})", "share": "Share"}).to_pandas(),
    hide_index=True,
    width="stretch",
    column_config={
        f"Cost ({currency})": st.column_config.NumberColumn(format="%.2f"),
        "Share": st.column_config.NumberColumn(format="percent"),
    },
)
