"""Command line: ``python -m lib.cli summarize --demo --json`` and friends.

Prints the same figures the dashboard shows; exits non-zero with a one-line message on failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date

from lib.clock import today
from lib.models import Metric
from lib.periods import parse_period_key
from lib.sources.base import LoadRequest, SourceError
from lib.sources.demo import DemoSource
from lib.summary import summarize


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.cli", description="Azure usage and charges from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summarize", help="print totals for a data set")
    summary.add_argument("paths", nargs="*", help="usage files (CSV, CSV.GZ, ZIP, Parquet)")
    summary.add_argument("--demo", action="store_true", help="use the built-in demo data")
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    summary.add_argument("--as-of", type=date.fromisoformat, help="the day to treat as today (YYYY-MM-DD)")
    summary.add_argument("--metric", choices=[m.value for m in Metric], default=Metric.ACTUAL.value)
    summary.add_argument("--period", help="history, mtd, last30, YYYYMM or YYYY-MM-DD..YYYY-MM-DD")
    return parser


def _human(summary: dict[str, object]) -> str:
    lines = [
        f"{summary['format']} ({summary['schema_version']}), {summary['rows']} rows, {summary['date_min']} to {summary['date_max']}",
    ]
    totals = summary["cost_by_currency"]
    assert isinstance(totals, dict)
    lines += [f"  total {currency}: {cost:,.2f}" for currency, cost in totals.items()]
    headline = summary.get("headline")
    if isinstance(headline, dict):
        lines.append(f"  cost so far this period: {headline['cost_so_far']:,.2f} {headline['currency']}")
        lines.append(
            f"  estimate to period end: {headline['estimate_total']:,.2f} {headline['currency']} (an estimate; the invoice can differ)"
        )
        lines.append(f"  last closed period {headline['last_closed_period']}: {headline['last_closed_amount']:,.2f} {headline['currency']}")
    warnings = summary.get("warnings")
    if isinstance(warnings, list):
        lines += [f"  warning: {w}" for w in warnings]
    return "\n".join(lines)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    args = _parser().parse_args(argv)
    as_of = args.as_of or today()
    try:
        if args.demo or not args.paths:
            dataset = DemoSource().load(LoadRequest(as_of=as_of, metric=Metric(args.metric)))
        else:
            raise SourceError("reading files is not available yet; use --demo")
        period = parse_period_key(args.period, as_of) if args.period else None
        if args.period and period is None:
            raise SourceError(f"unknown period {args.period!r}: use history, mtd, last30, YYYYMM or YYYY-MM-DD..YYYY-MM-DD")
        summary = summarize(dataset, period=period)
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=2, ensure_ascii=False) if args.json else _human(summary))
    return 0


if __name__ == "__main__":
    sys.exit(run())
