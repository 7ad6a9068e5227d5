"""Security tests: AppTest set-up like ``tests/app`` (fresh caches, the router's navigation mode)."""

from __future__ import annotations

import pytest

# The AppTest set-up is shared with tests/app: fresh caches, the router's navigation mode and the
# download-bytes spy (pytest picks fixtures up from a conftest's namespace, imported ones included).
from tests.app.conftest import APP, TIMEOUT, _clear_caches, _navigation_mode, served_files, served_names

__all__ = ["APP", "TIMEOUT", "_clear_caches", "_navigation_mode", "served_files", "served_names"]


@pytest.fixture(autouse=True)
def _no_sign_in_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # The machine's environment must not switch the gate or the limits on for tests that do not ask.
    for name in (
        "AZDASH_ALLOWED_USERS",
        "AZDASH_ALLOWED_GROUPS",
        "AZDASH_REQUIRE_SIGN_IN",
        "AZDASH_AUTH_PROVIDER",
        "AZDASH_PATH_ROOTS",
        "AZDASH_MAX_FILE_MB",
        "AZDASH_MAX_UNPACKED_MB",
        "AZDASH_MAX_RATIO",
        "AZDASH_MAX_MEMBERS",
    ):
        monkeypatch.delenv(name, raising=False)
