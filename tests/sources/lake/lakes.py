"""Cost exports laid out as Cost Management writes them into storage, for the Lake source's tests.

``export_root/<export>/<run>/part_N_NNNN.csv`` with the run's ``manifest.json``. Rows are made from a seed; each
writer returns the rows it wrote, so a test works out its expected figures from them (csv text + Decimal).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from lib.ingest import dialects
from tests.fixtures.generate import to_csv

SERVICES = ("Virtual Machines", "Storage", "SQL Database", "Bandwidth", "Azure Monitor")
GROUPS = ("rg-web", "rg-data", "RG-Web", "", "rg-ops")  # a case variant and an empty one (shown as Unassigned)
TAGS = ('{"env":"prod","team":"web"}', '{"Env":"test"}', "", '"team": "data"', '{"env":"prod","cost-center":"42"}')
SUBSCRIPTIONS = (("aaaa0000-0000-0000-0000-000000000001", "Contoso Prod"), ("aaaa0000-0000-0000-0000-000000000002", "Contoso Dev"))


@dataclass(frozen=True)
class Written:
    """One part file and the rows in it (header cell → text)."""

    path: Path
    rows: list[dict[str, str]]
    run: str


def _manifest(folder: Path, submitted: str, export_type: str, version: str) -> None:
    manifest = {
        "exportConfig": {"type": export_type, "dataVersion": version, "exportName": folder.parent.name},
        "runInfo": {"submittedTime": submitted, "runId": folder.name},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _amount(rng: random.Random) -> str:
    # Written as exports write them: plain decimals, now and then scientific notation or a zero.
    value = rng.choice([rng.uniform(0, 40), rng.uniform(0, 0.001), 0.0])
    text = f"{value:.10f}".rstrip("0").rstrip(".") or "0"
    return f"{value:.4E}" if rng.random() < 0.05 and value else text


def ea_rows(rng: random.Random, days: list[date], per_day: int, bump: int = 0) -> list[dict[str, str]]:
    """EA export rows (``HEADER_EA_USAGE_2024_08_01``); ``bump`` changes every amount (a later run's figures)."""
    rows = []
    for day in days:
        for index in range(per_day):
            sub_id, sub_name = SUBSCRIPTIONS[index % 2]
            service = SERVICES[index % len(SERVICES)]
            rows.append(
                {
                    "Date": day.strftime("%m/%d/%Y"),
                    "CostInBillingCurrency": str(float(_amount(rng)) + bump) if bump else _amount(rng),
                    "BillingCurrencyCode": "EUR",
                    "Quantity": f"{rng.uniform(0, 24):.6f}",
                    "MeterCategory": service,
                    "MeterName": f"{service} meter {index % 3}",
                    "SubscriptionId": sub_id,
                    "SubscriptionName": sub_name,
                    "ResourceGroup": GROUPS[index % len(GROUPS)],
                    "ResourceId": f"/subscriptions/{sub_id}/resourceGroups/rg/providers/x/r{index}",
                    "ResourceLocation": rng.choice(["westeurope", "northeurope"]),
                    "ChargeType": "Usage",
                    "PricingModel": "OnDemand",
                    "UnitOfMeasure": "1 Hour",
                    "BillingPeriodStartDate": day.replace(day=1).strftime("%m/%d/%Y"),
                    "BillingProfileName": "Contoso EA",
                    "InvoiceSectionName": "Engineering",
                    "Tags": TAGS[(index + day.day) % len(TAGS)],
                }
            )
    return rows


def focus_rows(rng: random.Random, days: list[date], per_day: int) -> list[dict[str, str]]:
    """FOCUS 1.0 export rows: billed and effective cost, two currencies."""
    rows = []
    for day in days:
        for index in range(per_day):
            sub_id, sub_name = SUBSCRIPTIONS[index % 2]
            service = SERVICES[index % len(SERVICES)]
            billed = _amount(rng)
            rows.append(
                {
                    "BilledCost": billed,
                    "EffectiveCost": _amount(rng) if index % 4 == 0 else billed,
                    "BillingCurrency": "USD" if index % 5 else "EUR",
                    "ChargeCategory": "Usage" if index % 7 else "Purchase",
                    "ChargePeriodStart": f"{day.isoformat()}T00:00:00Z",
                    "ChargePeriodEnd": f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z",
                    "BillingPeriodStart": f"{day.replace(day=1).isoformat()}T00:00:00Z",
                    "ConsumedQuantity": f"{rng.uniform(0, 10):.4f}",
                    "ConsumedUnit": "Hours",
                    "SubAccountId": f"/subscriptions/{sub_id}",
                    "SubAccountName": sub_name,
                    "x_SkuMeterCategory": service,
                    "ServiceName": service,
                    "x_SkuMeterName": f"{service} meter {index % 3}",
                    "x_ResourceGroupName": GROUPS[index % len(GROUPS)],
                    "ResourceId": f"/subscriptions/{sub_id}/resourceGroups/rg/providers/x/f{index}",
                    "RegionId": "westeurope",
                    "PricingCategory": "Standard",
                    "Tags": TAGS[index % len(TAGS)],
                    "x_BillingProfileName": "Contoso MCA",
                    "x_InvoiceSectionName": "Research",
                }
            )
    return rows


def _parts(folder: Path, header: tuple[str, ...], rows: list[dict[str, str]], parts: int, run: str) -> list[Written]:
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-len(rows) // parts)
    written = []
    for number in range(parts):
        chunk = rows[number * size : (number + 1) * size]
        path = folder / f"part_0_{number + 1:04d}.csv"
        path.write_bytes(to_csv(header, chunk))
        written.append(Written(path, chunk, run))
    return written


def write_part(folder: Path, rows: list[dict[str, str]]) -> Written:
    """``rows`` as one part of an EA actual-cost export run in ``folder``."""
    return _parts(folder, dialects.HEADER_EA_USAGE_2024_08_01, rows, 1, folder.name)[0]


def days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=n) for n in range(count)]


