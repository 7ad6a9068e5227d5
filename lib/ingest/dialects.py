"""Declarative alias maps: one per input dialect, from its headers onto ``lib.core.schema.Col``.

Header cells are compared after ``header_key`` (BOM stripped, a localised ``Name (English)``
reduced to the English name, spaces, ``-`` and ``_`` removed, lower-cased), so each alias is
written once in that form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from lib.core.models import Agreement
from lib.core.schema import Col


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


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
    has no currency column. ``header`` is the documented header (original spelling and order)
    that file detection compares against, ``family`` groups the versions of one layout and
    ``schema_version`` names the version as Azure does.
    """

    id: str
    name: str
    agreement: Agreement
    signature: tuple[str, ...]
    columns: Mapping[Col, tuple[str, ...]]
    currency: str | None = None
    usd_columns: tuple[str, ...] = field(default=())
    schema_version: str = ""
    header: tuple[str, ...] = field(default=())
    family: str = ""

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

MCA_2023_12_01_PREVIEW: Final = Dialect(
    id="mca-2023-12-01-preview",
    name="Microsoft Customer Agreement cost details",
    agreement=Agreement.MCA,
    signature=("invoiceid", "billingprofileid", "costinbillingcurrency", "costinusd"),
    columns=MCA_COLUMNS,
    schema_version="2023-12-01-preview",
    header=MCA_V2_HEADER,
    family="mca",
)


