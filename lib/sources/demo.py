"""Built-in demo data: a deterministic, realistic Microsoft Customer Agreement account.

The generator writes rows in the newest native MCA layout (``MCA_V2_HEADER``, cells as text,
dates ``MM/DD/YYYY``) and then normalizes them like any file, so the demo exercises the same
path as real data and its raw download is a genuine "version 2" file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from lib.core.dataset import Dataset, Invoice, LoadRequest, ProgressCallback
from lib.core.models import Agreement, Metric, Scope, ScopeKind
from lib.core.periods import add_months, billing_period, billing_periods
from lib.ingest.dialects import MCA_2023_12_01_PREVIEW, MCA_V2_HEADER
from lib.ingest.normalize import normalize

SEED = 20240611
BILLING_ACCOUNT_ID = "5e3a1c2d-7b84-4f0e-9a61-2c9d8e7f6a10:4b2f9c1e-8d3a-4e7b-b5c6-1a2b3c4d5e6f_2019-05-31"
BILLING_ACCOUNT_NAME = "Contoso Europe B.V."
BILLING_PROFILE_ID = "KX7Q-2MZR-BG7-PGB"
BILLING_PROFILE_NAME = "Contoso EU billing"

SUBSCRIPTIONS = (
    ("a1f3c5e7-1b2d-4c6e-8f90-1a2b3c4d5e01", "Contoso Production", "Platform", "prod"),
    ("b2e4d6f8-2c3e-4d7f-9a01-2b3c4d5e6f02", "Contoso Development", "Platform", "dev"),
    ("c3d5e7f9-3d4f-4e80-ab12-3c4d5e6f7003", "Contoso Data Platform", "Data & AI", "prod"),
)
REGIONS = (
    ("westeurope", "EU West", 0.46),
    ("northeurope", "EU North", 0.22),
    ("swedencentral", "SE Central", 0.12),
    ("germanywestcentral", "DE West Central", 0.08),
    ("eastus", "US East", 0.12),
)
# Meter category, provider, meter, unit, share of spend, weekday-sensitive.
SERVICES = (
    ("Virtual Machines", "Microsoft.Compute", "D4s v5", "1 Hour", 0.27, True),
    ("Storage", "Microsoft.Storage", "Hot LRS Data Stored", "1 GB/Month", 0.09, False),
    ("SQL Database", "Microsoft.Sql", "vCore", "1 Hour", 0.08, False),
    ("Azure App Service", "Microsoft.Web", "P1 v3 App", "1 Hour", 0.07, True),
    ("Azure Cosmos DB", "Microsoft.DocumentDB", "100 RU/s", "100 RU/s/Hour", 0.05, False),
    ("Azure Databricks", "Microsoft.Databricks", "Premium All-purpose Compute DBU", "1 Hour", 0.05, True),
    ("Log Analytics", "Microsoft.OperationalInsights", "Analytics Logs Data Ingestion", "1 GB", 0.04, False),
    ("Bandwidth", "Microsoft.Network", "Standard Data Transfer Out", "1 GB", 0.03, True),
    ("Azure Kubernetes Service", "Microsoft.ContainerService", "Standard Uptime SLA", "1 Hour", 0.03, False),
    ("Azure Database for PostgreSQL", "Microsoft.DBforPostgreSQL", "vCore", "1 Hour", 0.03, False),
    ("Foundry Models", "Microsoft.CognitiveServices", "gpt-4o Input Tokens", "1K", 0.03, True),
    ("Azure Synapse Analytics", "Microsoft.Synapse", "Standard vCore", "1 Hour", 0.025, True),
    ("Azure Firewall", "Microsoft.Network", "Standard Deployment", "1 Hour", 0.02, False),
    ("Azure Cache for Redis", "Microsoft.Cache", "C2 Cache", "1 Hour", 0.02, False),
    ("Application Gateway", "Microsoft.Network", "Standard v2 Fixed Cost", "1 Hour", 0.02, False),
    ("Azure Front Door Service", "Microsoft.Cdn", "Standard Base Fees", "1 Hour", 0.015, True),
    ("Azure Data Factory v2", "Microsoft.DataFactory", "Cloud Orchestration Activity Run", "1K", 0.015, True),
    ("Backup", "Microsoft.RecoveryServices", "Protected Instances", "1/Month", 0.012, False),
    ("Microsoft Defender for Cloud", "Microsoft.Security", "Standard Node", "1/Month", 0.012, False),
    ("Event Hubs", "Microsoft.EventHub", "Standard Throughput Unit", "1 Hour", 0.01, True),
    ("Service Bus", "Microsoft.ServiceBus", "Standard Base Unit", "1/Month", 0.008, False),
    ("Azure Monitor", "Microsoft.Insights", "Metrics Queries", "1K", 0.008, True),
    ("Container Registry", "Microsoft.ContainerRegistry", "Premium Registry Unit", "1/Day", 0.006, False),
    ("Load Balancer", "Microsoft.Network", "Standard Data Processed", "1 GB", 0.006, True),
    ("Azure Bastion", "Microsoft.Network", "Standard Gateway", "1 Hour", 0.005, False),
    ("Key Vault", "Microsoft.KeyVault", "Operations", "10K", 0.004, True),
    ("Virtual Network", "Microsoft.Network", "Peering Ingress", "1 GB", 0.004, True),
    ("Azure DNS", "Microsoft.Network", "Public Zone", "1/Month", 0.002, False),
    ("Functions", "Microsoft.Web", "Execution Time", "1 GB Second", 0.003, True),
    ("Logic Apps", "Microsoft.Logic", "Standard Connector Actions", "1", 0.002, True),
)
WORKLOADS = ("web", "api", "shop", "search", "crm", "hr", "etl", "lake", "ml", "bi", "iot", "auth", "ops", "mail", "docs")
ENVIRONMENT_SPELLINGS = ("env", "env", "env", "Env")  # real tenants tag inconsistently
MONTHLY_SPEND_USD = 52_000.0
SPIKE_FACTOR = 30.0


@dataclass(frozen=True)
class _Inventory:
    frame: pl.DataFrame  # one row per resource


def _stable_id(*parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _inventory() -> _Inventory:
    rng = np.random.default_rng(SEED)
    rows = []
    for sub_index, (sub_id, sub_name, section, env) in enumerate(SUBSCRIPTIONS):
        groups = [f"rg-{w}-{env}-{r[0][:3]}" for w in WORKLOADS for r in REGIONS[:1]]
        groups = groups[:15] if sub_index < 2 else [f"rg-{w}-data-{env}" for w in WORKLOADS[:13]]
        for group in groups:
            region_index = rng.choice(len(REGIONS), p=[r[2] for r in REGIONS])
            for service_index in rng.choice(len(SERVICES), size=rng.integers(4, 9), replace=False):
                service = SERVICES[service_index]
                name = f"{service[2].split()[0].lower()}-{group[3:]}-{rng.integers(1, 99):02d}"
                tagged = rng.random() > 0.15
                tags = ""
                if tagged:
                    key = ENVIRONMENT_SPELLINGS[rng.integers(len(ENVIRONMENT_SPELLINGS))]
                    cost_center = f"CC-{100 + sub_index * 10 + group.count('-')}"
                    tags = f'"{key}": "{env}","costCenter": "{cost_center}","owner": "{group.split("-")[1]}-team"'
                rows.append(
                    {
                        "sub_id": sub_id,
                        "sub_name": sub_name,
                        "section": section,
                        "env": env,
                        "group": group,
                        "service_index": int(service_index),
                        "region_index": int(region_index),
                        "name": name,
                        "tags": tags,
                        "weight": float(rng.lognormal(0.0, 0.9)),
                        "start_offset": int(rng.integers(0, 90)) if rng.random() < 0.12 else 0,
                    }
                )
    frame = pl.DataFrame(rows).with_row_index("resource")
    share = pl.Series([SERVICES[i][4] for i in frame["service_index"]])
    weight_total = frame.group_by("service_index").agg(pl.col("weight").sum().alias("w_sum"))
    frame = frame.join(weight_total, on="service_index").sort("resource")
    daily_usd = share * frame["weight"] / frame["w_sum"] * MONTHLY_SPEND_USD / 30.4
    return _Inventory(frame.with_columns(daily_usd.alias("daily_usd")))


def _usd_to_eur(month_index: int) -> float:
    """A plausible monthly exchange rate, fixed per month so the demo is stable."""
    return round(0.91 + 0.012 * float(np.sin(month_index / 2.0)), 4)


def _invoice_id(period_start: date) -> str:
    return f"G{int(hashlib.sha256(period_start.isoformat().encode()).hexdigest()[:8], 16) % 10**9:09d}"


def generate_raw(as_of: date, metric: Metric = Metric.ACTUAL) -> pl.DataFrame:
    """Generate the demo account's rows up to ``as_of`` in the MCA "version 2" layout, as text.

    Deterministic: the same ``as_of`` and ``metric`` always give the same bytes.
    """
    inventory = _inventory().frame
    periods = billing_periods(as_of)
    first_day = periods[0].start
    days = pl.date_range(first_day, as_of, "1d", eager=True).alias("day")
    rng = np.random.default_rng(SEED + as_of.toordinal())

    grid = inventory.join(pl.DataFrame({"day": days}), how="cross")
    day_number = (grid["day"] - first_day).dt.total_days().to_numpy()
    weekday = grid["day"].dt.weekday().to_numpy()  # Monday=1
    weekday_sensitive = np.array([SERVICES[i][5] for i in grid["service_index"]])
    dev = (grid["env"] == "dev").to_numpy()
    rhythm = np.where(weekday >= 6, np.where(dev, 0.35, np.where(weekday_sensitive, 0.62, 0.97)), 1.0)
    growth = 1.0 + 0.0006 * day_number
    noise = rng.lognormal(0.0, 0.07, grid.height)
    usd = grid["daily_usd"].to_numpy() * rhythm * growth * noise

    # A runaway data pipeline in the last closed period: the visible spike.
    spike_start = add_months(as_of, -1) + timedelta(days=11)
    spike_days = (grid["day"] >= spike_start) & (grid["day"] < spike_start + timedelta(days=4))
    spike = spike_days & grid["service_index"].is_in([5, 11]) & (grid["sub_name"] == "Contoso Data Platform")
    usd = np.where(spike.to_numpy(), usd * SPIKE_FACTOR, usd)
    active = day_number >= grid["start_offset"].to_numpy()
    grid = grid.with_columns(pl.Series("usd", usd)).filter(pl.Series(active))
    usage = _usage_rows(grid)
    one_off = _one_off_rows(inventory, as_of, metric)
    rows = pl.concat([usage, one_off], how="diagonal").sort(["day", "resource"], nulls_last=True)
    return _to_mca_text(rows, as_of)


def _usage_rows(grid: pl.DataFrame) -> pl.DataFrame:
    return grid.select(
        "day",
        "resource",
        "sub_id",
        "sub_name",
        "section",
        "group",
        "service_index",
        "region_index",
        "name",
        "tags",
        "usd",
        pl.lit("Usage").alias("charge_type"),
        pl.lit("OnDemand").alias("pricing_model"),
    )


def _one_off_rows(inventory: pl.DataFrame, as_of: date, metric: Metric) -> pl.DataFrame:
    """A one-year reservation bought four periods ago and part of another refunded two periods ago."""
    vm = inventory.filter(pl.col("service_index") == 0, pl.col("sub_name") == "Contoso Production").row(0, named=True)
    purchase_day = add_months(as_of, -4) + timedelta(days=2)
    refund_day = add_months(as_of, -2) + timedelta(days=19)
    charges = [(purchase_day, 9_480.0, "Purchase"), (refund_day, -1_580.0, "Refund")]
    rows = []
    for day, usd, charge_type in charges:
        if metric is Metric.ACTUAL:
            rows.append({**vm, "day": day, "usd": usd, "charge_type": charge_type})
            continue
        # Amortized: spread the commitment over its one-year term, day by day up to as_of.
        spread = pl.date_range(day, as_of, "1d", eager=True)
        rows.extend({**vm, "day": d, "usd": usd / 365.0, "charge_type": "Usage"} for d in spread)
    if not rows:
        return pl.DataFrame()
    frame = pl.DataFrame(rows).with_columns(
        pl.lit("Reservation").alias("pricing_model"),
        pl.lit(None, dtype=pl.UInt32).alias("resource"),
        pl.lit("").alias("tags"),
        pl.lit("reservation-d4s-v5-weu-1y").alias("name"),
    )
    return frame.select(_usage_rows(frame.head(0)).columns)


def _to_mca_text(rows: pl.DataFrame, as_of: date) -> pl.DataFrame:
    service = pl.col("service_index")
    region = pl.col("region_index")

    def pick(values: list[str], index: pl.Expr) -> pl.Expr:
        return index.replace_strict(list(range(len(values))), values, return_dtype=pl.String)

    periods = billing_periods(as_of)
    month_index = pl.col("day").dt.year() * 12 + pl.col("day").dt.month()
    months = sorted({p.start.year * 12 + p.start.month for p in periods})
    rate = month_index.replace_strict(months, [_usd_to_eur(m) for m in months], return_dtype=pl.Float64)
    invoice_ids = {p.start: _invoice_id(p.start) for p in periods[:-1]}
    period_start = pl.col("day").dt.month_start()
    is_purchase = pl.col("charge_type") != "Usage"
    eur = (pl.col("usd") * rate).round(8)
    mdy = "%m/%d/%Y"
    provider = pick([s[1] for s in SERVICES], service)
    resource_type = provider.str.split(".").list.last().str.to_lowercase()
    resource_id = pl.format(
        "/subscriptions/{}/resourceGroups/{}/providers/{}/{}/{}", pl.col("sub_id"), pl.col("group"), provider, resource_type, pl.col("name")
    )
    text = rows.with_columns(rate.alias("rate"), eur.alias("eur"), period_start.alias("period_start")).select(
        pl.col("period_start").replace_strict(invoice_ids, default="", return_dtype=pl.String).alias("invoiceId"),
        pl.lit("").alias("previousInvoiceId"),
        pl.lit(BILLING_ACCOUNT_ID).alias("billingAccountId"),
        pl.lit(BILLING_ACCOUNT_NAME).alias("billingAccountName"),
        pl.lit(BILLING_PROFILE_ID).alias("billingProfileId"),
        pl.lit(BILLING_PROFILE_NAME).alias("billingProfileName"),
        pl.col("section")
        .replace_strict({"Platform": "PL4T-9XQ2-PJA-PGB", "Data & AI": "D4TA-7KLM-PJA-PGB"}, return_dtype=pl.String)
        .alias("invoiceSectionId"),
        pl.col("section").alias("invoiceSectionName"),
        pl.lit("").alias("resellerName"),
        pl.lit("").alias("resellerMpnId"),
        pl.lit("").alias("costCenter"),
        pl.col("period_start").dt.month_end().dt.strftime(mdy).alias("billingPeriodEndDate"),
        pl.col("period_start").dt.strftime(mdy).alias("billingPeriodStartDate"),
        pl.col("day").dt.strftime(mdy).alias("servicePeriodEndDate"),
        pl.col("day").dt.strftime(mdy).alias("servicePeriodStartDate"),
        pl.col("day").dt.strftime(mdy).alias("date"),
        pl.when(service == 0).then(pl.lit("Compute")).otherwise(pick([s[0] for s in SERVICES], service)).alias("serviceFamily"),
        pl.lit("9f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b").alias("productOrderId"),
        pl.when(is_purchase).then(pl.lit("Reserved VM Instance")).otherwise(pl.lit("Azure plan")).alias("productOrderName"),
        provider.alias("consumedService"),
        pick([_stable_id("meter", s[2]) for s in SERVICES], service).alias("meterId"),
        pick([s[2] for s in SERVICES], service).alias("meterName"),
        pick([s[0] for s in SERVICES], service).alias("meterCategory"),
        pick([s[0] for s in SERVICES], service).alias("meterSubCategory"),
        pick([r[1] for r in REGIONS], region).alias("meterRegion"),
        pl.format("DZH318Z0{}", service + 1000).alias("ProductId"),
        pl.format(
            "{} - {} - {}",
            pick([s[0] for s in SERVICES], service),
            pick([s[2] for s in SERVICES], service),
            pick([r[1] for r in REGIONS], region),
        ).alias("ProductName"),
        pl.col("sub_id").alias("SubscriptionId"),
        pl.col("sub_name").alias("subscriptionName"),
        pl.lit("Microsoft").alias("publisherType"),
        pl.lit("").alias("publisherId"),
        pl.lit("Microsoft").alias("publisherName"),
        pl.col("group").alias("resourceGroupName"),
        resource_id.alias("ResourceId"),
        pick([r[0] for r in REGIONS], region).alias("resourceLocation"),
        pick([r[1] for r in REGIONS], region).alias("location"),
        pl.lit("0.1").alias("effectivePrice"),
        (pl.col("usd") * 10).round(6).cast(pl.String).alias("quantity"),
        pick([s[3] for s in SERVICES], service).alias("unitOfMeasure"),
        pl.col("charge_type").alias("chargeType"),
        pl.lit("EUR").alias("billingCurrency"),
        pl.lit("USD").alias("pricingCurrency"),
        pl.col("eur").cast(pl.String).alias("costInBillingCurrency"),
        pl.col("usd").round(8).cast(pl.String).alias("costInPricingCurrency"),
        pl.col("usd").round(8).cast(pl.String).alias("costInUsd"),
        pl.col("eur").cast(pl.String).alias("paygCostInBillingCurrency"),
        pl.col("usd").round(8).cast(pl.String).alias("paygCostInUsd"),
        pl.col("rate").cast(pl.String).alias("exchangeRatePricingToBilling"),
        pl.col("period_start").dt.strftime(mdy).alias("exchangeRateDate"),
        pl.lit("True").alias("isAzureCreditEligible"),
        pl.lit("").alias("serviceInfo1"),
        pl.lit("").alias("serviceInfo2"),
        pl.lit("").alias("additionalInfo"),
        pl.col("tags"),
        pl.lit("0.1").alias("PayGPrice"),
        pl.when(is_purchase).then(pl.lit("OneTime")).otherwise(pl.lit("UsageBased")).alias("frequency"),
        pl.when(pl.col("pricing_model") == "Reservation").then(pl.lit("12")).otherwise(pl.lit("")).alias("term"),
        pl.lit("").alias("reservationId"),
        pl.lit("").alias("reservationName"),
        pl.col("pricing_model").alias("pricingModel"),
        pl.lit("0.1").alias("unitPrice"),
        pl.lit("").alias("costAllocationRuleName"),
        pl.lit("").alias("benefitId"),
        pl.lit("").alias("benefitName"),
        pl.lit("Azure").alias("provider"),
    )
    return text.select(MCA_V2_HEADER)


def demo_scopes() -> tuple[Scope, ...]:
    """Scopes a user can pick in the demo account, widest first."""
    scopes = [
        Scope(f"/providers/Microsoft.Billing/billingAccounts/{BILLING_ACCOUNT_ID}", BILLING_ACCOUNT_NAME, ScopeKind.BILLING_ACCOUNT),
        Scope(
            f"/providers/Microsoft.Billing/billingAccounts/{BILLING_ACCOUNT_ID}/billingProfiles/{BILLING_PROFILE_ID}",
            BILLING_PROFILE_NAME,
            ScopeKind.BILLING_PROFILE,
            (("BillingProfile", BILLING_PROFILE_NAME),),
        ),
    ]
    scopes += [
        Scope(f"/subscriptions/{sub_id}", name, ScopeKind.SUBSCRIPTION, (("SubscriptionId", sub_id),))
        for sub_id, name, _, _ in SUBSCRIPTIONS
    ]
    return tuple(scopes)


class DemoSource:
    """The default source: needs no account and no network."""

    key = "demo"
    label = "Demo data"

    def load(self, request: LoadRequest, *, progress: ProgressCallback | None = None) -> Dataset:
        """Generate and normalize the demo account up to ``request.as_of``."""
        raw = generate_raw(request.as_of, request.metric)
        normalized = normalize(raw, MCA_2023_12_01_PREVIEW)
        if progress:
            progress(1.0, "Demo data ready")
        return Dataset(
            source=self.key,
            format=MCA_2023_12_01_PREVIEW.name,
            schema_version="2023-12-01-preview",
            agreement=Agreement.MCA,
            metric=request.metric,
            raw=raw,
            frame=normalized.frame,
            scopes=demo_scopes(),
            as_of=request.as_of,
            raw_files=(),
            dropped=normalized.dropped,
            notes=("Demo data: a made-up Microsoft Customer Agreement account, generated on this machine.", *normalized.notes),
        )


DEMO_TAX_RATE = 0.21  # made-up VAT on the demo's invoices
# A made-up Azure credit applied to the invoice three periods back, so the history shows credits reconciling.
DEMO_CREDIT_EUR = 250.0


def demo_invoices(dataset: Dataset) -> list[Invoice]:
    """Made-up invoices for the demo account's closed periods that reconcile with its actual-cost rows to the cent.

    Each invoice charges its rows rounded to the cent, less a credit in one period, plus tax on the
    rest. Under amortized cost the invoices are still those of actual cost (invoices are never
    amortized), so the actual rows are generated for them.
    """
    frame = dataset.frame if dataset.metric is Metric.ACTUAL else DemoSource().load(LoadRequest(as_of=dataset.as_of)).frame
    billed = frame.filter(pl.col("InvoiceId").is_not_null())
    totals = billed.group_by(pl.col("InvoiceId").cast(pl.String), pl.col("BillingPeriodStart"), pl.col("BillingCurrency").cast(pl.String))
    credit_period = add_months(dataset.as_of, -3)
    invoices = []
    for invoice_id, start, currency, cost in totals.agg(pl.col("Cost").sum()).sort("BillingPeriodStart").iter_rows():
        charges = round(cost, 2)
        credits = -DEMO_CREDIT_EUR if start == credit_period else 0.0
        tax = round((charges + credits) * DEMO_TAX_RATE, 2)
        invoices.append(
            Invoice(
                invoice_id=invoice_id,
                period=billing_period(start),
                currency=currency,
                total=round(charges + credits + tax, 2),
                tax=tax,
                credits=credits,
                status="Paid",
                has_document=False,
            )
        )
    return invoices
