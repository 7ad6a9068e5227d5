"""``python -m lib.cli explain``: why cost changed between two periods, as JSON or a short answer.

Reads the periods (``lib.analysis.changes.parse_period``), loads the data set the way ``summarize`` does (files,
demo, or live Azure through its own grouped query, ``lib.sources.azure_changes``) and prints.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import date

import polars as pl

from lib.analysis import changes, currencies
from lib.analysis.changes import Comparison, Default, PeriodError
from lib.analysis.filters import Filters
from lib.azure.clients import Clients
from lib.azure.errors import explain
from lib.azure.scopes import ScopeIdError, agreement_of, scope_from_id
from lib.cli.azure import _cli_connection
from lib.core import fmt
from lib.core.dataset import LoadRequest, SourceError
from lib.core.i18n import _
from lib.core.models import Metric, Period
from lib.sources import files
from lib.sources.azure_changes import query_frame
from lib.sources.demo import DemoSource


def periods(args: argparse.Namespace, as_of: date) -> tuple[Period, Period]:
    """(base, compared) from ``--base``/``--compare``, each defaulting to the chosen default comparison.

    Raises:
        SourceError: with the reason when a period cannot be read.
    """
    default = changes.default_periods(as_of, Default.MONTH_TO_DATE if args.month_to_date else Default.CLOSED)
    try:
        base = changes.parse_period(args.base, as_of) if args.base else default[0]
        compared = changes.parse_period(args.compare, as_of) if args.compare else default[1]
    except PeriodError as error:
        raise SourceError(str(error)) from None
    return base, compared


def _comparison(args: argparse.Namespace, as_of: date, base: Period, compared: Period) -> tuple[Comparison, list[str], list[str]]:
    """The comparison, the other currencies present, and warnings to print."""
    metric = Metric(args.metric)
    if args.scope:
        frame, notes = load_from_azure(args, as_of=as_of, metric=metric, periods=(base, compared))
        warnings = list(notes)
    else:
        if args.paths and not args.demo:
            dataset = files.load_paths(args.paths, as_of=as_of, metric=metric)
        else:
            dataset = DemoSource().load(LoadRequest(as_of=as_of, metric=metric))
        frame = dataset.normalized
        warnings = list(dataset.warnings)
    currency = args.currency.upper() if args.currency else currencies.main_currency(frame)
    if currency is None:
        raise SourceError(_("the data holds no rows to compare"))
    present = {str(c) for c in frame.get_column("BillingCurrency").drop_nulls().unique().to_list()}
    if args.currency and currency not in present:
        raise SourceError(
            _("the data holds no rows in {currency} (present: {present})").format(currency=currency, present=", ".join(sorted(present)))
        )
    others = changes.other_currencies(frame, (base, compared), currency)
    return changes.compare(frame, base, compared, currency), others, warnings


def human(comparison: Comparison, others: list[str], warnings: list[str]) -> str:
    """A short answer for a person: the summary sentences, then each part."""
    currency = comparison.currency
    lines = changes.summary(comparison)
    width = max(len(changes.part_label(p)) for p in changes.PARTS)
    for part, amount in comparison.parts.items():
        lines.append(f"  {changes.part_label(part):<{width}}  {changes.signed_money(amount, currency) or fmt.money(0, currency)}")
    if others:
        lines.append(_("Also charged in {currencies}: compared on their own, with --currency.").format(currencies=", ".join(others)))
    lines += [_("warning: {text}").format(text=w) for w in warnings]
    return "\n".join(lines)


def run(args: argparse.Namespace, as_of: date) -> int:
    """Run ``explain`` and print; errors are raised as ``SourceError`` for ``lib.cli`` to report."""
    base, compared = periods(args, as_of)
    comparison, others, warnings = _comparison(args, as_of, base, compared)
    if args.json:
        answer = comparison.as_dict(top=max(args.top, 0))
        answer["metric"] = args.metric
        answer["other_currencies"] = others
        answer["warnings"] = warnings
        print(json.dumps(answer, indent=2, ensure_ascii=False))
    else:
        print(human(comparison, others, warnings))
    return 0


def load_from_azure(
    args: argparse.Namespace, *, as_of: date, metric: Metric, periods: Sequence[Period], filters: Filters | None = None
) -> tuple[pl.DataFrame, list[str]]:
    """``explain --scope``: the rows of both periods from Azure, and notes for the reader.

    Raises:
        SourceError: with a plain-words message (missing role, unsupported offer, network...).
    """
    try:
        scope = scope_from_id(args.scope)
    except ScopeIdError as error:
        raise SourceError(str(error)) from None
    connection = _cli_connection(args)
    clients = Clients(connection.credential, connection.settings)
    try:
        with clients.cost() as client:
            return query_frame(client, scope.id, periods, metric, filters or Filters(), max_pages=connection.settings.max_pages)
    except SourceError:
        raise
    except Exception as error:  # every Azure failure becomes a sentence, never a traceback
        text = explain(error, scope_id=scope.id, agreement=agreement_of(scope.id), endpoint=clients.settings.arm_endpoint)
        raise SourceError(" ".join(text.split())) from None
