"""Plotly figures for the pages. Functions here build figures; they never draw them.

Every text in a figure (titles, axis titles, legend names, hovers) is in the session's language,
and every number and date is formatted by Babel for its locale: Plotly's ``separators`` give the
axes the locale's decimal and thousands marks, the currency symbol sits where the locale puts
it, and hovers show Babel's own text (``customdata``). Plotly.js only knows English month names,
so day axes get their tick labels from Babel (``tickvals``/``ticktext``) and hovers write their
days with Babel too (``fmt.day``, as the page does: "2 Sep 2026", "2 sep 2026"), in ``customdata``.
Hover labels are dark text on white (``HOVER_LABEL``), never text on the series' own colour.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl

from lib.analysis.aggregate import OTHER, PeriodBill
from lib.core import fmt
from lib.core.i18n import N_, _, current_locale
from lib.core.periods import period_label
from lib.core.safe_text import plain, plotly
from lib.core.schema import UNASSIGNED, UNTAGGED

# Paul Tol's "muted" scheme: distinguishable with the common forms of colour blindness.
PALETTE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")
# Paul Tol's "light" scheme without its grey, for names past the first palette (also colour-blind safe).
SECOND_PALETTE = ("#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#AAAA00")
OTHER_COLOUR = "#BBBBBB"
MAX_DAY_TICKS = 5  # labels on a day axis: five fit a phone's width (390 px) without overlapping
DAILY_HEIGHT = 520
FONT = '"Source Sans", sans-serif'  # the page's own font (Streamlit's)
# Hover labels: #222222 on white is 15.9:1 (WCAG asks 4.5:1), whatever the colour of the hovered series.
HOVER_LABEL = {"bgcolor": "white", "bordercolor": "#555555", "font": {"color": "#222222", "family": FONT, "size": 12}}
# The look Streamlit's chart theme gave in the app's light theme (text colour from .streamlit/config.toml), as the
# figure's own layout: the charts are drawn without a theme or template (``lib.ui.widgets.chart`` says why).
_AXIS_STYLE = {"tickfont": {"color": "#808495", "size": 12}, "automargin": True}
_STYLE = {
    "font": {"family": FONT, "size": 12, "color": "#808495", "weight": 400},
    "title": {"font": {"family": FONT, "size": 16, "color": "#141210", "weight": 700}, "pad": {"l": 4}},
    "legend": {"font": {"size": 12, "color": "#262730"}, "valign": "top", "borderwidth": 0},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "margin": {"pad": 8},
    "xaxis": {**_AXIS_STYLE, "zeroline": False, "title": {"font": {"color": "#808495", "size": 14}, "standoff": 20}},
    "yaxis": {**_AXIS_STYLE, "ticklabelposition": "outside", "title": {"font": {"color": "#808495", "size": 14}, "standoff": 24}},
    "hoverlabel": HOVER_LABEL,
}
BREAKDOWN_GROUPS = 25  # bars in the breakdown chart; its table lists every group
ESTIMATE_NOTE = N_("Estimate: updated daily, may not include all usage yet, and can differ from the invoice.")
ESTIMATE_NOTE_SHORT = N_("Open period: an estimate that can differ from the invoice")
# Group names the app itself writes (not names from the data), shown in the reader's language.
_OWN_GROUP_NAMES = {OTHER: N_("Other"), UNTAGGED: N_("(untagged)"), UNASSIGNED: N_("Unassigned")}


def estimate_note() -> str:
    """The estimate caveat, in the session's language."""
    return _(ESTIMATE_NOTE)


def group_name(name: str) -> str:
    """How a group is shown: data names as they are, the app's own ("Other", "(untagged)") translated."""
    own = _OWN_GROUP_NAMES.get(name)
    return _(own) if own else plain(name)


def colour_map(ranked_names: Sequence[str]) -> dict[str, str]:
    """Stable colours: the n-th costliest name of the whole data set always gets the n-th colour.

    Every named series gets a colour of its own from the two palettes (cycled past both); only
    "Other" is grey, so no name can be mistaken for it, whichever names a chart shows.
    """
    colours_in_turn = PALETTE + SECOND_PALETTE
    colours = {name: colours_in_turn[i % len(colours_in_turn)] for i, name in enumerate(ranked_names)}
    colours[OTHER] = OTHER_COLOUR
    return colours


