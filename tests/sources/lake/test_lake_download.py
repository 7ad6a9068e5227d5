"""The download page's files on the Lake source: raw rows streamed from the engine for the chosen scope, period and
filters, counted on the cube. Expected rows are picked here from the written part files, by hand-written rules."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.analysis.filters import Filters
from lib.analysis.views import View
from lib.core.models import Metric, Period
from lib.core.schema import UNTAGGED, Col
from lib.output import downloads
from lib.ui import lake_panel, state
from tests.app.conftest import APP, TIMEOUT, _clear_caches, _navigation_mode, download, served_files, served_names
from tests.app.pickers import choose_period
from tests.sources.lake import lakes
from tests.sources.lake.conftest import Loaded

__all__ = ["_clear_caches", "_navigation_mode", "served_files", "served_names"]  # the app tests' fixtures

SUB = lakes.SUBSCRIPTIONS[1][0]  # every Storage row (index 1 of each day) is in the second subscription
PERIOD = Period(date(2025, 2, 10), date(2025, 3, 5))


def _day(row: dict[str, str]) -> date:
    if "Date" in row:
        return datetime.strptime(row["Date"], "%m/%d/%Y").date()
    return date.fromisoformat(row["ChargePeriodStart"][:10])


def _env(row: dict[str, str]) -> str | None:
    cell = row["Tags"].strip()
    if not cell:
        return None
    tags = json.loads(cell if cell.startswith("{") else "{" + cell + "}")
    return next((v for k, v in tags.items() if k.lower() == "env"), None)


def _expected(written: list[lakes.Written], *, filtered: bool) -> Counter[frozenset[tuple[str, str]]]:
    """Rows of the kept runs in the period and subscription (``filtered``: of Storage, env test or untagged)."""
    found: Counter[frozenset[tuple[str, str]]] = Counter()
    for part in written:
        if part.run == "early":  # replaced by the later March run
            continue
        for row in part.rows:
            sub = row.get("SubscriptionId") or row["SubAccountId"].removeprefix("/subscriptions/")
            if sub != SUB or not PERIOD.contains(_day(row)):
                continue
            service = row.get("MeterCategory") or row["ServiceName"]
            if filtered and (service != "Storage" or _env(row) not in ("test", None)):
                continue
            found[frozenset((k, v) for k, v in row.items() if v)] += 1
    return found


def _rows(data: bytes) -> Counter[frozenset[tuple[str, str]]]:
    """A download's rows as their filled cells (the CSV holds both layouts' columns when the lake holds both)."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return Counter(frozenset((k, v) for k, v in row.items() if v) for row in reader)


def test_lake_download_streams_the_selected_raw_rows(loaded: Loaded, generated_lake: tuple[Path, list[lakes.Written]]) -> None:
    root, written = generated_lake
    lake = loaded.lake(root, Metric.ACTUAL)
    chosen = Filters(((Col.SERVICE, ("Storage",)),), "env", ("test", UNTAGGED))
    view = View(source="lake", scope_id=f"/subscriptions/{SUB}", period_key="custom", period=PERIOD, filters=chosen)
    counted = downloads.lake_download(lake, view)
    raw, filtered = _expected(written, filtered=False), _expected(written, filtered=True)
    assert counted is not None and (counted.raw_rows, counted.filtered_rows) == (raw.total(), filtered.total())
    assert 0 < filtered.total() < raw.total()
    assert _rows(downloads.lake_csv(lake, view, filtered=False)) == raw
    assert _rows(downloads.lake_csv(lake, view, filtered=True)) == filtered


def test_download_page_on_the_lake_offers_the_rows_or_says_they_are_too_many(
    spark_remote: str, generated_lake: tuple[Path, list[lakes.Written]], monkeypatch: pytest.MonkeyPatch, served_files: dict[str, bytes]
) -> None:
    root, written = generated_lake
    monkeypatch.setenv("AZDASH_PATH_ROOTS", str(root.parent))
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT * 3)
    app.session_state[lake_panel.REMOTE_KEY] = spark_remote
    app.session_state[lake_panel.ROOT_KEY] = str(root)
    app.session_state[state.SOURCE] = "lake"
    app.session_state[state.CUSTOM_RANGE] = (date(2025, 2, 1), date(2025, 3, 31))  # every generated row
    app.run()
    choose_period(app, state.CUSTOM).run()
    app.switch_page("pages/download.py").run()
    assert not app.exception, app.exception
    kept = [row for part in written if part.run != "early" for row in part.rows]
    assert f"{len(kept)} rows of the lake." in [c.value for c in app.caption]
    served = download(app, served_files, "download_raw")
    assert _rows(served) == Counter(frozenset((k, v) for k, v in row.items() if v) for row in kept)
    monkeypatch.setattr(downloads, "BROWSER_MAX_ROWS", 100)
    app.run()
    assert not app.exception, app.exception
    assert not [b for b in app.get("download_button") if b.proto.id.endswith("download_raw")]
    assert any("Too many rows to send through the browser" in w.value for w in app.warning)
