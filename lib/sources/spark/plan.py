"""What the Lake source reads, worked out without the engine: files → export runs → layouts, and which runs a later one replaces.

The rules are the Files source's (``lib.sources.files``, ``lib.ingest.merge``), applied to the small tables the
engine hands back (file listings, per-run counts), so a lake of millions of rows is planned from a few hundred numbers.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from lib.ingest.containers import CSV_SUFFIXES, GZIP_SUFFIXES, MANIFEST, PARQUET_SUFFIXES, folder_run_time, is_export_part, metric_from_text
from lib.ingest.merge import OVERLAP

CSV_KIND = "csv"
PARQUET_KIND = "parquet"


@dataclass(frozen=True)
class LakeFile:
    """One export part in the lake, as the engine names it (``path``) and as the user is shown it (``name``)."""

    path: str
    name: str
    run: str
    kind: str
    run_time: str | None = None
    metric_hint: str | None = None
    version_hint: str | None = None
    manifest: bool = False  # its folder holds the run's manifest.json (every part then has the run's header)


@dataclass(frozen=True)
class Listing:
    """The parts to read, in the Files source's order, and the files left aside with the reason."""

    files: tuple[LakeFile, ...]
    skipped: tuple[str, ...] = field(default=())
    strays: tuple[str, ...] = field(default=())  # files that are no usage file (a README beside the exports): listed


def _kind(path: str) -> str | None:
    lowered = path.lower()
    if lowered.endswith(PARQUET_SUFFIXES):
        return PARQUET_KIND
    if lowered.endswith(CSV_SUFFIXES) or lowered.endswith(tuple(s + g for s in CSV_SUFFIXES for g in GZIP_SUFFIXES)):
        return CSV_KIND
    return None


def local_path(path: str) -> str | None:
    """The local file system path of an engine path (``file:/x`` or a plain path), or None for remote storage."""
    if path.startswith("file:"):
        rest = path[len("file:") :]
        return "/" + rest.lstrip("/") if rest.startswith("/") else rest
    return None if "://" in path else path


def display_name(path: str, root: str) -> str:
    """How a part is named in notes and warnings: as the Files source names a file found in a folder."""
    local = local_path(path)
    if local is not None:
        return os.path.relpath(local)
    base = root.rstrip("/")
    return path[len(base) + 1 :] if path.startswith(base + "/") else path


def _sort_key(path: str) -> tuple[str, ...]:
    # The Files source sorts ``Path`` objects (by their parts): a folder's files come before ``folder-2``.
    return tuple(path.split("/"))


def list_files(paths: Sequence[str], root: str, manifests: Mapping[str, tuple[str | None, str | None, str | None]]) -> Listing:
    """The parts under ``root`` (``paths``: every file the engine found) grouped into export runs as the Files source
    groups them: a folder is one run when it holds a manifest or ``part_N`` files, any other file is a run of its own.

    ``manifests`` maps a folder to its ``manifest.json``'s run time, cost view and dataset version.
    """
    files = []
    skipped = []
    strays = []
    for path in sorted(paths, key=_sort_key):
        if posixpath.basename(path).lower() == MANIFEST:
            continue
        kind = _kind(path)
        if kind is None:
            if path.lower().endswith(".zip"):
                skipped.append(display_name(path, root))
            elif not posixpath.basename(path).startswith("."):
                strays.append(display_name(path, root))
            continue
        folder = posixpath.dirname(path)
        run_time, metric, version = manifests.get(folder, (None, None, None))
        local = local_path(path)
        files.append(
            LakeFile(
                path=path,
                name=display_name(path, root),
                run=folder if folder in manifests or is_export_part(path) else path,
                kind=kind,
                run_time=run_time or folder_run_time(local if local is not None else path),
                metric_hint=metric or metric_from_text(display_name(path, root)),
                version_hint=version,
                manifest=folder in manifests,
            )
        )
    return Listing(tuple(files), tuple(skipped), tuple(strays))


@dataclass(frozen=True)
class RunMonth:
    """One export run's rows in one month (the engine's counts)."""

    run: str
    parts: tuple[int, ...]
    run_time: str
    last_day: date
    rows: int
    rows_by_part: Mapping[int, int]


@dataclass(frozen=True)
class Replaced:
    """A run's rows of one month that a later run of the same month-to-date export replaces."""

    run: str
    winner: str
    month: date
    rows: int
    rows_by_part: Mapping[int, int]


def replaced_runs(month: date, runs: Sequence[RunMonth], key_sets: Mapping[frozenset[str], int]) -> list[Replaced]:
    """The runs of ``month`` that a later run replaces, as ``lib.ingest.merge.deduplicate`` decides.

    ``key_sets`` counts the month's distinct row keys (day, subscription, resource, meter, charge type) by the set of
    runs that hold each key: the overlap of any runs is a sum over it, so the engine never ships the keys themselves.
    """
    by_run = {r.run: r for r in runs}
    ordered = sorted(runs, key=lambda r: (r.run_time, r.last_day, r.rows, max(r.parts)), reverse=True)

    def keys(run: str) -> int:
        return sum(count for holders, count in key_sets.items() if run in holders)

    def shared(run: str, others: set[str]) -> int:
        return sum(count for holders, count in key_sets.items() if run in holders and holders & others)

    keepers = {ordered[0].run}
    found = []
    for current in ordered[1:]:
        own = keys(current.run)
        if own and shared(current.run, keepers) / own >= OVERLAP:
            winner = next(
                r.run for r in ordered if r.run != current.run and r.rows and shared(current.run, {r.run}) / max(own, 1) >= OVERLAP
            )
            found.append(Replaced(current.run, winner, month, by_run[current.run].rows, by_run[current.run].rows_by_part))
        else:
            keepers.add(current.run)
    return found
