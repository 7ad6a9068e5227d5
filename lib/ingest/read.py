"""One part (a CSV, a Parquet table, one member of a zip) → raw rows, canonical rows, and a report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import polars as pl

from lib.core import fmt
from lib.core.dataset import LaterColumns
from lib.core.i18n import _, ngettext
from lib.core.models import Agreement, Metric
from lib.core.reading import Dropped, TextReading
from lib.core.schema import Col, empty_frame
from lib.ingest import account_center, dialects
from lib.ingest.containers import Part
from lib.ingest.currency import unknown_currency_warnings
from lib.ingest.dates import DateOrder, DateReading
from lib.ingest.detect import Detection, detect
from lib.ingest.dialects import header_key
from lib.ingest.errors import FormatError, SecondHeaderError, joined_files
from lib.ingest.normalize import normalize, per_distinct
from lib.ingest.text import head_lines, read_table, to_utf8
from lib.ingest.text_reading import decimal_comma as decimal_comma_in
from lib.ingest.text_reading import decode

UNKNOWN_CURRENCY = "XXX"  # ISO 4217's code for "no currency": the file does not say
BOTH = "actual and amortized"
_COMMITMENTS = ("Reservation", "SavingsPlan", "Savings Plan")


@dataclass(frozen=True)
class PartResult:
    """A part read: its untouched text rows, their canonical form, and what the user should know."""

    part: Part
    detection: Detection
    raw: pl.DataFrame | pl.LazyFrame  # lazy: a big file streamed from disk (lib.ingest.stream)
    normalized: pl.DataFrame
    metric: str | None  # "actual", "amortized", BOTH (FOCUS) or None when the file cannot tell
    dropped: tuple[Dropped, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    is_estimate: bool = False
    accounts: tuple[tuple[str, str], ...] = field(default=())  # billing account id, name
    profiles: tuple[tuple[str, str], ...] = field(default=())  # billing profile id, name
    raw_rows: int = -1  # rows of a lazy ``raw``
    scan: tuple[str, str, int] | None = None  # a lazy ``raw``'s file: path, separator, lines before the header
    # A streamed file's distinct tag sets (``_TagSetId``, ``Tags``); ``normalized`` then ends with each row's ``_TagSetId``.
    tag_sets: pl.DataFrame | None = None
    tags_inline: bool = True  # False: ``normalized``'s Tags are null, the lists are in ``tag_sets`` (a very big file)
    later: LaterColumns | None = None  # a big file's columns read after its first page (``normalized`` lacks them)
    reading: TextReading = field(default_factory=TextReading)  # encoding, separator, decimal mark, date order

    @property
    def raw_height(self) -> int:
        """Rows in ``raw`` (counted while streaming when ``raw`` is lazy)."""
        return self.raw.height if isinstance(self.raw, pl.DataFrame) else self.raw_rows


def read_part(part: Part, metric: Metric, date_order: DateOrder | None = None) -> PartResult:
    """Read one part with the layout its header names (``date_order``: the user's choice when the file cannot tell).

    Raises:
        FormatError: when the part is not a usage table.
    """
    warnings = list(part.warnings)
    notes: list[str] = []
    dropped: list[Dropped] = []
    estimate = False
    decimal_comma = False
    reading = TextReading(encoding="Parquet", line_ends="", separator="")
    if part.frame is not None:
        raw = part.frame
        header_line = 1
        first_row = raw.row(0, named=True) if raw.height else {}
        detection = detect(part.name, raw.columns, first_row)
        prepared = raw
    else:
        assert part.data is not None
        data, encoding, line_ends = decode(part.name, part.data)
        data, _binary = to_utf8(part.name, data)
        reading = TextReading(encoding=encoding, line_ends=line_ends)
        if account_center.looks_like(head_lines(data)):
            raw, prepared, header_line, ac_notes = account_center.estimate(part.name, data.decode("utf-8", errors="replace"))
            detection = Detection(dialects.ACCOUNT_CENTER_V2, dialects.ACCOUNT_CENTER_V2.schema_version)
            notes += ac_notes
            estimate = True
        else:
            table = read_table(part.name, data, cut_off_stream=part.cut_off)
            raw, prepared, header_line = table.raw, table.raw, table.header_line
            dropped += table.dropped
            warnings += table.warnings
            notes += table.notes
            detection = detect(part.name, raw.columns, table.first_row, header_line)
            decimal_comma = decimal_comma_in(raw, detection.dialect)
            reading = replace(reading, separator=table.separator, decimal="," if decimal_comma else ".")
    warnings += detection.warnings
    notes += detection.notes
    if part.version_hint and part.version_hint not in detection.version:
        notes.append(_("{name}: the export's manifest says dataset version {version}.").format(name=part.name, version=part.version_hint))
    dialect = dialects.for_metric(detection.dialect, amortized=metric is Metric.AMORTIZED)
    dates = DateReading(part.name, given=date_order, as_azure_wrote=not reading.resaved())
    if prepared.height == 0:
        normalized = empty_frame()
    else:
        try:
            result = normalize(prepared, dialect, line_offset=header_line + 1, decimal_comma=decimal_comma, dates=dates)
        except ValueError as error:
            raise unreadable(part.name, detection, error, header_line) from None
        normalized = _tidy(result.frame, part.name, warnings)
        dropped += result.dropped
        warnings += unknown_currency_warnings(normalized, part.name)
        notes += result.notes
    return PartResult(
        part=part,
        detection=detection,
        raw=raw,
        normalized=normalized,
        metric=BOTH if detection.dialect.family == "focus" else (_metric_from_rows(normalized) or part.metric_hint),
        dropped=tuple(dropped),
        warnings=tuple(warnings),
        notes=tuple(notes),
        is_estimate=estimate,
        accounts=_pairs(raw, ("billingaccountid",), ("billingaccountname",)),
        profiles=_pairs(raw, ("billingprofileid", "xbillingprofileid"), ("billingprofilename", "xbillingprofilename")),
        reading=replace(reading, date_order=str(dates.order or ""), date_reason=dates.reason),
    )


def unreadable(name: str, detection: Detection, error: ValueError, header_line: int) -> FormatError:
    """The message for ``normalize``'s ``error``: a second header of another layout, or no date or cost column."""
    if isinstance(error, SecondHeaderError):
        return joined_files(name, detection.label, error.line, error.layout)
    return FormatError(name, _("a date and a cost column"), str(error), header_line)


def _has_decimal_comma(raw: pl.DataFrame, detection: Detection) -> bool:
    headers = {header_key(c): c for c in raw.columns}
    cost = detection.dialect.source_column(headers, Col.COST)
    if cost is None or not raw.height:
        return False
    return bool(raw.get_column(cost).head(1000).str.contains(r"^\s*-?\d+,\d+(E-?\d+)?\s*$").any())


def _tidy(frame: pl.DataFrame, name: str, warnings: list[str]) -> pl.DataFrame:
    """Fill what the file leaves open, the same way for every layout."""
    missing_currency = frame.get_column(Col.BILLING_CURRENCY).null_count()
    if missing_currency:
        warnings.append(
            ngettext(
                "{name}: {count} row states no currency; its cost is shown under {code} (unknown currency).",
                "{name}: {count} rows state no currency; their cost is shown under {code} (unknown currency).",
                missing_currency,
            ).format(name=name, count=fmt.count(missing_currency), code=UNKNOWN_CURRENCY)
        )
    return frame.with_columns(
        _per_value(frame, Col.BILLING_CURRENCY, lambda c: c.str.strip_chars().str.to_uppercase().fill_null(UNKNOWN_CURRENCY)),
        # FOCUS writes subscriptions as ARM ids; the other layouts as bare GUIDs.
        _per_value(frame, Col.SUBSCRIPTION_ID, lambda c: c.str.replace(r"(?i)^/subscriptions/", "")),
    )


def _per_value(frame: pl.DataFrame, col: Col, fix: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """``fix`` of a categorical column's text, worked out once per distinct value (not as text on every row)."""
    return per_distinct(frame, col, fix, pl.String()).alias(col)


def _metric_from_rows(frame: pl.DataFrame) -> str | None:
    """Whether a cost details file holds actual or amortized cost, from its commitment rows."""
    charge = pl.col(Col.CHARGE_TYPE)
    commitment = pl.col(Col.PRICING_MODEL).is_in(_COMMITMENTS)
    flags = frame.select(
        charge.is_in(["UnusedReservation", "UnusedSavingsPlan"]).any().alias("unused"),
        ((charge == "Purchase") & commitment).any().alias("purchase"),
        ((charge == "Usage") & commitment & (pl.col(Col.COST) != 0)).any().alias("covered_cost"),
        ((charge == "Usage") & commitment).any().alias("covered"),
    ).row(0, named=True)
    if flags["unused"] or flags["covered_cost"]:
        return "amortized"
    if flags["purchase"] or flags["covered"]:
        return "actual"
    return None


def _pairs(raw: pl.DataFrame, id_keys: tuple[str, ...], name_keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    headers = {header_key(c): c for c in raw.columns}
    id_col = next((headers[k] for k in id_keys if k in headers), None)
    if id_col is None or not raw.height:
        return ()
    name_col = next((headers[k] for k in name_keys if k in headers), None)
    name_expr = pl.col(name_col) if name_col else pl.col(id_col)
    pairs = (
        raw.select(pl.col(id_col).str.strip_chars().alias("id"), name_expr.str.strip_chars().alias("name"))
        .drop_nulls("id")
        .filter(pl.col("id") != "")
        .unique(subset="id", keep="first", maintain_order=True)
        .head(50)
    )
    return tuple((i, n or i) for i, n in pairs.iter_rows())


def agreement_of(results: list[PartResult]) -> Agreement:
    """The agreement type of the loaded parts (Unknown when they differ)."""
    found = {r.detection.dialect.agreement for r in results if r.normalized.height} or {r.detection.dialect.agreement for r in results}
    return found.pop() if len(found) == 1 else Agreement.UNKNOWN
