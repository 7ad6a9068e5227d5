"""Light shared pieces of the benchmark: file metadata, the anchor queries' column names, RSS readings.

Imports nothing heavy, so the anchor cases (pandas, polars, duckdb) pay only for their own engine's import.
``as_of`` is the generated file's last day (from its ``.meta.json``), never the clock.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
REPO = BENCH_DIR.parent

# The anchor queries (as in the research notes): Q1 = daily cost by service; Q2 = three services and one tag, re-aggregated.
Q2_SERVICES = ("Virtual Machines", "Storage", "SQL Database")
Q2_TAG_TEXT = '"env": "prod"'


@dataclass(frozen=True)
class Layout:
    """Where the anchor queries find their columns in one file layout."""

    date: str
    service: str
    cost: str
    tags: str


LAYOUTS = {
    "mca": Layout("date", "meterCategory", "costInBillingCurrency", "tags"),
    "ea": Layout("Date", "MeterCategory", "Cost", "Tags"),
}


def file_meta(path: Path) -> dict[str, object]:
    """The generator's record of ``path`` (format, rows, end date...)."""
    meta: dict[str, object] = json.loads(path.with_name(path.name + ".meta.json").read_text())
    return meta


def as_of_of(path: Path) -> date:
    """The data set's "today": the generated file's last day of data."""
    return date.fromisoformat(str(file_meta(path)["end"]))


def layout_of(path: Path) -> Layout:
    """Column names of the anchor queries for the file's layout."""
    return LAYOUTS[str(file_meta(path)["format"])]


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    """This process's current resident set size (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to clear_refs), so a later peak covers only what follows."""
    try:
        Path(f"/proc/{os.getpid()}/clear_refs").write_text("5")
    except OSError:
        return False
    return True
