"""Per-data-set working frame and constants, computed once and reused on every page rerun.

A filter or group-by change must recompute every aggregate of a page in tens of milliseconds at a
million rows. Two indexes, built once per data set, make that possible:

* ``Slot``: one id per distinct (charge date, billing period, invoice, charge type, currency). A
  month of usage has a few hundred; every page aggregate (billing history, estimate, daily series)
  only needs those attributes plus the group, so the rows are grouped by (``Slot``, group) in a
  single pass and everything else works on that small result (``views.select``).
* ``TagSet``: one id per distinct set of tags (a million rows carry a few thousand). A tag's value,
  a tag filter and a tag's value list are computed on the distinct sets and gathered by id, instead
  of searching every row's tag list.

Nothing here copies the big frame: polars columns are shared between frames. The working data is
held next to the ``Dataset`` object (keyed by its identity, dropped with it), never pickled.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from functools import cached_property
from typing import Final, Literal, TypeVar

import polars as pl

from lib.analysis import filters
from lib.core.dataset import Dataset, TagIndex
from lib.core.models import Period, Scope
from lib.core.schema import TAG_KEY, TAG_PREFIX, UNTAGGED, Col
from lib.ingest.tags import ROWS, TAG_SET, tag_sets

SLOT: Final = "Slot"
SLOT_KEYS: Final = (Col.CHARGE_DATE, Col.BILLING_PERIOD_START, Col.INVOICE_ID, Col.CHARGE_TYPE, Col.BILLING_CURRENCY)
MEMO_ENTRIES: Final = 64
STREAM_SLOTS_ABOVE_ROWS: Final = 2_000_000

T = TypeVar("T")


class Prepared:
    """The working frame of one data set, its indexes and memoised small results."""

    def __init__(self, rows: pl.DataFrame, tag_index: TagIndex | None = None) -> None:
        self.rows = rows  # the data set's ``frame``
        self._tag_index = tag_index if tag_index is not None and tag_index.frame is rows else None
        self._memo: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._lock = threading.Lock()

    def memo(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per key (the most recent ``MEMO_ENTRIES`` kept)."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > MEMO_ENTRIES:
                self._memo.popitem(last=False)
        return value

    def forget(self, kind: str) -> None:
        """Drop the remembered results of one kind (e.g. ``"select"``), so they are computed again."""
        with self._lock:
            for key in [k for k in self._memo if k[0] == kind]:
                del self._memo[key]

    @cached_property
    def slots(self) -> pl.DataFrame:
        """The distinct (date, billing period, invoice, charge type, currency), as text, with their ``Slot`` id."""
        return self._slotted[1]

    @cached_property
    def _slotted(self) -> tuple[pl.Series, pl.DataFrame]:
        keys = self.rows.select(SLOT_KEYS)
        # Slots in order of first use (a group-by keeping each slot's first row, not a copy of every row's keys), and
        # each row's slot by a lazy join handing back only the id column. Many rows: streamed, so a morsel's hashes are
        # held at a time rather than every row's (ten million rows: ~300 MB); fewer: in memory, which is quicker.
        engine: Literal["streaming", "in-memory"] = "streaming" if keys.height > STREAM_SLOTS_ABOVE_ROWS else "in-memory"
        slots = (
            keys.lazy()
            .with_row_index("_first")
            .group_by(SLOT_KEYS)
            .agg(pl.col("_first").min())
            .sort("_first")
            .drop("_first")
            .collect(engine=engine)
            .with_row_index(SLOT)
        )
        ids = (
            keys.lazy()
            .join(slots.lazy(), on=list(SLOT_KEYS), how="left", maintain_order="left", nulls_equal=True)
            .select(SLOT)
            .collect(engine=engine)
            .get_column(SLOT)
        )
        return ids, slots.with_columns(pl.col(pl.Categorical).cast(pl.String))

    @cached_property
    def frame(self) -> pl.DataFrame:
        """The canonical frame with its ``Slot`` id per row (columns shared, not copied)."""
        return self.rows.with_columns(self._slotted[0])

    @cached_property
    def _tagged(self) -> tuple[pl.Series, pl.DataFrame]:
        if self._tag_index is not None:
            return self._tag_index.ids, self._tag_index.sets
        return tag_sets(self.rows.get_column(Col.TAGS))

    @property
    def tag_sets(self) -> pl.DataFrame:
        """The distinct tag sets: ``TagSet``, ``Tags``, ``Rows``."""
        return self._tagged[1]

    @cached_property
    def tagged_frame(self) -> pl.DataFrame:
        """``frame`` plus each row's ``TagSet`` id."""
        return self.frame.with_columns(self._tagged[0])

    @property
    def lazy_tags(self) -> bool:
        """The frame's Tags column is not filled in: rows with their tags come from ``rows_where``."""
        return self._tag_index is not None and not self._tag_index.inline

    def rows_where(self, condition: pl.Expr, every_column: pl.DataFrame | None = None) -> pl.DataFrame:
        """The canonical rows (tag lists filled in) where ``condition``, an expression over ``tagged_frame``, holds.

        ``every_column``: the data set's ``normalized`` (``rows`` row for row, with a big file's later columns), whose
        columns are then returned.
        """
        frame, columns = self.tagged_frame, self.rows.columns
        if every_column is not None and every_column is not self.rows:
            frame = frame.with_columns(every_column.select(pl.exclude(frame.columns)))
            columns = every_column.columns
        chosen = frame.filter(condition)
        if self.lazy_tags:
            chosen = chosen.with_columns(self.tag_sets.get_column(Col.TAGS).gather(chosen.get_column(TAG_SET)).alias(Col.TAGS))
        return chosen.select(columns)

    def frame_for(self, uses_tags: bool) -> pl.DataFrame:
        """The working frame, with the tag-set ids when a tag is filtered or grouped by."""
        return self.tagged_frame if uses_tags else self.frame

    def tag_values_by_set(self, key: str) -> pl.Series:
        """Tag ``key``'s value for each tag set (null where the set lacks the key), in ``TagSet`` order."""
        return self.memo(("tag_values_by_set", key), lambda: self.tag_sets.select(filters.tag_value(key).alias("v")).get_column("v"))

    def group_key(self, group_by: str) -> pl.Expr:
        """The group-by key over ``frame_for``: a dimension column, or a tag's value gathered by tag set."""
        if not group_by.startswith(TAG_PREFIX):
            return pl.col(group_by)
        values = self.tag_values_by_set(group_by.removeprefix(TAG_PREFIX)).fill_null(UNTAGGED).cast(pl.Categorical)
        return pl.lit(values).gather(pl.col(TAG_SET))

    def tag_condition(self, key: str, wanted: tuple[str, ...]) -> pl.Expr:
        """Rows whose tag ``key`` has one of ``wanted`` (``UNTAGGED``: rows without it), by tag-set id."""
        values = self.tag_values_by_set(key)
        chosen = values.is_in([v for v in wanted if v != UNTAGGED]).fill_null(False)
        if UNTAGGED in wanted:
            chosen |= values.is_null()
        ids = self.tag_sets.get_column(TAG_SET).filter(chosen)
        return pl.col(TAG_SET).is_in(ids.implode())

    def filter_expression(self, chosen: filters.Filters) -> pl.Expr:
        """``filters.filter_expression`` over ``frame_for`` (tags through the tag-set index)."""
        condition = pl.lit(True)
        for col, values in chosen.dimensions:
            condition &= pl.col(col).is_in(list(values))
        if chosen.tag_key and chosen.tag_values:
            condition &= self.tag_condition(chosen.tag_key, chosen.tag_values)
        return condition

    def tag_keys(self) -> list[str]:
        """Tag keys present, most used (rows) first."""

        def compute() -> list[str]:
            keys = self.tag_sets.select(pl.col(Col.TAGS).list.eval(pl.element().struct.field(TAG_KEY)).alias("k"), ROWS).explode("k")
            counted = keys.drop_nulls("k").group_by("k").agg(pl.col(ROWS).sum()).sort([ROWS, "k"], descending=[True, False])
            return [str(k) for k in counted.get_column("k").to_list()]

        return self.memo(("tag_keys",), compute)

    def tag_values(self, key: str) -> list[str]:
        """Values of tag ``key`` present, with ``UNTAGGED`` last when some rows lack it."""

        def compute() -> list[str]:
            values = self.tag_values_by_set(key)
            present = sorted(str(v) for v in values.drop_nulls().unique().to_list())
            return [*present, UNTAGGED] if values.null_count() else present

        return self.memo(("tag_values", key), compute)


