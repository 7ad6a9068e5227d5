"""AppTest helpers: a fresh app per test and access to what download buttons serve."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from lib.ui import state
from tests.streamlit_caches import clear_all_but_the_demo

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60  # the shared 2-core CI machine can be slow on a cold first run


@pytest.fixture(autouse=True)
def _clear_caches() -> None:
    clear_all_but_the_demo()


@pytest.fixture(autouse=True)
def _navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest re-detects the legacy "pages/ folder" mode before every run (a real server does so
    # once, and st.navigation switches it off for good); without this, every run after the first
    # would execute the page file alone, without app.py's frame.
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def app() -> AppTest:
    """The dashboard, run once on demo data."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def served_names() -> dict[str, str]:
    """The file name the browser is given for each media URL the app creates, keyed by URL file name."""
    return {}


@pytest.fixture
def served_files(monkeypatch: pytest.MonkeyPatch, served_names: dict[str, str]) -> dict[str, bytes]:
    """Bytes behind each media URL the app creates (download buttons), keyed by URL file name."""
    served: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self: MemoryMediaFileStorage, path_or_data: object, mimetype: str, kind: object, filename: str | None = None) -> str:
        file_id = original(self, path_or_data, mimetype, kind, filename)  # type: ignore[arg-type]
        if isinstance(path_or_data, bytes):
            served[file_id] = path_or_data
            served_names[file_id] = filename or ""
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    # A deferred download (data given as a function) has no file until clicked: keep its function, as the server does.
    original_deferred = MediaFileManager.add_deferred
    _DEFERRED.clear()

    def spy_deferred(
        self: MediaFileManager,
        data_callable: Callable[[], object],
        mimetype: str | None,
        coordinates: str,
        file_name: str | None = None,
        **kwargs: object,
    ) -> str:
        file_id = original_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)  # type: ignore[arg-type]
        _DEFERRED[file_id] = data_callable
        served_names[file_id] = file_name or ""
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy_deferred)
    return served


_DEFERRED: dict[str, Callable[[], object]] = {}


def open_tables(at: AppTest, keys: tuple[str, ...] = state.OVERVIEW_TABLES) -> AppTest:
    """Open the overview's table expanders (each table is built only while its expander is open) and run again."""
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception, at.exception
    return at


def open_filters(at: AppTest) -> AppTest:
    """Open the sidebar's Filters expander (its boxes are drawn only while it is open) and run again."""
    at.session_state[state.FILTERS_OPEN] = True
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Headline metrics by label, without the period each label names at its end ("Total in selected period (Sep 2026)")."""
    return {re.sub(r" \([^()]*\)$", "", m.label): m.value for m in at.metric}


def served_id(at: AppTest, key: str) -> str:
    """The media file id behind the download button with ``key`` (a deferred one's placeholder id)."""
    button = next(b.proto for b in at.get("download_button") if b.proto.id.endswith(key))
    if button.HasField("deferred_file_id"):
        return str(button.deferred_file_id)
    return str(button.url.rsplit("/", 1)[-1].split(".")[0])


def download(at: AppTest, served: dict[str, bytes], key: str) -> bytes:
    """The bytes a download button with ``key`` serves (a deferred one's file is made as a click makes it)."""
    button = next(b.proto for b in at.get("download_button") if b.proto.id.endswith(key))
    if button.HasField("deferred_file_id"):
        # What the server runs when the browser's click asks for the file (AppTest has no browser).
        made = _DEFERRED[button.deferred_file_id]()
        assert isinstance(made, bytes), type(made)
        return made
    file_id = button.url.rsplit("/", 1)[-1].split(".")[0]
    return served[file_id]
