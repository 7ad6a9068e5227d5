"""Cost Management scope ids: normalising, recognising their kind, and discovering what a user may pick.

Discovery asks several APIs; each one this identity may not use is skipped quietly and noted, and
an empty list says which role would show more.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from azure.core.exceptions import AzureError

from lib.azure.clients import Clients
from lib.azure.throttle import ThrottledError
from lib.azure.wire import get_field as _get
from lib.core.i18n import N_, _
from lib.core.models import Agreement, Scope, ScopeKind

MAX_SUBSCRIPTIONS_FOR_GROUPS = 25  # resource groups are listed for this many subscriptions (one call each)

AGREEMENT_NAMES: dict[str, Agreement] = {
    "enterpriseagreement": Agreement.EA,
    "microsoftcustomeragreement": Agreement.MCA,
    "microsoftonlineservicesprogram": Agreement.MOSP,
    "microsoftpartneragreement": Agreement.MPA,
}

_SEGMENT_KINDS: tuple[tuple[str, ScopeKind], ...] = (
    ("resourcegroups", ScopeKind.RESOURCE_GROUP),
    ("invoicesections", ScopeKind.INVOICE_SECTION),
    ("billingprofiles", ScopeKind.BILLING_PROFILE),
    ("departments", ScopeKind.DEPARTMENT),
    ("enrollmentaccounts", ScopeKind.ENROLLMENT_ACCOUNT),
    ("managementgroups", ScopeKind.MANAGEMENT_GROUP),
    ("subscriptions", ScopeKind.SUBSCRIPTION),
    ("billingaccounts", ScopeKind.BILLING_ACCOUNT),
)
_MCA_ACCOUNT = re.compile(r"^[0-9a-f-]{36}:[0-9a-f-]{36}_\d{4}-\d{2}-\d{2}$", re.IGNORECASE)


class ScopeIdError(ValueError):
    """A pasted text is not a Cost Management scope id."""


def normalize_scope(scope_id: str) -> str:
    """``/`` + the id without surrounding slashes (a trailing slash makes the SDK send ``//providers``)."""
    text = scope_id.strip().strip("/")
    if not text:
        raise ScopeIdError(_("the scope id is empty"))
    return "/" + text


def _segments(scope_id: str) -> list[str]:
    return normalize_scope(scope_id).strip("/").split("/")


def scope_kind(scope_id: str) -> ScopeKind:
    """The kind of scope an id names (the last recognised segment wins).

    Raises:
        ScopeIdError: when the id names no Cost Management scope.
    """
    parts = _segments(scope_id)
    keys = [p.lower() for p in parts]
    for segment, kind in _SEGMENT_KINDS:
        if segment in keys:
            index = len(keys) - 1 - keys[::-1].index(segment)
            if index + 1 < len(parts) and (index + 2 == len(parts) or kind is not ScopeKind.SUBSCRIPTION):
                return kind
    raise ScopeIdError(
        _(
            "{value} is not a Cost Management scope id: expected e.g. /subscriptions/GUID, "
            "/subscriptions/GUID/resourceGroups/NAME, /providers/Microsoft.Management/managementGroups/ID or "
            "/providers/Microsoft.Billing/billingAccounts/ID[/billingProfiles/ID|/departments/ID|/enrollmentAccounts/ID]"
        ).format(value=repr(scope_id))
    )


def segment_value(scope_id: str, segment: str) -> str | None:
    """The value after ``segment`` (case-insensitive) in a scope id."""
    parts = _segments(scope_id)
    keys = [p.lower() for p in parts]
    if segment.lower() in keys:
        index = keys.index(segment.lower())
        if index + 1 < len(parts):
            return parts[index + 1]
    return None


def agreement_of(scope_id: str) -> Agreement:
    """The agreement a billing scope id implies (``UNKNOWN`` for RBAC scopes)."""
    kind = scope_kind(scope_id)
    if kind in (ScopeKind.DEPARTMENT, ScopeKind.ENROLLMENT_ACCOUNT):
        return Agreement.EA
    if kind in (ScopeKind.BILLING_PROFILE, ScopeKind.INVOICE_SECTION):
        return Agreement.MCA
    if "customers" in [p.lower() for p in _segments(scope_id)]:
        return Agreement.MPA
    if kind is ScopeKind.BILLING_ACCOUNT:
        account = segment_value(scope_id, "billingAccounts") or ""
        if account.isdigit():
            return Agreement.EA
        if _MCA_ACCOUNT.match(account):
            return Agreement.MCA
    return Agreement.UNKNOWN


def scope_from_id(scope_id: str, name: str | None = None) -> Scope:
    """A ``Scope`` for a pasted id; ``match`` stays empty because the query is made at the scope itself."""
    normalized = normalize_scope(scope_id)
    kind = scope_kind(normalized)
    return Scope(normalized, name or normalized.rsplit("/", 1)[-1], kind)


@dataclass(frozen=True)
class ScopeChoice:
    """One entry of the scope picker."""

    scope: Scope
    agreement: Agreement = Agreement.UNKNOWN
    parent: str = ""

    @property
    def label(self) -> str:
        """Picker label, e.g. ``Resource group: rg-web (Contoso Production)``."""
        suffix = f" ({self.parent})" if self.parent else ""
        agreement = f" [{self.agreement}]" if self.agreement is not Agreement.UNKNOWN else ""
        return f"{self.scope.label}{suffix}{agreement}"


@dataclass
class Discovery:
    """What discovery found, what it skipped and hints for empty results."""

    choices: list[ScopeChoice] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)


