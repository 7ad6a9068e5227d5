"""Every label the pages and the command line show for a data value (sources, metrics, dimensions, scopes, agreements), defined once.

Labels are marked for translation here (``N_``) and translated where they are shown (``_``), in the reader's language.
"""

from __future__ import annotations

import re

from lib.core import i18n
from lib.core.dataset import Dataset
from lib.core.i18n import N_, _
from lib.core.models import SCOPE_KIND_LABELS, Agreement, Metric, Scope
from lib.core.schema import TAG_PREFIX, Col

METRIC_LABELS = {Metric.ACTUAL.value: N_("Actual"), Metric.AMORTIZED.value: N_("Amortized")}
DIMENSION_LABELS = {
    Col.SERVICE: N_("Service"),
    Col.RESOURCE_GROUP: N_("Resource group"),
    Col.SUBSCRIPTION_NAME: N_("Subscription"),
    Col.LOCATION: N_("Location"),
    Col.CHARGE_TYPE: N_("Charge type"),
    Col.PRICING_MODEL: N_("Pricing model"),
    Col.METER: N_("Meter"),
}
# Dimensions only live Azure groups by (the sidebar's filters use DIMENSIONS).
MORE_DIMENSION_LABELS = {
    Col.SUBSCRIPTION_ID: N_("Subscription id"),
    Col.RESOURCE_ID: N_("Resource"),
    Col.INVOICE_ID: N_("Invoice"),
    Col.BILLING_PROFILE: N_("Billing profile"),
    Col.INVOICE_SECTION: N_("Invoice section"),
}
AGREEMENT_LABELS = {
    Agreement.EA: N_("Enterprise Agreement (EA)"),
    Agreement.MCA: N_("Microsoft Customer Agreement (MCA)"),
    Agreement.MOSP: N_("Microsoft Online Subscription Program (pay-as-you-go)"),
    Agreement.MPA: N_("Microsoft Partner Agreement (CSP)"),
    Agreement.UNKNOWN: N_("Unknown agreement"),
}
# Names of the file layouts (lib.ingest.dialects) that have a translation; others are described by agreement.
FORMAT_NAMES = (
    N_("Microsoft Customer Agreement cost details"),
    N_("EA / pay-as-you-go cost details (portal Usage + charges download, Cost Details API)"),
    N_("EA cost and usage details export"),
    N_("Microsoft Customer Agreement usage and charges (download, export, Cost Details API)"),
    N_("Pay-as-you-go usage-only export (legacy Consumption layout)"),
    N_("FOCUS cost and usage export"),
    N_("Azure usage file in an unrecognised layout"),
)
# The estimate's method as lib.analysis.estimate words it, and the translatable form of each.
ESTIMATE_METHODS = (
    (re.compile(r"average of the same weekday over the last (\d+) days"), N_("average of the same weekday over the last {days} days")),
    (re.compile(r"daily average over the last (\d+) days"), N_("daily average over the last {days} days")),
    (
        re.compile(r"weekday rhythm on a damped trend over the last (\d+) days"),
        N_("weekday rhythm on a damped trend over the last {days} days"),
    ),
)


def dimension_label(group_by: str) -> str:
    """Human name of a group-by choice, in the reader's language."""
    if group_by.startswith(TAG_PREFIX):
        return _("Tag '{key}'").format(key=group_by[len(TAG_PREFIX) :])
    try:
        col = Col(group_by)
    except ValueError:
        return group_by
    found = DIMENSION_LABELS.get(col) or MORE_DIMENSION_LABELS.get(col)
    return _(found) if found else group_by


def dimension_in_text(group_by: str) -> str:
    """A group-by choice's name inside a sentence ("Cost by service", "Cost by tag 'costCenter'"): the app's own words
    in lower case, a tag key as the data writes it (never lower-cased: 'costCenter' stays 'costCenter')."""
    if group_by.startswith(TAG_PREFIX):
        return _("tag '{key}'").format(key=group_by[len(TAG_PREFIX) :])
    return dimension_label(group_by).lower()


def scope_label(scope: Scope) -> str:
    """``Subscription: Contoso Production`` in the reader's language (the name is the data's)."""
    return _("{kind}: {name}").format(kind=_(SCOPE_KIND_LABELS[scope.kind]), name=scope.name)


def agreement_label(agreement: Agreement) -> str:
    """The agreement's name in the reader's language."""
    return _(AGREEMENT_LABELS.get(agreement, AGREEMENT_LABELS[Agreement.UNKNOWN]))


def format_label(dataset: Dataset) -> str:
    """The data set's file layout in the reader's language; described by its agreement when untranslated."""
    if i18n.is_translated(dataset.format):
        return _(dataset.format)
    return agreement_label(dataset.agreement)


def estimate_method(method: str) -> str:
    """The estimate's method (worded by ``lib.analysis.estimate`` in English) in the reader's language."""
    for pattern, message in ESTIMATE_METHODS:
        found = pattern.fullmatch(method)
        if found:
            if found.group(1) == "1":  # not "over the last 1 days"
                return _("the cost of the one day with data")
            return _(message).format(days=found.group(1))
    return method
