"""Why did cost change: a change between two periods split into its causes, to the cent.

Over the canonical rows of one currency, each period's rows are summed per key: (resource id, meter)
for usage, (resource id, meter, charge type) for one-off charges. Rows without a resource id are keyed
by their meter alone (``NO_RESOURCE``); resource ids are compared case-insensitively, as Azure treats them.

* **new**: resources with usage rows in the compared period only (all their cost);
* **removed**: resources with usage rows in the base period only (minus all their cost);
* for resources in both periods and a meter used in both: **quantity** = (q1 − q0) × p0 and
  **price** = (c1 − c0) − quantity, which is (p1 − p0) × q1 with p = c / q; a meter with no quantity in
  either period goes wholly to price;
* **meter_swap**: for resources in both periods, the cost of meters used in one period only;
* **one_off**: every row whose charge type is not usage (purchases, refunds, adjustments, credits).

A key is "present" in a period when it has at least one row there, even at zero cost. Usage charge types
are ``Usage`` and the idle-commitment types ``UnusedReservation`` / ``UnusedSavingsPlan`` (daily recurring
cost of a reservation or savings plan, not a one-off); a row without a charge type counts as usage.

Money is exact: each key's sums become integer millionths of the currency (``MICROS``), every split is
done on those integers, and cents are handed out by largest remainder, first to the parts (target: the
compared total in cents minus the base total in cents) and then within each part to its contributions.
So the contributions add up to their part, and the parts to the change, to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

import numpy as np
import polars as pl

from lib.analysis import frames, views
from lib.analysis.views import View
from lib.core import fmt
from lib.core.dataset import Dataset
from lib.core.i18n import N_, _, ngettext
from lib.core.models import Period
from lib.core.periods import add_months, billing_period, month_end, period_label
from lib.core.schema import Col

MICROS: Final = 1_000_000  # the unit sums are held in: millionths of the currency
MICROS_PER_CENT: Final = MICROS // 100
USAGE_CHARGE_TYPES: Final = ("Usage", "UnusedReservation", "UnusedSavingsPlan")
NO_RESOURCE: Final = ""  # resource key of rows without a resource id (keyed by meter alone)
TOP_CONTRIBUTIONS: Final = 20


class Part(StrEnum):
    """The causes a change is split into, in the waterfall's order."""

    NEW = "new"
    REMOVED = "removed"
    QUANTITY = "quantity"
    PRICE = "price"
    METER_SWAP = "meter_swap"
    ONE_OFF = "one_off"


PARTS: Final = tuple(Part)
PART_LABELS: Final = {
    Part.NEW: N_("New resources"),
    Part.REMOVED: N_("Removed resources"),
    Part.QUANTITY: N_("Quantity"),
    Part.PRICE: N_("Price"),
    Part.METER_SWAP: N_("Meters changed"),
    Part.ONE_OFF: N_("One-off charges"),
}
# What falls in each part, for the drill-down.
PART_RULES: Final = {
    Part.NEW: N_("Resources with usage in the compared period only: all their cost."),
    Part.REMOVED: N_("Resources with usage in the base period only: minus all their cost."),
    Part.QUANTITY: N_(
        "Meters of resources in both periods, used in both: the change in quantity at the base period's unit price, (q1 − q0) × p0."
    ),
    Part.PRICE: N_(
        "Meters of resources in both periods, used in both: the change in unit price on the compared quantity, (p1 − p0) × q1;"
        " a meter with no quantity in one period goes here whole."
    ),
    Part.METER_SWAP: N_(
        "Resources in both periods: the cost of meters used in one period only (a resized VM shows as a new meter replacing an old one)."
    ),
    Part.ONE_OFF: N_("Rows whose charge type is not usage (purchases, refunds, adjustments, credits): compared minus base."),
}


class PeriodError(ValueError):
    """A period text that cannot be read; the message says what is expected."""


