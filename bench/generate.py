"""Generate realistic Azure cost-details CSV files of any size, streamed to disk in chunks.

Layouts:

* ``mca``: the newest native Microsoft Customer Agreement layout (``lib.ingest.dialects.MCA_V2_HEADER``, 65 columns,
  camelCase), as the Cost Details API and exports 2023-12-01-preview write it.
* ``ea``: the EA / pay-as-you-go cost details layout of the portal's "Usage + charges" download (55 PascalCase
  columns with ``Cost`` and ``BillingCurrency``), with the UTF-8 BOM those files carry.

What makes the files realistic (and as expensive to parse as real ones): about 1 KB per row, dates as
``MM/DD/YYYY``, long ARM resource ids, tags as the brace-less JSON fragment exports write
(``"env": "prod","team": "data"``, RFC-4180 quoted), ``additionalInfo`` JSON on some rows, Zipf-like resource
popularity, ~40 services, ~600 meters, 300 resource groups, 25 subscriptions, 20,000 resources, a few tag keys
spelt with another case (``Env``), rare Purchase and Refund rows, reservation and savings-plan rows on VMs.
The rows are date-ordered and span ``--days`` days ending on ``--end``; closed billing months carry an invoice id,
the open month does not. Costs are billed in EUR, priced in USD.

Deterministic: the same arguments give the same bytes. Only one chunk (``--chunk-rows``) is in memory at a time,
so 10M rows (about 10 GB) need a few hundred MB.

    python -m bench.generate --rows 1000000 --format mca -o bench/out/mca_1m.csv
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from bench.common import OUT_DIR
from lib.ingest.dialects import MCA_V2_HEADER

GENERATOR_VERSION = 1

# The portal's EA "Usage + charges" download (also the Cost Details API and legacy EA exports): 55 columns.
EA_HEADER: tuple[str, ...] = (
    "BillingAccountId", "BillingAccountName", "BillingPeriodStartDate", "BillingPeriodEndDate", "BillingProfileId",
    "BillingProfileName", "AccountOwnerId", "AccountName", "SubscriptionId", "SubscriptionName", "Date", "Product",
    "PartNumber", "MeterId", "ServiceFamily", "MeterCategory", "MeterSubCategory", "MeterRegion", "MeterName",
    "Quantity", "EffectivePrice", "Cost", "UnitPrice", "BillingCurrency", "ResourceLocation", "AvailabilityZone",
    "ConsumedService", "ResourceId", "ResourceName", "ServiceInfo1", "ServiceInfo2", "AdditionalInfo", "Tags",
    "InvoiceSectionId", "InvoiceSection", "CostCenter", "UnitOfMeasure", "ResourceGroup", "ReservationId",
    "ReservationName", "ProductOrderId", "ProductOrderName", "OfferId", "IsAzureCreditEligible", "Term",
    "PublisherName", "PlanName", "ChargeType", "Frequency", "PublisherType", "PayGPrice", "PricingModel",
    "CostAllocationRuleName", "benefitId", "benefitName",
)  # fmt: skip

FORMATS = ("mca", "ea")

# meterCategory, serviceFamily, provider namespace, resource type, share of resources
SERVICES: tuple[tuple[str, str, str, str, int], ...] = (
    ("Virtual Machines", "Compute", "Microsoft.Compute", "virtualMachines", 16),
    ("Storage", "Storage", "Microsoft.Storage", "storageAccounts", 14),
    ("Azure App Service", "Compute", "Microsoft.Web", "sites", 6),
    ("SQL Database", "Databases", "Microsoft.Sql", "servers", 5),
    ("Virtual Network", "Networking", "Microsoft.Network", "virtualNetworks", 5),
    ("Bandwidth", "Networking", "Microsoft.Network", "publicIPAddresses", 4),
    ("Azure Monitor", "Management and Governance", "Microsoft.Insights", "components", 4),
    ("Key Vault", "Security", "Microsoft.KeyVault", "vaults", 3),
    ("Functions", "Compute", "Microsoft.Web", "sites", 3),
    ("Log Analytics", "Management and Governance", "Microsoft.OperationalInsights", "workspaces", 2),
    ("Azure Cosmos DB", "Databases", "Microsoft.DocumentDB", "databaseAccounts", 2),
    ("Load Balancer", "Networking", "Microsoft.Network", "loadBalancers", 2),
    ("Azure DNS", "Networking", "Microsoft.Network", "dnszones", 2),
    ("Backup", "Storage", "Microsoft.RecoveryServices", "vaults", 2),
    ("Logic Apps", "Integration", "Microsoft.Logic", "workflows", 2),
    ("Azure Kubernetes Service", "Containers", "Microsoft.ContainerService", "managedClusters", 2),
    ("Azure Databricks", "Analytics", "Microsoft.Databricks", "workspaces", 1),
    ("Azure Data Factory v2", "Analytics", "Microsoft.DataFactory", "factories", 1),
    ("Azure Synapse Analytics", "Analytics", "Microsoft.Synapse", "workspaces", 1),
    ("Container Registry", "Containers", "Microsoft.ContainerRegistry", "registries", 1),
    ("Application Gateway", "Networking", "Microsoft.Network", "applicationGateways", 1),
    ("Azure Firewall", "Networking", "Microsoft.Network", "azureFirewalls", 1),
    ("Azure Front Door Service", "Networking", "Microsoft.Cdn", "profiles", 1),
    ("Event Hubs", "Internet of Things", "Microsoft.EventHub", "namespaces", 1),
    ("Service Bus", "Integration", "Microsoft.ServiceBus", "namespaces", 1),
    ("Redis Cache", "Databases", "Microsoft.Cache", "redis", 1),
    ("Azure Database for PostgreSQL", "Databases", "Microsoft.DBforPostgreSQL", "flexibleServers", 1),
    ("Azure Database for MySQL", "Databases", "Microsoft.DBforMySQL", "flexibleServers", 1),
    ("Azure Site Recovery", "Management and Governance", "Microsoft.RecoveryServices", "vaults", 1),
    ("Azure Bastion", "Networking", "Microsoft.Network", "bastionHosts", 1),
    ("Azure Cognitive Search", "Web", "Microsoft.Search", "searchServices", 1),
    ("Foundry Models", "AI + Machine Learning", "Microsoft.CognitiveServices", "accounts", 1),
    ("Azure Machine Learning", "AI + Machine Learning", "Microsoft.MachineLearningServices", "workspaces", 1),
    ("API Management", "Developer Tools", "Microsoft.ApiManagement", "service", 1),
    ("Microsoft Defender for Cloud", "Security", "Microsoft.Security", "pricings", 1),
    ("Azure Data Explorer", "Analytics", "Microsoft.Kusto", "clusters", 1),
    ("Content Delivery Network", "Networking", "Microsoft.Cdn", "profiles", 1),
    ("Azure Container Apps", "Containers", "Microsoft.App", "containerApps", 1),
    ("Automation", "Management and Governance", "Microsoft.Automation", "automationAccounts", 1),
    ("VPN Gateway", "Networking", "Microsoft.Network", "virtualNetworkGateways", 1),
)
# resourceLocation, display name (meterRegion / location), share of resources
REGIONS: tuple[tuple[str, str, int], ...] = (
    ("westeurope", "EU West", 24),
    ("northeurope", "EU North", 14),
    ("eastus", "US East", 16),
    ("eastus2", "US East 2", 9),
    ("westus2", "US West 2", 7),
    ("uksouth", "UK South", 7),
    ("germanywestcentral", "DE West Central", 6),
    ("swedencentral", "SE Central", 5),
    ("francecentral", "FR Central", 4),
    ("southeastasia", "AP Southeast", 4),
    ("australiaeast", "AU East", 2),
    ("japaneast", "JA East", 2),
)
SUBCATEGORIES = (
    "General Block Blob v2", "Dsv5 Series", "Ev5 Series", "Premium SSD Managed Disks", "Standard SSD Managed Disks",
    "Files v2", "Tables", "Gen5", "Premium v3 Plan", "Standard Plan", "Serverless", "Provisioned Throughput",
    "Data Transfer Out", "IP Addresses", "Analytics Logs", "Hot LRS", "Cool GRS", "vCore", "Standard", "Premium",
)  # fmt: skip
METER_NAMES = (
    "D2s v5", "D4s v5", "D8s v5", "E4s v5", "B2ms", "F4s v2", "LRS Data Stored", "Hot LRS Write Operations",
    "Read Operations", "P10 LRS Disk", "E10 LRS Disk", "vCore", "Data Processed", "Standard Data Transfer Out",
    "Standard IPv4 Static Public IP", "Data Ingestion", "Operations", "Capacity Unit", "Gateway Hour", "100 RU/s",
    "Data Stored", "Execution Time", "Total Executions", "P1 v3 App", "Standard Uptime SLA", "Premium Jobs Compute DBU",
)  # fmt: skip
UNITS = ("1 Hour", "10K", "1 GB", "1 GB/Month", "100 Hours", "10 Hours", "1/Month", "1M", "1/Day", "1 GB Second")
TEAMS = (
    "data", "web", "platform", "ml", "finance", "hr", "security", "payments", "search", "mobile", "identity",
    "analytics", "ops", "sre", "crm", "erp", "iot", "media", "marketing", "sales", "support", "research", "infra",
    "devtools", "billing",
)  # fmt: skip
ENVS = ("prod", "dev", "test", "staging")
ENV_WEIGHTS = (0.45, 0.3, 0.15, 0.1)
VM_SIZES = ("Standard_D2s_v5", "Standard_D4s_v5", "Standard_E4s_v5", "Standard_B2ms", "Standard_F4s_v2")
EUR_PER_USD = (0.918, 0.924, 0.931, 0.927, 0.921, 0.915)  # one rate per month, cycled

RESERVATIONS = 15
EA_ENROLLMENT = "8611537"


@dataclass(frozen=True)
class Spec:
    """Everything that decides the bytes of a generated file."""

    rows: int
    format: str = "mca"
    seed: int = 42
    end: date = date(2026, 11, 25)
    days: int = 56
    resources: int = 20_000
    resource_groups: int = 300
    subscriptions: int = 25
    chunk_rows: int = 200_000
    bom: bool | None = None  # None: the layout's usual choice (EA files have a BOM, MCA exports do not)
    crlf: bool = False

    @property
    def start(self) -> date:
        """First day of data."""
        return self.end - timedelta(days=self.days - 1)

    @property
    def with_bom(self) -> bool:
        """Whether the file starts with a UTF-8 BOM."""
        return self.format == "ea" if self.bom is None else self.bom

    def meta(self) -> dict[str, object]:
        """JSON-ready description, stored next to the file so a benchmark can tell whether it is current."""
        data = asdict(self)
        data["end"] = self.end.isoformat()
        data["generator_version"] = GENERATOR_VERSION
        return data


@dataclass(frozen=True)
class Result:
    """What one generation wrote."""

    path: Path
    rows: int
    bytes: int
    seconds: float

    @property
    def bytes_per_row(self) -> float:
        """Average line length."""
        return self.bytes / self.rows if self.rows else 0.0


def _guid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _code(rng: np.random.Generator, groups: tuple[int, ...]) -> str:
    alphabet = list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
    return "-".join("".join(rng.choice(alphabet, n)) for n in groups)


def _weights(values: tuple[int, ...] | tuple[float, ...]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array / array.sum()


@dataclass(frozen=True)
class _Dimensions:
    meters: pl.DataFrame  # one row per meter
    resources: pl.DataFrame  # one row per resource, with its subscription, group, billing hierarchy and tags
    resource_meters: np.ndarray  # (resources, 3) meter indexes a resource is billed on
    resource_meter_count: np.ndarray  # 1..3 meters used per resource
    popularity: np.ndarray  # probability of a usage line per resource (Zipf-like)
    is_vm: np.ndarray
    profile_of_resource: np.ndarray
    reservation_ids: pl.Series
    reservation_names: pl.Series
    constants: dict[str, str]


def _meters(rng: np.random.Generator) -> tuple[pl.DataFrame, list[tuple[int, int]]]:
    rows: list[dict[str, object]] = []
    ranges = []
    for category, family, provider, _type, _share in SERVICES:
        first = len(rows)
        for _ in range(int(rng.integers(6, 25))):
            sub = SUBCATEGORIES[int(rng.integers(len(SUBCATEGORIES)))]
            name = METER_NAMES[int(rng.integers(len(METER_NAMES)))]
            rows.append(
                {
                    "meterId": _guid(rng),
                    "meterName": name,
                    "meterCategory": category,
                    "meterSubCategory": sub,
                    "unitOfMeasure": UNITS[int(rng.integers(len(UNITS)))],
                    "ProductId": f"DZH318Z0{_code(rng, (4,))}/{int(rng.integers(1, 400)):04d}",
                    "ProductName": f"{category} {sub} - {name}",
                    "PartNumber": f"AA{'ABCDEFGH'[int(rng.integers(8))]}-{int(rng.integers(10_000, 99_999))}",
                    "serviceFamily": family,
                    "consumedService": provider,
                    "PayGPrice": float(np.round(rng.lognormal(-2.3, 1.5), 6)),
                }
            )
        ranges.append((first, len(rows)))
    return pl.DataFrame(rows), ranges


def _tags(rng: np.random.Generator, team: str, env: str, apps: list[str]) -> str | None:
    draw = rng.random()
    if draw < 0.15:
        return None  # untagged resources are common
    env_key = "Env" if rng.random() < 0.05 else "env"  # real tenants spell keys inconsistently
    parts = [f'"{env_key}": "{env}"', f'"team": "{team}"']
    if draw < 0.8:
        parts.append(f'"costcenter": "CC-{1000 + TEAMS.index(team) * 7}"')
    if draw < 0.6:
        parts.append(f'"app": "{apps[int(rng.integers(len(apps)))]}"')
    if draw < 0.3:
        parts.append(f'"owner": "{team}-lead@contoso.com"')
    return ",".join(parts)


def _additional_info(rng: np.random.Generator, service: str, index: int) -> str | None:
    if service == "Virtual Machines":
        info: dict[str, object] = {
            "UsageType": "ComputeHR",
            "ImageType": ("Canonical", "Windows Server BYOL", None)[index % 3],
            "ServiceType": VM_SIZES[index % len(VM_SIZES)],
            "VMName": None,
            "VMProperties": None,
            "VCPUs": (2, 4, 4, 2, 4)[index % 5],
            "CPUs": 0,
        }
    elif service in ("Storage", "Backup") and index % 2:
        info = {"StorageAccountTier": ("Hot", "Cool")[index % 4 // 2], "RedundancyType": "LRS"}
    elif service == "Azure Databricks":
        info = {"ClusterId": f"{index:04d}-{int(rng.integers(100_000, 999_999))}-job{index % 97}", "SKU": "PREMIUM"}
    else:
        return None
    return json.dumps(info, separators=(",", ":"))


def _dimensions(spec: Spec) -> _Dimensions:
    rng = np.random.default_rng(spec.seed)
    meters, meter_ranges = _meters(rng)
    profiles = [(_code(rng, (4, 4, 3, 3)), f"Contoso {name}") for name in ("EU", "US", "APAC")]
    sections = [(_code(rng, (4, 4, 3, 3)), f"Division {chr(65 + i)}", i % len(profiles)) for i in range(10)]
    subscriptions = []
    for i in range(spec.subscriptions):
        team = TEAMS[i % len(TEAMS)]
        subscriptions.append((_guid(rng), f"contoso-{team}-{('prod', 'nonprod')[i % 2]}-{i:02d}", int(rng.integers(len(sections)))))
    groups = []
    for i in range(spec.resource_groups):
        team = TEAMS[int(rng.integers(len(TEAMS)))]
        env = ENVS[int(rng.choice(len(ENVS), p=_weights(ENV_WEIGHTS)))]
        groups.append((f"rg-{team}-{env}-{i:03d}", int(rng.integers(spec.subscriptions)), team, env))
    n = spec.resources
    service_of = rng.choice(len(SERVICES), n, p=_weights(tuple(s[4] for s in SERVICES)))
    group_of = rng.integers(0, spec.resource_groups, n)
    region_of = rng.choice(len(REGIONS), n, p=_weights(tuple(r[2] for r in REGIONS)))
    resource_meters = np.zeros((n, 3), dtype=np.int64)
    for i in range(n):
        first, last = meter_ranges[service_of[i]]
        resource_meters[i] = rng.integers(first, last, 3)
    apps = [f"app{j:03d}" for j in range(120)]
    columns: dict[str, list[object]] = {
        k: []
        for k in (
            "SubscriptionId", "subscriptionName", "resourceGroupName", "ResourceId", "ResourceName", "resourceLocation",
            "location", "billingProfileId", "billingProfileName", "invoiceSectionId", "invoiceSectionName", "costCenter",
            "tags", "additionalInfo", "serviceInfo1", "AccountOwnerId", "AccountName",
        )
    }  # fmt: skip
    profile_of_resource = np.zeros(n, dtype=np.int64)
    for i in range(n):
        category, _family, provider, rtype, _share = SERVICES[service_of[i]]
        group, sub_index, team, env = groups[group_of[i]]
        sub_id, sub_name, section_index = subscriptions[sub_index]
        section_id, section_name, profile_index = sections[section_index]
        name = f"{team}-{rtype[:10].lower()}-{env}-{i:05d}"
        resource_id = f"/subscriptions/{sub_id}/resourceGroups/{group}/providers/{provider}/{rtype}/{name}"
        if category == "SQL Database":
            resource_id += f"/databases/db-{team}-{i % 89:02d}"
        location, display, _w = REGIONS[region_of[i]]
        profile_of_resource[i] = profile_index
        columns["SubscriptionId"].append(sub_id)
        columns["subscriptionName"].append(sub_name)
        columns["resourceGroupName"].append(group)
        columns["ResourceId"].append(resource_id)
        columns["ResourceName"].append(name)
        columns["resourceLocation"].append(location)
        columns["location"].append(display)
        columns["billingProfileId"].append(profiles[profile_index][0])
        columns["billingProfileName"].append(profiles[profile_index][1])
        columns["invoiceSectionId"].append(section_id)
        columns["invoiceSectionName"].append(section_name)
        columns["costCenter"].append(f"CC-{1000 + section_index}" if section_index % 3 else None)
        columns["tags"].append(_tags(rng, team, env, apps))
        columns["additionalInfo"].append(_additional_info(rng, category, i))
        columns["serviceInfo1"].append("Standard" if category in ("Virtual Network", "Bandwidth") else None)
        columns["AccountOwnerId"].append(f"{team}-owner@contoso.com")
        columns["AccountName"].append(f"{team.capitalize()} team")
    resources = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    ranks = np.arange(1, n + 1, dtype=float)
    popularity = rng.permutation(1.0 / np.power(ranks, 0.6))
    constants = {
        "billingAccountId": f"{_guid(rng)}:{_guid(rng)}_2019-05-31",
        "productOrderId": _guid(rng),
        "billingAccountName": "Contoso Ltd",
    }
    for index, (profile_id, _name) in enumerate(profiles):
        constants[f"profile{index}"] = profile_id
    return _Dimensions(
        meters=meters,
        resources=resources,
        resource_meters=resource_meters,
        resource_meter_count=rng.integers(1, 4, n),
        popularity=popularity / popularity.sum(),
        is_vm=service_of == 0,
        profile_of_resource=profile_of_resource,
        reservation_ids=pl.Series([_guid(rng) for _ in range(RESERVATIONS)]),
        reservation_names=pl.Series([f"VM_RI_{k:02d}_{VM_SIZES[k % len(VM_SIZES)]}" for k in range(RESERVATIONS)]),
        constants=constants,
    )


@dataclass(frozen=True)
class _Calendar:
    day: pl.Series  # MM/DD/YYYY per day index
    month_start: pl.Series
    month_end: pl.Series
    rate: np.ndarray  # EUR per USD per day index
    invoice: pl.Series  # invoice id per (day index, billing profile), null in the open month


def _calendar(spec: Spec, dims: _Dimensions) -> _Calendar:
    days = [spec.start + timedelta(days=d) for d in range(spec.days)]
    starts = [d.replace(day=1) for d in days]
    ends = [(s.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1) for s in starts]
    month_number = [s.year * 12 + s.month for s in starts]
    open_month = spec.end.year * 12 + spec.end.month
    profiles = int(dims.profile_of_resource.max()) + 1
    invoices: list[str | None] = []
    for number in month_number:
        for profile in range(profiles):
            serial = (number * 7919 + profile * 104_729) % 10**8
            invoices.append(None if number == open_month else f"G0{serial:08d}")
    mdy = "%m/%d/%Y"
    return _Calendar(
        day=pl.Series([d.strftime(mdy) for d in days]),
        month_start=pl.Series([d.strftime(mdy) for d in starts]),
        month_end=pl.Series([d.strftime(mdy) for d in ends]),
        rate=np.array([EUR_PER_USD[m % len(EUR_PER_USD)] for m in month_number]),
        invoice=pl.Series(invoices, dtype=pl.String),
    )


def _chunk(spec: Spec, dims: _Dimensions, cal: _Calendar, first_row: int, n: int, index: int) -> pl.DataFrame:
    """The rows ``first_row`` .. ``first_row + n`` as a frame in the layout's column order."""
    rng = np.random.default_rng([spec.seed, index])
    day = (np.arange(first_row, first_row + n, dtype=np.int64) * spec.days) // spec.rows  # date-ordered file
    res = rng.choice(len(dims.popularity), n, p=dims.popularity)
    meter = dims.resource_meters[res, rng.integers(0, 3, n) % dims.resource_meter_count[res]]
    payg = dims.meters.get_column("PayGPrice").to_numpy()[meter]
    draw = rng.random(n)
    vm = dims.is_vm[res]
    pricing = np.full(n, "OnDemand", dtype=object)
    pricing[vm & (draw < 0.2)] = "Reservation"
    pricing[vm & (draw >= 0.2) & (draw < 0.3)] = "SavingsPlan"
    pricing[vm & (draw >= 0.3) & (draw < 0.33)] = "Spot"
    discount = np.select([pricing == "Reservation", pricing == "SavingsPlan", pricing == "Spot"], [0.0, 0.68, 0.22], 1.0)
    unit_price = np.round(payg * np.where(draw > 0.9, 0.95, 1.0), 6)
    effective = np.round(unit_price * discount, 8)
    quantity = np.round(rng.lognormal(0.4, 1.7, n), 6)
    quantity = np.where(vm, np.minimum(quantity, 24.0), quantity)
    charge = np.full(n, "Usage", dtype=object)
    kind = rng.random(n)
    charge[kind < 0.001] = "Purchase"
    charge[kind > 0.9997] = "Refund"
    one_off = charge != "Usage"
    quantity = np.where(one_off, 1.0, quantity)
    effective = np.where(one_off, np.round(payg * 720.0, 6), effective)
    usd = np.round(quantity * effective, 10)
    usd = np.where(charge == "Refund", -usd, usd)
    rate = cal.rate[day]
    eur = np.round(usd * rate, 10)
    payg_usd = np.round(quantity * payg, 10)
    reservation = rng.integers(0, RESERVATIONS, n)
    is_ri = pricing == "Reservation"

    def text(values: np.ndarray) -> pl.Series:
        return pl.Series(values.tolist(), dtype=pl.String)

    ri_index = pl.Series(np.where(is_ri, reservation, -1)).replace(-1, None)
    base = pl.concat(
        [
            dims.resources[res],
            dims.meters[meter].drop("PayGPrice"),
            pl.DataFrame(
                {
                    "date": cal.day.gather(day),
                    "periodStart": cal.month_start.gather(day),
                    "periodEnd": cal.month_end.gather(day),
                    "invoiceId": cal.invoice.gather(day * (int(dims.profile_of_resource.max()) + 1) + dims.profile_of_resource[res]),
                    "effectivePrice": effective,
                    "quantity": quantity,
                    "unitPrice": unit_price,
                    "PayGPrice": payg,
                    "costInBillingCurrency": eur,
                    "costInUsd": usd,
                    "paygCostInBillingCurrency": np.round(payg_usd * rate, 10),
                    "paygCostInUsd": payg_usd,
                    "exchangeRate": rate,
                    "chargeType": text(charge),
                    "pricingModel": text(pricing),
                    "reservationId": dims.reservation_ids.gather(ri_index),
                    "reservationName": dims.reservation_names.gather(ri_index),
                }
            ),
        ],
        how="horizontal",
    )
    return base.select(_mca_columns(dims) if spec.format == "mca" else _ea_columns(dims))