def money_axis(currency: str) -> dict[str, object]:
    """Axis settings for amounts: the locale's symbol placement, whole units, thousands grouped."""
    prefix, suffix = fmt.money_affixes(currency, current_locale())
    return {
        "title": {"text": _("Cost ({currency})").format(currency=currency)},
        "tickformat": ",.0f",
        "separatethousands": True,
        "tickprefix": prefix,
        "ticksuffix": suffix,
    }


def day_axis(days: Sequence[date]) -> dict[str, object]:
    """A date axis over ``days`` with tick labels written by Babel, placed the locale's way.

    Up to two weeks: every day; up to three months: the first day of each week (Monday in nl);
    longer: the first of each month; every n-th of those, so at most ``MAX_DAY_TICKS``.
    """
    locale = current_locale()
    if len(days) <= 14:
        ticks = list(days)
        text = [fmt.short_day(d, locale) for d in ticks]
    elif len(days) <= 92:
        first = fmt.first_weekday(locale)
        ticks = [d for d in days if d.weekday() == first]
        text = [fmt.short_day(d, locale) for d in ticks]
    else:
        ticks = [d for d in days if d.day == 1] or list(days[:1])
        text = [fmt.month(d, locale) for d in ticks]
    # A phone shows about five labels side by side: keep every n-th, so they never run into each other.
    step = -(-len(ticks) // MAX_DAY_TICKS)
    ticks, text = ticks[::step], text[::step]
    return {
        "type": "date",
        "tickmode": "array",
        "tickvals": [d.isoformat() for d in ticks],
        "ticktext": text,
        "tickangle": 0,
    }


def _all_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# The left margin that fits the amount axis: its title and paddings, plus its widest tick label, in Source Sans at
# the tick font's 12 px (calibrated in Chromium against Plotly's own automatic margin for labels up to 10 digits).
_AMOUNT_AXIS_ROOM_PX = 52
_TICK_CHAR_PX = {**dict.fromkeys("0123456789−-+$€£¥", 6.0), ",": 3.0, ".": 3.0, "'": 3.0, " ": 2.4, "\xa0": 2.4}
_OTHER_CHAR_PX = 7.7  # letters of a currency code: no narrower than this


def _tick_label_px(amount: float, prefix: str, suffix: str) -> float:
    number = f"{abs(round(amount)):,}" + ("" if amount >= 0 else "−")
    return sum(_TICK_CHAR_PX.get(c, _OTHER_CHAR_PX) for c in prefix + number + suffix)


def _amount_extent(fig: go.Figure) -> tuple[float, float]:
    """The lowest and highest amount the y axis must show: stacked bars summed per x, waterfalls run through, lines
    and the horizontal lines of a budget as they are."""
    low = high = 0.0
    stacked = fig.layout.barmode in ("stack", "relative")
    above: dict[Any, float] = {}
    below: dict[Any, float] = {}
    for trace in fig.data:
        values = [v for v in (trace.y or ()) if v is not None]
        if trace.type == "waterfall":
            running = 0.0
            for value, measure in zip(values, trace.measure, strict=False):
                running = value if measure == "absolute" else running + (0 if measure == "total" else value)
                low, high = min(low, running), max(high, running)
        elif trace.type == "bar" and stacked:
            for x, value in zip(trace.x, trace.y, strict=True):
                if value is not None:
                    sums = above if value >= 0 else below
                    sums[x] = sums.get(x, 0.0) + value
        elif values:
            low, high = min(low, *values), max(high, *values)
    lines = [shape.y0 for shape in fig.layout.shapes if shape.yref == "y"]
    return min([low, *below.values(), *lines]), max([high, *above.values(), *lines])


def make_room_for_amounts(fig: go.Figure) -> go.Figure:
    """Start the figure with the left margin its amount axis will need.

    Plotly widens the margin itself to fit the tick labels (``automargin``), but only by drawing the whole chart a
    second time. An estimate a few pixels too wide costs nothing; one too narrow costs only that second drawing. The
    axis's range runs a little past the data (Plotly's padding), hence the tenth added.
    """
    axis = fig.layout.yaxis
    if axis.type == "category":
        return fig
    low, high = _amount_extent(fig)
    prefix, suffix = axis.tickprefix or "", axis.ticksuffix or ""
    widest = max(_tick_label_px(high * 1.1, prefix, suffix), _tick_label_px(low * 1.1, prefix, suffix))
    fig.layout.margin.l = max(fig.layout.margin.l or 0, math.ceil(_AMOUNT_AXIS_ROOM_PX + widest))
    return fig


def merged(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` laid over it, nested settings merged key by key (as ``update_layout`` merges)."""
    out = dict(base)
    for key, value in extra.items():
        below = out.get(key)
        out[key] = merged(below, value) if isinstance(below, Mapping) and isinstance(value, Mapping) else value
    return out


def styled_figure(layout: Mapping[str, Any]) -> go.Figure:
    """A figure in the app's chart look with ``layout`` laid over it, and no template: its spec holds only what it
    shows. The layout is validated once, as a whole (Plotly's ``update_layout`` per setting is many times slower)."""
    fig = go.Figure(layout=merged(_STYLE, layout))
    fig.layout.template = None
    return fig


def _figure(*, title: str, currency: str, height: int = 420, **layout: Any) -> go.Figure:
    """A chart's figure: title, amounts on the y axis, legend under the plot; ``layout`` adds or overrides settings."""
    common = {
        "title": {"text": plotly(title), "x": 0, "xanchor": "left"},  # a title can name a tag key from the data
        "height": height,
        # Room for one line of tick labels under the plot (a legend there takes more, and gets it at once).
        "margin": {"l": 8, "r": 8, "t": 56, "b": 33},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        "xaxis": {"showgrid": False},
        "yaxis": {**money_axis(currency), "gridcolor": "#E5E5E5", "zerolinecolor": "#999999"},
        "separators": fmt.separators(current_locale()),
        # One label for the hovered bar or point, which names its own day or period (Plotly's unified title could
        # only write days with English month names).
        "hovermode": "closest",
    }
    return styled_figure(merged(common, layout))


def _money_texts(values: Sequence[float | None], currency: str) -> list[str]:
    locale = current_locale()
    return ["" if v is None else fmt.money(v, currency, locale) for v in values]


def _day_texts(days: Sequence[date]) -> list[str]:
    locale = current_locale()
    return [fmt.day(d, locale) for d in days]


def daily_hovertemplate() -> str:
    """A daily bar's hover: its day as the page writes it, the series' amount, the day's total over every series
    (``customdata``: day, amount, day total, as Babel writes them)."""
    total = _("Day total: {amount}").format(amount="%{customdata[2]}")
    return "%{customdata[0]}<br>%{fullData.name}: %{customdata[1]}<br>" + total + "<extra></extra>"


def build_daily_cost_chart(daily: pl.DataFrame, colours: dict[str, str], currency: str, title: str) -> go.Figure:
    """Stacked bars of cost per day, one trace per group (``daily`` from ``aggregate.daily_cost``)."""
    days: list[date] = daily.get_column("day").unique().sort().to_list()
    fig = _figure(
        title=title,
        currency=currency,
        # Taller than the other charts: on a phone the legend below takes a line per name, and the bars keep their room.
        height=DAILY_HEIGHT,
        barmode="relative",
        bargap=0.15,
        legend={"font": {"size": 11}, "tracegroupgap": 0},
        xaxis=day_axis(_all_days(days[0], days[-1])) if days else {},
    )
    locale = current_locale()
    # Each day's own hover texts (its date, its total over every series) are written once, not once per series.
    day_texts = {
        d: (fmt.day(d, locale), fmt.money(total, currency, locale))
        for d, total in daily.group_by("day").agg(pl.col("cost").sum()).iter_rows()
    }
    hovertemplate = daily_hovertemplate()
    for rows in daily.partition_by("group", maintain_order=True):
        group = rows.item(0, "group")
        costs = rows.get_column("cost").to_list()
        row_days = rows.get_column("day").to_list()
        fig.add_bar(
            # The days as an array of dates: Plotly takes it whole, where a list is checked day by day (same JSON).
            x=rows.get_column("day").to_numpy(),
            y=costs,
            name=plotly(group_name(group)),
            marker_color=colours.get(group, OTHER_COLOUR),
            # An array of texts, not a list of tuples: Plotly takes it without checking every cell (same JSON).
            customdata=np.array(
                [
                    (day_texts[d][0], "" if c is None else fmt.money(c, currency, locale), day_texts[d][1])
                    for d, c in zip(row_days, costs, strict=True)
                ],
                dtype=object,
            ),
            hovertemplate=hovertemplate,
        )
    return fig


def add_anomaly_markers(fig: go.Figure, daily: pl.DataFrame, marks: Sequence[tuple[date, str, float]], currency: str) -> go.Figure:
    """Mark days with an anomaly on a daily-cost chart: a triangle above the day's bar naming each (series, impact).

    ``marks`` are (first day, series name, impact); days outside ``daily`` are left out. Names come from the
    data, so they are HTML-escaped before Plotly shows them.
    """
    heights = dict(daily.filter(pl.col("cost") > 0).group_by("day").agg(pl.col("cost").sum()).iter_rows())
    charted = set(daily.get_column("day").to_list())
    shown = sorted({d for d, _name, _impact in marks if d in charted})
    if not shown:
        return fig
    locale = current_locale()
    texts: list[tuple[str, str]] = []
    for day in shown:
        lines = [
            _("{name}: {impact} vs expected").format(name=html.escape(name), impact=fmt.money(impact, currency, locale))
            for d, name, impact in marks
            if d == day
        ]
        texts.append((fmt.day(day, locale), "<br>".join(lines)))
    top = max(heights.values(), default=0.0)
    fig.add_scatter(
        x=shown,
        y=[heights.get(d, 0.0) + 0.04 * top for d in shown],
        name=_("Anomaly"),
        mode="markers",
        marker={"symbol": "triangle-down", "size": 13, "color": "#CC3311", "line": {"color": "white", "width": 1}},
        customdata=texts,
        hovertemplate="%{customdata[0]}<br>" + _("Anomaly") + ": %{customdata[1]}<extra></extra>",
    )
    return fig


def add_budget_lines(
    fig: go.Figure, name: str, amount: float, thresholds: Sequence[float], currency: str, breach_day: date | None = None
) -> go.Figure:
    """Mark a budget's thresholds (50/80/100 % of ``amount``) as dotted lines on the accumulated-cost chart,
    and its forecast breach day (when there is one) as a vertical line."""
    locale = current_locale()
    if breach_day is not None:
        fig.add_vline(
            x=breach_day.isoformat(),
            line={"color": "#CC3311", "width": 1, "dash": "dash"},
            annotation_text=_("{name}: 100 % on {day}").format(name=html.escape(name), day=fmt.short_day(breach_day, locale)),
            annotation_position="bottom right",
            annotation_font={"size": 11, "color": "#CC3311"},
        )
    for threshold in thresholds:
        fig.add_hline(
            y=threshold * amount,
            line={"color": "#CC3311" if threshold >= 1 else "#EE7733", "width": 1.5, "dash": "dot"},
            annotation_text=_("{share} of budget {name} ({amount})").format(
                share=fmt.share(threshold, locale), name=html.escape(name), amount=fmt.money(threshold * amount, currency, locale)
            ),
            annotation_position="top left",
            annotation_font={"size": 11, "color": "#555555"},
        )
    return fig


def build_billing_chart(bills: Sequence[PeriodBill], currency: str, *, filtered: bool = False) -> go.Figure:
    """One bar per billing period: invoiced for closed periods, so far + estimate for the open one.

    ``filtered``: the bars hold a part of each bill, so nothing is called invoiced.
    """
    labels = [period_label(b.period) for b in bills]
    invoiced = [b.billed if b.status == "invoiced" else None for b in bills]
    closed = [b.billed if b.status == "closed" else None for b in bills]
    so_far = [b.cost_so_far if b.status == "open" else None for b in bills]
    rest = [b.estimated_rest if b.status == "open" else None for b in bills]
    is_open = any(b.status == "open" for b in bills)
    fig = _figure(
        title=_("Billed vs month-to-date estimate") if is_open else _("Billed per billing period"),
        currency=currency,
        barmode="stack",
        # The full caveat is in the caption under the chart; the chart keeps a line that fits its width.
        annotations=[
            {
                "text": _(ESTIMATE_NOTE_SHORT),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1.06,
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 12, "color": "#555555"},
            }
        ]
        if is_open
        else [],
    )
    fig.add_bar(
        x=labels,
        y=invoiced,
        name=_("Closed period, filtered (not an invoice)") if filtered else _("Billed (invoiced)"),
        marker_color="#332288",
        customdata=_money_texts(invoiced, currency),
        hovertemplate="%{x}<br>"
        + (_("Filtered cost: {amount}") if filtered else _("Billed: {amount}")).format(amount="%{customdata}")
        + "<extra></extra>",
    )
    if any(v is not None for v in closed):
        fig.add_bar(
            x=labels,
            y=closed,
            name=_("Closed, final actual cost (no invoice in the data)"),
            marker_color="#88CCEE",
            customdata=_money_texts(closed, currency),
            hovertemplate="%{x}<br>" + _("Actual cost: {amount}").format(amount="%{customdata}") + "<extra></extra>",
        )
    if not is_open:
        # Data whose last period has ended (a file of a past month): closed periods only, nothing estimated.
        return fig
    fig.add_bar(
        x=labels,
        y=so_far,
        name=_("Month to date"),
        marker_color="#44AA99",
        customdata=_money_texts(so_far, currency),
        hovertemplate="%{x}<br>" + _("So far: {amount}").format(amount="%{customdata}") + "<extra></extra>",
    )
    fig.add_bar(
        x=labels,
        y=rest,
        name=_("Estimated rest of period"),
        marker={
            "color": "rgba(68,170,153,0.25)",
            "line": {"color": "#44AA99", "width": 1.5},
            "pattern": {"shape": "/", "fgcolor": "#44AA99"},
        },
        customdata=_money_texts(rest, currency),
        hovertemplate="%{x}<br>" + _("Estimated rest: {amount}").format(amount="%{customdata}") + "<extra></extra>",
    )
    return fig


def build_accumulated_chart(accumulated: pl.DataFrame, currency: str, title: str) -> go.Figure:
    """Running total of the open period (solid) and the estimate to period end (dashed); a closed period's running total alone."""
    days = accumulated.get_column("day")
    fig = _figure(
        title=title,
        currency=currency,
        height=360,
        xaxis=day_axis(_all_days(days.min(), days.max())) if days.len() else {},  # type: ignore[arg-type]
    )
    actual = accumulated.filter(pl.col("kind") == "actual")
    estimate = accumulated.filter(pl.col("kind") == "estimate")
    actual_totals = actual.get_column("cumulative").to_list()
    estimate_totals = estimate.get_column("cumulative").to_list()
    actual_days = actual.get_column("day").to_list()
    estimate_days = estimate.get_column("day").to_list()
    fig.add_scatter(
        x=actual_days,
        y=actual_totals,
        name=_("Accumulated cost"),
        mode="lines",
        line={"color": "#332288", "width": 3},
        customdata=list(zip(_day_texts(actual_days), _money_texts(actual_totals, currency), strict=True)),
        hovertemplate="%{customdata[0]}<br>%{fullData.name}: %{customdata[1]}<extra></extra>",
    )
    if estimate_totals:  # none for a closed period (a file of a past month)
        fig.add_scatter(
            x=estimate_days,
            y=estimate_totals,
            name=_("Estimate to period end"),
            mode="lines+markers",
            line={"color": "#44AA99", "width": 3, "dash": "dash"},
            customdata=list(zip(_day_texts(estimate_days), _money_texts(estimate_totals, currency), strict=True)),
            hovertemplate="%{customdata[0]}<br>" + _("Estimate: {amount}").format(amount="%{customdata[1]}") + "<extra></extra>",
        )
    return fig


def build_breakdown_chart(table: pl.DataFrame, colours: dict[str, str], currency: str, title: str) -> go.Figure:
    """Horizontal bars of cost per group (``table`` from ``aggregate.cost_by``), costliest on top."""
    rows = table.head(BREAKDOWN_GROUPS).reverse()
    names = rows.get_column("group").cast(pl.String).to_list()
    costs = rows.get_column("cost").to_list()
    fig = _figure(
        title=title,
        currency=currency,
        height=max(320, 28 * len(names) + 100),
        xaxis=money_axis(currency),
        yaxis={"title": {"text": ""}, "tickformat": "", "tickprefix": "", "ticksuffix": "", "type": "category"},
        showlegend=False,
    )
    fig.add_bar(
        x=costs,
        y=[plotly(group_name(n)) for n in names],
        orientation="h",
        marker_color=[colours.get(n, OTHER_COLOUR) for n in names],
        customdata=_money_texts(costs, currency),
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    return fig
