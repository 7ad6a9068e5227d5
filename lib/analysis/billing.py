"""The billing history as Azure's portal shows it: the six closed billing periods and the open one,
each with its invoice, the usage the data holds for it, the difference and what explains it.

Pure functions over a ``Dataset`` and a list of ``Invoice`` values; the clock is ``as_of``. Where
invoices come from is the caller's business (``invoices_of``): the demo makes up invoices that
reconcile (``lib.sources.demo.demo_invoices``), live Azure lists them from the Billing API
(``Dataset.live.invoices``, see ``lib.azure.outlook``), and files have only the invoice ids
their rows carry (MCA ``invoiceId``; EA files have billing period columns and no invoice ids).

Every period's difference (invoiced minus usage) is split into reconciling items so that::

    invoiced = usage_total + tax + credits + rounding + billed_separately + outside_invoice + unexplained

``tax`` and ``credits`` come from the invoice (credits are negative), ``rounding`` is the part below a
cent of the rows on each invoice (invoices are in cents, usage rows are not), ``billed_separately`` are
purchase, refund and Marketplace rows whose invoice id is another invoice than the period's, and
``outside_invoice`` are rows of the period on no invoice at all (late charges, the open period).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

import polars as pl

from lib.analysis import frames
from lib.analysis.currencies import main_currency
from lib.core import fmt
from lib.core.dataset import Dataset, Invoice, LiveAnswer
from lib.core.i18n import N_, _
from lib.core.models import Metric, Period
from lib.core.periods import billing_period, billing_periods, is_final, period_label
from lib.core.schema import Col
from lib.sources.demo import demo_invoices

Status = Literal["invoiced", "closed", "open"]

CENT: Final = 0.01
# Charge types billed on their own invoice in some agreements (reservations, savings plans, Marketplace).
SEPARATE_CHARGE_TYPES: Final = ("Purchase", "Refund")
ITEM_KEYS: Final = ("tax", "credits", "rounding", "billed_separately", "outside_invoice", "unexplained")
ITEM_LABELS: Final = {
    "tax": N_("Tax on the invoice"),
    "credits": N_("Credits applied"),
    "rounding": N_("Rounding to the cent"),
    "billed_separately": N_("Marketplace and purchases billed separately"),
    "outside_invoice": N_("Rows outside the invoice"),
    "unexplained": N_("Unexplained"),
}
STATUS_LABELS: Final = {"invoiced": N_("invoiced"), "closed": N_("closed, not invoiced"), "open": N_("open (estimate)")}
NOTE_TEXTS: Final = {
    "amortized": N_(
        "Usage is amortized cost (reservations spread over their term); invoices are always actual cost, "
        "so the difference includes the amortization. Choose actual cost to reconcile with the invoices."
    ),
    "no_invoice_ids": N_("The rows carry no invoice ids: all of a closed period's rows are taken as invoiced."),
    "invoice_ids_only": N_(
        "The files hold the invoice ids of their rows but not the invoices' amounts (tax and credits are on the invoice "
        "itself): the usage column is what the data says was charged."
    ),
    "older_rows": N_("The data also holds rows older than the six closed periods shown; they are not in this table."),
}


@dataclass(frozen=True)
class BillingRow:
    """One billing period in one currency."""

    period: Period
    status: Status
    currency: str
    invoice_ids: tuple[str, ...]
    invoiced: float | None  # the invoices' total; None where the source has no invoice amounts
    usage_total: float  # every row of the period in the data
    rows: int
    final: bool  # False: an estimate (the open period, or a closed one whose charges may still move)
    items: dict[str, float] = field(default_factory=dict)  # reconciling items (ITEM_KEYS), only with an invoiced amount
    on_invoice: float = 0.0  # rows whose invoice id is one of the period's invoices
    outside_invoice: float = 0.0  # rows on no invoice (shown also where there is no invoiced amount)

    @property
    def difference(self) -> float | None:
        """Invoiced minus usage, where there is an invoiced amount."""
        return None if self.invoiced is None else self.invoiced - self.usage_total

    def as_json(self) -> dict[str, object]:
        """The row as the command line prints it (amounts rounded: invoices to the cent, usage like ``summarize``)."""
        difference = self.difference
        return {
            "period": f"{self.period.start:%Y-%m}",
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "status": self.status,
            "invoice_id": ", ".join(self.invoice_ids) or None,
            "invoiced": None if self.invoiced is None else _cents(self.invoiced),
            "usage_total": round(self.usage_total, 6),
            "difference": None if difference is None else _cents(difference),
            "currency": self.currency,
            "rows": self.rows,
            "final": self.final,
            "reconciling_items": {k: _cents(v) for k, v in self.items.items()} or None,
            "outside_invoice": _cents(self.outside_invoice),
        }


@dataclass(frozen=True)
class BillingHistory:
    """The rows, oldest first, and what every figure is."""

    rows: tuple[BillingRow, ...]
    metric: Metric
    cut_off: date | None  # the last charge day in the data
    as_of: date
    invoices_source: str  # "demo", "billing_api", "data" (invoice ids in the rows) or "none"
    has_invoice_ids: bool  # the rows carry invoice ids (files of MCA, the demo)
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        """What ``lib.cli billing-history --json`` prints."""
        return {
            "as_of": self.as_of.isoformat(),
            "metric": str(self.metric),
            "cut_off": self.cut_off.isoformat() if self.cut_off else None,
            "invoices_source": self.invoices_source,
            "periods": [r.as_json() for r in self.rows],
            "notes": list(self.notes),
        }


def _cents(value: float) -> float:
    rounded = round(value, 2)
    return 0.0 if rounded == 0 else rounded  # never "-0.0"


def history_periods(as_of: date) -> list[Period]:
    """The six closed billing periods and the open one, oldest first (the open one whole, not cut at ``as_of``)."""
    return billing_periods(as_of)


def invoices_from_live(live: LiveAnswer | None) -> list[Invoice]:
    """The Billing API invoices a live data set carries (``lib.azure.outlook`` shapes), as ``Invoice`` values."""
    result: list[Invoice] = []
    for item in live.invoices if live else ():
        if not isinstance(item, dict) or item.get("kind") != "invoice" or not item.get("invoice_id"):
            continue
        start, end = date.fromisoformat(str(item["period_start"])), date.fromisoformat(str(item["period_end"]))
        total = item.get("total", item.get("amount"))
        result.append(
            Invoice(
                invoice_id=str(item["invoice_id"]),
                period=Period(start, max(start, end)),
                currency=str(item.get("currency") or ""),
                total=float(str(total)),
                tax=float(str(item.get("tax") or 0.0)),
                credits=float(str(item.get("credits") or 0.0)),
                status=str(item["status"]) if item.get("status") else None,
                kind=str(item.get("invoice_type") or "AzureServices"),
                has_document=True,
            )
        )
    return result


def _period_of(invoice: Invoice, periods: Sequence[Period]) -> Period | None:
    """The billing period an invoice belongs to: the one holding its period's start (MCA periods may start mid-month)."""
    return next((p for p in periods if p.contains(invoice.period.start)), None)


