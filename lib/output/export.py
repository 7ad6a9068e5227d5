"""CSV exports: the raw rows as the source gave them, and the filtered view.

Numbers and dates in exports are machine-readable (dot decimal, ISO or the source's own text)
whatever the display language.
"""

from __future__ import annotations

import re

import polars as pl

from lib.core.models import Period, Scope
from lib.core.schema import Col

_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
# OWASP "CSV injection": a text cell starting with one of these is run as a formula by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets also skip leading white space (space, no-break space, line feed...) and invisible format characters
# (zero-width space, BOM) before a formula, and some read the full-width and small forms of = + - @ as the signs.
_FORMULA_START = r"^(?:[\t\r]|[\s\p{Cf}]*[=+\-@\x{FF1D}\x{FF0B}\x{FF0D}\x{FF20}\x{FE66}\x{FE62}\x{FE63}\x{FE6B}])"
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
# A Dutch or German Excel splits a CSV line on ";" (quotes count only at a field's start), and a line break or tab
# inside a cell can start a row or field too: a formula sign after one of those gets an apostrophe in front as well.
_INNER_START = r"([;\t\r\n])([\s\p{Cf}]*\"?[=+\-@\x{FF1D}\x{FF0B}\x{FF0D}\x{FF20}\x{FE66}\x{FE62}\x{FE63}\x{FE6B}])"


def slug(text: str) -> str:
    """File-name-safe form of ``text``."""
    return _UNSAFE.sub("-", text).strip("-").lower() or "all"


def export_name(scope: Scope | None, period: Period, kind: str) -> str:
    """File name saying scope and period, e.g. ``azure-usage_contoso-production_2026-11-01_2026-11-26_raw-v2.csv``."""
    scope_part = slug(scope.name) if scope else "all-scopes"
    return f"azure-usage_{scope_part}_{period.start.isoformat()}_{period.end.isoformat()}_{kind}.csv"


def raw_rows(raw: pl.DataFrame | pl.LazyFrame, normalized_rows: pl.DataFrame) -> pl.DataFrame:
    """The raw rows behind ``normalized_rows``, in raw order, untouched (read from disk when ``raw`` is lazy)."""
    wanted = normalized_rows.get_column(Col.SOURCE_ROW).sort().implode()
    chosen = raw.lazy().with_row_index("_source_row").filter(pl.col("_source_row").is_in(wanted)).drop("_source_row")
    return chosen.collect(engine="streaming") if isinstance(raw, pl.LazyFrame) else chosen.collect()


def raw_at(raw: pl.DataFrame | pl.LazyFrame, source_rows: pl.Series) -> pl.DataFrame:
    """The raw rows at ``source_rows``, in that order (a lazy ``raw`` is read from disk)."""
    if isinstance(raw, pl.DataFrame):
        # In memory already: gathered directly. The same gather through the lazy engine is many times slower on the
        # small files most conversions are of.
        return raw.select(pl.all().gather(source_rows))
    return raw.select(pl.all().gather(source_rows)).collect()


def to_csv_bytes(frame: pl.DataFrame, *, bom: bool = True) -> bytes:
    """CSV bytes as Azure writes them (UTF-8 with BOM so spreadsheets read accents correctly)."""
    body = frame.write_csv().encode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + body


def canonical_for_export(frame: pl.DataFrame) -> pl.DataFrame:
    """The canonical rows flattened for CSV: tags as a JSON object, dates ISO."""
    tags = pl.col(Col.TAGS).map_elements(
        lambda items: "{" + ",".join(f'"{_json(i["key"])}":"{_json(i["value"])}"' for i in items) + "}" if len(items) else "",
        return_dtype=pl.String,
    )
    return frame.with_columns(tags.alias(Col.TAGS)).drop(Col.SOURCE_ROW)


def _json(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Make text cells that a spreadsheet would run as a formula inert, by a leading apostrophe.

    Only text columns are touched, and within them cells that read as plain numbers (``-12.5``,
    ``1E-05``) are left alone, so amounts stay machine-readable.
    """
    fixes = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        cell = pl.col(name)
        risky = cell.str.contains(_FORMULA_START) & ~cell.str.contains(_NUMBER)
        # The cell's own leading white space is covered by the apostrophe in front of it; the rest gets the inner rule.
        lead = cell.str.extract(r"^([\s\p{Cf}]*)", 1)
        inner = lead + cell.str.slice(lead.str.len_chars()).str.replace_all(_INNER_START, "${1}'${2}")
        fixes.append(pl.when(risky).then(pl.lit("'") + inner).otherwise(inner).alias(name))
    return frame.with_columns(fixes) if fixes else frame
