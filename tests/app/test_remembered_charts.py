"""The overview's daily chart is built once per view, anomaly setting and language (issue 19, point 12): a new session
on a view already drawn gets the same chart without building it, and anything the chart depends on builds a new one."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lib.core.schema import Col
from lib.output import charts
from lib.ui import state
from tests.app.conftest import APP, TIMEOUT, open_filters


def _daily_spec(at: AppTest) -> dict[str, object]:
    spec: dict[str, object] = json.loads(at.get("plotly_chart")[0].proto.spec)
    return spec


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The titles of the daily charts built from here on (the real builder runs)."""
    built: list[str] = []
    original = charts.build_daily_cost_chart

    def counted(*args: object, **kwargs: object) -> object:
        figure = original(*args, **kwargs)  # type: ignore[arg-type]
        built.append(figure.layout.title.text)
        return figure

    monkeypatch.setattr(charts, "build_daily_cost_chart", counted)
    return built


def test_a_new_session_on_a_view_drawn_before_gets_the_same_chart_without_building_it(app: AppTest, builds: list[str]) -> None:
    first = _daily_spec(app)
    other = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    other.run()
    assert not other.exception, other.exception
    assert builds == []
    assert _daily_spec(other) == first
    assert other.get("plotly_chart")[0].proto.id == app.get("plotly_chart")[0].proto.id


def test_what_the_daily_chart_depends_on_gives_another_chart(app: AppTest) -> None:
    english = _daily_spec(app)
    open_filters(app).sidebar.multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Storage"]).run()
    assert [d["name"] for d in _daily_spec(app)["data"]] == ["Storage"]  # type: ignore[index]
    app.sidebar.multiselect(key=state.filter_key(Col.SERVICE)).set_value([]).run()
    assert _daily_spec(app) == english  # the view before, remembered
    app.radio(key=state.LANGUAGE).set_value("nl").run()
    assert not app.exception, app.exception
    assert _daily_spec(app)["layout"]["title"]["text"] == "Dagelijkse kosten per service"  # type: ignore[index]
    app.radio(key=state.LANGUAGE).set_value("en").run()
    assert _daily_spec(app) == english
