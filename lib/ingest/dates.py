"""Which way round a file writes its dates: month first (Azure's own ``11/30/2026``) or day first.

A file re-saved by a spreadsheet in a European or UK locale writes ``30/11/2026``, ``30-11-2026`` or
``30.11.2026``. The order is decided once per file from evidence across whole columns, never from the first
rows: the distinct date cells of the charge-date column and the billing-period columns (which ``normalize``
works out anyway, so no second pass over a big file). In order of strength:

1. a first or second number above 12 anywhere in a column settles it;
2. billing-period start dates are the first of a month, end dates the last: only one order may fit;
3. the file's own range: read the wrong way, the days of one month become the same day of several months.
   The order that puts the dates in fewer months wins, unless the other reading gives only first-of-month
   dates (a monthly file), which is as plausible.

When none of these can tell and the two readings give different dates, a file showing no sign of a spreadsheet
re-save (comma separator, decimal point, UTF-8, slashes) is read month first, the way Azure writes it, and the
report says so. A re-saved one is not guessed: ``DateOrderUnknownError`` asks for the order (``--date-order`` on the
command line; a question on the page).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from enum import StrEnum

import polars as pl

from lib.core.dataset import SourceError
from lib.core.i18n import _

# Day, month and year in either order, with ``/``, ``-`` or ``.`` between (the same one twice); a time may follow.
_NUMERIC = r"^(\d{1,2})([/.\-])(\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T]|$)"
_ISO = r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]|$)"
_COMPACT = r"^(\d{8})$"


class DateOrder(StrEnum):
    """How a numeric date lists its day and month."""

    DMY = "dmy"
    MDY = "mdy"


class DateOrderUnknownError(SourceError):
    """The dates read both ways and nothing in the file tells which is right: the reader must say."""

    def __init__(self, file: str, column: str, example: str) -> None:
        super().__init__(
            _(
                "{file}: the dates in column '{column}' (e.g. {example}) can be read day first or month first and "
                "nothing in the file tells which; choose the date order (command line: --date-order dmy or mdy)."
            ).format(file=file, column=column, example=example)
        )
        self.file = file
        self.column = column
        self.example = example


@dataclass
class DateReading:
    """The date order of one file, decided on its first evidence and kept for all its rows (batches of a big file too).

    ``given`` is what the user chose (``None``: not asked yet), used only when the file cannot tell: its evidence wins.
    """

    file: str
    given: DateOrder | None = None
    order: DateOrder | None = None
    reason: str = ""
    settled: bool = False  # decided by the data (not by the user's choice or a guess for cells that read the same)
    # Nothing suggests a spreadsheet re-save (comma separator, decimal point, UTF-8): Azure's own month-first order holds.
    as_azure_wrote: bool = True
    # Orders an earlier batch of a big file could only take from the user; a later batch proving otherwise is an error.
    assumed: set[DateOrder] = field(default_factory=set)
    strength: int = 0  # of the evidence behind ``reason`` (``_by_evidence``)

    def decide(self, dates: pl.Series, column: str, periods: list[pl.Series] | None = None) -> DateOrder:
        """The order to read ``dates`` (distinct cells of the charge-date column) with, from them and the period columns
        (billing and service period start and end: the first or last day of a month, each named by its column).

        Raises:
            DateOrderUnknownError: when the cells read both ways, the file cannot tell, and the user has not said.
            SourceError: when the cells contradict each other or the user's choice.
        """
        columns = [(dates, column, "date"), *((p, p.name, "period") for p in periods or [])]
        parts = [_numeric(series, kind) for series, _name, kind in columns]
        if all(p.is_empty() for p in parts):
            # ISO or compact dates: no order to decide.
            if self.order is None:
                self.order, self.reason = DateOrder.MDY, _("not needed (dates written year first)")
            return self.order
        found = _by_evidence(parts, [name for _s, name, _k in columns])
        if found is not None:
            order, reason, strength = found
            if self.settled and order is not self.order:
                raise SourceError(
                    _("{file}: column '{column}' writes dates both day first and month first; it cannot be read safely.").format(
                        file=self.file, column=column
                    )
                )
            if self.assumed - {order}:
                raise SourceError(
                    _("{file}: later rows show the dates are {order}, not as first read; load it again with that date order.").format(
                        file=self.file, order=_order_text(order)
                    )
                )
            # The batches of a big file keep the strongest evidence seen, as the whole file read at once would show.
            if not self.settled or strength > self.strength:
                self.reason, self.strength = reason, strength
            self.order, self.settled = order, True
            return order
        if self.settled and self.order is not None:
            return self.order
        if _same_either_way(parts[0]):
            self.order = self.order or DateOrder.MDY
            self.reason = self.reason or _("not needed (each date reads the same either way)")
            return self.order
        slashes = bool((parts[0].get_column("sep") == "/").all())
        if self.given is None and self.as_azure_wrote and slashes:
            self.order = DateOrder.MDY
            self.reason = _("month first, as Azure writes it: the dates read both ways and the file shows no sign of a re-save")
            self.assumed.add(DateOrder.MDY)
            return self.order
        if self.given is None:
            example = str(parts[0].get_column("cell")[0])
            raise DateOrderUnknownError(self.file, column, example)
        self.order, self.reason = self.given, _("as chosen (the file cannot tell)")
        self.assumed.add(self.given)
        return self.given


def parse_date(expr: pl.Expr, order: DateOrder = DateOrder.MDY) -> pl.Expr:
    """Date text (ISO with or without time, ``YYYYMMDD``, or day and month in ``order`` with ``/``, ``-`` or ``.``)."""
    text = expr.str.strip_chars()
    numeric = text.str.extract_groups(_NUMERIC)
    first, second, year = numeric.struct.field("1"), numeric.struct.field("3"), numeric.struct.field("4")
    day, month = (first, second) if order is DateOrder.DMY else (second, first)
    full_year = pl.when(year.str.len_chars() == 2).then(pl.lit("20") + year).otherwise(year)
    written = pl.concat_str([full_year, month.str.zfill(2), day.str.zfill(2)], separator="-")
    return pl.coalesce(
        text.str.extract(_ISO).str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        written.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        text.str.extract(_COMPACT).str.strptime(pl.Date, "%Y%m%d", strict=False),
    )


def _order_text(order: DateOrder) -> str:
    return _("day first") if order is DateOrder.DMY else _("month first")


def _numeric(series: pl.Series, kind: str) -> pl.DataFrame:
    """The distinct numeric-date cells of ``series`` with their two leading numbers (``a``, ``b``) and year."""
    cells = series.cast(pl.String).drop_nulls().str.strip_chars().unique().sort()  # sorted: the same example every time
    found = pl.DataFrame({"cell": cells}).with_columns(pl.col("cell").str.extract_groups(_NUMERIC).alias("g")).unnest("g")
    found = found.drop_nulls("1")
    return found.select(
        "cell",
        pl.col("2").alias("sep"),
        pl.col("1").cast(pl.Int32).alias("a"),
        pl.col("3").cast(pl.Int32).alias("b"),
        pl.col("4").cast(pl.Int32).alias("year"),
        pl.lit(kind).alias("kind"),
    )


def _by_evidence(parts: list[pl.DataFrame], names: list[str]) -> tuple[DateOrder, str, int] | None:
    """The order the cells prove, the reason and its strength (4: a day above 12 … 1: the range), or None when they read
    both ways. The reason names no single cell, so every batch of a big file words the same evidence alike."""
    day_first = month_first = None
    for part, name in zip(parts, names, strict=True):
        big_a = part.filter(pl.col("a") > 12)
        big_b = part.filter(pl.col("b") > 12)
        if big_a.height and day_first is None:
            day_first = _("column '{column}' has days above 12 written first").format(column=name)
        if big_b.height and month_first is None:
            month_first = _("column '{column}' has days above 12 written second").format(column=name)
    if day_first and month_first:
        raise SourceError(
            _("the dates are written both day first and month first ({one}; {other})").format(one=day_first, other=month_first)
        )
    if day_first:
        return DateOrder.DMY, day_first, 4
    if month_first:
        return DateOrder.MDY, month_first, 4
    periods = _by_periods(parts, names)
    if periods is not None:
        return (*periods, 3)
    if pl.concat(parts).filter(pl.col("sep") == ".").height:
        return DateOrder.DMY, _("dates written with dots are always day first"), 2
    by_range = _by_range(parts[0], names[0])
    return (*by_range, 1) if by_range else None


def _by_periods(parts: list[pl.DataFrame], names: list[str]) -> tuple[DateOrder, str] | None:
    """Billing periods start on the first of a month and end on its last day (a service period's end may be the next
    month's first): when every cell is a first or last day in only one order, that order fits."""
    fits: dict[DateOrder, bool] = {}
    evidence = ""
    for part, name in zip(parts, names, strict=True):
        kind = part.get_column("kind")[0] if part.height else ""
        if kind != "period":
            continue
        for order in DateOrder:
            day, month = ("a", "b") if order is DateOrder.DMY else ("b", "a")
            ok = all(_period_fits(kind, int(row[day]), int(row[month]), int(row["year"])) for row in part.iter_rows(named=True))
            fits[order] = fits.get(order, True) and ok
        evidence = evidence or name
    if len(fits) == 2 and fits[DateOrder.DMY] != fits[DateOrder.MDY]:
        order = DateOrder.DMY if fits[DateOrder.DMY] else DateOrder.MDY
        return order, _("only this order puts the period dates of column '{column}' on the first or last day of a month").format(
            column=evidence
        )
    return None


def _period_fits(kind: str, day: int, month: int, year: int) -> bool:
    if not 1 <= month <= 12:
        return False
    full = year + 2000 if year < 100 else year
    return day in (1, calendar.monthrange(full, month)[1])


def _by_range(part: pl.DataFrame, name: str) -> tuple[DateOrder, str] | None:
    months = {order: _months(part, order) for order in DateOrder}
    firsts = {order: _all_first_of_month(part, order) for order in DateOrder}
    dmy, mdy = months[DateOrder.DMY], months[DateOrder.MDY]
    if dmy < mdy and not firsts[DateOrder.MDY]:
        return DateOrder.DMY, _("read day first, the dates of column '{column}' fall in fewer months (a daily file)").format(column=name)
    if mdy < dmy and not firsts[DateOrder.DMY]:
        return DateOrder.MDY, _("read month first, the dates of column '{column}' fall in fewer months (a daily file)").format(column=name)
    return None


def _months(part: pl.DataFrame, order: DateOrder) -> int:
    month = "b" if order is DateOrder.DMY else "a"
    return int(part.select(pl.struct("year", month).n_unique()).item())


def _all_first_of_month(part: pl.DataFrame, order: DateOrder) -> bool:
    day = "a" if order is DateOrder.DMY else "b"
    return bool(part.height) and bool((part.get_column(day) == 1).all())


def _same_either_way(part: pl.DataFrame) -> bool:
    return bool((part.get_column("a") == part.get_column("b")).all())
