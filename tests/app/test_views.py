"""The overview says which period each figure describes and which filters narrow it (issue 19, points 2 and 3)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib.core.schema import Col
from lib.ui import state
from tests.app.conftest import open_filters, open_tables
from tests.app.pickers import choose_period

OPEN, CLOSED = "Nov 2026", "Oct 2026"  # tests/conftest.py pins the day to 26 Nov 2026


def _labels(app: AppTest) -> list[str]:
    return [m.label for m in app.metric]


def test_every_headline_figure_names_its_period_when_another_period_is_chosen(app: AppTest) -> None:
    choose_period(app, "202609").run()
    assert not app.exception, app.exception
    assert _labels(app) == [
        f"Cost so far this period ({OPEN})",
        f"Estimate to period end ({OPEN})",
        f"Last invoiced ({CLOSED})",
        f"Change vs previous period ({OPEN} vs {CLOSED})",
        "Total in selected period (Sep 2026)",
    ]


def test_a_filtered_view_says_its_filters_and_calls_nothing_invoiced(app: AppTest) -> None:
    open_filters(app).sidebar.multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Storage", "Key Vault"]).run()
    assert not app.exception, app.exception
    captions = [c.value for c in app.caption]
    assert "Filtered: Service = Storage, Key Vault" in [c.replace("\\", "") for c in captions], captions
    labels = _labels(app)
    assert not any("invoiced" in label.lower() for label in labels), labels
    assert f"Last closed period ({CLOSED})" in labels
    billing = next(c for c in app.get("plotly_chart") if "Billed vs" in c.proto.spec)
    assert "invoiced)" not in billing.proto.spec and "Billed:" not in billing.proto.spec
    assert not any("show the invoiced amount" in c for c in captions)


def test_an_unfiltered_view_has_no_filter_line(app: AppTest) -> None:
    assert not any(c.value.startswith("Filtered") for c in app.caption)
    assert f"Last invoiced ({CLOSED})" in _labels(app)


def test_the_billing_periods_table_has_a_value_in_every_cell(app: AppTest) -> None:
    """Issue 19, point 7: no raw "None" and no column that is empty for every closed period (it was cut off on screen)."""
    table = next(d.value for d in open_tables(app, (state.TABLE_BILLING,)).dataframe if "Billing period" in d.value.columns)
    assert list(table.columns) == ["Billing period", "Status", "Invoice", "Amount"]
    assert not table.isna().any().any(), table
    assert table["Status"].iloc[-1].startswith("Open: estimate, so far €")


def test_a_tag_key_keeps_its_case_in_the_explore_titles_and_lists(app: AppTest) -> None:
    """Issue 19, point 7: the demo's "costCenter" is never shown as "costcenter" (group-by list, tag filter, titles)."""
    app.switch_page("pages/explore.py").run()
    app.selectbox(key=state.GROUP_BY).set_value("tag:costCenter").run()
    assert not app.exception, app.exception
    assert "Tag 'costCenter'" in app.selectbox(key=state.GROUP_BY).options
    assert "costCenter" in open_filters(app).sidebar.selectbox(key=state.TAG_KEY).options
    titles = [h.value for h in app.header]
    assert "Cost by tag 'costCenter'" in titles, titles
    specs = " ".join(c.proto.spec for c in app.get("plotly_chart"))
    assert "Daily cost by tag 'costCenter'" in specs and "Cost by tag 'costCenter'" in specs
    assert "costcenter" not in specs + " ".join(titles)


def test_a_closed_table_is_built_only_once_opened(app: AppTest) -> None:
    """Issue 19, point 12: the overview's tables cost nothing while their expanders are closed (no table, no CSV)."""
    labels = [e.label for e in app.expander]
    assert {"Daily cost as a table", "Billing periods as a table", "Accumulated cost as a table"} <= set(labels), labels
    assert len(app.dataframe) == 0
    assert not [b for b in app.get("download_button") if b.proto.id.endswith(".csv")]
    open_tables(app, (state.TABLE_DAILY,))
    assert [list(d.value.columns) for d in app.dataframe] == [["Day", "Service", "Cost"]]
    assert [b.proto.label for b in app.get("download_button")] == ["Download CSV"]
    open_filters(app).sidebar.multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Storage"]).run()
    assert set(app.dataframe[0].value["Service"]) == {"Storage"}  # an open table stays open on the next view


