"""The budgets file of this session's user (Streamlit side of ``lib.budgets``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib import budgets


def identity() -> str | None:
    """The signed-in user's stable id (``oid`` or ``sub``), or ``None`` when nobody is signed in."""
    user = dict(st.user.to_dict())
    if not user.get("is_logged_in"):
        return None
    for claim in ("oid", "sub"):
        value = user.get(claim)
        if isinstance(value, str) and value:
            return value
    return None


def path() -> Path:
    """This user's budgets file."""
    return budgets.budgets_path(identity())
