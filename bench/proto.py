"""Prototypes of the proposed lib changes for the recompute path, measured by monkeypatching (lib/ is not edited).

    python -m bench.proto --rows 1m

Each step is applied on top of the previous ones and timed on the same data set in the same process (median ms of
``views.overview`` + ``views.explore`` over every view change in ``bench.recompute.VIEW_CHANGES``). Before timing, each
step's results are checked against the unpatched lib for every view change (headline, bills, daily series, accumulated
cost, explore table, to the cent), so a faster step that changed a number would be reported as WRONG.

Steps (see the README's Performance section for the proposal each stands for):
  memo        per-data-set constants computed once: ranked() colours, currency_of(), data_period()
  once        overview computes billing_history / open_estimate once instead of 2x / 3x
  narrow      select() filters once, lazily, and keeps only the columns the pages aggregate (no copy of ResourceId, Tags...)
  agg-first   daily_cost / cost_by aggregate to (day, group) first and fold "top 9 + Other" on that small result
  categorical text dimensions held as pl.Categorical (cast once at load)
  tagset      tag lookups on the ~7k distinct tag sets (a TagSet index per row) instead of list.eval over every row
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from bench.common import OUT_DIR, as_of_of, rss_mb
from bench.generate import Spec, ensure, parse_rows
from bench.recompute import VIEW_CHANGES, recompute, standin_dataset, time_recompute
from lib import aggregate, filters, views
from lib.models import Period
from lib.schema import TAG_KEY, TAG_VALUE, Col
from lib.sources.base import Dataset

CATEGORICAL = (
    Col.SERVICE, Col.METER, Col.SUBSCRIPTION_ID, Col.SUBSCRIPTION_NAME, Col.RESOURCE_GROUP, Col.RESOURCE_ID, Col.LOCATION,
    Col.CHARGE_TYPE, Col.PRICING_MODEL, Col.UNIT, Col.BILLING_PROFILE, Col.INVOICE_SECTION, Col.BILLING_CURRENCY, Col.INVOICE_ID,
)  # fmt: skip
TAG_SET = "TagSet"
# What the overview and explore pages aggregate; everything else stays in the data set.
NEEDED = (
    Col.CHARGE_DATE, Col.BILLING_PERIOD_START, Col.INVOICE_ID, Col.BILLING_CURRENCY, Col.COST, Col.CHARGE_TYPE, Col.SOURCE_ROW,
)  # fmt: skip


@contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    """Temporarily replace ``target.name``."""
    original = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, original)


# ---------------------------------------------------------------------------------------------------- memo
_MEMO: dict[tuple[object, ...], object] = {}


def memoized(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Cache ``fn(dataset, *args)`` per data set object (the proposal: keep it in ``Dataset.extras``)."""

    def wrapper(dataset: Dataset, *args: Any) -> Any:
        key = (fn.__name__, id(dataset), *args)
        if key not in _MEMO:
            _MEMO[key] = fn(dataset, *args)
        return _MEMO[key]

    return wrapper


def step_memo(stack: ExitStack) -> None:
    currency_of = views.currency_of

    def currency_memo(dataset: Dataset, view: views.View) -> str:
        key = ("currency_of", id(dataset), view.currency)
        if key not in _MEMO:
            _MEMO[key] = currency_of(dataset, view)
        return str(_MEMO[key])

    stack.enter_context(patched(views, "ranked", memoized(views.ranked)))
    stack.enter_context(patched(views, "currency_of", currency_memo))
    stack.enter_context(patched(views, "data_period", memoized(views.data_period)))


# ---------------------------------------------------------------------------------------------------- once
def overview_once(dataset: Dataset, view: views.View, as_of: date | None = None) -> views.Overview:
    """views.overview with the billing history and the open estimate computed once."""
    as_of = as_of or dataset.as_of
    chosen = views.select(dataset, view)
    bills = aggregate.billing_history(chosen.history, as_of)
    current, last = bills[-1], bills[-2]
    head = aggregate.Headline(
        currency=chosen.currency,
        selected_total=float(chosen.rows.get_column(Col.COST).sum()),
        cost_so_far=current.cost_so_far,
        estimate_total=current.total,
        last_closed_label=last.label,
        last_closed_amount=last.total,
        last_closed_invoiced=last.status == "invoiced",
        change_vs_last=(current.total - last.total) / abs(last.total) if last.total else None,
    )
    daily = aggregate.daily_cost(chosen.rows, view.group_by, chosen.period)
    estimate = _LAST_ESTIMATE[0]
    accumulated, _ = accumulated_with(chosen.history, estimate)
    return views.Overview(chosen, head, daily, bills, accumulated, estimate, views.colour_map(views.ranked(dataset, view.group_by)))


