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
from typing import TYPE_CHECKING, Final, TypeVar

import polars as pl

from lib.schema import TAG_KEY, UNTAGGED, Col

if TYPE_CHECKING:
    from lib.filters import Filters
    from lib.sources.base import Dataset

SLOT: Final = "Slot"
TAG_SET: Final = "TagSet"
ROWS: Final = "Rows"  # how many usage rows a pre-aggregated row stands for (same name as aggregate.ROWS)
TAG_PREFIX: Final = "tag:"
SLOT_KEYS: Final = (Col.CHARGE_DATE, Col.BILLING_PERIOD_START, Col.INVOICE_ID, Col.CHARGE_TYPE, Col.BILLING_CURRENCY)
MEMO_ENTRIES: Final = 64

T = TypeVar("T")


def tag_sets_exact(tags: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
    """Tag-set ids by comparing the tag lists themselves (the reference for ``tag_sets``)."""
    frame = tags.alias(Col.TAGS).to_frame()
    sets = frame.unique(maintain_order=True).with_row_index(TAG_SET)
    ids = frame.join(sets, on=Col.TAGS, how="left", maintain_order="left", nulls_equal=True).get_column(TAG_SET)
    counts = ids.value_counts().rename({"count": ROWS})
    sets = sets.join(counts.with_columns(pl.col(ROWS).cast(pl.UInt32)), on=TAG_SET, how="left").sort(TAG_SET)
    return ids, sets.select(TAG_SET, Col.TAGS, ROWS)


def tag_sets(tags: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
    """Each row's tag-set id, and the distinct sets (``TagSet``, ``Tags``, ``Rows``), ids in order of first use.

    Rows are grouped by a hash of their tag list; when the number of distinct hashes differs from
    the number of distinct lists (a collision), the exact comparison is used instead.
    """
    hashed = tags.hash().alias("h").to_frame().with_row_index("i")
    firsts = hashed.group_by("h").agg(pl.col("i").first(), pl.len().cast(pl.UInt32).alias(ROWS)).sort("i").with_row_index(TAG_SET)
    if firsts.height != tags.n_unique():
        return tag_sets_exact(tags)
    ids = hashed.join(firsts.select("h", TAG_SET), on="h", how="left", maintain_order="left").get_column(TAG_SET)
    sets = firsts.select(TAG_SET, tags.gather(firsts.get_column("i")).alias(Col.TAGS), ROWS)
    return ids, sets


class Prepared:
    """The working frame of one data set, its indexes and memoised small results."""

    def __init__(self, normalized: pl.DataFrame) -> None:
        self.normalized = normalized
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
        keys = self.normalized.select(SLOT_KEYS)
        slots = keys.unique(maintain_order=True).with_row_index(SLOT)
        ids = keys.join(slots, on=list(SLOT_KEYS), how="left", maintain_order="left", nulls_equal=True).get_column(SLOT)
        return ids, slots.with_columns(pl.col(pl.Categorical).cast(pl.String))

    @cached_property
    def frame(self) -> pl.DataFrame:
        """The canonical frame with its ``Slot`` id per row (columns shared, not copied)."""
        return self.normalized.with_columns(self._slotted[0])

    @cached_property
    def _tagged(self) -> tuple[pl.Series, pl.DataFrame]:
        return tag_sets(self.normalized.get_column(Col.TAGS))

    @property
    def tag_sets(self) -> pl.DataFrame:
        """The distinct tag sets: ``TagSet``, ``Tags``, ``Rows``."""
        return self._tagged[1]

    @cached_property
    def tagged_frame(self) -> pl.DataFrame:
        """``frame`` plus each row's ``TagSet`` id."""
        return self.frame.with_columns(self._tagged[0])

    def frame_for(self, uses_tags: bool) -> pl.DataFrame:
        """The working frame, with the tag-set ids when a tag is filtered or grouped by."""
        return self.tagged_frame if uses_tags else self.frame

    def tag_values_by_set(self, key: str) -> pl.Series:
        """Tag ``key``'s value for each tag set (null where the set lacks the key), in ``TagSet`` order."""
        from lib.filters import tag_value

        return self.memo(("tag_values_by_set", key), lambda: self.tag_sets.select(tag_value(key).alias("v")).get_column("v"))

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

    def filter_expression(self, chosen: Filters) -> pl.Expr:
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


_PREPARED: dict[int, Prepared] = {}
_GUARD = threading.Lock()


def prepared(dataset: Dataset) -> Prepared:
    """The working data of ``dataset``, made on first use and dropped when the data set is."""
    key = id(dataset)
    with _GUARD:
        found = _PREPARED.get(key)
        if found is not None and found.normalized is dataset.normalized:
            return found
        made = Prepared(dataset.normalized)
        _PREPARED[key] = made
    weakref.finalize(dataset, _PREPARED.pop, key, None)
    return made