def parse_period(text: str, as_of: date) -> Period:
    """``YYYY-MM`` (that billing month, up to ``as_of`` when still open) or ``YYYY-MM-DD..YYYY-MM-DD``.

    Raises:
        PeriodError: for any other text, an end before the start, or a period starting after ``as_of``.
    """
    given = text.strip()
    try:
        if ".." in given:
            start_text, _sep, end_text = given.partition("..")
            period = Period(date.fromisoformat(start_text.strip()), date.fromisoformat(end_text.strip()))
        elif len(given) == 7 and given[4] == "-":
            month = billing_period(date(int(given[:4]), int(given[5:]), 1))
            period = Period(month.start, min(month.end, as_of)) if month.contains(as_of) else month
        else:
            raise ValueError(given)
    except ValueError:
        raise PeriodError(
            _("'{value}' is not a period: use YYYY-MM (a billing month) or YYYY-MM-DD..YYYY-MM-DD").format(value=text)
        ) from None
    if period.start > as_of:
        raise PeriodError(_("the period '{value}' starts after {day}").format(value=text, day=as_of.isoformat()))
    return period


class Default(StrEnum):
    """The two default comparisons."""

    CLOSED = "closed"  # the last closed billing period against the one before it
    MONTH_TO_DATE = "mtd"  # month to date against the same days of the previous period


def default_periods(as_of: date, which: Default = Default.CLOSED, *, open_last: bool = True) -> tuple[Period, Period]:
    """(base, compared) for a default comparison on ``as_of``.

    ``open_last=False``: the billing period holding ``as_of`` has ended (a file of a past month, ``as_of`` its last
    day), so it is the last closed period itself.

    Month to date on day d compares days 1..d with days 1..d of the previous billing period, cut at its
    last day (31 March compares with the whole of February).
    """
    if which is Default.MONTH_TO_DATE:
        current = Period(billing_period(as_of).start, as_of)
        previous_start = add_months(as_of, -1)
        previous_end = min(previous_start + timedelta(days=as_of.day - 1), month_end(previous_start))
        return Period(previous_start, previous_end), current
    back = 0 if not open_last else 1
    last = billing_period(add_months(as_of, -back))
    return billing_period(add_months(as_of, -back - 1)), last


