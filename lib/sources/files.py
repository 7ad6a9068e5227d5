"""The Files source: usage and charges files a customer downloads or exports from Azure.

Several files (or the parts of one export) become one data set. ``Dataset.raw`` is the diagonal
concatenation of every part's text rows, ``SourceRow`` indexes it, and ``Dataset.raw_files``
holds the bytes exactly as given for the byte-identical raw download. Each file's report (layout,
rows read, kept and dropped, dates, currencies, totals) is in ``Dataset.file_reports``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl

from lib.access.auth import within_roots
from lib.core import fmt, i18n
from lib.core.dataset import Dataset, LoadRequest, ProgressCallback, RawFile, SourceError, TagIndex
from lib.core.i18n import _, ngettext
from lib.core.models import Metric, Scope, ScopeKind
from lib.core.periods import last_period_open
from lib.core.reading import Dropped, FileReport, InputFile
from lib.core.schema import Col, as_text, conform
from lib.ingest import merge
from lib.ingest.containers import (
    MANIFEST,
    PARQUET_SUFFIXES,
    Part,
    folder_run_time,
    is_export_part,
    metric_from_text,
    parse_manifest,
    unpack,
)
from lib.ingest.dates import DateOrder, DateOrderUnknownError
from lib.ingest.duplicates import not_a_usage_file, once_each
from lib.ingest.errors import FormatError
from lib.ingest.limits import Budget, check_file_size
from lib.ingest.normalize import TAG_SET_ID
from lib.ingest.read import PartResult, agreement_of, read_part
from lib.ingest.stream import read_csv_path, streamable
from lib.ingest.tags import index_tag_sets
from lib.sources import disk_cache

READABLE = (".csv", ".txt", ".gz", ".gzip", ".zip", *PARQUET_SUFFIXES)
MAX_SCOPES = 500


def _parts(item: InputFile, budget: Budget) -> list[Part]:
    # The budget is the whole upload's: what every file and member unpacks to counts against one limit and ratio.
    check_file_size(item.name, len(item.data), budget.limits)
    budget.given += len(item.data)
    parts = unpack(item.name, item.data, budget)
    if item.run is None:
        return parts
    return [
        Part(
            p.name,
            run=item.run if p.run == item.name else p.run,
            data=p.data,
            frame=p.frame,
            run_time=p.run_time or item.run_time,
            metric_hint=p.metric_hint or item.metric_hint,
            version_hint=p.version_hint or item.version_hint,
            warnings=p.warnings,
            cut_off=p.cut_off,
        )
        for p in parts
    ]


def load_files(
    files: Sequence[InputFile | tuple[str, bytes]],
    *,
    as_of: date,
    metric: Metric,
    progress: ProgressCallback | None = None,
    strict: bool = True,
    page_first: bool = False,
    date_order: DateOrder | None = None,
) -> Dataset:
    """Read ``files`` as one data set.

    Args:
        files: names and bytes as uploaded (or ``InputFile`` with the export run a folder implies).
        as_of: today; the data set's ``as_of`` is its last charge date when that is earlier.
        metric: the cost view asked for (FOCUS files carry both; other files hold one).
        progress: called with a fraction and a message while files are read.
        strict: raise on the first bad file (command line); otherwise report it and read the rest.
        page_first: the caller draws a page before anything needs more (the app). A big file read by path is then
            read without the columns no page shows (``stream.LATER``: read when ``Dataset.normalized`` is asked for),
            and its columnar cache is written only when ``disk_cache.start_pending`` is called (after the first page is
            drawn), not straight away. Otherwise (the command line) every column is read at once.
        date_order: day or month first, for files whose dates read both ways and cannot tell (``lib.ingest.dates``).

    Files given twice (the same path, or the same bytes under another name) are read once; files a folder
    search found that are no usage file are listed, not read (``FileReport.skipped``).

    Raises:
        SourceError: with a one-line message when nothing (or, if strict, not everything) can be read.
        DateOrderUnknownError: when a file's date order cannot be known and ``date_order`` is not given (even if not
            strict: the caller asks the user).
    """
    given = [f if isinstance(f, InputFile) else InputFile(f[0], f[1]) for f in files]
    if not given:
        raise SourceError(_("no files given: choose one or more usage files (CSV, CSV.GZ, ZIP or Parquet)"))
    items, copies = once_each(given)
    skipped = [FileReport(i.name, _("not read"), "", None, 0, 0, skipped=reason) for i, reason in copies]
    if not items:
        listed = "; ".join(f"{r.name}: {r.skipped}" for r in skipped[:5])
        raise SourceError(_("no usage files among the files given: {skipped}").format(skipped=listed))
    streamed = all(i.streamed for i in items)
    cached = _cached(items, as_of, metric, progress) if streamed and date_order is None and not skipped else None
    if cached is not None:
        return cached
    results, failed, read_items = _read_items(items, metric, progress, strict, page_first, date_order, skipped)
    if progress:
        progress(0.95, _("Combining files"))
    if not results or not any(r.normalized.height for r in results):
        raise _nothing_to_show(results, failed)
    dataset = _assemble(results, failed, read_items, as_of, metric, skipped)
    if streamed and not failed and all(r.scan for r in results):
        dataset = replace(dataset, raw_scans=tuple(r.scan for r in results if r.scan))
        disk_cache.store(dataset, items, metric, i18n.get_language(), start=not page_first)
    if progress:
        read = ngettext("Read {count} file: {rows} rows", "Read {count} files: {rows} rows", len(items))
        progress(1.0, read.format(count=len(items), rows=fmt.count(dataset.frame.height)))
    return dataset


def _read_items(
    items: list[InputFile],
    metric: Metric,
    progress: ProgressCallback | None,
    strict: bool,
    page_first: bool,
    date_order: DateOrder | None,
    skipped: list[FileReport],
) -> tuple[list[PartResult], list[FileReport], list[InputFile]]:
    """Every file's parts, the files that failed (raised if strict) and the files read; a file found in a folder that
    holds no usage table is skipped. What every file unpacks to counts against one budget."""
    results: list[PartResult] = []
    failed: list[FileReport] = []
    read_items: list[InputFile] = []  # a file that could not be read is never offered for download
    budget = Budget()
    for number, item in enumerate(items):
        if progress:
            progress(
                number / len(items), _("Reading {name} ({number} of {count})").format(name=item.name, number=number + 1, count=len(items))
            )
        try:
            budget.check_members(item.name, 1)
            results += _read_item(item, metric, progress, number, len(items), page_first, budget, date_order)
        except DateOrderUnknownError:
            raise
        except SourceError as error:
            if item.run is not None and isinstance(error, FormatError) and not_a_usage_file(error):
                # Found by a folder search, and no usage table: a note or another file beside the data.
                skipped.append(FileReport(item.name, _("not read"), "", None, 0, 0, skipped=_unquoted(error, item)))
                continue
            if strict:
                raise
            failed.append(FileReport(item.name, _("not read"), "", None, 0, 0, error=_unquoted(error, item)))
        else:
            read_items.append(item)
    return results, failed, read_items


def _unquoted(error: SourceError, item: InputFile) -> str:
    """The error of a file that could not be read; for a file from the server's disk, without what it found in it.

    A file read by path may be any file the server can read: quoting its first line would show its content (a
    secret) to whoever typed the path. What was expected is still said.
    """
    if item.path is None or not isinstance(error, FormatError):
        return str(error)
    where = _("{file}, line {line}").format(file=error.file, line=error.line) if error.line is not None else error.file
    return _("{where}: expected {expected}; this file is not one (its content is not shown).").format(where=where, expected=error.expected)


def _cached(items: list[InputFile], as_of: date, metric: Metric, progress: ProgressCallback | None) -> Dataset | None:
    """The data set of big files read before, from the disk cache (``lib.sources.disk_cache``)."""
    cached = disk_cache.load(items, metric, i18n.get_language(), as_of)
    if cached is not None and progress:
        read = ngettext("Read {count} file: {rows} rows", "Read {count} files: {rows} rows", len(items))
        progress(1.0, read.format(count=len(items), rows=fmt.count(cached.frame.height)))
    return cached


def _read_item(
    item: InputFile,
    metric: Metric,
    progress: ProgressCallback | None,
    number: int,
    count: int,
    page_first: bool,
    budget: Budget,
    date_order: DateOrder | None = None,
) -> list[PartResult]:
    """The parts of one input: a big CSV streamed from its path, anything else read from its bytes."""
    if item.streamed:
        assert item.path is not None
        hint = item.metric_hint or metric_from_text(item.name)
        part = Part(item.name, run=item.run or item.name, run_time=item.run_time, metric_hint=hint, version_hint=item.version_hint)

        def fraction(done: float) -> None:
            if progress:
                text = _("Reading {name} ({number} of {count})").format(name=item.name, number=number + 1, count=count)
                progress((number + done) / count * 0.95, f"{text}: {done:.0%}")

        result = read_csv_path(part, Path(item.path), metric, fraction, later=page_first, date_order=date_order)
        if result is not None:
            return [result]
        item = replace(item, data=_read_bytes(Path(item.path)))
    return [read_part(part, metric, date_order) for part in _parts(item, budget)]


def _nothing_to_show(results: list[PartResult], failed: list[FileReport]) -> SourceError:
    if failed and not results:
        if len(failed) == 1:
            return SourceError(failed[0].error)
        return SourceError(_("none of the {count} files could be read: {error}").format(count=len(failed), error=failed[0].error))
    names = ", ".join(r.part.name for r in results[:3])
    reasons = [d.reason for r in results for d in r.dropped]
    detail = reasons[0] if reasons else _("the file has a header but no data rows, e.g. a month without usage")
    found = _("no rows that can be shown ({detail})").format(detail=detail)
    return FormatError(names, _("at least one row of usage"), found)


def _assemble(
    results: list[PartResult], failed: list[FileReport], items: list[InputFile], as_of: date, metric: Metric, skipped: list[FileReport]
) -> Dataset:
    # A big file's later columns (``stream.Later``) are read after the first page only when it is the one part: the
    # parts of several are merged, and their duplicates found, on every column.
    later = results[0].later if len(results) == 1 else None
    if later is None:
        results = [replace(r, normalized=r.later.complete(r.normalized), later=None) if r.later else r for r in results]
    offsets: list[int] = []
    total = 0
    for result in results:
        offsets.append(total)
        total += result.raw_height
    tag_tables = _tag_tables(results)
    # New columns only where a part's numbers move (a big file's 10M rows: 40 MB a column); the part number as small as fits.
    part_type = pl.UInt16 if len(results) <= 2**16 else pl.UInt32
    frames = [
        r.normalized.with_columns(
            *([(pl.col(Col.SOURCE_ROW).cast(pl.Int64) + offset).alias(Col.SOURCE_ROW)] if offset else []),
            pl.lit(i, dtype=part_type).alias("_part"),
        )
        for i, (r, offset) in enumerate(zip(results, offsets, strict=True))
    ]
    if tag_tables is None:
        frames = [_inline_tags(f, r) for f, r in zip(frames, results, strict=True)]
    else:
        frames = [f.with_columns(pl.col(TAG_SET_ID) + start) if start else f for f, (start, _t) in zip(frames, tag_tables, strict=True)]
    combined = pl.concat(frames, how="vertical_relaxed")
    del frames
    aside, warnings, shown_metric = merge.select_metric(results, metric)
    removals = [
        merge.Removal(i, results[i].normalized.height, _set_aside_reason(str(results[i].metric), metric))
        for i in sorted(aside)
        if results[i].normalized.height
    ]
    # merge.remove copies every row: skipped when nothing is removed (one file, one run).
    duplicates, notes = merge.deduplicate(merge.remove(combined, removals) if removals else combined, results)
    removals += duplicates
    kept = merge.remove(combined, removals) if removals else combined
    reports = _reports(results, kept, removals) + failed + skipped
    normalized = conform(kept.drop("_part", "_month", strict=False), later.columns if later else ())
    tag_index = None
    if tag_tables is not None:
        table = pl.concat([t for _start, t in tag_tables])
        inline = all(r.tags_inline for r in results)
        tag_index = TagIndex(normalized, *index_tag_sets(kept.get_column(TAG_SET_ID), table), inline=inline)
    del kept, combined
    dropped = tuple(
        Dropped(f"{rep.name}: {d.reason}", d.rows, d.example_line) for rep in reports for d in rep.dropped if rep.error is None and d.rows
    )
    last_day = normalized.get_column(Col.CHARGE_DATE).max()
    data_as_of = min(last_day, as_of) if isinstance(last_day, date) else as_of
    all_warnings = [*warnings, *(w for r in results for w in r.warnings), *(f"{f.name}: {f.error}" for f in failed)]
    all_warnings += [_("{name}: not read: {reason}").format(name=f.name, reason=f.skipped) for f in skipped]
    formats = sorted({r.detection.dialect.name for r in results})  # English: the frame translates known layouts
    versions = sorted({r.detection.version for r in results})
    return Dataset(
        source="files",
        format=formats[0] if len(formats) == 1 else f"{len(formats)} layouts: " + "; ".join(formats),
        schema_version=", ".join(versions),
        agreement=agreement_of(results),
        metric=shown_metric,
        raw=_raw(results),
        frame=normalized,
        scopes=_scopes(results, normalized),
        as_of=data_as_of,
        last_period_open=last_period_open(last_day, as_of) if isinstance(last_day, date) else True,
        raw_files=tuple(RawFile(i.name, i.data, _mime(i.name)) for i in items if not i.streamed),
        dropped=dropped,
        warnings=tuple(all_warnings),
        notes=tuple([*notes, *(n for r in results for n in r.notes)]),
        is_estimate=any(r.is_estimate for r in results),
        later=later,
        file_reports=tuple(reports),
        tag_index=tag_index,
    )


def _inline_tags(frame: pl.DataFrame, result: PartResult) -> pl.DataFrame:
    """A part's rows with their tag lists filled in and no tag-set id (parts that cannot share one tag-set index)."""
    if not result.tags_inline and result.tag_sets is not None:
        frame = frame.with_columns(pl.lit(result.tag_sets.get_column(Col.TAGS)).gather(pl.col(TAG_SET_ID)).alias(Col.TAGS))
    return frame.drop(TAG_SET_ID, strict=False)


