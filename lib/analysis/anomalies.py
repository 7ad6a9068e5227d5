"""Days whose cost is out of the ordinary, per value of any dimension: pure functions over the canonical frame.

Each series (one value of the chosen dimension, e.g. one service) is learned from its own history:
its expected cost on a day is its recent *level* times the *weekday factor* of that day (so a quiet
weekend is not a drop), and its spread is the typical relative deviation from that expectation
(a robust one: median absolute deviation). A day is flagged when it leaves the band
``expected ± threshold × spread`` by more than a material amount.

What is not usage never counts: only rows whose charge type is usage (or unused reservation /
savings plan, which recur daily) are read, so purchases, refunds, adjustments and taxes neither
raise a flag nor hide one. Flagged days are left out of the history the next days are compared with.

A lasting change is one anomaly: when a series stays beyond its band in the same direction for
``LASTING_DAYS`` days, the change is declared at its first day and the series is learned afresh from
there (a service that starts, stops, or moves to a new level). A change that reverts to the old level
within ``REVERT_DAYS`` is a temporary spike or drop, still one anomaly.

The last ``PROVISIONAL_DAYS`` days up to ``as_of`` are not settled (Azure's data arrive 8-24 hours
late): they are reported as provisional when out of range, never flagged.

The impact of an anomaly is its first day's cost minus the expected cost; its contributors
(resource and meter) share that expected cost in proportion to what each cost on the same weekdays
before, so their excesses add up to the impact exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from lib.analysis.aggregate import group_expression
from lib.core.schema import TAG_PREFIX, UNASSIGNED, Col

# Charge types that are usage; anything else with a charge type (Purchase, Refund, Adjustment, Tax,
# Credit...) is a one-off. Rows without a charge type (older formats) are all usage.
USAGE_CHARGE_TYPES: Final = ("usage", "unusedreservation", "unusedsavingsplan")

# Sensitivity: how many spreads a day must be from its expected cost. "normal" is tuned on the
# labelled synthetic set in bench/anomaly_set.py for few false alarms (docs/anomalies.md).
SENSITIVITIES: Final[dict[str, float]] = {"low": 6.0, "normal": 4.5, "high": 3.0}
DEFAULT_SENSITIVITY: Final = "normal"

PROVISIONAL_DAYS: Final = 2  # as_of and the day before
FIT_DAYS: Final = 14  # days of a series before it is expected anything (two of each weekday)
MIN_HISTORY_DAYS: Final = 28  # days of a series before its first day can be judged
SMALL_SAMPLE_FACTOR: Final = 1.5  # widens a spread measured on the days it was fitted to
LEVEL_DAYS: Final = 28  # the level and spread are learned from this many recent days
FACTOR_DAYS: Final = 56  # weekday factors from this many recent days
LASTING_DAYS: Final = 4  # a run this long is a lasting change
REVERT_DAYS: Final = 21  # a lasting change undone within this many days was temporary
REVERT_TOLERANCE: Final = 0.25  # "back to the old level": within this share of it
# Days beyond the band keep a run going when at least this share of the band away in the same direction
# (a weekend under a level shift may fall just inside it).
SOFT_SHARE: Final = 0.5
MIN_SPREAD: Final = 0.02  # relative spread never taken below this (a perfectly flat series is not infinitely sensitive)
MATERIAL_SHARE: Final = 0.005  # a flag's impact is at least this share of the median daily total
MATERIAL_MINIMUM: Final = 1.0  # and at least one unit of currency
TOP_CONTRIBUTORS: Final = 5
OTHER_CONTRIBUTORS: Final = "(other)"

# The command line's and the link's names for the dimensions; any ``tag:KEY`` too.
DIMENSIONS: Final[dict[str, Col]] = {
    "service": Col.SERVICE,
    "resource_group": Col.RESOURCE_GROUP,
    "subscription": Col.SUBSCRIPTION_NAME,
    "location": Col.LOCATION,
    "meter": Col.METER,
}


def dimension_name(group_by: str) -> str:
    """The plain name of a group-by choice (``service``, ``tag:env``...), as the JSON writes it."""
    for name, col in DIMENSIONS.items():
        if group_by == col:
            return name
    return group_by


def group_by_of(name: str) -> str:
    """The group-by choice a plain name stands for (``service`` → ``Service``; ``tag:KEY`` stays).

    Raises:
        ValueError: for a name that is neither a known dimension nor ``tag:KEY``.
    """
    if name in DIMENSIONS:
        return str(DIMENSIONS[name])
    if name.startswith(TAG_PREFIX) and len(name) > len(TAG_PREFIX):
        return name
    if name in {str(c) for c in DIMENSIONS.values()}:
        return name
    raise ValueError(f"unknown dimension {name!r}: use {', '.join(DIMENSIONS)} or tag:KEY")


def usage_rows(frame: pl.DataFrame) -> pl.Expr:
    """True for ``frame``'s rows that are usage (the only rows anomalies are looked for in).

    The charge types are read once from the column's distinct values, so the rows themselves are
    compared as categories, never as text.
    """
    present = frame.get_column(Col.CHARGE_TYPE).unique().cast(pl.String).drop_nulls().to_list()
    usage = [name for name in present if name.lower() in USAGE_CHARGE_TYPES]
    return pl.col(Col.CHARGE_TYPE).is_null() | pl.col(Col.CHARGE_TYPE).is_in(usage)


@dataclass(frozen=True)
class Contributor:
    """One resource and meter's share of an anomaly's first day."""

    resource: str
    meter: str
    cost: float
    expected: float

    @property
    def excess(self) -> float:
        """Its cost above (or below) its share of the expected cost."""
        return self.cost - self.expected

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "resource": self.resource,
            "meter": self.meter,
            "cost": round(self.cost, 2),
            "expected": round(self.expected, 2),
            "excess": round(self.excess, 2),
        }


@dataclass(frozen=True)
class Anomaly:
    """One out-of-the-ordinary change of one series, dated by its first day."""

    day: date
    dimension: str
    value: str
    kind: str  # spike, drop (temporary); increase, decrease, start, stop (lasting)
    cost: float
    expected: float
    expected_low: float
    expected_high: float
    last_day: date  # the last day of a temporary change; the last settled day for a lasting one
    total_impact: float  # cost minus the old expectation over day..last_day
    contributors: tuple[Contributor, ...] = ()

    @property
    def impact(self) -> float:
        """The first day's cost minus its expected cost."""
        return self.cost - self.expected

    @property
    def lasting(self) -> bool:
        """A change that stays (a new level, a start or a stop), not a spike or drop that went away."""
        return self.kind in {"increase", "decrease", "start", "stop"}

    @property
    def key(self) -> str:
        """A stable name for the anomaly ("mark as expected" and the link use it)."""
        return f"{self.dimension}|{self.value}|{self.day.isoformat()}"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "day": self.day.isoformat(),
            "dimension": self.dimension,
            "value": self.value,
            "kind": self.kind,
            "cost": round(self.cost, 2),
            "expected": round(self.expected, 2),
            "expected_low": round(self.expected_low, 2),
            "expected_high": round(self.expected_high, 2),
            "impact": round(self.impact, 2),
            "last_day": self.last_day.isoformat(),
            "total_impact": round(self.total_impact, 2),
            "contributors": [c.as_dict() for c in self.contributors],
        }


