"""How a file's text was read: its encoding, line ends, separator, decimal mark and date order.

The reader decides each from the whole file where it can (the encoding from every byte, the decimal mark from
every cost cell) and the file report shows what was used and why (``FileReport.reading``).
"""

from __future__ import annotations

import codecs

import polars as pl

from lib.core.i18n import _
from lib.core.schema import Col
from lib.ingest.dialects import Dialect, header_key
from lib.ingest.errors import FormatError

# A number written with a decimal comma and nothing else could mean: ``0,075``, ``12,5``, ``1.234,56``, ``1,5E-05``.
# ``1,234`` alone could be either and proves nothing.
_COMMA_DECIMAL = r"^\s*-?(0,\d+|\d+,(\d{1,2}|\d{4,})|\d{1,3}(\.\d{3})+,\d+|\d{4,},\d+|\d+,\d+[eE]-?\d+)\s*$"
# The same for a decimal point (``0.075``, ``12.5``, ``1,234.56``): in a decimal-comma file a point only groups thousands.
_POINT_DECIMAL = r"^\s*-?(0\.\d+|\d+\.(\d{1,2}|\d{4,})|\d{1,3}(,\d{3})+\.\d+|\d{4,}\.\d+|\d+\.\d+[eE]-?\d+)\s*$"
NUMBER_COLUMNS = (Col.COST, Col.COST_USD, Col.QUANTITY)


def decode(name: str, data: bytes) -> tuple[bytes, str, str]:
    """UTF-8 bytes with line feeds for ``data``, its encoding, and its line ends (``LF``, ``CRLF`` or ``CR``).

    The encoding is decided from every byte, not the first ones: a Windows-1252 letter late in a file makes
    the whole file Windows-1252. UTF-16 (Excel's "Unicode Text") is recognised with or without a byte-order mark.

    Raises:
        FormatError: for bytes that are no text in any of these encodings.
    """
    encoding = "UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_mark(data):
        codec = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else _utf16_codec(data)
        try:
            data = data.decode(codec).encode("utf-8")
        except UnicodeDecodeError:
            raise FormatError(name, _("a text (CSV) file"), _("binary data")) from None
        encoding = "UTF-16"
    else:
        try:
            data.decode("utf-8")
            if data.startswith(codecs.BOM_UTF8):
                encoding = "UTF-8 (BOM)"
        except UnicodeDecodeError as error:
            if b"\x00" in data[: 64 * 1024]:
                return data, encoding, _line_ends(data)  # binary: the text reader says what it is
            try:
                data = data.decode("cp1252").encode("utf-8")
            except UnicodeDecodeError:
                raise FormatError(
                    name, _("a text (CSV) file in UTF-8"), _("bytes that are not text (at byte {offset})").format(offset=error.start)
                ) from None
            encoding = "Windows-1252"
    ends = _line_ends(data)
    if ends == "CR":
        data = data.replace(b"\r", b"\n")
    return data, encoding, ends


def utf8_head(head: bytes) -> tuple[str, str]:
    """Encoding and line ends of a UTF-8 file from its first bytes (a big file read from disk: see ``decode``)."""
    return ("UTF-8 (BOM)" if head.startswith(codecs.BOM_UTF8) else "UTF-8"), _line_ends(head)


def _line_ends(data: bytes) -> str:
    if b"\n" not in data:
        return "CR" if b"\r" in data else "LF"
    return "CRLF" if b"\r\n" in data[: 64 * 1024] else "LF"


def _utf16_without_mark(data: bytes) -> bool:
    head = data[:4096]
    codec = _utf16_codec(data) if len(head) >= 8 and head.count(b"\x00") * 3 > len(head) else ""
    if not codec:
        return False
    text = head[: len(head) // 2 * 2].decode(codec, errors="replace")
    return sum(1 for c in text if c.isprintable() or c in "\t\r\n") >= len(text) * 0.95


def _utf16_codec(data: bytes) -> str:
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > even * 4:
        return "utf-16-le"
    if even > odd * 4:
        return "utf-16-be"
    return ""


def decimal_evidence(raw: pl.DataFrame, dialect: Dialect) -> tuple[int, int]:
    """How many of ``raw``'s number cells can only be read with a decimal comma, and how many only with a point."""
    headers = {header_key(c): c for c in raw.columns}
    return evidence_in(raw, [c for col in NUMBER_COLUMNS if (c := dialect.source_column(headers, col)) is not None])


def evidence_in(raw: pl.DataFrame, names: list[str]) -> tuple[int, int]:
    """``decimal_evidence`` of the text columns ``names``."""
    columns = [c for c in names if c in raw.columns and raw.schema[c] == pl.String]
    if not columns or not raw.height:
        return 0, 0
    found = raw.select(
        pl.sum_horizontal(pl.col(c).str.contains(_COMMA_DECIMAL).sum() for c in columns).alias("comma"),
        pl.sum_horizontal(pl.col(c).str.contains(_POINT_DECIMAL).sum() for c in columns).alias("point"),
    ).row(0, named=True)
    return int(found["comma"] or 0), int(found["point"] or 0)


def decimal_comma(raw: pl.DataFrame, dialect: Dialect) -> bool:
    """Whether the file's number columns write a decimal comma, from every cell of them.

    A cell that can only be read one way (``0,075`` or ``12.5``) is evidence; the mark more cells prove wins, so a
    stray cell written the other way is reported as unreadable rather than changing every other row.
    """
    comma, point = decimal_evidence(raw, dialect)
    return comma > point
