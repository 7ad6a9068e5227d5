"""Overview: headline figures, daily cost by service, billed vs estimate, accumulated cost."""

import streamlit as st

from lib import charts, ui, views
from lib.fmt import money, percent
from lib.periods import period_label

context = ui.context()
dataset = ui.require_dataset(context)
model = views.overview(dataset, context.view)
head = model.headline
currency = head.currency
chosen = model.selection

st.title("Azure usage and charges")
scope_text = chosen.scope.label if chosen.scope else "All scopes"
st.caption(f"{scope_text} · {period_label(chosen.period)} · {dataset.format} · data up to {context.as_of:%d %b %Y}")
if chosen.other_currencies:
    others = ", ".join(money(v, c) for c, v in chosen.other_currencies.items())
    st.warning(f"Also charged in other currencies, shown separately and never added up: {others}. Pick the currency in the sidebar.")

first, second, third, fourth, fifth = st.columns(5)
first.metric(
    "Cost so far this period",
    money(head.cost_so_far, currency),
    help=f"{period_label(model.estimate.period)}, up to {model.estimate.last_data_day:%d %b}",
)
second.metric(
    "Estimate to period end",
    money(head.estimate_total, currency),
    delta=percent(head.change_vs_last) + " vs last period" if head.change_vs_last is not None else None,
    delta_color="inverse",
    help=f"An estimate ({model.estimate.method}); updated daily, it may not include all usage yet and can differ from the invoice.",
)
third.metric(
    "Last invoiced" if head.last_closed_invoiced else "Last closed period",
    money(head.last_closed_amount, currency),
    help=f"{head.last_closed_label}" + ("" if head.last_closed_invoiced else ": final actual cost, no invoice in the data"),
)
fourth.metric(
    "Change vs previous period", percent(head.change_vs_last), help="Estimate to period end compared with the last closed period."
)
fifth.metric("Total in selected period", money(head.selected_total, currency), help=f"{period_label(chosen.period)}, all filters applied")

group_label = ui.dimension_label(context.view.group_by)
st.plotly_chart(
    charts.build_daily_cost_chart(model.daily, model.colours, currency, f"Daily cost by {group_label.lower()}"),
    width="stretch",
    key="daily_chart",
)
ui.show_table(model.daily.filter(model.daily["cost"] != 0), label="Daily cost as a table", money_columns=("cost",), currency=currency)

left, right = st.columns(2)
with left:
    st.plotly_chart(charts.build_billing_chart(model.bills, currency), width="stretch", key="billing_chart")
    st.caption(charts.ESTIMATE_NOTE + " Closed periods show the invoiced amount.")
    ui.show_table(views.bills_table(model.bills), label="Billing periods as a table", money_columns=("amount", "so_far"), currency=currency)
with right:
    st.plotly_chart(
        charts.build_accumulated_chart(model.accumulated, currency, f"Accumulated cost, {period_label(model.estimate.period)}"),
        width="stretch",
        key="accumulated_chart",
    )
    st.caption(f"Estimate method: {model.estimate.method}; one-off purchases and refunds are not extrapolated.")
