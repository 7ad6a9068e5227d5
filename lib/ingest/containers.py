"""Unpack what the user gave into parts: CSV bytes or a Parquet table, each tagged with its run.

An export run writes one or more part files (and, for improved exports, a ``manifest.json``).
Parts of one run are merged; two runs of the same month-to-date export overlap, and the merge
step keeps the latest. A part's ``run`` key says which run it belongs to: the manifest's folder,
the folder it sits in, or the file itself.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field, replace

import polars as pl

from lib.core import fmt
from lib.core.i18n import _, ngettext
from lib.ingest.errors import FormatError
from lib.ingest.limits import CHUNK, Budget, check_file_size

CSV_SUFFIXES = (".csv", ".txt")
GZIP_SUFFIXES = (".gz", ".gzip")
PARQUET_SUFFIXES = (".parquet", ".pq")
ZIP_SUFFIXES = (".zip",)
MANIFEST = "manifest.json"
SUPPORTED = "a usage CSV (.csv), gzip-compressed CSV (.csv.gz), zip of export parts (.zip) or Parquet export (.parquet)"

_RUN_TIME = re.compile(r"(\d{8}T?\d{4,6}|\d{12,14})")
_MAX_MANIFEST = 1024 * 1024


@dataclass(frozen=True)
class Part:
    """One table to read: CSV bytes (``data``) or a Parquet table already as text (``frame``)."""

    name: str
    run: str
    data: bytes | None = None
    frame: pl.DataFrame | None = None
    run_time: str | None = None
    metric_hint: str | None = None  # "actual" / "amortized" from a manifest or the file name
    version_hint: str | None = None
    warnings: tuple[str, ...] = field(default=())
    cut_off: bool = False  # compressed stream ended early: the CSV's tail is missing


@dataclass(frozen=True)
class _Manifest:
    folder: str
    run_time: str | None
    metric: str | None
    version: str | None


def metric_from_text(text: str) -> str | None:
    """``amortized``/``actual`` when a file name (its last part) or an export type says so as a word.

    Only a tie-breaker: the rows decide first (``lib.ingest.read``). Folders are not read ("amortized vs actual"),
    nor words that merely contain one ("Contractual"), nor a name that says both.
    """
    base = text.replace("\\", "/").rsplit("/", 1)[-1]
    lowered = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base).lower()  # ActualCost: two words
    amortized = re.search(r"(?<![a-z])amorti[sz]ed(?=cost|[^a-z]|$)", lowered) is not None
    actual = re.search(r"(?<![a-z])actual(?=cost|[^a-z]|$)", lowered) is not None
    if amortized == actual:
        return None
    return "amortized" if amortized else "actual"


def unpack(name: str, data: bytes, budget: Budget | None = None) -> list[Part]:
    """Split one uploaded or local file into the parts to read.

    ``budget`` bounds what nested containers unpack to (``lib.ingest.limits``); without one, the file
    gets its own after its size is checked. Several files given together share one (``given``).

    Raises:
        FormatError: for empty, damaged, unsupported, too large or bomb-like containers.
    """
    if budget is None:
        check_file_size(name, len(data))
        budget = Budget()
        budget.add_given(name, len(data))
    if not data:
        raise FormatError(name, _("a usage file with a header row"), _("an empty file (0 bytes)"))
    lowered = name.lower()
    if lowered.endswith(ZIP_SUFFIXES) or data[:4] == b"PK\x03\x04":
        with budget.nested(name):
            return _unzip(name, data, budget)
    if lowered.endswith(PARQUET_SUFFIXES) or data[:4] == b"PAR1":
        return [Part(name, run=name, frame=read_parquet(name, data, budget), metric_hint=metric_from_text(name))]
    if lowered.endswith(GZIP_SUFFIXES) or data[:2] == b"\x1f\x8b":
        with budget.nested(name):
            text, warnings, cut = gunzip(name, data, budget)
        return [Part(name, run=name, data=text, metric_hint=metric_from_text(name), warnings=warnings, cut_off=cut)]
    return [Part(name, run=name, data=data, metric_hint=metric_from_text(name))]


def gunzip(name: str, data: bytes, budget: Budget | None = None) -> tuple[bytes, tuple[str, ...], bool]:
    """Decompress gzip (several members allowed); a cut-off stream keeps what could be read.

    The output is produced in chunks counted against ``budget``, so a gzip bomb stops early.
    """
    budget = budget or Budget()
    chunks: list[bytes] = []
    output = 0
    rest = data
    try:
        while rest:
            inflater = zlib.decompressobj(wbits=31)
            pending = rest
            while not inflater.eof:
                chunk = inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
                if not chunk and not pending:
                    break
                output += len(chunk)
                budget.take(name, len(chunk), output, len(data))
                chunks.append(chunk)
            if not inflater.eof:
                text = b"".join(chunks)
                if not text:
                    raise FormatError(name, _("a complete gzip file"), _("a gzip stream cut off before any data"))
                cut = _("{name}: the compressed file is cut off; read the first {size} bytes of its CSV.")
                return text, (cut.format(name=name, size=fmt.count(len(text))),), True
            rest = inflater.unused_data.lstrip(b"\x00")
    except zlib.error as error:
        if not chunks or not b"".join(chunks):
            raise FormatError(name, _("a gzip-compressed CSV"), _("damaged gzip data ({error})").format(error=error)) from None
        text = b"".join(chunks)
        damaged = _("{name}: the compressed data is damaged after {size} bytes; read what came before.")
        return text, (damaged.format(name=name, size=fmt.count(len(text))),), True
    return b"".join(chunks), (), False


def read_parquet(name: str, data: bytes, budget: Budget | None = None) -> pl.DataFrame:
    """A Parquet export as a table of text cells (the raw frame keeps text, like a CSV).

    Its uncompressed size, from the file's own metadata, is counted against ``budget`` before
    anything is decompressed.
    """
    (budget or Budget()).reserve(name, _parquet_size(data))
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as error:  # polars raises several types for damaged files
        found = _("a damaged or cut-off Parquet file ({error})").format(error=type(error).__name__)
        raise FormatError(name, _("a Parquet export"), found) from None
    casts = []
    for column, dtype in frame.schema.items():
        if dtype == pl.String:
            casts.append(pl.col(column))
        elif dtype.is_nested():
            casts.append(pl.col(column).map_elements(lambda v: json.dumps(v, default=str), return_dtype=pl.String))
        else:
            casts.append(pl.col(column).cast(pl.String))
    return frame.select(casts)


def _parquet_size(data: bytes) -> int:
    """Bytes the Parquet file's pages unpack to, from its footer (0 when the footer is unreadable)."""
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    except Exception:  # pyarrow raises several types; the read below reports the damage
        return 0
    return sum(max(metadata.row_group(i).total_byte_size, 0) for i in range(metadata.num_row_groups))


