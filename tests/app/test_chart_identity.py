"""``lib.ui.widgets.chart`` gives every figure the same ``datarevision`` (so Plotly does not draw a chart again when
Streamlit copies its figure). That is right only while Streamlit makes a changed figure a new chart element: its
element id is a hash of the figure. A Streamlit upgrade that kept the id for a key would let a chart show old bars."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import streamlit as st

    from lib.output import charts
    from lib.ui import widgets

    fig = charts.styled_figure({})
    fig.add_bar(x=["a", "b"], y=[1.0, st.session_state.get("height", 2.0)])
    widgets.chart(fig, key="chart")


def test_a_changed_figure_is_a_new_chart_element_and_an_unchanged_one_is_not() -> None:
    app = AppTest.from_function(_page)
    app.run()
    first = app.get("plotly_chart")[0].proto
    app.run()
    again = app.get("plotly_chart")[0].proto
    app.session_state["height"] = 3.0
    app.run()
    changed = app.get("plotly_chart")[0].proto
    assert first.id == again.id
    assert changed.id != first.id
    assert '"datarevision":"figure"' in changed.spec.replace(" ", "")
