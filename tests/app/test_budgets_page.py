"""The Budgets page and the overview's budget lines: saved to the AZDASH_BUDGETS file, figures from lib.analysis.budgets."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.analysis import budgets
from lib.analysis.budgets import Budget
from lib.core.dataset import LoadRequest
from lib.core.fmt import money
from lib.sources.demo import DemoSource
from tests.app.conftest import APP, TIMEOUT

AS_OF = date(2026, 11, 26)  # tests/conftest.py pins AZDASH_TODAY to this day


@pytest.fixture
def budget_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "budgets.json"
    monkeypatch.setenv("AZDASH_BUDGETS", str(path))
    return path


def open_page(page: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update({"lang": lang})
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_budget_defined_on_the_page_is_saved_to_the_file(budget_file: Path) -> None:
    at = open_page("pages/budgets.py")
    assert [t.value for t in at.title] == ["Budgets"]
    at.text_input(key="budget_name").set_value("rg-ml")
    at.number_input(key="budget_amount").set_value(5000.0)
    at.multiselect[0].set_value(["Storage"])
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    assert budgets.load(budget_file) == [Budget("rg-ml", 5000.0, "EUR", {"service": ("Storage",)})]
    table = at.dataframe[0].value
    assert list(table["Budget"]) == ["rg-ml"]


def test_a_quarterly_budget_is_saved_and_counted_over_the_quarter(budget_file: Path) -> None:
    """A quarterly budget on 26 Nov 2026 covers Q4 (1 Oct to 31 Dec); it draws no lines on the monthly accumulated chart."""
    at = open_page("pages/budgets.py")
    at.text_input(key="budget_name").set_value("q4")
    at.selectbox(key="budget_grain").set_value("quarterly")
    at.number_input(key="budget_amount").set_value(90_000.0)
    at.button[0].click().run()
    assert not at.exception
    assert budgets.load(budget_file) == [Budget("q4", 90_000.0, "EUR", time_grain="quarterly")]
    table = at.dataframe[0].value
    assert list(table["Time grain"]) == ["Quarterly"]
    assert list(table["Period"]) == ["1 Oct 2026 – 31 Dec 2026"]
    overview = open_page("pages/overview.py")
    caption = next(c.value for c in overview.caption if c.value.startswith("Budget q4"))
    assert caption.startswith("Budget q4 (1 Oct 2026 – 31 Dec 2026):")
    accumulated = json.loads(overview.get("plotly_chart")[2].proto.spec)
    assert [s for s in accumulated["layout"].get("shapes", []) if s.get("line", {}).get("dash") in ("dot", "dash")] == []


def test_a_bad_amount_is_refused_and_nothing_is_written(budget_file: Path) -> None:
    at = open_page("pages/budgets.py")
    at.text_input(key="budget_name").set_value("zero")
    at.button[0].click().run()
    assert "positive number" in " ".join(e.value for e in at.error)
    assert not budget_file.exists()


def test_the_overview_shows_spend_breach_and_threshold_lines(budget_file: Path) -> None:
    """A whole-data budget of 60 % of the estimate: it is forecast to be breached, and its three lines are on the chart."""
    demo = DemoSource().load(LoadRequest(as_of=AS_OF))
    found = budgets.status(demo.frame, Budget("probe", 1.0, "EUR"), AS_OF)
    amount = round(0.6 * found.estimate_total, 2)
    budgets.save(budget_file, [Budget("all", amount, "EUR")])
    at = open_page("pages/overview.py")
    expected = budgets.status(demo.frame, Budget("all", amount, "EUR"), AS_OF)
    assert expected.breach_day is not None
    caption = next(c.value for c in at.caption if c.value.startswith("Budget all:"))
    assert f"{money(expected.spent, 'EUR')} of {money(amount, 'EUR')} spent" in caption
    assert "100.0% forecast for" in caption or "100.0% reached on" in caption
    accumulated = json.loads(at.get("plotly_chart")[2].proto.spec)
    lines = [s for s in accumulated["layout"]["shapes"] if s.get("line", {}).get("dash") == "dot"]
    assert sorted(round(s["y0"], 2) for s in lines) == sorted(round(t * amount, 2) for t in (0.5, 0.8, 1.0))
    breach = [s for s in accumulated["layout"]["shapes"] if s.get("line", {}).get("dash") == "dash"]
    assert [s["x0"] for s in breach] == [expected.breach_day.isoformat()]


def test_budgets_page_in_dutch_with_an_export(budget_file: Path) -> None:
    budgets.save(budget_file, [Budget("alles", 1000.0, "EUR")])
    at = open_page("pages/budgets.py", "nl")
    assert [t.value for t in at.title] == ["Budgetten"]
    assert list(at.dataframe[0].value["Budget"]) == ["alles"]
    assert [b.label for b in at.get("download_button")] == ["Budgetten exporteren (JSON)"]


def test_a_broken_file_is_reported_and_kept(budget_file: Path) -> None:
    budget_file.write_text("{ not json")
    at = open_page("pages/budgets.py")
    assert "cannot be used" in at.error[0].value
    assert budget_file.read_text() == "{ not json"