def cents(micros: int) -> int:
    """``micros`` rounded to whole cents, halves away from zero."""
    return int((Decimal(micros) / MICROS_PER_CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def as_money(cents_value: int) -> Decimal:
    """Cents as an exact amount (``Decimal`` with two places)."""
    return Decimal(cents_value).scaleb(-2)


def allocate(micros: np.ndarray, target: int) -> np.ndarray:
    """Whole cents for each amount in ``micros`` that add up to ``target`` exactly (largest remainder).

    Every amount is first rounded down to a cent; the cents still missing (or in excess) go to the amounts
    that lost the most (or least) in rounding, earlier amounts first on ties.
    """
    count = len(micros)
    if count == 0:
        if target != 0:
            raise ValueError(f"cannot allocate {target} cents over no amounts")
        return np.zeros(0, dtype=np.int64)
    floor = np.floor_divide(micros, MICROS_PER_CENT)
    remainder = micros - floor * MICROS_PER_CENT
    missing = int(target - int(floor.sum()))
    each, extra = divmod(missing, count)
    order = np.argsort(-remainder, kind="stable")
    result: np.ndarray = np.asarray(floor + each, dtype=np.int64)
    result[order[:extra]] += 1
    return result


KEYS: Final = ("one_off", "key_id", "meter", "charge_type")  # a key of ``period_sums``, ``key_id`` standing for ``resource``


def _usage_expression() -> pl.Expr:
    charge = pl.col(Col.CHARGE_TYPE)
    return charge.is_null() | charge.cast(pl.String).is_in(list(USAGE_CHARGE_TYPES))


def _side(periods: tuple[Period, ...]) -> pl.Expr:
    side: pl.Expr = pl.lit(None, dtype=pl.Int32)
    for index, period in reversed(list(enumerate(periods))):
        side = pl.when(pl.col(Col.CHARGE_DATE).is_between(period.start, period.end)).then(pl.lit(index, dtype=pl.Int32)).otherwise(side)
    return side


def _coarse(frame: pl.DataFrame, periods: tuple[Period, ...], currency: str) -> pl.DataFrame:
    """Per period (``side``), the rows in ``currency`` summed on resource id as written, meter and charge type, with one
    of their resource groups and services (the one of largest code: a number is cheap to take; ``first()`` of a
    categorical costs more than the sums)."""
    if any(a.start <= b.end and b.start <= a.end for i, a in enumerate(periods) for b in periods[i + 1 :]):
        side = (pl.lit(index, dtype=pl.Int32).alias("side") for index in range(len(periods)))
        return pl.concat([_coarse(frame, (period,), currency).with_columns(index) for period, index in zip(periods, side, strict=True)])
    # Only the columns used, in one chunk each: a file read in batches holds its numbers in hundreds of chunks and its
    # categories in one, and lining those up again on every pass costs more than copying them once.
    used = (Col.BILLING_CURRENCY, Col.CHARGE_DATE, Col.COST, Col.QUANTITY, *_COARSE_KEYS, *_COARSE_NAMES)
    rows = (
        frame.select(*used)
        .rechunk()
        .lazy()
        .filter(pl.col(Col.BILLING_CURRENCY) == currency)
        .with_columns(_side(periods).alias("side"))
        .filter(pl.col("side").is_not_null())
    )
    categorical = {column: isinstance(frame.schema[column], pl.Categorical) for column in (*_COARSE_KEYS, *_COARSE_NAMES)}
    aggregates = (
        pl.col(Col.COST).sum().alias("cost"),
        pl.col(Col.QUANTITY).fill_null(0.0).sum().alias("quantity"),
        pl.len().alias("rows"),
        *((pl.col(c).to_physical() if categorical[c] else pl.col(c)).max().alias(name) for c, name in _COARSE_NAMES.items()),
    )
    widths = _code_widths(frame, len(periods)) if all(categorical[c] for c in _COARSE_KEYS) else None
    if widths is None:
        keys = (pl.col(column).alias(name) for column, name in _COARSE_KEYS.items())
        grouped = rows.group_by("side", *keys).agg(*aggregates).collect()
    else:
        # The keys' categorical codes packed into one integer (null as 0, a code as code + 1), grouped on, and unpacked.
        packed: pl.Expr = pl.col("side").cast(pl.UInt64)
        for column, width in zip(_COARSE_KEYS, widths[1:], strict=True):
            packed = packed * (1 << width) + (pl.col(column).to_physical().cast(pl.UInt64) + 1).fill_null(0)
        grouped = rows.group_by(packed.alias("packed")).agg(*aggregates).collect()
        key = grouped.get_column("packed")
        unpacked: dict[str, pl.Series] = {}
        for (column, name), width in reversed(list(zip(_COARSE_KEYS.items(), widths[1:], strict=True))):
            code = pl.Series(name, key % (1 << width), dtype=pl.UInt64)
            key = key // (1 << width)
            unpacked[name] = (code.replace(0, None) - 1).cast(pl.UInt32).cat.to(frame.schema[column])
        grouped = grouped.with_columns(key.cast(pl.Int32).alias("side"), *unpacked.values())
    names = (
        pl.col(name).cast(pl.UInt32).cat.to(frame.schema[column]) if categorical[column] else pl.col(name)
        for column, name in _COARSE_NAMES.items()
    )
    return grouped.select("side", *_COARSE_KEYS.values(), *names, "cost", "quantity", "rows")


_COARSE_KEYS: Final = {Col.RESOURCE_ID: "resource", Col.METER: "meter", Col.CHARGE_TYPE: "charge_type"}
_COARSE_NAMES: Final = {Col.RESOURCE_GROUP: "resource_group", Col.SERVICE: "service"}


def _code_widths(frame: pl.DataFrame, periods: int) -> list[int] | None:
    """Bits for the period index and each coarse key's code (+ 1 for null), or ``None`` when they do not fit in 64 bits
    together (then the keys are grouped on as they are)."""
    largest = frame.select(pl.col(column).to_physical().max() for column in _COARSE_KEYS).row(0)
    widths = [max(1, (periods - 1).bit_length()), *((0 if top is None else int(top) + 1).bit_length() for top in largest)]
    return widths if sum(widths) <= 64 else None


@dataclass(frozen=True)
class _Sums:
    """Every period's sums (``side`` = the period's index), keyed on integers: ``key_id`` is the index of the resource's
    lower-case key in ``keys`` (sorted); resource id as written, resource group and service stay categorical."""

    sums: pl.DataFrame
    keys: pl.Series


def _sums(frame: pl.DataFrame, periods: tuple[Period, ...], currency: str) -> _Sums:
    coarse = _coarse(frame, periods, currency)
    # Resource ids are folded to lower case once per distinct id, and the small result is merged on integer keys
    # (categorical codes and ``key_id``): text is made only for the rows shown (``_named``).
    resources = coarse.select(pl.col("resource").unique())
    folded = pl.col("resource").cast(pl.String).str.to_lowercase().fill_null(NO_RESOURCE)
    resources = resources.with_columns(folded.alias("key"))
    if resources.get_column("key").n_unique() == resources.height:  # no two ids differ only in case: each is its own key
        resources = resources.with_row_index("key_id")
        keys = resources.get_column("key")
    else:
        resources = resources.with_columns((pl.col("key").rank("dense").cast(pl.UInt32) - 1).alias("key_id"))
        keys = resources.get_column("key").unique().sort()
    resources = resources.with_columns((pl.col("key") == NO_RESOURCE).alias("no_resource")).drop("key")
    charge = pl.col("charge_type")
    usage = charge.is_null() | charge.cast(pl.String).is_in(list(USAGE_CHARGE_TYPES))
    sums = (
        coarse.lazy()
        .join(resources.lazy(), on="resource", how="left", nulls_equal=True)
        .with_columns((~usage).alias("one_off"), pl.when(~usage).then(charge).alias("charge_type"))
        .group_by("side", "one_off", "key_id", "meter", "charge_type")
        .agg(
            (pl.col("cost").sum() * MICROS).round(0).cast(pl.Int64).alias("micros"),
            pl.col("quantity").sum(),
            pl.col("rows").sum().cast(pl.Int64),
            pl.col("no_resource").first(),
            pl.col("resource").drop_nulls().first().alias("resource_id"),
            pl.col("resource_group").drop_nulls().first(),
            pl.col("service").drop_nulls().first(),
        )
        .collect()
    )
    return _Sums(sums, keys)


def _named(rows: pl.DataFrame, keys: pl.Series) -> pl.DataFrame:
    """``rows`` with the text of their keys: ``resource`` (the lower-case key) in place of ``key_id``, the meter ("" for
    none), the charge type of a one-off charge (``None`` for usage), and the categorical columns as text."""
    resource = keys.gather(rows.get_column("key_id")).alias("resource")
    charge = pl.col("charge_type").cast(pl.String)
    return rows.with_columns(
        resource,
        pl.col("meter").cast(pl.String).fill_null(""),
        pl.when(charge != "").then(charge).alias("charge_type"),
        *(pl.col(c).cast(pl.String) for c in ("resource_id", "resource_group", "service")),
    )


CONTRIBUTION_SCHEMA: Final = {
    "part": pl.String,
    "resource": pl.String,
    "resource_id": pl.String,
    "meter": pl.String,
    "charge_type": pl.String,
    "resource_group": pl.String,
    "service": pl.String,
    "base_cost": pl.Float64,
    "compare_cost": pl.Float64,
    "base_quantity": pl.Float64,
    "compare_quantity": pl.Float64,
    "micros": pl.Int64,
}


def _contributions(found: _Sums) -> pl.DataFrame:
    """Every key's contribution to each part, in micros (one row per key and part), keyed on ``key_id``; the text
    columns are left to ``_named`` (only the rows shown need them)."""
    side = pl.col("side")
    base = found.sums.filter(side == 0).drop("side")
    compared = found.sums.filter(side == 1).drop("side")
    joined = base.join(compared, on=list(KEYS), how="full", coalesce=True, nulls_equal=True, suffix="_1").with_columns(
        pl.col("micros").fill_null(0).alias("c0"),
        pl.col("micros_1").fill_null(0).alias("c1"),
        pl.col("quantity").fill_null(0.0).alias("q0"),
        pl.col("quantity_1").fill_null(0.0).alias("q1"),
        (pl.col("rows").fill_null(0) > 0).alias("in_base"),
        (pl.col("rows_1").fill_null(0) > 0).alias("in_compare"),
        pl.coalesce("no_resource_1", "no_resource").alias("no_resource"),
        pl.coalesce("resource_id_1", "resource_id").alias("resource_id"),
        pl.coalesce("resource_group_1", "resource_group").alias("resource_group"),
        pl.coalesce("service_1", "service").alias("service"),
    )
    usage = joined.filter(~pl.col("one_off"))
    # Rows without a resource id are keyed by meter alone: that meter stands for the resource.
    by_meter = pl.when(pl.col("no_resource")).then(pl.col("meter"))
    usage = usage.with_columns(
        pl.col("in_base").any().over("key_id", by_meter).alias("resource_in_base"),
        pl.col("in_compare").any().over("key_id", by_meter).alias("resource_in_compare"),
    )
    both = pl.col("resource_in_base") & pl.col("resource_in_compare")
    meter_both = both & pl.col("in_base") & pl.col("in_compare")
    change = pl.col("c1") - pl.col("c0")
    priced = (pl.col("q0") != 0) & (pl.col("q1") != 0)
    quantity = (
        pl.when(priced)
        .then(((pl.col("q1") - pl.col("q0")) * pl.col("c0").cast(pl.Float64) / pl.col("q0")).round(0).cast(pl.Int64))
        .otherwise(0)
    )
    columns = ["key_id", "resource_id", "meter", "charge_type", "resource_group", "service"]
    costs = [
        (pl.col("c0") / MICROS).alias("base_cost"),
        (pl.col("c1") / MICROS).alias("compare_cost"),
        pl.col("q0").alias("base_quantity"),
        pl.col("q1").alias("compare_quantity"),
    ]

    def part(rows: pl.DataFrame, name: Part, micros: pl.Expr) -> pl.DataFrame:
        return rows.select(pl.lit(str(name)).alias("part"), *columns, *costs, micros.cast(pl.Int64).alias("micros"))

    both_meters = usage.filter(meter_both).with_columns(quantity.alias("qty"))
    pieces = [
        part(usage.filter(~pl.col("resource_in_base")), Part.NEW, change),
        part(usage.filter(~pl.col("resource_in_compare")), Part.REMOVED, change),
        part(both_meters, Part.QUANTITY, pl.col("qty")),
        part(both_meters, Part.PRICE, change - pl.col("qty")),
        part(usage.filter(both & ~meter_both), Part.METER_SWAP, change),
        part(joined.filter(pl.col("one_off")), Part.ONE_OFF, change),
    ]
    return pl.concat(pieces, how="vertical_relaxed")


@dataclass(frozen=True)
class Comparison:
    """A change between two periods split into parts, exact to the cent.

    ``contributions`` has one row per key and part with ``cents`` (its share of the part, whole cents) and
    ``change`` (the same as an amount), largest first within each part; keys that contribute nothing are left out.
    """

    currency: str
    base: Period
    compare: Period
    base_cents: int
    compare_cents: int
    part_cents: dict[Part, int]
    contributions: pl.DataFrame

    @property
    def base_total(self) -> Decimal:
        """The base period's total."""
        return as_money(self.base_cents)

    @property
    def compare_total(self) -> Decimal:
        """The compared period's total."""
        return as_money(self.compare_cents)

    @property
    def change(self) -> Decimal:
        """Compared total minus base total."""
        return as_money(self.compare_cents - self.base_cents)

    @property
    def parts(self) -> dict[Part, Decimal]:
        """Each part as an amount, in ``PARTS`` order; they add up to ``change``."""
        return {p: as_money(self.part_cents[p]) for p in PARTS}

    @property
    def relative_change(self) -> float | None:
        """The change as a fraction of the base total (``None`` when the base is zero)."""
        return float(self.change / self.base_total) if self.base_cents else None

    def drill_down(self, part: Part) -> pl.DataFrame:
        """The contributions to ``part``, largest (in absolute value) first."""
        return self.contributions.filter(pl.col("part") == str(part))

    def largest(self, top: int = TOP_CONTRIBUTIONS) -> pl.DataFrame:
        """The ``top`` largest contributions over all parts."""
        ranked = self.contributions.with_columns(pl.col("cents").abs().alias("size"))
        return ranked.sort(["size", "part", "resource", "meter"], descending=[True, False, False, False]).head(top).drop("size")

    def as_dict(self, top: int = TOP_CONTRIBUTIONS) -> dict[str, object]:
        """The comparison as JSON-ready values (amounts as numbers in the currency, exact to the cent)."""

        def number(value: Decimal) -> float:
            return float(value)  # two decimals: the float's shortest text is the exact amount

        return {
            "currency": self.currency,
            "base": {"from": self.base.start.isoformat(), "to": self.base.end.isoformat()},
            "compare": {"from": self.compare.start.isoformat(), "to": self.compare.end.isoformat()},
            "base_total": number(self.base_total),
            "compare_total": number(self.compare_total),
            "change": number(self.change),
            "relative_change": None if self.relative_change is None else round(self.relative_change, 4),
            "parts": {str(p): number(v) for p, v in self.parts.items()},
            "by_resource": [
                {
                    "resource_id": row["resource_id"],
                    "meter": row["meter"],
                    "charge_type": row["charge_type"],
                    "part": row["part"],
                    "change": number(as_money(row["cents"])),
                }
                for row in self.largest(top).iter_rows(named=True)
            ],
        }


def compare(frame: pl.DataFrame, base: Period, compared: Period, currency: str) -> Comparison:
    """Split the change from ``base`` to ``compared`` of ``frame``'s rows in ``currency`` into its parts.

    ``frame`` is canonical rows (filters already applied) with ``ResourceId`` and ``Quantity``; rows in other
    currencies are left out, never converted.
    """
    found = _sums(frame, (base, compared), currency)
    totals = found.sums.group_by("side").agg(pl.col("micros").sum())
    by_side = dict(zip(totals.get_column("side").to_list(), totals.get_column("micros").to_list(), strict=True))
    base_cents, compare_cents = cents(int(by_side.get(0, 0))), cents(int(by_side.get(1, 0)))
    contributions = _contributions(found)
    by_part = contributions.group_by("part").agg(pl.col("micros").sum())
    part_micros = dict(zip(by_part.get_column("part").to_list(), by_part.get_column("micros").to_list(), strict=True))
    exact = np.array([int(part_micros.get(str(p), 0)) for p in PARTS], dtype=np.int64)
    part_cents = dict(zip(PARTS, (int(c) for c in allocate(exact, compare_cents - base_cents)), strict=True))

    def shown(rows: pl.DataFrame) -> pl.DataFrame:
        return _named(rows, found.keys).select(*CONTRIBUTION_SCHEMA).cast(CONTRIBUTION_SCHEMA)  # type: ignore[arg-type]

    # Within a part, largest first (ties by key) so the cents of rounding go to the same rows every time. Keys that
    # contribute nothing are left out (a meter whose quantity did not change has a zero quantity part).
    nonzero = shown(contributions.filter(pl.col("micros") != 0))
    # Ties broken by a hash of the key: the same order on every run, without sorting on the text itself.
    tie = pl.struct("resource", "meter", "charge_type").hash(seed=0).alias("tie")
    ordered = nonzero.with_columns(pl.col("micros").abs().alias("size"), tie).sort(["size", "tie"], descending=[True, False])
    by_name = ordered.partition_by("part", as_dict=True, maintain_order=True)
    shares = []
    for name in PARTS:
        rows_of_part = by_name.get((str(name),))
        if rows_of_part is None:
            if part_cents[name]:  # a cent of rounding landed on a part whose keys all net to zero: show them
                zero = shown(contributions.filter(pl.col("part") == str(name)))
                rows_of_part = zero.with_columns(pl.lit(0, dtype=pl.Int64).alias("size"), tie)
            else:
                continue
        given = allocate(rows_of_part.get_column("micros").to_numpy(), part_cents[name])
        shares.append(rows_of_part.with_columns(pl.Series("cents", given, dtype=pl.Int64)))
    table = (
        pl.concat(shares, how="vertical_relaxed").drop("size", "tie")
        if shares
        else nonzero.head(0).with_columns(pl.lit(0, dtype=pl.Int64).alias("cents"))
    )
    table = table.with_columns((pl.col("cents") / 100).alias("change"))
    return Comparison(currency, base, compared, base_cents, compare_cents, part_cents, table)


def other_currencies(frame: pl.DataFrame, periods: Iterable[Period], currency: str) -> list[str]:
    """Currencies other than ``currency`` with rows in any of ``periods`` (compared on their own, never added)."""
    inside = pl.lit(False)
    for period in periods:
        inside |= pl.col(Col.CHARGE_DATE).is_between(period.start, period.end)
    found = frame.lazy().filter(inside).select(pl.col(Col.BILLING_CURRENCY).cast(pl.String).unique()).collect().to_series()
    return sorted(str(c) for c in found.drop_nulls().to_list() if c != currency)


# --- plain-language summary ---------------------------------------------------------------------


def signed_money(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """``+€848.00`` / ``−€120.00``: an amount with its sign in front."""
    text = fmt.money(float(abs(amount)), currency, locale)
    return ("+" if amount > 0 else "−" if amount < 0 else "") + text


def _in_one_group(rows: pl.DataFrame) -> str | None:
    groups = rows.get_column("resource_group").drop_nulls().unique().to_list()
    return str(groups[0]) if len(groups) == 1 else None


def _resource_count(rows: pl.DataFrame) -> int:
    key = pl.when(pl.col("resource") == NO_RESOURCE).then(pl.lit("meter:") + pl.col("meter")).otherwise(pl.col("resource"))
    return int(rows.select(key.n_unique()).item())


def cause(comparison: Comparison, part: Part, locale: str | None = None) -> str:
    """One part in words: ``+€848.00 from 2 new resources in rg-ml``."""
    amount = signed_money(comparison.parts[part], comparison.currency, locale)
    rows = comparison.drill_down(part)
    count = _resource_count(rows)
    group = _in_one_group(rows)
    if part is Part.NEW:
        text = ngettext("{amount} from {count} new resource", "{amount} from {count} new resources", count)
    elif part is Part.REMOVED:
        text = ngettext("{amount} from {count} removed resource", "{amount} from {count} removed resources", count)
    elif part is Part.METER_SWAP:
        text = ngettext(
            "{amount} from {count} resource that changed meters (such as a resized VM)",
            "{amount} from {count} resources that changed meters (such as a resized VM)",
            count,
        )
    elif part is Part.QUANTITY:
        text = _("{amount} from more usage") if comparison.part_cents[part] > 0 else _("{amount} from less usage")
    elif part is Part.PRICE:
        text = _("{amount} from higher unit prices") if comparison.part_cents[part] > 0 else _("{amount} from lower unit prices")
    else:
        kinds = rows.group_by("charge_type").agg(pl.col("cents").abs().sum()).sort(["cents", "charge_type"], descending=[True, False])
        names = ", ".join(str(k) for k in kinds.get_column("charge_type").to_list() if k)
        return _("{amount} from one-off charges ({kinds})").format(amount=amount, kinds=names) if names else amount
    found = text.format(amount=amount, count=fmt.count(count, locale))
    if group and part in (Part.NEW, Part.REMOVED, Part.METER_SWAP):
        found = _("{cause} in {group}").format(cause=found, group=group)
    return found


def summary(comparison: Comparison, locale: str | None = None, causes: int = 3) -> list[str]:
    """Plain sentences for the reader: the change, then its largest causes (session language)."""
    currency = comparison.currency
    labels = {"base": period_label(comparison.base, locale), "compare": period_label(comparison.compare, locale)}
    if comparison.compare_cents == comparison.base_cents:
        first = _("Cost did not change from {base} to {compare}.").format(**labels)
    else:
        amount = fmt.money(float(abs(comparison.change)), currency, locale)
        relative = comparison.relative_change
        rose = comparison.compare_cents > comparison.base_cents
        if relative is None:
            text = _("Cost rose {amount} from {base} to {compare}") if rose else _("Cost fell {amount} from {base} to {compare}")
            first = text.format(amount=amount, **labels)
        else:
            text = (
                _("Cost rose {amount} ({percent}) from {base} to {compare}")
                if rose
                else _("Cost fell {amount} ({percent}) from {base} to {compare}")
            )
            first = text.format(amount=amount, percent=fmt.percent(relative, locale), **labels)
        ranked = sorted((p for p in PARTS if comparison.part_cents[p]), key=lambda p: (-abs(comparison.part_cents[p]), PARTS.index(p)))
        listed = [cause(comparison, p, locale) for p in ranked[:causes]]
        first = (first + ": " + ", ".join(listed) + ".") if listed else first + "."
    totals = _("{base}: {base_total}; {compare}: {compare_total}.").format(
        base_total=fmt.money(float(comparison.base_total), currency, locale),
        compare_total=fmt.money(float(comparison.compare_total), currency, locale),
        **labels,
    )
    return [first, totals]


def part_label(part: Part | str) -> str:
    """A part's name in the session's language."""
    return _(PART_LABELS[Part(part)])


def part_rule(part: Part | str) -> str:
    """What falls in a part, in the session's language."""
    return _(PART_RULES[Part(part)])


# --- a data set and the user's view -------------------------------------------------------------


@dataclass(frozen=True)
class ViewComparison:
    """A comparison for a page or the command line, with the currencies left out of it."""

    comparison: Comparison
    other_currencies: tuple[str, ...]


def for_view(dataset: Dataset, view: View, base: Period, compared: Period) -> ViewComparison:
    """The comparison of the view's rows (scope, sidebar filters, currency; the view's own period is not used)."""

    currency = views.currency_of(dataset, view)
    key = ("changes", view.scope_id, currency, view.filters, base, compared)

    def compute() -> ViewComparison:
        plain = views.View(source=view.source, scope_id=view.scope_id, currency=currency, filters=view.filters)
        rows = views.select(dataset, plain).history  # every column: a big file's resource ids and quantities are read
        scope = views.scope_of(dataset, view)
        others = other_currencies(frames.filtered_rows(dataset, view.filters, scope=scope), (base, compared), currency)
        return ViewComparison(compare(rows, base, compared, currency), tuple(others))

    return frames.prepared(dataset).memo(key, compute)
