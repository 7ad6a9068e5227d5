"""Changes: why cost changed between two periods, split into its causes to the cent, with a drill-down per cause."""

import polars as pl
import streamlit as st

from lib.analysis import changes
from lib.analysis.changes import PARTS, Part
from lib.core.fmt import money
from lib.core.i18n import _
from lib.output import charts_changes
from lib.ui import changes_panel, widgets

context = widgets.context()
dataset = widgets.require_dataset(context)

st.title(_("Changes"))
st.caption(_("Why cost changed: the change split into its causes, to the cent. The sidebar's filters apply; its period does not."))
chosen = changes_panel.pick_periods(context.as_of, open_last=dataset.last_period_open)
if chosen is None:
    st.stop()
base, compared = chosen

if dataset.source == "azure":
    found = changes_panel.live_comparison(dataset, context.view, base, compared)
    if isinstance(found, str):
        st.warning(
            _(
                "This scope's data cannot be explained here: {reason} Without totals per resource and meter, new and removed "
                "resources, resizes, and price versus quantity cannot be told apart."
            ).format(reason=found)
        )
        st.stop()
    result = found
else:
    result = changes.for_view(dataset, context.view, base, compared)
comparison = result.comparison
currency = comparison.currency

if result.other_currencies:
    st.warning(
        _("Also charged in {currencies}: compared on their own, never added up. Pick the currency in the sidebar.").format(
            currencies=", ".join(result.other_currencies)
        )
    )
for sentence in changes.summary(comparison):
    st.markdown(changes_panel.markdown_text(sentence))

widgets.chart(charts_changes.build_waterfall(comparison), key="changes_waterfall")

parts_table = pl.DataFrame(
    {
        "part": [changes.part_label(p) for p in PARTS],
        "change": [float(v) for v in comparison.parts.values()],
        "items": [comparison.drill_down(p).height for p in PARTS],
        "rule": [changes.part_rule(p) for p in PARTS],
    }
)
st.dataframe(
    widgets.styled_table(
        parts_table,
        columns={"part": _("Cause"), "change": _("Change"), "items": _("Resources and meters"), "rule": _("What falls here")},
        money_columns=("change",),
        currency=currency,
    ),
    hide_index=True,
    width="stretch",
    key="changes_parts",
)
st.caption(
    _("Total change: {change} = {compare} − {base}.").format(
        change=changes.signed_money(comparison.change, currency) or money(0, currency),
        compare=money(float(comparison.compare_total), currency),
        base=money(float(comparison.base_total), currency),
    )
)

st.header(_("Drill down"))
part_keys = [str(p) for p in sorted(PARTS, key=lambda p: (-abs(comparison.part_cents[p]), PARTS.index(p)))]
part = Part(st.selectbox(_("Cause"), part_keys, format_func=widgets.labels_of(part_keys, changes.part_label), key=changes_panel.PART))
st.caption(changes.part_rule(part) + " " + _("Rows without a resource id are keyed by their meter alone."))
rows = comparison.drill_down(part).with_columns(
    pl.col("resource_id").fill_null(_("(no resource id)")),
    pl.col("charge_type").fill_null(""),
)
st.dataframe(
    widgets.styled_table(
        rows.select(
            "resource_id",
            "meter",
            "charge_type",
            "resource_group",
            "service",
            "base_quantity",
            "compare_quantity",
            "base_cost",
            "compare_cost",
            "change",
        ),
        columns={
            "resource_id": _("Resource"),
            "meter": _("Meter"),
            "charge_type": _("Charge type"),
            "resource_group": _("Resource group"),
            "service": _("Service"),
            "base_quantity": _("Quantity (base)"),
            "compare_quantity": _("Quantity (compared)"),
            "base_cost": _("Cost (base)"),
            "compare_cost": _("Cost (compared)"),
            "change": _("Change"),
        },
        money_columns=("base_cost", "compare_cost", "change"),
        currency=currency,
    ),
    hide_index=True,
    width="stretch",
    key="changes_drill_down",
)
