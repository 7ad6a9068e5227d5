"""``summarize --scope`` and ``download``: the command line's live-Azure part (parsing stays in ``lib.cli.main``)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from lib.azure.clients import Clients
from lib.azure.cost_details import CostDetailsRequest
from lib.azure.invoice_documents import invoice_document
from lib.azure.query import SECOND_DIMENSIONS
from lib.core import fmt
from lib.core.dataset import Dataset, LoadRequest, SourceError
from lib.core.i18n import _
from lib.core.models import Metric, Period
from lib.core.schema import TAG_PREFIX
from lib.sources.azure import AzureSource, Connection, connect


def _cli_progress(fraction: float, text: str) -> None:
    if sys.stderr.isatty():
        print(f"  {fraction:4.0%} {text}", file=sys.stderr)


def _cli_connection(args: argparse.Namespace) -> Connection:
    return connect(os.environ, cloud=getattr(args, "cloud", None), arm_endpoint=getattr(args, "arm_endpoint", None))


def load_for_cli(args: argparse.Namespace, *, as_of: date, metric: Metric) -> Dataset:
    """``summarize --scope``: query the scope and return the data set."""
    date_from, date_to = getattr(args, "date_from", None), getattr(args, "date_to", None)
    if (date_from is None) != (date_to is None):
        raise SourceError(_("give both --from and --to (or neither, for the last six billing periods and the current one)"))
    try:
        period = Period(date_from, date_to) if date_from and date_to else None
    except ValueError as error:
        raise SourceError(str(error)) from None
    group_by = os.environ.get("AZDASH_GROUP_BY", "ResourceGroupName") or None
    if group_by and group_by not in SECOND_DIMENSIONS and not group_by.startswith(TAG_PREFIX):
        raise SourceError(
            _("AZDASH_GROUP_BY={value}: use one of {dimensions} or tag:KEY").format(
                value=repr(group_by), dimensions=", ".join(SECOND_DIMENSIONS)
            )
        )
    source = AzureSource(_cli_connection(args), group_by=group_by)
    return source.load(LoadRequest(as_of=as_of, metric=metric, period=period, scope_id=args.scope), progress=_cli_progress)


def download_for_cli(args: argparse.Namespace) -> int:
    """``download``: write the raw cost details CSV and return the exit status."""
    if not args.scope:
        raise SourceError(_("--scope is required (e.g. /providers/Microsoft.Billing/billingAccounts/ID/billingProfiles/ID)"))
    period = None
    if args.date_from or args.date_to:
        if not (args.date_from and args.date_to):
            raise SourceError(_("give both --from and --to"))
        try:
            period = Period(args.date_from, args.date_to)
        except ValueError as error:
            raise SourceError(str(error)) from None
    request = CostDetailsRequest(args.scope, Metric(args.metric), args.billing_period, args.invoice_id, period)
    source = AzureSource(_cli_connection(args))
    result = source.cost_details(request, progress=_cli_progress)
    out = Path(args.output)
    try:
        out.write_bytes(result.data)
    except OSError as error:
        raise SourceError(_("cannot write {path}: {error}").format(path=out, error=error.strerror)) from None
    wrote = _("wrote {path}: {size} bytes from {parts} part(s) ({status})")
    print(wrote.format(path=out, size=fmt.count(len(result.data)), parts=result.blobs, status=result.status))
    return 0


def download_invoice_for_cli(args: argparse.Namespace, **client_kwargs: Any) -> int:
    """``download --invoice-id ID --pdf -o FILE``: write the invoice document and return the exit status."""
    if not args.invoice_id:
        raise SourceError(_("--pdf needs --invoice-id"))
    if not args.scope:
        raise SourceError(_("--scope is required: the billing account, billing profile or subscription of the invoice"))
    connection = _cli_connection(args)
    clients = Clients(connection.credential, connection.settings, **client_kwargs)
    document = invoice_document(clients, args.scope, args.invoice_id)
    out = Path(args.output)
    try:
        out.write_bytes(document.data)
    except OSError as error:
        raise SourceError(_("cannot write {path}: {error}").format(path=out, error=error.strerror)) from None
    print(_("wrote {path}: {size} bytes (invoice {invoice})").format(path=out, size=fmt.count(len(document.data)), invoice=args.invoice_id))
    return 0
