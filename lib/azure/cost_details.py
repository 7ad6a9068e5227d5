"""The raw usage CSV from the Cost Details API (``generate_cost_details_report``), for EA and MCA scopes.

The report is a long-running operation: the POST answers 202 with a ``Location`` to poll, and the
final 200 lists one or more blobs (SAS URLs, never logged whole) that together make one CSV. The
poller reports success even when the body says ``Failed`` or ``NoDataFound``, so the body's
status is checked. One report covers at most one month.
"""

from __future__ import annotations

import calendar
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import requests

from lib.azure.errors import redact_url
from lib.azure.scopes import agreement_of, scope_kind
from lib.azure.wire import get_field as _get
from lib.core import fmt
from lib.core.dataset import ProgressCallback
from lib.core.i18n import _, ngettext
from lib.core.models import Agreement, Metric, Period, ScopeKind

UNSUPPORTED_KINDS = (ScopeKind.RESOURCE_GROUP, ScopeKind.MANAGEMENT_GROUP)
BLOB_TIMEOUT_S = (15.0, 300.0)  # connect, read


class CostDetailsError(Exception):
    """The report could not be made or downloaded; the message is for the user."""


@dataclass(frozen=True)
class CostDetailsRequest:
    """Exactly one of ``billing_period`` (EA, ``YYYYMM``), ``invoice_id`` (MCA) or ``period`` (at most one month)."""

    scope_id: str
    metric: Metric = Metric.ACTUAL
    billing_period: str | None = None
    invoice_id: str | None = None
    period: Period | None = None

    def body(self) -> dict[str, Any]:
        """Wire body of the report request."""
        body: dict[str, Any] = {"metric": "AmortizedCost" if self.metric is Metric.AMORTIZED else "ActualCost"}
        if self.billing_period:
            body["billingPeriod"] = self.billing_period
        elif self.invoice_id:
            body["invoiceId"] = self.invoice_id
        elif self.period:
            body["timePeriod"] = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        return body


@dataclass(frozen=True)
class CostDetailsFile:
    """The merged CSV and what it was made of."""

    data: bytes
    blobs: int
    status: str
    valid_till: str | None


