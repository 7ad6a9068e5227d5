"""Small drawing helpers every page and panel shares: the run's context, tables, the language picker, stale choices.

Every text here is in the session's language (``lib.core.i18n``); amounts, numbers and dates are
formatted by Babel (``lib.core.fmt``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import polars as pl
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from lib.analysis import frames
from lib.analysis.views import View
from lib.core import fmt, i18n
from lib.core.dataset import Dataset
from lib.core.i18n import _
from lib.core.safe_text import markdown
from lib.output import charts, tables
from lib.output.charts import group_name
from lib.ui import download_buttons, state


@dataclass(frozen=True)
class Context:
    """What the frame hands to every page."""

    dataset: Dataset | None
    view: View
    as_of: date
    message: str = ""


def keep_valid(key: str, options: list[str], what: str) -> None:
    """Drop stale choices (values no longer offered) before a widget is drawn, and say so.

    ``what`` names the control in the reader's language ("Service", "Scope"...). Stale values come
    from a link made on other data, or from switching to a source that lacks them.
    """
    chosen = st.session_state.get(key)
    offered = set(options)
    if isinstance(chosen, list | tuple):
        dropped = [v for v in chosen if v not in offered]
        if dropped:
            st.session_state[key] = [v for v in chosen if v in offered]
    elif chosen is not None and chosen not in offered:
        dropped = [chosen]
        del st.session_state[key]
    else:
        dropped = []
    for value in dropped:
        state.add_note(
            _("{what} '{value}' is not in this data, so it was left out of the view.").format(
                what=markdown(what), value=markdown(group_name(str(value)))
            )
        )


def labels_of(options: Iterable[str], label: Callable[[str], str]) -> Callable[[str], str]:
    """A ``format_func`` that shows each option as ``label`` did when the widget was drawn.

    Labels are computed now, in this run's language: Streamlit may call a ``format_func`` again
    later, outside the run (AppTest does), where the run's language is no longer set.
    """
    shown = {option: label(option) for option in options}
    return lambda option: shown.get(option, str(option))


# The most options a sidebar choice shows as radio buttons; a longer list is a select box.
RADIO_MAX_OPTIONS = 6


def render_language_picker() -> str:
    """The language picker (each language named in itself, side by side); returns the chosen language code."""
    codes = list(i18n.LANGUAGES)
    chosen: str = st.sidebar.radio(
        _("Language"),
        codes,
        format_func=lambda c: i18n.LANGUAGE_NAMES[c],
        key=state.LANGUAGE,
        persist_state="session",
        on_change=state.keep_view,
        horizontal=True,
    )
    return chosen


def show_notes(context: Context) -> None:
    """Notes for the reader gathered in this run (parts of a link left out...), and the files-link hint."""
    for note in state.take_notes():
        st.warning(note, icon=":material/link_off:")
    if context.dataset is None and context.view.source == "files" and st.session_state.get(state.FILES_LINK):
        st.info(
            _(
                "This link shows a view of usage files. Files are never part of a link: "
                "load the same files again in the sidebar to see this view."
            ),
            icon=":material/upload_file:",
        )


def require_dataset(context: Context) -> Dataset:
    """The context's data set, or stop the page with the reason shown."""
    if context.dataset is None:
        st.info(context.message)
        st.stop()
    assert context.dataset is not None
    return context.dataset


def context() -> Context:
    """The context the frame stored for this run."""
    stored = st.session_state.get(state.CONTEXT)
    if not isinstance(stored, Context):
        # A deep link on a fresh server ran this page without the frame (see leave_legacy_pages_mode).
        leave_legacy_pages_mode(force=True)
    assert isinstance(stored, Context)
    return stored


