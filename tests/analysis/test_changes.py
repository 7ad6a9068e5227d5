"""The change between two periods split into its parts: small frames worked out by hand, and a property test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.analysis import changes
from lib.analysis.changes import Default, Part, PeriodError, allocate, compare, default_periods, parse_period
from lib.core.models import Period
from lib.core.schema import Col, conform

BASE = Period(date(2026, 9, 1), date(2026, 9, 30))
COMPARED = Period(date(2026, 10, 1), date(2026, 10, 31))
IN_BASE, IN_COMPARED = date(2026, 9, 10), date(2026, 10, 10)
VM = "/subscriptions/s/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm1"
DISK = "/subscriptions/s/resourceGroups/rg-app/providers/Microsoft.Compute/disks/disk1"


def row(
    day: date, cost: str, *, resource: str | None = VM, meter: str = "D2s v5", quantity: str | None = "1", **extra: Any
) -> dict[str, Any]:
    return {
        Col.CHARGE_DATE: day,
        Col.BILLING_CURRENCY: extra.get("currency", "EUR"),
        Col.COST: float(cost),
        Col.RESOURCE_ID: resource,
        Col.METER: meter,
        Col.QUANTITY: None if quantity is None else float(quantity),
        Col.CHARGE_TYPE: extra.get("charge_type", "Usage"),
        Col.RESOURCE_GROUP: extra.get("group", "rg-app"),
    }


def canonical(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return conform(pl.DataFrame(rows, schema_overrides={Col.RESOURCE_ID: pl.String, Col.QUANTITY: pl.Float64}))


def parts(result: changes.Comparison) -> dict[str, Decimal]:
    return {str(p): v for p, v in result.parts.items() if v}


def assert_adds_up(result: changes.Comparison) -> None:
    assert sum(result.parts.values()) == result.change == result.compare_total - result.base_total
    for part in changes.PARTS:
        assert int(result.drill_down(part).get_column("cents").sum()) == result.part_cents[part]


def test_price_rise_goes_to_price() -> None:
    """Same 10 hours at 10.00 then 12.00 an hour: +20.00, all price."""
    frame = canonical([row(IN_BASE, "100.00", quantity="10"), row(IN_COMPARED, "120.00", quantity="10")])
    result = compare(frame, BASE, COMPARED, "EUR")
    assert (result.base_total, result.compare_total, result.change) == (Decimal("100.00"), Decimal("120.00"), Decimal("20.00"))
    assert parts(result) == {"price": Decimal("20.00")}
    assert_adds_up(result)


def test_quantity_drop_goes_to_quantity() -> None:
    """10 hours then 5 at the same 10.00 an hour: −50.00, all quantity."""
    frame = canonical([row(IN_BASE, "60.00", quantity="6"), row(IN_BASE, "40.00", quantity="4"), row(IN_COMPARED, "50.00", quantity="5")])
    result = compare(frame, BASE, COMPARED, "EUR")
    assert parts(result) == {"quantity": Decimal("-50.00")}
    assert_adds_up(result)


def test_quantity_and_price_together() -> None:
    """10 h at 10.00 (100.00) → 12 h at 12.00 (144.00): quantity 2 × 10.00 = 20.00, price 2.00 × 12 = 24.00."""
    frame = canonical([row(IN_BASE, "100.00", quantity="10"), row(IN_COMPARED, "144.00", quantity="12")])
    result = compare(frame, BASE, COMPARED, "EUR")
    assert parts(result) == {"quantity": Decimal("20.00"), "price": Decimal("24.00")}
    assert_adds_up(result)


def test_new_and_removed_resources() -> None:
    """A disk only in the compared period is new (+30.00); a second VM only in the base period is removed (−40.00)."""
    other_vm = VM.replace("vm1", "vm2")
    frame = canonical(
        [
            row(IN_BASE, "100.00"),
            row(IN_COMPARED, "100.00"),
            row(IN_COMPARED, "30.00", resource=DISK, meter="P10 disk"),
            row(IN_BASE, "40.00", resource=other_vm, group="rg-old"),
        ]
    )
    result = compare(frame, BASE, COMPARED, "EUR")
    assert parts(result) == {"new": Decimal("30.00"), "removed": Decimal("-40.00")}
    new = result.drill_down(Part.NEW)
    assert new.select("resource_id", "meter", "change").rows() == [(DISK, "P10 disk", 30.0)]
    assert result.drill_down(Part.REMOVED).get_column("resource_group").to_list() == ["rg-old"]
    assert_adds_up(result)


def test_resize_is_a_meter_swap() -> None:
    """A VM resized from D2s (70.00) to D4s (140.00): +140.00 for the new meter, −70.00 for the old: +70.00."""
    frame = canonical([row(IN_BASE, "70.00", meter="D2s v5", quantity="700"), row(IN_COMPARED, "140.00", meter="D4s v5", quantity="700")])
    result = compare(frame, BASE, COMPARED, "EUR")
    assert parts(result) == {"meter_swap": Decimal("70.00")}
    swap = result.drill_down(Part.METER_SWAP)
    assert swap.select("meter", "change").rows() == [("D4s v5", 140.0), ("D2s v5", -70.0)]
    assert_adds_up(result)


def test_purchase_and_refund_are_one_off() -> None:
    """A reservation bought (2,250.00) in the compared period, and a refund (−80.00) in the base period: +2,330.00."""
    frame = canonical(
        [
            row(IN_BASE, "100.00"),
            row(IN_COMPARED, "100.00"),
            row(IN_COMPARED, "2250.00", resource=None, meter="Reservation D2s v5", charge_type="Purchase"),
            row(IN_BASE, "-80.00", resource=None, meter="Reservation D2s v5", charge_type="Refund"),
        ]
    )
    result = compare(frame, BASE, COMPARED, "EUR")
    assert result.base_total == Decimal("20.00")
    assert parts(result) == {"one_off": Decimal("2330.00")}
    kinds = dict(result.drill_down(Part.ONE_OFF).select("charge_type", "change").rows())
    assert kinds == {"Purchase": 2250.0, "Refund": 80.0}
    assert_adds_up(result)


def test_meter_with_zero_quantity_goes_to_price() -> None:
    """A meter with cost but no quantity in the base period (5.00) and 3 units costing 8.00 after: +3.00, all price."""
    frame = canonical([row(IN_BASE, "5.00", quantity="0"), row(IN_COMPARED, "8.00", quantity="3")])
    result = compare(frame, BASE, COMPARED, "EUR")
    assert parts(result) == {"price": Decimal("3.00")}
    assert_adds_up(result)


def test_rows_without_resource_id_are_keyed_by_meter() -> None:
    """Two meters without a resource id: one in both periods (price), one only in the compared period (new)."""
    frame = canonical(
        [
            row(IN_BASE, "10.00", resource=None, meter="Support", quantity="1"),
            row(IN_COMPARED, "12.00", resource=None, meter="Support", quantity="1"),
            row(IN_COMPARED, "7.00", resource=None, meter="DNS queries", quantity="7"),
        ]
    )
    result = compare(frame, BASE, COMPARED, "EUR")
    assert parts(result) == {"price": Decimal("2.00"), "new": Decimal("7.00")}
    assert result.drill_down(Part.NEW).get_column("resource").to_list() == [changes.NO_RESOURCE]


def test_resource_ids_differing_only_in_case_are_one_resource() -> None:
    """Azure sometimes changes a resource id's casing between months: still the same resource (price, not new + removed)."""
    frame = canonical([row(IN_BASE, "10.00", resource=VM.upper()), row(IN_COMPARED, "11.00", resource=VM)])
    assert parts(compare(frame, BASE, COMPARED, "EUR")) == {"price": Decimal("1.00")}