# Documented headers of every file layout, original spelling and order (Microsoft's dataset-schema
# docs and real files; see docs/reading-files.md). Detection compares header keys against these.
HEADER_EA_COSTDETAILS_PORTAL: Final[tuple[str, ...]] = _split(
    "BillingAccountId,BillingAccountName,BillingPeriodStartDate,BillingPeriodEndDate,BillingProfileId,"
    "BillingProfileName,AccountOwnerId,AccountName,SubscriptionId,SubscriptionName,Date,Product,PartNumber,MeterId,"
    "ServiceFamily,MeterCategory,MeterSubCategory,MeterRegion,MeterName,Quantity,EffectivePrice,Cost,UnitPrice,"
    "BillingCurrency,ResourceLocation,AvailabilityZone,ConsumedService,ResourceId,ResourceName,ServiceInfo1,"
    "ServiceInfo2,AdditionalInfo,Tags,InvoiceSectionId,InvoiceSection,CostCenter,UnitOfMeasure,ResourceGroup,"
    "ReservationId,ReservationName,ProductOrderId,ProductOrderName,OfferId,IsAzureCreditEligible,Term,"
    "PublisherName,PlanName,ChargeType,Frequency,PublisherType,PayGPrice,PricingModel,CostAllocationRuleName,"
    "benefitId,benefitName"
)
HEADER_EA_USAGE_2024_08_01: Final[tuple[str, ...]] = _split(
    "InvoiceSectionName,AccountName,AccountOwnerId,SubscriptionId,SubscriptionName,ResourceGroup,ResourceLocation,"
    "Date,ProductName,MeterCategory,MeterSubCategory,MeterId,MeterName,MeterRegion,UnitOfMeasure,Quantity,"
    "EffectivePrice,CostInBillingCurrency,CostCenter,ConsumedService,ResourceId,Tags,OfferId,AdditionalInfo,"
    "ServiceInfo1,ServiceInfo2,ResourceName,ReservationId,ReservationName,UnitPrice,ProductOrderId,"
    "ProductOrderName,Term,PublisherType,PublisherName,ChargeType,Frequency,PricingModel,AvailabilityZone,"
    "BillingAccountId,BillingAccountName,BillingCurrencyCode,BillingPeriodStartDate,BillingPeriodEndDate,"
    "BillingProfileId,BillingProfileName,InvoiceSectionId,IsAzureCreditEligible,PartNumber,PayGPrice,PlanName,"
    "ServiceFamily,CostAllocationRuleName,benefitId,benefitName,AccountId,ResourceLocationNormalized"
)
HEADER_EA_USAGE_2023_12_01_PREVIEW: Final[tuple[str, ...]] = _split(
    "InvoiceSectionName,AccountName,AccountOwnerId,SubscriptionId,SubscriptionName,ResourceGroup,ResourceLocation,"
    "Date,ProductName,MeterCategory,MeterSubCategory,MeterId,MeterName,MeterRegion,UnitOfMeasure,Quantity,"
    "EffectivePrice,CostInBillingCurrency,CostCenter,ConsumedService,ResourceId,Tags,OfferId,AdditionalInfo,"
    "ServiceInfo1,ServiceInfo2,ResourceName,ReservationId,ReservationName,UnitPrice,ProductOrderId,"
    "ProductOrderName,Term,PublisherType,PublisherName,ChargeType,Frequency,PricingModel,AvailabilityZone,"
    "BillingAccountId,BillingAccountName,BillingCurrencyCode,BillingPeriodStartDate,BillingPeriodEndDate,"
    "BillingProfileId,BillingProfileName,InvoiceSectionId,IsAzureCreditEligible,PartNumber,PayGPrice,PlanName,"
    "ServiceFamily,CostAllocationRuleName,benefitId,benefitName"
)
HEADER_EA_USAGE_2021_10_01_DOC_ORDER: Final[tuple[str, ...]] = _split(
    "CostInBillingCurrency,AccountName,AccountOwnerId,ProductName,ConsumedService,InvoiceSectionName,"
    "SubscriptionId,SubscriptionName,Date,MeterId,MeterCategory,MeterSubCategory,MeterRegion,MeterName,Quantity,"
    "ResourceLocation,ResourceId,ServiceInfo1,ServiceInfo2,AdditionalInfo,Tags,CostCenter,UnitOfMeasure,"
    "ResourceGroup,PartNumber,OfferId,ChargeType,EffectivePrice,UnitPrice,ReservationId,ReservationName,"
    "ResourceName,ProductOrderId,ProductOrderName,PlanName,PublisherName,PublisherType,Term,BillingAccountId,"
    "BillingAccountName,BillingProfileName,BillingProfileId,BillingCurrencyCode,ServiceFamily,Frequency,"
    "IsAzureCreditEligible,PayGPrice,PricingModel,BillingPeriodStartDate,BillingPeriodEndDate,AvailabilityZone,"
    "InvoiceSectionId,CostAllocationRuleName,benefitId,benefitName"
)
HEADER_EA_USAGE_2021_01_01: Final[tuple[str, ...]] = _split(
    "InvoiceSectionName,AccountName,AccountOwnerId,SubscriptionId,SubscriptionName,ResourceGroup,ResourceLocation,"
    "Date,ProductName,MeterCategory,MeterSubCategory,MeterId,MeterName,MeterRegion,UnitOfMeasure,Quantity,"
    "EffectivePrice,CostInBillingCurrency,CostCenter,ConsumedService,ResourceId,Tags,OfferId,AdditionalInfo,"
    "ServiceInfo1,ServiceInfo2,ResourceName,ReservationId,ReservationName,UnitPrice,ProductOrderId,"
    "ProductOrderName,Term,PublisherType,PublisherName,ChargeType,Frequency,PricingModel,AvailabilityZone,"
    "BillingAccountId,BillingAccountName,BillingCurrencyCode,BillingPeriodStartDate,BillingPeriodEndDate,"
    "BillingProfileId,BillingProfileName,InvoiceSectionId,IsAzureCreditEligible,PartNumber,PayGPrice,PlanName,"
    "ServiceFamily,CostAllocationRuleName"
)
HEADER_EA_USAGE_2020_01_01: Final[tuple[str, ...]] = _split(
    "InvoiceSectionName,AccountName,AccountOwnerId,SubscriptionId,SubscriptionName,ResourceGroup,ResourceLocation,"
    "Date,ProductName,MeterCategory,MeterSubCategory,MeterId,MeterName,MeterRegion,UnitOfMeasure,Quantity,"
    "EffectivePrice,CostInBillingCurrency,CostCenter,ConsumedService,ResourceId,Tags,OfferId,AdditionalInfo,"
    "ServiceInfo1,ServiceInfo2,ResourceName,ReservationId,ReservationName,UnitPrice,ProductOrderId,"
    "ProductOrderName,Term,PublisherType,PublisherName,ChargeType,Frequency,PricingModel,AvailabilityZone,"
    "BillingAccountId,BillingAccountName,BillingCurrencyCode,BillingPeriodStartDate,BillingPeriodEndDate,"
    "BillingProfileId,BillingProfileName,InvoiceSectionId,IsAzureCreditEligible,PartNumber,PayGPrice,PlanName,"
    "ServiceFamily"
)
HEADER_EA_USAGE_2019_10_01: Final[tuple[str, ...]] = _split(
    "DepartmentName,AccountName,AccountOwnerId,SubscriptionGuid,SubscriptionName,ResourceGroup,ResourceLocation,"
    "UsageDateTime,ProductName,MeterCategory,MeterSubcategory,MeterId,MeterName,MeterRegion,UnitOfMeasure,"
    "UsageQuantity,ResourceRate,PreTaxCost,CostCenter,ConsumedService,ResourceType,InstanceId,Tags,OfferId,"
    "AdditionalInfo,ServiceInfo1,ServiceInfo2"
)
HEADER_MCA_2021_10_01: Final[tuple[str, ...]] = _split(
    "invoiceId,previousInvoiceId,billingAccountId,billingAccountName,billingProfileId,billingProfileName,"
    "invoiceSectionId,invoiceSectionName,resellerName,resellerMpnId,costCenter,billingPeriodEndDate,"
    "billingPeriodStartDate,servicePeriodEndDate,servicePeriodStartDate,date,serviceFamily,productOrderId,"
    "productOrderName,consumedService,meterId,meterName,meterCategory,meterSubCategory,meterRegion,ProductId,"
    "ProductName,SubscriptionId,subscriptionName,publisherType,publisherId,publisherName,resourceGroupName,"
    "ResourceId,resourceLocation,location,effectivePrice,quantity,unitOfMeasure,chargeType,billingCurrency,"
    "pricingCurrency,costInBillingCurrency,costInPricingCurrency,costInUsd,paygCostInBillingCurrency,paygCostInUsd,"
    "exchangeRatePricingToBilling,exchangeRateDate,isAzureCreditEligible,serviceInfo1,serviceInfo2,additionalInfo,"
    "tags,PayGPrice,frequency,term,reservationId,reservationName,PricingModel,unitPrice,costAllocationRuleName,"
    "benefitId,benefitName,provider"
)
HEADER_MCA_2021_01_01: Final[tuple[str, ...]] = _split(
    "invoiceId,previousInvoiceId,billingAccountId,billingAccountName,billingProfileId,billingProfileName,"
    "invoiceSectionId,invoiceSectionName,resellerName,resellerMpnId,costCenter,billingPeriodEndDate,"
    "billingPeriodStartDate,servicePeriodEndDate,servicePeriodStartDate,date,serviceFamily,productOrderId,"
    "productOrderName,consumedService,meterId,meterName,meterCategory,meterSubCategory,meterRegion,ProductId,"
    "ProductName,SubscriptionId,subscriptionName,publisherType,publisherId,publisherName,resourceGroupName,"
    "ResourceId,resourceLocation,location,effectivePrice,quantity,unitOfMeasure,chargeType,billingCurrency,"
    "pricingCurrency,costInBillingCurrency,costInPricingCurrency,costInUsd,paygCostInBillingCurrency,paygCostInUsd,"
    "exchangeRatePricingToBilling,exchangeRateDate,isAzureCreditEligible,serviceInfo1,serviceInfo2,additionalInfo,"
    "tags,PayGPrice,frequency,term,reservationId,reservationName,PricingModel,unitPrice,costAllocationRuleName"
)
HEADER_MCA_2019_11_01: Final[tuple[str, ...]] = _split(
    "invoiceId,previousInvoiceId,billingAccountId,billingAccountName,billingProfileId,billingProfileName,"
    "invoiceSectionId,invoiceSectionName,resellerName,resellerMpnId,costCenter,billingPeriodEndDate,"
    "billingPeriodStartDate,servicePeriodEndDate,servicePeriodStartDate,date,serviceFamily,productOrderId,"
    "productOrderName,consumedService,meterId,meterName,meterCategory,meterSubCategory,meterRegion,ProductId,"
    "product,subscriptionId,subscriptionName,publisherType,publisherId,publisherName,resourceGroupName,"
    "InstanceName,resourceLocation,Location,effectivePrice,quantity,unitOfMeasure,chargeType,billingCurrency,"
    "pricingCurrency,costInBillingCurrency,costInPricingCurrency,costInUsd,paygCostInBillingCurrency,paygCostInUsd,"
    "exchangeRatePricingToBilling,exchangeRateDate,isAzureCreditEligible,serviceInfo1,serviceInfo2,additionalInfo,"
    "tags,payGPrice,frequency,term,reservationId,reservationName,unitPrice"
)
HEADER_MCA_2019_10_01: Final[tuple[str, ...]] = _split(
    "InvoiceID,PreviousInvoiceId,BillingAccountId,BillingAccountName,BillingProfileId,BillingProfileName,"
    "InvoiceSectionId,InvoiceSectionName,ResellerName,ResellerMPNId,CostCenter,BillingPeriodEndDate,"
    "BillingPeriodStartDate,ServicePeriodEndDate,ServicePeriodStartDate,Date,ServiceFamily,ProductOrderId,"
    "ProductOrderName,ConsumedService,MeterId,MeterName,MeterCategory,MeterSubcategory,MeterRegion,ProductId,"
    "Product,SubscriptionGuid,SubscriptionName,PublisherType,PublisherId,PublisherName,ResourceGroup,InstanceName,"
    "ResourceLocation,Location,EffectivePrice,Quantity,UnitOfMeasure,ChargeType,BillingCurrencyCode,"
    "PricingCurrencyCode,CostInBillingCurrency,CostInPricingCurrency,CostInUSD,PaygCostInBillingCurrency,"
    "PaygCostInUSD,ExchangeRate,ExchangeRateDate,IsAzureCreditEligible,ServiceInfo1,ServiceInfo2,AdditionalInfo,"
    "Tags,MarketPrice,Frequency,Term,ReservationId,ReservationName,UnitPrice"
)
HEADER_MPA_PARTNER_CAMEL_OBSERVED: Final[tuple[str, ...]] = _split(
    "billingAccountName,partnerName,resellerName,resellerMpnId,customerTenantId,customerName,costCenter,"
    "billingPeriodEndDate,billingPeriodStartDate,servicePeriodEndDate,servicePeriodStartDate,date,serviceFamily,"
    "productOrderId,productOrderName,consumedService,meterId,meterName,meterCategory,meterSubCategory,meterRegion,"
    "ProductId,ProductName,SubscriptionId,subscriptionName,publisherType,publisherId,publisherName,"
    "resourceGroupName,ResourceId,resourceLocation,location,effectivePrice,quantity,unitOfMeasure,chargeType,"
    "billingCurrency,pricingCurrency,costInBillingCurrency,costInUsd,exchangeRatePricingToBilling,exchangeRateDate,"
    "serviceInfo1,serviceInfo2,additionalInfo,tags,PayGPrice,frequency,term,reservationId,reservationName,"
    "pricingModel"
)
HEADER_PAYG_2019_11_01: Final[tuple[str, ...]] = _split(
    "SubscriptionGuid,ResourceGroup,ResourceLocation,UsageDateTime,MeterCategory,MeterSubcategory,MeterId,"
    "MeterName,MeterRegion,UsageQuantity,ResourceRate,PreTaxCost,ConsumedService,ResourceType,InstanceId,Tags,"
    "OfferId,AdditionalInfo,ServiceInfo1,ServiceInfo2,ServiceName,ServiceTier,Currency,UnitOfMeasure"
)
HEADER_PAYG_LOCALIZED_DE_OBSERVED: Final[tuple[str, ...]] = _split(
    "Abonnement-GUID (SubscriptionGuid),Ressourcengruppe (ResourceGroup),Ressourcenstandort (ResourceLocation),"
    "UsageDateTime (UsageDateTime),Kategorie der Verbrauchseinheit (MeterCategory),"
    "MeterSubcategory (MeterSubcategory),ID der Verbrauchseinheit (MeterId),Name der Verbrauchseinheit (MeterName),"
    "Region der Verbrauchseinheit (MeterRegion),UsageQuantity (UsageQuantity),Ressourcensatz (ResourceRate),"
    "PreTaxCost (PreTaxCost),Genutzter Dienst (ConsumedService),ResourceType (ResourceType),"
    "InstanceId (InstanceId),Tags (Tags),OfferId (OfferId),Zusätzliche Informationen (AdditionalInfo),"
    "Dienstinformation 1 (ServiceInfo1),Dienstinformation 2 (ServiceInfo2),ServiceName,ServiceTier,Currency,"
    "Maßeinheit (UnitOfMeasure)"
)
HEADER_EA_PORTAL_LEGACY_V2: Final[tuple[str, ...]] = _split(
    "AccountOwnerId,Account Name,ServiceAdministratorId,SubscriptionId,SubscriptionGuid,Subscription Name,Date,"
    "Month,Day,Year,Product,Meter ID,Meter Category,Meter Sub-Category,Meter Region,Meter Name,Consumed Quantity,"
    "ResourceRate,ExtendedCost,Resource Location,Consumed Service,Instance ID,ServiceInfo1,ServiceInfo2,"
    "AdditionalInfo,Tags,Store Service Identifier,Department Name,Cost Center,Unit Of Measure,Resource Group"
)
HEADER_ACCOUNT_CENTER_V2_DAILY_USAGE: Final[tuple[str, ...]] = _split(
    "Usage Date,Meter Category,Meter ID,Meter Sub-category,Meter Name,Meter Region,Unit,Consumed Quantity,"
    "Resource Location,Consumed Service,Resource Group,Instance ID,Tags,Additional Info,Service Info 1,"
    "Service Info 2"
)
HEADER_ACCOUNT_CENTER_V2_STATEMENT: Final[tuple[str, ...]] = _split(
    "Billing Period,Meter Category,Meter Sub-category,Meter Name,Meter Region,SKU,Unit,Consumed Quantity,"
    "Included Quantity,Overage Quantity,Within Commitment,Currency,Overage,Commitment Rate,Rate,Value"
)
HEADER_FOCUS_1_0_PREVIEW_V1: Final[tuple[str, ...]] = _split(
    "AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingAccountType,BillingCurrency,"
    "BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargeDescription,ChargeFrequency,ChargePeriodEnd,"
    "ChargePeriodStart,ChargeSubcategory,CommitmentDiscountCategory,CommitmentDiscountId,CommitmentDiscountName,"
    "CommitmentDiscountType,EffectiveCost,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity,"
    "PricingUnit,ProviderName,PublisherName,Region,ResourceId,ResourceName,ResourceType,ServiceCategory,"
    "ServiceName,SkuId,SkuPriceId,SubAccountId,SubAccountName,SubAccountType,Tags,UsageQuantity,UsageUnit,"
    "x_AccountName,x_AccountOwnerId,x_BilledCostInUsd,x_BilledUnitPrice,x_BillingAccountId,x_BillingAccountName,"
    "x_BillingExchangeRate,x_BillingExchangeRateDate,x_BillingProfileId,x_BillingProfileName,x_ChargeId,"
    "x_CostAllocationRuleName,x_CostCenter,x_CustomerId,x_CustomerName,x_EffectiveCostInUsd,x_EffectiveUnitPrice,"
    "x_InvoiceId,x_InvoiceIssuerId,x_InvoiceSectionId,x_InvoiceSectionName,x_OnDemandCost,x_OnDemandCostInUsd,"
    "x_OnDemandUnitPrice,x_PartnerCreditApplied,x_PartnerCreditRate,x_PricingBlockSize,x_PricingCurrency,"
    "x_PricingSubcategory,x_PricingUnitDescription,x_PublisherCategory,x_PublisherId,x_ResellerId,x_ResellerName,"
    "x_ResourceGroupName,x_ResourceType,x_ServicePeriodEnd,x_ServicePeriodStart,x_SkuDescription,x_SkuDetails,"
    "x_SkuIsCreditEligible,x_SkuMeterCategory,x_SkuMeterId,x_SkuMeterName,x_SkuMeterSubcategory,x_SkuOfferId,"
    "x_SkuOrderId,x_SkuOrderName,x_SkuPartNumber,x_SkuRegion,x_SkuServiceFamily,x_SkuTerm,x_SkuTier"
)
HEADER_FOCUS_1_0: Final[tuple[str, ...]] = _split(
    "BilledCost,BillingAccountId,BillingAccountName,BillingAccountType,BillingCurrency,BillingPeriodEnd,"
    "BillingPeriodStart,ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,ChargePeriodEnd,"
    "ChargePeriodStart,CommitmentDiscountCategory,CommitmentDiscountId,CommitmentDiscountName,"
    "CommitmentDiscountStatus,CommitmentDiscountType,ConsumedQuantity,ConsumedUnit,ContractedCost,"
    "ContractedUnitPrice,EffectiveCost,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity,"
    "PricingUnit,ProviderName,PublisherName,RegionId,RegionName,ResourceId,ResourceName,ResourceType,"
    "ServiceCategory,ServiceName,SkuId,SkuPriceId,SubAccountId,SubAccountName,SubAccountType,Tags,x_AccountId,"
    "x_AccountName,x_AccountOwnerId,x_BilledCostInUsd,x_BilledUnitPrice,x_BillingAccountId,x_BillingAccountName,"
    "x_BillingExchangeRate,x_BillingExchangeRateDate,x_BillingProfileId,x_BillingProfileName,x_ContractedCostInUsd,"
    "x_CostAllocationRuleName,x_CostCenter,x_CustomerId,x_CustomerName,x_EffectiveCostInUsd,x_EffectiveUnitPrice,"
    "x_InvoiceId,x_InvoiceIssuerId,x_InvoiceSectionId,x_InvoiceSectionName,x_ListCostInUsd,x_PartnerCreditApplied,"
    "x_PartnerCreditRate,x_PricingBlockSize,x_PricingCurrency,x_PricingSubcategory,x_PricingUnitDescription,"
    "x_PublisherCategory,x_PublisherId,x_ResellerId,x_ResellerName,x_ResourceGroupName,x_ResourceType,"
    "x_ServicePeriodEnd,x_ServicePeriodStart,x_SkuDescription,x_SkuDetails,x_SkuIsCreditEligible,"
    "x_SkuMeterCategory,x_SkuMeterId,x_SkuMeterName,x_SkuMeterSubcategory,x_SkuOfferId,x_SkuOrderId,x_SkuOrderName,"
    "x_SkuPartNumber,x_SkuRegion,x_SkuServiceFamily,x_SkuTerm,x_SkuTier"
)
HEADER_FOCUS_1_2_PREVIEW: Final[tuple[str, ...]] = _split(
    "BilledCost,BillingAccountId,BillingAccountName,BillingAccountType,BillingCurrency,BillingPeriodEnd,"
    "BillingPeriodStart,CapacityReservationId,CapacityReservationStatus,ChargeCategory,ChargeClass,"
    "ChargeDescription,ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,CommitmentDiscountCategory,"
    "CommitmentDiscountId,CommitmentDiscountName,CommitmentDiscountQuantity,CommitmentDiscountStatus,"
    "CommitmentDiscountType,CommitmentDiscountUnit,ConsumedQuantity,ConsumedUnit,ContractedCost,"
    "ContractedUnitPrice,EffectiveCost,InvoiceId,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,"
    "PricingCurrency,PricingQuantity,PricingUnit,ProviderName,PublisherName,RegionId,RegionName,ResourceId,"
    "ResourceName,ResourceType,ServiceCategory,ServiceName,ServiceSubcategory,SkuId,SkuMeter,SkuPriceDetails,"
    "SkuPriceId,SubAccountId,SubAccountName,SubAccountType,Tags,x_AccountId,x_AccountName,x_AccountOwnerId,"
    "x_AmortizationClass,x_BilledCostInUsd,x_BilledUnitPrice,x_BillingAccountId,x_BillingAccountName,"
    "x_BillingExchangeRate,x_BillingExchangeRateDate,x_BillingProfileId,x_BillingProfileName,x_ContractedCostInUsd,"
    "x_CostAllocationRuleName,x_CostCenter,x_CustomerId,x_CustomerName,x_EffectiveCostInUsd,x_EffectiveUnitPrice,"
    "x_InvoiceIssuerId,x_InvoiceSectionId,x_InvoiceSectionName,x_ListCostInUsd,x_PartnerCreditApplied,"
    "x_PartnerCreditRate,x_PricingBlockSize,x_PricingSubcategory,x_PricingUnitDescription,x_PublisherCategory,"
    "x_PublisherId,x_ResellerId,x_ResellerName,x_ResourceGroupName,x_ResourceType,x_ServiceModel,"
    "x_ServicePeriodEnd,x_ServicePeriodStart,x_SkuDescription,x_SkuDetails,x_SkuIsCreditEligible,"
    "x_SkuMeterCategory,x_SkuMeterId,x_SkuMeterSubcategory,x_SkuOfferId,x_SkuOrderId,x_SkuOrderName,"
    "x_SkuPartNumber,x_SkuPlanName,x_SkuRegion,x_SkuServiceFamily,x_SkuTerm,x_SkuTier"
)
HEADER_FOCUS_1_2: Final[tuple[str, ...]] = _split(
    "BilledCost,BillingAccountId,BillingAccountName,BillingAccountType,BillingCurrency,BillingPeriodEnd,"
    "BillingPeriodStart,CapacityReservationId,CapacityReservationStatus,ChargeCategory,ChargeClass,"
    "ChargeDescription,ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,CommitmentDiscountCategory,"
    "CommitmentDiscountId,CommitmentDiscountName,CommitmentDiscountQuantity,CommitmentDiscountStatus,"
    "CommitmentDiscountType,CommitmentDiscountUnit,ConsumedQuantity,ConsumedUnit,ContractedCost,"
    "ContractedUnitPrice,EffectiveCost,InvoiceId,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,"
    "PricingCurrency,PricingQuantity,PricingUnit,ProviderName,PublisherName,RegionId,RegionName,ResourceId,"
    "ResourceName,ResourceType,ServiceCategory,ServiceName,ServiceSubcategory,SkuId,SkuMeter,SkuPriceDetails,"
    "SkuPriceId,SubAccountId,SubAccountName,SubAccountType,Tags,x_AccountId,x_AccountName,x_AccountOwnerId,"
    "x_AmortizationClass,x_BilledCostInUsd,x_BilledUnitPrice,x_BillingAccountId,x_BillingAccountName,"
    "x_BillingExchangeRate,x_BillingExchangeRateDate,x_BillingProfileId,x_BillingProfileName,x_ContractedCostInUsd,"
    "x_CostAllocationRuleName,x_CostCenter,x_CustomerId,x_CustomerName,x_EffectiveCostInUsd,x_EffectiveUnitPrice,"
    "x_InvoiceIssuerId,x_InvoiceSectionId,x_InvoiceSectionName,x_ListCostInUsd,x_PartnerCreditApplied,"
    "x_PartnerCreditRate,x_PricingBlockSize,x_PricingSubcategory,x_PricingUnitDescription,x_PublisherCategory,"
    "x_PublisherId,x_ResellerId,x_ResellerName,x_ResourceGroupName,x_ResourceType,x_ServiceModel,"
    "x_ServicePeriodEnd,x_ServicePeriodStart,x_SkuDescription,x_SkuIsCreditEligible,x_SkuMeterCategory,"
    "x_SkuMeterId,x_SkuMeterSubcategory,x_SkuOfferId,x_SkuOrderId,x_SkuOrderName,x_SkuPartNumber,x_SkuPlanName,"
    "x_SkuRegion,x_SkuServiceFamily,x_SkuTerm,x_SkuTier"
)
HEADER_EA_PAYG_ACTUAL_C360_2025_04: Final[tuple[str, ...]] = _split(
    "BillingAccountId,BillingAccountName,BillingPeriodStartDate,BillingPeriodEndDate,BillingProfileId,"
    "BillingProfileName,AccountOwnerId,AccountName,SubscriptionId,SubscriptionName,Date,Product,PartNumber,MeterId,"
    "ServiceFamily,MeterCategory,MeterSubCategory,MeterRegion,MeterName,Quantity,EffectivePrice,Cost,UnitPrice,"
    "BillingCurrency,ResourceLocation,AvailabilityZone,ConsumedService,ResourceId,ResourceName,ServiceInfo1,"
    "ServiceInfo2,AdditionalInfo,Tags,InvoiceSectionId,InvoiceSection,CostCenter,UnitOfMeasure,ResourceGroup,"
    "ReservationId,ReservationName,ProductOrderId,ProductOrderName,OfferId,IsAzureCreditEligible,Term,"
    "PublisherName,PlanName,ChargeType,Frequency,PublisherType"
)


