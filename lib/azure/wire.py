"""Reading fields from SDK models and plain JSON alike, by their wire names."""

from __future__ import annotations

from typing import Any


def get_field(item: Any, *path: str) -> Any:
    """Read a wire-named field from an SDK model (they are mappings) or a plain dict; ``None`` if absent."""
    value = item
    for key in path:
        try:
            value = value[key]
        except (KeyError, TypeError, IndexError):
            return None
    return value
