"""``python -m lib.cli convert``: usage files to the newest native schema or FOCUS, written to a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from lib.core import fmt
from lib.core.clock import today
from lib.core.dataset import SourceError
from lib.core.i18n import _, ngettext
from lib.core.models import Metric
from lib.ingest.dates import DateOrder
from lib.output import convert
from lib.sources.files import load_paths


def run(args: argparse.Namespace) -> int:
    """``python -m lib.cli convert``: write the conversion and return the exit status."""
    order = DateOrder(args.date_order) if getattr(args, "date_order", None) else None
    dataset = load_paths(args.paths, as_of=today(), metric=Metric(getattr(args, "metric", None) or Metric.ACTUAL), date_order=order)
    data = convert.to_csv(dataset, args.target)
    try:
        Path(args.output).write_bytes(data)
    except OSError as error:
        raise SourceError(_("{path}: cannot be written ({error})").format(path=args.output, error=error.strerror or error)) from None
    rows = dataset.frame.height
    layout = "FOCUS 1.2" if args.target == convert.FOCUS else _("version 2")
    wrote = ngettext("wrote {rows} row ({layout}) to {path}", "wrote {rows} rows ({layout}) to {path}", rows)
    print(wrote.format(rows=fmt.count(rows), layout=layout, path=args.output))
    return 0