def _tag_tables(results: list[PartResult]) -> list[tuple[int, pl.DataFrame]] | None:
    """Each part's tag-set table with its ids shifted past the previous parts', when every part was streamed."""
    if not all(r.tag_sets is not None for r in results):
        return None
    tables = []
    start = 0
    for result in results:
        assert result.tag_sets is not None
        tables.append((start, result.tag_sets.with_columns(pl.col(TAG_SET_ID) + start)))
        start += result.tag_sets.height
    return tables


def _set_aside_reason(held: str, metric: Metric) -> str:
    """Why a part of the other cost view is left out, in the reader's language."""
    if held == "actual" and metric is Metric.AMORTIZED:
        return _("holds actual cost while the Cost view is amortized")
    if held == "amortized" and metric is Metric.ACTUAL:
        return _("holds amortized cost while the Cost view is actual")
    return _("holds {held} cost while the Cost view is {metric}").format(held=held, metric=metric)


def _raw(results: list[PartResult]) -> pl.DataFrame | pl.LazyFrame:
    """Every part's raw rows, one after the other; lazy (read from disk on demand) when a part was streamed."""
    if not results:
        return pl.DataFrame()
    if all(isinstance(r.raw, pl.DataFrame) for r in results):
        return pl.concat([r.raw for r in results if isinstance(r.raw, pl.DataFrame)], how="diagonal")
    return pl.concat([r.raw.lazy() for r in results], how="diagonal")