@dataclass(frozen=True)
class Provisional:
    """An unsettled day outside its expected range: shown, not flagged."""

    day: date
    dimension: str
    value: str
    cost: float
    expected: float
    expected_low: float
    expected_high: float

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "day": self.day.isoformat(),
            "dimension": self.dimension,
            "value": self.value,
            "cost": round(self.cost, 2),
            "expected": round(self.expected, 2),
            "expected_low": round(self.expected_low, 2),
            "expected_high": round(self.expected_high, 2),
        }


@dataclass(frozen=True)
class Findings:
    """Anomalies found in a frame, newest first, and the unsettled days out of range."""

    dimension: str
    sensitivity: str
    anomalies: tuple[Anomaly, ...]
    provisional: tuple[Provisional, ...]
    settled_until: date | None  # the last day that can be flagged
    material: float  # the smallest impact that is flagged
    series: int  # series looked at
    expected_keys: frozenset[str] = field(default_factory=frozenset)

    @property
    def open(self) -> tuple[Anomaly, ...]:
        """Anomalies not marked as expected."""
        return tuple(a for a in self.anomalies if a.key not in self.expected_keys)

    @property
    def marked(self) -> tuple[Anomaly, ...]:
        """Anomalies a user marked as expected."""
        return tuple(a for a in self.anomalies if a.key in self.expected_keys)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "dimension": self.dimension,
            "sensitivity": self.sensitivity,
            "settled_until": self.settled_until.isoformat() if self.settled_until else None,
            "material_impact": round(self.material, 2),
            "series": self.series,
            "anomalies": [a.as_dict() for a in self.open],
            "marked_expected": [a.as_dict() for a in self.marked],
            "provisional": [p.as_dict() for p in self.provisional],
        }