def build(dataset: Dataset, invoices: Iterable[Invoice], as_of: date, *, invoices_source: str, today: date | None = None) -> BillingHistory:
    """The billing history of ``dataset`` on ``as_of`` with ``invoices`` (of the whole scope the data covers).

    When the data's last billing period has ended (``Dataset.last_period_open`` false), no period is open.
    ``today`` (default ``as_of``) decides which closed periods are final: a file's history is drawn on its last
    day, long before its last period's charges stopped moving.
    """
    periods = history_periods(as_of)
    current = periods[-1] if dataset.last_period_open else None
    frame = dataset.frame
    has_ids = bool(frame.height) and frame.get_column(Col.INVOICE_ID).drop_nulls().len() > 0
    by_period: dict[Period, list[Invoice]] = {}
    for invoice in invoices:
        found = _period_of(invoice, periods)
        if found is not None and found != current:
            by_period.setdefault(found, []).append(invoice)
    sums = _sums(frame, periods)
    currencies = sorted({c for (_p, c) in sums} | {i.currency for items in by_period.values() for i in items})
    main = main_currency(frame) or (currencies[0] if currencies else "")
    rows: list[BillingRow] = []
    today = today or as_of
    for period in periods:
        present = sorted({c for (p, c) in sums if p == period.start} | {i.currency for i in by_period.get(period, [])})
        for currency in present or [main]:
            chosen = [i for i in by_period.get(period, []) if i.currency == currency]
            rows.append(_row(period, currency, chosen, sums.get((period.start, currency)), today, current, has_ids, invoices_source))
    cut_off = frame.get_column(Col.CHARGE_DATE).max() if frame.height else None
    notes = _notes(dataset, has_ids, invoices_source, frame, periods)
    return BillingHistory(
        tuple(rows),
        dataset.metric,
        cut_off if isinstance(cut_off, date) else None,
        as_of,
        invoices_source,
        has_ids,
        tuple(notes),
    )


@dataclass(frozen=True)
class _Sums:
    """One period's rows in one currency: totals by invoice id (``None``: no id) and by whether they are billed separately."""

    total: float
    rows: int
    by_invoice: dict[str | None, float]
    separate_by_invoice: dict[str | None, float]