def _reports(results: list[PartResult], kept: pl.DataFrame, removals: list[merge.Removal]) -> list[FileReport]:
    # Only the columns used: an eager group-by of the whole frame joins every column's chunks first (a full copy).
    # The streaming engine aggregates as it goes: no per-group lists of row numbers (ten million rows: hundreds of MB).
    rows_by_part = kept.lazy().select("_part", Col.CHARGE_DATE, Col.BILLING_CURRENCY, Col.COST)
    stats = {
        int(part): (rows, low, high)
        for part, rows, low, high in rows_by_part.group_by("_part")
        .agg(pl.len(), pl.col(Col.CHARGE_DATE).min().alias("low"), pl.col(Col.CHARGE_DATE).max().alias("high"))
        .collect(engine="streaming")
        .iter_rows()
    }
    totals: dict[int, dict[str, float]] = {}
    by_currency = rows_by_part.group_by("_part", Col.BILLING_CURRENCY).agg(pl.col(Col.COST).sum()).collect(engine="streaming")
    for part, currency, cost in by_currency.sort(Col.BILLING_CURRENCY).iter_rows():
        totals.setdefault(int(part), {})[str(currency)] = float(cost)
    reports = []
    for index, result in enumerate(results):
        extra = tuple(Dropped(r.reason, r.rows) for r in removals if r.part == index)
        rows, low, high = stats.get(index, (0, None, None))
        dropped = (*result.dropped, *extra)
        reports.append(
            FileReport(
                name=result.part.name,
                format=result.detection.dialect.name,
                schema_version=result.detection.version,
                metric=result.metric,
                rows_read=int(rows) + sum(d.rows for d in dropped),
                rows_kept=int(rows),
                dropped=dropped,
                date_min=low,
                date_max=high,
                totals=totals.get(index, {}),
                notes=result.notes,
                warnings=result.warnings,
                is_estimate=result.is_estimate,
                reading=result.reading,
            )
        )
    return reports


