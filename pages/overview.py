"""Overview: headline figures, daily cost by service, billed vs estimate, accumulated cost."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from lib.analysis import anomaly_view, budget_view, budgets, describe, estimate_view, views
from lib.core import labels
from lib.core.fmt import day, money, percent, share
from lib.core.i18n import _
from lib.core.periods import period_label
from lib.core.safe_text import markdown
from lib.output import charts, tables
from lib.ui import budgets_panel, state, widgets

context = widgets.context()
dataset = widgets.require_dataset(context)
model = views.overview(dataset, context.view)
head = model.headline
currency = head.currency
chosen = model.selection
last_closed = model.bills[-2] if len(model.bills) > 1 else None

st.title(_("Azure usage and charges"))
scope_text = markdown(labels.scope_label(chosen.scope)) if chosen.scope else _("All scopes")  # a subscription name is the data's
st.caption(
    " · ".join(
        (scope_text, period_label(chosen.period), labels.format_label(dataset), _("data up to {day}").format(day=day(context.as_of)))
    )
)
filtered = context.view.filters.active
if filtered:
    st.caption(describe.markdown_literal(describe.filters_text(context.view.filters)))
if chosen.other_currencies:
    others = ", ".join(money(v, c) for c, v in chosen.other_currencies.items())
    st.warning(
        _("Also charged in other currencies, shown separately and never added up: {amounts}. Pick the currency in the sidebar.").format(
            amounts=others
        )
    )

open_label = period_label(model.latest_period)
last_label = period_label(last_closed.period) if last_closed else head.last_closed_label


def for_period(figure: str, period: str) -> str:
    """A figure's label naming the period it describes, so no figure can be read as the chosen period's by mistake."""
    return _("{figure} ({period})").format(figure=figure, period=period)


# A row that wraps: each figure as wide as its text, so a long amount (Dutch, millions, a laptop screen) moves to the
# next line instead of being cut off.
headline = st.container(horizontal=True, gap="medium")
# A filtered figure is a part of the bill, never an invoice amount.
invoiced = head.last_closed_invoiced and not filtered
estimate = model.estimate
azure = model.azure_forecast


def closed_help(period: str, invoiced_help: str) -> str:
    """What a closed period's figure is: ``invoiced_help`` when invoiced, else filtered rows or the final actual cost."""
    if invoiced:
        return invoiced_help
    if filtered:
        return _("{period}: the cost of the filtered rows only, not an invoice amount").format(period=period)
    return _("{period}: final actual cost, no invoice in the data").format(period=period)


if estimate is None:
    # The data's last billing period has ended (a file of a past month): it is shown as the closed period it is.
    latest = model.bills[-1]
    invoice_help = _("{period}: invoice {invoice}").format(period=open_label, invoice=", ".join(latest.invoice_ids))
    headline.metric(
        for_period(_("Invoiced") if invoiced else _("Closed period total"), open_label),
        money(head.last_closed_amount, currency),
        help=closed_help(open_label, invoice_help),
        width="content",
    )
    headline.metric(
        for_period(_("Change vs previous period"), _("{period} vs {previous}").format(period=open_label, previous=last_label)),
        percent(head.change_vs_last),
        help=_("The closed period's total compared with the period before."),
        width="content",
    )
