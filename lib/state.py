"""Session-state keys and reading the user's view from the widgets."""

from __future__ import annotations

from datetime import date
from typing import Final

import streamlit as st

from lib.filters import Filters
from lib.models import Metric
from lib.periods import parse_period_key
from lib.schema import DIMENSIONS, Col
from lib.views import View

SOURCE: Final = "source"
SCOPE: Final = "scope"
PERIOD: Final = "period"
CUSTOM_RANGE: Final = "custom_range"
METRIC: Final = "metric"
CURRENCY: Final = "currency"
GROUP_BY: Final = "group_by"
TAG_KEY: Final = "tag_key"
TAG_VALUES: Final = "tag_values"
CONTEXT: Final = "_context"
CUSTOM: Final = "custom"


def filter_key(col: Col) -> str:
    """Session key of the multiselect filtering ``col``."""
    return f"filter_{col}"


def current_filters() -> Filters:
    """The filters as chosen in the sidebar."""
    filters = Filters()
    for col in DIMENSIONS:
        filters = filters.with_values(col, tuple(st.session_state.get(filter_key(col), ())))
    tag_key = st.session_state.get(TAG_KEY) or None
    tag_values = tuple(st.session_state.get(TAG_VALUES, ())) if tag_key else ()
    return Filters(filters.dimensions, tag_key, tag_values)


def clear_filters() -> None:
    """Reset every filter widget (used as a button callback)."""
    for col in DIMENSIONS:
        st.session_state[filter_key(col)] = []
    st.session_state[TAG_KEY] = None
    st.session_state[TAG_VALUES] = []


def current_view(as_of: date) -> View:
    """The view the widgets describe."""
    period_key = st.session_state.get(PERIOD, "history")
    if period_key == CUSTOM:
        chosen: tuple[date, ...] = tuple(st.session_state.get(CUSTOM_RANGE) or ())
        period = parse_period_key(f"{chosen[0]}..{chosen[-1]}", as_of) if chosen else None
    else:
        period = parse_period_key(period_key, as_of)
    return View(
        source=st.session_state.get(SOURCE, "demo"),
        scope_id=st.session_state.get(SCOPE),
        period_key=period_key,
        period=period,
        metric=Metric(st.session_state.get(METRIC, Metric.ACTUAL.value)),
        currency=st.session_state.get(CURRENCY),
        filters=current_filters(),
        group_by=st.session_state.get(GROUP_BY, Col.SERVICE),
    )