_LAST_ESTIMATE: list[Any] = [None]


def accumulated_with(frame: pl.DataFrame, estimate: Any) -> tuple[pl.DataFrame, Any]:
    """aggregate.accumulated_cost, given the estimate already made."""
    with patched(aggregate, "open_estimate", lambda _frame, _as_of: estimate):
        return aggregate.accumulated_cost(frame, estimate.last_data_day)


def step_once(stack: ExitStack) -> None:
    original = aggregate.open_estimate

    def remember(frame: pl.DataFrame, as_of: date) -> Any:
        _LAST_ESTIMATE[0] = original(frame, as_of)
        return _LAST_ESTIMATE[0]

    stack.enter_context(patched(aggregate, "open_estimate", remember))
    stack.enter_context(patched(views, "overview", overview_once))


# ---------------------------------------------------------------------------------------------------- narrow
def group_columns(group_by: str) -> list[str]:
    """Columns the group-by key reads."""
    if group_by.startswith(aggregate.TAG_PREFIX):
        return [TAG_SET] if _TAGSET_ON[0] else [Col.TAGS]
    return [group_by]


def select_narrow(dataset: Dataset, view: views.View) -> views.Selection:
    """views.select with one lazy filter pass that keeps only the needed columns."""
    scope = views.scope_of(dataset, view)
    currency = views.currency_of(dataset, view)
    period = view.period or views.data_period(dataset)
    keep = [*NEEDED, *(c for c in group_columns(view.group_by) if c not in NEEDED)]
    condition = filters.scope_expression(scope) & filters.filter_expression(view.filters)
    filtered = dataset.normalized.lazy().filter(condition).select(keep).collect()
    in_period = filtered.filter(filters.period_expression(period))
    others = {c: v for c, v in aggregate.cost_by_currency(in_period).items() if c != currency}
    history = filtered if not others and len(dataset.currencies) == 1 else aggregate.in_currency(filtered, currency)
    return views.Selection(history, history.filter(filters.period_expression(period)), currency, period, scope, others)


def step_narrow(stack: ExitStack) -> None:
    stack.enter_context(patched(views, "select", select_narrow))


# ---------------------------------------------------------------------------------------------------- agg-first
def by_day_and_group(frame: pl.DataFrame, group_by: str) -> pl.DataFrame:
    """Cost per (day, group): the small table both charts and the table are folded from."""
    key = aggregate.group_expression(group_by)
    grouped = frame.lazy().group_by(pl.col(Col.CHARGE_DATE).alias("day"), key).agg(pl.col(Col.COST).sum().alias("cost")).collect()
    return grouped.with_columns(pl.col("group").cast(pl.String))


def cost_by_first(frame: pl.DataFrame, group_by: str) -> pl.DataFrame:
    """aggregate.cost_by, grouping once then casting the (small) result to text."""
    key = aggregate.group_expression(group_by)
    grouped = frame.lazy().group_by(key).agg(pl.col(Col.COST).sum().alias("cost")).collect().with_columns(pl.col("group").cast(pl.String))
    total = grouped.get_column("cost").sum()
    share = pl.col("cost") / total if total else pl.lit(0.0)
    return grouped.with_columns(share.alias("share")).sort(["cost", "group"], descending=[True, False])


def daily_cost_first(frame: pl.DataFrame, group_by: str, period: Period, top: int = aggregate.TOP_GROUPS) -> pl.DataFrame:
    """aggregate.daily_cost, aggregating to (day, group) before folding the tail into "Other"."""
    small = by_day_and_group(frame, group_by)
    totals = small.group_by("group").agg(pl.col("cost").sum()).sort(["cost", "group"], descending=[True, False])
    keep = totals.head(top).get_column("group").to_list()
    folded = pl.when(pl.col("group").is_in(keep)).then(pl.col("group")).otherwise(pl.lit(aggregate.OTHER)).alias("group")
    daily = small.group_by("day", folded).agg(pl.col("cost").sum())
    order = keep + ([aggregate.OTHER] if daily.filter(pl.col("group") == aggregate.OTHER).height else [])
    days = pl.DataFrame({"day": pl.date_range(period.start, period.end, "1d", eager=True)})
    grid = days.join(pl.DataFrame({"group": order}, schema={"group": pl.String}), how="cross")
    full = grid.join(daily, on=["day", "group"], how="left").with_columns(pl.col("cost").fill_null(0.0))
    rank = pl.col("group").replace_strict(order, list(range(len(order))), return_dtype=pl.Int64)
    return full.sort(["day", rank]).select("day", "group", "cost")


