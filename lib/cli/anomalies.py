"""``python -m lib.cli anomalies``: days whose cost is out of its expected range, per value of a dimension."""

from __future__ import annotations

import argparse
import json

from lib.analysis import anomalies, views
from lib.analysis.aggregate import in_currency
from lib.analysis.anomalies import Findings
from lib.cli.load import load
from lib.core import fmt
from lib.core.clock import today
from lib.core.dataset import SourceError
from lib.core.i18n import _


def run(args: argparse.Namespace) -> int:
    """``python -m lib.cli anomalies``: print the anomalies of a data set and return the exit status."""
    as_of = args.as_of or today()
    try:
        group_by = anomalies.group_by_of(args.by)
    except ValueError as error:
        raise SourceError(str(error)) from None
    first_day, last_day = args.date_from, args.date_to
    # The report's days are not the load's: the detector learns from the history before them.
    dataset = load(argparse.Namespace(**{**vars(args), "date_from": None, "date_to": None}), as_of)
    currency = views.currency_of(dataset, views.View(currency=args.currency.upper() if args.currency else None))
    frame = in_currency(dataset.frame, currency)
    found = anomalies.find_anomalies(frame, group_by, as_of, sensitivity=args.sensitivity, first_day=first_day, last_day=last_day)
    result = {"as_of": as_of.isoformat(), "currency": currency, **found.as_dict()}
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else human(found, currency))
    return 0


def human(found: Findings, currency: str) -> str:
    """The anomalies for a person, in ``AZDASH_LANG``."""
    lines = [] if found.open else [_("No anomalies (sensitivity: {sensitivity}).").format(sensitivity=found.sensitivity)]
    for anomaly in found.open:
        lines.append(
            _("{day}  {value}: {cost} (expected {low} to {high}), impact {impact}").format(
                day=fmt.day(anomaly.day),
                value=anomaly.value,
                cost=fmt.money(anomaly.cost, currency),
                low=fmt.money(anomaly.expected_low, currency),
                high=fmt.money(anomaly.expected_high, currency),
                impact=fmt.money(anomaly.impact, currency),
            )
        )
    for day in found.provisional:
        lines.append(
            _("{day}  {value}: {cost}, provisional (data not settled yet)").format(
                day=fmt.day(day.day), value=day.value, cost=fmt.money(day.cost, currency)
            )
        )
    return "\n".join(lines)
