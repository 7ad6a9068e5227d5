"""Sidebar controls of the Lake source (exports in a data lake, computed by Spark), drawn only when it is chosen.

The cube a load brings back is kept in the session (keyed by lake, server, day, cost view and language), so reruns,
filters and group-bys never go back to the engine; "Read again" asks the engine anew.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from lib.core import fmt, i18n
from lib.core.dataset import Dataset, SourceError
from lib.core.i18n import _
from lib.core.models import Metric
from lib.core.safe_text import markdown
from lib.core.schema import source_rows
from lib.sources.lake import load_lake, root_from_env
from lib.sources.spark.connect import remote_from_env, shown
from lib.ui import gate

ROOT_KEY = "lake_root"
REMOTE_KEY = "lake_remote"
_STATE_KEY = "_lake_datasets"
_KEEP = 2


def render_source_controls(as_of: date, metric: Metric) -> Dataset | str:
    """Draw the lake controls; return the cube as a data set, or a message saying what is needed."""
    bar = st.sidebar
    if ROOT_KEY not in st.session_state:
        st.session_state[ROOT_KEY] = root_from_env()
    if REMOTE_KEY not in st.session_state:
        st.session_state[REMOTE_KEY] = remote_from_env()
    root = bar.text_input(
        _("Lake path"),
        key=ROOT_KEY,
        placeholder="abfss://exports@account.dfs.core.windows.net/costs",
        help=_("The folder of the cost exports as the Spark engine reads it: abfss://… on Azure, or a local path for a local server."),
    ).strip()
    remote = bar.text_input(
        _("Spark server"),
        key=REMOTE_KEY,
        type="password",
        help=_("sc://host:15002 for Spark Connect; for Azure Databricks sc://<workspace>:443/;token=…;x-databricks-cluster-id=…"),
    ).strip()
    if not root:
        return _("Name the folder of your cost exports (Lake path) in the sidebar to compute them with Spark.")
    refused = gate.typed_path_problem(root) if "://" not in root else None
    if refused:
        bar.error(refused)
        return refused
    key = f"{root}|{remote}|{as_of.isoformat()}|{metric}|{i18n.get_language()}"
    stored: dict[str, Dataset] = st.session_state.setdefault(_STATE_KEY, {})
    if bar.button(_("Read again"), help=_("Ask the engine again, e.g. after a new export run landed.")):
        stored.pop(key, None)
    if key not in stored:
        progress = bar.progress(0.0, text=_("Asking Spark at {remote}…").format(remote=shown(remote)))

        def report_progress(fraction: float, text: str) -> None:
            progress.progress(min(max(fraction, 0.0), 1.0), text=text)

        try:
            stored[key] = load_lake(root, remote=remote, as_of=as_of, metric=metric, progress=report_progress)
        except SourceError as error:
            progress.empty()
            bar.error(str(error))
            return _("The lake could not be read: {error}").format(error=error)
        progress.empty()
        while len(stored) > _KEEP:
            del stored[next(iter(stored))]
    dataset = stored[key]
    bar.caption(
        _("Spark aggregated {rows} rows of the lake into {cells} rows for the pages.").format(
            rows=fmt.count(source_rows(dataset.frame)), cells=fmt.count(dataset.frame.height)
        )
    )
    # As the Files source says them: what was read with a problem, then what was decided (replaced runs, detail left out).
    for warning in dataset.warnings:
        bar.warning(markdown(warning))
    for note in dataset.notes:
        bar.info(markdown(note))
    return dataset
