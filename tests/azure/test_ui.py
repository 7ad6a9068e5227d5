"""The Azure sidebar in the real app (Streamlit AppTest) against the loopback stand-in ARM."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from lib.core.fmt import money
from lib.ui import state
from tests.app.pickers import choose_period
from tests.azure.fakes import FORECAST_PATH, QUERY_PATH, SUB_SCOPE, FakeArm, Recorded, Reply, query_page, sign_in_with_az
from tests.streamlit_caches import clear_all_but_the_demo

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture(autouse=True)
def _fresh_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    clear_all_but_the_demo()
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    yield
    clear_all_but_the_demo()


def test_azure_sidebar_loads_the_chosen_scope_caches_it_and_refreshes(
    arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sign_in_with_az(arm, monkeypatch, tmp_path)
    served: list[float] = []
    served_in: dict[date, list[float]] = {}  # per billing period asked for, by its first day

    def month(request: Recorded) -> Reply:
        start = date.fromisoformat(request.body["timePeriod"]["from"][:10])
        rows = [
            [100.0 + start.month, 110.0, int(f"{start:%Y%m}02"), "Storage", "rg-data", "EUR"],
            [2.5, 2.7, int(f"{start:%Y%m}03"), "Bandwidth", "rg-web", "EUR"],
        ]
        served.extend(r[0] for r in rows)
        served_in.setdefault(start.replace(day=1), []).extend(r[0] for r in rows)
        return Reply(200, query_page(rows))

    arm.add("POST", QUERY_PATH, month)
    arm.add("POST", FORECAST_PATH, Reply(400, {"error": {"code": "BadRequest", "message": "Forecast is unavailable"}}))

    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.radio(key=state.SOURCE).set_value("azure").run()
    assert not app.exception
    assert any("Signed in as ana@contoso.example" in c.value for c in app.sidebar.caption)
    app.selectbox(key="azure_scope").set_value(SUB_SCOPE).run()
    assert any("Press Load" in i.value for i in app.info)
    assert arm.calls("POST", "/query") == []

    app.button(key="azure_load").click().run()
    assert not app.exception, app.exception
    assert not app.error
    months = len(arm.calls("POST", "/query"))
    assert months == 7  # six closed billing periods and the open one, one query each
    metrics = {m.label.split(" (")[0]: m.value for m in app.metric}
    # It opens on month to date; the six closed periods were fetched as well (the estimate and the billing chart use them).
    assert metrics["Total in selected period"] == money(sum(served_in[max(served_in)]), "EUR")
    choose_period(app, "history").run()
    metrics = {m.label.split(" (")[0]: m.value for m in app.metric}
    assert metrics["Total in selected period"] == money(sum(served), "EUR")
    assert len(arm.calls("POST", "/query")) == months  # the history was already loaded
    assert any("Data fetched" in c.value and f"{len(served)} rows" in c.value for c in app.sidebar.caption)

    app.run()  # a rerun is served from the cache
    assert len(arm.calls("POST", "/query")) == months
    app.button(key="azure_refresh_now").click().run()
    assert not app.exception
    assert len(arm.calls("POST", "/query")) == 2 * months


def test_azure_sidebar_without_sign_in_explains_how(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.radio(key=state.SOURCE).set_value("azure").run()
    assert not app.exception
    assert any("az login" in i.value for i in app.info)
