"""Prepare the usage-download page's files from a data set and a view."""

from __future__ import annotations

from dataclasses import dataclass

from lib import export, filters, views
from lib.sources.base import Dataset, RawFile


@dataclass(frozen=True)
class Downloads:
    """The raw file for scope and period, and the filtered rows, both in the source's layout.

    The raw file is the source's rows untouched; the filtered file, meant for spreadsheets, has
    formula-like text cells neutralised (``export.neutralise_formulas``).
    """

    raw: RawFile
    raw_rows: int
    filtered: RawFile
    filtered_rows: int


def prepare(dataset: Dataset, view: views.View) -> Downloads:
    """Build both downloads for ``view``: raw rows are selected, never rewritten."""
    chosen = views.select(dataset, view)
    in_scope = filters.apply(dataset.normalized, filters.Filters(), scope=chosen.scope, period=chosen.period)
    in_filters = filters.apply(in_scope, view.filters)
    raw = export.raw_rows(dataset.raw, in_scope)
    filtered = export.raw_rows(dataset.raw, in_filters)
    return Downloads(
        RawFile(export.export_name(chosen.scope, chosen.period, "raw-v2"), export.to_csv_bytes(raw)),
        raw.height,
        RawFile(export.export_name(chosen.scope, chosen.period, "filtered-v2"), export.to_csv_bytes(export.neutralise_formulas(filtered))),
        filtered.height,
    )
