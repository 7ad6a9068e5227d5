"""Budgets: define monthly, quarterly or annual budgets for any source, see where each stands, export them."""

from functools import partial

import streamlit as st

from lib.analysis import budget_view, budgets, filters, frames, views
from lib.analysis.budgets import BudgetError
from lib.core.i18n import _
from lib.core.schema import Col
from lib.ui import budgets_panel, widgets

context = widgets.context()
dataset = widgets.require_dataset(context)
path = budgets_panel.path()

st.title(_("Budgets"))
st.caption(
    _(
        "Budgets per calendar month, quarter or year over the rows their filters select, in one currency. "
        "Saved on the server for you; export them below."
    )
)
try:
    saved = budgets.load(path)
except BudgetError as error:
    st.error(_("The budgets file cannot be used: {problem}. It was left as it is.").format(problem=str(error)))
    st.stop()

currency = views.currency_of(dataset, context.view)
if saved:
    found = budget_view.statuses(dataset, saved)
    st.dataframe(
        widgets.styled_table(
            budget_view.table(found),
            columns={
                "name": _("Budget"),
                "filters": _("Filters"),
                "grain": _("Time grain"),
                "period": _("Period"),
                "amount": _("Amount"),
                "spent": _("Spent so far"),
                "used": _("Used"),
                "estimate": _("Estimate to period end"),
                "reach_50": _("50 % reached"),
                "reach_80": _("80 % reached"),
                "breach": _("Forecast breach date"),
            },
            money_columns=("amount", "spent", "estimate"),
            share_columns=("used",),
            date_columns=("reach_50", "reach_80", "breach"),
            currency=currency,
        ),
        hide_index=True,
        width="stretch",
        key="budgets_table",
    )
    st.caption(
        _(
            "Dates after today are forecasts: the first day the accumulated cost, actual and then estimated day by day, "
            "reaches the share of the amount. Empty: not reached in this period."
        )
    )
    st.download_button(
        _("Export budgets (JSON)"), budgets.dumps(saved).encode(), file_name="budgets.json", mime="application/json", key="budgets_export"
    )
    remove = st.selectbox(_("Budget to remove"), [b.name for b in saved], index=None, key="budget_remove", placeholder=_("Choose a budget"))
    if st.button(_("Remove"), key="budget_remove_button", disabled=remove is None):
        budgets.save(path, [b for b in saved if b.name != remove])
        st.rerun()
else:
    st.info(_("No budgets yet."))

if context.view.source == "azure" and context.view.scope_id:
    st.header(_("Budgets in Azure for this scope"))
    live = budgets_panel.azure_budgets(context.view.scope_id)
    if isinstance(live, str):
        st.warning(_("Azure's budgets could not be read: {reason}").format(reason=live))
    elif not live:
        st.info(_("Azure holds no budgets for this scope."))
    else:
        outlooks = budget_view.azure_outlooks(dataset, live, live[0].currency or currency)
        st.dataframe(
            widgets.styled_table(
                budget_view.azure_table(outlooks),
                columns={
                    "name": _("Budget"),
                    "grain": _("Time grain"),
                    "filters": _("Filters"),
                    "amount": _("Amount"),
                    "spent": _("Spent (Azure's last evaluation)"),
                    "forecast": _("Azure's forecast"),
                    "thresholds": _("Alert thresholds"),
                    "period": _("Period"),
                    "dashboard_spent": _("Spent so far"),
                    "estimate": _("Estimate to period end"),
                    "reach_50": _("50 % reached"),
                    "reach_80": _("80 % reached"),
                    "breach": _("Forecast breach date"),
                    "basis": _("Forecast from"),
                },
                money_columns=("amount", "spent", "forecast", "dashboard_spent", "estimate"),
                date_columns=("reach_50", "reach_80", "breach"),
                currency=live[0].currency or currency,
            ),
            hide_index=True,
            width="stretch",
            key="azure_budgets_table",
        )
        st.caption(
            _(
                "The breach dates are the dashboard's: the loaded rows of this scope under the budget's filter, estimated "
                "to the period's end as above. Where the rows cannot say it, only Azure's forecast spend is shown, without a date."
            )
        )

st.header(_("New budget"))
prepared = frames.prepared(dataset)
with st.form("new_budget", clear_on_submit=True):
    name = st.text_input(_("Name"), key="budget_name")
    grain = st.selectbox(_("Time grain"), budgets.TIME_GRAINS, format_func=budget_view.grain_label, key="budget_grain")
    amount = st.number_input(_("Amount per period ({currency})").format(currency=currency), min_value=0.0, step=100.0, key="budget_amount")
    services = st.multiselect(
        _("Services"), prepared.memo(("options", Col.SERVICE), partial(filters.options, dataset.frame, Col.SERVICE)), placeholder=_("All")
    )
    groups = st.multiselect(
        _("Resource groups"),
        prepared.memo(("options", Col.RESOURCE_GROUP), partial(filters.options, dataset.frame, Col.RESOURCE_GROUP)),
        placeholder=_("All"),
    )
    if st.form_submit_button(_("Save budget")):
        chosen = {k: list(v) for k, v in (("service", services), ("resource_group", groups)) if v}
        try:
            budget = budgets.budget_from({"name": name, "amount": amount, "currency": currency, "filters": chosen, "time_grain": grain})
            if any(b.name == budget.name for b in saved):
                raise BudgetError(_("a budget named {name} exists already").format(name=budget.name))
        except BudgetError as error:
            st.error(_("Not saved: {problem}.").format(problem=str(error)))
        else:
            budgets.save(path, [*saved, budget])
            st.rerun()
