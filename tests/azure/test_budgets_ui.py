"""The Budgets page for a live scope: Azure's own budgets beside the dashboard's, through the real SDK and the stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from lib.ui import state
from tests.azure.fakes import FORECAST_PATH, QUERY_PATH, SUB_SCOPE, FakeArm, Recorded, Reply, query_page, sign_in_with_az
from tests.azure.test_budgets import BUDGET

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture(autouse=True)
def _fresh_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("AZDASH_BUDGETS", str(tmp_path / "budgets.json"))
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    yield
    st.cache_resource.clear()


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