else:
    headline.metric(
        for_period(_("Cost so far this period"), open_label),
        money(head.cost_so_far, currency),
        help=_("{period}, up to {day}").format(period=period_label(estimate.period), day=day(estimate.last_data_day)),
        width="content",
    )
    headline.metric(
        for_period(_("Estimate to period end"), open_label),
        money(head.estimate_total, currency),
        delta=_("{change} vs last period").format(change=percent(head.change_vs_last)) if head.change_vs_last is not None else None,
        delta_color="inverse",
        help=_("An estimate ({method}); updated daily, it may not include all usage yet and can differ from the invoice.").format(
            method=labels.estimate_method(estimate.method)
        ),
        width="content",
    )
    if azure is not None:  # live Azure: Cost Management's own forecast beside the dashboard's estimate
        headline.metric(
            for_period(_("Azure forecast"), open_label),
            money(azure.total, currency) if azure.total is not None else _("not available"),
            help=(
                _("Cost Management's Forecast API for the whole scope, actual cost so far included.")
                if azure.total is not None
                else _("Azure gave no forecast: {reason}").format(reason=azure.reason)
            ),
            width="content",
        )
    headline.metric(
        for_period(_("Last invoiced") if invoiced else _("Last closed period"), last_label),
        money(head.last_closed_amount, currency),
        help=closed_help(last_label, last_label),
        width="content",
    )
    headline.metric(
        for_period(_("Change vs previous period"), _("{period} vs {previous}").format(period=open_label, previous=last_label)),
        percent(head.change_vs_last),
        help=_("Estimate to period end compared with the last closed period."),
        width="content",
    )
headline.metric(
    for_period(_("Total in selected period"), period_label(chosen.period)),
    money(head.selected_total, currency),
    help=_("{period}, all filters applied").format(period=period_label(chosen.period)),
    width="content",
)

# Budgets in this currency: where each stands, and the day each threshold is (forecast to be) reached.
try:
    budget_list = [b for b in budgets.load(budgets_panel.path()) if b.currency == currency]
except budgets.BudgetError as error:
    budget_list = []
    st.warning(_("The budgets file cannot be used: {problem}. It was left as it is.").format(problem=str(error)))
# (name as shown, name on the chart, status): the dashboard's budgets, then Azure's own for a live scope where the loaded
# rows give them a forecast (the Budgets page says why the others have none).
budget_states = [(anomaly_view.markdown_text(s.budget.name), s.budget.name, s) for s in budget_view.statuses(dataset, budget_list)]
if context.view.source == "azure" and context.view.scope_id:
    azure_list = budgets_panel.azure_budgets(context.view.scope_id)
    for outlook in budget_view.azure_outlooks(dataset, azure_list if isinstance(azure_list, list) else [], currency):
        if outlook.status is not None and outlook.status.budget.currency == currency:
            name = _("{name} (Azure)").format(name=outlook.azure.name)
            budget_states.append((anomaly_view.markdown_text(name), name, outlook.status))
for shown_name, _chart_name, found_budget in budget_states:
    reached = []
    for threshold, when in found_budget.threshold_days.items():
        if when is not None:
            template = (
                _("{share} reached on {day}")
                if when <= found_budget.period.end and when <= context.as_of
                else _("{share} forecast for {day}")
            )
            reached.append(template.format(share=share(threshold), day=day(when)))
    st.caption(
        _("Budget {name}: {spent} of {amount} spent ({used}), estimate {estimate}. {thresholds}").format(
            name=shown_name + ("" if found_budget.budget.time_grain == "monthly" else f" ({period_label(found_budget.period)})"),
            spent=money(found_budget.spent, currency),
            amount=money(found_budget.budget.amount, currency),
            used=share(found_budget.used),
            estimate=money(found_budget.estimate_total, currency),
            thresholds="; ".join(reached) if reached else _("Not forecast to reach 50 % this period."),
        )
    )

group_label = labels.dimension_label(context.view.group_by)
found = anomaly_view.findings(dataset, context.view, state.anomaly_sensitivity(), state.expected_anomalies())


def build_daily_chart() -> go.Figure:
    figure = charts.build_daily_cost_chart(
        model.daily, model.colours, currency, _("Daily cost by {group}").format(group=labels.dimension_in_text(context.view.group_by))
    )
    return charts.add_anomaly_markers(figure, model.daily, [(a.day, a.value, a.impact) for a in found.open], currency)


# The busiest chart (a bar per day and series) is built once per view, anomaly setting and language.
daily_key = ("daily", context.view, context.as_of, state.anomaly_sensitivity(), frozenset(state.expected_anomalies()))
widgets.chart(widgets.remembered_chart(dataset, daily_key, build_daily_chart), key="daily_chart")
if found.open:
    st.caption(_("▼ marks the first day of an anomaly ({count} in this period); see the Anomalies page.").format(count=len(found.open)))
