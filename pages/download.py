"""Usage download: the raw usage CSV for the scope and period, and the filtered rows.

The files are machine-readable in every language (dot decimal, the source's own dates); only
the page around them is translated.
"""

import streamlit as st

from lib.analysis import views
from lib.core import fmt, labels
from lib.core.i18n import _, ngettext
from lib.core.periods import period_label
from lib.core.safe_text import markdown
from lib.output import convert, downloads
from lib.ui import cache_files, download_buttons, widgets

# Shown next to each byte-for-byte download: a spreadsheet would run a formula-like cell in it.
UNNEUTRALISED = _(
    "Byte for byte as the source wrote it, so not neutralised: a cell that starts with =, +, -, @ or a tab can run as a "
    "formula if this file is opened in a spreadsheet. For spreadsheets, use the filtered rows or a conversion."
)
context = widgets.context()
dataset = widgets.require_dataset(context)
chosen = views.select(dataset, context.view)
big = downloads.on_disk(dataset, context.view)
if big is not None:
    # A big file read by path: its rows are not built in memory for the browser; they are written to disk on request.
    st.title(_("Usage download"))
    folder = downloads.disk_folder()
    st.warning(
        _(
            "These rows come from a file read from disk and are too many to download through the browser ({raw} rows in "
            "scope, {filtered} with the filters). Write them to a CSV file on the computer that runs the dashboard instead; "
            "the file you opened stays where it is, unchanged."
        ).format(raw=fmt.count(big.raw_rows), filtered=fmt.count(big.filtered_rows))
    )
    for label, filtered, key in (
        (_("Write raw usage CSV to disk"), False, "write_raw"),
        (_("Write filtered rows to disk"), True, "write_filtered"),
    ):
        if st.button(label, key=key, icon=":material/save:"):
            with st.spinner(_("Writing the file…")):
                written = downloads.write_on_disk(dataset, context.view, folder, filtered=filtered)
            st.success(_("Written to {path}").format(path=written))
    st.caption(_("Files are written to {folder}.").format(folder=folder))
    st.stop()
lake = downloads.lake_download(dataset, context.view)
if lake is not None:
    # The Lake source holds the cube, not the rows: they stream from the engine when a button is clicked.
    st.title(_("Usage download"))
    st.write(
        _("Raw usage for **{scope}**, **{period}**, read from the lake by the Spark engine when you click.").format(
            scope=markdown(labels.scope_label(chosen.scope)) if chosen.scope else _("all scopes"), period=period_label(chosen.period)
        )
    )
    for column, (label, rows, name, fits, filtered, key) in zip(
        st.columns(2),
        (
            (_("Download raw usage CSV"), lake.raw_rows, lake.raw_name, lake.raw_fits, False, "download_raw"),
            (_("Download filtered rows"), lake.filtered_rows, lake.filtered_name, lake.filtered_fits, True, "download_filtered"),
        ),
        strict=True,
    ):
        with column:
            st.header(_("Filtered rows") if filtered else _("Raw usage"))
            st.caption(ngettext("{count} row of the lake.", "{count} rows of the lake.", rows).format(count=fmt.count(rows)))
            if fits:
                download_buttons.download_button(
                    label,
                    lambda filtered=filtered: downloads.lake_csv(dataset, context.view, filtered=filtered),
                    file_name=name,
                    mime="text/csv",
                    key=key,
                    icon=":material/download:",
                )
            else:
                st.warning(
                    _(
                        "Too many rows to send through the browser ({count}; at most {limit}). Narrow the period or the "
                        "filters, or have the engine write them next to the exports (df.write.csv on the cluster)."
                    ).format(count=fmt.count(rows), limit=fmt.count(downloads.BROWSER_MAX_ROWS))
                )
    st.warning(UNNEUTRALISED, icon=":material/warning:")
    st.stop()
files = downloads.prepare(dataset, context.view)

st.title(_("Usage download"))
st.write(
    _('Raw usage for **{scope}**, **{period}**, in the newest schema ({version}, "version 2").').format(
        scope=markdown(labels.scope_label(chosen.scope)) if chosen.scope else _("all scopes"),
        period=period_label(chosen.period),
        version=markdown(dataset.schema_version),
    )
)
left, right = st.columns(2)
with left:
    st.header(_("Raw usage"))
    st.caption(
        ngettext(
            "{count} row, exactly as the source gave it, for the chosen scope and period (filters not applied).",
            "{count} rows, exactly as the source gave them, for the chosen scope and period (filters not applied).",
            files.raw_rows,
        ).format(count=fmt.count(files.raw_rows))
    )
    # Every download here is made only when clicked and expires soon after (lib/download_buttons.py); a click changes
    # nothing, so the page is not run again for it.
    download_buttons.download_button(
        _("Download raw usage CSV"),
        files.raw.data,
        file_name=files.raw.name,
        mime="text/csv",
        type="primary",
        key="download_raw",
        icon=":material/download:",
    )
    st.warning(UNNEUTRALISED, icon=":material/warning:")
with right:
    st.header(_("Filtered rows"))
    st.caption(
        ngettext(
            "{count} row: the raw row that passes every filter in the sidebar.",
            "{count} rows: the raw rows that pass every filter in the sidebar.",
            files.filtered_rows,
        ).format(count=fmt.count(files.filtered_rows))
    )
    download_buttons.download_button(
        _("Download filtered rows"),
        files.filtered.data,
        file_name=files.filtered.name,
        mime="text/csv",
        key="download_filtered",
        icon=":material/filter_alt:",
    )
st.info(
    _(
        "Azure's own route: Cost Management + Billing → Billing scopes → your scope → Invoices or Usage + charges → "
        "Download. When two versions are offered, choose version 2."
    )
)
st.caption(_("Amounts in the files use a dot as decimal mark and dates as the source wrote them, whatever the language shown here."))
st.caption(
    _(
        "Raw usage and your original files keep every cell exactly as the source wrote it. The filtered and converted files "
        "are meant for spreadsheets: a text cell that starts with =, +, -, @, a tab or a carriage return gets a leading "
        "apostrophe, so a spreadsheet shows it as text and never runs it as a formula."
    )
)

if dataset.raw_files:
    # Files source: the uploaded files byte for byte, and the kept rows converted.
    st.header(_("Your files"))
    name, data, mime = convert.original_files(dataset)
    st.caption(
        ngettext(
            "{count} file exactly as uploaded, byte for byte.", "{count} files exactly as uploaded, byte for byte.", len(dataset.raw_files)
        ).format(count=fmt.count(len(dataset.raw_files)))
    )
    download_buttons.download_button(
        _("Download original files"),
        data,
        file_name=name,
        mime=mime,
        key="download_original",
        icon=":material/download:",
    )
    st.warning(UNNEUTRALISED, icon=":material/warning:")
    st.caption(
        ngettext(
            "The {count} row read from them, converted to the newest native layout or to FOCUS 1.2.",
            "The {count} rows read from them, converted to the newest native layout or to FOCUS 1.2.",
            dataset.frame.height,
        ).format(count=fmt.count(dataset.frame.height))
    )
    v2, focus = st.columns(2)
    with v2:
        download_buttons.download_button(
            _("Download as version 2"),
            cache_files.conversion(dataset, convert.V2),
            file_name=convert.file_name(dataset, convert.V2),
            mime="text/csv",
            key="download_v2",
        )
    with focus:
        download_buttons.download_button(
            _("Download as FOCUS 1.2"),
            cache_files.conversion(dataset, convert.FOCUS),
            file_name=convert.file_name(dataset, convert.FOCUS),
            mime="text/csv",
            key="download_focus",
        )
