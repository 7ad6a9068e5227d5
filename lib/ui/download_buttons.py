"""Download buttons whose file exists on the server only briefly after the click.

Streamlit serves a download button's file at ``/media/<id>``, a URL that answers anyone who has it:
no cookie or sign-in is checked, and the file lives as long as a session's page shows the button
(and, once no page does, until two of the server's clean-ups, which run only when some script
run ends). So the buttons here hand Streamlit a function instead of bytes (its "deferred"
download): no URL exists until the button is clicked, the click asks for the file over the
clicking session's own connection, and the file it makes is referenced by no page. A clean-up
every ``AZDASH_DOWNLOAD_SECONDS`` (``DEFAULT_SECONDS``) seconds then removes it within one or
two periods, whether or not anyone else uses the server. docs/security.md states the exposure.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any, Final

import streamlit as st
from streamlit import runtime
from streamlit.runtime import Runtime

SECONDS_ENV: Final = "AZDASH_DOWNLOAD_SECONDS"
DEFAULT_SECONDS: Final = 60
_started = threading.Event()
_lock = threading.Lock()


def seconds(environ: dict[str, str] | None = None) -> float:
    """The clean-up period: ``AZDASH_DOWNLOAD_SECONDS`` when it is a positive number, else ``DEFAULT_SECONDS``."""
    text = (os.environ if environ is None else environ).get(SECONDS_ENV, "").strip()
    try:
        value = float(text) if text else DEFAULT_SECONDS
    except ValueError:
        return DEFAULT_SECONDS
    return value if value > 0 else DEFAULT_SECONDS


def _sweep_forever(period: float) -> None:
    # Streamlit's own clean-up: a file no page references is marked the first time and removed the second; files a
    # page still shows (and its deferred buttons) are kept. The wait keeps a file long enough for the browser's fetch,
    # which follows the click at once.
    while True:
        time.sleep(period)
        if runtime.exists():
            runtime.get_instance().media_file_mgr.remove_orphaned_files()


def start_cleanup() -> None:
    """Start the periodic clean-up once per server process (not under AppTest, whose runtime is a stand-in)."""
    if _started.is_set() or not runtime.exists() or type(runtime.get_instance()) is not Runtime:
        return
    with _lock:
        if _started.is_set():
            return
        threading.Thread(target=_sweep_forever, args=(seconds(),), name="azdash-download-cleanup", daemon=True).start()
        _started.set()


def download_button(label: str, data: bytes | Callable[[], bytes], *, file_name: str, mime: str, key: str, **options: Any) -> None:
    """``st.download_button`` for ``data`` whose URL is made only on click and expires soon after (see the module).

    ``data`` may be a function making the bytes: it is then called only when the button is clicked.
    The page is not run again for a click (``on_click="ignore"``): downloading changes nothing.
    """
    start_cleanup()
    produce: Callable[[], bytes] = data if callable(data) else lambda: data
    st.download_button(label, produce, file_name=file_name, mime=mime, key=key, on_click="ignore", **options)
