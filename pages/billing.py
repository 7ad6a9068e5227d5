"""Billing history: each billing period with its invoice, its usage, the difference and one-click downloads.

The seed's flow (Azure account center, *Factureringsgeschiedenis*): the last six billing periods and
the current unbilled one, each with its total, its invoice and its daily usage (version 2).
"""

import polars as pl
import streamlit as st

from lib.analysis import billing
from lib.analysis.billing import ITEM_KEYS, ITEM_LABELS, NOTE_TEXTS
from lib.core.fmt import day, money
from lib.core.i18n import _
from lib.core.models import Agreement
from lib.core.periods import period_label
from lib.output import billing_live, convert
from lib.ui import cache_azure, widgets

context = widgets.context()
dataset = widgets.require_dataset(context)
found = billing.history(dataset, context.as_of)
live_scope = dataset.scopes[0].id if dataset.source == "azure" and dataset.scopes else None

st.title(_("Billing history"))
cut_off = day(found.cut_off) if found.cut_off else "–"
if dataset.last_period_open:
    st.caption(
        _("The last six billing periods and the current one, on {day}. Data up to {cut_off}.").format(day=day(found.as_of), cut_off=cut_off)
    )
else:  # a file of a past month: its last billing period has ended
    st.caption(
        _(
            "The seven billing periods up to {period}, the last one in the data; it has ended, so none is open. Data up to {cut_off}."
        ).format(period=period_label(found.rows[-1].period), cut_off=cut_off)
    )
if dataset.live is not None:
    st.caption(_("Fetched from Azure at {time} (UTC).").format(time=dataset.live.fetched_at.replace("T", " ")[:19]))
for note in found.notes:
    if note in NOTE_TEXTS:
        st.info(_(NOTE_TEXTS[note]))
if (context.view.scope_id and dataset.source != "azure") or context.view.filters.active:
    st.caption(
        _("Invoices cover the whole billing account, so this page shows all of the data, whatever the scope and filters in the sidebar.")
    )

quota = dataset.live.quota if dataset.live else None
if isinstance(quota, dict) and quota:
    st.caption(billing.quota_sentence(quota))

table = pl.DataFrame(
    {
        "period": [period_label(r.period) for r in found.rows],
        "status": [billing.status_label(r.status) for r in found.rows],
        "invoice": [", ".join(r.invoice_ids) for r in found.rows],
        "invoiced": [r.invoiced for r in found.rows],
        "usage": [r.usage_total for r in found.rows],
        "difference": [r.difference for r in found.rows],
        "currency": [r.currency for r in found.rows],
        "figure": [billing.figure_label(found, r) for r in found.rows],
    },
    schema_overrides={"invoiced": pl.Float64, "difference": pl.Float64},
)
currencies = sorted({r.currency for r in found.rows})
st.dataframe(
    widgets.styled_table(
        table,
        columns={
            "period": _("Billing period"),
            "status": _("Status"),
            "invoice": _("Invoice"),
            "invoiced": _("Invoiced"),
            "usage": _("Usage total"),
            "difference": _("Difference"),
            "currency": _("Currency"),
            "figure": _("Figures"),
        },
        money_columns=("invoiced", "usage", "difference") if len(currencies) == 1 else (),
        currency=currencies[0] if currencies else "EUR",
    ),
    hide_index=True,
    width="stretch",
    key="billing_table",
)


def _usage_file(row: billing.BillingRow, target: str) -> bytes:
    return convert.to_csv(billing.period_dataset(dataset, row.period, row.currency), target)


def _signed_in():  # type: ignore[no-untyped-def]
    # Read here, while the page runs: a download's callable runs later on a thread of its own, outside the script run.
    found = cache_azure.connection()
    if isinstance(found, str):
        st.warning(found)
        return None
    return found


connection = _signed_in() if live_scope is not None else None


def _live_usage(row: billing.BillingRow, focus: bool) -> bytes:
    assert live_scope is not None and connection is not None
    return billing_live.live_usage(connection, live_scope, dataset.agreement, row, dataset.metric, context.as_of, focus=focus)


