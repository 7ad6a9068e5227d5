"""Scope discovery through the real billing, management-group, subscription and resource clients."""

from __future__ import annotations

import pytest

from lib.azure.clients import Clients
from lib.azure.scopes import ScopeIdError, agreement_of, discover, normalize_scope, scope_kind
from lib.core.models import Agreement, ScopeKind
from lib.sources.azure import Connection
from tests.azure.fakes import SUB, FakeArm, Reply

MCA = "5e3a1c2d:4b2f9c1e_2019-05-31"
DENIED = Reply(403, {"error": {"code": "AuthorizationFailed", "message": "The client does not have authorization"}})


def _serve_tenant(arm: FakeArm) -> None:
    accounts = {
        "value": [
            {"name": "70664866", "properties": {"displayName": "Contoso EA", "agreementType": "EnterpriseAgreement"}},
            {"name": MCA, "properties": {"displayName": "Contoso MCA", "agreementType": "MicrosoftCustomerAgreement"}},
        ]
    }
    arm.add("GET", r"/providers/Microsoft\.Billing/billingAccounts", Reply(200, accounts))
    arm.add(
        "GET",
        r".*/billingAccounts/70664866/departments",
        Reply(200, {"value": [{"name": "1234", "properties": {"displayName": "Finance"}}]}),
    )
    arm.add("GET", r".*/billingAccounts/70664866/enrollmentAccounts", DENIED)
    arm.add(
        "GET",
        r".*/billingAccounts/5e3a1c2d(:|%3A)4b2f9c1e_2019-05-31/billingProfiles",
        Reply(200, {"value": [{"name": "KX7Q", "properties": {"displayName": "EU billing"}}]}),
    )
    arm.add(
        "GET",
        r".*/billingProfiles/KX7Q/invoiceSections",
        Reply(200, {"value": [{"name": "PL4T", "properties": {"displayName": "Platform"}}]}),
    )
    arm.add("GET", r"/providers/Microsoft\.Management/managementGroups", DENIED)
    subscription = {
        "subscriptionId": SUB,
        "displayName": "Contoso Production",
        "subscriptionPolicies": {"quotaId": "EnterpriseAgreement_2014-09-01"},
    }
    arm.add("GET", r"/subscriptions", Reply(200, {"value": [subscription]}))
    arm.add("GET", rf"/subscriptions/{SUB}/resourcegroups", Reply(200, {"value": [{"name": "rg-web", "location": "westeurope"}]}))


def test_discovery_lists_every_scope_kind_and_skips_what_is_denied_quietly(arm: FakeArm, connection: Connection) -> None:
    _serve_tenant(arm)
    found = discover(Clients(connection.credential, connection.settings))
    by_id = {c.scope.id: c for c in found.choices}
    ea = "/providers/Microsoft.Billing/billingAccounts/70664866"
    mca = f"/providers/Microsoft.Billing/billingAccounts/{MCA}"
    assert by_id[ea].agreement is Agreement.EA
    assert by_id[f"{ea}/departments/1234"].scope.kind is ScopeKind.DEPARTMENT
    assert by_id[mca].agreement is Agreement.MCA
    assert by_id[f"{mca}/billingProfiles/KX7Q"].scope.name == "EU billing"
    assert by_id[f"{mca}/billingProfiles/KX7Q/invoiceSections/PL4T"].scope.kind is ScopeKind.INVOICE_SECTION
    assert by_id[f"/subscriptions/{SUB}"].agreement is Agreement.EA
    group = by_id[f"/subscriptions/{SUB}/resourceGroups/rg-web"]
    assert group.label == "Resource group: rg-web (Contoso Production) [EA]"
    assert len(found.choices) == 7
    assert sorted(found.skipped) == [
        "enrollmentAccounts of Contoso EA: not available to this identity (HTTP 403)",
        "management groups: not available to this identity (HTTP 403)",
    ]
    assert found.hints == []
    assert all(r.headers["authorization"].startswith("Bearer ") for r in arm.requests)


def test_empty_discovery_says_which_role_would_show_more(arm: FakeArm, connection: Connection) -> None:
    arm.add("GET", r"/providers/Microsoft\.Billing/billingAccounts", Reply(200, {"value": []}))
    arm.add("GET", r"/providers/Microsoft\.Management/managementGroups", Reply(200, {"value": []}))
    arm.add("GET", r"/subscriptions", Reply(200, {"value": []}))
    found = discover(Clients(connection.credential, connection.settings))
    assert found.choices == []
    assert any("Cost Management Reader" in h for h in found.hints)
    assert any("billing profile" in h and "enterprise administrator" in h for h in found.hints)


def test_pasted_scope_ids_are_normalised_and_recognised() -> None:
    assert normalize_scope(f" subscriptions/{SUB}/ ") == f"/subscriptions/{SUB}"
    assert scope_kind(f"/subscriptions/{SUB}/resourceGroups/rg") is ScopeKind.RESOURCE_GROUP
    assert scope_kind("/providers/Microsoft.Management/managementGroups/root") is ScopeKind.MANAGEMENT_GROUP
    assert scope_kind("/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2") is ScopeKind.ENROLLMENT_ACCOUNT
    assert agreement_of("/providers/Microsoft.Billing/billingAccounts/70664866") is Agreement.EA
    assert agreement_of("/providers/Microsoft.Billing/billingAccounts/x/billingProfiles/y") is Agreement.MCA
    assert agreement_of(f"/subscriptions/{SUB}") is Agreement.UNKNOWN
    with pytest.raises(ScopeIdError):
        scope_kind("/subscriptions")
    with pytest.raises(ScopeIdError):
        scope_kind("hello world")