def _common(dims: _Dimensions) -> dict[str, pl.Expr]:
    purchase = pl.col("chargeType") == "Purchase"
    ri = pl.col("pricingModel") == "Reservation"
    order = pl.lit(dims.constants["productOrderId"])
    benefit = pl.format("/providers/Microsoft.Capacity/reservationOrders/{}/reservations/{}", order, "reservationId")
    return {
        "frequency": pl.when(pl.col("chargeType") == "Usage").then(pl.lit("UsageBased")).otherwise(pl.lit("OneTime")),
        "productOrderName": pl.when(purchase).then(pl.lit("Reserved VM Instance, Standard_D4s_v5, 1 Year")).otherwise(pl.lit("Azure plan")),
        "term": pl.when(ri | purchase).then(pl.lit("12")).otherwise(pl.lit(None, pl.String)),
        "benefitId": pl.when(ri).then(benefit).otherwise(pl.lit(None, pl.String)),
        "benefitName": pl.col("reservationName"),
    }


def _mca_columns(dims: _Dimensions) -> list[pl.Expr]:
    none = pl.lit(None, pl.String)
    common = _common(dims)
    exprs: dict[str, pl.Expr] = {
        "invoiceId": pl.col("invoiceId"),
        "previousInvoiceId": none,
        "billingAccountId": pl.lit(dims.constants["billingAccountId"]),
        "billingAccountName": pl.lit(dims.constants["billingAccountName"]),
        "resellerName": none,
        "resellerMpnId": none,
        "billingPeriodEndDate": pl.col("periodEnd"),
        "billingPeriodStartDate": pl.col("periodStart"),
        "servicePeriodEndDate": pl.col("periodEnd"),
        "servicePeriodStartDate": pl.col("periodStart"),
        "productOrderId": pl.lit(dims.constants["productOrderId"]),
        "meterRegion": pl.col("location"),
        "publisherType": pl.lit("Microsoft"),
        "publisherId": none,
        "publisherName": pl.lit("Microsoft"),
        "billingCurrency": pl.lit("EUR"),
        "pricingCurrency": pl.lit("USD"),
        "costInPricingCurrency": pl.col("costInUsd"),
        "exchangeRatePricingToBilling": pl.col("exchangeRate"),
        "exchangeRateDate": pl.col("periodStart"),
        "isAzureCreditEligible": pl.lit("True"),
        "serviceInfo2": none,
        "costAllocationRuleName": none,
        "provider": pl.lit("Azure"),
        **common,
    }
    return [exprs[name].alias(name) if name in exprs else pl.col(name) for name in MCA_V2_HEADER]