# One alias map serves every non-FOCUS layout: the names differ in case and spacing only, which
# ``header_key`` removes. Order matters where a file has several candidates (the old EA portal has
# a numeric SubscriptionId next to the SubscriptionGuid).
AZURE_COLUMNS: Final[Mapping[Col, tuple[str, ...]]] = {
    Col.CHARGE_DATE: ("date", "usagedatetime", "usagedate"),
    Col.BILLING_PERIOD_START: ("billingperiodstartdate",),
    Col.INVOICE_ID: ("invoiceid",),
    Col.BILLING_CURRENCY: ("billingcurrency", "billingcurrencycode", "currency"),
    Col.COST: ("costinbillingcurrency", "cost", "pretaxcost", "extendedcost"),
    Col.COST_USD: ("costinusd",),
    Col.SERVICE: ("metercategory", "servicename"),
    Col.METER: ("metername",),
    Col.SUBSCRIPTION_ID: ("subscriptionguid", "subscriptionid"),
    Col.SUBSCRIPTION_NAME: ("subscriptionname",),
    Col.RESOURCE_GROUP: ("resourcegroupname", "resourcegroup"),
    Col.RESOURCE_ID: ("resourceid", "instanceid", "instancename"),
    Col.LOCATION: ("resourcelocation", "location"),
    Col.CHARGE_TYPE: ("chargetype",),
    Col.PRICING_MODEL: ("pricingmodel",),
    Col.QUANTITY: ("quantity", "usagequantity", "consumedquantity"),
    Col.UNIT: ("unitofmeasure", "unit"),
    Col.BILLING_PROFILE: ("billingprofilename",),
    Col.INVOICE_SECTION: ("invoicesectionname", "invoicesection", "departmentname"),
    Col.TAGS: ("tags",),
}