widgets.show_table(
    model.daily.filter(model.daily["cost"] != 0).sort("day", "group"),  # one order every run: the CSV is the same file each time
    label=_("Daily cost as a table"),
    columns={"day": _("Day"), "group": group_label, "cost": _("Cost")},
    money_columns=("cost",),
    date_columns=("day",),
    group_columns=("group",),
    currency=currency,
    csv_name="daily-cost-by-" + context.view.group_by,
    open_key=state.TABLE_DAILY,
)

left, right = st.columns(2)
with left:
    widgets.chart(charts.build_billing_chart(model.bills, currency, filtered=filtered), key="billing_chart")
    closed_note = (
        _("Closed periods show the filtered rows' cost, not invoice amounts.")
        if filtered
        else _("Closed periods show the invoiced amount.")
    )
    st.caption(closed_note if estimate is None else charts.estimate_note() + " " + closed_note)
    widgets.show_table(
        views.bills_table(model.bills, currency),
        label=_("Billing periods as a table"),
        columns={
            "period": _("Billing period"),
            "status": _("Status"),
            "invoice": _("Invoice"),
            "amount": _("Amount"),
        },
        money_columns=("amount",),
        currency=currency,
        csv_frame=tables.bills_for_csv(model.bills),
        csv_name="billing-periods",
        open_key=state.TABLE_BILLING,
    )
with right:
    accumulated_chart = charts.build_accumulated_chart(
        model.accumulated, currency, _("Accumulated cost, {period}").format(period=open_label)
    )
    for _shown_name, chart_name, found_budget in budget_states:
        if budget_view.matches_view(dataset, found_budget.budget, context.view, currency):
            charts.add_budget_lines(
                accumulated_chart,
                chart_name,
                found_budget.budget.amount,
                found_budget.budget.thresholds,
                currency,
                found_budget.breach_day,
            )
    widgets.chart(accumulated_chart, key="accumulated_chart")
    if estimate is not None:
        st.caption(
            _("Estimate method: {method}; one-off purchases and refunds are not extrapolated.").format(
                method=labels.estimate_method(estimate.method)
            )
        )
        trust = estimate_view.accuracy(dataset, context.view)
        if trust.typical_error is not None:
            st.caption(
                _(
                    "Estimates made on day {day} of a period have been within ±{error} of the final total "
                    "(median over {periods} closed periods in the data)."
                ).format(day=trust.day, error=share(trust.typical_error), periods=trust.periods)
            )
            labels = {"weekday average": _("Weekday average"), "damped trend": _("Weekday rhythm on a damped trend")}
            widgets.show_table(
                trust.table().with_columns(pl.col("method").replace_strict(labels, return_dtype=pl.String)),
                label=_("Estimate accuracy as a table"),
                columns={"method": _("Method"), **{f"day_{d}": _("Day {day}").format(day=d) for d in (3, 7, 14, 21, 28)}},
                share_columns=tuple(f"day_{d}" for d in (3, 7, 14, 21, 28)),
                currency=currency,
                open_key=state.TABLE_ACCURACY,
            )
    if azure is not None:
        st.caption(
            _(
                "Azure's forecast is not back-tested: the Forecast API only forecasts from today on (it refuses periods "
                "in the past), so what it would have said on an earlier day cannot be asked, and the dashboard keeps no "
                "past answers."
            )
        )
    kinds = {"actual": _("Actual cost"), "estimate": _("Estimate")}
    widgets.show_table(
        model.accumulated.with_columns(pl.col("kind").replace_strict(kinds, return_dtype=pl.String)),
        label=_("Accumulated cost as a table"),
        columns={"day": _("Day"), "cumulative": _("Accumulated cost"), "kind": _("Kind")},
        money_columns=("cumulative",),
        date_columns=("day",),
        currency=currency,
        csv_name="accumulated-cost",
        open_key=state.TABLE_ACCUMULATED,
    )