def ea_lake(root: Path, seed: int = 7) -> list[Written]:
    """An EA actual-cost export: February complete (two parts), and two overlapping March month-to-date runs."""
    rng = random.Random(seed)
    header = dialects.HEADER_EA_USAGE_2024_08_01
    written = []
    february = root / "ea-actual" / "20250201-20250228" / "run-feb"
    written += _parts(february, header, ea_rows(rng, days(date(2025, 2, 1), 28), 6), 2, "feb")
    _manifest(february, "2025-03-01T04:00:00Z", "ActualCost", "2024-08-01")
    early = root / "ea-actual" / "20250301-20250331" / "run-a"
    written += _parts(early, header, ea_rows(rng, days(date(2025, 3, 1), 5), 6), 1, "early")
    _manifest(early, "2025-03-06T04:00:00Z", "ActualCost", "2024-08-01")
    late = root / "ea-actual" / "20250301-20250331" / "run-b"
    written += _parts(late, header, ea_rows(rng, days(date(2025, 3, 1), 8), 6, bump=1), 2, "late")
    _manifest(late, "2025-03-09T04:00:00Z", "ActualCost", "2024-08-01")
    return written


def focus_lake(root: Path, seed: int = 11) -> list[Written]:
    """A FOCUS 1.0 export of two months, three parts each."""
    rng = random.Random(seed)
    written = []
    for month, length in ((date(2025, 2, 1), 28), (date(2025, 3, 1), 31)):
        folder = root / "focus" / f"{month:%Y%m}01-{month:%Y%m}{length}" / f"run-{month:%m}"
        written += _parts(folder, dialects.HEADER_FOCUS_1_0, focus_rows(rng, days(month, length), 5), 3, f"focus-{month:%m}")
        _manifest(folder, f"{month:%Y-%m}-28T04:00:00Z", "FocusCost", "1.0")
    return written
