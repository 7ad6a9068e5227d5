"""Ad-hoc filters that every chart obeys, applied to the canonical frame."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from lib.core.models import Period, Scope
from lib.core.schema import TAG_KEY, TAG_VALUE, UNTAGGED, Col


@dataclass(frozen=True)
class Filters:
    """The user's filter choices. Empty means "everything"; hashable so results can be cached.

    ``dimensions`` pairs a canonical column with the values to keep; ``tag_key`` with
    ``tag_values`` keeps rows whose tag has one of the values (``UNTAGGED`` keeps rows without
    the tag).
    """

    dimensions: tuple[tuple[Col, tuple[str, ...]], ...] = ()
    tag_key: str | None = None
    tag_values: tuple[str, ...] = field(default=())

    def values(self, col: Col) -> tuple[str, ...]:
        """The values chosen for ``col`` (empty when not filtered)."""
        return next((values for c, values in self.dimensions if c == col), ())

    def with_values(self, col: Col, values: tuple[str, ...] | list[str]) -> Filters:
        """A copy with ``col`` filtered to ``values`` (empty clears it)."""
        others = tuple((c, v) for c, v in self.dimensions if c != col)
        kept = (*others, (col, tuple(values))) if values else others
        return Filters(tuple(sorted(kept)), self.tag_key, self.tag_values)

    @property
    def active(self) -> bool:
        """Whether any filter narrows the data."""
        return bool(self.dimensions) or bool(self.tag_key and self.tag_values)


def tag_value(key: str) -> pl.Expr:
    """Expression giving each row's value of tag ``key`` (null when the row lacks it)."""
    element = pl.element()
    return pl.col(Col.TAGS).list.eval(element.filter(element.struct.field(TAG_KEY) == key).struct.field(TAG_VALUE)).list.first()


def filter_expression(filters: Filters) -> pl.Expr:
    """One boolean expression for all of ``filters``."""
    condition = pl.lit(True)
    for col, values in filters.dimensions:
        condition &= pl.col(col).is_in(list(values))
    if filters.tag_key and filters.tag_values:
        value = tag_value(filters.tag_key)
        wanted = [v for v in filters.tag_values if v != UNTAGGED]
        tag_condition = value.is_in(wanted)
        if UNTAGGED in filters.tag_values:
            tag_condition |= value.is_null()
        condition &= tag_condition.fill_null(False)
    return condition


def scope_expression(scope: Scope | None) -> pl.Expr:
    """Rows inside ``scope`` (a data set covering a wider scope keeps only this one's rows)."""
    condition = pl.lit(True)
    if scope is not None:
        for col, value in scope.match:
            condition &= pl.col(col) == value
    return condition


def period_expression(period: Period | None) -> pl.Expr:
    """Rows charged inside ``period``."""
    if period is None:
        return pl.lit(True)
    return pl.col(Col.CHARGE_DATE).is_between(period.start, period.end)


def apply(frame: pl.DataFrame, filters: Filters, *, scope: Scope | None = None, period: Period | None = None) -> pl.DataFrame:
    """Rows of ``frame`` within scope, period and filters."""
    return frame.filter(scope_expression(scope) & period_expression(period) & filter_expression(filters))


def options(frame: pl.DataFrame, col: Col) -> list[str]:
    """Distinct values of a dimension, most costly first, for a picker."""
    return (
        frame.select(col, Col.COST)  # only these two columns are joined into one piece, not the whole frame
        .group_by(col)
        .agg(pl.col(Col.COST).sum().abs().alias("spend"))
        .sort(["spend", col], descending=[True, False])
        .get_column(col)
        .drop_nulls()
        .to_list()
    )


def tag_keys(frame: pl.DataFrame) -> list[str]:
    """Tag keys present, most used first."""
    keys = frame.select(pl.col(Col.TAGS).explode().struct.field(TAG_KEY)).to_series().drop_nulls()
    return keys.value_counts(sort=True).get_column(TAG_KEY).to_list()


def tag_values(frame: pl.DataFrame, key: str) -> list[str]:
    """Values of tag ``key`` present, with ``UNTAGGED`` last when some rows lack the tag."""
    values = frame.select(tag_value(key).alias("v")).get_column("v")
    present = sorted(values.drop_nulls().unique().to_list())
    return [*present, UNTAGGED] if values.null_count() else present