def _ea_columns(dims: _Dimensions) -> list[pl.Expr]:
    none = pl.lit(None, pl.String)
    common = _common(dims)
    exprs: dict[str, pl.Expr] = {
        "BillingAccountId": pl.lit(EA_ENROLLMENT),
        "BillingAccountName": pl.lit("Contoso Ltd"),
        "BillingPeriodStartDate": pl.col("periodStart"),
        "BillingPeriodEndDate": pl.col("periodEnd"),
        "BillingProfileId": pl.lit(EA_ENROLLMENT),
        "BillingProfileName": pl.lit("Contoso Ltd"),
        "AccountOwnerId": pl.col("AccountOwnerId"),
        "AccountName": pl.col("AccountName"),
        "SubscriptionId": pl.col("SubscriptionId"),
        "SubscriptionName": pl.col("subscriptionName"),
        "Date": pl.col("date"),
        "Product": pl.col("ProductName"),
        "PartNumber": pl.col("PartNumber"),
        "MeterId": pl.col("meterId"),
        "ServiceFamily": pl.col("serviceFamily"),
        "MeterCategory": pl.col("meterCategory"),
        "MeterSubCategory": pl.col("meterSubCategory"),
        "MeterRegion": pl.col("location"),
        "MeterName": pl.col("meterName"),
        "Quantity": pl.col("quantity"),
        "EffectivePrice": pl.col("effectivePrice"),
        "Cost": pl.col("costInBillingCurrency"),
        "UnitPrice": pl.col("unitPrice"),
        "BillingCurrency": pl.lit("EUR"),
        "ResourceLocation": pl.col("resourceLocation"),
        "AvailabilityZone": none,
        "ConsumedService": pl.col("consumedService"),
        "ResourceId": pl.col("ResourceId"),
        "ResourceName": pl.col("ResourceName"),
        "ServiceInfo1": pl.col("serviceInfo1"),
        "ServiceInfo2": none,
        "AdditionalInfo": pl.col("additionalInfo"),
        "Tags": pl.col("tags"),
        "InvoiceSectionId": pl.col("invoiceSectionId"),
        "InvoiceSection": pl.col("invoiceSectionName"),
        "CostCenter": pl.col("costCenter"),
        "UnitOfMeasure": pl.col("unitOfMeasure"),
        "ResourceGroup": pl.col("resourceGroupName"),
        "ReservationId": pl.col("reservationId"),
        "ReservationName": pl.col("reservationName"),
        "ProductOrderId": pl.lit(dims.constants["productOrderId"]),
        "ProductOrderName": common["productOrderName"],
        "OfferId": pl.lit("MS-AZR-0017P"),
        "IsAzureCreditEligible": pl.lit("True"),
        "Term": common["term"],
        "PublisherName": pl.lit("Microsoft"),
        "PlanName": none,
        "ChargeType": pl.col("chargeType"),
        "Frequency": common["frequency"],
        "PublisherType": pl.lit("Azure"),
        "PayGPrice": pl.col("PayGPrice"),
        "PricingModel": pl.col("pricingModel"),
        "CostAllocationRuleName": none,
        "benefitId": common["benefitId"],
        "benefitName": common["benefitName"],
    }
    return [exprs[name].alias(name) for name in EA_HEADER]


