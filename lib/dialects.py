"""Declarative alias maps: one per input dialect, from its headers onto ``lib.schema.Col``.

Header cells are compared after ``header_key`` (BOM stripped, a localised ``Name (English)``
reduced to the English name, spaces, ``-`` and ``_`` removed, lower-cased), so each alias is
written once in that form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from lib.models import Agreement
from lib.schema import Col

_LOCALISED = re.compile(r"\(([^()]+)\)\s*$")
_SEPARATORS = re.compile(r"[\s_\-]+")


def header_key(cell: str) -> str:
    """Return the comparison key of a header cell (``'Ressourcengruppe (ResourceGroup)'`` → ``'resourcegroup'``)."""
    text = cell.replace("\ufeff", "").strip().strip('"')
    localised = _LOCALISED.search(text)
    if localised and text[: localised.start()].strip():
        text = localised.group(1)
    return _SEPARATORS.sub("", text).lower()


@dataclass(frozen=True)
class Dialect:
    """How one file layout maps onto the canonical schema.

    ``columns`` maps each canonical column to header keys, best first; ``signature`` lists header
    keys that must all be present for the dialect to match; ``currency`` is used when the layout
    has no currency column.
    """

    id: str
    name: str
    agreement: Agreement
    signature: tuple[str, ...]
    columns: Mapping[Col, tuple[str, ...]]
    currency: str | None = None
    usd_columns: tuple[str, ...] = field(default=())

    def source_column(self, headers: Mapping[str, str], col: Col) -> str | None:
        """Return the header in ``headers`` (key → original cell) that feeds ``col``, if any."""
        for alias in self.columns.get(col, ()):
            if alias in headers:
                return headers[alias]
        return None


MCA_COLUMNS: Final[Mapping[Col, tuple[str, ...]]] = {
    Col.CHARGE_DATE: ("date",),
    Col.BILLING_PERIOD_START: ("billingperiodstartdate",),
    Col.INVOICE_ID: ("invoiceid",),
    Col.BILLING_CURRENCY: ("billingcurrency", "billingcurrencycode"),
    Col.COST: ("costinbillingcurrency",),
    Col.COST_USD: ("costinusd",),
    Col.SERVICE: ("metercategory",),
    Col.METER: ("metername",),
    Col.SUBSCRIPTION_ID: ("subscriptionid", "subscriptionguid"),
    Col.SUBSCRIPTION_NAME: ("subscriptionname",),
    Col.RESOURCE_GROUP: ("resourcegroupname", "resourcegroup"),
    Col.RESOURCE_ID: ("resourceid", "instancename"),
    Col.LOCATION: ("resourcelocation", "location"),
    Col.CHARGE_TYPE: ("chargetype",),
    Col.PRICING_MODEL: ("pricingmodel",),
    Col.QUANTITY: ("quantity",),
    Col.UNIT: ("unitofmeasure",),
    Col.BILLING_PROFILE: ("billingprofilename",),
    Col.INVOICE_SECTION: ("invoicesectionname",),
    Col.TAGS: ("tags",),
}

MCA_2023_12_01_PREVIEW: Final = Dialect(
    id="mca-2023-12-01-preview",
    name="Microsoft Customer Agreement cost details",
    agreement=Agreement.MCA,
    signature=("invoiceid", "billingprofileid", "costinbillingcurrency", "costinusd"),
    columns=MCA_COLUMNS,
)

# The newest native MCA layout ("version 2"): the Cost Details API and exports 2023-12-01-preview.
MCA_V2_HEADER: Final[tuple[str, ...]] = (
    "invoiceId", "previousInvoiceId", "billingAccountId", "billingAccountName", "billingProfileId",
    "billingProfileName", "invoiceSectionId", "invoiceSectionName", "resellerName", "resellerMpnId",
    "costCenter", "billingPeriodEndDate", "billingPeriodStartDate", "servicePeriodEndDate",
    "servicePeriodStartDate", "date", "serviceFamily", "productOrderId", "productOrderName",
    "consumedService", "meterId", "meterName", "meterCategory", "meterSubCategory", "meterRegion",
    "ProductId", "ProductName", "SubscriptionId", "subscriptionName", "publisherType", "publisherId",
    "publisherName", "resourceGroupName", "ResourceId", "resourceLocation", "location",
    "effectivePrice", "quantity", "unitOfMeasure", "chargeType", "billingCurrency",
    "pricingCurrency", "costInBillingCurrency", "costInPricingCurrency", "costInUsd",
    "paygCostInBillingCurrency", "paygCostInUsd", "exchangeRatePricingToBilling",
    "exchangeRateDate", "isAzureCreditEligible", "serviceInfo1", "serviceInfo2", "additionalInfo",
    "tags", "PayGPrice", "frequency", "term", "reservationId", "reservationName", "pricingModel",
    "unitPrice", "costAllocationRuleName", "benefitId", "benefitName", "provider",
)  # fmt: skip

# Every dialect the loaders know, most specific first. lib.formats extends detection with the
# file layouts; the demo source uses MCA_2023_12_01_PREVIEW directly.
DIALECTS: list[Dialect] = [MCA_2023_12_01_PREVIEW]
