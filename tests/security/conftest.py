"""Security tests: AppTest set-up like ``tests/app`` (fresh caches, the router's navigation mode)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.pages_manager import PagesManager

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _clear_caches() -> Iterator[None]:
    # streamlit/streamlit#9139: caches carry over between AppTest runs.
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in tests/app/conftest.py: a real server leaves the legacy pages/ mode once st.navigation
    # runs; AppTest re-detects it before every run.
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def _no_sign_in_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # The machine's environment must not switch the gate or the limits on for tests that do not ask.
    for name in (
        "AZDASH_ALLOWED_USERS",
        "AZDASH_ALLOWED_GROUPS",
        "AZDASH_REQUIRE_SIGN_IN",
        "AZDASH_AUTH_PROVIDER",
        "AZDASH_MAX_FILE_MB",
        "AZDASH_MAX_UNPACKED_MB",
        "AZDASH_MAX_RATIO",
        "AZDASH_MAX_MEMBERS",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def served_files(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Bytes behind each media URL the app creates (download buttons), keyed by URL file name."""
    served: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self: MemoryMediaFileStorage, path_or_data: object, mimetype: str, kind: object, filename: str | None = None) -> str:
        file_id = original(self, path_or_data, mimetype, kind, filename)  # type: ignore[arg-type]
        if isinstance(path_or_data, bytes):
            served[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return served