def _scopes(results: list[PartResult], frame: pl.DataFrame) -> tuple[Scope, ...]:
    accounts = {a for r in results for a in r.accounts}
    if len(accounts) == 1:
        account_id, account_name = next(iter(accounts))
        root = account_id if account_id.startswith("/") else f"/providers/Microsoft.Billing/billingAccounts/{account_id}"
        scopes = [Scope(root, account_name, ScopeKind.BILLING_ACCOUNT)]
    else:
        root = "files"
        scopes = [Scope(root, _("all loaded files"), ScopeKind.BILLING_ACCOUNT)]
    profile_ids = {name: pid for r in results for pid, name in r.profiles}
    names = frame.get_column(Col.BILLING_PROFILE).drop_nulls().unique().sort().to_list()
    profile_names = [n for n in names if n != "Unassigned"]
    if len(profile_names) > 1 or (profile_names and len(accounts) == 1):
        for name in profile_names[:MAX_SCOPES]:
            pid = profile_ids.get(name, name)
            scopes.append(Scope(f"{root}/billingProfiles/{pid}", name, ScopeKind.BILLING_PROFILE, ((Col.BILLING_PROFILE, name),)))
    # Each subscription's most used name (ties: the first in sort order) and its spend. Rows are counted per (id, name)
    # once, a hash of two codes; the name is picked among those few groups (a ``mode`` per group holds every row's name).
    per_name = (
        frame.lazy()  # lazy: only the three columns are read (an eager filter would copy every column)
        .filter(pl.col(Col.SUBSCRIPTION_ID).is_not_null())
        .group_by(Col.SUBSCRIPTION_ID, Col.SUBSCRIPTION_NAME)
        .agg(pl.len().alias("rows"), pl.col(Col.COST).sum())
        .collect()
    )
    subscriptions = (
        as_text(per_name)
        .sort("rows", Col.SUBSCRIPTION_NAME, descending=[True, False], nulls_last=True)
        .group_by(Col.SUBSCRIPTION_ID, maintain_order=True)
        .agg(pl.col(Col.SUBSCRIPTION_NAME).first().alias("name"), pl.col(Col.COST).sum().abs().alias("spend"))
        .sort(["spend", Col.SUBSCRIPTION_ID], descending=[True, False])
        .head(MAX_SCOPES)
    )
    for sub_id, name, _spend in subscriptions.iter_rows():
        label = name if name and name != "Unassigned" else sub_id
        scopes.append(Scope(f"/subscriptions/{sub_id}", label, ScopeKind.SUBSCRIPTION, ((Col.SUBSCRIPTION_ID, sub_id),)))
    return tuple(scopes)