def _agreement(value: Any) -> Agreement:
    return AGREEMENT_NAMES.get(str(value or "").replace(" ", "").lower(), Agreement.UNKNOWN)


def _quota_agreement(quota_id: Any) -> Agreement:
    # Only the EA quota id says the agreement for sure; MCA and pay-as-you-go share quota ids.
    return Agreement.EA if str(quota_id or "").lower().startswith("enterpriseagreement") else Agreement.UNKNOWN


def _attempt(what: str, discovery: Discovery, call: Callable[[], Iterable[Any]]) -> list[Any]:
    try:
        return list(call())
    except (AzureError, ThrottledError) as error:
        status = getattr(error, "status_code", None)
        discovery.skipped.append(_("{what}: not available to this identity").format(what=what) + (f" (HTTP {status})" if status else ""))
        return []


def _resource_groups(clients: Clients, subscription_id: str) -> Iterable[Any]:
    return clients.resources(subscription_id).resource_groups.list()  # type: ignore[no-any-return]


def _discover_subscriptions(clients: Clients, discovery: Discovery) -> None:
    subscriptions = _attempt(_("subscriptions"), discovery, lambda: clients.subscriptions().subscriptions.list())
    if not subscriptions:
        discovery.hints.append(
            _("No subscriptions are visible: the Reader or Cost Management Reader role on a subscription shows it here.")
        )
    for index, sub in enumerate(subscriptions):
        sub_id = _get(sub, "subscriptionId")
        if not sub_id:
            continue
        name = _get(sub, "displayName") or sub_id
        agreement = _quota_agreement(_get(sub, "subscriptionPolicies", "quotaId"))
        discovery.choices.append(ScopeChoice(Scope(f"/subscriptions/{sub_id}", name, ScopeKind.SUBSCRIPTION), agreement))
        if index >= MAX_SUBSCRIPTIONS_FOR_GROUPS:
            continue
        groups = _attempt(_("resource groups of {name}").format(name=name), discovery, partial(_resource_groups, clients, sub_id))
        for group in groups:
            group_name = _get(group, "name")
            if group_name:
                scope = Scope(f"/subscriptions/{sub_id}/resourceGroups/{group_name}", group_name, ScopeKind.RESOURCE_GROUP)
                discovery.choices.append(ScopeChoice(scope, agreement, name))
    if len(subscriptions) > MAX_SUBSCRIPTIONS_FOR_GROUPS + 1:
        discovery.hints.append(
            _(
                "Resource groups are listed for the first {listed} of {count} subscriptions; paste a resource group's id for the others."
            ).format(listed=MAX_SUBSCRIPTIONS_FOR_GROUPS + 1, count=len(subscriptions))
        )


