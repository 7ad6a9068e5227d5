"""What a source hands back (``Dataset``), what it is asked for (``LoadRequest``) and the errors and row reports every stage shares."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Protocol

import polars as pl

from lib.core.models import Agreement, Metric, Period, Scope
from lib.core.reading import Dropped, FileReport
from lib.core.schema import Col

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


class LaterColumns(Protocol):
    """Canonical columns of a big file read after its first page is drawn (``lib.ingest.stream.Later``)."""

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
class TagIndex:
    """Tag-set ids already known for the rows of ``frame`` (found while reading it): the pages need not compute them."""

    frame: pl.DataFrame  # the normalized frame these ids belong to (used by identity)
    ids: pl.Series
    sets: pl.DataFrame  # TagSet, Tags, Rows, as ``lib.analysis.frames.tag_sets`` returns them
    # False: ``frame``'s Tags column is left null (a very big file: a list per row would cost ~100 bytes a row);
    # the rows' tags are then only reached through ``ids`` (``Prepared.rows_where``, ``with_tags``).
    inline: bool = True


@dataclass(frozen=True)
class LiveAnswer:
    """What live Azure was asked and answered besides the rows (shapes of ``forecast`` and ``invoices``: ``lib.azure.outlook``)."""

    forecast: dict[str, object]
    invoices: tuple[dict[str, object], ...]
    invoices_source: str
    fetched_at: str
    pages: int
    rows: int
    months_queried: int
    query: dict[str, object]
    quota: dict[str, object] = field(default_factory=dict)  # Cost Management quota the load used (``lib.azure.quota``)


@dataclass(frozen=True)
class Invoice:
    """One invoice as far as the billing history needs it (amounts in the invoice's currency).

    ``total`` is what the invoice charges: usage and purchases, plus ``tax``, plus ``credits`` (zero or
    negative: Azure credits, prepayment and refunds applied).
    """

    invoice_id: str
    period: Period
    currency: str
    total: float
    tax: float = 0.0
    credits: float = 0.0
    status: str | None = None
    kind: str = "AzureServices"
    has_document: bool = False


class PendingWork:
    """Background work a data set leaves for later (a big file's cache write, started after the first page): taken once."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None

    def leave(self, thread: threading.Thread) -> None:
        """Keep ``thread`` (not started) for ``take``."""
        with self._guard:
            self._thread = thread

    def take(self) -> threading.Thread | None:
        """The work left, once: later calls get None."""
        with self._guard:
            thread, self._thread = self._thread, None
        return thread


@dataclass(frozen=True)
class Dataset:
    """What a source delivers: the raw rows untouched and their canonical form.

    ``raw`` is never modified after creation; ``normalized`` follows ``lib.core.schema``. ``raw`` is a
    ``pl.LazyFrame`` scanning the file(s) when a big file was streamed from disk (its rows are read
    again only when a download asks for them; ``lib.output.export.raw_rows``).

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
    # Whether the data's last billing period is still open (month to date, with an estimate to its end). Files:
    # only when that period holds the day they were read (``lib.core.periods.last_period_open``); ``as_of`` is
    # then the data's last day, kept apart from today. Demo and live Azure: always.
    last_period_open: bool = True
    later: LaterColumns | None = field(default=None, compare=False, hash=False, repr=False)
    # Files: each file's report, the raw scans a big file's lazy ``raw`` reads, the tag-set ids found while
    # reading, whether it came from the columnar cache, and its cache write waiting for the first page.
    file_reports: tuple[FileReport, ...] = ()
    raw_scans: tuple[tuple[str, str, int], ...] = ()
    tag_index: TagIndex | None = field(default=None, compare=False, hash=False, repr=False)
    from_cache: bool = False
    pending_write: PendingWork = field(default_factory=lambda: PendingWork(), compare=False, hash=False, repr=False)
    # Lake: the dimensions its cube left out to stay under its row limit (``lib.sources.lake``); no page offers them.
    left_out: tuple[Col, ...] = ()
    # Live Azure: what was asked and answered (forecast, invoices, pages).
    live: LiveAnswer | None = field(default=None, compare=False, hash=False)

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
