"""The Changes page on demo data: the CLI's figures, the waterfall, a drill-down, the sidebar filters, Dutch."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from lib import cli
from lib.core.schema import Col
from lib.ui import changes_panel, state
from tests.app.conftest import APP, TIMEOUT, open_filters

AS_OF = date(2026, 11, 26)  # tests/conftest.py pins AZDASH_TODAY to this day


def explain(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert cli.run(["explain", "--demo", "--json", "--as-of", AS_OF.isoformat(), *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def waterfall(app: AppTest) -> dict[str, object]:
    charts = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    assert len(charts) == 1
    return charts[0]  # type: ignore[no-any-return]


def test_changes_page_draws_the_clis_decomposition(app: AppTest, capsys: pytest.CaptureFixture[str]) -> None:
    """Default comparison: the waterfall's bars and the table are the CLI's numbers; the drill-down lists the part's rows."""
    app.switch_page("pages/changes.py").run()
    assert not app.exception, app.exception
    answer = explain(capsys)
    trace = waterfall(app)["data"][0]  # type: ignore[index]
    assert trace["type"] == "waterfall"
    parts = answer["parts"]
    assert isinstance(parts, dict)
    assert trace["y"] == [answer["base_total"], *parts.values(), 0.0]
    assert trace["x"] == [
        "Sep 2026",
        "New resources",
        "Removed resources",
        "Quantity",
        "Price",
        "Meters changed",
        "One-off charges",
        "Oct 2026",
    ]
    table = app.dataframe[0].value
    assert table["Change"].tolist() == list(parts.values())
    assert app.markdown[0].value.startswith("Cost rose")
    # Drill-down: the largest part comes first and its rows add up to it, largest first.
    largest = max(parts, key=lambda p: abs(parts[p]))
    assert app.selectbox(key=changes_panel.PART).value == largest
    rows = app.dataframe[1].value
    assert round(rows["Change"].sum(), 2) == parts[largest]
    sizes = rows["Change"].abs().tolist()
    assert sizes == sorted(sizes, reverse=True)
    app.selectbox(key=changes_panel.PART).set_value("one_off").run()
    one_off = app.dataframe[1].value
    assert set(one_off["Charge type"]) <= {"Purchase", "Refund"} and round(one_off["Change"].sum(), 2) == parts["one_off"]


def test_changes_page_obeys_the_sidebar_filters(app: AppTest, capsys: pytest.CaptureFixture[str]) -> None:
    app.switch_page("pages/changes.py").run()
    open_filters(app).multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Storage"]).run()
    assert not app.exception
    trace = waterfall(app)["data"][0]  # type: ignore[index]
    whole = explain(capsys)
    assert trace["y"][0] < whole["base_total"]  # type: ignore[operator]
    rows = app.dataframe[1].value
    assert set(rows["Service"]) == {"Storage"}


def test_changes_page_month_to_date_and_custom_periods(app: AppTest, capsys: pytest.CaptureFixture[str]) -> None:
    app.switch_page("pages/changes.py").run()
    app.selectbox(key=changes_panel.WHICH).set_value("mtd").run()
    assert waterfall(app)["data"][0]["x"][0] == "1 Oct 2026 – 26 Oct 2026"  # type: ignore[index]
    app.selectbox(key=changes_panel.WHICH).set_value("custom").run()
    app.date_input(key=changes_panel.BASE_RANGE).set_value((date(2026, 7, 1), date(2026, 7, 31))).run()
    app.date_input(key=changes_panel.COMPARE_RANGE).set_value((date(2026, 8, 1), date(2026, 8, 31))).run()
    assert not app.exception
    answer = explain(capsys, "--base", "2026-07", "--compare", "2026-08")
    assert waterfall(app)["data"][0]["y"][0] == answer["base_total"]  # type: ignore[index]


def test_changes_page_in_dutch(app: AppTest) -> None:
    app.radio(key=state.LANGUAGE).set_value("nl").run()
    app.switch_page("pages/changes.py").run()
    assert not app.exception
    assert app.title[0].value == "Wijzigingen"
    assert app.markdown[0].value.startswith("De kosten")
    assert "Nieuwe resources" in waterfall(app)["data"][0]["x"]  # type: ignore[index]