def parse_manifest(data: bytes) -> tuple[str | None, str | None, str | None]:
    """Run time, metric and dataset version from an export's ``manifest.json`` (``None`` when absent)."""
    try:
        manifest = json.loads(data)
    except ValueError:
        return None, None, None
    if not isinstance(manifest, dict):
        return None, None, None
    config = _mapping(manifest.get("exportConfig"))
    run = _mapping(manifest.get("runInfo"))
    run_time = run.get("submittedTime") or run.get("endDate") or run.get("runId")
    version = config.get("dataVersion")
    return (str(run_time) if run_time else None, metric_from_text(str(config.get("type", ""))), str(version) if version else None)


def _manifests(name: str, archive: zipfile.ZipFile, budget: Budget) -> list[_Manifest]:
    found = []
    for info in archive.infolist():
        # A real manifest is a few kilobytes; a huge one is not worth reading (or is a bomb).
        if posixpath.basename(info.filename).lower() != MANIFEST or info.file_size > _MAX_MANIFEST:
            continue
        try:
            with archive.open(info) as stream:
                content = budget.read(f"{name}/{info.filename}", stream, info.compress_size)
        except (zipfile.BadZipFile, OSError, zlib.error, EOFError, NotImplementedError):
            continue
        run_time, metric, version = parse_manifest(content)
        found.append(_Manifest(posixpath.dirname(info.filename), run_time, metric, version))
    return found


