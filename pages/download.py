"""Usage download: the raw usage CSV for the scope and period, and the filtered rows."""

import streamlit as st

from lib import downloads, ui, views
from lib.periods import period_label

context = ui.context()
dataset = ui.require_dataset(context)
chosen = views.select(dataset, context.view)
files = downloads.prepare(dataset, context.view)

st.title("Usage download")
st.write(
    f"Raw usage for **{chosen.scope.label if chosen.scope else 'all scopes'}**, "
    f'**{period_label(chosen.period)}**, in the newest schema ({dataset.schema_version}, "version 2").'
)
left, right = st.columns(2)
with left:
    st.subheader("Raw usage")
    st.caption(f"{files.raw_rows:,} rows, exactly as the source gave them, for the chosen scope and period (filters not applied).")
    st.download_button(
        "Download raw usage CSV",
        files.raw.data,
        file_name=files.raw.name,
        mime="text/csv",
        type="primary",
        key="download_raw",
        icon=":material/download:",
    )
with right:
    st.subheader("Filtered rows")
    st.caption(f"{files.filtered_rows:,} rows: the raw rows that pass every filter in the sidebar.")
    st.download_button(
        "Download filtered rows",
        files.filtered.data,
        file_name=files.filtered.name,
        mime="text/csv",
        key="download_filtered",
        icon=":material/filter_alt:",
    )
st.info(
    "Azure's own route: Cost Management + Billing → Billing scopes → your scope → Invoices or Usage + charges → "
    "Download. When two versions are offered, choose version 2."
)
