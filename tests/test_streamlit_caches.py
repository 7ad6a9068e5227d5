"""The AppTests' cache clearing knows every resource cache of the app (tests/streamlit_caches.py)."""

from __future__ import annotations

from tests.streamlit_caches import CLEARED, KEPT, resource_cached_functions


def test_every_resource_cache_is_either_cleared_between_tests_or_the_demos() -> None:
    found = resource_cached_functions()
    assert "load_demo" in found and len(found) >= 3  # the scan reads the decorators, not nothing
    assert found == KEPT | {f.__name__ for f in CLEARED}
