"""A labelled synthetic set for the anomaly detector: six months of daily cost per service, with known events.

Every series has a weekly rhythm (quieter weekends) and multiplicative noise; on top of it the generator
places spikes, drops, level shifts, services that start and stop, a new resource inside a running
service, and a pair of changes that cancel out in the total but not per service. Purchases and refunds
are added as their own charge types: they are not anomalies of usage and carry no label.

Only the benchmark (``bench/anomalies.py``) reads this set; the unit tests use small hand-worked frames
so they do not just fit it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from lib.core.schema import Col, conform

FIRST_DAY = date(2026, 3, 2)
DAYS = 184  # six months
SERVICES = (
    "Virtual Machines",
    "Storage",
    "SQL Database",
    "Azure App Service",
    "Bandwidth",
    "Azure Monitor",
    "Key Vault",
    "Azure Kubernetes Service",
    "Cosmos DB",
    "Log Analytics",
    "Azure Functions",
    "Container Registry",
)
NEW_SERVICES = ("Azure OpenAI", "Azure Synapse Analytics")  # series that start during the six months
RESOURCES_PER_SERVICE = 4
EARLIEST_EVENT = 35  # days of plain history before the first event
LATEST_EVENT = DAYS - 8  # a lasting change needs a few days to be told from a spike
SPACING = 30  # days between two events on one series


@dataclass(frozen=True)
class Label:
    """One event a detector should find: the series and its first day."""

    service: str
    day: date
    kind: str


@dataclass(frozen=True)
class OneOff:
    """A purchase or refund row: never an anomaly."""

    service: str
    day: date
    charge_type: str
    cost: float


@dataclass(frozen=True)
class LabelledSet:
    """The rows (canonical frame), the events in them, and the day to treat as today."""

    frame: pl.DataFrame
    labels: tuple[Label, ...]
    one_offs: tuple[OneOff, ...]
    as_of: date


def _day(index: int) -> date:
    return FIRST_DAY + timedelta(days=index)


class _Schedule:
    """Picks event days per series so that two events on one series are at least ``SPACING`` days apart."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.taken: dict[str, list[int]] = {}

    def pick(self, service: str, earliest: int = EARLIEST_EVENT, latest: int = LATEST_EVENT) -> int | None:
        for _ in range(200):
            day = int(self.rng.integers(earliest, latest + 1))
            if all(abs(day - other) >= SPACING for other in self.taken.get(service, [])):
                self.taken.setdefault(service, []).append(day)
                return day
        return None


def generate(seed: int = 7, rows_per_resource: int = 1) -> LabelledSet:
    """The labelled set; ``rows_per_resource`` splits each resource-day into that many meter rows (for timing)."""
    rng = np.random.default_rng(seed)
    weekdays = (np.arange(DAYS) + FIRST_DAY.weekday()) % 7
    series: dict[str, np.ndarray] = {}
    extra: list[tuple[str, int, float]] = []  # (service, day index, cost) burst rows of one resource
    for name in SERVICES + NEW_SERVICES:
        level = float(np.exp(rng.uniform(np.log(60), np.log(3000))))
        weekend = rng.uniform(0.45, 0.95)
        rhythm = np.where(weekdays >= 5, weekend, 1.0) * np.where(weekdays == 4, rng.uniform(0.9, 1.0), 1.0)
        noise = np.exp(rng.normal(0.0, rng.uniform(0.02, 0.06), DAYS))
        series[name] = level * rhythm * noise
    levels = {name: float(np.median(values)) for name, values in series.items()}
    labels: list[Label] = []
    schedule = _Schedule(rng)

    # Services that start: nothing before their first day.
    for name in NEW_SERVICES:
        start = schedule.pick(name, 60, LATEST_EVENT)
        assert start is not None
        series[name][:start] = 0.0
        labels.append(Label(name, _day(start), "start"))
    ordinary = list(SERVICES)
    # Services that stop for good.
    for name in rng.choice(ordinary[6:], size=2, replace=False):
        stop = schedule.pick(str(name), 90, LATEST_EVENT)
        assert stop is not None
        series[str(name)][stop:] = 0.0
        labels.append(Label(str(name), _day(stop), "stop"))
        schedule.taken[str(name)] += list(range(stop, DAYS, SPACING))  # nothing can happen after a stop
    # A pair that cancels in the total: one service up, another down by the same amount, from the same day.
    up, down = (str(n) for n in rng.choice(ordinary[:6], size=2, replace=False))
    day = schedule.pick(up)
    assert day is not None
    schedule.taken.setdefault(down, []).append(day)
    amount = 0.6 * min(levels[up], levels[down])
    rhythm_up = series[up][day:] / levels[up]
    series[up][day:] += amount * rhythm_up
    series[down][day:] = np.maximum(series[down][day:] - amount * series[down][day:] / levels[down], 0.0)
    labels += [Label(up, _day(day), "increase"), Label(down, _day(day), "decrease")]

    for kind, count in (("spike", 8), ("drop", 4), ("increase", 2), ("decrease", 2), ("new resource", 1)):
        placed = 0
        while placed < count:
            name = str(rng.choice(ordinary))
            day = schedule.pick(name)
            if day is None or series[name][day] == 0:
                continue
            labels.append(_place(kind, name, day, series[name], levels[name], extra, rng))
            placed += 1

    one_offs = []
    for charge_type, count, sign in (("Purchase", 6, 1.0), ("Refund", 3, -1.0)):
        for _ in range(count):
            name = str(rng.choice(ordinary))
            day = int(rng.integers(EARLIEST_EVENT, DAYS))
            one_offs.append(OneOff(name, _day(day), charge_type, sign * float(rng.uniform(5.0, 30.0)) * levels[name]))

    frame = _rows(series, extra, one_offs, rng, rows_per_resource)
    return LabelledSet(frame, tuple(sorted(labels, key=lambda x: (x.day, x.service))), tuple(one_offs), _day(DAYS - 1) + timedelta(days=2))