# --- one series ------------------------------------------------------------------------------------

FloatArray = npt.NDArray[np.float64]


@dataclass
class _Run:
    start: int
    sign: int
    length: int


@dataclass(frozen=True)
class _Change:
    """A change found in one series, by day index."""

    start: int
    end: int  # last day index of a temporary change, or -1 while lasting
    sign: int
    level_before: float
    level_after: float
    factors_before: tuple[float, ...]


@dataclass
class _Fit:
    """Per-day expectation and band of one series, and the changes found in it."""

    expected: FloatArray
    half_width: FloatArray
    changes: list[_Change]


def _median(values: FloatArray) -> float:
    """``np.median`` of a short array without its per-call overhead (the walk asks for thousands of small medians)."""
    return _median_sorting(values.copy())


def _median_sorting(values: FloatArray) -> float:
    """``_median`` of an array the caller no longer needs: sorted in place, no copy."""
    values.sort()
    middle = len(values) // 2
    return float(values[middle]) if len(values) % 2 else float((values[middle - 1] + values[middle]) / 2)


def _factors(values: FloatArray, weekdays: npt.NDArray[np.int64]) -> FloatArray | None:
    """Weekday factors (mean 1) from ``values``, or ``None`` when they cannot be told yet."""
    weeks = len(values) // 7
    if weeks < 2 or not np.count_nonzero(values):
        return None
    # The last whole weeks as rows of seven days: one median per column is one per weekday. (Called for every day of
    # every series walked: the array methods below skip numpy's Python-level wrappers, with the same results.)
    ordered = values[len(values) - 7 * weeks :].reshape(weeks, 7).copy()
    ordered.sort(axis=0)
    middle = weeks // 2
    medians = ordered[middle] if weeks % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    mean = float(np.add.reduce(medians)) / 7
    if mean <= 0:
        return None
    by_weekday = np.empty(7)
    by_weekday[weekdays[len(values) - 7 * weeks :][:7]] = medians / mean
    return by_weekday


def _level_and_spread(values: FloatArray, weekdays: npt.NDArray[np.int64], factors: FloatArray) -> tuple[float, float | None]:
    """The deseasonalized median level of ``values`` and their relative spread (``None`` for too few days)."""
    f = factors[weekdays]
    usable = f > 0
    count = np.count_nonzero(usable)
    if not count:
        return 0.0, None
    plain = values / f if count == len(f) else values[usable] / f[usable]
    level = _median(plain)
    if level <= 0 or len(plain) < 7:
        return max(level, 0.0), None
    return level, 1.4826 * _median_sorting(np.abs(plain / level - 1.0))


