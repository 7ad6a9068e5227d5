"""Command line: ``python -m lib.cli summarize --demo --json`` and friends.

Prints the same figures the dashboard shows; exits non-zero with a one-line message on failure.
Each source plugs in through its own module: files (``lib.sources.files``), conversions
(``lib.convert``) and live Azure (``lib.sources.azure``).
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
from lib.sources.base import Dataset, LoadRequest, SourceError
from lib.sources.demo import DemoSource
from lib.summary import summarize


def _add_azure_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scope", help="Cost Management scope id, e.g. /subscriptions/GUID")
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat, help="last day (YYYY-MM-DD)")
    parser.add_argument("--cloud", choices=["public", "usgovernment", "china"], help="Azure cloud (default: AZURE_CLOUD or public)")
    parser.add_argument("--arm-endpoint", help="explicit Azure Resource Manager endpoint (default: AZURE_ARM_ENDPOINT)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.cli", description="Azure usage and charges from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)

    summary = commands.add_parser("summarize", help="print totals for a data set")
    summary.add_argument("paths", nargs="*", help="usage files or folders (CSV, CSV.GZ, ZIP, Parquet); several are one data set")
    summary.add_argument("--demo", action="store_true", help="use the built-in demo data")
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    summary.add_argument("--as-of", type=date.fromisoformat, help="the day to treat as today (YYYY-MM-DD)")
    summary.add_argument("--metric", choices=[m.value for m in Metric], default=Metric.ACTUAL.value)
    summary.add_argument("--period", help="history, mtd, last30, YYYYMM or YYYY-MM-DD..YYYY-MM-DD")
    summary.add_argument(
        "--engine", choices=["local", "spark"], default="local", help="local: read the files here; spark: compute in a Spark Connect server"
    )
    summary.add_argument("--remote", help="Spark Connect address for --engine spark (default: SPARK_REMOTE or sc://127.0.0.1:15002)")
    _add_azure_options(summary)

    convert = commands.add_parser("convert", help="convert usage files to the newest native schema or FOCUS")
    convert.add_argument("paths", nargs="+", help="usage files or folders")
    convert.add_argument("--to", dest="target", choices=["v2", "focus"], required=True)
    convert.add_argument("-o", "--output", required=True, help="output CSV path")

    download = commands.add_parser("download", help="download the raw cost details CSV from Azure")
    _add_azure_options(download)
    download.add_argument("--billing-period", help="EA billing period YYYYMM")
    download.add_argument("--invoice-id", help="MCA invoice id")
    download.add_argument("--metric", choices=[m.value for m in Metric], default=Metric.ACTUAL.value)
    download.add_argument("-o", "--output", required=True, help="output CSV path")
    return parser


def _human(summary: dict[str, object]) -> str:
    """The summary for a person, in ``AZDASH_LANG`` (``en`` or ``nl``; English by default)."""
    from lib import fmt, i18n
    from lib.i18n import _, ngettext
    from lib.periods import add_months, billing_period, period_label

    with i18n.language(i18n.cli_language()):

        def day(value: object) -> str:
            return fmt.day(date.fromisoformat(str(value))) if value else "–"

        def last_closed(label: str) -> str:
            # The JSON's label is English; show the same period in the reader's language.
            period = billing_period(add_months(date.fromisoformat(str(summary["as_of"])), -1))
            return period_label(period) if period_label(period, "en") == label else label

        rows = int(str(summary["rows"]))
        first = ngettext(
            "{format} ({version}), {rows} row, {start} to {end}", "{format} ({version}), {rows} rows, {start} to {end}", rows
        ).format(
            format=_(str(summary["format"])),
            version=summary["schema_version"],
            rows=fmt.count(rows),
            start=day(summary["date_min"]),
            end=day(summary["date_max"]),
        )
        lines = [first]
        totals = summary["cost_by_currency"]
        assert isinstance(totals, dict)
        lines += ["  " + _("total {currency}: {amount}").format(currency=c, amount=fmt.money(v, c)) for c, v in totals.items()]
        headline = summary.get("headline")
        if isinstance(headline, dict):
            currency = str(headline["currency"])
            lines.append("  " + _("cost so far this period: {amount}").format(amount=fmt.money(headline["cost_so_far"], currency)))
            lines.append(
                "  "
                + _("estimate to period end: {amount} (an estimate; the invoice can differ)").format(
                    amount=fmt.money(headline["estimate_total"], currency)
                )
            )
            lines.append(
                "  "
                + _("last closed period {period}: {amount}").format(
                    period=last_closed(str(headline["last_closed_period"])), amount=fmt.money(headline["last_closed_amount"], currency)
                )
            )
        warnings = summary.get("warnings")
        if isinstance(warnings, list):
            lines += ["  " + _("warning: {text}").format(text=w) for w in warnings]
        return "\n".join(lines)


def _load(args: argparse.Namespace, as_of: date) -> Dataset:
    metric = Metric(args.metric)
    if args.scope:
        from lib.sources import azure

        return azure.load_for_cli(args, as_of=as_of, metric=metric)
    if args.engine == "spark":
        from lib.sources import lake

        if len(args.paths) != 1:
            raise SourceError("--engine spark reads one lake root: give one folder (or file) path")
        return lake.load_lake(args.paths[0], remote=args.remote, as_of=as_of, metric=metric)
    if args.paths and not args.demo:
        from lib.sources import files

        return files.load_paths(args.paths, as_of=as_of, metric=metric)
    return DemoSource().load(LoadRequest(as_of=as_of, metric=metric))


def _summarize(args: argparse.Namespace) -> int:
    as_of = args.as_of or today()
    dataset = _load(args, as_of)
    period = parse_period_key(args.period, as_of) if args.period else None
    if args.period and period is None:
        raise SourceError(f"unknown period {args.period!r}: use history, mtd, last30, YYYYMM or YYYY-MM-DD..YYYY-MM-DD")
    summary = summarize(dataset, period=period)
    print(json.dumps(summary, indent=2, ensure_ascii=False) if args.json else _human(summary))
    return 0


def _convert(args: argparse.Namespace) -> int:
    from lib import convert

    return convert.run_cli(args)


def _download(args: argparse.Namespace) -> int:
    from lib.sources import azure

    return azure.download_for_cli(args)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    from lib import i18n, redact

    redact.install_log_redaction()  # the Azure SDK logs request URLs; SAS signatures must not reach them
    args = _parser().parse_args(argv)
    handlers = {"summarize": _summarize, "convert": _convert, "download": _download}
    # Messages (errors, warnings) are worded while loading, so the whole run speaks the reader's
    # language; JSON output stays English, the same for every reader.
    with i18n.language(i18n.DEFAULT_LANGUAGE if getattr(args, "json", False) else i18n.cli_language()):
        try:
            return handlers[args.command](args)
        except SourceError as error:
            print(f"error: {redact.redact(str(error))}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(run())
