"""Caching of loaded usage files, private to each browser session.

Uploaded files belong to one user, so their data sets are kept in that session's state (never
in a cache shared between sessions), keyed by a hash of every file's bytes, the cost view and
the day. Only the two most recent loads are kept, so switching back and forth is instant and
memory stays bounded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

import streamlit as st

from lib.core import i18n
from lib.core.dataset import Dataset, ProgressCallback
from lib.core.models import Metric
from lib.core.reading import InputFile
from lib.ingest.dates import DateOrder
from lib.output import convert
from lib.sources import disk_cache
from lib.sources.files import load_files

_STATE_KEY = "_files_datasets"
_PENDING_KEY = "_files_cache_write"
_KEEP = 2


def content_key(files: Sequence[InputFile], as_of: date, metric: Metric, date_order: DateOrder | None = None) -> str:
    """A key that changes when any file's name or bytes, the day, the cost view or the language change.

    The data set's warnings, notes and reasons are worded in the reader's language while reading.
    """
    digest = hashlib.sha256()
    for item in files:
        digest.update(item.name.encode())
        digest.update(item.fingerprint())
    digest.update(f"{as_of.isoformat()}|{metric}|{i18n.get_language()}|{date_order or ''}".encode())
    return digest.hexdigest()


def load(
    files: Sequence[InputFile],
    as_of: date,
    metric: Metric,
    progress: ProgressCallback | None = None,
    date_order: DateOrder | None = None,
) -> Dataset:
    """The data set for ``files``, read once per session and content (``date_order``: the reader's answer, when asked).

    Raises:
        SourceError: when no file can be read (not cached, so a fixed file is read again).
    """
    key = content_key(files, as_of, metric, date_order)
    stored: dict[str, Dataset] = st.session_state.setdefault(_STATE_KEY, {})
    if key in stored:
        return stored[key]
    # The columnar cache of big files is written after this run has drawn the page (``write_pending_cache``).
    dataset = load_files(files, as_of=as_of, metric=metric, progress=progress, strict=False, page_first=True, date_order=date_order)
    st.session_state[_PENDING_KEY] = dataset
    stored[key] = dataset
    while len(stored) > _KEEP:
        del stored[next(iter(stored))]
    return dataset


def write_pending_cache() -> None:
    """Start writing the columnar cache of the files this run read (called once the page is drawn)."""
    dataset = st.session_state.pop(_PENDING_KEY, None)
    if isinstance(dataset, Dataset):
        disk_cache.start_pending(dataset)


def conversion(dataset: Dataset, target: str) -> bytes:
    """The data set converted to ``target`` ("v2" or "focus"), made once per data set and session."""
    stored: dict[tuple[int, str], tuple[Dataset, bytes]] = st.session_state.setdefault("_files_conversions", {})
    key = (id(dataset), target)
    # The data set is kept beside its bytes: an id is only unique while its object lives, and a
    # later data set could reuse the id of one that was let go.
    hit = stored.get(key)
    if hit is None or hit[0] is not dataset:
        if len(stored) > 3:
            stored.clear()
        hit = stored[key] = (dataset, convert.to_csv(dataset, target))
    return hit[1]