def filtered_rows(dataset: Dataset, chosen: filters.Filters, *, scope: Scope | None = None, period: Period | None = None) -> pl.DataFrame:
    """``filters.apply`` of the data set's ``frame``, also when its tag lists are not held per row (``TagIndex.inline``).

    Without a big file's ``Dataset.later`` columns: the downloads (which take the raw rows by ``SourceRow``) and the
    summary need none of them, and neither waits for the file's second read.
    """
    found = prepared(dataset)
    if not found.lazy_tags:
        return filters.apply(dataset.frame, chosen, scope=scope, period=period)
    return found.rows_where(filters.scope_expression(scope) & filters.period_expression(period) & found.filter_expression(chosen))


def with_tags(dataset: Dataset) -> pl.DataFrame:
    """The data set's canonical rows with every row's tag list (built from the tag sets when not held per row)."""
    found = prepared(dataset)
    if not found.lazy_tags:
        return dataset.normalized
    ids = found.tagged_frame.get_column(TAG_SET)
    return dataset.normalized.with_columns(found.tag_sets.get_column(Col.TAGS).gather(ids).alias(Col.TAGS))


_PREPARED: dict[int, Prepared] = {}
_GUARD = threading.Lock()


def prepared(dataset: Dataset) -> Prepared:
    """The working data of ``dataset``, made on first use and dropped when the data set is."""
    key = id(dataset)
    with _GUARD:
        found = _PREPARED.get(key)
        if found is not None and found.rows is dataset.frame:
            return found
        made = Prepared(dataset.frame, dataset.tag_index)
        _PREPARED[key] = made
    weakref.finalize(dataset, _PREPARED.pop, key, None)
    return made
