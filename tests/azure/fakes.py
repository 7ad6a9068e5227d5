"""Fakes for the live-Azure tests: a stand-in Azure Resource Manager on 127.0.0.1 that the real SDK clients talk to over HTTP.

The server checks nothing by itself: it records every request (method, path, query, headers,
JSON body) and answers from a script of routes, so tests assert on exactly what went over the
wire. No test sends traffic beyond this machine: the credential is injected (or is a stand-in
``az``), ``AZURE_TOKEN_CREDENTIALS`` is set, and proxies are bypassed for loopback.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.core.credentials import AccessToken

from tests.serving import LOOPBACK, PROXY_VARIABLES, serve_on_loopback


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    raw_query: str
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


Route = Callable[[Recorded], Reply]


class FakeArm:
    """Route table: (method, path regex) → queue of replies (the last one repeats)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.routes: list[tuple[str, re.Pattern[str], list[Reply | Route]]] = []
        self.lock = threading.Lock()
        self.url = ""

    def add(self, method: str, path: str, *replies: Reply | Route) -> None:
        """Answer ``method`` on paths matching ``path`` (regex, full match) with ``replies`` in turn."""
        self.routes.append((method, re.compile(path, re.IGNORECASE), list(replies)))

    def answer(self, recorded: Recorded) -> Reply:
        with self.lock:
            self.requests.append(recorded)
            for method, pattern, replies in self.routes:
                if method == recorded.method and pattern.fullmatch(recorded.path):
                    reply = replies.pop(0) if len(replies) > 1 else replies[0]
                    return reply(recorded) if callable(reply) else reply
        return Reply(404, {"error": {"code": "NotFound", "message": f"no route for {recorded.method} {recorded.path}"}})

    def calls(self, method: str, path_part: str) -> list[Recorded]:
        """Recorded requests whose path contains ``path_part``."""
        return [r for r in self.requests if r.method == method and path_part.lower() in r.path.lower()]


