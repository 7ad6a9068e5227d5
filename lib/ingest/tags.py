"""Tag sets: one id per distinct set of tags, so a million rows' tags are handled as a few thousand sets."""

from __future__ import annotations

from typing import Final

import polars as pl

from lib.core.schema import Col

TAG_SET: Final = "TagSet"
ROWS: Final = "Rows"  # how many usage rows a pre-aggregated row stands for (same name as aggregate.ROWS)


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


def index_tag_sets(ids: pl.Series, table: pl.DataFrame) -> tuple[pl.Series, pl.DataFrame]:
    """``tag_sets`` from ids the reader gave each row into ``table`` (its first column the id, then ``Tags``).

    The same result as ``tag_sets`` of the rows' tag lists, without reading those lists: ids in order of
    first use, sets no row uses left out, sets that became equal (tag keys unified) merged.
    """
    id_col = table.columns[0]
    used = (
        ids.alias("_id")
        .to_frame()
        .with_row_index("_i")
        .group_by("_id")
        .agg(pl.col("_i").first(), pl.len().alias(ROWS))
        .join(table.select(pl.col(id_col).cast(ids.dtype).alias("_id"), Col.TAGS), on="_id", how="left")
    )
    sets = (
        used.group_by(Col.TAGS)
        .agg(pl.col("_i").min(), pl.col(ROWS).sum().cast(pl.UInt32), pl.col("_id"))
        .sort("_i")
        .with_row_index(TAG_SET)
    )
    pairs = sets.select(TAG_SET, "_id").explode("_id")
    lookup = pl.Series(TAG_SET, [0] * (int(table.height) if table.height else 0), dtype=pl.UInt32)
    lookup = lookup.scatter(pairs.get_column("_id").cast(pl.Int64), pairs.get_column(TAG_SET))
    return lookup.gather(ids).alias(TAG_SET), sets.select(TAG_SET, Col.TAGS, ROWS)
