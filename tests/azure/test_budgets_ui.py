"""The Budgets page for a live scope: Azure's own budgets beside the dashboard's, through the real SDK and the stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from lib.ui import state
from tests.azure.fakes import FORECAST_PATH, QUERY_PATH, SUB_SCOPE, FakeArm, Recorded, Reply, query_page, sign_in_with_az
from tests.azure.test_budgets import BUDGET, TAGGED
from tests.streamlit_caches import clear_all_but_the_demo

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture(autouse=True)
def _fresh_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    clear_all_but_the_demo()
    monkeypatch.setenv("AZDASH_BUDGETS", str(tmp_path / "budgets.json"))
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    yield
    clear_all_but_the_demo()


def test_the_budgets_page_lists_azure_budgets_of_the_live_scope(arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sign_in_with_az(arm, monkeypatch, tmp_path)

    def month(request: Recorded) -> Reply:
        start = date.fromisoformat(request.body["timePeriod"]["from"][:10])
        return Reply(200, query_page([[100.0, 110.0, int(f"{start:%Y%m}02"), "Storage", "rg-ml", "EUR"]]))

    arm.add("POST", QUERY_PATH, month)
    arm.add("POST", FORECAST_PATH, Reply(400, {"error": {"code": "BadRequest", "message": "Forecast is unavailable"}}))
    arm.add("GET", rf"{SUB_SCOPE}/providers/Microsoft\.Consumption/budgets", Reply(200, {"value": [BUDGET]}))

    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.radio(key=state.SOURCE).set_value("azure").run()
    app.selectbox(key="azure_scope").set_value(SUB_SCOPE).run()
    app.button(key="azure_load").click().run()
    assert not app.exception, app.exception
    app.switch_page("pages/budgets.py").run()
    assert not app.exception, app.exception
    assert [s.value for s in app.header] == ["Budgets in Azure for this scope", "New budget"]
    live = app.dataframe[0].value  # no budgets of the dashboard's own yet: the only table is Azure's
    assert list(live["Budget"]) == ["ml-monthly"]
    assert list(live["Alert thresholds"]) == ["80.0%, 100.0%"]
    assert len(arm.calls("GET", "/providers/Microsoft.Consumption/budgets")) == 1


def daily_rows(request: Recorded) -> Reply:
    """Every day of the asked month: 10 EUR a day in rg-ml and 5 EUR a day in rg-web (Storage)."""
    start = date.fromisoformat(request.body["timePeriod"]["from"][:10])
    end = date.fromisoformat(request.body["timePeriod"]["to"][:10])
    rows = []
    for n in range((end - start).days + 1):
        day = int(f"{start + timedelta(days=n):%Y%m%d}")
        rows += [[10.0, 11.0, day, "Storage", "rg-ml", "EUR"], [5.0, 5.5, day, "Storage", "rg-web", "EUR"]]
    return Reply(200, query_page(rows))


def test_azure_budgets_get_the_dashboards_breach_date(arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On 26 Nov 2026 (the pinned day), rg-ml costs 10 a day.

    ml-monthly (265 a month, rg-ml): 260 spent, 300 estimated; 50 % (132.5) on 14 Nov, 80 % (212) on 22 Nov,
    100 % (265) on 27 Nov (270 then; 260 on the 26th).
    ml-quarterly (795 a quarter from 1 Oct, rg-ml): Q4 is 92 days: 310 + 260 = 570 spent, 920 estimated;
    50 % (397.5) on day 40 = 9 Nov, 80 % (636) on day 64 = 3 Dec, 100 % (795) on day 80 = 19 Dec.
    ml-tagged (a tag filter): no date; Azure's forecast spend only, and the page says so.
    """
    sign_in_with_az(arm, monkeypatch, tmp_path)
    monthly = {**BUDGET, "name": "ml-monthly", "properties": {**BUDGET["properties"], "amount": 265}}
    quarterly = {
        **BUDGET,
        "name": "ml-quarterly",
        "properties": {
            **BUDGET["properties"],
            "amount": 795,
            "timeGrain": "Quarterly",
            "timePeriod": {"startDate": "2026-10-01T00:00:00Z", "endDate": "2027-09-30T00:00:00Z"},
        },
    }
    arm.add("POST", QUERY_PATH, daily_rows)
    arm.add("POST", FORECAST_PATH, Reply(400, {"error": {"code": "BadRequest", "message": "Forecast is unavailable"}}))
    arm.add("GET", rf"{SUB_SCOPE}/providers/Microsoft\.Consumption/budgets", Reply(200, {"value": [monthly, quarterly, TAGGED]}))

    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.radio(key=state.SOURCE).set_value("azure").run()
    app.selectbox(key="azure_scope").set_value(SUB_SCOPE).run()
    app.button(key="azure_load").click().run()
    app.switch_page("pages/budgets.py").run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert list(table["Budget"]) == ["ml-monthly", "ml-quarterly", "ml-tagged"]
    days = {column: [None if pd.isna(v) else v.date() for v in table[column]] for column in ("50 % reached", "80 % reached")}
    assert days["50 % reached"] == [date(2026, 11, 14), date(2026, 11, 9), None]
    assert days["80 % reached"] == [date(2026, 11, 22), date(2026, 12, 3), None]
    breach = [None if pd.isna(v) else v.date() for v in table["Forecast breach date"]]
    assert breach == [date(2026, 11, 27), date(2026, 12, 19), None]
    assert list(table["Spent so far"])[:2] == pytest.approx([260.0, 570.0])
    assert list(table["Estimate to period end"])[:2] == pytest.approx([300.0, 920.0])
    assert list(table["Period"])[:2] == ["Nov 2026", "1 Oct 2026 – 31 Dec 2026"]
    assert list(table["Forecast from"])[:2] == ["dashboard's data for this scope"] * 2
    assert list(table["Forecast from"])[2].startswith("Azure's forecast spend only, no date (the budget's filter uses tags")
    app.switch_page("pages/overview.py").run()
    assert not app.exception, app.exception
    lines = [c.value for c in app.caption if c.value.startswith("Budget ")]
    assert lines == [  # names as Markdown source: the caption escapes them
        r"Budget ml\-monthly \(Azure\): €260.00 of €265.00 spent (98.1%), estimate €300.00. "
        "50.0% reached on 14 Nov 2026; 80.0% reached on 22 Nov 2026; 100.0% forecast for 27 Nov 2026",
        r"Budget ml\-quarterly \(Azure\) (1 Oct 2026 – 31 Dec 2026): €570.00 of €795.00 spent (71.7%), estimate €920.00. "
        "50.0% reached on 9 Nov 2026; 80.0% forecast for 3 Dec 2026; 100.0% forecast for 19 Dec 2026",
    ]
