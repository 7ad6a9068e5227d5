"""Command line: ``python -m lib.cli summarize --demo --json`` and friends: parsing, dispatch and printing.

Prints the same figures the dashboard shows; exits non-zero with a one-line message on failure.
Conversions are in ``lib.cli.convert``; the live-Azure commands, in ``lib.cli.azure``, are imported
only when a command names a scope: the Azure SDK is large and a file or demo summary never uses it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date

from lib.access import redact
from lib.analysis import billing, views
from lib.analysis.summary import summarize
from lib.cli import anomalies, checks, convert, explain
from lib.cli.load import azure_commands, load
from lib.core import fmt, i18n
from lib.core.clock import today
from lib.core.dataset import SourceError
from lib.core.i18n import _, ngettext
from lib.core.models import Metric
from lib.core.periods import add_months, billing_period, parse_period_key, period_label


def _add_azure_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scope", help="Cost Management scope id, e.g. /subscriptions/GUID")
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat, help="last day (YYYY-MM-DD)")
    parser.add_argument("--cloud", choices=["public", "usgovernment", "china"], help="Azure cloud (default: AZURE_CLOUD or public)")
    parser.add_argument("--arm-endpoint", help="explicit Azure Resource Manager endpoint (default: AZURE_ARM_ENDPOINT)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.cli", description="Azure usage and charges from the command line.")
    parser.add_argument("--verbose", action="store_true", help="show library log messages (sign-in, requests) on stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    summary = commands.add_parser("summarize", help="print totals for a data set")
    summary.add_argument("paths", nargs="*", help="usage files or folders (CSV, CSV.GZ, ZIP, Parquet); several are one data set")
    summary.add_argument("--demo", action="store_true", help="use the built-in demo data")
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    summary.add_argument("--as-of", type=date.fromisoformat, help="the day to treat as today (YYYY-MM-DD)")
    summary.add_argument("--metric", choices=[m.value for m in Metric], default=Metric.ACTUAL.value)
    summary.add_argument("--period", help="history, mtd, last30, YYYYMM or YYYY-MM-DD..YYYY-MM-DD")
    summary.add_argument(
        "--date-order", choices=["dmy", "mdy"], help="day or month first, for files whose dates read both ways (e.g. 03/04/2026)"
    )
    summary.add_argument(
        "--engine", choices=["local", "spark"], default="local", help="local: read the files here; spark: compute in a Spark Connect server"
    )
    summary.add_argument("--remote", help="Spark Connect address for --engine spark (default: SPARK_REMOTE or sc://127.0.0.1:15002)")
    _add_azure_options(summary)

    anomalies = commands.add_parser("anomalies", help="days whose usage cost is out of the ordinary, per service or any dimension")
    anomalies.add_argument("paths", nargs="*", help="usage files or folders (CSV, CSV.GZ, ZIP, Parquet); several are one data set")
    anomalies.add_argument("--demo", action="store_true", help="use the built-in demo data")
    anomalies.add_argument("--json", action="store_true", help="print one JSON object")
    anomalies.add_argument("--as-of", type=date.fromisoformat, help="the day to treat as today (YYYY-MM-DD)")
    anomalies.add_argument("--metric", choices=[m.value for m in Metric], default=Metric.ACTUAL.value)
    anomalies.add_argument("--by", default="service", help="service, resource_group, subscription, location, meter or tag:KEY")
    anomalies.add_argument("--sensitivity", choices=["low", "normal", "high"], default="normal")
    anomalies.add_argument("--currency", help="the billing currency to look at (default: the one on most rows)")
    _add_azure_options(anomalies)  # --from/--to bound the days reported; the whole history is learned from

    convert = commands.add_parser("convert", help="convert usage files to the newest native schema or FOCUS")
    convert.add_argument("paths", nargs="+", help="usage files or folders")
    convert.add_argument("--to", dest="target", choices=["v2", "focus"], required=True)
    convert.add_argument("-o", "--output", required=True, help="output CSV path")
    convert.add_argument("--date-order", choices=["dmy", "mdy"], help="day or month first, for files whose dates read both ways")

    explain = commands.add_parser("explain", help="why cost changed between two periods, split into its causes to the cent")
    explain.add_argument("paths", nargs="*", help="usage files or folders (CSV, CSV.GZ, ZIP, Parquet); several are one data set")
    explain.add_argument("--demo", action="store_true", help="use the built-in demo data")
    explain.add_argument("--base", help="the period compared against: YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (default: see --compare)")
    explain.add_argument(
        "--compare",
        help=("the period explained: YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (default: the last closed billing period, against the one before)"),
    )
    explain.add_argument(
        "--month-to-date", action="store_true", help="default periods: month to date vs the same days of the previous period"
    )
    explain.add_argument("--currency", help="the billing currency to explain (default: the one on most rows)")
    explain.add_argument("--top", type=int, default=20, help="how many of the largest contributions to list (default 20)")
    explain.add_argument("--json", action="store_true", help="print one JSON object")
    explain.add_argument("--as-of", type=date.fromisoformat, help="the day to treat as today (YYYY-MM-DD)")
    explain.add_argument("--metric", choices=[m.value for m in Metric], default=Metric.ACTUAL.value)
    _add_azure_options(explain)

    history = commands.add_parser("billing-history", help="each billing period with its invoice, its usage and the difference")
    history.add_argument("paths", nargs="*", help="usage files or folders; several are one data set")
    history.add_argument("--demo", action="store_true", help="use the built-in demo data")
    history.add_argument("--json", action="store_true", help="print one JSON object")
    history.add_argument("--as-of", type=date.fromisoformat, help="the day to treat as today (YYYY-MM-DD)")
    history.add_argument("--metric", choices=[m.value for m in Metric], default=Metric.ACTUAL.value)
    _add_azure_options(history)

    download = commands.add_parser("download", help="download the raw cost details CSV (or an invoice PDF) from Azure")
    _add_azure_options(download)
    download.add_argument("--billing-period", help="EA billing period YYYYMM")
    download.add_argument("--invoice-id", help="MCA invoice id")
    download.add_argument("--pdf", action="store_true", help="the invoice document (PDF) of --invoice-id instead of its usage")
    download.add_argument("--metric", choices=[m.value for m in Metric], default=Metric.ACTUAL.value)
    download.add_argument("-o", "--output", required=True, help="output CSV path")
    return parser


def _human(summary: dict[str, object]) -> str:
    """The summary for a person, in ``AZDASH_LANG`` (``en`` or ``nl``; English by default)."""
    with i18n.language(i18n.cli_language()):

        def day(value: object) -> str:
            return fmt.day(date.fromisoformat(str(value))) if value else "–"

        def last_closed(label: str) -> str:
            # The JSON's label is English; show the same period in the reader's language (the period before
            # ``as_of``'s, or ``as_of``'s own when the data's last period has ended).
            as_of = date.fromisoformat(str(summary["as_of"]))
            for period in (billing_period(add_months(as_of, -1)), billing_period(as_of)):
                if period_label(period, "en") == label:
                    return period_label(period)
            return label

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
            if headline["estimate_total"] is not None:  # None: the data's last period has ended, nothing to estimate
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


def _summarize(args: argparse.Namespace) -> int:
    as_of = args.as_of or today()
    if args.period and parse_period_key(args.period, as_of) is None:
        raise SourceError(f"unknown period {args.period!r}: use history, mtd, last30, YYYYMM or YYYY-MM-DD..YYYY-MM-DD")
    dataset = load(args, as_of)
    # Files: history, mtd and last30 are the data's own (``views.period_choices_of``), as in the dashboard's picker.
    period = None
    if args.period:
        choices = views.period_choices_of(dataset, as_of)
        period = parse_period_key(args.period, dataset.as_of, choices)
        if period is None:  # "mtd" of a file whose last billing period has ended
            offered = ", ".join(c.key for c in choices)
            raise SourceError(f"period {args.period!r} is not offered for this data: use {offered} or YYYY-MM-DD..YYYY-MM-DD")
    summary = summarize(dataset, period=period)
    # How each file was read (encoding, separator, date order and why, rows kept, copies skipped); empty for other sources.
    summary["files"] = [report.as_dict() for report in dataset.file_reports]
    print(json.dumps(summary, indent=2, ensure_ascii=False) if args.json else _human(summary))
    return 0


def _explain(args: argparse.Namespace) -> int:
    return explain.run(args, args.as_of or today())


def _billing_history(args: argparse.Namespace) -> int:
    as_of = args.as_of or today()
    found = billing.history(load(args, as_of), as_of)
    print(json.dumps(found.as_json(), indent=2, ensure_ascii=False) if args.json else billing.human(found))
    return 0


def _download(args: argparse.Namespace) -> int:
    commands = azure_commands()
    result: int = commands.download_invoice_for_cli(args) if getattr(args, "pdf", False) else commands.download_for_cli(args)
    return result


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    redact.install_log_redaction()  # the Azure SDK logs request URLs; SAS signatures must not reach them
    args = _parser().parse_args(argv)
    checks.quiet_libraries(args.verbose)
    handlers = {
        "summarize": _summarize,
        "explain": _explain,
        "anomalies": anomalies.run,
        "convert": convert.run,
        "download": _download,
        "billing-history": _billing_history,
    }
    # Messages (errors, warnings) are worded while loading, so the whole run speaks the reader's
    # language; JSON output stays English, the same for every reader.
    with i18n.language(i18n.DEFAULT_LANGUAGE if getattr(args, "json", False) else i18n.cli_language()):
        try:
            checks.check(args)
            return handlers[args.command](args)
        except SourceError as error:
            print(f"error: {redact.redact(str(error))}", file=sys.stderr)
            return 2
