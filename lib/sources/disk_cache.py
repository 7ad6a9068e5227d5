"""A columnar cache of big files read by path: opening the same files again reads Parquet, not CSV.

The key is every file's path, size and modification time (a changed file gets a new key), the
cost view, the language the reports are worded in and this cache's format version. What is
stored: the canonical frame as Parquet, its ``Tags`` lists replaced by each row's tag-set id and the
distinct sets in a second small Parquet file (reading a million rows' lists back is what made a reopen
slow), and the rest of the data set (reports, dropped rows,
warnings, scopes, where the raw rows are in the files) as JSON; no pickles, so a cache file can
never run code. The raw rows stay in the original files, read on demand as before.

The cache lives in ``AZDASH_CACHE_DIR`` (default: the user's cache folder, ``~/.cache/azdash``),
never in the repository, and is written after the data set is handed back (a background thread,
through a temporary file renamed into place, so a half-written entry is never read).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final

import polars as pl

from lib.core.cache_dir import cache_dir
from lib.core.dataset import Dataset, SourceError, TagIndex
from lib.core.models import Agreement, Metric, Scope, ScopeKind
from lib.core.periods import last_period_open
from lib.core.reading import Dropped, FileReport, InputFile, TextReading
from lib.core.schema import CANONICAL_SCHEMA, TAG_TYPE, Col
from lib.ingest.stream import raw_scan
from lib.ingest.tags import TAG_SET

# 2: tag lists stored once per distinct set (``<key>.tags.parquet``), rows hold the set's id; 3: reports say how the text was read
VERSION: Final = 3
KEEP: Final = 8  # entries kept; the oldest are removed


def key(items: Sequence[InputFile], metric: Metric, language: str) -> str:
    """The entry's name: changes when a file, the cost view, the language or this format changes."""
    digest = hashlib.sha256(f"{VERSION}|{pl.__version__}|{metric}|{language}".encode())
    for item in items:
        digest.update(item.name.encode() + b"\0" + item.fingerprint() + b"\0" + str(item.run).encode())
    return digest.hexdigest()[:32]


def _dropped(items: Sequence[Dropped]) -> list[dict[str, Any]]:
    return [{"reason": d.reason, "rows": d.rows, "example_line": d.example_line} for d in items]


def _undropped(items: list[dict[str, Any]]) -> tuple[Dropped, ...]:
    return tuple(Dropped(str(d["reason"]), int(d["rows"]), d["example_line"]) for d in items)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _undate(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def store(dataset: Dataset, items: Sequence[InputFile], metric: Metric, language: str, *, start: bool = True) -> threading.Thread | None:
    """Write ``dataset`` to the cache in a background thread (returned, started unless ``start`` is False).

    ``start=False`` leaves the write for ``start_pending``: the app starts it once the first page is drawn, so
    writing the cache does not compete with that page for the processor.
    """
    scans = dataset.raw_scans
    if not scans:
        return None
    name = key(items, metric, language)
    thread = threading.Thread(target=_write, args=(dataset, name, scans), name="azdash-cache-write", daemon=False)
    if start:
        thread.start()
    else:
        dataset.pending_write.leave(thread)
    return thread


def start_pending(dataset: Dataset) -> threading.Thread | None:
    """Start the cache write ``store(start=False)`` left for ``dataset`` (once; None when there is none)."""
    thread = dataset.pending_write.take()
    if thread is None:
        return None
    thread.start()
    return thread


def _write(dataset: Dataset, name: str, scans: tuple[tuple[str, str, int], ...]) -> None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        last = dataset.frame.get_column(Col.CHARGE_DATE).max()
        index = dataset.tag_index
        meta = {
            "version": VERSION,
            "source": dataset.source,
            "format": dataset.format,
            "schema_version": dataset.schema_version,
            "agreement": str(dataset.agreement),
            "metric": str(dataset.metric),
            "last_day": _day(last) if isinstance(last, date) else None,
            "scopes": [[s.id, s.name, str(s.kind), [list(m) for m in s.match]] for s in dataset.scopes],
            "dropped": _dropped(dataset.dropped),
            "warnings": list(dataset.warnings),
            "notes": list(dataset.notes),
            "is_estimate": dataset.is_estimate,
            "raw_scans": scans,
            "tags_inline": not (isinstance(index, TagIndex) and index.frame is dataset.frame and not index.inline),
            "reports": [_report(r) for r in dataset.file_reports],
        }
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
        frame = dataset.normalized  # a big file's ``later`` columns are read here if no page asked for them yet
        if isinstance(index, TagIndex) and index.frame is dataset.frame:
            index.sets.write_parquet(temporary, compression="zstd")
            temporary.replace(folder / f"{name}.tags.parquet")
            frame = frame.drop(Col.TAGS).with_columns(index.ids.alias(TAG_SET))
        # Streamed out a row group at a time: ``write_parquet`` of a frame read in batches first joins each
        # column's chunks, a second copy of the whole frame (1.4 GB at ten million rows).
        frame.lazy().sink_parquet(temporary, compression="zstd", engine="streaming")
        temporary.replace(folder / f"{name}.parquet")
        (folder / f"{name}.json.tmp").write_text(json.dumps(meta), encoding="utf-8")
        (folder / f"{name}.json.tmp").replace(folder / f"{name}.json")
        _prune(folder)
    except (OSError, SourceError):
        return  # a cache that cannot be written (or a file changed since it was read) only costs the next open its speed


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".parquet").unlink(missing_ok=True)
        old.with_suffix(".tags.parquet").unlink(missing_ok=True)


