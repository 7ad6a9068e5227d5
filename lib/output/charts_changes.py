"""The waterfall of a change between two periods: base total → each part → compared total (``lib.analysis.changes``)."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from lib.analysis.changes import PARTS, Comparison, part_label, signed_money
from lib.core import fmt
from lib.core.i18n import _, current_locale
from lib.core.periods import period_label
from lib.output.charts import money_axis, styled_figure

RISE = "#CC6677"  # a part that raises cost
FALL = "#117733"  # a part that lowers cost
TOTAL = "#332288"


def build_waterfall(comparison: Comparison) -> go.Figure:
    """Bars from the base total through each part (zero parts included, so every cause has its place) to the compared total."""
    locale = current_locale()
    currency = comparison.currency
    labels = [period_label(comparison.base), *(part_label(p) for p in PARTS), period_label(comparison.compare)]
    amounts = [comparison.base_total, *comparison.parts.values(), comparison.compare_total]
    texts = [
        fmt.money(float(comparison.base_total), currency, locale),
        *(signed_money(v, currency, locale) or fmt.money(0, currency, locale) for v in comparison.parts.values()),
        fmt.money(float(comparison.compare_total), currency, locale),
    ]
    # Labels pass through Plotly's HTML-like text rendering: escaped even though they are the app's own words.
    shown = [html.escape(label) for label in labels]
    fig = styled_figure(
        {
            "title": {
                "text": html.escape(_("From {base} to {compare}").format(base=labels[0], compare=labels[-1])),
                "x": 0,
                "xanchor": "left",
            },
            "height": 460,
            # Room for the one line of names under the bars; Plotly widens it when they wrap (by drawing twice).
            "margin": {"l": 8, "r": 8, "t": 56, "b": 33},
            "xaxis": {"showgrid": False, "type": "category"},
            "yaxis": {**money_axis(currency), "gridcolor": "#E5E5E5", "zerolinecolor": "#999999"},
            "separators": fmt.separators(locale),
            "showlegend": False,
            "hovermode": "closest",
        }
    )
    fig.add_waterfall(
        x=shown,
        y=[float(a) for a in amounts[:-1]] + [0.0],
        measure=["absolute", *["relative"] * len(PARTS), "total"],
        text=[html.escape(t) for t in texts],
        textposition="outside",
        customdata=[html.escape(t) for t in texts],
        hovertemplate="%{x}: %{customdata}<extra></extra>",
        increasing={"marker": {"color": RISE}},
        decreasing={"marker": {"color": FALL}},
        totals={"marker": {"color": TOTAL}},
        connector={"line": {"color": "#999999", "width": 1}},
        cliponaxis=False,
    )
    return fig
