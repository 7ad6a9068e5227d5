"""An invoice's own document (the PDF) through the Billing API's invoice download.

The download is a long-running operation: the POST answers 202 with a ``Location`` to poll, and the
final 200 holds a short-lived ``url`` to the document (a SAS link). That link is fetched without
the Azure token (the signature is the permission; a bearer token must never travel to a storage
host) and it is never written down whole: messages show it without its query string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import requests

from lib.azure.clients import Clients
from lib.azure.errors import explain, redact_url
from lib.azure.scopes import ScopeIdError, normalize_scope, segment_value
from lib.azure.wire import get_field
from lib.core.dataset import SourceError
from lib.core.i18n import _

DOCUMENT_TIMEOUT_S: Final = (15.0, 120.0)  # connect, read
PDF_MAGIC: Final = b"%PDF"
ZIP_MAGIC: Final = b"PK\x03\x04"


@dataclass(frozen=True)
class InvoiceDocument:
    """The downloaded document and what it is."""

    name: str
    data: bytes
    mime: str


def has_documents(scope_id: str) -> bool:
    """Whether invoices of this scope can be downloaded: billing accounts (and their profiles) and subscriptions."""
    return bool(segment_value(scope_id, "billingAccounts") or segment_value(scope_id, "subscriptions"))


def document_url(clients: Clients, scope_id: str, invoice_id: str) -> str:
    """Ask the Billing API for the invoice's download link and wait for it (the SDK polls the operation).

    Raises:
        SourceError: when the scope has no invoices or Azure gives no link; Azure's own errors as the SDK raises them.
    """
    account = segment_value(scope_id, "billingAccounts")
    subscription = segment_value(scope_id, "subscriptions")
    if account:
        poller = clients.billing().invoices.begin_download_by_billing_account(account, invoice_id)
    elif subscription:
        poller = clients.billing(subscription).invoices.begin_download_by_billing_subscription(invoice_id)
    else:
        raise SourceError(
            _("Invoices can be downloaded for billing accounts, billing profiles and subscriptions, not for {scope}.").format(
                scope=scope_id
            )
        )
    url = get_field(poller.result(), "url")
    if not url:
        raise SourceError(_("Azure gave no download link for invoice {invoice}.").format(invoice=invoice_id))
    return str(url)


def fetch_document(url: str, session: requests.Session | None = None) -> tuple[bytes, str]:
    """GET the document at a SAS ``url`` with no Authorization header; its bytes and MIME type.

    Raises:
        SourceError: for a network failure, an HTTP error or something that is neither a PDF nor a zip.
    """
    http = session or requests.Session()
    try:
        response = http.get(url, timeout=DOCUMENT_TIMEOUT_S)
    except requests.RequestException as error:
        raise SourceError(
            _("Could not download the invoice from {link} ({error}). Check the network and HTTPS_PROXY/NO_PROXY.").format(
                link=redact_url(url), error=type(error).__name__
            )
        ) from None
    if response.status_code != 200:
        raise SourceError(
            _("Downloading the invoice from {link} failed with HTTP {status} (the link may have expired; try again).").format(
                link=redact_url(url), status=response.status_code
            )
        )
    data = response.content
    if data.startswith(PDF_MAGIC):
        return data, "application/pdf"
    if data.startswith(ZIP_MAGIC):
        return data, "application/zip"
    raise SourceError(_("The invoice link {link} did not return a PDF.").format(link=redact_url(url)))


def invoice_document(clients: Clients, scope_id: str, invoice_id: str) -> InvoiceDocument:
    """The invoice's document for ``scope_id``.

    Raises:
        SourceError: in plain words, for every failure (Azure's, the network's, a bad scope id).
    """
    try:
        scope_id = normalize_scope(scope_id)
        url = document_url(clients, scope_id, invoice_id)
    except SourceError:
        raise
    except ScopeIdError as error:
        raise SourceError(str(error)) from None
    except Exception as error:  # every Azure failure becomes a sentence, never a traceback
        raise SourceError(" ".join(explain(error, scope_id=scope_id, endpoint=clients.settings.arm_endpoint).split())) from None
    data, mime = fetch_document(url)
    extension = "pdf" if mime == "application/pdf" else "zip"
    return InvoiceDocument(f"invoice-{_safe(invoice_id)}.{extension}", data, mime)


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text) or "invoice"
