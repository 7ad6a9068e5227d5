"""The protocol every data source implements, and what a source hands back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Protocol

import polars as pl

from lib.models import Agreement, Metric, Period, Scope

# Called with a fraction in [0, 1] and a short text while a source works.
ProgressCallback = Callable[[float, str], None]


class SourceError(Exception):
    """A source could not deliver data; the message is written for the user."""


@dataclass(frozen=True)
class RawFile:
    """One downloadable raw file exactly as the source gave it."""

    name: str
    data: bytes
    mime: str = "text/csv"


@dataclass(frozen=True)
class Dropped:
    """Rows a source read but could not keep, with the reason."""

    reason: str
    rows: int
    example_line: int | None = None


class LaterColumns(Protocol):
    """Canonical columns of a big file read after its first page is drawn (``lib.formats.stream.Later``)."""

    columns: frozenset[str]

    def complete(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (rows of the file, by ``SourceRow``) with these columns added: read once, then remembered.

        Raises:
            SourceError: when the file can no longer be read as it was (changed or removed since).
        """
        ...


def every_column(frame: pl.DataFrame, later: LaterColumns | None) -> pl.DataFrame:
    """``frame`` with the columns ``later`` reads (read once, the first time), or ``frame`` itself when there are none."""
    return frame if later is None else later.complete(frame)


@dataclass(frozen=True)
class Dataset:
    """What a source delivers: the raw rows untouched and their canonical form.

    ``raw`` is never modified after creation; ``normalized`` follows ``lib.schema``. ``raw`` is a
    ``pl.LazyFrame`` scanning the file(s) when a big file was streamed from disk (its rows are read
    again only when a download asks for them; ``lib.export.raw_rows``).

    ``frame`` is what the pages compute on. For a big file read by path it lacks, until they are read,
    the columns no page shows (``later``: resource id, quantity, unit, invoice section, cost in USD), so the
    first page is drawn before the file's second read; ``normalized`` has every column and waits for them.
    """

    source: str
    format: str
    schema_version: str
    agreement: Agreement
    metric: Metric
    raw: pl.DataFrame | pl.LazyFrame
    frame: pl.DataFrame
    scopes: tuple[Scope, ...]
    as_of: date
    raw_files: tuple[RawFile, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    is_estimate: bool = False
    extras: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    later: LaterColumns | None = field(default=None, compare=False, hash=False, repr=False)

    @property
    def normalized(self) -> pl.DataFrame:
        """The canonical rows with every column (for a big file, waits until its ``later`` columns are read)."""
        return every_column(self.frame, self.later)

    @property
    def rows_read(self) -> int:
        """Rows the source read: kept plus dropped."""
        return self.frame.height + sum(d.rows for d in self.dropped)

    @cached_property
    def currencies(self) -> list[str]:
        """Billing currencies present, sorted (worked out once: every page run asks)."""
        col = self.frame.get_column("BillingCurrency").unique().drop_nulls()
        return sorted(col.to_list())


@dataclass(frozen=True)
class LoadRequest:
    """What the user asked a source for."""

    as_of: date
    metric: Metric = Metric.ACTUAL
    period: Period | None = None
    scope_id: str | None = None


class Source(Protocol):
    """A place usage comes from: demo data, files, or live Azure."""

    key: str
    label: str

    def load(self, request: LoadRequest, *, progress: ProgressCallback | None = None) -> Dataset:
        """Return the data set for ``request``.

        Raises:
            SourceError: with a message for the user when nothing can be delivered.
        """
        ...
