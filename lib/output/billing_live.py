"""The billing history's downloads for live Azure: a period's usage file (Cost Details report) and its FOCUS form.

The Cost Details report is asked for the way Azure files usage: by invoice id at an MCA billing
profile, by billing period at EA billing scopes, otherwise by the period's dates (at most one month).
"""

from __future__ import annotations

from datetime import date

from lib.analysis.billing import BillingRow, row_period_key
from lib.azure.clients import Clients
from lib.azure.cost_details import CostDetailsRequest
from lib.azure.invoice_documents import invoice_document
from lib.azure.scopes import scope_kind
from lib.core.dataset import SourceError
from lib.core.models import Agreement, Metric, Period, ScopeKind
from lib.output import convert
from lib.sources.azure import AzureSource, Connection
from lib.sources.files import load_files

EA_PERIOD_KINDS = (ScopeKind.BILLING_ACCOUNT, ScopeKind.DEPARTMENT, ScopeKind.ENROLLMENT_ACCOUNT)


def usage_request(scope_id: str, agreement: Agreement, row: BillingRow, metric: Metric, as_of: date) -> CostDetailsRequest:
    """The Cost Details request for one row of the billing history."""
    kind = scope_kind(scope_id)
    by_invoice = kind is ScopeKind.BILLING_PROFILE or "/customers/" in scope_id.lower()
    if by_invoice and len(row.invoice_ids) == 1 and row.status == "invoiced":
        return CostDetailsRequest(scope_id, metric, invoice_id=row.invoice_ids[0])
    if agreement is Agreement.EA and kind in EA_PERIOD_KINDS:
        return CostDetailsRequest(scope_id, metric, billing_period=row_period_key(row))
    return CostDetailsRequest(scope_id, metric, period=Period(row.period.start, min(row.period.end, as_of)))


def focus_from_usage(data: bytes, *, as_of: date, metric: Metric) -> bytes:
    """A usage CSV (as the Cost Details report gives it) converted to FOCUS 1.2.

    Raises:
        SourceError: when the file cannot be read.
    """
    if not data.strip():
        raise SourceError("empty usage file")
    dataset = load_files([("usage.csv", data)], as_of=as_of, metric=metric)
    return convert.to_csv(dataset, convert.FOCUS)


def live_usage(
    connection: Connection, scope_id: str, agreement: Agreement, row: BillingRow, metric: Metric, as_of: date, *, focus: bool
) -> bytes:
    """One billing-history row's usage file from Azure's Cost Details report (as given, or converted to FOCUS)."""
    source = AzureSource(connection, agreement=agreement)
    data = source.cost_details(usage_request(scope_id, agreement, row, metric, as_of)).data
    return focus_from_usage(data, as_of=as_of, metric=metric) if focus else data


def invoice_pdf(connection: Connection, scope_id: str, invoice_id: str) -> bytes:
    """The invoice document (PDF) from the Billing API, fetched without the Azure token."""
    return invoice_document(Clients(connection.credential, connection.settings), scope_id, invoice_id).data
