"""Cost Details report (raw usage CSV) through the real SDK poller against the loopback stand-in."""

from __future__ import annotations

from datetime import date

import pytest

from lib.azure.cost_details import CostDetailsRequest, check_request, merge_csv_parts
from lib.core.dataset import SourceError
from lib.core.models import Agreement, Metric, Period
from lib.sources.azure import AzureSource, Connection
from tests.azure.fakes import SUB_SCOPE, FakeArm, Reply

PROFILE = "/providers/Microsoft.Billing/billingAccounts/5e3a:4b2f_2019-05-31/billingProfiles/KX7Q-2MZR"
EA_ACCOUNT = "/providers/Microsoft.Billing/billingAccounts/70664866"
SECRET = "sig=TOPSECRETSIGNATURE"
PART_1 = "\ufeffdate,meterCategory,costInBillingCurrency\n10/01/2026,Storage,1.50\n10/02/2026,Storage,2.25\n".encode()
PART_2 = "\ufeffdate,meterCategory,costInBillingCurrency\n10/03/2026,Virtual Machines,7.00\n".encode()


def _operation(arm: FakeArm, scope: str, final: dict[str, object], polls_in_progress: int = 2) -> None:
    location = f"{arm.url}{scope}/providers/Microsoft.CostManagement/costDetailsOperationResults/op-1?api-version=2025-03-01"
    arm.add(
        "POST",
        rf"{scope}/providers/Microsoft\.CostManagement/generateCostDetailsReport",
        Reply(202, None, {"Location": location, "Retry-After": "0"}),
    )
    running = [Reply(202, None, {"Location": location, "Retry-After": "0"}) for _ in range(polls_in_progress)]
    arm.add("GET", rf"{scope}/providers/Microsoft\.CostManagement/costDetailsOperationResults/op-1", *running, Reply(200, final))


def _completed(arm: FakeArm, scope: str) -> dict[str, object]:
    blob = f"{arm.url}/armreports/op-1/part_{{}}.csv?sv=2020-08-04&{SECRET}"
    return {
        "id": f"{scope}/providers/Microsoft.CostManagement/costDetailsOperationResults/op-1",
        "name": "op-1",
        "status": "Completed",
        "manifest": {
            "manifestVersion": "2025-03-01",
            "dataFormat": "Csv",
            "blobCount": 2,
            "byteCount": len(PART_1) + len(PART_2),
            "compressData": False,
            "blobs": [{"blobLink": blob.format(0), "byteCount": len(PART_1)}, {"blobLink": blob.format(1), "byteCount": len(PART_2)}],
        },
        "validTill": "2026-11-27T08:08:46.1973252Z",
    }


def test_report_polled_through_two_202s_then_two_blobs_become_one_csv(arm: FakeArm, connection: Connection) -> None:
    _operation(arm, PROFILE, _completed(arm, PROFILE))
    arm.add("GET", r"/armreports/op-1/part_0\.csv", Reply(200, raw=PART_1, headers={"Content-Type": "text/csv"}))
    arm.add("GET", r"/armreports/op-1/part_1\.csv", Reply(200, raw=PART_2, headers={"Content-Type": "text/csv"}))
    progress: list[str] = []
    source = AzureSource(connection, agreement=Agreement.MCA)
    result = source.cost_details(
        CostDetailsRequest(PROFILE, Metric.ACTUAL, invoice_id="G123456789"), progress=lambda _f, t: progress.append(t)
    )

    post = arm.calls("POST", "generateCostDetailsReport")
    assert len(post) == 1
    assert post[0].body == {"metric": "ActualCost", "invoiceId": "G123456789"}
    assert len(arm.calls("GET", "costDetailsOperationResults")) == 3
    blob_gets = arm.calls("GET", "/armreports/")
    assert [r.path for r in blob_gets] == ["/armreports/op-1/part_0.csv", "/armreports/op-1/part_1.csv"]
    assert all("authorization" not in r.headers for r in blob_gets)  # SAS URLs: no bearer token sent along
    assert result.blobs == 2
    assert result.status == "Completed"
    lines = result.data.decode("utf-8-sig").splitlines()
    assert lines == [
        "date,meterCategory,costInBillingCurrency",
        "10/01/2026,Storage,1.50",
        "10/02/2026,Storage,2.25",
        "10/03/2026,Virtual Machines,7.00",
    ]
    assert any("downloading part 2 of 2" in t for t in progress)
    assert not any("TOPSECRET" in t for t in progress)


