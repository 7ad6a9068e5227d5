"""Tag keys that differ only by case are one key (Azure ignores case), shown as the data writes it (issue 19, point 7)."""

from __future__ import annotations

import polars as pl

from lib.core.schema import TAG_KEY, TAG_TYPE, TAG_VALUE, Col
from lib.ingest.normalize import unify_tag_keys


def _frame(keys: list[str]) -> pl.DataFrame:
    return pl.DataFrame({Col.TAGS: [[{TAG_KEY: k, TAG_VALUE: "1234"}] for k in keys]}, schema={Col.TAGS: TAG_TYPE})


def _keys(frame: pl.DataFrame) -> set[str]:
    return set(frame.select(pl.col(Col.TAGS).explode().struct.field(TAG_KEY)).to_series().to_list())


def test_a_tie_is_settled_the_same_way_whatever_the_row_order() -> None:
    """One "costCenter" and one "CostCenter": "CostCenter" (first in code-point order), in either row order."""
    for keys in (["costCenter", "CostCenter"], ["CostCenter", "costCenter"]):
        for rows in range(1, 40):  # many frame sizes: the old pick followed the order value_counts happened to give
            unified, _notes = unify_tag_keys(_frame(keys * rows + ["other"] * rows))
            assert _keys(unified) == {"CostCenter", "other"}, (keys, rows)
    # The most used spelling still wins over the tie rule, and is kept as written (never lower-cased).
    unified, notes = unify_tag_keys(_frame(["costcenter", "costCenter", "costCenter", "COSTCENTER"]))
    assert _keys(unified) == {"costCenter"}
    assert notes == ["Tag keys COSTCENTER, costcenter merged into 'costCenter' (Azure tag names ignore case)."]