def step_agg_first(stack: ExitStack) -> None:
    stack.enter_context(patched(aggregate, "cost_by", cost_by_first))
    stack.enter_context(patched(aggregate, "daily_cost", daily_cost_first))


# ---------------------------------------------------------------------------------------------------- categorical
def _costs(dataset: Dataset) -> dict[str, float]:
    """One-off costs at load of the transforms applied so far."""
    costs = dataset.extras.get("load_cost", {})
    return dict(costs) if isinstance(costs, dict) else {}


def with_categoricals(dataset: Dataset) -> Dataset:
    """The data set with its text dimensions as pl.Categorical (the proposal: cast once in normalize/conform)."""
    started = time.perf_counter()
    frame = dataset.normalized.with_columns(pl.col(c).cast(pl.Categorical) for c in CATEGORICAL if c in dataset.normalized.columns)
    costs = {**_costs(dataset), "categorical": time.perf_counter() - started}
    return dataclasses.replace(dataset, normalized=frame, extras={**dataset.extras, "load_cost": costs})


# ---------------------------------------------------------------------------------------------------- tagset
_TAGSET_ON = [False]
_TAG_SETS: list[pl.DataFrame] = []
_TAG_VALUES: dict[str, pl.Series] = {}


def with_tag_sets(dataset: Dataset) -> Dataset:
    """Add a TagSet index per row into a table of the distinct tag sets (the proposal: built once in normalize)."""
    started = time.perf_counter()
    distinct = dataset.normalized.select(Col.TAGS).unique(maintain_order=True).with_row_index(TAG_SET)
    frame = dataset.normalized.join(distinct, on=Col.TAGS, how="left", maintain_order="left", nulls_equal=True)
    costs = {**_costs(dataset), "tagset": time.perf_counter() - started}
    return dataclasses.replace(dataset, normalized=frame, extras={**dataset.extras, "load_cost": costs, "tag_sets": distinct})


_ORIGINAL_TAG_VALUE = filters.tag_value


def tag_value_by_set(key: str) -> pl.Expr:
    """Each row's value of tag ``key``: looked up in the distinct tag sets, then gathered by TagSet index."""
    if key not in _TAG_VALUES:
        element = pl.element()
        found = pl.col(Col.TAGS).list.eval(element.filter(element.struct.field(TAG_KEY) == key).struct.field(TAG_VALUE)).list.first()
        _TAG_VALUES[key] = _TAG_SETS[0].select(found.alias("v")).get_column("v")
    return pl.lit(_TAG_VALUES[key]).gather(pl.col(TAG_SET))


def step_tagset(stack: ExitStack) -> None:
    _TAGSET_ON[0] = True
    stack.callback(lambda: _TAGSET_ON.__setitem__(0, False))
    stack.enter_context(patched(filters, "tag_value", tag_value_by_set))
    stack.enter_context(patched(aggregate, "tag_value", tag_value_by_set))


# ---------------------------------------------------------------------------------------------------- checking
def fingerprint(result: Any) -> dict[str, Any]:
    """The numbers a page shows, rounded to the cent, for comparing implementations."""
    overview, explore = result

    def frame_cents(frame: pl.DataFrame, value: str) -> list[tuple[Any, ...]]:
        text = frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns if c != value)
        return sorted(text.with_columns(pl.col(value).round(2)).iter_rows())

    return {
        "headline": overview.headline.as_dict(),
        "bills": [(b.label, b.status, b.invoice_ids, round(b.total, 2)) for b in overview.bills],
        "daily": frame_cents(overview.daily, "cost"),
        "accumulated": frame_cents(overview.accumulated, "cumulative"),
        "table": frame_cents(explore.table.drop("share"), "cost"),
        "explore_daily": frame_cents(explore.daily, "cost"),
        "rows": explore.selection.rows.height,
        "colours": overview.colours,
    }


STEPS: tuple[tuple[str, Callable[[ExitStack], None] | None, Callable[[Dataset], Dataset] | None], ...] = (
    ("memo", step_memo, None),
    ("once", step_once, None),
    ("narrow", step_narrow, None),
    ("agg-first", step_agg_first, None),
    ("categorical", None, with_categoricals),
    ("tagset", step_tagset, with_tag_sets),
)


