"""Azure failures in plain words: which role is missing, what is not supported, what could not be reached."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)

from lib.access.roles import rule_for
from lib.azure.auth import HOW_TO_SIGN_IN, SignInError
from lib.azure.query import TooManyPagesError
from lib.azure.scopes import ScopeIdError, agreement_of, scope_kind
from lib.azure.settings import SettingsError
from lib.azure.throttle import ThrottledError
from lib.core.i18n import _
from lib.core.models import SCOPE_KIND_LABELS, Agreement, ScopeKind

_RBAC_KINDS = (ScopeKind.SUBSCRIPTION, ScopeKind.RESOURCE_GROUP, ScopeKind.MANAGEMENT_GROUP)
_DENIED_CODES = ("rbacaccessdenied", "authorizationfailed", "billingaccessdenied", "accessdenied", "forbidden", "unauthorized")
_SAS = re.compile(r"(https?://[^\s?\"']+)\?[^\s\"']*")


def redact_url(url: str) -> str:
    """A URL without its query string (blob links carry a SAS signature there)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def redact(text: str) -> str:
    """``text`` with every URL's query string removed."""
    return _SAS.sub(r"\1?…", text)


def role_needed(scope_id: str | None, agreement: Agreement = Agreement.UNKNOWN) -> str:
    """Which role lets an identity read costs at this scope (the Access page's rules for billing scopes)."""
    try:
        kind = scope_kind(scope_id) if scope_id else None
    except ScopeIdError:
        kind = None
    if kind in _RBAC_KINDS:
        assert kind is not None
        where = _(SCOPE_KIND_LABELS[kind]).lower()
        extra = " " + _("Management groups show Enterprise Agreement subscriptions only.") if kind is ScopeKind.MANAGEMENT_GROUP else ""
        return (
            _(
                "Reading costs at a {where} needs the Cost Management Reader role (or Reader, Contributor or Owner) on that {where}; "
                "ask an owner of the {where} to assign it (Access control (IAM) → Add role assignment)."
            ).format(where=where)
            + extra
        )
    if agreement is Agreement.UNKNOWN and scope_id:
        try:
            agreement = agreement_of(scope_id)
        except ScopeIdError:
            agreement = Agreement.UNKNOWN
    rule = rule_for(agreement)
    if rule is None:
        return _("Reading costs at a billing scope needs a billing role on it (EA: enterprise administrator; MCA: billing profile reader).")
    # The Access page's rules are message ids (``N_``): shown here in the reader's language.
    return _("{agreement}: costs are visible to {roles}. {when_missing}").format(
        agreement=_(rule.title), roles="; ".join(_(r) for r in rule.roles), when_missing=_(rule.when_missing)
    )


def _azure_message(error: HttpResponseError) -> tuple[str, str]:
    detail = getattr(error, "error", None)
    code = str(getattr(detail, "code", "") or "")
    message = str(getattr(detail, "message", "") or "")
    if not message:
        message = str(getattr(error, "message", "") or error)
    message = redact(message.splitlines()[0] if message else "")
    return code, message


def _http(error: HttpResponseError, scope_id: str | None, agreement: Agreement, endpoint: str) -> str:
    status = error.status_code or 0
    code, message = _azure_message(error)
    lowered = f"{code} {message}".lower()
    if status in (401, 403) or any(c in code.lower() for c in _DENIED_CODES):
        denied = _("Access denied at {scope} (HTTP {status} {code}).").format(scope=scope_id or _("this scope"), status=status, code=code)
        return f"{denied} {role_needed(scope_id, agreement)}"
    if status in (400, 404, 422) and ("offer" in lowered or "supports only" in lowered or "webdirect" in lowered):
        return _("Cost Management does not support this subscription's offer, so it has no cost data for it. Azure said: {message}").format(
            message=message
        )
    if status == 404:
        unknown = _("Azure does not know the scope {scope} or this identity cannot see it (HTTP 404 {code}).")
        return f"{unknown.format(scope=scope_id, code=code)} {role_needed(scope_id, agreement)}"
    if status == 429:
        return _("Cost Management is throttling requests; try again in a minute (results already loaded stay cached).")
    if status >= 500:
        return _("Azure Cost Management failed on its side (HTTP {status} {code}) at {endpoint}: {message}. Try again later.").format(
            status=status, code=code, endpoint=endpoint, message=message
        )
    return _("Azure rejected the request (HTTP {status} {code}): {message}").format(status=status, code=code, message=message)


def explain(error: BaseException, *, scope_id: str | None = None, agreement: Agreement = Agreement.UNKNOWN, endpoint: str = "Azure") -> str:
    """One paragraph for the user saying what went wrong and what to do."""
    if isinstance(error, SignInError | SettingsError | ScopeIdError):
        return str(error)
    if isinstance(error, ThrottledError):
        return _(
            "Cost Management kept throttling requests (Azure asked to wait {seconds} s after {attempts} tries). "
            "Try again in a few minutes; loaded results stay cached for hours."
        ).format(seconds=f"{error.requested_s:g}", attempts=error.attempts)
    if isinstance(error, TooManyPagesError):
        return _("Stopped: {reason}. Choose a shorter period or a breakdown with fewer values, or raise AZDASH_MAX_PAGES.").format(
            reason=error
        )
    if isinstance(error, ClientAuthenticationError) and error.response is None:
        failed = _("Azure sign-in failed: {detail}.").format(detail=redact(str(error.message or error).splitlines()[0]))
        return f"{failed} {_(HOW_TO_SIGN_IN)}"
    if isinstance(error, ServiceRequestError):
        return _(
            "Could not reach {endpoint} ({detail}). Check the network connection, "
            "the proxy settings (HTTPS_PROXY, NO_PROXY) and REQUESTS_CA_BUNDLE if a proxy inspects TLS."
        ).format(endpoint=endpoint, detail=redact(str(error.message or error).splitlines()[0]))
    if isinstance(error, ServiceResponseError):
        return _("The connection to {endpoint} broke while reading Azure's answer ({detail}). Try again.").format(
            endpoint=endpoint, detail=redact(str(error.message or error))
        )
    if isinstance(error, HttpResponseError):
        return _http(error, scope_id, agreement, endpoint)
    return _("Unexpected problem talking to {endpoint}: {error}: {detail}").format(
        endpoint=endpoint, error=type(error).__name__, detail=redact(str(error))
    )
