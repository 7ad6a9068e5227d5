"""The live Azure source: Cost Management for the chosen scope and period.

``connect`` signs in (failing fast with a message saying how), ``AzureSource.load`` runs the
Query API month by month and turns the rows into a ``Dataset`` (raw frame = the query rows as
Azure returned them, as text), and adds the forecast and invoices (``Dataset.live``; their shapes are
documented in ``lib.azure.outlook``).
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Final

import polars as pl
from azure.core.credentials import TokenCredential

from lib.azure import outlook
from lib.azure.auth import SignInError, identity_key, make_credential
from lib.azure.clients import Clients
from lib.azure.cost_details import CostDetailsError, CostDetailsFile, CostDetailsRequest, check_request, generate
from lib.azure.errors import explain
from lib.azure.period_store import PeriodStore
from lib.azure.query import (
    API_VERSION,
    SECOND_DIMENSIONS,
    QuerySpec,
    fetch_pages,
    month_chunks,
    normalize_rows,
    query_body,
    raw_frame,
)
from lib.azure.scopes import ScopeIdError, agreement_of, normalize_scope, scope_from_id
from lib.azure.settings import AzureSettings, SettingsError, read_settings
from lib.core import fmt, i18n, labels
from lib.core.dataset import Dataset, LiveAnswer, LoadRequest, ProgressCallback, SourceError
from lib.core.i18n import N_, _, ngettext
from lib.core.models import Agreement, Metric, Period, Scope
from lib.core.periods import billing_period, billing_periods, is_final
from lib.core.reading import Dropped

# Progress text of a throttled request; the sidebar recognises it by the part before the first field.
THROTTLED: Final = N_("throttled, retrying in {wait} s{capped} [try {attempt}]")


def dimension_label(group_by: str | None) -> str:
    """Human name of a second grouping (a Query API dimension or ``tag:KEY``), in the reader's language, for mid-sentence use."""
    if not group_by:
        return _("nothing else")
    col = SECOND_DIMENSIONS.get(group_by)
    label = labels.dimension_label(col if col is not None else group_by)
    return label[:1].lower() + label[1:]


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Connection:
    """A signed-in identity for one cloud: what every Azure call needs."""

    settings: AzureSettings
    credential: TokenCredential
    identity: str  # hash of tenant + object id: part of every cache key
    who: str


def connect(
    environ: Mapping[str, str] | None = None,
    *,
    cloud: str | None = None,
    arm_endpoint: str | None = None,
    credential: TokenCredential | None = None,
) -> Connection:
    """Read the settings, make the credential and get a token now, so a missing sign-in fails fast.

    Raises:
        SourceError: saying how to sign in, or which setting is wrong.
    """
    try:
        settings = read_settings(os.environ if environ is None else environ, cloud=cloud, arm_endpoint=arm_endpoint)
        credential = credential or make_credential(settings)
        key, who = identity_key(credential, settings)
    except (SettingsError, SignInError) as error:
        raise SourceError(_one_line(str(error))) from None
    return Connection(settings, credential, key, who)


def _throttle_reporter(progress: ProgressCallback | None, where: list[float]) -> Callable[[float, float, int], None]:
    def notify(wanted: float, wait: float, attempt: int) -> None:
        capped = " " + _("(Azure asked for {wanted} s, capped)").format(wanted=f"{wanted:g}") if wait < wanted else ""
        if progress:
            progress(where[0], _(THROTTLED).format(wait=f"{wait:g}", capped=capped, attempt=attempt))

    return notify


def _closed_periods(span: Period, as_of: date) -> list[Period]:
    open_start = billing_period(as_of).start
    return [p for p in billing_periods(as_of, closed=24)[:-1] if p.end >= span.start and p.start <= span.end and p.end < open_start]


@dataclass
class _Fetched:
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    pages: int = 0
    from_cache: int = 0  # months served from the period store