def open_link(params: dict[str, str | list[str]]) -> AppTest:
    """A fresh session opened on the Changes page from a link with ``params``."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.switch_page("pages/changes.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_chosen_periods_go_into_the_link_and_a_copied_link_shows_the_same_comparison(app: AppTest) -> None:
    app.switch_page("pages/changes.py").run()
    app.selectbox(key=changes_panel.WHICH).set_value("custom").run()
    app.date_input(key=changes_panel.BASE_RANGE).set_value((date(2026, 7, 1), date(2026, 7, 31))).run()
    app.date_input(key=changes_panel.COMPARE_RANGE).set_value((date(2026, 8, 3), date(2026, 8, 20))).run()
    assert not app.exception
    params = app.query_params
    assert (params["changes"], params["changes_base"], params["changes_compare"]) == (
        "custom",
        "2026-07-01..2026-07-31",
        "2026-08-03..2026-08-20",
    )
    copied = open_link(dict(params))
    assert copied.selectbox(key=changes_panel.WHICH).value == "custom"
    assert copied.date_input(key=changes_panel.BASE_RANGE).value == (date(2026, 7, 1), date(2026, 7, 31))
    assert copied.date_input(key=changes_panel.COMPARE_RANGE).value == (date(2026, 8, 3), date(2026, 8, 20))
    assert waterfall(copied)["data"][0]["x"][0] == "Jul 2026"  # type: ignore[index]
    assert waterfall(copied)["data"][0]["y"] == waterfall(app)["data"][0]["y"]  # type: ignore[index]
    assert copied.query_params == app.query_params


def test_month_to_date_goes_into_the_link_and_the_default_stays_out(app: AppTest) -> None:
    app.switch_page("pages/changes.py").run()
    assert "changes" not in app.query_params  # the last closed period against the one before: the default
    app.selectbox(key=changes_panel.WHICH).set_value("mtd").run()
    assert app.query_params["changes"] == "mtd"
    assert "changes_base" not in app.query_params
    copied = open_link({"changes": "mtd"})
    assert copied.selectbox(key=changes_panel.WHICH).value == "mtd"
    assert waterfall(copied)["data"][0]["x"][0] == "1 Oct 2026 – 26 Oct 2026"  # type: ignore[index]


def test_a_link_with_only_periods_compares_them() -> None:
    """``changes_base`` and ``changes_compare`` without ``changes``: two periods of the reader's choice; a month is read too."""
    at = open_link({"changes_base": "2026-07", "changes_compare": "2026-08-01..2026-08-31"})
    assert at.selectbox(key=changes_panel.WHICH).value == "custom"
    assert at.date_input(key=changes_panel.BASE_RANGE).value == (date(2026, 7, 1), date(2026, 7, 31))
    assert waterfall(at)["data"][0]["x"][0] == "Jul 2026"  # type: ignore[index]


def test_bad_periods_in_a_link_are_left_out_with_a_note() -> None:
    at = open_link({"changes": "yearly"})
    assert "yearly" in " ".join(w.value for w in at.warning)
    assert at.selectbox(key=changes_panel.WHICH).value == "closed"
    assert waterfall(at)["data"][0]["x"][0] == "Sep 2026"  # type: ignore[index]
    at = open_link({"changes": "custom", "changes_base": "2026-13", "changes_compare": "2026-08-20..2026-08-03"})
    notes = " ".join(w.value for w in at.warning)
    assert "2026-13" in notes and "2026-08-20..2026-08-03" in notes
    assert not at.error
    at = open_link({"changes_base": "2027-01", "changes_compare": "2026-11-01..2026-12-31"})
    notes = " ".join(w.value for w in at.warning)
    assert "2027-01" in notes and "up to today" in notes
    assert at.date_input(key=changes_panel.COMPARE_RANGE).value == (date(2026, 11, 1), AS_OF)