def test_two_currencies_are_kept_apart() -> None:
    """EUR and USD rows of the same resource are compared per currency, never added up."""
    frame = canonical(
        [
            row(IN_BASE, "100.00"),
            row(IN_COMPARED, "110.00"),
            row(IN_BASE, "50.00", currency="USD"),
            row(IN_COMPARED, "30.00", resource=DISK, currency="USD"),
        ]
    )
    euro = compare(frame, BASE, COMPARED, "EUR")
    assert (euro.base_total, euro.compare_total, parts(euro)) == (Decimal("100.00"), Decimal("110.00"), {"price": Decimal("10.00")})
    dollar = compare(frame, BASE, COMPARED, "USD")
    assert (dollar.base_total, dollar.compare_total) == (Decimal("50.00"), Decimal("30.00"))
    assert parts(dollar) == {"new": Decimal("30.00"), "removed": Decimal("-50.00")}
    assert changes.other_currencies(frame, (BASE, COMPARED), "EUR") == ["USD"]


def test_rounding_cents_go_where_the_remainders_are() -> None:
    """Three thirds of a cent each: exact parts round to 0.00 but the change is 0.01; the cent lands on one part."""
    frame = canonical(
        [
            row(IN_COMPARED, "0.003333", resource=DISK, meter="a"),
            row(IN_COMPARED, "0.003333", resource=None, meter="Purchase", charge_type="Purchase"),
            row(IN_COMPARED, "0.003334", resource=VM, meter="b"),
        ]
    )
    result = compare(frame, BASE, COMPARED, "EUR")
    assert result.change == Decimal("0.01")
    assert_adds_up(result)


def test_allocate_reaches_the_target_with_largest_remainders() -> None:
    """1.004, 2.006 and −0.003 (in micros) to 3.01: the 2.006 gets the extra cent."""
    micros = np.array([1_004_000, 2_006_000, -3_000], dtype=np.int64)
    assert allocate(micros, 301).tolist() == [100, 201, 0]
    assert allocate(micros, 300).tolist() == [100, 200, 0]
    assert int(allocate(micros, 299).sum()) == 299


