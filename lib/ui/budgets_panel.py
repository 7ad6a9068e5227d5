"""The budgets file of this session's user (Streamlit side of ``lib.analysis.budgets``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib.analysis import budgets
from lib.azure.budgets import AzureBudget, read_budgets
from lib.azure.clients import Clients
from lib.core.dataset import SourceError
from lib.ui import cache_azure


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


def azure_budgets(scope_id: str) -> list[AzureBudget] | str:
    """Azure's own budgets on the live scope (cached like the other Azure answers), or why they cannot be read."""
    connection = cache_azure.connection()
    if isinstance(connection, str):
        return connection
    try:
        return cache_azure.cached(
            connection, ("budgets", scope_id), lambda: read_budgets(Clients(connection.credential, connection.settings), scope_id)
        ).value
    except SourceError as error:
        return str(error)
