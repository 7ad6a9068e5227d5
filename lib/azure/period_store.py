"""A disk cache of live query answers per billing period, so closed periods are asked for once.

Cost Management's quota is small (a tenant's queries per minute and hour), and a closed billing
period's charges stop moving once final (about the 5th of the next month). So each month's answer
is kept on disk per signed-in identity, scope and exact request body: a final period's answer is
served from disk until the user presses Refresh; any other (the open period, or one closed too
recently to be final) only for the time-to-live (four hours by default). Entries are JSON (never
pickles), written through a temporary file renamed into place, in folders only the user can read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from lib.core.cache_dir import cache_dir

VERSION: Final = 1


@dataclass(frozen=True)
class Stored:
    """One kept answer."""

    value: Any
    stored_at: float  # wall clock, seconds
    final: bool


class PeriodStore:
    """Answers kept on disk under ``folder/<identity>/``; ``clock`` is injectable for tests."""

    def __init__(self, folder: Path, identity: str, ttl_s: float, clock: Callable[[], float] = time.time) -> None:
        self.folder = folder / _name(identity)
        self.ttl_s = ttl_s
        self.clock = clock

    def _path(self, scope_id: str, kind: str, request: Any) -> Path:
        text = json.dumps([VERSION, scope_id.lower().rstrip("/"), kind, request], sort_keys=True, default=str)
        return self.folder / f"{kind}-{_name(text)}.json"

    def get(self, scope_id: str, kind: str, request: Any) -> Stored | None:
        """The kept answer to ``request`` at ``scope_id``: a final one always, any other while younger than the lifetime."""
        path = self._path(scope_id, kind, request)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("version") != VERSION:
            return None
        stored = Stored(entry.get("value"), float(entry.get("stored_at", 0.0)), bool(entry.get("final")))
        if stored.final or self.clock() - stored.stored_at <= self.ttl_s:
            return stored
        return None

    def put(self, scope_id: str, kind: str, request: Any, value: Any, *, final: bool) -> None:
        """Keep ``value`` (JSON-ready); a failure to write only means it is asked for again next time."""
        path = self._path(scope_id, kind, request)
        entry = {"version": VERSION, "stored_at": self.clock(), "final": final, "value": value}
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry, out, default=str)
            Path(temporary).replace(path)
        except OSError:
            return

    def clear(self) -> None:
        """Forget every kept answer of this identity."""
        for path in self.folder.glob("*.json"):
            path.unlink(missing_ok=True)


def _name(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def default_store(identity: str, ttl_s: float) -> PeriodStore:
    """The store in the dashboard's cache folder (``AZDASH_CACHE_DIR``)."""

    return PeriodStore(cache_dir() / "azure-periods", identity, ttl_s)