def generate(spec: Spec, path: str | Path, progress: Callable[[int, float], None] | None = None) -> Result:
    """Write ``spec.rows`` rows to ``path`` (via a temporary file, so a file on disk is always complete).

    A ``<path>.meta.json`` next to it records the spec, so callers can reuse an existing file safely.
    """
    if spec.format not in FORMATS:
        raise ValueError(f"unknown format {spec.format!r}; use one of {', '.join(FORMATS)}")
    if spec.rows < 1 or spec.days < 1:
        raise ValueError("rows and days must be positive")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    started = time.perf_counter()
    dims = _dimensions(spec)
    cal = _calendar(spec, dims)
    written = 0
    with partial.open("wb") as out:
        if spec.with_bom:
            out.write(b"\xef\xbb\xbf")
        for index, first in enumerate(range(0, spec.rows, spec.chunk_rows)):
            n = min(spec.chunk_rows, spec.rows - first)
            frame = _chunk(spec, dims, cal, first, n, index)
            frame.write_csv(out, include_header=index == 0, line_terminator="\r\n" if spec.crlf else "\n")
            written += n
            if progress:
                progress(written, time.perf_counter() - started)
    os.replace(partial, target)
    meta_path(target).write_text(json.dumps(spec.meta(), indent=1) + "\n")
    return Result(target, written, target.stat().st_size, time.perf_counter() - started)