def _place(
    kind: str, name: str, day: int, values: np.ndarray, level: float, extra: list[tuple[str, int, float]], rng: np.random.Generator
) -> Label:
    """Put one event of ``kind`` into a series (``values`` in place, or burst rows into ``extra``)."""
    if kind == "spike":  # one resource bursts for a day or two
        for d in range(day, min(day + int(rng.integers(1, 3)), DAYS)):
            extra.append((name, d, float(rng.uniform(0.8, 3.0)) * level))
    elif kind == "drop":  # an outage of one to three days
        values[day : day + int(rng.integers(1, 4))] *= rng.uniform(0.0, 0.3)
    elif kind == "increase":
        values[day:] *= rng.uniform(1.4, 2.0)
    elif kind == "decrease":
        values[day:] *= rng.uniform(0.45, 0.7)
    else:  # a resource added to a running service: its series steps up
        extra.extend((name, d, 0.7 * values[d]) for d in range(day, DAYS))
        kind = "increase"
    return Label(name, _day(day), kind)


def _rows(
    series: dict[str, np.ndarray],
    extra: list[tuple[str, int, float]],
    one_offs: list[OneOff],
    rng: np.random.Generator,
    rows_per_resource: int,
) -> pl.DataFrame:
    """Canonical rows: each service-day split over its resources (fixed shares) and meters."""
    cells = pl.DataFrame(
        {
            "service": [name for name in series for _ in range(DAYS)],
            "index": [d for _ in series for d in range(DAYS)],
            "cost": np.concatenate(list(series.values())),
        }
    ).filter(pl.col("cost") > 0)
    items = []
    for name in series:
        shares = rng.dirichlet(np.ones(RESOURCES_PER_SERVICE))
        for r, share in enumerate(shares):
            for m in range(rows_per_resource):
                items.append((name, f"/subscriptions/s/resourceGroups/rg/providers/p/{name}-{r}", f"meter {m}", share / rows_per_resource))
    item_frame = pl.DataFrame(
        items, schema={"service": pl.String, "resource": pl.String, "meter": pl.String, "share": pl.Float64}, orient="row"
    )
    usage = cells.join(item_frame, on="service").select(
        "service", "index", "resource", "meter", (pl.col("cost") * pl.col("share")).alias("cost"), pl.lit("Usage").alias("charge_type")
    )
    bursts = pl.DataFrame(
        [(s, d, f"/subscriptions/s/resourceGroups/rg/providers/p/{s}-burst", "meter 0", c, "Usage") for s, d, c in extra],
        schema=usage.schema,
        orient="row",
    )
    charges = pl.DataFrame(
        [(o.service, (o.day - FIRST_DAY).days, f"/reservations/{o.service}", "Reservation", o.cost, o.charge_type) for o in one_offs],
        schema=usage.schema,
        orient="row",
    )
    rows = pl.concat([usage, bursts, charges])
    day = pl.lit(FIRST_DAY) + pl.duration(days=pl.col("index"))
    return conform(
        rows.select(
            day.alias(Col.CHARGE_DATE),
            day.dt.month_start().alias(Col.BILLING_PERIOD_START),
            pl.lit("EUR").alias(Col.BILLING_CURRENCY),
            pl.col("cost").alias(Col.COST),
            pl.col("service").alias(Col.SERVICE),
            pl.col("meter").alias(Col.METER),
            pl.lit("Contoso").alias(Col.SUBSCRIPTION_NAME),
            pl.lit("rg").alias(Col.RESOURCE_GROUP),
            pl.col("resource").alias(Col.RESOURCE_ID),
            pl.col("charge_type").alias(Col.CHARGE_TYPE),
        )
    )
