"""All Streamlit caching lives here.

Big frames are held with ``st.cache_resource`` (shared, never pickled or copied on a rerun);
small derived values may use ``st.cache_data``.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from lib.core.dataset import Dataset, LoadRequest
from lib.core.models import Metric
from lib.sources.demo import DemoSource


# No spinner text here: it would be fixed in one language when the module is imported. The
# caller (lib.ui) shows a spinner in the reader's language around the call.
@st.cache_resource(show_spinner=False, max_entries=8)
def load_demo(as_of: date, metric: Metric) -> Dataset:
    """The demo data set for ``as_of``: the same for every viewer, so shared."""
    return DemoSource().load(LoadRequest(as_of=as_of, metric=metric))