class _Walk:
    """One series walked day by day: expectation, band, and changes (runs of days beyond the band).

    The spread is that of the series' one-day-ahead errors (each day against the expectation made
    the day before), not of its fit to days already seen, which would be too narrow.
    """

    def __init__(self, costs: FloatArray, weekdays: npt.NDArray[np.int64], threshold: float, material: float) -> None:
        days = len(costs)
        self.costs, self.weekdays, self.threshold, self.material = costs, weekdays, threshold, material
        self.expected = np.full(days, np.nan)
        self.half_width = np.full(days, np.nan)
        self.errors = np.full(days, np.nan)  # relative one-day-ahead errors of days not flagged
        self.clean = costs.copy()  # history as the next days see it: flagged days replaced by their expectation
        self.changes: list[_Change] = []
        self.regime_start = 0
        self.carried_factors: FloatArray | None = None  # weekday factors learned before the last change
        self.carried_spread: float | None = None
        self.run: _Run | None = None
        self.run_level_before = 0.0
        self.run_factors = np.ones(7)

    def _days_needed(self) -> tuple[int, int]:
        """Days of the current regime before it is expected anything, and before it is judged."""
        if self.regime_start == 0:
            return FIT_DAYS, MIN_HISTORY_DAYS
        if self.carried_factors is not None:
            return LASTING_DAYS, LASTING_DAYS
        return FIT_DAYS, FIT_DAYS  # a series that started from nothing: its weekly rhythm is still unknown

    def _spread(self, lo: int, t: int, fitted_spread: float | None) -> float:
        recent = self.errors[lo:t]
        recent = recent[recent == recent]  # not NaN
        if len(recent) >= 7:
            return 1.4826 * _median_sorting(np.abs(recent))
        if self.carried_spread is not None:
            return self.carried_spread
        return SMALL_SAMPLE_FACTOR * (fitted_spread if fitted_spread is not None else 3 * MIN_SPREAD)

    def walk(self, judged_until: int) -> _Fit:
        """Expect, and judge the days up to ``judged_until``; the days after it are only expected."""
        for t in range(len(self.costs)):
            history = t - self.regime_start
            fit_from, judge_from = self._days_needed()
            if history < fit_from:
                continue
            lo = max(self.regime_start, t - FACTOR_DAYS)
            learned = _factors(self.clean[lo:t], self.weekdays[lo:t]) if history >= FIT_DAYS else None
            factors = learned if learned is not None else self.carried_factors if self.carried_factors is not None else np.ones(7)
            lo = max(self.regime_start, t - LEVEL_DAYS)
            level, fitted_spread = _level_and_spread(self.clean[lo:t], self.weekdays[lo:t], factors)
            spread = self._spread(lo, t, fitted_spread)
            e = level * float(factors[self.weekdays[t]])
            width = max(self.threshold * max(spread, MIN_SPREAD) * e, self.material)
            self.expected[t], self.half_width[t] = e, width
            if t <= judged_until:
                self._judge(t, history >= judge_from, level, factors, spread, learned is not None)
        if self.run is not None:
            self._close_run(judged_until)
        return _Fit(self.expected, self.half_width, _merge_reverted(self.changes))

    def _close_run(self, last: int) -> None:
        assert self.run is not None
        level = self.run_level_before
        self.changes.append(_Change(self.run.start, last, self.run.sign, level, level, tuple(self.run_factors)))
        self.run = None

    def _judge(self, t: int, judged: bool, level: float, factors: FloatArray, spread: float, learned: bool) -> None:
        e, width = self.expected[t], self.half_width[t]
        deviation = self.costs[t] - e
        sign = int(np.sign(deviation))
        run = self.run
        beyond = abs(deviation) > width
        continues = run is not None and sign == run.sign and abs(deviation) > SOFT_SHARE * width
        if not judged or not (beyond or continues):
            if e > 0:
                self.errors[t] = deviation / e
            if judged and run is not None:
                self._close_run(t - 1)
            return
        self.clean[t] = e
        if run is not None and sign == run.sign:
            run.length += 1
        else:
            if run is not None:
                self._close_run(t - 1)
            run = self.run = _Run(t, sign, 1)
            self.run_level_before, self.run_factors = level, factors
        if run.length >= LASTING_DAYS:
            self._new_regime(t, spread, learned)

    def _new_regime(self, t: int, spread: float, learned: bool) -> None:
        """The run up to ``t`` is a lasting change: learn the series afresh from its first day."""
        assert self.run is not None
        start, before = self.run.start, self.run_level_before
        window = self.costs[start : t + 1]
        f = self.run_factors[self.weekdays[start : t + 1]]
        level_after = _median(window[f > 0] / f[f > 0]) if (f > 0).any() else 0.0
        self.changes.append(_Change(start, -1, self.run.sign, before, max(level_after, 0.0), tuple(self.run_factors)))
        self.clean[start : t + 1] = window
        self.regime_start = start
        rhythm_known = before > 0 and (learned or self.carried_factors is not None)
        self.carried_factors = self.run_factors if rhythm_known else None
        self.carried_spread = spread if before > 0 else self.carried_spread
        self.run = None


