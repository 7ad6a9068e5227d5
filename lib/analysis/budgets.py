"""Budgets defined in the dashboard: kept in a small JSON file, and where each stands in its period.

A budget is an amount per period (its time grain: a calendar month, quarter or year, as Azure's
``Monthly``, ``Quarterly`` and ``Annually`` budgets) in one currency, over the rows its filters
select (any dimension of ``lib.ui.state.DIMENSION_PARAMS``, by its link name: ``service``,
``resource_group``...). For each: the spend so far, the estimate to period end (the method the
overview uses, ``lib.analysis.backtest``), and the forecast breach date: the first day the accumulated cost
(actual, then estimated day by day) reaches the amount. Thresholds (50/80/100 %) are dated the same way.

The file is ``AZDASH_BUDGETS`` when set, else ``budgets.json`` in the cache folder; in a team
deployment each signed-in identity has its own file beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import polars as pl

from lib.analysis.backtest import METHODS, best_method
from lib.analysis.estimate import LOOKBACK_DAYS, ONE_OFF_CHARGE_TYPES
from lib.core.cache_dir import cache_dir
from lib.core.i18n import _
from lib.core.models import Period
from lib.core.periods import add_months, billing_period, month_end
from lib.core.schema import Col

THRESHOLDS: Final = (0.5, 0.8, 1.0)
TIME_GRAINS: Final = ("monthly", "quarterly", "annually")
FILE_VERSION: Final = 1
FILTER_COLUMNS: Final[dict[str, Col]] = {
    "service": Col.SERVICE,
    "resource_group": Col.RESOURCE_GROUP,
    "subscription": Col.SUBSCRIPTION_NAME,
    "location": Col.LOCATION,
    "meter": Col.METER,
    "charge_type": Col.CHARGE_TYPE,
}


class BudgetError(ValueError):
    """A budgets file or a budget that cannot be used, with a message for the reader."""


@dataclass(frozen=True)
class Budget:
    """An amount per period of its time grain (``TIME_GRAINS``) over the rows the filters select.

    ``start`` and ``end`` (Azure's ``timePeriod``): the budget evaluates no cost before ``start`` and
    is over after ``end``; dashboard-defined budgets have neither.
    """

    name: str
    amount: float
    currency: str
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    thresholds: tuple[float, ...] = THRESHOLDS
    time_grain: str = "monthly"
    start: date | None = None
    end: date | None = None

    def as_dict(self) -> dict[str, object]:
        """The budget as saved and exported."""
        saved: dict[str, object] = {
            "name": self.name,
            "amount": self.amount,
            "currency": self.currency,
            "time_grain": self.time_grain,
            "filters": {k: list(v) for k, v in self.filters.items()},
            "thresholds": list(self.thresholds),
        }
        if self.start is not None:
            saved["start"] = self.start.isoformat()
        if self.end is not None:
            saved["end"] = self.end.isoformat()
        return saved


def budget_from(data: object) -> Budget:
    """A budget from its saved form.

    Raises:
        BudgetError: when a field is missing or wrong.
    """
    if not isinstance(data, dict):
        raise BudgetError(_("a budget must be an object with name, amount and currency"))
    name, amount, currency = data.get("name"), data.get("amount"), data.get("currency")
    if not isinstance(name, str) or not name.strip():
        raise BudgetError(_("a budget needs a name"))
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
        raise BudgetError(_("budget {name}: the amount must be a positive number").format(name=repr(name)))
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise BudgetError(_("budget {name}: the currency must be a three-letter code such as EUR").format(name=repr(name)))
    grain = data.get("time_grain", "monthly")
    if grain not in TIME_GRAINS:
        raise BudgetError(_("budget {name}: the time grain must be one of {grains}").format(name=repr(name), grains=", ".join(TIME_GRAINS)))
    start, end = (_day_of(data.get(key), str(name)) for key in ("start", "end"))
    filters = data.get("filters") or {}
    if not isinstance(filters, dict) or any(k not in FILTER_COLUMNS for k in filters):
        raise BudgetError(_("budget {name}: filters may name {names}").format(name=repr(name), names=", ".join(FILTER_COLUMNS)))
    chosen = {k: tuple(str(v) for v in values) for k, values in filters.items() if isinstance(values, list) and values}
    thresholds = data.get("thresholds", list(THRESHOLDS))
    if not isinstance(thresholds, list) or not all(isinstance(t, int | float) and 0 < t <= 10 for t in thresholds):
        raise BudgetError(_("budget {name}: thresholds are fractions of the amount, such as 0.5, 0.8, 1.0").format(name=repr(name)))
    return Budget(
        name.strip(), float(amount), currency.upper(), chosen, tuple(sorted(float(t) for t in thresholds)), str(grain), start, end
    )


def _day_of(value: object, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise BudgetError(_("budget {name}: start and end are dates such as 2026-01-01").format(name=repr(name))) from None


def budgets_path(identity: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The budgets file: ``AZDASH_BUDGETS``, else ``budgets.json`` in the cache folder; one per identity when signed in."""
    env = os.environ if environ is None else environ
    given = env.get("AZDASH_BUDGETS")
    path = Path(given).expanduser() if given else cache_dir() / "budgets.json"
    if identity:
        # The identity is not written in the name: a digest keeps people's ids out of file listings.
        digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
        path = path.with_name(f"{path.stem}-{digest}{path.suffix or '.json'}")
    return path


def parse(text: str) -> list[Budget]:
    """Budgets from a file's text (``{"version": 1, "budgets": [...]}``).

    Raises:
        BudgetError: for text that is not such a file.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BudgetError(_("the budgets file is not valid JSON (line {line})").format(line=error.lineno)) from None
    if not isinstance(data, dict) or not isinstance(data.get("budgets"), list):
        raise BudgetError(_('the budgets file must hold {{"version": 1, "budgets": [...]}}').format())
    budgets = [budget_from(b) for b in data["budgets"]]
    names = [b.name for b in budgets]
    if len(set(names)) != len(names):
        raise BudgetError(_("two budgets have the same name"))
    return budgets


def dumps(budgets: Sequence[Budget]) -> str:
    """The file's text for ``budgets`` (also the export)."""
    return json.dumps({"version": FILE_VERSION, "budgets": [b.as_dict() for b in budgets]}, indent=2, ensure_ascii=False) + "\n"


def load(path: Path) -> list[Budget]:
    """The budgets saved at ``path`` (none when there is no file yet).

    Raises:
        BudgetError: for a file that cannot be read or understood (it is left as it is).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as error:
        raise BudgetError(_("the budgets file cannot be read ({reason})").format(reason=error.strerror)) from None
    return parse(text)


def save(path: Path, budgets: Sequence[Budget]) -> None:
    """Write ``budgets`` to ``path`` at once (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".budgets-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(dumps(budgets))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- where a budget stands ------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetStatus:
    """A budget in its open period: spend, estimate, and the days its thresholds are (or are forecast to be) reached."""

    budget: Budget
    period: Period
    spent: float
    estimate_total: float
    method: str
    threshold_days: dict[float, date | None]  # threshold -> first day reached (actual or forecast); None: not in this period

    @property
    def breach_day(self) -> date | None:
        """The first day the accumulated cost reaches the whole amount (actual or forecast)."""
        return self.threshold_days.get(1.0)

    @property
    def used(self) -> float:
        """Spend so far as a share of the amount."""
        return self.spent / self.budget.amount


def rows_of(frame: pl.DataFrame, budget: Budget) -> pl.DataFrame:
    """The rows a budget covers: its currency and filters."""
    condition = pl.col(Col.BILLING_CURRENCY) == budget.currency
    for name, values in budget.filters.items():
        condition &= pl.col(FILTER_COLUMNS[name]).cast(pl.String).is_in(list(values))
    return frame.filter(condition)


def grain_period(grain: str, day: date) -> Period:
    """The calendar month, quarter or year (``grain``) that holds ``day``."""
    if grain == "quarterly":
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return Period(first, month_end(add_months(first, 2)))
    if grain == "annually":
        return Period(date(day.year, 1, 1), date(day.year, 12, 31))
    return billing_period(day)


def budget_period(budget: Budget, as_of: date) -> Period | None:
    """The budget's open period on ``as_of``: its grain's period, from the budget's start at the earliest and to its end at
    the latest; ``None`` when the budget has not started or is over."""
    period = grain_period(budget.time_grain, as_of)
    start = max(period.start, budget.start) if budget.start else period.start
    end = min(period.end, budget.end) if budget.end else period.end
    if start > as_of or end < as_of:
        return None
    return Period(start, end)


def status(frame: pl.DataFrame, budget: Budget, as_of: date) -> BudgetStatus:
    """Where ``budget`` stands on ``as_of`` over ``frame`` (canonical rows, any currency).

    Raises:
        BudgetError: when the budget is not running on ``as_of`` (not started, or over).
    """
    rows = rows_of(frame, budget)
    period = budget_period(budget, as_of)
    if period is None:
        raise BudgetError(_("budget {name} is not running on {day}").format(name=repr(budget.name), day=as_of.isoformat()))
    method, _trials = best_method(rows, as_of)
    current = rows.filter(pl.col(Col.BILLING_PERIOD_START).is_between(period.start, period.end) | (pl.col(Col.CHARGE_DATE) < period.start))
    estimate = METHODS[method](current, period, as_of)
    last_day = estimate.last_data_day
    actual = rows.filter(pl.col(Col.CHARGE_DATE).is_between(period.start, last_day))
    per_day = dict(actual.group_by(Col.CHARGE_DATE).agg(pl.col(Col.COST).sum()).iter_rows())
    days = [period.start + timedelta(days=n) for n in range((period.end - period.start).days + 1)]
    forecast = forecast_days(rows, last_day, [d for d in days if d > last_day], estimate.estimated_rest)
    daily = [per_day.get(d, 0.0) if d <= last_day else forecast[d] for d in days]
    return BudgetStatus(
        budget, period, estimate.cost_so_far, estimate.total, estimate.method, crossing_days(days, daily, budget.amount, budget.thresholds)
    )


def forecast_days(rows: pl.DataFrame, last_day: date, remaining: Sequence[date], rest: float) -> dict[date, float]:
    """The estimated rest spread over the remaining days by the weekday rhythm of the last four weeks of usage."""
    if not remaining:
        return {}
    start = last_day - timedelta(days=LOOKBACK_DAYS - 1)
    usage = rows.filter(pl.col(Col.CHARGE_DATE).is_between(start, last_day) & ~pl.col(Col.CHARGE_TYPE).is_in(ONE_OFF_CHARGE_TYPES))
    by_day = dict(usage.group_by(Col.CHARGE_DATE).agg(pl.col(Col.COST).sum()).iter_rows())
    sums = [0.0] * 7
    counts = [0] * 7
    for n in range(LOOKBACK_DAYS):
        day = start + timedelta(days=n)
        sums[day.weekday()] += by_day.get(day, 0.0)
        counts[day.weekday()] += 1
    weights = [max(sums[d.weekday()] / counts[d.weekday()], 0.0) for d in remaining]
    total = sum(weights)
    if total <= 0:
        return {d: rest / len(remaining) for d in remaining}
    return {d: rest * w / total for d, w in zip(remaining, weights, strict=True)}


def crossing_days(days: Sequence[date], daily: Sequence[float], amount: float, thresholds: Sequence[float]) -> dict[float, date | None]:
    """For each threshold, the first day the running total of ``daily`` reaches ``threshold × amount``."""
    found: dict[float, date | None] = dict.fromkeys(thresholds)
    running = 0.0
    for day, cost in zip(days, daily, strict=True):
        running += cost
        for threshold in thresholds:
            if found[threshold] is None and running >= threshold * amount - 1e-9:
                found[threshold] = day
    return found
