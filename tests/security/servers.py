"""A real ``streamlit run`` server on 127.0.0.1 and a headless Chromium, for the security browser tests.

Chromium comes from ``CHROMIUM_PATH`` or ``/usr/bin/chromium`` (never ``playwright install``);
without one the tests using it are skipped with a loud reason.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.serving import chromium_path, launched_chromium, streamlit_app

AS_OF = "2026-11-26"
FONT_HOSTS = frozenset({"fonts.gstatic.com", "fonts.googleapis.com"})
# Background tabs must not be throttled: twenty sessions run side by side in one browser.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def skip_loudly(reason: str) -> None:
    """Skip with a warning in the summary (a skipped security test must not go unnoticed); fail where CI requires the browser."""
    if os.environ.get("AZDASH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"security browser tests required (AZDASH_REQUIRE_BROWSER=1) but cannot run: {reason}")
    message = f"SECURITY BROWSER TESTS SKIPPED: {reason}"
    warnings.warn(message, UserWarning, stacklevel=2)
    print(f"\n{message}", file=sys.stderr)
    pytest.skip(message)


@dataclass(frozen=True)
class Server:
    """A running dashboard."""

    url: str
    pid: int
    log: Path

    def rss_mb(self) -> float:
        """Resident memory of the server process (Linux ``/proc``), in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def streamlit_server(log: Path, *args: str, env: dict[str, str] | None = None, port: int | None = None) -> Iterator[Server]:
    """`streamlit run app.py` on loopback with extra CLI ``args``; always stopped."""
    environ = {"AZDASH_TODAY": AS_OF, "AZURE_TOKEN_CREDENTIALS": "dev", **(env or {})}
    with streamlit_app(log, *args, env=environ, port=port) as (url, proc):
        yield Server(url, proc.pid, log)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module; contexts isolate the sessions."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
    path = chromium_path()
    if path is None:
        skip_loudly("no Chromium (set CHROMIUM_PATH or `apt-get install -y chromium`)")
    with launched_chromium(sync_api, str(path), CHROMIUM_ARGS) as launched:
        yield launched


def keep_local(context: Any) -> list[str]:
    """Abort every request that would leave 127.0.0.1; return the list they are recorded in."""
    outside: list[str] = []

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1")):
            route.continue_()
            return
        # Streamlit asks Google's font hosts for the page icon; aborted like the rest, not counted
        # (tests/browser/conftest.py explains).
        if urlsplit(url).hostname not in FONT_HOSTS:
            outside.append(url)
        route.abort()

    context.route("**/*", route)
    return outside
