"""``python -m lib.cli explain``: the JSON a script reads, from a hand-made usage file and from the demo."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest

from lib import cli
from lib.core.dataset import LoadRequest
from lib.core.models import Metric
from lib.core.schema import Col
from lib.ingest import dialects
from lib.sources.demo import DemoSource
from tests.fixtures import generate

AS_OF = date(2026, 11, 26)
VM = "/subscriptions/s/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm1"
DISK = "/subscriptions/s/resourceGroups/rg-ml/providers/Microsoft.Compute/disks/disk1"


def ea_row(
    day: str, cost: str, resource: str, meter: str, quantity: str, charge_type: str = "Usage", currency: str = "EUR"
) -> dict[str, str]:
    return {
        "Date": day,
        "Cost": cost,
        "BillingCurrency": currency,
        "ResourceId": resource,
        "MeterName": meter,
        "Quantity": quantity,
        "ChargeType": charge_type,
        "ResourceGroup": resource.split("/")[4] if resource else "",
        "MeterCategory": "Virtual Machines",
    }


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert cli.run(["explain", "--json", "--as-of", AS_OF.isoformat(), *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_explain_json_from_a_usage_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """September vs October of a small EA file, every part worked out by hand; USD rows stay out of the EUR answer."""
    rows = [
        ea_row("09/10/2026", "100.00", VM, "D2s v5", "10"),  # 10.00/h
        ea_row("10/10/2026", "144.00", VM, "D2s v5", "12"),  # 12.00/h: quantity +20.00, price +24.00
        ea_row("10/11/2026", "30.00", DISK, "P10", "1"),  # new: +30.00
        ea_row("10/12/2026", "2250.00", "", "Reserved VM", "1", "Purchase"),  # one-off: +2,250.00
        ea_row("09/12/2026", "55.55", VM, "D2s v5", "1", currency="USD"),
    ]
    path = tmp_path / "usage.csv"
    path.write_bytes(generate.to_csv(dialects.HEADER_EA_COSTDETAILS_PORTAL, rows))
    answer = run_json(capsys, str(path), "--base", "2026-09", "--compare", "2026-10", "--currency", "EUR")
    assert answer["currency"] == "EUR"
    assert (answer["base_total"], answer["compare_total"], answer["change"]) == (100.0, 2424.0, 2324.0)
    assert answer["parts"] == {"new": 30.0, "removed": 0.0, "quantity": 20.0, "price": 24.0, "meter_swap": 0.0, "one_off": 2250.0}
    assert answer["other_currencies"] == ["USD"]
    by_resource = answer["by_resource"]
    assert isinstance(by_resource, list)
    assert [(r["resource_id"], r["meter"], r["part"], r["change"]) for r in by_resource] == [
        (None, "Reserved VM", "one_off", 2250.0),
        (DISK, "P10", "new", 30.0),
        (VM, "D2s v5", "price", 24.0),
        (VM, "D2s v5", "quantity", 20.0),
    ]
    dollars = run_json(capsys, str(path), "--base", "2026-09", "--compare", "2026-10", "--currency", "usd")
    assert (dollars["base_total"], dollars["compare_total"], dollars["parts"]["removed"]) == (55.55, 0.0, -55.55)  # type: ignore[index]


def test_explain_demo_totals_equal_the_rows_and_parts_add_up(capsys: pytest.CaptureFixture[str]) -> None:
    """The default comparison (Sep vs Oct 2026 on 26 Nov): totals from the demo rows in Decimal, parts adding up to the change."""
    answer = run_json(capsys, "--demo", "--metric", "amortized")
    rows = DemoSource().load(LoadRequest(as_of=AS_OF, metric=Metric.AMORTIZED)).normalized.filter(pl.col(Col.BILLING_CURRENCY) == "EUR")

    def total(first: date, last: date) -> float:
        costs = rows.filter(pl.col(Col.CHARGE_DATE).is_between(first, last)).get_column(Col.COST).to_list()
        return float(sum((Decimal(repr(c)) for c in costs), Decimal(0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    assert answer["base"] == {"from": "2026-09-01", "to": "2026-09-30"}
    assert answer["base_total"] == total(date(2026, 9, 1), date(2026, 9, 30))
    assert answer["compare_total"] == total(date(2026, 10, 1), date(2026, 10, 31))
    parts = answer["parts"]
    assert isinstance(parts, dict)
    assert sum(Decimal(str(v)) for v in parts.values()) == Decimal(str(answer["change"])) != 0
    assert parts["one_off"] == 0.0  # amortized: the reservation is spread over its term as usage


def test_explain_speaks_plainly_and_rejects_a_bad_period(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["explain", "--demo", "--as-of", AS_OF.isoformat(), "--month-to-date"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Cost ") and "1 Oct 2026 – 26 Oct 2026" in out and "One-off charges" in out
    assert cli.run(["explain", "--demo", "--as-of", AS_OF.isoformat(), "--base", "2026-13"]) == 2
    assert "is not a period: use YYYY-MM" in capsys.readouterr().err
