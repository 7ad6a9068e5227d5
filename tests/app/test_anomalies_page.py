"""The Anomalies page and the overview's markers: the CLI's findings, sensitivity and "mark as expected" in the link."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from lib import cli
from lib.ui import state
from tests.app.conftest import APP, TIMEOUT

AS_OF = date(2026, 11, 26)  # tests/conftest.py pins AZDASH_TODAY to this day
PAGE = "pages/anomalies.py"


def cli_anomalies(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert cli.run(["anomalies", "--demo", "--json", "--as-of", AS_OF.isoformat(), *args]) == 0
    found = json.loads(capsys.readouterr().out)["anomalies"]
    assert isinstance(found, list)
    return found


def open_page(params: dict[str, str | list[str]], page: str = PAGE) -> AppTest:
    """The page on the billing history, the span the command line reports by default (the app opens on month to date)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update({"period": "history", **params})
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def marker_days(at: AppTest) -> list[str]:
    daily = json.loads(at.get("plotly_chart")[0].proto.spec)
    markers = [t for t in daily["data"] if t["type"] == "scatter"]
    return [str(x) for m in markers for x in m["x"]]


def test_the_page_lists_what_the_command_line_finds(capsys: pytest.CaptureFixture[str]) -> None:
    """English: one table row and one detail per anomaly the CLI prints for the demo data."""
    expected = cli_anomalies(capsys)
    at = open_page({"lang": "en"})
    assert [t.value for t in at.title] == ["Anomalies"]
    table = at.dataframe[0].value
    assert len(table) == len(expected)
    assert list(table["Service"]) == [a["value"] for a in expected]
    assert [b.label for b in at.button].count("Mark as expected") == min(len(expected), 20)


def test_dutch_page(capsys: pytest.CaptureFixture[str]) -> None:
    expected = cli_anomalies(capsys)
    at = open_page({"lang": "nl"})
    assert [t.value for t in at.title] == ["Afwijkingen"]
    assert len(at.dataframe[0].value) == len(expected)
    assert "Markeren als verwacht" in [b.label for b in at.button]


def test_sensitivity_comes_from_the_link_and_goes_back_into_it(capsys: pytest.CaptureFixture[str]) -> None:
    high = cli_anomalies(capsys, "--sensitivity", "high")
    at = open_page({"lang": "en", "sensitivity": "high"})
    assert at.select_slider(key=state.ANOMALY_SENSITIVITY).value == "high"
    assert len(at.dataframe[0].value) == len(high)
    assert at.query_params["sensitivity"] == "high"
    at.select_slider(key=state.ANOMALY_SENSITIVITY).set_value("low").run()
    assert at.query_params["sensitivity"] == "low"
    assert len(at.dataframe[0].value) == len(cli_anomalies(capsys, "--sensitivity", "low"))


def test_mark_as_expected_hides_it_here_and_on_the_overview_and_goes_into_the_link(capsys: pytest.CaptureFixture[str]) -> None:
    expected = cli_anomalies(capsys)
    first = expected[0]
    key = f"{first['dimension']}|{first['value']}|{first['day']}"
    overview = open_page({"lang": "en"}, "pages/overview.py")
    assert sorted(set(marker_days(overview))) == sorted({str(a["day"]) for a in expected})

    at = open_page({"lang": "en"})
    at.button(key=f"expect_{key}").click().run()
    assert not at.exception
    assert len(at.dataframe[0].value) == len(expected) - 1
    assert at.query_params[state.PARAM_EXPECTED] == key
    # The shared link opens with the mark in place, on the overview too.
    shared = open_page({"lang": "en", "expected": key}, "pages/overview.py")
    others = {str(a["day"]) for a in expected[1:]}
    assert sorted(set(marker_days(shared))) == sorted(others)
