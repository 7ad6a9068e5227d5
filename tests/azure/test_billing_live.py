"""The billing history on live Azure, through the real SDK clients against the loopback stand-in:
the invoice list, the invoice PDF (202 -> poll -> 200 with a link fetched without the token), a row's
usage file, and the disk cache that asks only for the open period once the lifetime has passed."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lib.analysis import billing
from lib.azure.clients import Clients
from lib.azure.invoice_documents import invoice_document
from lib.azure.period_store import PeriodStore
from lib.core.dataset import LoadRequest, SourceError
from lib.core.models import Agreement, Metric
from lib.core.periods import billing_periods
from lib.output import billing_live
from lib.sources.azure import AzureSource, Connection
from tests.azure.fakes import (
    INVOICES_PATH,
    PROFILE_SCOPE,
    RATE_LIMIT_HEADERS,
    SAS_SIGNATURE,
    FakeArm,
    Recorded,
    Reply,
    invoice_item,
    query_page,
    serve_invoice_document,
    stand_in_az,
)
from tests.azure.test_cost_details import _operation
from tests.serving import loopback_only

AS_OF = date(2026, 11, 26)
PERIODS = billing_periods(AS_OF)
PROFILE_QUERY = (
    r"/providers/Microsoft\.Billing/billingAccounts/.+/billingProfiles/KX7Q-2MZR-BG7-PGB/providers/Microsoft\.CostManagement/query"
)
PROFILE_FORECAST = PROFILE_QUERY.replace("query", "forecast")
PDF = b"%PDF-1.7\n% a made-up invoice\n%%EOF\n"
REPO = Path(__file__).resolve().parents[2]


def _month_rows(start: date) -> list[list[Any]]:
    """Two rows a month; amounts differ per month so a wrong month cannot pass."""
    day = int(f"{start:%Y%m}02")
    return [[100.125 + start.month, 110.0, day, "Storage", "rg-data", "EUR"], [20.5, 22.0, day + 1, "Virtual Machines", "rg-web", "EUR"]]


def _month_total(start: date) -> Decimal:
    return sum((Decimal(str(r[0])) for r in _month_rows(start)), Decimal(0))


def _serve_months(arm: FakeArm) -> list[str]:
    """Query answers per month (with Cost Management's quota headers); returns the months asked for, in order."""
    asked: list[str] = []

    def month(request: Recorded) -> Reply:
        start = date.fromisoformat(request.body["timePeriod"]["from"][:10])
        asked.append(f"{start:%Y-%m}")
        return Reply(200, query_page(_month_rows(start)), RATE_LIMIT_HEADERS)

    arm.add("POST", PROFILE_QUERY, month)
    arm.add("POST", PROFILE_FORECAST, Reply(400, {"error": {"code": "BadRequest", "message": "Forecast is unavailable"}}))
    return asked


def _invoices() -> list[dict[str, Any]]:
    """One invoice per closed period: usage rounded to the cent, a 50.00 credit in October, 21% tax, and 0.07 left unexplained
    in September (the invoice says more than the rows)."""
    items = []
    for period in PERIODS[:-1]:
        charges = _month_total(period.start).quantize(Decimal("0.01"))
        credit = Decimal("50.00") if period.start.month == 10 else Decimal(0)
        tax = ((charges - credit) * Decimal("0.21")).quantize(Decimal("0.01"))
        stray = Decimal("0.07") if period.start.month == 9 else Decimal(0)
        total = charges - credit + tax + stray
        name = f"G{period.start:%Y%m}01"
        items.append(
            invoice_item(
                name,
                period.start.isoformat(),
                period.end.isoformat(),
                billed=float(charges),
                total=float(total),
                tax=float(tax),
                credit=float(credit),
            )
        )
    return items


def _serve_invoices(arm: FakeArm) -> None:
    arm.add("GET", INVOICES_PATH, Reply(200, {"value": _invoices()}))


def _cli(arm: FakeArm, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m lib.cli ARGS`` in a real process, signed in through a stand-in ``az`` to the stand-in ARM."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stand_in_az(bin_dir)
    env = loopback_only(os.environ) | {
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
        "AZDASH_REPORT_POLL_INTERVAL": "0.01",
    }
    command = [sys.executable, "-m", "lib.cli", *args, "--arm-endpoint", arm.url]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)


def _load(connection: Connection, store: PeriodStore | None = None, *, refresh: bool = False) -> Any:
    source = AzureSource(connection, agreement=Agreement.MCA, period_store=store, refresh=refresh)
    return source.load(LoadRequest(as_of=AS_OF, scope_id=PROFILE_SCOPE))


def test_invoice_list_gives_each_closed_period_its_invoice_and_the_difference_explained(arm: FakeArm, connection: Connection) -> None:
    _serve_months(arm)
    _serve_invoices(arm)
    dataset = _load(connection)
    found = billing.history(dataset, AS_OF)

    listed = arm.calls("GET", "/invoices")
    assert len(listed) == 1
    assert listed[0].query["periodStartDate"] == [PERIODS[0].start.isoformat()]
    assert listed[0].query["api-version"] == ["2024-04-01"]
    assert found.invoices_source == "billing_api"
    assert [r.status for r in found.rows] == ["invoiced"] * 6 + ["open"]
    for row, period in zip(found.rows[:-1], PERIODS[:-1], strict=True):
        charges = _month_total(period.start)
        credit = Decimal("-50.00") if period.start.month == 10 else Decimal(0)
        tax = ((charges.quantize(Decimal("0.01")) + credit) * Decimal("0.21")).quantize(Decimal("0.01"))
        stray = Decimal("0.07") if period.start.month == 9 else Decimal(0)
        assert row.invoice_ids == (f"G{period.start:%Y%m}01",)
        assert Decimal(str(row.usage_total)).quantize(Decimal("0.000001")) == charges
        printed = row.as_json()
        assert Decimal(str(printed["invoiced"])) == charges.quantize(Decimal("0.01")) + credit + tax + stray
        items = {k: Decimal(str(v)) for k, v in printed["reconciling_items"].items()}  # type: ignore[union-attr]
        assert (items["tax"], items["credits"], items["unexplained"]) == (tax, credit, stray)
        assert abs(Decimal(str(printed["difference"])) - (Decimal(str(printed["invoiced"])) - charges)) <= Decimal("0.005")
    opened = found.rows[-1]
    assert (opened.invoiced, opened.final) == (None, False)
    assert Decimal(str(opened.usage_total)) == _month_total(PERIODS[-1].start)
    quota = dataset.live.quota
    assert quota["qpu_consumed"] == 7  # one unit per monthly query, as the stand-in's headers say
    assert quota["remaining"]["QueriesPerHour"] == 597
    assert quota["remaining"]["tenant-requests:DefaultQuota"] == 49


def test_invoice_pdf_is_polled_then_fetched_without_the_token(arm: FakeArm, connection: Connection) -> None:
    path = serve_invoice_document(arm, "G20261001", PDF, polls_in_progress=2)
    clients = Clients(connection.credential, connection.settings)
    document = invoice_document(clients, PROFILE_SCOPE, "G20261001")

    assert (document.data, document.mime, document.name) == (PDF, "application/pdf", "invoice-G20261001.pdf")
    started = arm.calls("POST", "/invoices/G20261001/download")
    assert len(started) == 1 and started[0].headers["authorization"].startswith("Bearer ")
    polls = arm.calls("GET", "/operationResults/downloadInvoice_1")
    assert len(polls) == 3  # two 202s, then the 200 with the link
    assert all(p.headers["authorization"].startswith("Bearer ") for p in polls)
    fetched = arm.calls("GET", path)
    assert len(fetched) == 1
    assert "authorization" not in fetched[0].headers  # the SAS link is the permission; the Azure token stays at ARM
    assert SAS_SIGNATURE in fetched[0].raw_query


def test_expired_invoice_link_is_reported_without_its_signature(arm: FakeArm, connection: Connection) -> None:
    path = serve_invoice_document(arm, "G1", PDF, polls_in_progress=0)
    arm.routes.insert(0, ("GET", re.compile(re.escape(path)), [Reply(403, raw=b"AuthenticationFailed")]))
    with pytest.raises(SourceError) as caught:
        invoice_document(Clients(connection.credential, connection.settings), PROFILE_SCOPE, "G1")
    assert "HTTP 403" in str(caught.value)
    assert "TOPSECRET" not in str(caught.value)


def test_cli_writes_the_invoice_pdf_and_never_prints_the_signature(arm: FakeArm, tmp_path: Path) -> None:
    serve_invoice_document(arm, "G20261001", PDF)
    out = tmp_path / "invoice.pdf"
    done = _cli(arm, tmp_path, "download", "--scope", PROFILE_SCOPE, "--invoice-id", "G20261001", "--pdf", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == PDF
    assert "TOPSECRET" not in done.stdout + done.stderr
    assert "authorization" not in arm.calls("GET", "/invoicedocuments/")[0].headers


def test_a_rows_usage_download_asks_for_its_invoice_and_reconciles_with_the_row(arm: FakeArm, connection: Connection) -> None:
    _serve_months(arm)
    _serve_invoices(arm)
    october = next(r for r in billing.history(_load(connection), AS_OF).rows if r.period.start.month == 10)
    # The report Azure prepares for the invoice: October's rows in the MCA version 2 layout.
    rows = [
        ["G20261001", "BP", "10/01/2026", f"10/{r[2] % 100:02d}/2026", r[3], "EUR", str(r[0]), str(r[1])]
        for r in _month_rows(october.period.start)
    ]
    text = io.StringIO()
    csv.writer(text).writerows(
        [
            [
                "invoiceId",
                "billingProfileId",
                "billingPeriodStartDate",
                "date",
                "meterCategory",
                "billingCurrency",
                "costInBillingCurrency",
                "costInUsd",
            ],
            *rows,
        ]
    )
    report = ("\ufeff" + text.getvalue()).encode()
    _operation(arm, PROFILE_SCOPE, _report_manifest(arm), polls_in_progress=1)
    arm.add("GET", r"/armreports/op-1/part_0\.csv", Reply(200, raw=report, headers={"Content-Type": "text/csv"}))

    request = billing_live.usage_request(PROFILE_SCOPE, Agreement.MCA, october, Metric.ACTUAL, AS_OF)
    data = AzureSource(connection, agreement=Agreement.MCA).cost_details(request).data
    assert arm.calls("POST", "generateCostDetailsReport")[0].body == {"metric": "ActualCost", "invoiceId": "G20261001"}
    assert all("authorization" not in r.headers for r in arm.calls("GET", "/armreports/"))
    total = sum((Decimal(r["costInBillingCurrency"]) for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))), Decimal(0))
    assert total == Decimal(str(october.usage_total)).quantize(Decimal("0.000001"))
    focus = billing_live.focus_from_usage(data, as_of=AS_OF, metric=Metric.ACTUAL)
    focus_total = sum((Decimal(r["BilledCost"]) for r in csv.DictReader(io.StringIO(focus.decode("utf-8-sig")))), Decimal(0))
    assert focus_total == total


