"""Sidebar controls of the Files source (upload or path), drawn only when it is chosen."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import streamlit as st

from lib.core import fmt
from lib.core.dataset import Dataset, SourceError
from lib.core.i18n import N_, _, ngettext
from lib.core.models import Metric
from lib.core.reading import FileReport, InputFile
from lib.core.safe_text import markdown
from lib.ingest.dates import DateOrder, DateOrderUnknownError
from lib.ingest.read import UNKNOWN_CURRENCY
from lib.sources.files import env_paths, expand_paths
from lib.ui import cache_files, gate, state
from lib.ui.files_reading import DATE_ORDER_KEY, ask_date_order, reading_text

UPLOAD_KEY = "files_upload"
PATH_KEY = "files_path"
HELP = N_(
    "Azure portal: Cost Management + Billing → Usage + charges (or an invoice) → Download; "
    "Cost Management exports (CSV, CSV.GZ, ZIP of parts, Parquet); EA, MCA, partner, pay-as-you-go, "
    "old EA portal and Account Center version 2 files; FOCUS exports. Several files are one data set."
)
# File layouts and schema versions as lib.ingest.dialects names them (English data), marked here so the
# report shows them in the reader's language; lib.core.labels.FORMAT_NAMES holds the other layout names.
LAYOUT_TEXTS = (
    N_("Microsoft Partner Agreement (CSP) usage and charges"),
    N_("Old EA portal (ea.azure.com) detailed usage CSV"),
    N_("Legacy Account Center usage file, version 2 (cost estimated from Daily Usage x Statement rates)"),
    N_("FOCUS file (not a Cost Management export layout)"),
    N_("Cost Details API (55 columns)"),
    N_("c360-2025-04 export (50 columns)"),
    N_("partner layout"),
    N_("usage-report detail"),
    N_("version 2"),
)
# The cost view a file holds (lib.ingest.read), as the report's "Cost view" column shows it.
COST_VIEWS = {"actual": N_("actual"), "amortized": N_("amortized"), "actual and amortized": N_("actual and amortized")}
# ISO 4217 codes: three capital letters. Anything else a file writes (or "XXX", no currency) is
# shown as a number and the file's own text, so the reader sees what the file said.
_ISO_CODE = re.compile(r"[A-Z]{3}")


def _data_text(text: str) -> str:
    """A layout name, version or cost view from the data, translated when the catalogue has it."""
    return _(text) if text else text  # gettext("") would be the catalogue's header


def _totals_text(totals: dict[str, float]) -> str:
    return "; ".join(_money(v, c) for c, v in sorted(totals.items())) or _("no cost")


def _money(value: float, currency: str) -> str:
    if _ISO_CODE.fullmatch(currency) and currency != UNKNOWN_CURRENCY:
        try:
            return fmt.money(value, currency)
        except (ValueError, KeyError):
            pass
    return f"{fmt.number(value, 2)} {currency}"


def _gather(paths: str) -> tuple[list[InputFile], str | None]:
    files: list[InputFile] = []
    uploads = st.session_state.get(UPLOAD_KEY) or []
    files += [InputFile(u.name, u.getvalue()) for u in uploads]
    typed = [p.strip() for p in paths.replace("\n", ";").split(";") if p.strip()]
    # A server must not read any file it can reach (lib/auth.py: path_roots): typed paths only inside the roots,
    # the operator's AZDASH_DATA_PATH only inside itself (a link in its folder must not lead out of it).
    refused = gate.typed_path_problem(paths)
    if refused:
        return files, markdown(refused)
    given, roots = (typed, gate.path_roots()) if typed else (env_paths(), tuple(env_paths()))
    if given:
        try:
            files += expand_paths(given, roots)
        except SourceError as error:
            return files, markdown(error)
    return files, None


def render_source_controls(as_of: date, metric: Metric) -> Dataset | str:
    """Draw the file controls; return the loaded data set or a message saying what is needed."""
    bar = st.sidebar
    bar.file_uploader(_("Usage files"), accept_multiple_files=True, key=UPLOAD_KEY, help=_(HELP))
    roots = gate.path_roots()
    paths = bar.text_input(
        _("…or a local file or folder"),
        key=PATH_KEY,
        placeholder=_("/path/to/export or file.csv; other.csv") if roots else _("Off: AZDASH_PATH_ROOTS names no folders"),
        disabled=not roots,
        help=_("Files under: {roots}").format(roots=", ".join(markdown(r) for r in roots))
        if roots
        else _("Reading files from the server's disk is off until its operator names folders in AZDASH_PATH_ROOTS."),
    )
    files, path_error = _gather(paths)
    if path_error:
        bar.error(path_error)
    if not files:
        return _("Upload one or more Azure usage files (or give a local path) in the sidebar to see them here.")
    # Files are given now: the hint to load a shared link's files again has done its work.
    st.session_state[state.FILES_LINK] = False
    progress = bar.progress(0.0, text=_("Reading files…"))

    def report_progress(fraction: float, text: str) -> None:
        progress.progress(min(max(fraction, 0.0), 1.0), text=text)

    order = st.session_state.get(DATE_ORDER_KEY)
    try:
        dataset = cache_files.load(files, as_of, metric, report_progress, DateOrder(order) if order else None)
    except DateOrderUnknownError as error:
        progress.empty()
        return ask_date_order(error)
    except SourceError as error:
        progress.empty()
        # The reason is said once, beside the files; the page only points there.
        bar.error(markdown(error), icon=":material/error:")
        return _("The files could not be read: the reason is shown in the sidebar, under the files.")
    progress.empty()
    render_report(dataset)
    return dataset


def render_report(dataset: Dataset) -> None:
    """A short per-file summary in the sidebar and the full table in an expander."""
    bar = st.sidebar
    reports = dataset.file_reports
    for report in reports:
        if report.error:
            bar.error(f"**{markdown(report.name)}**: {markdown(_without_name(report.error, report.name))}", icon=":material/error:")
            continue
        if report.skipped:
            bar.info(
                _("**{name}**: not read: {reason}").format(name=markdown(report.name), reason=markdown(report.skipped)),
                icon=":material/block:",
            )
            continue
        layout = f"{_data_text(report.format)} ({_data_text(report.schema_version)})"
        reading = reading_text(report)
        lines = [f"**{markdown(report.name)}**", markdown(layout), *_kept_lines(report)]
        bar.markdown("  \n".join([*lines, markdown(reading)] if reading else lines))
    if len(reports) > 1:
        combined = dict(sorted(_combined(reports).items()))
        files = len([r for r in reports if not r.error])
        heading = ngettext("**Combined ({n} file):**", "**Combined ({n} files):**", files).format(n=files)
        bar.markdown(f"{heading} {markdown(_totals_text(combined))}")
    if dataset.is_estimate:
        bar.warning(_("Cost in this data is an **estimate** (Account Center version 2: daily usage × statement rates)."))
    # A file that could not be read is said once, in red above; its copy among the warnings is left out.
    said = {f"{r.name}: {r.error}" for r in reports if r.error}
    for warning in dataset.warnings:
        if warning not in said:
            bar.warning(markdown(warning))
    with bar.expander(_("File details")):
        st.dataframe(_table(reports), hide_index=True, width="stretch")
        for report in reports:
            for item in report.dropped:
                line = ngettext("{name}: {n} row dropped: {reason}", "{name}: {n} rows dropped: {reason}", item.rows)
                st.caption(markdown(line.format(name=report.name, n=fmt.count(item.rows), reason=item.reason)))
        for note in dataset.notes:
            st.caption(markdown(note))


def _without_name(error: str, name: str) -> str:
    """An error text without its own leading file name (the report names the file already)."""
    prefix = f"{name}: "
    return error[len(prefix) :] if error.startswith(prefix) else error


def _kept_lines(report: FileReport) -> list[str]:
    """How many rows were kept, and why the others were not, in plain words (a replaced run says so)."""
    reasons = [
        ngettext("{n} row left out: {reason}", "{n} rows left out: {reason}", d.rows).format(n=fmt.count(d.rows), reason=markdown(d.reason))
        for d in report.dropped
        if d.rows
    ]
    if report.rows_kept == 0 and reasons:
        return reasons
    kept = ngettext("{kept} of {read} row kept", "{kept} of {read} rows kept", report.rows_read).format(
        kept=fmt.count(report.rows_kept), read=fmt.count(report.rows_read)
    )
    return [kept, *reasons, markdown(_totals_text(report.totals))]


def _combined(reports: tuple[FileReport, ...]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for report in reports:
        for currency, value in report.totals.items():
            totals[currency] = totals.get(currency, 0.0) + value
    return totals


def _table(reports: tuple[FileReport, ...]) -> pd.DataFrame:
    rows = [
        {
            _("File"): r.name,
            _("Format"): _data_text(r.format),
            _("Schema version"): _data_text(r.schema_version),
            _("Cost view"): _data_text(COST_VIEWS.get(r.metric or "", r.metric or "")),
            _("Rows read"): r.rows_read,
            _("Rows kept"): r.rows_kept,
            _("Rows dropped"): sum(d.rows for d in r.dropped),
            _("From"): fmt.day(r.date_min) if r.date_min else "",
            _("To"): fmt.day(r.date_max) if r.date_max else "",
            _("Currencies"): ", ".join(r.currencies),
            _("Totals"): _totals_text(r.totals) if not r.error else r.error,
            _("Read as"): reading_text(r) or (r.skipped or ""),
        }
        for r in reports
    ]
    return pd.DataFrame(rows)
