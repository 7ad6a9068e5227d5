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

if dataset.raw_files:
    # Files source: the uploaded files byte for byte, and the kept rows converted.
    from lib import cache_files, convert

    st.subheader("Your files")
    name, data, mime = convert.original_files(dataset)
    st.caption(f"{len(dataset.raw_files)} file(s) exactly as uploaded, byte for byte.")
    st.download_button("Download original files", data, file_name=name, mime=mime, key="download_original", icon=":material/download:")
    st.caption(f"The {dataset.normalized.height:,} rows read from them, converted to the newest native layout or to FOCUS 1.2.")
    v2, focus = st.columns(2)
    with v2:
        st.download_button(
            "Download as version 2",
            cache_files.conversion(dataset, convert.V2),
            file_name=convert.file_name(dataset, convert.V2),
            mime="text/csv",
            key="download_v2",
        )
    with focus:
        st.download_button(
            "Download as FOCUS 1.2",
            cache_files.conversion(dataset, convert.FOCUS),
            file_name=convert.file_name(dataset, convert.FOCUS),
            mime="text/csv",
            key="download_focus",
        )
