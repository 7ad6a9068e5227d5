"""CSV meant for spreadsheets: a cell holding ``;`` is quoted as well.

A Dutch or German Excel opens a CSV with ``;`` as its list separator. A cell such as
``x;=cmd|' /C calc'!A0;y`` holds no comma, so a plain CSV writer leaves it unquoted, and that
Excel splits it into three cells, the middle one a formula that formula neutralising never saw
(it only looks at a cell's start). Quoted, it stays one text cell in every spreadsheet. Every
other cell is written exactly as polars writes it (``quote_style="necessary"``).
"""

from __future__ import annotations

from typing import IO

import polars as pl

# What polars quotes itself (separator, quote, line breaks; an empty text, so it differs from a missing one) and ``;``.
_NEEDS_QUOTES = r'[,";\r\n]'


def _quoted(cell: pl.Expr) -> pl.Expr:
    wrapped = pl.lit('"') + cell.str.replace_all('"', '""', literal=True) + pl.lit('"')
    return pl.when(cell.str.contains(_NEEDS_QUOTES) | (cell == "")).then(wrapped).otherwise(cell)


def _quoted_name(name: str) -> str:
    if name == "" or any(c in name for c in ',";\r\n'):
        return '"' + name.replace('"', '""') + '"'
    return name


def _prepared(frame: pl.DataFrame) -> pl.DataFrame:
    texts = [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)]
    quoted = frame.with_columns(_quoted(pl.col(name).cast(pl.String)).alias(name) for name in texts) if texts else frame
    return quoted.rename({name: _quoted_name(name) for name in frame.columns})


def write(frame: pl.DataFrame, handle: IO[bytes], *, include_header: bool = True) -> None:
    """Write ``frame`` to ``handle`` as CSV, quoting what polars would and every cell holding ``;``."""
    _prepared(frame).write_csv(handle, include_header=include_header, quote_style="never")


def csv_bytes(frame: pl.DataFrame, *, bom: bool = True) -> bytes:
    """``frame`` as CSV bytes (UTF-8, with a BOM by default, as ``lib.output.export.to_csv_bytes``), ``;`` cells quoted."""
    body = _prepared(frame).write_csv(quote_style="never").encode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + body