def test_the_filter_boxes_are_drawn_only_while_their_expander_is_open_and_keep_their_choices(app: AppTest) -> None:
    """Issue 19, point 12: a new visitor's closed Filters expander sends no boxes; closing it again keeps the choice."""
    assert [e.label for e in app.sidebar.expander] == ["Filters"]
    assert not app.sidebar.multiselect and not app.sidebar.button  # no filter box, no "Clear filters"
    total = app.metric[-1].value
    open_filters(app).sidebar.multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Storage"]).run()
    assert [e.label for e in app.sidebar.expander] == ["Filters (active)"]
    storage_only = app.metric[-1].value
    assert storage_only != total
    app.session_state[state.FILTERS_OPEN] = False
    app.run()
    assert not app.exception, app.exception
    assert not app.sidebar.multiselect  # closed again: no boxes, the choice still applies and is named under the title
    assert app.metric[-1].value == storage_only
    assert any("Storage" in c.value for c in app.caption)
    assert app.query_params["service"] == "Storage"
    open_filters(app)
    assert app.sidebar.multiselect(key=state.filter_key(Col.SERVICE)).value == ["Storage"]
    app.sidebar.button[0].click().run()  # "Clear filters"
    assert app.metric[-1].value == total and "service" not in app.query_params


def test_the_filters_expander_stays_open_while_filters_come_and_go(app: AppTest) -> None:
    """Its title changes with the filters ("Filters (active)"); what the reader opened stays open, closed stays closed."""
    open_filters(app).sidebar.multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Storage"]).run()
    app.sidebar.multiselect(key=state.filter_key(Col.SERVICE)).set_value([]).run()
    assert [e.label for e in app.sidebar.expander] == ["Filters"]
    assert app.sidebar.multiselect(key=state.filter_key(Col.SERVICE)).value == []
    app.sidebar.multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Backup"]).run()
    app.session_state[state.FILTERS_OPEN] = False
    app.run()
    app.sidebar.radio(key=state.METRIC).set_value("amortized").run()
    assert [e.label for e in app.sidebar.expander] == ["Filters (active)"] and not app.sidebar.multiselect


def test_an_open_filters_expander_stays_open_through_a_language_switch(app: AppTest) -> None:
    open_filters(app).sidebar.multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Storage"]).run()
    app.radio(key=state.LANGUAGE).set_value("nl").run()
    assert not app.exception, app.exception
    assert [e.label for e in app.sidebar.expander] == ["Filters (actief)"]
    assert app.sidebar.multiselect(key=state.filter_key(Col.SERVICE)).value == ["Storage"]


def test_the_period_opens_on_month_to_date_and_a_billing_period_is_one_drop_down_away(app: AppTest) -> None:
    """The default period is the one the headline describes; the radio's "Billing period…" drops down the closed periods
    (latest first, the latest chosen), and the whole choice survives a language switch and goes into the link."""
    radio = app.sidebar.radio(key=state.PERIOD_PRESET)
    assert radio.value == "mtd"
    assert [radio.format_func(o) for o in radio.options] == [
        f"Month to date ({OPEN})",
        "Last 6 billing periods + current",
        "Last 30 days",
        "Billing period…",
        "Custom range…",
    ]
    assert _labels(app)[-1] == "Total in selected period (1 Nov 2026 – 26 Nov 2026)"
    assert not app.sidebar.selectbox  # no drop-down until one is asked for
    radio.set_value("billing").run()
    months = app.sidebar.selectbox(key=state.PERIOD_BILLING)
    assert (months.value, app.query_params["period"]) == ("202610", "202610")
    assert [months.format_func(o) for o in months.options][:2] == ["Billing period Oct 2026", "Billing period Sep 2026"]
    months.set_value("202607").run()
    app.radio(key=state.LANGUAGE).set_value("nl").run()
    assert not app.exception, app.exception
    assert (app.session_state[state.PERIOD], app.query_params["period"]) == ("202607", "202607")
    assert app.sidebar.radio(key=state.PERIOD_PRESET).value == "billing"
    assert app.sidebar.selectbox(key=state.PERIOD_BILLING).value == "202607"
    assert _labels(app)[-1] == "Totaal in gekozen periode (jul 2026)"
    assert not app.warning
