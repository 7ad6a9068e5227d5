"""Columns read as categorical codes (a big file, ``lib.ingest.stream``) are normalized to what their text gives."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

from lib.ingest.normalize import _text, _trimmed, parse_date, per_distinct

CELLS = [" Storage ", "none", None, "Virtual Machines", "", "N/A", "Storage", None, "Unassigned", "  "]
DATES = ["04/30/2025", "2025-04-01", None, "not a date", "04/30/2025", " 2025-04-02 ", None, "2025-04-01"]


@pytest.mark.parametrize(
    ("cells", "parse", "dtype"),
    [
        (CELLS, _text, pl.String()),
        (CELLS, _trimmed, pl.String()),
        (["Storage", "Virtual Machines", "Storage"], _text, pl.String()),  # nothing changes: the codes are kept
        (DATES, parse_date, pl.Date()),
        ([None, None], parse_date, pl.Date()),
        (["04/30/2025"], parse_date, pl.Date()),
    ],
    ids=["text", "trimmed", "unchanged", "dates", "all-null", "one-date"],
)
def test_codes_normalize_as_their_text(cells: list[str | None], parse: Callable[[pl.Expr], pl.Expr], dtype: pl.DataType) -> None:
    text = pl.DataFrame({"c": cells}, schema={"c": pl.String})
    # Codes in the process-wide pool, some of them far above this column's: other files were read before.
    pl.Series([f"other {i}" for i in range(5000)], dtype=pl.Categorical)
    coded = text.with_columns(pl.col("c").cast(pl.Categorical))
    expected = text.select(parse(pl.col("c"))).to_series()
    got = coded.select(per_distinct(coded, "c", parse, dtype)).to_series()
    if got.dtype == pl.Categorical:
        got = got.cast(pl.String)
    assert got.to_list() == expected.to_list()
    assert got.dtype == expected.dtype