def _discover_management_groups(clients: Clients, discovery: Discovery) -> None:
    groups = _attempt(_("management groups"), discovery, lambda: clients.management_groups().management_groups.list())
    for group in groups:
        group_id = _get(group, "name")
        if group_id:
            name = _get(group, "properties", "displayName") or group_id
            scope = Scope(f"/providers/Microsoft.Management/managementGroups/{group_id}", name, ScopeKind.MANAGEMENT_GROUP)
            discovery.choices.append(ScopeChoice(scope, Agreement.EA))


# What discovery lists under an EA billing account, by the scope id's segment (Azure's own names).
_EA_CHILDREN = {"departments": N_("departments of {name}"), "enrollmentAccounts": N_("enrollmentAccounts of {name}")}


def _billing_children(clients: Clients, discovery: Discovery, account_id: str, account_name: str, agreement: Agreement) -> None:
    billing = clients.billing()
    base = f"/providers/Microsoft.Billing/billingAccounts/{account_id}"
    if agreement is Agreement.EA:
        for kind, segment, operations in (
            (ScopeKind.DEPARTMENT, "departments", billing.departments),
            (ScopeKind.ENROLLMENT_ACCOUNT, "enrollmentAccounts", billing.enrollment_accounts),
        ):
            what = _(_EA_CHILDREN[segment]).format(name=account_name)
            for item in _attempt(what, discovery, partial(operations.list_by_billing_account, account_id)):
                name = _get(item, "name")
                if name:
                    label = _get(item, "properties", "displayName") or name
                    discovery.choices.append(ScopeChoice(Scope(f"{base}/{segment}/{name}", label, kind), agreement, account_name))
    elif agreement in (Agreement.MCA, Agreement.MPA):
        profiles = _attempt(
            _("billing profiles of {name}").format(name=account_name),
            discovery,
            lambda: billing.billing_profiles.list_by_billing_account(account_id),
        )
        for profile in profiles:
            profile_id = _get(profile, "name")
            if not profile_id:
                continue
            profile_name = _get(profile, "properties", "displayName") or profile_id
            profile_scope = Scope(f"{base}/billingProfiles/{profile_id}", profile_name, ScopeKind.BILLING_PROFILE)
            discovery.choices.append(ScopeChoice(profile_scope, agreement, account_name))
            sections = _attempt(
                _("invoice sections of {name}").format(name=profile_name),
                discovery,
                partial(billing.invoice_sections.list_by_billing_profile, account_id, profile_id),
            )
            for section in sections:
                section_id = _get(section, "name")
                if section_id:
                    label = _get(section, "properties", "displayName") or section_id
                    scope = Scope(f"{profile_scope.id}/invoiceSections/{section_id}", label, ScopeKind.INVOICE_SECTION)
                    discovery.choices.append(ScopeChoice(scope, agreement, profile_name))


def _discover_billing(clients: Clients, discovery: Discovery) -> None:
    accounts = _attempt(_("billing accounts"), discovery, lambda: clients.billing().billing_accounts.list())
    if not accounts:
        discovery.hints.append(
            _(
                "No billing accounts are visible: a billing role shows them (EA: enterprise administrator or read-only; "
                "MCA: billing account or billing profile owner, contributor or reader)."
            )
        )
    for account in accounts:
        account_id = _get(account, "name")
        if not account_id:
            continue
        name = _get(account, "properties", "displayName") or account_id
        agreement = _agreement(_get(account, "properties", "agreementType"))
        scope = Scope(f"/providers/Microsoft.Billing/billingAccounts/{account_id}", name, ScopeKind.BILLING_ACCOUNT)
        discovery.choices.append(ScopeChoice(scope, agreement))
        _billing_children(clients, discovery, account_id, name, agreement)


def discover(clients: Clients) -> Discovery:
    """List the scopes this identity can pick: billing scopes first, then management groups, subscriptions and groups."""
    discovery = Discovery()
    _discover_billing(clients, discovery)
    _discover_management_groups(clients, discovery)
    _discover_subscriptions(clients, discovery)
    return discovery