def test_summary_in_english_and_dutch() -> None:
    frame = canonical(
        [
            row(IN_BASE, "100.00", quantity="10"),
            row(IN_COMPARED, "120.00", quantity="10"),
            row(IN_COMPARED, "2250.00", resource=None, meter="Reservation", charge_type="Purchase"),
            row(IN_COMPARED, "30.00", resource=DISK, meter="P10", group="rg-ml"),
        ]
    )
    result = compare(frame, BASE, COMPARED, "EUR")
    english = changes.summary(result, "en")
    assert english[0] == (
        "Cost rose €2,300.00 (+2,300.0%) from Sep 2026 to Oct 2026: +€2,250.00 from one-off charges (Purchase), "
        "+€30.00 from 1 new resource in rg-ml, +€20.00 from higher unit prices."
    )
    from lib.core import i18n

    with i18n.language("nl"):
        dutch = changes.summary(result)
    assert dutch[0].startswith("De kosten stegen")
    assert "€\xa02.250,00" in dutch[0] and "rg-ml" in dutch[0]


def test_parse_period() -> None:
    as_of = date(2026, 11, 26)
    assert parse_period("2026-10", as_of) == Period(date(2026, 10, 1), date(2026, 10, 31))
    assert parse_period("2026-11", as_of) == Period(date(2026, 11, 1), as_of)
    assert parse_period("2026-10-03..2026-10-09", as_of) == Period(date(2026, 10, 3), date(2026, 10, 9))
    for bad in ("202610", "2026-13", "2026-10-09..2026-10-03", "last month", "2026-12"):
        with pytest.raises(PeriodError):
            parse_period(bad, as_of)


def test_default_periods() -> None:
    assert default_periods(date(2026, 11, 26)) == (
        Period(date(2026, 9, 1), date(2026, 9, 30)),
        Period(date(2026, 10, 1), date(2026, 10, 31)),
    )
    assert default_periods(date(2026, 11, 26), Default.MONTH_TO_DATE) == (
        Period(date(2026, 10, 1), date(2026, 10, 26)),
        Period(date(2026, 11, 1), date(2026, 11, 26)),
    )
    # 31 March against the whole of February; 1 January against 1 December.
    assert default_periods(date(2027, 3, 31), Default.MONTH_TO_DATE)[0] == Period(date(2027, 2, 1), date(2027, 2, 28))
    assert default_periods(date(2027, 1, 1), Default.MONTH_TO_DATE)[0] == Period(date(2026, 12, 1), date(2026, 12, 1))


# --- property: the parts always add up to the change, to the cent ------------------------------------------

RESOURCES = [VM, DISK, None, VM.replace("vm1", "vm2")]
METERS = ["a", "b", "c"]
CHARGE_TYPES = ["Usage", "Usage", "Usage", "Purchase", "Refund", "UnusedReservation", None]


@st.composite
def usage_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 40))
    rows = []
    for _ in range(count):
        cost = draw(st.integers(-(10**9), 10**9))  # in 1/10,000ths: four decimals, some negative
        quantity = draw(st.one_of(st.none(), st.integers(0, 10**6)))
        rows.append(
            {
                **row(
                    draw(st.sampled_from([IN_BASE, IN_COMPARED, date(2026, 9, 30), date(2026, 10, 1), date(2026, 11, 2)])),
                    str(Decimal(cost).scaleb(-4)),
                    resource=draw(st.sampled_from(RESOURCES)),
                    meter=draw(st.sampled_from(METERS)),
                    quantity=None if quantity is None else str(Decimal(quantity).scaleb(-2)),
                    currency=draw(st.sampled_from(["EUR", "EUR", "USD"])),
                ),
                Col.CHARGE_TYPE: draw(st.sampled_from(CHARGE_TYPES)),
            }
        )
    return rows


def exact_total(rows: list[dict[str, Any]], period: Period, currency: str) -> Decimal:
    """The period's total from each row's cost as written (Decimal), rounded to the cent, halves away from zero."""
    total = sum(
        (Decimal(repr(r[Col.COST])) for r in rows if period.contains(r[Col.CHARGE_DATE]) and r[Col.BILLING_CURRENCY] == currency),
        Decimal(0),
    )
    return total.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


@settings(max_examples=150, deadline=None)
@given(usage_rows())
def test_parts_add_up_to_the_change_to_the_cent(rows: list[dict[str, Any]]) -> None:
    """For random frames, the parts add up to the change and the totals equal the rows' own Decimal sums."""
    frame = canonical(rows) if rows else conform(pl.DataFrame())
    for currency in ("EUR", "USD"):
        result = compare(frame, BASE, COMPARED, currency)
        assert result.base_total == exact_total(rows, BASE, currency)
        assert result.compare_total == exact_total(rows, COMPARED, currency)
        assert_adds_up(result)
        assert sum(Decimal(str(v)) for v in result.as_dict()["parts"].values()) == Decimal(str(result.as_dict()["change"]))  # type: ignore[attr-defined]
