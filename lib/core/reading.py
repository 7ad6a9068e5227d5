"""What reading files gave: rows dropped with their reason, each file's report, and a file as the user gave it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from lib.core.i18n import _


@dataclass(frozen=True)
class Dropped:
    """Rows a source read but could not keep, with the reason."""

    reason: str
    rows: int
    example_line: int | None = None


@dataclass(frozen=True)
class TextReading:
    """What the text reader found; each value in English data form (the report translates)."""

    encoding: str = "UTF-8"
    line_ends: str = "LF"
    separator: str = ","
    decimal: str = "."
    date_order: str = ""
    date_reason: str = ""

    def separator_name(self) -> str:
        """The separator for people: ``,``, ``;`` or ``tab``."""
        return _("tab") if self.separator == "\t" else self.separator

    def resaved(self) -> bool:
        """Signs of a spreadsheet re-save: another separator, a decimal comma, not UTF-8, Mac line ends."""
        return self.separator != "," or self.decimal == "," or not self.encoding.startswith("UTF-8") or self.line_ends == "CR"


@dataclass(frozen=True)
class FileReport:
    """What one file (or one part of a zip) gave: shown to the user next to the data."""

    name: str
    format: str
    schema_version: str
    metric: str | None
    rows_read: int
    rows_kept: int
    dropped: tuple[Dropped, ...] = ()
    date_min: date | None = None
    date_max: date | None = None
    totals: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    is_estimate: bool = False
    error: str | None = None
    reading: TextReading | None = None  # encoding, separator, decimal mark, date order and why
    skipped: str | None = None  # not read, and why: not a usage file, or the same content as another file

    @property
    def currencies(self) -> list[str]:
        """Currencies of the kept rows, sorted."""
        return sorted(self.totals)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (dates ISO, totals rounded to 6 decimals)."""
        return {
            "name": self.name,
            "format": self.format,
            "schema_version": self.schema_version,
            "metric": self.metric,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_dropped": sum(d.rows for d in self.dropped),
            "dropped": [{"reason": d.reason, "rows": d.rows} for d in self.dropped],
            "date_min": self.date_min.isoformat() if self.date_min else None,
            "date_max": self.date_max.isoformat() if self.date_max else None,
            "currencies": self.currencies,
            "totals": {k: round(v, 6) for k, v in self.totals.items()},
            "is_estimate": self.is_estimate,
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "error": self.error,
            "skipped": self.skipped,
            **_reading_dict(self.reading),
        }


def _reading_dict(reading: TextReading | None) -> dict[str, object]:
    if reading is None:
        return {}
    return {
        "encoding": reading.encoding,
        "line_ends": reading.line_ends,
        "separator": reading.separator,
        "decimal_mark": reading.decimal,
        "date_order": reading.date_order or None,
        "date_order_reason": reading.date_reason or None,
    }


@dataclass(frozen=True)
class InputFile:
    """A file as given: its name, bytes, and where a folder placed it (its export run)."""

    name: str
    data: bytes
    run: str | None = None
    run_time: str | None = None
    metric_hint: str | None = None
    version_hint: str | None = None
    path: str | None = None  # a big CSV given by path: streamed from disk, ``data`` left empty
    size: int = 0
    mtime_ns: int = 0
    skip: str | None = None  # found in a folder but not read: why (not a usage file)

    @property
    def streamed(self) -> bool:
        """Read from ``path`` in batches instead of from ``data``."""
        return self.path is not None and not self.data

    def fingerprint(self) -> bytes:
        """Changes when the content changes: the bytes' hash, or path + size + modification time."""
        if self.streamed:
            return f"{self.path}|{self.size}|{self.mtime_ns}".encode()
        return hashlib.sha256(self.data).digest()
