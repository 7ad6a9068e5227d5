"""Real servers on 127.0.0.1 for the tests: `streamlit run` of the app, stand-in HTTP services, and the Chromium that
drives them; nothing the tests start may talk to anything but the loopback interface."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")
LOOPBACK = "127.0.0.1,localhost"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def loopback_only(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` with every proxy setting removed and loopback exempted, so requests to 127.0.0.1 go straight there."""
    return {**{k: v for k, v in environ.items() if k not in PROXY_VARIABLES}, "NO_PROXY": LOOPBACK, "no_proxy": LOOPBACK}


def chromium_path() -> str | None:
    """Debian's Chromium (or ``CHROMIUM_PATH``) to drive, or ``None``. Never ``playwright install``: it downloads."""
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    """Wait until the server at ``url`` answers its health check; fail with its log if it dies or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # A server that died (e.g. port taken) must not be mistaken for a stale one answering.
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"streamlit did not answer within {timeout:.0f} s:\n{log.read_text()}")


@contextmanager
def streamlit_app(
    log: Path, *args: str, env: Mapping[str, str] | None = None, port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`streamlit run app.py` on a loopback port with extra CLI ``args`` and ``env``: its URL and process; always stopped.

    Output goes to ``log`` (a file, never an unread pipe) and there is no stdin, so no prompt can ever block.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *args,
    ]
    environ = loopback_only({**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})})
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=environ, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, proc, log)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve_on_loopback(handler: type[BaseHTTPRequestHandler], poll_interval: float = 0.05) -> tuple[ThreadingHTTPServer, str]:
    """A stand-in HTTP service answering with ``handler`` on an ephemeral loopback port, in a daemon thread: it and its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@contextmanager
def launched_chromium(sync_api: Any, path: str | Callable[[Any], str], args: list[str]) -> Iterator[Any]:
    """A headless Chromium at ``path`` (or the path ``path(playwright)`` chooses) driven by Playwright; always closed."""
    playwright = sync_api.sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=path if isinstance(path, str) else path(playwright), args=args)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()
