"""The overview of a live scope: Azure's forecast (Cost Management Forecast API) beside the dashboard's own estimate,
through the real SDK and the stand-in on 127.0.0.1."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.ui import state
from tests.azure.fakes import FORECAST_PATH, QUERY_PATH, SUB_SCOPE, FakeArm, Reply, query_page, sign_in_with_az
from tests.azure.test_budgets_ui import _fresh_app, daily_rows

__all__ = ["_fresh_app"]  # the budgets page tests' autouse fixture (fresh caches, a budgets file), for this module too

APP = Path(__file__).resolve().parents[2] / "app.py"
FORECAST_COLUMNS = [
    {"name": "Cost", "type": "Number"},
    {"name": "UsageDate", "type": "Number"},
    {"name": "CostStatus", "type": "String"},
    {"name": "Currency", "type": "String"},
]


def overview(arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, forecast: Reply) -> AppTest:
    sign_in_with_az(arm, monkeypatch, tmp_path)
    arm.add("POST", QUERY_PATH, daily_rows)
    arm.add("POST", FORECAST_PATH, forecast)
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.radio(key=state.SOURCE).set_value("azure").run()
    app.selectbox(key="azure_scope").set_value(SUB_SCOPE).run()
    app.button(key="azure_load").click().run()
    assert not app.exception, app.exception
    return app


def test_azure_forecast_is_shown_beside_the_dashboards_estimate(arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """15 EUR a day (rg-ml 10, rg-web 5) up to 26 Nov 2026 (the pinned day): the dashboard estimates 30 x 15 = 450.
    Azure answers 26 actual days of 15 (390) and 4 forecast days of 16 (64): 454."""
    actual = [[15.0, int(f"{date(2026, 11, 1) + timedelta(days=n):%Y%m%d}"), "Actual", "EUR"] for n in range(26)]
    ahead = [[16.0, int(f"{date(2026, 11, 27) + timedelta(days=n):%Y%m%d}"), "Forecast", "EUR"] for n in range(4)]
    app = overview(arm, monkeypatch, tmp_path, Reply(200, query_page(actual + ahead, columns=FORECAST_COLUMNS)))
    shown = {m.label: m.value for m in app.metric}
    assert shown["Estimate to period end (Nov 2026)"] == "€450.00"
    assert shown["Azure forecast (Nov 2026)"] == "€454.00"
    assert len(arm.calls("POST", "/forecast")) == 1
    assert any(c.value.startswith("Azure's forecast is not back-tested") for c in app.caption)


def test_a_refused_forecast_is_said_and_the_estimate_stays(arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    refused = Reply(400, {"error": {"code": "BadRequest", "message": "Forecast is unavailable for this scope"}})
    app = overview(arm, monkeypatch, tmp_path, refused)
    metrics = {m.label: m for m in app.metric}
    assert metrics["Estimate to period end (Nov 2026)"].value == "€450.00"
    assert metrics["Azure forecast (Nov 2026)"].value == "not available"
    assert "Forecast is unavailable for this scope" in metrics["Azure forecast (Nov 2026)"].help
