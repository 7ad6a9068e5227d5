"""Switching from the demo to Azure (issue 19, point 11): Azure's own view, no notes; who is signed in, in words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.ui import state
from tests.azure.fakes import FORECAST_PATH, QUERY_PATH, SUB_SCOPE, FakeArm, Recorded, Reply, fake_jwt, query_page, sign_in_with_az
from tests.azure.test_ui import _fresh_app  # noqa: F401  (autouse: fresh caches, navigation mode)

APP = Path(__file__).resolve().parents[2] / "app.py"


def _serve_two_services(arm: FakeArm) -> None:
    def month(request: Recorded) -> Reply:
        start = date.fromisoformat(request.body["timePeriod"]["from"][:10])
        return Reply(200, query_page([[10.0, 11.0, int(f"{start:%Y%m}02"), "Storage", "rg-data", "EUR"]]))

    arm.add("POST", QUERY_PATH, month)
    arm.add("POST", FORECAST_PATH, Reply(400, {"error": {"code": "BadRequest", "message": "Forecast is unavailable"}}))


def test_switching_from_the_demo_to_azure_starts_azures_own_view_without_notes(
    arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sign_in_with_az(arm, monkeypatch, tmp_path)
    _serve_two_services(arm)
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    demo_scope = app.radio(key=state.SCOPE).value
    assert demo_scope  # the demo's scope is chosen: the one that used to be carried over
    app.radio(key=state.SOURCE).set_value("azure").run()
    app.selectbox(key="azure_scope").set_value(SUB_SCOPE).run()
    app.button(key="azure_load").click().run()
    assert not app.exception, app.exception
    assert app.metric, "the Azure data did not load"
    notes = [w.value for w in app.warning]
    assert not notes, notes
    assert app.radio(key=state.SCOPE).value != demo_scope


def test_a_sign_in_without_a_user_name_shows_the_credential_and_tenant(
    arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sign_in_with_az(arm, monkeypatch, tmp_path, token=fake_jwt(upn="", tid="tenant-7"))
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.radio(key=state.SOURCE).set_value("azure").run()
    assert not app.exception, app.exception
    signed_in = [c.value for c in app.sidebar.caption if "Signed in as" in c.value]
    assert signed_in, [c.value for c in app.sidebar.caption]
    assert "Signed in as signed in" not in signed_in[0]
    assert "AzureCliCredential in tenant tenant-7" in signed_in[0]