# FOCUS: BilledCost is the invoiced (actual) view, EffectiveCost the amortized one.
FOCUS_COLUMNS: Final[Mapping[Col, tuple[str, ...]]] = {
    Col.CHARGE_DATE: ("chargeperiodstart",),
    Col.BILLING_PERIOD_START: ("billingperiodstart",),
    Col.INVOICE_ID: ("invoiceid", "xinvoiceid"),
    Col.BILLING_CURRENCY: ("billingcurrency",),
    Col.COST: ("billedcost",),
    Col.COST_USD: ("xbilledcostinusd",),
    Col.SERVICE: ("xskumetercategory", "servicename"),
    Col.METER: ("xskumetername", "skumeter", "chargedescription"),
    Col.SUBSCRIPTION_ID: ("subaccountid",),
    Col.SUBSCRIPTION_NAME: ("subaccountname",),
    Col.RESOURCE_GROUP: ("xresourcegroupname",),
    Col.RESOURCE_ID: ("resourceid",),
    Col.LOCATION: ("regionid", "region", "regionname"),
    Col.CHARGE_TYPE: ("chargecategory",),
    Col.PRICING_MODEL: ("pricingcategory",),
    Col.QUANTITY: ("consumedquantity", "usagequantity", "pricingquantity"),
    Col.UNIT: ("consumedunit", "usageunit", "pricingunit"),
    Col.BILLING_PROFILE: ("xbillingprofilename",),
    Col.INVOICE_SECTION: ("xinvoicesectionname",),
    Col.TAGS: ("tags",),
}
FOCUS_AMORTIZED_COLUMNS: Final[Mapping[Col, tuple[str, ...]]] = {
    **FOCUS_COLUMNS,
    Col.COST: ("effectivecost",),
    Col.COST_USD: ("xeffectivecostinusd",),
}

