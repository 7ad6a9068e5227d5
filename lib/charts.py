"""Plotly figures for the pages. Functions here build figures; they never draw them."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from lib.aggregate import OTHER, PeriodBill

# Paul Tol's "muted" scheme: distinguishable with the common forms of colour blindness.
PALETTE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")
OTHER_COLOUR = "#BBBBBB"
ESTIMATE_NOTE = "Estimate: updated daily, may not include all usage yet, and can differ from the invoice."
ESTIMATE_NOTE_SHORT = "Open period: an estimate that can differ from the invoice"


def colour_map(ranked_names: Sequence[str]) -> dict[str, str]:
    """Stable colours: the n-th costliest name of the whole data set always gets the n-th colour.

    Names beyond the palette share the grey of "Other", as they do in the stacked charts.
    """
    colours = {name: PALETTE[i] if i < len(PALETTE) else OTHER_COLOUR for i, name in enumerate(ranked_names)}
    colours[OTHER] = OTHER_COLOUR
    return colours


def _layout(fig: go.Figure, *, title: str, currency: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 8, "r": 8, "t": 56, "b": 8},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        yaxis={"title": {"text": currency}, "tickformat": ",.0f", "separatethousands": True},
        hovermode="x unified",
        plot_bgcolor="white",
    )
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#E5E5E5", zerolinecolor="#999999")
    return fig


def build_daily_cost_chart(daily: pl.DataFrame, colours: dict[str, str], currency: str, title: str) -> go.Figure:
    """Stacked bars of cost per day, one trace per group (``daily`` from ``aggregate.daily_cost``)."""
    fig = go.Figure()
    for group in daily.get_column("group").unique(maintain_order=True).to_list():
        rows = daily.filter(pl.col("group") == group)
        fig.add_bar(
            x=rows.get_column("day").to_list(),
            y=rows.get_column("cost").to_list(),
            name=group,
            marker_color=colours.get(group, OTHER_COLOUR),
            hovertemplate=f"{group}: %{{y:,.2f}} {currency}<extra></extra>",
        )
    fig.update_layout(barmode="relative", bargap=0.15)
    return _layout(fig, title=title, currency=currency)


def build_billing_chart(bills: Sequence[PeriodBill], currency: str) -> go.Figure:
    """One bar per billing period: invoiced for closed periods, so far + estimate for the open one."""
    labels = [b.label for b in bills]
    invoiced = [b.billed if b.status == "invoiced" else None for b in bills]
    closed = [b.billed if b.status == "closed" else None for b in bills]
    so_far = [b.cost_so_far if b.status == "open" else None for b in bills]
    rest = [b.estimated_rest if b.status == "open" else None for b in bills]
    fig = go.Figure()
    fig.add_bar(
        x=labels,
        y=invoiced,
        name="Billed (invoiced)",
        marker_color="#332288",
        hovertemplate="Billed: %{y:,.2f} " + currency + "<extra></extra>",
    )
    if any(v is not None for v in closed):
        fig.add_bar(
            x=labels,
            y=closed,
            name="Closed, final actual cost (no invoice in the data)",
            marker_color="#88CCEE",
            hovertemplate="Actual cost: %{y:,.2f} " + currency + "<extra></extra>",
        )
    fig.add_bar(
        x=labels, y=so_far, name="Month to date", marker_color="#44AA99", hovertemplate="So far: %{y:,.2f} " + currency + "<extra></extra>"
    )
    fig.add_bar(
        x=labels,
        y=rest,
        name="Estimated rest of period",
        marker={
            "color": "rgba(68,170,153,0.25)",
            "line": {"color": "#44AA99", "width": 1.5},
            "pattern": {"shape": "/", "fgcolor": "#44AA99"},
        },
        hovertemplate="Estimated rest: %{y:,.2f} " + currency + "<extra></extra>",
    )
    fig.update_layout(barmode="stack")
    fig.add_annotation(
        text=ESTIMATE_NOTE, xref="paper", yref="paper", x=0, y=1.06, showarrow=False, xanchor="left", font={"size": 12, "color": "#555555"}
    )
    return _layout(fig, title="Billed vs month-to-date estimate", currency=currency)


def build_accumulated_chart(accumulated: pl.DataFrame, currency: str, title: str) -> go.Figure:
    """Running total of the open period (solid) and the estimate to period end (dashed)."""
    fig = go.Figure()
    actual = accumulated.filter(pl.col("kind") == "actual")
    estimate = accumulated.filter(pl.col("kind") == "estimate")
    fig.add_scatter(
        x=actual.get_column("day").to_list(),
        y=actual.get_column("cumulative").to_list(),
        name="Accumulated cost",
        mode="lines",
        line={"color": "#332288", "width": 3},
        hovertemplate="%{y:,.2f} " + currency + "<extra></extra>",
    )
    fig.add_scatter(
        x=estimate.get_column("day").to_list(),
        y=estimate.get_column("cumulative").to_list(),
        name="Estimate to period end",
        mode="lines+markers",
        line={"color": "#44AA99", "width": 3, "dash": "dash"},
        hovertemplate="Estimate: %{y:,.2f} " + currency + "<extra></extra>",
    )
    return _layout(fig, title=title, currency=currency, height=360)


def build_breakdown_chart(table: pl.DataFrame, colours: dict[str, str], currency: str, title: str) -> go.Figure:
    """Horizontal bars of cost per group (``table`` from ``aggregate.cost_by``), costliest on top."""
    rows = table.head(25).reverse()
    names = rows.get_column("group").cast(pl.String).to_list()
    fig = go.Figure(
        go.Bar(
            x=rows.get_column("cost").to_list(),
            y=names,
            orientation="h",
            marker_color=[colours.get(n, OTHER_COLOUR) for n in names],
            hovertemplate="%{y}: %{x:,.2f} " + currency + "<extra></extra>",
        )
    )
    fig = _layout(fig, title=title, currency=currency, height=max(320, 28 * len(names) + 100))
    fig.update_layout(
        xaxis={"title": {"text": currency}, "tickformat": ",.0f"},
        yaxis={"title": {"text": ""}, "tickformat": ""},
        hovermode="closest",
        showlegend=False,
    )
    return fig