def test_no_data_found_is_reported_although_the_poller_succeeds(arm: FakeArm, connection: Connection) -> None:
    _operation(arm, EA_ACCOUNT, {"id": "x", "name": "op-1", "status": "NoDataFound"}, polls_in_progress=1)
    source = AzureSource(connection, agreement=Agreement.EA)
    with pytest.raises(SourceError, match="NoDataFound"):
        source.cost_details(CostDetailsRequest(EA_ACCOUNT, Metric.AMORTIZED, billing_period="202609"))
    assert arm.calls("POST", "generateCostDetailsReport")[0].body == {"metric": "AmortizedCost", "billingPeriod": "202609"}


def test_failed_report_status_is_reported(arm: FakeArm, connection: Connection) -> None:
    final = {"id": "x", "name": "op-1", "status": "Failed", "error": {"code": "500", "message": "internal report failure"}}
    _operation(arm, SUB_SCOPE, final, polls_in_progress=0)
    with pytest.raises(SourceError, match=r"status Failed.*internal report failure"):
        AzureSource(connection).cost_details(CostDetailsRequest(SUB_SCOPE, period=Period(date(2026, 10, 1), date(2026, 10, 31))))


def test_expired_blob_link_is_reported_without_its_signature(arm: FakeArm, connection: Connection) -> None:
    _operation(arm, PROFILE, _completed(arm, PROFILE), polls_in_progress=0)
    arm.add("GET", r"/armreports/op-1/part_0\.csv", Reply(403, raw=b"AuthenticationFailed"))
    with pytest.raises(SourceError) as caught:
        AzureSource(connection, agreement=Agreement.MCA).cost_details(CostDetailsRequest(PROFILE, invoice_id="G1"))
    assert "HTTP 403" in str(caught.value)
    assert "TOPSECRET" not in str(caught.value)


def test_unsupported_scopes_and_requests_are_refused_before_any_call(arm: FakeArm, connection: Connection) -> None:
    group = f"{SUB_SCOPE}/resourceGroups/rg-web"
    with pytest.raises(SourceError, match=r"not available for resourceGroup scopes.*query-based rows"):
        AzureSource(connection).cost_details(CostDetailsRequest(group, period=Period(date(2026, 10, 1), date(2026, 10, 31))))
    assert arm.requests == []
    too_long = CostDetailsRequest(SUB_SCOPE, period=Period(date(2026, 9, 1), date(2026, 10, 1)))
    assert "at most one month" in (check_request(too_long) or "")
    assert check_request(CostDetailsRequest(SUB_SCOPE, period=Period(date(2026, 2, 1), date(2026, 2, 28)))) is None
    assert "exactly one" in (check_request(CostDetailsRequest(PROFILE, invoice_id="G1", billing_period="202610")) or "")
    assert "billing profile" in (check_request(CostDetailsRequest(SUB_SCOPE, invoice_id="G1")) or "")
    assert "Enterprise Agreement" in (check_request(CostDetailsRequest(PROFILE, billing_period="202610")) or "")


def test_merge_keeps_one_header_and_joins_parts_without_a_final_newline() -> None:
    merged = merge_csv_parts([b"a,b\n1,2", b"a,b\n3,4\n", b""])
    assert merged == b"a,b\n1,2\n3,4\n"