# The Account Center "Daily Usage" section has no cost: the loader adds an estimated cost and the
# Statement's currency under these two synthetic headers.
ESTIMATED_COST: Final = "Estimated Cost"
STATEMENT_CURRENCY: Final = "Statement Currency"
ACCOUNT_CENTER_COLUMNS: Final[Mapping[Col, tuple[str, ...]]] = {
    **AZURE_COLUMNS,
    Col.CHARGE_DATE: ("usagedate",),
    Col.COST: ("estimatedcost",),
    Col.BILLING_CURRENCY: ("statementcurrency",),
}


def _layout(
    id: str,
    name: str,
    agreement: Agreement,
    family: str,
    version: str,
    header: tuple[str, ...],
    columns: Mapping[Col, tuple[str, ...]] = AZURE_COLUMNS,
) -> Dialect:
    keys = tuple(header_key(h) for h in header)
    cost = next(a for a in columns[Col.COST] if a in keys)
    date = next(a for a in columns[Col.CHARGE_DATE] if a in keys)
    return Dialect(id, name, agreement, (date, cost), columns, schema_version=version, header=header, family=family)


EA_COST_DETAILS_NAME: Final = "EA / pay-as-you-go cost details (portal Usage + charges download, Cost Details API)"
EA_EXPORT_NAME: Final = "EA cost and usage details export"
MCA_NAME: Final = "Microsoft Customer Agreement usage and charges (download, export, Cost Details API)"
PAYG_NAME: Final = "Pay-as-you-go usage-only export (legacy Consumption layout)"
FOCUS_NAME: Final = "FOCUS cost and usage export"