def _report_manifest(arm: FakeArm) -> dict[str, object]:
    return {
        "id": "op-1",
        "name": "op-1",
        "status": "Completed",
        "manifest": {
            "compressData": False,
            "blobCount": 1,
            "blobs": [{"blobLink": f"{arm.url}/armreports/op-1/part_0.csv?sv=1&sig=TOPSECRET"}],
        },
        "validTill": "2026-11-27T08:08:46Z",
    }


def test_a_second_load_after_the_lifetime_asks_only_for_the_open_period(arm: FakeArm, connection: Connection, tmp_path: Path) -> None:
    asked = _serve_months(arm)
    _serve_invoices(arm)
    now = [1_000_000.0]
    store = PeriodStore(tmp_path / "periods", connection.identity, ttl_s=4 * 3600, clock=lambda: now[0])

    first = _load(connection, store)
    assert len(asked) == 7 and len(arm.calls("GET", "/invoices")) == 1
    now[0] += 4 * 3600 + 1  # past the four-hour lifetime
    requests_before = len(arm.requests)
    second = _load(connection, store)

    sent = arm.requests[requests_before:]
    assert asked[7:] == [f"{AS_OF:%Y-%m}"]  # the open period only
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in sent] == [("POST", "query"), ("POST", "forecast")]
    assert second.live.quota["periods_from_cache"] == 6
    assert second.frame.equals(first.frame)
    assert billing.history(second, AS_OF).as_json()["periods"] == billing.history(first, AS_OF).as_json()["periods"]

    _load(connection, store, refresh=True)  # Refresh asks Azure for everything again
    assert len(asked) == 7 + 1 + 7
    assert len(arm.calls("GET", "/invoices")) == 2