def _fit_series(costs: FloatArray, weekdays: npt.NDArray[np.int64], threshold: float, material: float, judged_until: int) -> _Fit:
    """Expectation, band and changes of one series (see ``_Walk``)."""
    return _Walk(costs, weekdays, threshold, material).walk(judged_until)


def _merge_reverted(changes: list[_Change]) -> list[_Change]:
    """A lasting change followed soon by one back to the old level is one temporary change."""
    merged: list[_Change] = []
    for change in changes:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.end == -1
            and change.end == -1
            and change.sign == -previous.sign
            and change.start - previous.start <= REVERT_DAYS
            and abs(change.level_after - previous.level_before) <= REVERT_TOLERANCE * max(previous.level_before, 1e-9)
        ):
            merged[-1] = _Change(
                previous.start, change.start - 1, previous.sign, previous.level_before, previous.level_before, previous.factors_before
            )
            continue
        merged.append(change)
    return merged


def _kind(change: _Change) -> str:
    if change.end != -1:
        return "spike" if change.sign > 0 else "drop"
    if change.sign > 0:
        return "start" if change.level_before <= 0 else "increase"
    return "stop" if change.level_after <= REVERT_TOLERANCE * 0.2 * change.level_before else "decrease"


# --- the frame ------------------------------------------------------------------------------------


def material_impact(daily_totals: FloatArray) -> float:
    """The smallest impact worth a flag: a share of the median daily total, at least one unit."""
    if not len(daily_totals):
        return MATERIAL_MINIMUM
    return max(MATERIAL_MINIMUM, MATERIAL_SHARE * float(np.median(daily_totals)))