@dataclass(frozen=True)
class Variant:
    """A set of steps switched on together, and the data set they run on."""

    label: str
    steps: tuple[str, ...]
    dataset: Dataset


def variants(dataset: Dataset, *, alone: bool) -> list[Variant]:
    """Baseline, each cumulative prefix of STEPS, and (optionally) each step alone."""
    transformed: dict[tuple[str, ...], Dataset] = {(): dataset}

    def data_for(steps: tuple[str, ...]) -> Dataset:
        wanted = tuple(name for name, _p, transform in STEPS if transform is not None and name in steps)
        if wanted not in transformed:
            current = dataset
            for name, _patch, transform in STEPS:
                if name in wanted and transform is not None:
                    current = transform(current)
            transformed[wanted] = current
        return transformed[wanted]

    names = [name for name, _p, _t in STEPS]
    result = [Variant("baseline (lib as is)", (), dataset)]
    result += [Variant("+ " + name, tuple(names[: i + 1]), data_for(tuple(names[: i + 1]))) for i, name in enumerate(names)]
    if alone:
        # Categorical alone breaks lib's daily_cost (a String grid joined to a Categorical "group"): it needs agg-first's
        # cast of the small results, so it is measured as that pair.
        singles = [(name,) for name in names if name != "categorical"] + [("agg-first", "categorical")]
        result += [Variant(" + ".join(steps) + " alone", steps, data_for(steps)) for steps in singles]
    return result


@contextmanager
def active(variant: Variant) -> Iterator[None]:
    """Switch the variant's patches on."""
    with ExitStack() as stack:
        for name, patch, _transform in STEPS:
            if name in variant.steps and patch is not None:
                patch(stack)
        if "tagset" in variant.steps:
            tag_sets = variant.dataset.extras["tag_sets"]
            assert isinstance(tag_sets, pl.DataFrame)
            _TAG_SETS[:] = [tag_sets]
            _TAG_VALUES.clear()
        yield


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.proto", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=parse_rows, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="round-robin rounds over every variant (default %(default)s)")
    parser.add_argument("--alone", action="store_true", help="also time each step on its own")
    args = parser.parse_args(argv)
    name = f"mca_{args.rows // 1_000_000}m.csv" if args.rows >= 1_000_000 else f"mca_{args.rows // 1000}k.csv"
    path = ensure(OUT_DIR / name, Spec(rows=args.rows), log=lambda t: print(t, file=sys.stderr))
    started = time.perf_counter()
    dataset = standin_dataset(Path(path), as_of_of(Path(path)))
    dataset = dataclasses.replace(dataset, raw=dataset.raw.clear())  # recompute never reads raw; keep RSS honest
    print(f"{args.rows:,} rows, STAND-IN frame (pl.read_csv(infer_schema=False) + lib.normalize), {time.perf_counter() - started:.1f} s")
    expected = {name: fingerprint(recompute(dataset, view)) for name, view in VIEW_CHANGES}
    all_variants = variants(dataset, alone=args.alone)
    for variant in all_variants:
        with active(variant):
            wrong = [n for n, view in VIEW_CHANGES if fingerprint(recompute(variant.dataset, view)) != expected[n]]
        one_off = ", ".join(f"{k} {v:.2f} s" for k, v in _costs(variant.dataset).items())
        status = f"WRONG for {wrong}" if wrong else "same figures as lib"
        size = variant.dataset.normalized.estimated_size() / 1e6
        print(f"  checked {variant.label:<26} {status}; frame {size:.0f} MB" + (f"; one-off at load: {one_off}" if one_off else ""))
    samples: dict[str, list[float]] = {v.label: [] for v in all_variants}
    per_round: dict[str, list[float]] = {v.label: [] for v in all_variants}
    for _ in range(args.rounds):
        for variant in all_variants:
            with active(variant):
                times = time_recompute(variant.dataset, rounds=1)
            samples[variant.label] += [v for values in times.values() for v in values]
            per_round[variant.label].append(sum(v for values in times.values() for v in values))
    base = per_round[all_variants[0].label]
    print(f"\n  {'variant':<28} {'median ms':>9} {'x faster':>9}  [{args.rounds} rounds, round-robin; x = paired ratio vs baseline]")
    for variant in all_variants:
        ratios = [b / v for b, v in zip(base, per_round[variant.label], strict=True)]
        print(f"  {variant.label:<28} {statistics.median(samples[variant.label]):9.1f} {statistics.median(ratios):9.1f}")
    print(f"  RSS now {rss_mb():.0f} MB (every variant's frame held at once)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
