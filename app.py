"""Azure usage and charges dashboard: the router and the frame around every page.

Each run starts by reading the link (once per session) and setting the run's language; it ends
by writing the view on screen back into the link, so the address bar can always be shared.
"""

import streamlit as st

from lib.access import redact
from lib.core.clock import today
from lib.core.i18n import _
from lib.ui import cache_files, gate, sidebar, state, widgets

# A fresh server's first run comes in Streamlit's legacy pages-folder mode: leave it before anything is drawn.
widgets.leave_legacy_pages_mode()
# Logs never hold signatures, tokens or secrets, whichever library writes them.
redact.install_log_redaction()
as_of = today()
state.start_run(as_of)
st.set_page_config(page_title=_("Azure usage and charges"), page_icon=":material/monitoring:", layout="wide")
# Sign-in gate (off without an [auth] secrets section): a visitor who may not see data gets the
# sign-in or no-access page and the run stops here, before any data is read.
gate.gate()

context = sidebar.render_sidebar(as_of)
st.session_state[state.CONTEXT] = context
widgets.show_notes(context)
state.write_link()

pages = st.navigation(
    {
        _("Costs"): [
            st.Page("pages/overview.py", title=_("Overview"), icon=":material/dashboard:", default=True),
            st.Page("pages/explore.py", title=_("Explore"), icon=":material/filter_alt:"),
            st.Page("pages/billing.py", title=_("Billing history"), icon=":material/receipt_long:"),
            st.Page("pages/changes.py", title=_("Changes"), icon=":material/waterfall_chart:"),
            st.Page("pages/anomalies.py", title=_("Anomalies"), icon=":material/troubleshoot:"),
            st.Page("pages/budgets.py", title=_("Budgets"), icon=":material/savings:"),
        ],
        _("Data"): [
            st.Page("pages/download.py", title=_("Usage download"), icon=":material/download:"),
            st.Page("pages/access.py", title=_("Access"), icon=":material/admin_panel_settings:"),
        ],
    }
)
try:
    pages.run()
finally:
    # The context belongs to this run only; a page run without the frame must not see a stale one.
    st.session_state.pop(state.CONTEXT, None)
    # A page may still have changed the view (Explore's group-by falls back when stale).
    state.write_link()
    # Big files read in this run: their columnar cache is written now, not while the page was being drawn.
    cache_files.write_pending_cache()