def _sums(frame: pl.DataFrame, periods: Sequence[Period]) -> dict[tuple[date, str], _Sums]:
    start, end = periods[0].start, periods[-1].end
    chosen = frame.filter(pl.col(Col.BILLING_PERIOD_START).is_between(start, end))
    period_start = pl.col(Col.BILLING_PERIOD_START).dt.month_start().alias("period")
    separate = pl.col(Col.CHARGE_TYPE).cast(pl.String).is_in(SEPARATE_CHARGE_TYPES).fill_null(False).alias("separate")
    grouped = (
        chosen.group_by(
            period_start, pl.col(Col.BILLING_CURRENCY).cast(pl.String).alias("currency"), pl.col(Col.INVOICE_ID).cast(pl.String), separate
        )
        .agg(pl.col(Col.COST).sum().alias("cost"), pl.len().alias("rows"))
        .sort("period", "currency", Col.INVOICE_ID, "separate", nulls_last=True)
    )
    result: dict[tuple[date, str], _Sums] = {}
    for period, currency, invoice_id, is_separate, cost, count in grouped.iter_rows():
        key = (period, str(currency or ""))
        found = result.get(key) or _Sums(0.0, 0, {}, {})
        by_invoice = dict(found.by_invoice)
        by_invoice[invoice_id] = by_invoice.get(invoice_id, 0.0) + cost
        separate_by = dict(found.separate_by_invoice)
        if is_separate:
            separate_by[invoice_id] = separate_by.get(invoice_id, 0.0) + cost
        result[key] = _Sums(found.total + cost, found.rows + int(count), by_invoice, separate_by)
    return result


def _row(
    period: Period,
    currency: str,
    invoices: list[Invoice],
    sums: _Sums | None,
    as_of: date,
    open_period: Period | None,
    has_ids: bool,
    invoices_source: str,
) -> BillingRow:
    sums = sums or _Sums(0.0, 0, {}, {})
    is_open = period == open_period
    listed = tuple(sorted({i.invoice_id for i in invoices}))
    data_ids = tuple(sorted(str(k) for k in sums.by_invoice if k is not None))
    if is_open:
        status: Status = "open"
    elif listed or (invoices_source == "data" and data_ids):
        status = "invoiced"
    else:
        status = "closed"
    ids = listed or (data_ids if not is_open else ())
    if has_ids:
        on_invoice_ids = set(listed or data_ids) if not is_open else set()
        on_invoice = sum(v for k, v in sums.by_invoice.items() if k in on_invoice_ids)
        elsewhere = {k: v for k, v in sums.by_invoice.items() if k is not None and k not in on_invoice_ids}
        separately = sum(sums.separate_by_invoice.get(k, 0.0) for k in elsewhere)
        outside = sums.total - on_invoice - separately
    else:
        # Rows without invoice ids (live query rows, EA files): a closed period's rows are taken as invoiced.
        on_invoice, separately, outside = (0.0, 0.0, sums.total) if is_open else (sums.total, 0.0, 0.0)
    invoiced = sum(i.total for i in invoices) if invoices else None
    items: dict[str, float] = {}
    if invoiced is not None:
        tax = sum(i.tax for i in invoices)
        credits = sum(i.credits for i in invoices)
        per_invoice = (
            [v for k, v in sums.by_invoice.items() if k in set(listed)] if has_ids else [on_invoice]
        )  # each invoice is rounded to the cent on its own
        rounding = sum(round(v, 2) - v for v in per_invoice)
        explained = tax + credits + rounding - separately - outside
        unexplained = invoiced - sums.total - explained
        items = {
            "tax": tax,
            "credits": credits,
            "rounding": rounding,
            "billed_separately": -separately,
            "outside_invoice": -outside,
            "unexplained": 0.0 if abs(unexplained) < CENT / 2 else unexplained,
        }
    return BillingRow(
        period=period,
        status=status,
        currency=currency,
        invoice_ids=ids,
        invoiced=invoiced,
        usage_total=sums.total,
        rows=sums.rows,
        final=not is_open and is_final(period, as_of),
        items=items,
        on_invoice=on_invoice,
        outside_invoice=outside,
    )


def _notes(dataset: Dataset, has_ids: bool, invoices_source: str, frame: pl.DataFrame, periods: Sequence[Period]) -> list[str]:
    """English notes (data); pages translate the known ones through ``NOTE_TEXTS``."""
    notes = []
    if dataset.metric is Metric.AMORTIZED:
        notes.append("amortized")
    if not has_ids and invoices_source != "none":
        notes.append("no_invoice_ids")
    if invoices_source == "data":
        notes.append("invoice_ids_only")
    if frame.height and frame.filter(pl.col(Col.BILLING_PERIOD_START) < periods[0].start).height:
        notes.append("older_rows")
    return notes