EA_COST_DETAILS: Final = _layout(
    "ea-cost-details", EA_COST_DETAILS_NAME, Agreement.EA, "ea-cost-details", "Cost Details API (55 columns)", HEADER_EA_COSTDETAILS_PORTAL
)
EA_COST_DETAILS_C360: Final = _layout(
    "ea-cost-details-c360-2025-04",
    EA_COST_DETAILS_NAME,
    Agreement.EA,
    "ea-cost-details",
    "c360-2025-04 export (50 columns)",
    HEADER_EA_PAYG_ACTUAL_C360_2025_04,
)
EA_2024_08_01: Final = _layout("ea-2024-08-01", EA_EXPORT_NAME, Agreement.EA, "ea-export", "2024-08-01", HEADER_EA_USAGE_2024_08_01)
EA_2023_12_01_PREVIEW: Final = _layout(
    "ea-2023-12-01-preview", EA_EXPORT_NAME, Agreement.EA, "ea-export", "2023-12-01-preview", HEADER_EA_USAGE_2023_12_01_PREVIEW
)
EA_2021_10_01: Final = _layout(
    "ea-2021-10-01", EA_EXPORT_NAME, Agreement.EA, "ea-export", "2021-10-01", HEADER_EA_USAGE_2021_10_01_DOC_ORDER
)
EA_2021_01_01: Final = _layout("ea-2021-01-01", EA_EXPORT_NAME, Agreement.EA, "ea-export", "2021-01-01", HEADER_EA_USAGE_2021_01_01)
EA_2020_01_01: Final = _layout("ea-2020-01-01", EA_EXPORT_NAME, Agreement.EA, "ea-export", "2020-01-01", HEADER_EA_USAGE_2020_01_01)
EA_2019_10_01: Final = _layout("ea-2019-10-01", EA_EXPORT_NAME, Agreement.EA, "ea-export", "2019-10-01", HEADER_EA_USAGE_2019_10_01)
MCA_2021_10_01: Final = _layout("mca-2021-10-01", MCA_NAME, Agreement.MCA, "mca", "2021-10-01", HEADER_MCA_2021_10_01)
MCA_2021_01_01: Final = _layout("mca-2021-01-01", MCA_NAME, Agreement.MCA, "mca", "2021-01-01", HEADER_MCA_2021_01_01)
MCA_2019_11_01: Final = _layout("mca-2019-11-01", MCA_NAME, Agreement.MCA, "mca", "2019-11-01", HEADER_MCA_2019_11_01)
MCA_2019_10_01: Final = _layout("mca-2019-10-01", MCA_NAME, Agreement.MCA, "mca", "2019-10-01", HEADER_MCA_2019_10_01)
MCA_PARTNER: Final = _layout(
    "mca-partner",
    "Microsoft Partner Agreement (CSP) usage and charges",
    Agreement.MPA,
    "mca-partner",
    "partner layout",
    HEADER_MPA_PARTNER_CAMEL_OBSERVED,
)
PAYG_2019_11_01: Final = _layout("payg-2019-11-01", PAYG_NAME, Agreement.MOSP, "payg-usage", "2019-11-01", HEADER_PAYG_2019_11_01)
EA_PORTAL_LEGACY: Final = _layout(
    "ea-portal-legacy",
    "Old EA portal (ea.azure.com) detailed usage CSV",
    Agreement.EA,
    "ea-portal",
    "usage-report detail",
    HEADER_EA_PORTAL_LEGACY_V2,
)
ACCOUNT_CENTER_V2: Final = Dialect(
    "account-center-v2",
    "Legacy Account Center usage file, version 2 (cost estimated from Daily Usage x Statement rates)",
    Agreement.MOSP,
    ("usagedate", "estimatedcost"),
    ACCOUNT_CENTER_COLUMNS,
    schema_version="version 2",
    header=HEADER_ACCOUNT_CENTER_V2_DAILY_USAGE,
    family="account-center",
)
FOCUS_LAYOUTS: Final[tuple[Dialect, ...]] = tuple(
    _layout(f"focus-{version}", FOCUS_NAME, Agreement.UNKNOWN, "focus", version, header, FOCUS_COLUMNS)
    for version, header in (
        ("1.2", HEADER_FOCUS_1_2),
        ("1.2-preview", HEADER_FOCUS_1_2_PREVIEW),
        ("1.0", HEADER_FOCUS_1_0),
        ("1.0-preview(v1)", HEADER_FOCUS_1_0_PREVIEW_V1),
    )
)
# Not a layout Azure writes: the best-effort reading of a header that names a date and a cost
# column in any of the spellings above (re-saved or hand-trimmed files).
GENERIC: Final = Dialect("generic", "Azure usage file in an unrecognised layout", Agreement.UNKNOWN, (), AZURE_COLUMNS, family="generic")
GENERIC_FOCUS: Final = Dialect(
    "generic-focus", "FOCUS file (not a Cost Management export layout)", Agreement.UNKNOWN, (), FOCUS_COLUMNS, family="focus"
)


def for_metric(dialect: Dialect, amortized: bool) -> Dialect:
    """The dialect reading amortized cost where the layout carries both views in one file (FOCUS)."""
    if dialect.family == "focus" and amortized:
        return replace(dialect, columns=FOCUS_AMORTIZED_COLUMNS)
    return dialect


# Every dialect the loaders know, most specific first. ``lib.ingest.detect`` compares a file's
# header against each ``header``; the demo source uses MCA_2023_12_01_PREVIEW directly.
DIALECTS: list[Dialect] = [
    MCA_2023_12_01_PREVIEW,
    MCA_2021_10_01,
    MCA_2021_01_01,
    MCA_2019_11_01,
    MCA_2019_10_01,
    MCA_PARTNER,
    EA_COST_DETAILS,
    EA_COST_DETAILS_C360,
    EA_2024_08_01,
    EA_2023_12_01_PREVIEW,
    EA_2021_10_01,
    EA_2021_01_01,
    EA_2020_01_01,
    EA_2019_10_01,
    PAYG_2019_11_01,
    EA_PORTAL_LEGACY,
    *FOCUS_LAYOUTS,
]
