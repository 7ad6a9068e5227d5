"""Choosing in the sidebar as a person does, for AppTests."""

from __future__ import annotations

import re
from typing import Any

from streamlit.testing.v1 import AppTest

from lib.ui import sidebar, state


def choose_period(at: AppTest, key: str) -> Any:
    """Choose the period ``key`` (not run yet: call ``.run()`` on what is returned).

    A billing period (``YYYYMM``) is two steps: "Billing period…" in the period radio (run), then the period in the
    drop-down it opens; every other key is an entry of the radio.
    """
    radio = at.sidebar.radio(key=state.PERIOD_PRESET)
    if re.fullmatch(r"\d{6}", key):
        radio.set_value(sidebar.BILLING_PERIOD).run()
        return at.sidebar.selectbox(key=state.PERIOD_BILLING).set_value(key)
    return radio.set_value(key)
