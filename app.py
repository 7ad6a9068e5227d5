"""Azure usage and charges dashboard: the router and the frame around every page."""

import streamlit as st

from lib import state, ui
from lib.clock import today

st.set_page_config(page_title="Azure usage and charges", page_icon=":material/monitoring:", layout="wide")

context = ui.render_sidebar(today())
st.session_state[state.CONTEXT] = context

pages = st.navigation(
    {
        "Costs": [
            st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
            st.Page("pages/explore.py", title="Explore", icon=":material/filter_alt:"),
        ],
        "Data": [
            st.Page("pages/download.py", title="Usage download", icon=":material/download:"),
            st.Page("pages/access.py", title="Access", icon=":material/admin_panel_settings:"),
        ],
    }
)
try:
    pages.run()
finally:
    # The context belongs to this run only; a page run without the frame must not see a stale one.
    st.session_state.pop(state.CONTEXT, None)
