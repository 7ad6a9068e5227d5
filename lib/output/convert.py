"""Conversions of loaded rows to the newest native schema ("version 2") and to FOCUS 1.2.

Cells are copied from the raw rows where the target has the same column (header keys compared
as in ``lib.ingest.dialects``), so nothing Azure wrote is lost; columns the source layout lacks are
filled from the canonical rows (dates re-written as the target writes them) or left empty.
Only rows the data set kept are converted.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from lib.analysis import frames
from lib.core import fmt
from lib.core.dataset import Dataset, SourceError
from lib.core.i18n import _
from lib.core.models import Agreement, Metric
from lib.core.schema import TAG_KEY, TAG_VALUE, Col, as_text
from lib.ingest import dialects
from lib.ingest.dialects import header_key
from lib.ingest.normalize import parse_date
from lib.output import export, spreadsheet_csv

V2 = "v2"
FOCUS = "focus"
_MDY = "%m/%d/%Y"

# Target header key → canonical column that fills it when the source has no such column.
_FROM_CANONICAL: Mapping[str, Col] = {
    "date": Col.CHARGE_DATE,
    "usagedatetime": Col.CHARGE_DATE,
    "billingperiodstartdate": Col.BILLING_PERIOD_START,
    "invoiceid": Col.INVOICE_ID,
    "billingcurrency": Col.BILLING_CURRENCY,
    "billingcurrencycode": Col.BILLING_CURRENCY,
    "costinbillingcurrency": Col.COST,
    "cost": Col.COST,
    "costinusd": Col.COST_USD,
    "metercategory": Col.SERVICE,
    "metername": Col.METER,
    "subscriptionid": Col.SUBSCRIPTION_ID,
    "subscriptionname": Col.SUBSCRIPTION_NAME,
    "resourcegroupname": Col.RESOURCE_GROUP,
    "resourcegroup": Col.RESOURCE_GROUP,
    "resourceid": Col.RESOURCE_ID,
    "resourcelocation": Col.LOCATION,
    "chargetype": Col.CHARGE_TYPE,
    "pricingmodel": Col.PRICING_MODEL,
    "quantity": Col.QUANTITY,
    "unitofmeasure": Col.UNIT,
    "billingprofilename": Col.BILLING_PROFILE,
    "invoicesectionname": Col.INVOICE_SECTION,
    "tags": Col.TAGS,
}
# Target header key → other source header keys holding the same thing (older or FOCUS names).
_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "productname": ("product",),
    "resourceid": ("instanceid", "instancename"),
    "metersubcategory": ("xskumetersubcategory",),
    "meterid": ("xskumeterid",),
    "meterregion": ("xskuregion",),
    "effectiveprice": ("resourcerate", "xeffectiveunitprice"),
    "exchangeratepricingtobilling": ("exchangerate", "xbillingexchangerate"),
    "paygprice": ("marketprice", "listunitprice"),
    "invoicesectionid": ("xinvoicesectionid",),
    "billingprofileid": ("xbillingprofileid",),
    "pricingcurrency": ("pricingcurrencycode", "xpricingcurrency"),
    "costinpricingcurrency": (),
    "location": ("regionname",),
    "additionalinfo": ("xskudetails", "skupricedetails"),
    "consumedservice": (),
    "accountname": ("xaccountname",),
    "accountownerid": ("xaccountownerid",),
    "billingaccountname": ("xbillingaccountname",),
    "billingaccountid": ("xbillingaccountid",),
    "partnumber": ("xskupartnumber",),
    "offerid": ("xskuofferid",),
    "frequency": (),
    "term": ("xskuterm",),
    "reservationid": ("commitmentdiscountid",),
    "reservationname": ("commitmentdiscountname",),
    "invoiceid": ("xinvoiceid",),
    "skumeter": ("xskumetername", "metername"),
    "xskumetercategory": ("metercategory",),
    "xskumetersubcategory": ("metersubcategory",),
    "xskumeterid": ("meterid",),
    "xskuregion": ("meterregion",),
    "xskupartnumber": ("partnumber",),
    "xskuofferid": ("offerid",),
    "xskuorderid": ("productorderid",),
    "xskuordername": ("productordername",),
    "xskuterm": ("term",),
    "xskuservicefamily": ("servicefamily",),
    "xskudescription": ("productname", "product"),
    "xskuiscrediteligible": ("isazurecrediteligible",),
    "xbillingaccountid": ("billingaccountid",),
    "xbillingaccountname": ("billingaccountname",),
    "xbillingprofileid": ("billingprofileid",),
    "xinvoicesectionid": ("invoicesectionid", "departmentid"),
    "xaccountname": ("accountname",),
    "xaccountownerid": ("accountownerid",),
    "xcostcenter": ("costcenter",),
    "xcostallocationrulename": ("costallocationrulename",),
    "xbillingexchangerate": ("exchangeratepricingtobilling", "exchangerate"),
    "xbillingexchangeratedate": ("exchangeratedate",),
    "xeffectiveunitprice": ("effectiveprice", "resourcerate"),
    "xbilledunitprice": ("unitprice",),
    "listunitprice": ("paygprice", "marketprice"),
    "contractedunitprice": ("unitprice",),
    "pricingcurrency_": (),
    "xpublishercategory": ("publishertype",),
    "publishername": (),
    "xresellername": ("resellername",),
    "xresellerid": ("resellermpnid",),
    "xservicepoint": (),
    "xserviceperiodstart": ("serviceperiodstartdate",),
    "xserviceperiodend": ("serviceperiodenddate",),
    "commitmentdiscountid": ("reservationid", "benefitid"),
    "commitmentdiscountname": ("reservationname", "benefitname"),
    "resourcename": ("resourcename",),
    "xresourcetype": ("resourcetype",),
    "consumedquantity": ("quantity", "usagequantity"),
}
_EMPTY = pl.lit(None, dtype=pl.String)
_DATE_KEYS = (
    "date",
    "billingperiodstartdate",
    "billingperiodenddate",
    "serviceperiodstartdate",
    "serviceperiodenddate",
    "exchangeratedate",
)


def target_header(dataset: Dataset, target: str) -> tuple[str, ...]:
    """The header a conversion writes: MCA version 2, the newest EA layout, or FOCUS 1.2."""
    if target == FOCUS:
        return dialects.HEADER_FOCUS_1_2
    if dataset.agreement is Agreement.EA:
        return dialects.HEADER_EA_USAGE_2024_08_01
    return dialects.MCA_V2_HEADER


def _tags_text(*, braces: bool) -> pl.Expr:
    """Tags as FOCUS writes them (a JSON object) or as EA/MCA files do (the object without braces)."""
    tags = pl.col(f"c:{Col.TAGS}")
    separator = ":" if braces else ": "
    element = pl.element()
    pair = pl.concat_str(
        [
            pl.lit('"'),
            _escape(element.struct.field(TAG_KEY)),
            pl.lit(f'"{separator}"'),
            _escape(element.struct.field(TAG_VALUE)),
            pl.lit('"'),
        ]
    )
    joined = tags.list.eval(pair).list.join(",")
    body = pl.concat_str([pl.lit("{"), joined, pl.lit("}")]) if braces else joined
    return pl.when(tags.list.len() > 0).then(body).otherwise(_EMPTY)


def _escape(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)


def _canonical_text(col: Col, *, focus: bool) -> pl.Expr:
    cell = pl.col(f"c:{col}")
    if col in (Col.CHARGE_DATE, Col.BILLING_PERIOD_START):
        return cell.dt.strftime("%Y-%m-%dT00:00:00Z" if focus else _MDY)
    if col is Col.TAGS:
        return _tags_text(braces=focus)
    if col in (Col.COST, Col.COST_USD, Col.QUANTITY):
        return plain_number(cell)
    return cell.cast(pl.String).replace("Unassigned", None)


def plain_number(expr: pl.Expr) -> pl.Expr:
    """A float as plain decimal text (``0.0000008``, never ``8e-7``), trailing zeros dropped.

    Values a decimal cannot hold (``NaN``, infinities, beyond 10^26, all readable in a hostile
    file) are written as the float's own text instead of failing the whole conversion.
    """
    fits = expr.is_finite() & (expr.abs() < 1e26)
    decimal = pl.when(fits).then(expr).otherwise(None).cast(pl.Decimal(38, 12)).cast(pl.String)
    text = decimal.str.replace(r"(\.\d*?)0+$", "${1}").str.replace(r"\.$", "")
    return pl.when(fits | expr.is_null()).then(text).otherwise(expr.cast(pl.String))


def _rows(dataset: Dataset) -> pl.DataFrame:
    """Raw rows the data set kept, side by side with their canonical form (``r:`` and ``c:`` prefixes)."""
    canonical = as_text(frames.with_tags(dataset).sort(Col.SOURCE_ROW))  # tag lists filled in for very big files
    raw = export.raw_at(dataset.raw, canonical.get_column(Col.SOURCE_ROW))
    raw = raw.rename({c: f"r:{c}" for c in raw.columns})
    canonical = canonical.rename({c: f"c:{c}" for c in canonical.columns})
    return pl.concat([raw, canonical], how="horizontal")


def _raw_source(keys: Mapping[str, str], key: str) -> str | None:
    for candidate in (key, *_SYNONYMS.get(key, ())):
        if candidate in keys:
            return keys[candidate]
    return None


def _native(dataset: Dataset, rows: pl.DataFrame, header: tuple[str, ...]) -> pl.DataFrame:
    keys = {header_key(c[2:]): c for c in rows.columns if c.startswith("r:")}
    focus_source = any(k in keys for k in ("billedcost", "effectivecost"))
    exprs = []
    for column in header:
        key = header_key(column)
        canonical = _FROM_CANONICAL.get(key)
        if canonical is Col.COST and not focus_source:
            # Files of several layouts: a row of another layout has no cell in this column; its canonical value fills it.
            source = next((keys[a] for a in dialects.AZURE_COLUMNS[Col.COST] if a in keys), None)
            filled = _canonical_text(canonical, focus=False)
            exprs.append((pl.coalesce(pl.col(source), filled) if source else filled).alias(column))
            continue
        if canonical is not None and (focus_source or key not in keys):
            exprs.append(_canonical_text(canonical, focus=False).alias(column))
            continue
        source = _raw_source(keys, key)
        filled = _canonical_text(canonical, focus=False) if canonical is not None else _EMPTY
        if source is None:
            exprs.append(filled.alias(column))
        elif key in _DATE_KEYS:
            text = pl.col(source).str.strip_chars()
            # The canonical date first: it was read in the file's own date order (a re-saved file may be day first).
            exprs.append(pl.coalesce(filled, parse_date(pl.col(source)).dt.strftime(_MDY), text).alias(column))
        else:
            exprs.append(pl.coalesce(pl.col(source), filled).alias(column))
    return rows.select(exprs)


_CHARGE_CATEGORY = {
    "Usage": "Usage",
    "Purchase": "Purchase",
    "Refund": "Purchase",
    "Tax": "Tax",
    "Credit": "Credit",
    "RoundingAdjustment": "Adjustment",
    "UnusedReservation": "Usage",
    "UnusedSavingsPlan": "Usage",
}
_FREQUENCY = {"UsageBased": "Usage-Based", "Recurring": "Recurring", "OneTime": "One-Time"}
_PRICING = {"OnDemand": "Standard", "Reservation": "Committed", "SavingsPlan": "Committed", "Spot": "Dynamic"}
_COMMITMENT = {"Reservation": "Reservation", "SavingsPlan": "Savings Plan"}


def _focus(dataset: Dataset, rows: pl.DataFrame) -> pl.DataFrame:
    keys = {header_key(c[2:]): c for c in rows.columns if c.startswith("r:")}
    if any(k in keys for k in ("billedcost", "effectivecost")):
        # Already FOCUS: copy every column the source has; renamed columns through the synonyms.
        renamed = {"invoiceid": ("xinvoiceid",), "pricingcurrency": ("xpricingcurrency",), "skumeter": ("xskumetername",)}
        exprs = []
        for column in dialects.HEADER_FOCUS_1_2:
            key = header_key(column)
            source = next((keys[k] for k in (key, *renamed.get(key, ())) if k in keys), None)
            exprs.append((pl.col(source) if source else _EMPTY).alias(column))
        return rows.select(exprs)
    day = pl.col(f"c:{Col.CHARGE_DATE}")
    period = pl.col(f"c:{Col.BILLING_PERIOD_START}")
    iso = "%Y-%m-%dT00:00:00Z"
    charge = pl.col(f"c:{Col.CHARGE_TYPE}")
    pricing = pl.col(f"c:{Col.PRICING_MODEL}")
    cost = plain_number(pl.col(f"c:{Col.COST}"))
    sub = pl.col(f"c:{Col.SUBSCRIPTION_ID}")
    computed: dict[str, pl.Expr] = {
        "BilledCost": cost,
        "EffectiveCost": cost,
        "BillingCurrency": pl.col(f"c:{Col.BILLING_CURRENCY}"),
        "ChargePeriodStart": day.dt.strftime(iso),
        "ChargePeriodEnd": day.dt.offset_by("1d").dt.strftime(iso),
        "BillingPeriodStart": period.dt.strftime(iso),
        "BillingPeriodEnd": period.dt.offset_by("1mo").dt.strftime(iso),
        "ChargeCategory": charge.replace_strict(_CHARGE_CATEGORY, default="Usage", return_dtype=pl.String),
        "ChargeClass": pl.when(charge == "Refund").then(pl.lit("Correction")).otherwise(_EMPTY),
        "PricingCategory": pricing.replace_strict(_PRICING, default=None, return_dtype=pl.String),
        "CommitmentDiscountType": pricing.replace_strict(_COMMITMENT, default=None, return_dtype=pl.String),
        "SubAccountId": pl.when(sub.is_not_null()).then(pl.format("/subscriptions/{}", sub)).otherwise(_EMPTY),
        "SubAccountName": _canonical_text(Col.SUBSCRIPTION_NAME, focus=True),
        "SubAccountType": pl.lit("Subscription"),
        "ResourceId": _canonical_text(Col.RESOURCE_ID, focus=True),
        "RegionId": _canonical_text(Col.LOCATION, focus=True).str.to_lowercase().str.replace_all(" ", ""),
        "ServiceName": _canonical_text(Col.SERVICE, focus=True),
        "x_SkuMeterCategory": _canonical_text(Col.SERVICE, focus=True),
        "SkuMeter": _canonical_text(Col.METER, focus=True),
        "ConsumedQuantity": _canonical_text(Col.QUANTITY, focus=True),
        "ConsumedUnit": _canonical_text(Col.UNIT, focus=True),
        "PricingUnit": _canonical_text(Col.UNIT, focus=True),
        "x_ResourceGroupName": _canonical_text(Col.RESOURCE_GROUP, focus=True),
        "x_BillingProfileName": _canonical_text(Col.BILLING_PROFILE, focus=True),
        "x_InvoiceSectionName": _canonical_text(Col.INVOICE_SECTION, focus=True),
        "InvoiceId": _canonical_text(Col.INVOICE_ID, focus=True),
        "x_BilledCostInUsd": _canonical_text(Col.COST_USD, focus=True),
        "Tags": _tags_text(braces=True),
        "ProviderName": pl.lit("Microsoft"),
        "InvoiceIssuerName": pl.lit("Microsoft"),
    }
    if "chargetype" not in keys:
        computed["ChargeCategory"] = pl.lit("Usage")
    frequency = keys.get("frequency")
    if frequency:
        computed["ChargeFrequency"] = pl.col(frequency).replace_strict(_FREQUENCY, default=None, return_dtype=pl.String)
    exprs = []
    for column in dialects.HEADER_FOCUS_1_2:
        key = header_key(column)
        if column in computed:
            exprs.append(computed[column].alias(column))
            continue
        source = _raw_source(keys, key)
        exprs.append((pl.col(source) if source else _EMPTY).alias(column))
    return rows.select(exprs)


def convert(dataset: Dataset, target: str) -> pl.DataFrame:
    """The data set's kept rows in the target layout, every cell text.

    Raises:
        SourceError: for an unknown target.
    """
    if target not in (V2, FOCUS):
        raise SourceError(_("unknown conversion target {target}: use v2 or focus").format(target=repr(target)))
    rows = _rows(dataset)
    converted = _focus(dataset, rows) if target == FOCUS else _native(dataset, rows, target_header(dataset, target))
    check_totals(dataset, rows, converted, target)
    return converted


def check_totals(dataset: Dataset, rows: pl.DataFrame, converted: pl.DataFrame, target: str) -> None:
    """Refuse a conversion whose rows or cost per currency differ from the loaded rows' (to the cent).

    Raises:
        SourceError: naming the currency and both totals.
    """
    if converted.height != rows.height:
        raise SourceError(
            _("the conversion would write {written} rows for {loaded} loaded rows; not written").format(
                written=converted.height, loaded=rows.height
            )
        )
    if target == FOCUS:
        cost_column = "EffectiveCost" if dataset.metric is Metric.AMORTIZED else "BilledCost"
    else:
        header = {header_key(c): c for c in converted.columns}
        cost_column = next((header[k] for k in ("costinbillingcurrency", "cost") if k in header), "")
    if not cost_column:
        return
    # Converted rows are the loaded rows in the same order: each written cost is summed under its row's loaded
    # currency (the file's own currency text may be anything, even blank, and is written as it was).
    written = (
        pl.DataFrame(
            {
                "currency": rows.get_column(f"c:{Col.BILLING_CURRENCY}"),
                "cost": converted.get_column(cost_column).str.strip_chars().cast(pl.Float64, strict=False).fill_null(0.0),
            }
        )
        .group_by("currency")
        .agg(pl.col("cost").sum())
    )
    loaded = rows.group_by(pl.col(f"c:{Col.BILLING_CURRENCY}").alias("currency")).agg(
        pl.col(f"c:{Col.COST}").fill_null(0.0).sum().alias("cost")
    )
    want = {str(c): float(v) for c, v in loaded.iter_rows()}
    got = {str(c): float(v) for c, v in written.iter_rows()}
    for currency in sorted(set(want) | set(got)):
        # A cent, or (beyond a few million) the sums' own float rounding.
        tolerance = max(0.005, abs(want.get(currency, 0.0)) * 1e-9)
        if abs(want.get(currency, 0.0) - got.get(currency, 0.0)) >= tolerance:
            raise SourceError(
                _("the conversion's {currency} total ({written}) differs from the loaded rows' ({loaded}); not written").format(
                    currency=currency, written=fmt.number(got.get(currency, 0.0), 2), loaded=fmt.number(want.get(currency, 0.0), 2)
                )
            )


# Amount, price, quantity and rate columns: their number cells are never touched, whichever decimal mark.
_NUMERIC_HEADER = re.compile(r"(cost|price|quantity|amount)(in[a-z]+)?$|rate(pricingtobilling)?$")
_DECIMAL = r"^\s*[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?\s*$"


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with formula-like text cells neutralised (``export.neutralise_formulas``, OWASP CSV injection).

    Cells of amount, price, quantity and rate columns that are numbers (``-0.5``, ``-0,5``,
    ``1E-05``) stay exactly as they are; anything else in them is text and neutralised too.
    """
    safe = export.neutralise_formulas(frame)
    numeric = [c for c in frame.columns if frame.schema[c] == pl.String and _NUMERIC_HEADER.search(header_key(c))]
    if not numeric:
        return safe
    return safe.with_columns(
        pl.when(pl.lit(frame.get_column(c)).str.contains(_DECIMAL)).then(pl.lit(frame.get_column(c))).otherwise(pl.col(c)).alias(c)
        for c in numeric
    )