def _report(report: FileReport) -> dict[str, Any]:
    return {
        "name": report.name,
        "format": report.format,
        "schema_version": report.schema_version,
        "metric": report.metric,
        "rows_read": report.rows_read,
        "rows_kept": report.rows_kept,
        "dropped": _dropped(report.dropped),
        "date_min": _day(report.date_min),
        "date_max": _day(report.date_max),
        "totals": report.totals,
        "notes": list(report.notes),
        "warnings": list(report.warnings),
        "is_estimate": report.is_estimate,
        "error": report.error,
        "reading": dataclasses.asdict(report.reading) if report.reading else None,
    }


def load(items: Sequence[InputFile], metric: Metric, language: str, as_of: date) -> Dataset | None:
    """The cached data set for ``items``, or None when there is none (or it cannot be read)."""
    folder = cache_dir()
    name = key(items, metric, language)
    try:
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        if meta.get("version") != VERSION:
            return None
        normalized = pl.read_parquet(folder / f"{name}.parquet")
        index = None
        if TAG_SET in normalized.columns:
            sets = pl.read_parquet(folder / f"{name}.tags.parquet")
            ids = normalized.get_column(TAG_SET)
            inline = bool(meta.get("tags_inline", True))
            tags = sets.get_column(Col.TAGS).gather(ids) if inline else pl.lit(None, dtype=TAG_TYPE).alias(Col.TAGS)
            normalized = normalized.with_columns(tags).select(list(CANONICAL_SCHEMA))
            index = TagIndex(normalized, ids, sets, inline=inline)
        if normalized.schema != pl.Schema(CANONICAL_SCHEMA):
            return None
        raw = pl.concat([_scan(*scan) for scan in meta["raw_scans"]], how="diagonal")
    except (OSError, ValueError, KeyError, TypeError, pl.exceptions.PolarsError):
        return None
    reports = tuple(
        FileReport(
            name=r["name"],
            format=r["format"],
            schema_version=r["schema_version"],
            metric=r["metric"],
            rows_read=r["rows_read"],
            rows_kept=r["rows_kept"],
            dropped=_undropped(r["dropped"]),
            date_min=_undate(r["date_min"]),
            date_max=_undate(r["date_max"]),
            totals={str(k): float(v) for k, v in r["totals"].items()},
            notes=tuple(r["notes"]),
            warnings=tuple(r["warnings"]),
            is_estimate=r["is_estimate"],
            error=r["error"],
            reading=TextReading(**r["reading"]) if r.get("reading") else None,
        )
        for r in meta["reports"]
    )
    last = _undate(meta["last_day"])
    return Dataset(
        source=meta["source"],
        format=meta["format"],
        schema_version=meta["schema_version"],
        agreement=Agreement(meta["agreement"]),
        metric=Metric(meta["metric"]),
        raw=raw,
        frame=normalized,
        scopes=tuple(Scope(i, n, ScopeKind(k), tuple((str(a), str(b)) for a, b in m)) for i, n, k, m in meta["scopes"]),
        as_of=min(last, as_of) if last else as_of,
        last_period_open=last_period_open(last, as_of) if last else True,
        dropped=_undropped(meta["dropped"]),
        warnings=tuple(meta["warnings"]),
        notes=tuple(meta["notes"]),
        is_estimate=meta["is_estimate"],
        file_reports=reports,
        raw_scans=tuple((str(p), str(sep), int(skip)) for p, sep, skip in meta["raw_scans"]),
        tag_index=index,
        from_cache=True,
    )


def _scan(path: str, separator: str, skip_rows: int) -> pl.LazyFrame:
    return raw_scan(path, separator, skip_rows)