def test_another_identity_or_scope_is_never_served_from_the_store(tmp_path: Path) -> None:
    store = PeriodStore(tmp_path, "identity-a", ttl_s=10, clock=lambda: 0.0)
    store.put("/subscriptions/x", "query", {"b": 1}, {"rows": [1]}, final=True)
    assert store.get("/subscriptions/x", "query", {"b": 1}) is not None
    assert store.get("/subscriptions/y", "query", {"b": 1}) is None
    assert PeriodStore(tmp_path, "identity-b", ttl_s=10).get("/subscriptions/x", "query", {"b": 1}) is None
    later = PeriodStore(tmp_path, "identity-a", ttl_s=10, clock=lambda: 11.0)
    later.put("/subscriptions/x", "query", {"open": 1}, [], final=False)
    assert PeriodStore(tmp_path, "identity-a", ttl_s=10, clock=lambda: 22.0).get("/subscriptions/x", "query", {"open": 1}) is None
    assert PeriodStore(tmp_path, "identity-a", ttl_s=10, clock=lambda: 22.0).get("/subscriptions/x", "query", {"b": 1}) is not None


def test_cli_billing_history_of_a_billing_profile_prints_the_invoices(arm: FakeArm, tmp_path: Path) -> None:
    _serve_months(arm)
    _serve_invoices(arm)
    done = _cli(arm, tmp_path, "billing-history", "--scope", PROFILE_SCOPE, "--as-of", AS_OF.isoformat(), "--json")
    assert done.returncode == 0, done.stderr
    periods = json.loads(done.stdout)["periods"]
    totals = {i["name"]: i["properties"]["totalAmount"]["value"] for i in _invoices()}
    assert [(p["period"], p["status"], p["invoice_id"]) for p in periods] == [
        *[(f"{p.start:%Y-%m}", "invoiced", f"G{p.start:%Y%m}01") for p in PERIODS[:-1]],
        (f"{AS_OF:%Y-%m}", "open", None),
    ]
    assert [p["invoiced"] for p in periods] == [round(totals[f"G{p.start:%Y%m}01"], 2) for p in PERIODS[:-1]] + [None]
    assert [Decimal(str(p["usage_total"])) for p in periods] == [_month_total(p.start) for p in PERIODS]
    assert all(p["currency"] == "EUR" for p in periods)