def _handler(arm: FakeArm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            body = json.loads(data) if data else None
            recorded = Recorded(
                self.command,
                parts.path,
                parse_qs(parts.query, keep_blank_values=True),
                parts.query,
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            reply = arm.answer(recorded)
            payload = reply.raw if reply.raw is not None else (b"" if reply.body is None else json.dumps(reply.body).encode())
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json"} | reply.headers
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

    return Handler


@contextmanager
def serve_arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    """A running stand-in ARM: proxies bypassed for loopback, stopped afterwards."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", LOOPBACK)
    monkeypatch.setenv("no_proxy", LOOPBACK)
    fake = FakeArm()
    server = start_server(fake)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def stand_in_az(folder: Path, token: str | None = None) -> Path:
    """An ``az`` in ``folder`` that answers every call with an access token (``token``, or ``fake_jwt()``), as the Azure CLI
    credential reads it: a sign-in that never leaves the machine."""
    az = folder / "az"
    az.write_text(f'#!/bin/sh\necho \'{{"accessToken": "{token or fake_jwt()}", "expires_on": 4102444800}}\'\n')
    az.chmod(0o755)
    return az


def sign_in_with_az(arm: FakeArm, monkeypatch: pytest.MonkeyPatch, folder: Path, token: str | None = None) -> None:
    """Signed in through a stand-in ``az`` (see ``stand_in_az``) to ``arm``, which shows one subscription and nothing else."""
    stand_in_az(folder, token)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    monkeypatch.setenv("AZURE_ARM_ENDPOINT", arm.url)
    arm.add("GET", r"/providers/Microsoft\.Billing/billingAccounts", Reply(200, {"value": []}))
    arm.add("GET", r"/providers/Microsoft\.Management/managementGroups", Reply(403, {"error": {"code": "AuthorizationFailed"}}))
    arm.add("GET", r"/subscriptions", Reply(200, {"value": [{"subscriptionId": SUB, "displayName": "Contoso Production"}]}))
    arm.add("GET", rf"/subscriptions/{SUB}/resourcegroups", Reply(200, {"value": []}))


def start_server(fake: FakeArm) -> ThreadingHTTPServer:
    """Serve ``fake`` on an ephemeral loopback port (sets ``fake.url``)."""
    server, fake.url = serve_on_loopback(_handler(fake), poll_interval=0.02)
    return server


def fake_jwt(oid: str = "11111111-2222-3333-4444-555555555555", tid: str = "tenant-1", upn: str = "ana@contoso.example") -> str:
    """An unsigned token with the claims the dashboard reads to tell identities apart."""

    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'oid': oid, 'tid': tid, 'upn': upn})}.sig"


class FakeCredential:
    """A TokenCredential that hands out a fixed token and records the scopes asked for."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or fake_jwt()
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


SUB = "a1f3c5e7-1b2d-4c6e-8f90-1a2b3c4d5e01"
SUB_SCOPE = f"/subscriptions/{SUB}"
QUERY_PATH = rf"{SUB_SCOPE}/providers/Microsoft\.CostManagement/query"
FORECAST_PATH = rf"{SUB_SCOPE}/providers/Microsoft\.CostManagement/forecast"
COLUMNS = [
    {"name": "Cost", "type": "Number"},
    {"name": "CostUSD", "type": "Number"},
    {"name": "UsageDate", "type": "Number"},
    {"name": "MeterCategory", "type": "String"},
    {"name": "ResourceGroupName", "type": "String"},
    {"name": "Currency", "type": "String"},
]


def query_page(rows: list[list[Any]], next_link: str | None = None, columns: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A Query API answer as Azure shapes it."""
    return {
        "id": f"subscriptions/{SUB}/providers/Microsoft.CostManagement/query/00000000-0000-0000-0000-000000000001",
        "name": "00000000-0000-0000-0000-000000000001",
        "type": "Microsoft.CostManagement/query",
        "properties": {"nextLink": next_link, "columns": columns or COLUMNS, "rows": rows},
    }


# Billing API (api-version 2024-04-01 as azure-mgmt-billing 8.0.0 sends it): invoices of an MCA billing profile and their documents.
ACCOUNT = "5e3a1c2d-7b84-4f0e-9a61-2c9d8e7f6a10:4b2f9c1e-8d3a-4e7b-b5c6-1a2b3c4d5e6f_2019-05-31"
PROFILE_ID = "KX7Q-2MZR-BG7-PGB"
PROFILE_SCOPE = f"/providers/Microsoft.Billing/billingAccounts/{ACCOUNT}/billingProfiles/{PROFILE_ID}"
# The Billing SDK percent-encodes the account name in the path (":" as "%3A"), as Azure receives it.
ACCOUNT_IN_PATH = re.escape(ACCOUNT).replace(":", "(?::|%3A)")
INVOICES_PATH = rf"/providers/Microsoft\.Billing/billingAccounts/{ACCOUNT_IN_PATH}/billingProfiles/{PROFILE_ID}/invoices"
SAS_SIGNATURE = "sig=TOPSECRETINVOICESIGNATURE"
RATE_LIMIT_HEADERS = {
    "x-ms-ratelimit-microsoft.costmanagement-qpu-consumed": "1",
    "x-ms-ratelimit-microsoft.costmanagement-qpu-remaining": "QueriesPerHour:597,QueriesPerMin:57,QueriesPer10Sec:9",
    "x-ms-ratelimit-remaining-microsoft.costmanagement-tenant-requests": "DefaultQuota:49",
}


def invoice_item(
    name: str, start: str, end: str, *, billed: float, total: float, tax: float, credit: float = 0.0, currency: str = "EUR"
) -> dict[str, Any]:
    """One invoice as the Billing API lists it (amounts as ``{"currency", "value"}`` objects)."""

    def amount(value: float) -> dict[str, Any]:
        return {"currency": currency, "value": value}

    return {
        "id": f"/providers/Microsoft.Billing/billingAccounts/{ACCOUNT}/billingProfiles/{PROFILE_ID}/invoices/{name}",
        "name": name,
        "type": "Microsoft.Billing/billingAccounts/billingProfiles/invoices",
        "properties": {
            "invoiceDate": f"{end[:8]}05T00:00:00Z",
            "invoicePeriodStartDate": f"{start}T00:00:00Z",
            "invoicePeriodEndDate": f"{end}T00:00:00Z",
            "invoiceType": "AzureServices",
            "documentType": "Invoice",
            "status": "Paid",
            "billedAmount": amount(billed),
            "creditAmount": amount(credit),
            "subTotal": amount(billed - credit),
            "taxAmount": amount(tax),
            "totalAmount": amount(total),
            "amountDue": amount(0.0),
            "azurePrepaymentApplied": amount(0.0),
            "freeAzureCreditApplied": amount(0.0),
            "documents": [{"kind": "Invoice", "name": name, "source": "DRS"}],
        },
    }


def serve_invoice_document(arm: FakeArm, invoice_name: str, document: bytes, *, polls_in_progress: int = 1) -> str:
    """The invoice download as Azure runs it: POST …/download → 202 with a Location, polled until a 200 whose body holds a
    short-lived SAS ``url``; that URL serves ``document``. Returns the document's path on the stand-in."""
    base = rf"/providers/Microsoft\.Billing/billingAccounts/{ACCOUNT_IN_PATH}"
    location = f"{arm.url}/providers/Microsoft.Billing/billingAccounts/{ACCOUNT}/operationResults/downloadInvoice_1?api-version=2024-04-01"
    running = Reply(202, None, {"Location": location, "Retry-After": "0"})
    arm.add("POST", rf"{base}/invoices/{invoice_name}/download", running)
    document_path = f"/invoicedocuments/{invoice_name}.pdf"
    final = {"expiryTime": "2026-11-26T10:00:00Z", "url": f"{arm.url}{document_path}?sv=2022-11-02&se=2026-11-26&sr=b&sp=r&{SAS_SIGNATURE}"}
    arm.add("GET", rf"{base}/operationResults/downloadInvoice_1", *([running] * polls_in_progress), Reply(200, final))
    arm.add("GET", re.escape(document_path), Reply(200, raw=document, headers={"Content-Type": "application/pdf"}))
    return document_path