def to_csv(dataset: Dataset, target: str) -> bytes:
    """The conversion as CSV bytes: UTF-8 with a BOM for version 2 (as Azure writes it), without for FOCUS.

    Meant for spreadsheets, so formula-like text cells are neutralised (``spreadsheet_safe``);
    the original files stay available byte for byte.
    """
    return spreadsheet_csv.csv_bytes(spreadsheet_safe(convert(dataset, target)), bom=target == V2)


def file_name(dataset: Dataset, target: str) -> str:
    """A download name saying what the file holds."""
    if target == FOCUS:
        return "azure-usage_focus-1.2.csv"
    layout = "ea-2024-08-01" if dataset.agreement is Agreement.EA else "mca-v2"
    return f"azure-usage_{layout}.csv"


def original_files(dataset: Dataset) -> tuple[str, bytes, str]:
    """The uploaded files byte for byte: the file itself, or a zip of all of them when there are several.

    Returns:
        File name, bytes and MIME type.
    """
    files = dataset.raw_files
    if len(files) == 1:
        return Path(files[0].name).name, files[0].data, files[0].mime
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in files:
            name = Path(item.name).name
            stem, number = name, 1
            while name in used:
                number += 1
                name = f"{number}_{stem}"
            used.add(name)
            archive.writestr(name, item.data)
    return "azure-usage-files.zip", buffer.getvalue(), "application/zip"