def find_anomalies(
    frame: pl.DataFrame,
    group_by: str,
    as_of: date,
    *,
    sensitivity: str = DEFAULT_SENSITIVITY,
    first_day: date | None = None,
    last_day: date | None = None,
    expected_keys: frozenset[str] = frozenset(),
) -> Findings:
    """Anomalies per value of ``group_by`` (a ``Col`` or ``tag:KEY``) in ``frame`` (canonical rows, one currency).

    The whole history in ``frame`` is learned from; only anomalies starting between ``first_day`` and
    ``last_day`` (both optional) are reported. ``expected_keys`` are anomalies a user marked as expected
    (``Anomaly.key``): still found, reported apart.

    Raises:
        ValueError: for an unknown sensitivity.
    """
    if sensitivity not in SENSITIVITIES:
        raise ValueError(f"unknown sensitivity {sensitivity!r}: use {', '.join(SENSITIVITIES)}")
    threshold = SENSITIVITIES[sensitivity]
    dimension = dimension_name(group_by)
    usage = frame.lazy().filter(usage_rows(frame) & pl.col(Col.CHARGE_DATE).is_not_null() & (pl.col(Col.CHARGE_DATE) <= as_of))
    # Grouped on the categories; only the small result is turned into text.
    daily = (
        usage.group_by(Col.CHARGE_DATE, group_expression(group_by))
        .agg(pl.col(Col.COST).sum().alias("cost"))
        .with_columns(pl.col("group").cast(pl.String).fill_null(UNASSIGNED))
        .group_by(Col.CHARGE_DATE, "group")
        .agg(pl.col("cost").sum())
        .collect()
    )
    if daily.is_empty():
        return Findings(dimension, sensitivity, (), (), None, MATERIAL_MINIMUM, 0, expected_keys)
    first: date = daily.get_column(Col.CHARGE_DATE).min()  # type: ignore[assignment]
    last: date = daily.get_column(Col.CHARGE_DATE).max()  # type: ignore[assignment]
    days = (last - first).days + 1
    settled_until = min(last, as_of - timedelta(days=PROVISIONAL_DAYS))
    judged_until = (settled_until - first).days  # may be negative: nothing settled
    index = (daily.get_column(Col.CHARGE_DATE) - first).dt.total_days().to_numpy()
    groups = daily.get_column("group").to_list()
    names = sorted(set(groups))
    position = {name: i for i, name in enumerate(names)}
    grid = np.zeros((len(names), days))
    rows_of = np.array([position[g] for g in groups], dtype=np.int64)
    np.add.at(grid, (rows_of, index.astype(np.int64)), daily.get_column("cost").to_numpy())
    weekdays = (np.arange(days) + first.weekday()) % 7
    totals = grid.sum(axis=0)
    material = material_impact(totals[: max(judged_until + 1, 0)] if judged_until >= 0 else totals)

    anomalies: list[Anomaly] = []
    provisional: list[Provisional] = []
    for name, costs in zip(names, grid, strict=True):
        if np.abs(costs).max() < material:
            continue  # no day of it can move by a material amount
        fit = _fit_series(costs, weekdays, threshold, material, judged_until)
        for change in fit.changes:
            day = first + timedelta(days=change.start)
            if (first_day and day < first_day) or (last_day and day > last_day):
                continue
            anomalies.append(_anomaly(name, dimension, first, costs, weekdays, fit, change, judged_until))
        for t in range(max(judged_until + 1, 0), days):
            e, width = fit.expected[t], fit.half_width[t]
            if not np.isnan(e) and abs(costs[t] - e) > width:
                day = first + timedelta(days=t)
                if (first_day is None or day >= first_day) and (last_day is None or day <= last_day):
                    provisional.append(Provisional(day, dimension, name, float(costs[t]), float(e), max(0.0, e - width), e + width))
    anomalies = _with_contributors(frame, group_by, anomalies, usage)
    anomalies.sort(key=lambda a: (a.day, -abs(a.impact)), reverse=True)
    return Findings(
        dimension,
        sensitivity,
        tuple(anomalies),
        tuple(provisional),
        settled_until if judged_until >= 0 else None,
        material,
        len(names),
        expected_keys,
    )


def _anomaly(
    name: str,
    dimension: str,
    first: date,
    costs: FloatArray,
    weekdays: npt.NDArray[np.int64],
    fit: _Fit,
    change: _Change,
    judged_until: int,
) -> Anomaly:
    start = change.start
    end = change.end if change.end != -1 else judged_until
    factors = np.array(change.factors_before)
    before = change.level_before * factors[weekdays[start : end + 1]]
    e, width = float(fit.expected[start]), float(fit.half_width[start])
    return Anomaly(
        day=first + timedelta(days=start),
        dimension=dimension,
        value=name,
        kind=_kind(change),
        cost=float(costs[start]),
        expected=e,
        expected_low=max(0.0, e - width),
        expected_high=e + width,
        last_day=first + timedelta(days=end),
        total_impact=float((costs[start : end + 1] - before).sum()),
    )


