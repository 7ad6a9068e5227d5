"""Who may view usage and charges, by agreement type, from Azure's own rules.

The texts are English message ids marked with ``N_`` (the catalogues in ``locale/`` hold the
Dutch, in the terms of Azure's own Dutch pages); pages show them through ``_()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.core.i18n import N_
from lib.core.models import Agreement


@dataclass(frozen=True)
class AccessRule:
    """Who can see charges under one agreement type, and what to do without access."""

    agreement: Agreement
    title: str
    roles: tuple[str, ...]
    where: str
    when_missing: str


ACCESS_RULES: dict[Agreement, AccessRule] = {
    Agreement.EA: AccessRule(
        Agreement.EA,
        N_("Enterprise Agreement (EA)"),
        (
            N_("Enterprise administrator"),
            N_('Account owner, when the enterprise administrator has enabled the "Account owner can view charges" policy'),
            N_('Department administrator, when the "Department admin can view charges" policy is enabled'),
        ),
        N_("Cost Management + Billing → Billing scopes → the enrollment → Usage + charges."),
        N_(
            "Ask an enterprise administrator of the enrollment to enable the view-charges policy for your role, "
            "or to give you the enterprise administrator (read only) role."
        ),
    ),
    Agreement.MCA: AccessRule(
        Agreement.MCA,
        N_("Microsoft Customer Agreement (MCA)"),
        (
            N_("Billing account owner"),
            N_("Billing account contributor"),
            N_("Billing account reader"),
            N_("Billing profile owner"),
            N_("Billing profile contributor"),
            N_("Billing profile reader"),
            N_("Invoice manager"),
        ),
        N_("Cost Management + Billing → Billing scopes → the billing profile → Invoices → Azure usage and charges."),
        N_(
            "Ask a billing account or billing profile owner to give you the billing profile reader role "
            "(or invoice manager) on the billing profile."
        ),
    ),
    Agreement.MOSP: AccessRule(
        Agreement.MOSP,
        N_("Microsoft Online Subscription Program (pay-as-you-go)"),
        (N_("Account administrator"),),
        N_("Cost Management + Billing → Subscriptions → the subscription → Invoices → Download usage."),
        N_(
            "Only the account administrator can download usage in the portal; other people with the Billing "
            "Reader, Reader or Cost Management Reader role on the subscription can read cost through the Cost "
            "Management APIs (the dashboard's live Azure source)."
        ),
    ),
    Agreement.MPA: AccessRule(
        Agreement.MPA,
        N_("Microsoft Partner Agreement (CSP)"),
        (N_("Global admin or admin agent in the partner tenant"), N_("Billing admin in the partner tenant")),
        N_("Partner Center, or Cost Management at the billing account / customer scope."),
        N_("Ask the partner to enable cost visibility for customers, or to grant you a billing role in Partner Center."),
    ),
}


def rule_for(agreement: Agreement) -> AccessRule | None:
    """The access rule for ``agreement`` (``None`` when the agreement is unknown)."""
    return ACCESS_RULES.get(agreement)
