"""A page drawn on the Lake source (AppTest), against the real Spark Connect server."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.analysis.summary import summarize
from lib.core.fmt import money
from lib.core.models import Metric
from lib.ui import lake_panel, state
from tests.app.conftest import APP, TIMEOUT, _clear_caches, _navigation_mode, metrics, open_filters
from tests.app.pickers import choose_period
from tests.sources.lake import lakes
from tests.sources.lake.conftest import Loaded

__all__ = ["_clear_caches", "_navigation_mode"]  # the app tests' autouse fixtures, for this module too


def _lake_overview(spark_remote: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The overview on the Lake source at ``root``, the generated exports' months chosen, as a user picks them."""
    # A path typed on the page is read only inside the folders the person running the dashboard allows.
    monkeypatch.setenv("AZDASH_PATH_ROOTS", str(root.parent))
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT * 3)
    app.session_state[lake_panel.REMOTE_KEY] = spark_remote
    app.run()
    app.radio(key=state.SOURCE).set_value("lake").run()
    assert not app.exception, app.exception
    app.text_input(key=lake_panel.ROOT_KEY).set_value(str(root)).run()
    assert not app.exception, app.exception
    app.session_state[state.CUSTOM_RANGE] = (date(2025, 2, 1), date(2025, 3, 31))  # the generated exports' months
    choose_period(app, state.CUSTOM).run()
    assert not app.exception, app.exception
    return app


def test_overview_renders_on_the_lake_with_the_local_readers_total(
    spark_remote: str, loaded: Loaded, generated_lake: tuple[Path, list[lakes.Written]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _written = generated_lake
    app = _lake_overview(spark_remote, root, monkeypatch)
    captions = " ".join(c.value for c in app.sidebar.caption)
    assert "Spark aggregated 511 rows of the lake" in captions
    currency = app.selectbox(key=state.CURRENCY).value
    expected = summarize(loaded.files(root, Metric.ACTUAL))["cost_by_currency"]
    assert isinstance(expected, dict)
    assert metrics(app)["Total in selected period"] == money(expected[currency], currency)


def test_a_lake_over_the_cube_limit_shows_the_same_total_without_the_detail_it_left_out(
    spark_remote: str, loaded: Loaded, generated_lake: tuple[Path, list[lakes.Written]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _written = generated_lake
    monkeypatch.setenv("AZDASH_LAKE_CUBE_ROWS", "1")  # no cube fits: every detail it can leave out is left out
    app = _lake_overview(spark_remote, root, monkeypatch)
    shown = " ".join(e.value for e in [*app.info, *app.sidebar.info, *app.caption, *app.sidebar.caption, *app.markdown])
    assert "meter, unit, tags, billing profile, invoice section, location, resource group are left out" in shown
    filters = [m.label for m in open_filters(app).sidebar.multiselect]
    assert "Service" in filters and "Subscription" in filters
    assert not {"Meter", "Location", "Resource group"} & set(filters)
    currency = app.selectbox(key=state.CURRENCY).value
    expected = summarize(loaded.files(root, Metric.ACTUAL))["cost_by_currency"]
    assert isinstance(expected, dict)
    assert metrics(app)["Total in selected period"] == money(expected[currency], currency)
