"""The retired Account Center's usage file: several tables in one CSV, each under a title line.

Version 2 has the sections Provisioning Status, Statement and Daily Usage. Daily Usage has
quantities but no cost, so each day's cost is estimated as quantity × the Statement's rate for
the same meter. Included quantities and commitments are ignored, so the result is an estimate
and is labelled as one. Version 1 packed several fields into one cell and has no Daily Usage
section with a ``Usage Date``; it is refused with a message asking for version 2.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import polars as pl

from lib.core import fmt
from lib.core.i18n import N_, _, ngettext
from lib.ingest import dialects
from lib.ingest.dialects import header_key
from lib.ingest.errors import FormatError
from lib.ingest.normalize import parse_number

TITLES = ("provisioning status", "statement", "daily usage")
METER_KEY = ("metercategory", "metersubcategory", "metername", "meterregion")
EXPECTED = N_("an Account Center usage file, version 2 (sections Provisioning Status, Statement and Daily Usage)")
ASK_FOR_V2 = N_(
    "a version 1 Account Center file, which has no daily usage table; in the Account Center choose "
    "'Download usage' and, where two versions are offered, download version 2"
)


@dataclass(frozen=True)
class Section:
    """One titled table: its title, the 1-based line of its header and its rows as text."""

    title: str
    header_line: int
    frame: pl.DataFrame


def _title(line: str) -> str | None:
    try:
        cells = [c.strip() for c in next(csv.reader([line]), []) if c.strip()]
    except csv.Error:
        return None
    if len(cells) == 1 and cells[0].lower().rstrip(":") in TITLES:
        return cells[0].lower().rstrip(":")
    return None


def looks_like(lines: list[str]) -> bool:
    """Whether the first non-empty line is a section title of the Account Center file."""
    first = next((ln for ln in lines if ln.strip()), "")
    return _title(first) is not None


def sections(name: str, text: str) -> list[Section]:
    """Split the file on its title lines; each section's first non-empty line is its header."""
    lines = text.removeprefix("\ufeff").splitlines()
    starts = [(i, t) for i, ln in enumerate(lines) if (t := _title(ln)) is not None]
    found = []
    for number, (start, title) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        body = lines[start + 1 : end]
        offset = next((i for i, ln in enumerate(body) if ln.strip()), None)
        if offset is None:
            continue
        table = "\n".join(body[offset:]) + "\n"
        try:
            frame = pl.read_csv(io.StringIO(table), infer_schema=False, truncate_ragged_lines=True, raise_if_empty=False)
        except pl.exceptions.PolarsError:
            raise FormatError(
                name, _("a readable '{title}' table").format(title=title), _("cells that cannot be split"), start + offset + 2
            ) from None
        if frame.width:
            # Blank lines between sections are not rows.
            frame = frame.filter(~pl.all_horizontal(pl.all().is_null() | (pl.all().str.strip_chars() == "")))
        found.append(Section(title, start + offset + 2, frame))
    return found


def estimate(name: str, text: str) -> tuple[pl.DataFrame, pl.DataFrame, int, list[str]]:
    """The Daily Usage rows (raw, untouched) and the same rows with an estimated cost and currency.

    Returns:
        raw rows, rows prepared for ``normalize`` (raw plus ``ESTIMATED_COST`` and
        ``STATEMENT_CURRENCY``), the header line of Daily Usage, and notes for the user.

    Raises:
        FormatError: for a version 1 file or a file without the tables version 2 has.
    """
    found = {s.title: s for s in sections(name, text)}
    daily = found.get("daily usage")
    if daily is None or not any(header_key(c) == "usagedate" for c in daily.frame.columns):
        first = next(iter(found.values()), None)
        if daily is None and first is not None and any("^" in c for c in first.frame.columns):
            raise FormatError(name, _(EXPECTED), _(ASK_FOR_V2))
        raise FormatError(name, _(EXPECTED), _(ASK_FOR_V2) if daily is None else _("a Daily Usage table without a 'Usage Date' column"))
    statement = found.get("statement")
    if statement is None:
        raise FormatError(name, _(EXPECTED), _("no Statement table, so there are no rates to estimate cost with"))
    keys = {header_key(c): c for c in statement.frame.columns}
    needed = [*METER_KEY, "rate", "currency"]
    missing = [k for k in needed if k not in keys]
    if missing:
        raise FormatError(
            name,
            _("a Statement table with meter, Rate and Currency columns"),
            _("no {columns}").format(columns=", ".join(missing)),
            statement.header_line,
        )
    rates = statement.frame.select(
        *[pl.col(keys[k]).str.strip_chars().alias(f"_k{i}") for i, k in enumerate(METER_KEY)],
        parse_number(pl.col(keys["rate"])).alias("_rate"),
        pl.col(keys["currency"]).str.strip_chars().alias("_currency"),
    ).filter(pl.col("_rate").is_not_null())
    notes = []
    distinct = rates.unique(subset=[f"_k{i}" for i in range(len(METER_KEY))], keep="first", maintain_order=True)
    if distinct.height < rates.height:
        notes.append(_("{name}: the Statement lists some meters more than once; the first rate of each meter is used.").format(name=name))
    raw = daily.frame
    daily_keys = {header_key(c): c for c in raw.columns}
    absent = [k for k in [*METER_KEY, "consumedquantity"] if k not in daily_keys]
    if absent:
        raise FormatError(
            name,
            _("a Daily Usage table with meter and Consumed Quantity columns"),
            _("no {columns}").format(columns=", ".join(absent)),
            daily.header_line,
        )
    joined = (
        raw.with_row_index("_row")
        .with_columns(*[pl.col(daily_keys[k]).str.strip_chars().alias(f"_k{i}") for i, k in enumerate(METER_KEY)])
        .join(distinct, on=[f"_k{i}" for i in range(len(METER_KEY))], how="left", nulls_equal=True)
        .sort("_row")
    )
    cost = parse_number(pl.col(daily_keys["consumedquantity"])) * pl.col("_rate")
    prepared = joined.select(
        *raw.columns,
        cost.cast(pl.String).alias(dialects.ESTIMATED_COST),
        pl.col("_currency").alias(dialects.STATEMENT_CURRENCY),
    )
    unmatched = prepared.get_column(dialects.ESTIMATED_COST).null_count()
    notes.append(
        _(
            "{name}: daily cost is an ESTIMATE (Daily Usage quantity × the Statement's rate per meter); included "
            "quantities and commitments are not taken into account, so the invoice can differ."
        ).format(name=name)
    )
    if unmatched:
        notes.append(
            ngettext(
                "{name}: {count} Daily Usage row has no rate in the Statement, so no cost can be estimated for it.",
                "{name}: {count} Daily Usage rows have no rate in the Statement, so no cost can be estimated for them.",
                unmatched,
            ).format(name=name, count=fmt.count(unmatched))
        )
    if "value" in keys:
        totals = statement.frame.group_by(pl.col(keys["currency"]).str.strip_chars().alias("c")).agg(
            parse_number(pl.col(keys["value"])).sum().alias("v")
        )
        for currency, value in totals.sort("c").iter_rows():
            notes.append(
                _("{name}: the Statement's own total (Value) is {amount} {currency}.").format(
                    name=name, amount=fmt.number(value, 2), currency=currency
                )
            )
    return raw, prepared, daily.header_line, notes
