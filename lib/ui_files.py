"""Sidebar controls of the Files source (upload or path), drawn only when it is chosen."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import cache_files
from lib.fmt import money
from lib.models import Metric
from lib.sources.base import Dataset, SourceError
from lib.sources.files import FileReport, InputFile, expand_paths, file_reports

UPLOAD_KEY = "files_upload"
PATH_KEY = "files_path"
HELP = (
    "Azure portal: Cost Management + Billing → Usage + charges (or an invoice) → Download; "
    "Cost Management exports (CSV, CSV.GZ, ZIP of parts, Parquet); EA, MCA, partner, pay-as-you-go, "
    "old EA portal and Account Center version 2 files; FOCUS exports. Several files are one data set."
)


def _totals_text(totals: dict[str, float]) -> str:
    return "; ".join(_money(v, c) for c, v in sorted(totals.items())) or "no cost"


def _money(value: float, currency: str) -> str:
    try:
        return money(value, currency)
    except (ValueError, KeyError):
        return f"{value:,.2f} {currency}"


def _gather(paths: str) -> tuple[list[InputFile], str | None]:
    files: list[InputFile] = []
    uploads = st.session_state.get(UPLOAD_KEY) or []
    files += [InputFile(u.name, u.getvalue()) for u in uploads]
    given = [p.strip() for p in paths.replace("\n", ";").split(";") if p.strip()]
    if given:
        try:
            files += expand_paths(given)
        except SourceError as error:
            return files, str(error)
    return files, None


def render_source_controls(as_of: date, metric: Metric) -> Dataset | str:
    """Draw the file controls; return the loaded data set or a message saying what is needed."""
    bar = st.sidebar
    bar.file_uploader("Usage files", accept_multiple_files=True, key=UPLOAD_KEY, help=HELP)
    paths = bar.text_input("…or a local file or folder", key=PATH_KEY, placeholder="/path/to/export or file.csv; other.csv")
    files, path_error = _gather(paths)
    if path_error:
        bar.error(path_error)
    if not files:
        return "Upload one or more Azure usage files (or give a local path) in the sidebar to see them here."
    progress = bar.progress(0.0, text="Reading files…")

    def report_progress(fraction: float, text: str) -> None:
        progress.progress(min(max(fraction, 0.0), 1.0), text=text)

    try:
        dataset = cache_files.load(files, as_of, metric, report_progress)
    except SourceError as error:
        progress.empty()
        bar.error(str(error))
        return f"The files could not be read: {error}"
    progress.empty()
    render_report(dataset)
    return dataset


def render_report(dataset: Dataset) -> None:
    """A short per-file summary in the sidebar and the full table in an expander."""
    bar = st.sidebar
    reports = file_reports(dataset)
    for report in reports:
        if report.error:
            bar.error(f"**{report.name}**: {report.error}", icon=":material/error:")
            continue
        dropped = sum(d.rows for d in report.dropped)
        bar.markdown(
            f"**{report.name}**  \n{report.format} ({report.schema_version})  \n"
            f"{report.rows_kept:,} of {report.rows_read:,} rows kept"
            + (f", {dropped:,} dropped" if dropped else "")
            + f"  \n{_totals_text(report.totals)}"
        )
    if len(reports) > 1:
        combined = dict(sorted(_combined(reports).items()))
        bar.markdown(f"**Combined ({len([r for r in reports if not r.error])} files):** {_totals_text(combined)}")
    if dataset.is_estimate:
        bar.warning("Cost in this data is an **estimate** (Account Center version 2: daily usage × statement rates).")
    for warning in dataset.warnings:
        bar.warning(warning)
    with bar.expander("File details"):
        st.dataframe(_table(reports), hide_index=True, width="stretch")
        for report in reports:
            for item in report.dropped:
                st.caption(f"{report.name}: {item.rows:,} row(s) dropped: {item.reason}")
        for note in dataset.notes:
            st.caption(note)


def _combined(reports: tuple[FileReport, ...]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for report in reports:
        for currency, value in report.totals.items():
            totals[currency] = totals.get(currency, 0.0) + value
    return totals


def _table(reports: tuple[FileReport, ...]) -> pd.DataFrame:
    rows = [
        {
            "File": r.name,
            "Format": r.format,
            "Schema version": r.schema_version,
            "Cost view": r.metric or "",
            "Rows read": r.rows_read,
            "Rows kept": r.rows_kept,
            "Rows dropped": sum(d.rows for d in r.dropped),
            "From": r.date_min.isoformat() if r.date_min else "",
            "To": r.date_max.isoformat() if r.date_max else "",
            "Currencies": ", ".join(r.currencies),
            "Totals": _totals_text(r.totals) if not r.error else r.error,
        }
        for r in reports
    ]
    return pd.DataFrame(rows)