# --- contributors ------------------------------------------------------------------------------------


def _with_contributors(frame: pl.DataFrame, group_by: str, anomalies: list[Anomaly], usage: pl.LazyFrame) -> list[Anomaly]:
    """Each anomaly with the resources and meters behind its first day.

    The day's expected cost is shared out by what each resource and meter cost on the same weekday
    in the four weeks before (or by its cost that day when none cost anything then), so the
    excesses add up to the impact.
    """
    if not anomalies:
        return anomalies
    wanted = []
    for number, anomaly in enumerate(anomalies):
        wanted.append((number, anomaly.value, anomaly.day, "day"))
        wanted += [(number, anomaly.value, anomaly.day - timedelta(days=7 * w), "before") for w in range(1, 5)]
    pairs = pl.DataFrame(wanted, schema={"number": pl.Int64, "group": pl.String, Col.CHARGE_DATE: pl.Date, "role": pl.String}, orient="row")
    dates = pairs.get_column(Col.CHARGE_DATE).unique().to_list()
    rows = (
        usage.filter(pl.col(Col.CHARGE_DATE).is_in(dates))
        .group_by(Col.CHARGE_DATE, group_expression(group_by), pl.col(Col.RESOURCE_ID).alias("resource"), pl.col(Col.METER).alias("meter"))
        .agg(pl.col(Col.COST).sum().alias("cost"))
        .with_columns(pl.col("group").cast(pl.String).fill_null(UNASSIGNED), pl.col("resource", "meter").cast(pl.String).fill_null(""))
        .collect()
    )
    joined = pairs.join(rows, on=["group", Col.CHARGE_DATE], how="inner")
    per_item = joined.group_by("number", "resource", "meter").agg(
        pl.col("cost").filter(pl.col("role") == "day").sum().alias("day_cost"),
        (pl.col("cost").filter(pl.col("role") == "before").sum() / 4).alias("before_cost"),
    )
    result = []
    for number, anomaly in enumerate(anomalies):
        items = per_item.filter(pl.col("number") == number)
        result.append(_share_out(anomaly, items))
    return result


def _share_out(anomaly: Anomaly, items: pl.DataFrame) -> Anomaly:
    resources = items.get_column("resource").to_list()
    meters = items.get_column("meter").to_list()
    today = np.asarray(items.get_column("day_cost").to_numpy(), dtype=np.float64)
    before = np.asarray(items.get_column("before_cost").to_numpy(), dtype=np.float64)
    basis = before if before.sum() > 0 else today if today.sum() > 0 else np.ones(len(today))
    shares = basis / basis.sum() if len(basis) and basis.sum() > 0 else basis
    expected = anomaly.expected * shares
    contributors = [Contributor(r, m, float(c), float(x)) for r, m, c, x in zip(resources, meters, today, expected, strict=True)]
    # Largest excess in the anomaly's direction first; what the top ones leave is one "other" line.
    direction = 1.0 if anomaly.impact >= 0 else -1.0
    contributors.sort(key=lambda c: (-direction * c.excess, c.resource, c.meter))
    top, rest = contributors[:TOP_CONTRIBUTORS], contributors[TOP_CONTRIBUTORS:]
    if rest:
        top.append(Contributor(OTHER_CONTRIBUTORS, "", sum(c.cost for c in rest), sum(c.expected for c in rest)))
    if not top:  # nothing charged that day nor on the weekdays before: the whole expectation is unexplained
        top.append(Contributor(OTHER_CONTRIBUTORS, "", anomaly.cost, anomaly.expected))
    return replace(anomaly, contributors=tuple(top))