def _mime(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".zip"):
        return "application/zip"
    if lowered.endswith((".gz", ".gzip")):
        return "application/gzip"
    if lowered.endswith(PARQUET_SUFFIXES):
        return "application/vnd.apache.parquet"
    return "text/csv"


def expand_paths(paths: Sequence[str], roots: Sequence[str] | None = None) -> list[InputFile]:
    """Files named by ``paths`` (folders searched recursively), with the export run each folder implies.

    ``roots``: every file found must lie inside one of these folders once its links are resolved (a link in an
    allowed folder must not reach a file outside it); ``None`` for paths the person running the program gave.

    Raises:
        SourceError: for a path that does not exist, a folder without usage files, or a file outside ``roots``.
    """
    found: list[InputFile] = []
    for given in paths:
        path = Path(given).expanduser()
        if path.is_file():
            _check_within(path, roots)
            found.append(_read_path(path, run=None))
        elif path.is_dir():
            every = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            files = [p for p in every if p.name.lower().endswith(READABLE)]
            if not files:
                raise SourceError(_("{path}: no usage files (CSV, CSV.GZ, ZIP, Parquet) in this folder").format(path=given))
            for file in every:
                _check_within(file, roots)
            found.extend(_read_path(p, run=_run_of(p)) for p in files)
            reason = _("not a usage file (CSV, CSV.GZ, ZIP or Parquet)")
            # A manifest is read with its run's parts; anything else that is not a usage file is listed as skipped.
            strays = [p for p in every if p not in files and p.name.lower() != MANIFEST]
            found.extend(InputFile(os.path.relpath(p), b"", run=str(p.parent), skip=reason) for p in strays)
        else:
            raise SourceError(_("{path}: no such file or folder").format(path=given))
    return found


