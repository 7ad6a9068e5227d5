"""Name a file's layout and schema version from its header."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from lib.core.i18n import N_, _
from lib.core.schema import Col
from lib.ingest import dialects
from lib.ingest.dialects import Dialect, header_key
from lib.ingest.errors import FormatError

HEADER_SCORE = 3  # known column names a line needs to be taken for a usage header
FUZZY_MATCH = 0.6  # share of header keys a file must have in common with a layout to be called that layout
EXPECTED_HEADER = N_(
    "a usage file header naming a date column (Date, UsageDateTime, ChargePeriodStart…) and a cost column "
    "(Cost, CostInBillingCurrency, PreTaxCost, BilledCost…)"
)
_FOCUS_MINUTES = re.compile(r"T\d{2}:\d{2}Z$")
_FOCUS_SECONDS = re.compile(r"T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


@dataclass(frozen=True)
class Detection:
    """The layout of a file: the dialect to read it with and what to tell the user."""

    dialect: Dialect
    version: str
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``name (version)`` for reports."""
        return f"{self.dialect.name} ({self.version})" if self.version else self.dialect.name


@cache
def known_keys() -> frozenset[str]:
    """Every header key any layout uses: finds the header line below a preamble."""
    keys: set[str] = set()
    for dialect in (*dialects.DIALECTS, dialects.ACCOUNT_CENTER_V2):
        keys.update(header_key(h) for h in dialect.header)
    for columns in (dialects.AZURE_COLUMNS, dialects.FOCUS_COLUMNS, dialects.FOCUS_AMORTIZED_COLUMNS):
        for aliases in columns.values():
            keys.update(aliases)
    keys.update(header_key(h) for h in dialects.HEADER_ACCOUNT_CENTER_V2_STATEMENT)
    return frozenset(keys)


def _has(keys: set[str], columns: Mapping[Col, tuple[str, ...]], col: Col) -> bool:
    return any(alias in keys for alias in columns[col])


def _similarity(keys: set[str], dialect: Dialect) -> float:
    theirs = {header_key(h) for h in dialect.header}
    return len(keys & theirs) / len(keys | theirs)


def _difference_note(keys: set[str], dialect: Dialect) -> str:
    theirs = {header_key(h) for h in dialect.header}
    extra, missing = len(keys - theirs), len(theirs - keys)
    return _("Header closest to {layout} {version}: {extra} extra and {missing} missing column(s).").format(
        layout=_(dialect.name), version=_(dialect.schema_version), extra=extra, missing=missing
    )


def detect(name: str, columns: Sequence[str], first_row: Mapping[str, str | None], line: int = 1) -> Detection:
    """The layout of a header (``columns`` as written) with its first data row for tie-breaks.

    Raises:
        FormatError: when the header names no date and cost column of any layout.
    """
    keys = {header_key(c) for c in columns}
    if keys & {"billedcost", "effectivecost", "chargeperiodstart"}:
        return _detect_focus(name, columns, keys, first_row, line)
    if not (_has(keys, dialects.AZURE_COLUMNS, Col.CHARGE_DATE) and _has(keys, dialects.AZURE_COLUMNS, Col.COST)):
        shown = ", ".join(c for c in columns[:6] if c)
        found = _("a header starting {columns}").format(columns=repr(shown)[:180]) if shown else _("an empty header")
        raise FormatError(name, _(EXPECTED_HEADER), found, line)
    candidates = [d for d in dialects.DIALECTS if d.family != "focus"]
    scored = sorted(((_similarity(keys, d), -i, d) for i, d in enumerate(candidates)), reverse=True)
    score, _order, best = scored[0]
    localised = any(re.search(r"\S\s*\([A-Za-z0-9]+\)\s*$", c) for c in columns)
    suffix = " " + _("(localised headers)") if localised else ""
    if score == 1.0:
        return Detection(best, _exact_version(best, columns) + suffix)
    if {"partnername", "customertenantid"} & keys:
        best, score = dialects.MCA_PARTNER, max(score, FUZZY_MATCH)
    signature_ok = all(s in keys for s in best.signature)
    if score >= FUZZY_MATCH and signature_ok:
        return Detection(
            best, _("{version}, variant").format(version=_(best.schema_version)) + suffix, notes=(_difference_note(keys, best),)
        )
    warning = _(
        "{name}: the header matches no documented Azure layout exactly (closest: {layout} {version}); read by column names."
    ).format(name=name, layout=_(best.name), version=_(best.schema_version))
    return Detection(dialects.GENERIC, _("unrecognised") + suffix, warnings=(warning,))


def _exact_version(dialect: Dialect, columns: Sequence[str]) -> str:
    """Versions that share one column set differ in spelling or order only."""
    if dialect is dialects.MCA_2023_12_01_PREVIEW and "PricingModel" in columns:
        return dialects.MCA_2021_10_01.schema_version
    if dialect in (dialects.EA_2023_12_01_PREVIEW, dialects.EA_2021_10_01):
        if header_key(columns[0]) == "costinbillingcurrency":
            return dialects.EA_2021_10_01.schema_version
        return _("{version} ({other} has the same columns)").format(version="2023-12-01-preview", other="2021-10-01")
    return dialect.schema_version


def _detect_focus(name: str, columns: Sequence[str], keys: set[str], first_row: Mapping[str, str | None], line: int) -> Detection:
    if not {"billedcost", "effectivecost"} & keys or "chargeperiodstart" not in keys:
        raise FormatError(name, _("a FOCUS header with ChargePeriodStart, BilledCost and EffectiveCost"), _("only some of them"), line)
    scored = sorted(((_similarity(keys, d), -i, d) for i, d in enumerate(dialects.FOCUS_LAYOUTS)), reverse=True)
    score, _order, best = scored[0]
    version = best.schema_version
    if best.schema_version == "1.0":
        start = next((v for c, v in first_row.items() if header_key(c) == "chargeperiodstart" and v), "") or ""
        if _FOCUS_SECONDS.search(start.strip()):
            version = "1.0r2"
        elif not _FOCUS_MINUTES.search(start.strip()):
            version = _("{version} or {other}").format(version="1.0", other="1.0r2")
    if score == 1.0:
        return Detection(best, version)
    if score >= 0.85:
        return Detection(best, _("{version}, variant").format(version=version), notes=(_difference_note(keys, best),))
    note = _("Columns closest to FOCUS {version}; this is not the layout Cost Management exports write.").format(version=version)
    return Detection(dialects.GENERIC_FOCUS, _("closest to {version}").format(version=version), notes=(note,))