def _invoice_pdf(invoice_id: str) -> bytes:
    assert live_scope is not None and connection is not None
    return billing_live.invoice_pdf(connection, live_scope, invoice_id)


invoices_downloadable = connection is not None and found.invoices_source == "billing_api"
v2_layout = "ea-2024-08-01" if dataset.agreement is Agreement.EA else "mca-v2"
for row in reversed(found.rows):
    key = f"{row.period.start:%Y%m}_{row.currency}"
    with st.container(border=True, key=f"billing_row_{key}"):
        head = _("{period} · {status}").format(period=period_label(row.period), status=billing.status_label(row.status))
        st.header(head, anchor=False)
        if row.invoice_ids:
            st.text(_("Invoice: {ids}").format(ids=", ".join(row.invoice_ids)))
        figures = st.container(horizontal=True, gap="medium")
        figures.metric(_("Invoiced"), money(row.invoiced, row.currency) if row.invoiced is not None else "–", width="content")
        figures.metric(_("Usage total"), money(row.usage_total, row.currency), help=billing.figure_label(found, row), width="content")
        difference = row.difference
        figures.metric(_("Difference"), money(difference, row.currency) if difference is not None else "–", width="content")
        st.caption(billing.figure_label(found, row))
        if row.items:
            with st.expander(_("What explains the difference")):
                lines = [{"item": _(ITEM_LABELS[k]), "amount": row.items[k]} for k in ITEM_KEYS if k in row.items]
                st.dataframe(
                    widgets.styled_table(
                        pl.DataFrame(lines),
                        columns={"item": _("Reconciling item"), "amount": _("Amount")},
                        money_columns=("amount",),
                        currency=row.currency,
                    ),
                    hide_index=True,
                    key=f"billing_items_{key}",
                )
        elif row.outside_invoice and row.status == "open":
            st.caption(_("Not invoiced yet: the open period's usage so far is an estimate of its invoice."))
        buttons = st.container(horizontal=True, gap="small")
        period_text = f"{row.period.start:%Y-%m}"
        if live_scope is not None:
            usage_data, focus_data = (lambda r=row: _live_usage(r, False)), (lambda r=row: _live_usage(r, True))
        else:
            usage_data, focus_data = (lambda r=row: _usage_file(r, convert.V2)), (lambda r=row: _usage_file(r, convert.FOCUS))
        buttons.download_button(
            _("Usage (CSV, version 2)"),
            usage_data,
            file_name=f"azure-usage_{period_text}_{row.currency}_{v2_layout}.csv",
            mime="text/csv",
            key=f"billing_usage_{key}",
            on_click="ignore",
            icon=":material/download:",
            disabled=(row.rows == 0 and live_scope is None) or (live_scope is not None and connection is None),
        )
        buttons.download_button(
            _("FOCUS 1.2"),
            focus_data,
            file_name=f"azure-usage_{period_text}_{row.currency}_focus-1.2.csv",
            mime="text/csv",
            key=f"billing_focus_{key}",
            on_click="ignore",
            icon=":material/download:",
            disabled=(row.rows == 0 and live_scope is None) or (live_scope is not None and connection is None),
        )
        if invoices_downloadable:
            for invoice_id in row.invoice_ids:
                buttons.download_button(
                    _("Invoice {invoice} (PDF)").format(invoice=invoice_id),
                    lambda i=invoice_id: _invoice_pdf(i),
                    file_name=f"invoice-{invoice_id}.pdf",
                    mime="application/pdf",
                    key=f"billing_pdf_{key}_{invoice_id}",
                    on_click="ignore",
                    icon=":material/picture_as_pdf:",
                )
st.caption(
    _(
        "Azure's own route: Cost Management + Billing → Billing scopes → your billing profile → Invoices; the open period "
        "under Overview → charges month to date. Usage files use a dot as decimal mark whatever the language shown here."
    )
)