def meta_path(path: Path) -> Path:
    """Where the spec of a generated file is recorded."""
    return path.with_name(path.name + ".meta.json")


def is_current(path: Path, spec: Spec) -> bool:
    """Whether ``path`` exists and was generated from ``spec`` by this generator version."""
    try:
        return bool(path.is_file() and json.loads(meta_path(path).read_text()) == spec.meta())
    except (OSError, ValueError):
        return False


def ensure(path: Path, spec: Spec, log: Callable[[str], None] = print) -> Path:
    """Generate ``path`` unless an identical file is already there."""
    if is_current(path, spec):
        return path
    log(f"generating {spec.rows:,} {spec.format.upper()} rows -> {path} ...")
    result = generate(spec, path)
    log(f"  {result.bytes / 1e6:,.1f} MB, {result.bytes_per_row:,.0f} bytes/row, {result.seconds:.1f} s")
    return path


def bench_file(rows: int, fmt: str = "mca") -> Path:
    """The benchmark's generated file of ``rows`` rows in ``bench/out/`` (``mca_1m.csv``...), generated on first use."""
    name = f"{fmt}_{rows // 1_000_000}m.csv" if rows >= 1_000_000 else f"{fmt}_{rows // 1000}k.csv"
    return ensure(OUT_DIR / name, Spec(rows=rows, format=fmt), log=lambda text: print(text, file=sys.stderr, flush=True))


