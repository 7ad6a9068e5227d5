"""The one place the wall clock is read; everything else takes ``as_of`` as a parameter."""

from __future__ import annotations

import os
from datetime import date


def today() -> date:
    """Today, or ``AZDASH_TODAY`` (YYYY-MM-DD) when set, to pin the demo for screenshots and tests."""
    pinned = os.environ.get("AZDASH_TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()