def leave_legacy_pages_mode(*, force: bool = False) -> None:
    """Rerun through ``st.navigation`` when Streamlit runs this script in its old pages-folder mode.

    With a ``pages/`` folder beside app.py, a freshly started server decides, before app.py ever
    runs, to serve its first run in the legacy mode that makes one page of every file in pages/;
    only the first ``st.navigation`` call switches that off for the process. Widgets made in that
    first run then belong to the wrong page and the first visitor's choices revert. Switching the
    mode off and rerunning at once, before any widget exists, gives that visitor a normal run.
    """
    if force or PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def styled_table(
    frame: pl.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    money_columns: tuple[str, ...] = (),
    share_columns: tuple[str, ...] = (),
    date_columns: tuple[str, ...] = (),
    group_columns: tuple[str, ...] = (),
    currency: str = "EUR",
) -> Any:
    """``frame`` ready for ``st.dataframe``: headers in the reader's language, values formatted by Babel.

    Numbers stay numbers underneath (sorting works); only their display is the locale's.
    """
    locale = i18n.current_locale()
    shown = frame.with_columns([pl.col(c).map_elements(group_name, return_dtype=pl.String) for c in group_columns])
    data = shown.to_pandas()
    formats: dict[str, Callable[[Any], str]] = {}
    for c in money_columns:
        formats[c] = lambda v: "" if v is None or pd.isna(v) else fmt.money(v, currency, locale)
    for c in share_columns:
        formats[c] = lambda v: "" if v is None or pd.isna(v) else fmt.share(v, locale)
    for c in date_columns:
        formats[c] = lambda v: "" if v is None or pd.isna(v) else fmt.day(v, locale)
    names = dict(columns or {})
    data = data.rename(columns=names)
    return data.style.format({names.get(c, c): f for c, f in formats.items()})


def show_table(
    frame: pl.DataFrame,
    *,
    label: str,
    columns: Mapping[str, str] | None = None,
    money_columns: tuple[str, ...] = (),
    share_columns: tuple[str, ...] = (),
    date_columns: tuple[str, ...] = (),
    group_columns: tuple[str, ...] = (),
    currency: str = "EUR",
    key: str | None = None,
    csv_frame: pl.DataFrame | None = None,
    csv_name: str = "",
    open_key: str | None = None,
) -> None:
    """An expander with the data behind a chart: the chart's text alternative, and a one-click CSV of it.

    The CSV holds ``frame`` itself (or ``csv_frame`` where the table shows labels a machine cannot read).
    With ``open_key`` the expander keeps its open state under that key and the table is built and sent only while it
    is open (opening it runs the page again): a closed table costs the page nothing, on the server or in the browser.
    """
    with st.expander(label, key=open_key, on_change="rerun" if open_key else "ignore") as box:
        if open_key and not box.open:
            return
        table = styled_table(
            frame,
            columns=columns,
            money_columns=money_columns,
            share_columns=share_columns,
            date_columns=date_columns,
            group_columns=group_columns,
            currency=currency,
        )
        st.dataframe(table, hide_index=True, width="stretch", key=key)
        csv_download(frame if csv_frame is None else csv_frame, csv_name or label)


def csv_download(frame: pl.DataFrame, name: str) -> None:
    """A button downloading ``frame`` as CSV (``lib.output.tables``), without a rerun.

    The CSV is made when the button is clicked, not on every run of the page (``download_buttons``).
    """
    file_name = tables.csv_name(name)
    download_buttons.download_button(
        _("Download CSV"),
        partial(tables.table_csv, frame),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=f"csv_{file_name}",
    )


# Streamlit draws a chart's figure a second time right after mounting it: it copies the figure (JSON in, JSON out),
# and Plotly.react compares data arrays and the layout's template by identity, so the copy reads as new data and the
# whole chart is drawn again. A fixed ``datarevision`` makes Plotly compare the arrays by this value instead, and the
# figures carry no template (``charts.styled_figure``). A fixed value is right because Streamlit mounts a new chart
# whenever the figure changes (the element's id is a hash of the figure), which tests/ui/test_chart_identity.py and
# the browser's filter test check.
CHART_DATA_REVISION = "figure"


def _ready(figure: go.Figure) -> go.Figure:
    """``figure`` with the room its amounts need and the fixed data revision, as it is drawn."""
    charts.make_room_for_amounts(figure)
    figure.layout.datarevision = CHART_DATA_REVISION
    return figure


def chart(figure: go.Figure, *, key: str) -> None:
    """Draw a chart of ``lib.output.charts`` across the page, in the app's own style (no Streamlit theme)."""
    if figure.layout.datarevision != CHART_DATA_REVISION:  # a remembered figure is ready, and shared: left as it is
        _ready(figure)
    st.plotly_chart(figure, width="stretch", key=key, theme=None)


def remembered_chart(dataset: Dataset, key: tuple[object, ...], build: Callable[[], go.Figure]) -> go.Figure:
    """The figure ``build`` makes, built once per data set and ``key`` (which must hold all it depends on: view,
    language, settings), so a new session or a view chosen again draws it without building it again.

    The figure is shared by every session that draws it: it is made ready before it is kept, and nothing changes it
    afterwards (``chart`` leaves a ready figure as it is).
    """
    return frames.prepared(dataset).memo(("chart", *key, i18n.get_language()), lambda: _ready(build()))