class AzureSource:
    """Live Azure through Cost Management (implements ``lib.sources.base.Source``)."""

    key = "azure"
    label = "Live Azure"

    def __init__(
        self,
        connection: Connection | None = None,
        *,
        group_by: str | None = "ResourceGroupName",
        filters: tuple[tuple[str, tuple[str, ...]], ...] = (),
        agreement: Agreement = Agreement.UNKNOWN,
        scope_name: str | None = None,
        sleep: Callable[[float], None] | None = None,
        client_kwargs: Mapping[str, Any] | None = None,
        period_store: PeriodStore | None = None,
        refresh: bool = False,
    ) -> None:
        self.connection = connection
        # Closed, final periods are asked for once (until ``refresh``); see lib.azure.period_store.
        self.period_store = period_store
        self.refresh = refresh
        self.group_by = group_by
        self.filters = filters
        self.agreement = agreement
        self.scope_name = scope_name
        self.sleep = sleep
        self.client_kwargs = dict(client_kwargs or {})

    def clients(self, progress: ProgressCallback | None = None, where: list[float] | None = None) -> Clients:
        """SDK client factory for this source's connection, reporting throttling to ``progress``."""
        if self.connection is None:
            self.connection = connect()
        notify = _throttle_reporter(progress, where if where is not None else [0.0])
        return Clients(self.connection.credential, self.connection.settings, notify=notify, sleep=self.sleep, **self.client_kwargs)

    def load(self, request: LoadRequest, *, progress: ProgressCallback | None = None) -> Dataset:
        """Query the scope for the period (default: the billing history window) and build the data set.

        Raises:
            SourceError: with a plain-words message (missing role, unsupported offer, network...).
        """
        if not request.scope_id:
            raise SourceError(_("choose a scope (or paste a scope id) first"))
        try:
            scope = scope_from_id(request.scope_id, self.scope_name)
        except ScopeIdError as error:
            raise SourceError(str(error)) from None
        periods = billing_periods(request.as_of)
        period = request.period or Period(periods[0].start, request.as_of)
        spec = QuerySpec(scope.id, period, request.metric, self.group_by, self.filters)
        agreement = self.agreement if self.agreement is not Agreement.UNKNOWN else agreement_of(scope.id)
        where = [0.0]
        clients = self.clients(progress, where)
        endpoint = clients.settings.arm_endpoint
        try:
            with clients.cost() as client:
                fetched = self._fetch(client, spec, progress, where, request.as_of)
                raw = raw_frame(fetched.columns, fetched.rows)
                normalized = normalize_rows(raw, spec.group_by)
                forecast = self._forecast(client, spec, request.as_of, progress)
        except SourceError:
            raise
        except Exception as error:  # every Azure failure becomes a sentence, never a traceback
            raise SourceError(_one_line(explain(error, scope_id=scope.id, agreement=agreement, endpoint=endpoint))) from None
        live = self._live_answer(clients, scope, agreement, spec, normalized.frame, forecast, fetched, request.as_of)
        live = replace(live, quota={**clients.quota.summary(), "periods_from_cache": fetched.from_cache})
        return self._dataset(scope, agreement, spec, raw, normalized, fetched, live, request.as_of)

    def _stored(self, scope_id: str, kind: str, request: Any) -> Any:
        if self.period_store is None or self.refresh:
            return None
        found = self.period_store.get(scope_id, kind, request)
        return None if found is None else found.value

    def _fetch(
        self, client: Any, spec: QuerySpec, progress: ProgressCallback | None, where: list[float], as_of: date | None = None
    ) -> _Fetched:
        fetched = _Fetched()
        chunks = month_chunks(spec.period)
        max_pages = self.connection.settings.max_pages if self.connection else 200
        for index, chunk in enumerate(chunks):
            where[0] = index / len(chunks) * 0.9
            label = fmt.month(chunk.start)
            if len(chunks) > 1:
                label = _("{month} ({number} of {count})").format(month=label, number=index + 1, count=len(chunks))

            def on_page(pages: int, rows: int, label: str = label) -> None:
                if progress:
                    text = ngettext(
                        "{month}: {rows} rows, {pages} page; {total} rows so far",
                        "{month}: {rows} rows, {pages} pages; {total} rows so far",
                        pages,
                    )
                    progress(
                        where[0], text.format(month=label, rows=fmt.count(rows), pages=pages, total=fmt.count(len(fetched.rows) + rows))
                    )

            body = query_body(spec, chunk)
            stored = self._stored(spec.scope_id, "query", body)
            if isinstance(stored, dict):
                columns, rows, pages = list(stored["columns"]), list(stored["rows"]), 0
                fetched.from_cache += 1
            else:
                columns, rows, pages = fetch_pages(client, spec.scope_id, body, max_pages=max_pages, on_page=on_page)
                if self.period_store is not None:
                    final = as_of is not None and chunk.end < billing_period(as_of).start and is_final(billing_period(chunk.start), as_of)
                    self.period_store.put(spec.scope_id, "query", body, {"columns": columns, "rows": rows}, final=final)
            if columns and fetched.columns and [c.lower() for c in columns] != [c.lower() for c in fetched.columns]:
                raise SourceError(
                    _("Azure returned different columns for {month} than for the first month ({columns})").format(
                        month=label, columns=columns
                    )
                )
            fetched.columns = fetched.columns or columns
            fetched.rows.extend(rows)
            fetched.pages += pages
        if progress:
            text = ngettext(
                "{rows} rows from {pages} page(s) in {count} monthly query",
                "{rows} rows from {pages} page(s) in {count} monthly queries",
                len(chunks),
            )
            progress(0.9, text.format(rows=fmt.count(len(fetched.rows)), pages=fetched.pages, count=len(chunks)))
        if not fetched.columns:
            fetched.columns = ["Cost", "CostUSD", "UsageDate", "MeterCategory", "Currency"]
        return fetched

    def _forecast(self, client: Any, spec: QuerySpec, as_of: date, progress: ProgressCallback | None) -> dict[str, object]:
        open_period = billing_period(as_of)
        if not (spec.period.start <= as_of <= spec.period.end or spec.period.end >= open_period.start):
            return outlook.fallback(open_period, _("the loaded period does not reach the open billing period"))
        if spec.filters:
            return outlook.fallback(open_period, _("server-side filters are set; the forecast covers the whole scope"))
        if progress:
            progress(0.93, _("asking Azure for the forecast to period end"))
        max_pages = self.connection.settings.max_pages if self.connection else 200
        return outlook.forecast_extra(client, spec.scope_id, spec.metric, open_period, as_of, max_pages=max_pages)

    def _live_answer(
        self,
        clients: Clients,
        scope: Scope,
        agreement: Agreement,
        spec: QuerySpec,
        frame: pl.DataFrame,
        forecast: dict[str, object],
        fetched: _Fetched,
        as_of: date,
    ) -> LiveAnswer:
        closed = _closed_periods(spec.period, as_of)
        invoices = self._invoices(clients, scope, agreement, spec, closed, as_of) if closed else None
        source = outlook.INVOICES_SOURCE if invoices else outlook.FINAL_COST_SOURCE
        return LiveAnswer(
            forecast=forecast,
            invoices=tuple(invoices if invoices else outlook.final_cost_extra(frame, closed)),
            invoices_source=source,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            pages=fetched.pages,
            rows=len(fetched.rows),
            months_queried=len(month_chunks(spec.period)),
            query={
                "scope": scope.id,
                "from": spec.period.start.isoformat(),
                "to": spec.period.end.isoformat(),
                "metric": str(spec.metric),
                "group_by": spec.group_by,
                "filters": [[name, list(values)] for name, values in spec.filters],
            },
        )

    def _invoices(
        self, clients: Clients, scope: Scope, agreement: Agreement, spec: QuerySpec, closed: list[Period], as_of: date
    ) -> list[dict[str, object]] | None:
        """The scope's invoices; kept for good once every closed period in the window is final and has one."""
        request = {"from": spec.period.start.isoformat(), "closed": [p.start.isoformat() for p in closed]}
        stored = self._stored(scope.id, "invoices", request)
        if isinstance(stored, list):
            return stored or None
        invoices = outlook.invoice_extra(clients, scope.id, scope.kind, agreement, spec.period)
        if self.period_store is not None and invoices is not None:
            invoiced = {str(i["period_start"])[:7] for i in invoices}
            final = all(is_final(p, as_of) and p.start.isoformat()[:7] in invoiced for p in closed)
            self.period_store.put(scope.id, "invoices", request, invoices, final=final)
        return invoices

    def _dataset(
        self,
        scope: Scope,
        agreement: Agreement,
        spec: QuerySpec,
        raw: pl.DataFrame,
        normalized: Any,
        fetched: _Fetched,
        answer: LiveAnswer,
        as_of: date,
    ) -> Dataset:
        warnings = []
        if not fetched.rows:
            warnings.append(_("Azure returned no cost rows for this scope and period."))
        forecast = answer.forecast
        if not forecast.get("available"):
            warnings.append(
                _("Azure forecast: not available ({reason}); the dashboard's own estimate is shown alone.").format(
                    reason=forecast.get("reason")
                )
            )
        live = (
            _(
                "Live Azure: {rows} rows from {pages} page(s) of Cost Management queries "
                "(amortized cost, daily, by service and {dimension})."
            )
            if spec.metric is Metric.AMORTIZED
            else _(
                "Live Azure: {rows} rows from {pages} page(s) of Cost Management queries (actual cost, daily, by service and {dimension})."
            )
        )
        notes = [
            live.format(rows=fmt.count(len(fetched.rows)), pages=fetched.pages, dimension=dimension_label(spec.group_by)),
            _("Closed periods: {source}.").format(source=_(answer.invoices_source)),
            *normalized.notes,
        ]
        if spec.filters:
            shown = "; ".join(_("{dimension} in {values}").format(dimension=n, values=", ".join(v)) for n, v in spec.filters)
            notes.append(_("Server-side filter: {filters}").format(filters=shown))
        return Dataset(
            source=self.key,
            format=_("Cost Management query (daily, by service and {dimension})").format(dimension=dimension_label(spec.group_by)),
            schema_version=API_VERSION,
            agreement=agreement,
            metric=spec.metric,
            raw=raw,
            frame=normalized.frame,
            scopes=(scope,),
            as_of=as_of,
            dropped=tuple(Dropped(reason, rows) for reason, rows in normalized.dropped),
            warnings=tuple(warnings),
            notes=tuple(notes),
            live=answer,
        )

    def cost_details(self, request: CostDetailsRequest, *, progress: ProgressCallback | None = None) -> CostDetailsFile:
        """The raw cost details CSV for an EA/MCA scope.

        Raises:
            SourceError: when the scope or request is not supported, or Azure fails; in plain words.
        """
        try:
            request = CostDetailsRequest(
                normalize_scope(request.scope_id), request.metric, request.billing_period, request.invoice_id, request.period
            )
            problem = check_request(request, self.agreement)
        except ScopeIdError as error:
            raise SourceError(str(error)) from None
        if problem:
            raise SourceError(problem)
        messages: queue.Queue[str] = queue.Queue()
        if self.connection is None:
            self.connection = connect()
        settings = self.connection.settings

        reader_language = i18n.get_language()

        def notify(wanted: float, wait: float, attempt: int) -> None:
            # Called on the SDK's polling thread, which does not inherit the run's language.
            with i18n.language(reader_language):
                messages.put(_(THROTTLED).format(wait=f"{wait:g}", capped="", attempt=attempt))

        clients = Clients(self.connection.credential, settings, notify=notify, sleep=self.sleep, **self.client_kwargs)
        try:
            with clients.cost() as client:
                return generate(client, request, timeout_s=settings.report_timeout_s, progress=progress, messages=messages)
        except CostDetailsError as error:
            raise SourceError(str(error)) from None
        except Exception as error:
            message = explain(error, scope_id=request.scope_id, agreement=self.agreement, endpoint=settings.arm_endpoint)
            if getattr(error, "status_code", None) == 400:
                message += " " + _("The dashboard's query-based rows (Usage download page) work for every scope.")
            raise SourceError(_one_line(message)) from None
