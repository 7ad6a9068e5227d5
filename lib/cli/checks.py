"""The command line's arguments checked before anything is read or anyone signs in, and its library logs kept quiet.

A wrong ``--scope`` or ``--billing-period`` is the user's typing: it gets one line naming the argument, not a
sign-in attempt and a page of azure-identity log. Library logs reach stderr only with ``--verbose``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import re
import sys

from lib.core.dataset import SourceError
from lib.core.i18n import _

_BILLING_PERIOD = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")


def check(args: argparse.Namespace) -> None:
    """Refuse arguments that cannot work together or are malformed, before loading anything.

    Raises:
        SourceError: one line naming the argument.
    """
    scope = getattr(args, "scope", None)
    paths = getattr(args, "paths", None) or []
    if scope is not None:
        # The Azure layer is imported only when a scope is named: it brings in the Azure SDK, which files never need.
        scopes = importlib.import_module("lib.azure.scopes")
        try:
            scopes.scope_kind(scope)
        except scopes.ScopeIdError as error:
            raise SourceError(_("--scope: {problem}").format(problem=error)) from None
        if paths and args.command == "summarize":
            raise SourceError(_("give usage files or --scope, not both"))
    if getattr(args, "date_order", None) and not paths:
        raise SourceError(_("--date-order applies to usage files: give one or more files"))
    date_from, date_to = getattr(args, "date_from", None), getattr(args, "date_to", None)
    if (date_from is None) != (date_to is None):
        raise SourceError(_("give both --from and --to (or neither)"))
    if date_from is not None and date_to is not None and date_from > date_to:
        raise SourceError(_("--from {start} is after --to {end}").format(start=date_from, end=date_to))
    period = getattr(args, "billing_period", None)
    if period is not None and not _BILLING_PERIOD.match(period):
        raise SourceError(_("--billing-period {value}: use YYYYMM, e.g. 202610").format(value=repr(period)))


def quiet_libraries(verbose: bool) -> None:
    """Library log records go nowhere unless ``verbose`` (then: warnings and up, to stderr)."""
    root = logging.getLogger()
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s: %(levelname)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        return
    # Python prints records of a logger without handlers to stderr (``logging.lastResort``); a handler that drops
    # them keeps the command's output to its one line.
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())