def invoices_of(dataset: Dataset) -> tuple[list[Invoice], str]:
    """The invoices a data set's source has, and where they come from (``BillingHistory.invoices_source``)."""
    if dataset.source == "demo":
        return demo_invoices(dataset), "demo"
    if dataset.source == "azure":
        found = invoices_from_live(dataset.live)
        return found, "billing_api" if found else "none"
    has_ids = dataset.frame.height and dataset.frame.get_column(Col.INVOICE_ID).drop_nulls().len() > 0
    return [], "data" if has_ids else "none"


def history_day(dataset: Dataset, as_of: date) -> date:
    """The day the history is drawn on: ``as_of``, or for files that end before its open period, their last charge day
    (a file read months later shows its own periods, not six empty ones)."""
    if dataset.source != "files" or not dataset.frame.height:
        return as_of
    last = dataset.frame.get_column(Col.CHARGE_DATE).max()
    return last if isinstance(last, date) and last < billing_period(as_of).start else as_of


def history(dataset: Dataset, as_of: date | None = None) -> BillingHistory:
    """The billing history of a data set with its source's invoices (files: on ``history_day``)."""
    invoices, source = invoices_of(dataset)
    day = as_of or dataset.as_of
    return build(dataset, invoices, history_day(dataset, day), invoices_source=source, today=day)


def period_dataset(dataset: Dataset, period: Period, currency: str | None = None) -> Dataset:
    """The data set narrowed to one billing period (and currency): what a row's downloads hold.

    The rows keep their ``SourceRow``, so conversions copy each raw row's own cells.
    """
    rows = frames.with_tags(dataset)  # every column, tag lists filled in: the narrowed set has no index of its own
    condition = pl.col(Col.BILLING_PERIOD_START).is_between(period.start, period.end)
    if currency:
        condition &= pl.col(Col.BILLING_CURRENCY).cast(pl.String) == currency
    narrowed = rows.filter(condition)
    return dataclasses.replace(dataset, frame=narrowed, later=None, tag_index=None)


def row_period_key(row: BillingRow) -> str:
    """``YYYYMM`` of a row: the EA billing period and the dashboard's period key."""
    return f"{row.period.start:%Y%m}"


def open_period(as_of: date) -> Period:
    """The billing period holding ``as_of``."""
    return billing_period(as_of)


def status_label(status: str) -> str:
    """A row's status in the reader's language."""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def figure_label(history: BillingHistory, row: BillingRow) -> str:
    """What a row's usage figure is: actual or amortized, estimate or final."""
    metric = _("actual cost") if history.metric is Metric.ACTUAL else _("amortized cost")
    return _("{metric}, final").format(metric=metric) if row.final else _("{metric}, estimate").format(metric=metric)


def human(history: BillingHistory) -> str:
    """The billing history for a person, one line per period (in the session's language)."""

    def money(value: float | None, currency: str) -> str:
        return "–" if value is None else fmt.money(value, currency)

    cut_off = fmt.day(history.cut_off) if history.cut_off else "–"
    lines = [_("Billing history on {day} (data up to {cut_off})").format(day=fmt.day(history.as_of), cut_off=cut_off)]
    for row in history.rows:
        line = _("{period}: {status}, invoice {invoice}, invoiced {invoiced}, usage {usage} ({figure}), difference {difference}")
        lines.append(
            "  "
            + line.format(
                period=period_label(row.period),
                status=status_label(row.status),
                invoice=", ".join(row.invoice_ids) or "–",
                invoiced=money(row.invoiced, row.currency),
                usage=money(row.usage_total, row.currency),
                figure=figure_label(history, row),
                difference=money(row.difference, row.currency),
            )
        )
        for key, value in row.items.items():
            if abs(value) >= CENT / 2:
                lines.append("    " + _("{item}: {amount}").format(item=_(ITEM_LABELS[key]), amount=fmt.money(value, row.currency)))
    lines += ["  " + _(NOTE_TEXTS[n]) for n in history.notes if n in NOTE_TEXTS]
    return "\n".join(lines)


def quota_sentence(summary: Mapping[str, object]) -> str:
    """One sentence on the Cost Management quota a live load used (``LiveAnswer.quota``), for the page."""
    remaining = summary.get("remaining")
    left = remaining.get("QueriesPerHour") if isinstance(remaining, dict) else None
    used = _("This load sent {requests} request(s) to Cost Management, using {qpu} query units of the tenant's quota.").format(
        requests=summary.get("requests", 0), qpu=f"{float(str(summary.get('qpu_consumed', 0))):g}"
    )
    cached = summary.get("periods_from_cache")
    if cached:
        used += " " + _("{count} closed period(s) came from the disk cache without asking Azure.").format(count=cached)
    if left is not None:
        used += " " + _("Azure reports {left} queries left this hour.").format(left=left)
    return used