def _mapping(value: object) -> dict[str, object]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def is_macos_extra(member: str) -> bool:
    """Finder's resource forks and folder settings in a zip (``__MACOSX/``, ``._name``, ``.DS_Store``): never data."""
    parts = member.replace("\\", "/").split("/")
    return "__MACOSX" in parts[:-1] or parts[-1].startswith("._") or parts[-1] == ".DS_Store"


def is_export_part(name: str) -> bool:
    """A part file of an improved export run (``part_0_0001.csv``): its folder holds one run, split in parts.

    Other files in one folder (the daily month-to-date files of a classic export, downloads saved together) are
    each a run of their own, so overlapping runs are found and only the latest is kept (``lib.ingest.merge``).
    """
    return re.match(r"part_\d+", name.replace("\\", "/").rsplit("/", 1)[-1], re.IGNORECASE) is not None


def _unzip(name: str, data: bytes, budget: Budget) -> list[Part]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir() and not is_macos_extra(i.filename)]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FormatError(name, _("a complete zip archive"), _("a damaged or cut-off zip file")) from None
    budget.check_members(name, len(members))
    manifests = sorted(_manifests(name, archive, budget), key=lambda m: len(m.folder), reverse=True)
    parts: list[Part] = []
    skipped: list[str] = []
    for info in members:
        member = info.filename
        lowered = member.lower()
        if posixpath.basename(lowered) == MANIFEST:
            continue
        if not lowered.endswith(CSV_SUFFIXES + GZIP_SUFFIXES + PARQUET_SUFFIXES):
            skipped.append(member)
            continue
        # The declared size can lie, so the read itself is bounded too; an honest huge one stops here.
        budget.expect(f"{name}/{member}", info.file_size)
        try:
            with archive.open(info) as stream:
                content = budget.read(f"{name}/{member}", stream, info.compress_size)
        except (zipfile.BadZipFile, OSError, zlib.error, EOFError, NotImplementedError):
            raise FormatError(f"{name}/{member}", _("a readable zip member"), _("damaged or cut-off compressed data")) from None
        folder = posixpath.dirname(member)
        manifest = next((m for m in manifests if folder == m.folder or folder.startswith(m.folder + "/") or not m.folder), None)
        run_folder = manifest.folder if manifest else (folder if is_export_part(member) else member)
        run_time = manifest.run_time if manifest else _folder_time(folder)
        metric = (manifest.metric if manifest else None) or metric_from_text(member) or metric_from_text(name)
        for part in unpack(f"{name}/{member}", content, budget):
            parts.append(
                Part(
                    part.name,
                    run=f"{name}/{run_folder}",
                    data=part.data,
                    frame=part.frame,
                    run_time=run_time,
                    metric_hint=metric,
                    version_hint=manifest.version if manifest else None,
                    warnings=part.warnings,
                    cut_off=part.cut_off,
                )
            )
    if not parts:
        listing = ", ".join(i.filename for i in members[:5]) or _("no files")
        raise FormatError(name, _("a zip holding usage CSV or Parquet files"), listing)
    if skipped:
        first = parts[0]
        note = ngettext(
            "{name}: ignored {count} file that is not usage data: {files}",
            "{name}: ignored {count} files that are not usage data: {files}",
            len(skipped),
        ).format(name=name, count=len(skipped), files=", ".join(skipped[:5]))
        parts[0] = replace(first, warnings=(*first.warnings, note))
    return parts


def _folder_time(folder: str) -> str | None:
    """A run's time from an export folder name such as ``20240115T0930`` or ``202401150930``."""
    found = _RUN_TIME.findall(folder)
    return found[-1] if found else None


def folder_run_time(path: str) -> str | None:
    """The export run time in a local path's folders, if any."""
    return _folder_time(posixpath.dirname(path.replace("\\", "/")))
