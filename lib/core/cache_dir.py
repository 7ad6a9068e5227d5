"""Where the dashboard keeps files on this machine (columnar caches, disk downloads, budgets, closed Azure periods)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``AZDASH_CACHE_DIR``, else the user's cache folder (``~/.cache/azdash``); never inside the repository."""
    given = os.environ.get("AZDASH_CACHE_DIR")
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "azdash"