def _check_within(path: Path, roots: Sequence[str] | None) -> None:
    if roots is not None and not within_roots(str(path), tuple(roots)):
        raise SourceError(_("{path}: links to a file outside the folders in AZDASH_PATH_ROOTS; nothing was read").format(path=path))


def _run_of(path: Path) -> str:
    """The export run a file found in a folder belongs to: its folder for the parts of one run (a manifest beside
    them, or ``part_N`` names), else the file itself (a classic export's daily files, downloads saved together)."""
    if (path.parent / MANIFEST).is_file() or is_export_part(path.name):
        return str(path.parent)
    return str(path)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise SourceError(_("{path}: cannot be read ({error})").format(path=path, error=error.strerror or error)) from None


def _read_path(path: Path, run: str | None) -> InputFile:
    try:
        stat = path.stat()
        streamed = streamable(path, stat.st_size)
    except OSError as error:
        raise SourceError(_("{path}: cannot be read ({error})").format(path=path, error=error.strerror or error)) from None
    data = b"" if streamed else _read_bytes(path)
    run_time = metric = version = None
    manifest = path.parent / MANIFEST
    if run is not None and manifest.is_file():
        run_time, metric, version = parse_manifest(manifest.read_bytes())
    return InputFile(
        str(path) if run is None else os.path.relpath(path),
        data,
        run=run,
        run_time=run_time or folder_run_time(str(path)),
        metric_hint=metric,
        version_hint=version,
        path=str(path),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
    )


DATA_PATH_ENV = "AZDASH_DATA_PATH"


def env_paths() -> list[str]:
    """Files and folders named by ``AZDASH_DATA_PATH`` (``os.pathsep``-separated): the dashboard opens on them."""
    return [p.strip() for p in os.environ.get(DATA_PATH_ENV, "").split(os.pathsep) if p.strip()]


def load_paths(
    paths: Sequence[str],
    *,
    as_of: date,
    metric: Metric,
    progress: ProgressCallback | None = None,
    page_first: bool = False,
    date_order: DateOrder | None = None,
) -> Dataset:
    """Load files and folders given by path as one data set (``page_first``, ``date_order``: see ``load_files``).

    Raises:
        SourceError: with a one-line message for the user.
    """
    items = expand_paths(paths)
    return load_files(items, as_of=as_of, metric=metric, progress=progress, strict=True, page_first=page_first, date_order=date_order)


class FilesSource:
    """Usage files uploaded in the page or named by path."""

    key = "files"
    label = "Files"

    def __init__(self, files: Sequence[InputFile | tuple[str, bytes]] = (), *, strict: bool = False) -> None:
        self.files = list(files)
        self.strict = strict

    def load(self, request: LoadRequest, *, progress: ProgressCallback | None = None) -> Dataset:
        """Read the files given to the constructor."""
        return load_files(self.files, as_of=request.as_of, metric=request.metric, progress=progress, strict=self.strict)
