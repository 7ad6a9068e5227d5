"""Small immutable value objects shared by sources, aggregates and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from lib.core.i18n import N_


class Metric(StrEnum):
    """Which cost view: actual (as invoiced) or amortized (reservations spread over their term)."""

    ACTUAL = "actual"
    AMORTIZED = "amortized"


class Agreement(StrEnum):
    """Billing agreement types; they decide who may see charges and which APIs exist."""

    EA = "EA"
    MCA = "MCA"
    MOSP = "MOSP"
    MPA = "MPA"
    UNKNOWN = "Unknown"


class ScopeKind(StrEnum):
    """Kinds of Cost Management scope, as Azure names them."""

    BILLING_ACCOUNT = "billingAccount"
    BILLING_PROFILE = "billingProfile"
    INVOICE_SECTION = "invoiceSection"
    DEPARTMENT = "department"
    ENROLLMENT_ACCOUNT = "enrollmentAccount"
    MANAGEMENT_GROUP = "managementGroup"
    SUBSCRIPTION = "subscription"
    RESOURCE_GROUP = "resourceGroup"


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive date range, ``start`` to ``end``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        """Return whether ``day`` falls inside the period."""
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Scope:
    """A Cost Management scope: its ARM id, a display name and its kind.

    ``match`` holds canonical column → value pairs that select this scope's rows from a data
    set that covers a wider scope (demo and files); live Azure queries the scope itself.
    """

    id: str
    name: str
    kind: ScopeKind
    match: tuple[tuple[str, str], ...] = field(default=())

    @property
    def label(self) -> str:
        """Human label such as ``Subscription: Contoso Production``."""
        return f"{SCOPE_KIND_LABELS[self.kind]}: {self.name}"


# Marked for translation: shown through ``_()`` (``lib.core.labels.scope_label``); English in ``Scope.label``.
SCOPE_KIND_LABELS: dict[ScopeKind, str] = {
    ScopeKind.BILLING_ACCOUNT: N_("Billing account"),
    ScopeKind.BILLING_PROFILE: N_("Billing profile"),
    ScopeKind.INVOICE_SECTION: N_("Invoice section"),
    ScopeKind.DEPARTMENT: N_("Department"),
    ScopeKind.ENROLLMENT_ACCOUNT: N_("Enrollment account"),
    ScopeKind.MANAGEMENT_GROUP: N_("Management group"),
    ScopeKind.SUBSCRIPTION: N_("Subscription"),
    ScopeKind.RESOURCE_GROUP: N_("Resource group"),
}