def _one_month_later(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_request(request: CostDetailsRequest, agreement: Agreement = Agreement.UNKNOWN) -> str | None:
    """Why this report cannot be asked for (``None`` when it can); offer the query rows instead."""
    chosen = [x for x in (request.billing_period, request.invoice_id, request.period) if x]
    if len(chosen) != 1:
        return _("Choose exactly one of a billing period (EA), an invoice id (MCA) or a date range of at most one month.")
    kind = scope_kind(request.scope_id)
    if agreement is Agreement.UNKNOWN:
        agreement = agreement_of(request.scope_id)
    instead = " " + _("Use the dashboard's query-based rows (Usage download page) for this scope instead.")
    if kind in UNSUPPORTED_KINDS:
        # Azure's own name of the scope kind (resourceGroup, managementGroup), as the API writes it.
        unavailable = _("The Cost Details report is not available for {kind} scopes (only EA and MCA billing scopes and subscriptions).")
        return unavailable.format(kind=kind.value) + instead
    if agreement in (Agreement.MOSP,):
        return _("The Cost Details report is only available for Enterprise Agreement and Microsoft Customer Agreement scopes.") + instead
    if request.billing_period:
        text = request.billing_period
        if not (len(text) == 6 and text.isdigit() and 1 <= int(text[4:]) <= 12):
            return _("Billing period {value} must be YYYYMM.").format(value=repr(text))
        if agreement not in (Agreement.EA, Agreement.UNKNOWN):
            return _("A billing period can only be used for Enterprise Agreement scopes; use an invoice id or a date range.")
    if request.invoice_id and (kind is not ScopeKind.BILLING_PROFILE and "customers" not in request.scope_id.lower()):
        return _("An invoice id can only be used at an MCA billing profile (or customer) scope.")
    if request.period and request.period.end >= _one_month_later(request.period.start):
        return _("A Cost Details report covers at most one month: choose a shorter date range or one billing period.")
    return None


def merge_csv_parts(parts: list[bytes]) -> bytes:
    """Join CSV parts into one file: later parts lose their header line (and byte-order mark)."""
    merged = bytearray()
    header: bytes | None = None
    for part in parts:
        if not part:
            continue
        text = part
        if header is not None:
            body = text.removeprefix(b"\xef\xbb\xbf")
            first, _newline, rest = body.partition(b"\n")
            text = rest if first.rstrip(b"\r") == header else body
        else:
            header = text.removeprefix(b"\xef\xbb\xbf").partition(b"\n")[0].rstrip(b"\r")
        if merged and not merged.endswith(b"\n"):
            merged += b"\n"
        merged += text
    return bytes(merged)


def download_blobs(links: list[str], progress: ProgressCallback | None = None, session: requests.Session | None = None) -> list[bytes]:
    """GET every blob (SAS URLs: no token sent, never logged with their query string)."""
    http = session or requests.Session()
    parts = []
    for index, link in enumerate(links, start=1):
        if progress:
            text = _("downloading part {number} of {count} ({link})")
            progress(0.8 + 0.2 * (index - 1) / len(links), text.format(number=index, count=len(links), link=redact_url(link)))
        try:
            response = http.get(link, timeout=BLOB_TIMEOUT_S)
        except requests.RequestException as error:
            raise CostDetailsError(
                _(
                    "Could not download part {number} of {count} from {link} ({error}). "
                    "Check the network, HTTPS_PROXY/NO_PROXY and REQUESTS_CA_BUNDLE."
                ).format(number=index, count=len(links), link=redact_url(link), error=type(error).__name__)
            ) from None
        if response.status_code != 200:
            raise CostDetailsError(
                _(
                    "Downloading part {number} of {count} from {link} failed with HTTP {status} "
                    "(the link may have expired; generate the report again)."
                ).format(number=index, count=len(links), link=redact_url(link), status=response.status_code)
            )
        parts.append(response.content)
    return parts


def _finished(result: Any) -> tuple[str, list[str]]:
    """The status and blob links of a finished report; raises for any outcome without data."""
    if result is None:
        raise CostDetailsError(_("Azure reported no cost details for this request (empty answer)."))
    status = str(_get(result, "status") or "")
    if status.lower() == "nodatafound":
        raise CostDetailsError(_("Azure found no cost data for this scope and period (NoDataFound)."))
    if status.lower() != "completed":
        message = _get(result, "error", "message") or _("no reason given")
        failed = _("Azure could not prepare the report (status {status}): {message}")
        raise CostDetailsError(failed.format(status=status or _("unknown"), message=message))
    blobs = _get(result, "manifest", "blobs") or []
    links = [str(link) for link in (_get(b, "blobLink") for b in blobs) if link]
    if not links:
        raise CostDetailsError(_("The finished report lists no files to download."))
    if _get(result, "manifest", "compressData"):
        raise CostDetailsError(_("The report is compressed, which this dashboard does not read yet."))
    return status, links


def generate(
    client: Any,
    request: CostDetailsRequest,
    *,
    timeout_s: float,
    progress: ProgressCallback | None = None,
    messages: queue.Queue[str] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> CostDetailsFile:
    """Ask for the report, poll it with progress, check its own status and download every blob.

    ``messages`` carries throttling notes from the SDK's polling thread to the caller's thread.

    Raises:
        CostDetailsError: for NoDataFound, Failed, a timeout or a failed download.
        HttpResponseError: (and subclasses) as the SDK raises them for the request itself.
    """
    if progress:
        progress(0.0, _("asking Azure to prepare the cost details report"))
    poller = client.generate_cost_details_report.begin_create_operation(request.scope_id, request.body())
    started = clock()
    polls = 0
    while not poller.done():
        polls += 1
        elapsed = clock() - started
        if elapsed > timeout_s:
            raise CostDetailsError(
                _("Azure had not finished the report after {seconds} s; try again later.").format(seconds=f"{elapsed:.0f}")
            )
        while messages is not None and not messages.empty():
            if progress:
                progress(min(0.7, 0.05 + elapsed / timeout_s), messages.get_nowait())
        if progress:
            preparing = _("Azure is preparing the report ({status}, {seconds} s)")
            progress(min(0.7, 0.05 + elapsed / timeout_s), preparing.format(status=poller.status(), seconds=f"{elapsed:.0f}"))
        poller.wait(timeout=1.0)
    result = poller.result()
    status, links = _finished(result)
    parts = download_blobs(links, progress)
    if progress:
        ready = ngettext("report ready: {parts} part, {size} bytes", "report ready: {parts} parts, {size} bytes", len(parts))
        progress(1.0, ready.format(parts=len(parts), size=fmt.count(sum(len(p) for p in parts))))
    valid = _get(result, "validTill")
    return CostDetailsFile(merge_csv_parts(parts), len(parts), status, str(valid) if valid else None)