def rows_command(prog: str, doc: str | None, default_rows: int) -> argparse.ArgumentParser:
    """The command line of a benchmark over one generated file: ``--rows`` (``100k``, ``1m``...) and the module text."""
    parser = argparse.ArgumentParser(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=parse_rows, default=default_rows, help="rows of the generated file (default %(default)s)")
    return parser


def parse_rows(text: str) -> int:
    """``100k``, ``1m``, ``1_000_000`` → an int."""
    cleaned = text.strip().lower().replace("_", "").replace(",", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(cleaned[-1:], 1)
    return int(float(cleaned.rstrip("km")) * factor)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=parse_rows, required=True, help="rows to write (100k, 1m, 10m or a number)")
    parser.add_argument("--format", choices=FORMATS, default="mca")
    parser.add_argument("-o", "--output", required=True, help="CSV path to write")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end", type=date.fromisoformat, default=Spec.end, help="last day of data (default %(default)s)")
    parser.add_argument("--days", type=int, default=Spec.days, help="days of data ending on --end (default %(default)s)")
    parser.add_argument("--resources", type=int, default=Spec.resources)
    parser.add_argument("--resource-groups", type=int, default=Spec.resource_groups)
    parser.add_argument("--subscriptions", type=int, default=Spec.subscriptions)
    parser.add_argument("--chunk-rows", type=int, default=Spec.chunk_rows, help="rows per chunk in memory (changes the bytes)")
    parser.add_argument("--bom", action=argparse.BooleanOptionalAction, default=None, help="UTF-8 BOM (default: EA yes, MCA no)")
    parser.add_argument("--crlf", action="store_true", help="CRLF line endings")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    spec = Spec(
        rows=args.rows,
        format=args.format,
        seed=args.seed,
        end=args.end,
        days=args.days,
        resources=args.resources,
        resource_groups=args.resource_groups,
        subscriptions=args.subscriptions,
        chunk_rows=args.chunk_rows,
        bom=args.bom,
        crlf=args.crlf,
    )

    def report(done: int, seconds: float) -> None:
        if not args.quiet:
            print(f"  {done:,} / {spec.rows:,} rows  {seconds:.1f} s", file=sys.stderr)

    try:
        result = generate(spec, args.output, report)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"wrote {result.rows:,} {spec.format.upper()} rows ({spec.start} .. {spec.end}) to {result.path}: "
        f"{result.bytes / 1e6:,.1f} MB, {result.bytes_per_row:,.0f} bytes/row, {result.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
