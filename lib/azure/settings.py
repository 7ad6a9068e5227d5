"""Every live-Azure setting, read in one place from an environment mapping.

Streamlit exports the root keys of ``.streamlit/secrets.toml`` as environment variables, so a
service principal (``AZURE_TENANT_ID``/``AZURE_CLIENT_ID``/``AZURE_CLIENT_SECRET``) put there is
seen here and by ``azure-identity`` alike. TLS and proxies are left to the standard variables
(``REQUESTS_CA_BUNDLE``, ``HTTPS_PROXY``, ``NO_PROXY``), which ``requests`` honours: nothing here
ever turns certificate verification off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from lib.core.i18n import _

# Cloud name → (ARM endpoint, token audience, Entra ID authority host).
CLOUDS: Final[dict[str, tuple[str, str, str]]] = {
    "public": ("https://management.azure.com", "https://management.azure.com", "login.microsoftonline.com"),
    "usgovernment": ("https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net", "login.microsoftonline.us"),
    "china": ("https://management.chinacloudapi.cn", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
}
# Spellings people use for the same clouds (az CLI names, SDK enum names).
CLOUD_ALIASES: Final[dict[str, str]] = {
    "azurecloud": "public",
    "azure_public_cloud": "public",
    "azureusgovernment": "usgovernment",
    "azure_us_government": "usgovernment",
    "usgov": "usgovernment",
    "azurechinacloud": "china",
    "azure_china_cloud": "china",
}
LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})

DEFAULT_THROTTLE_MAX_WAIT_S: Final = 60.0
DEFAULT_THROTTLE_RETRIES: Final = 3
DEFAULT_MAX_PAGES: Final = 200
DEFAULT_POLL_INTERVAL_S: Final = 10.0
DEFAULT_REPORT_TIMEOUT_S: Final = 900.0
DEFAULT_CACHE_TTL_S: Final = 4 * 3600  # Azure refreshes cost data about every four hours


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting."""


@dataclass(frozen=True)
class AzureSettings:
    """Where and how to talk to Azure."""

    cloud: str = "public"
    arm_endpoint: str = CLOUDS["public"][0]
    audience: str = CLOUDS["public"][1]
    authority_host: str = CLOUDS["public"][2]
    throttle_max_wait_s: float = DEFAULT_THROTTLE_MAX_WAIT_S
    throttle_retries: int = DEFAULT_THROTTLE_RETRIES
    max_pages: int = DEFAULT_MAX_PAGES
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S
    report_timeout_s: float = DEFAULT_REPORT_TIMEOUT_S
    cache_ttl_s: int = DEFAULT_CACHE_TTL_S

    @property
    def token_scope(self) -> str:
        """The OAuth scope ARM tokens are requested for."""
        return self.audience.rstrip("/") + "/.default"

    @property
    def is_loopback(self) -> bool:
        """Whether the ARM endpoint is this machine (a local stand-in, never real Azure)."""
        return (urlsplit(self.arm_endpoint).hostname or "") in LOOPBACK_HOSTS

    @property
    def key(self) -> str:
        """A short text naming the cloud and endpoint, for cache keys and messages."""
        return f"{self.cloud}|{self.arm_endpoint}|{self.audience}"


def _cloud_name(value: str) -> str:
    name = value.strip().lower().replace("-", "_").replace(" ", "")
    name = CLOUD_ALIASES.get(name, name)
    if name not in CLOUDS:
        raise SettingsError(_("AZURE_CLOUD={value} is not a known cloud: use public, usgovernment or china").format(value=repr(value)))
    return name


def _number(environ: Mapping[str, str], name: str, default: float, *, minimum: float = 0.0) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(_("{name}={value} is not a number").format(name=name, value=repr(text))) from None
    if value < minimum:
        raise SettingsError(_("{name}={value} must be at least {minimum}").format(name=name, value=repr(text), minimum=f"{minimum:g}"))
    return value


def _endpoint(value: str, name: str) -> str:
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SettingsError(_("{name}={value} is not an https:// URL").format(name=name, value=repr(value)))
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise SettingsError(
            _("{name}={value} must use https:// (plain http is only accepted for a stand-in on this machine)").format(
                name=name, value=repr(value)
            )
        )
    return text


def read_settings(environ: Mapping[str, str], *, cloud: str | None = None, arm_endpoint: str | None = None) -> AzureSettings:
    """Read the live-Azure settings from ``environ``; explicit arguments (CLI options) win.

    Variables: ``AZURE_CLOUD`` (public, usgovernment, china), ``AZURE_ARM_ENDPOINT`` (an explicit
    ARM endpoint for other clouds), ``AZURE_ARM_AUDIENCE`` (token audience when it differs from the
    endpoint), ``AZURE_AUTHORITY_HOST`` (sign-in host), ``AZDASH_THROTTLE_MAX_WAIT`` (longest
    wait on throttling, seconds), ``AZDASH_THROTTLE_RETRIES``, ``AZDASH_MAX_PAGES``,
    ``AZDASH_REPORT_POLL_INTERVAL``, ``AZDASH_REPORT_TIMEOUT``, ``AZDASH_CACHE_TTL`` (seconds).

    Raises:
        SettingsError: naming the setting that cannot be used.
    """
    name = _cloud_name(cloud or environ.get("AZURE_CLOUD", "") or "public")
    default_endpoint, default_audience, default_authority = CLOUDS[name]
    endpoint_text = arm_endpoint or environ.get("AZURE_ARM_ENDPOINT", "")
    endpoint = _endpoint(endpoint_text, "--arm-endpoint" if arm_endpoint else "AZURE_ARM_ENDPOINT") if endpoint_text else default_endpoint
    audience_text = environ.get("AZURE_ARM_AUDIENCE", "").strip()
    if audience_text:
        audience = audience_text.rstrip("/")
    elif endpoint_text and not any(endpoint == c[0] for c in CLOUDS.values()):
        # An explicit endpoint of another cloud usually accepts tokens for itself.
        audience = endpoint
    else:
        audience = default_audience
    authority = environ.get("AZURE_AUTHORITY_HOST", "").strip() or default_authority
    return AzureSettings(
        cloud=name,
        arm_endpoint=endpoint,
        audience=audience,
        authority_host=authority.removeprefix("https://").rstrip("/"),
        throttle_max_wait_s=_number(environ, "AZDASH_THROTTLE_MAX_WAIT", DEFAULT_THROTTLE_MAX_WAIT_S),
        throttle_retries=int(_number(environ, "AZDASH_THROTTLE_RETRIES", DEFAULT_THROTTLE_RETRIES)),
        max_pages=int(_number(environ, "AZDASH_MAX_PAGES", DEFAULT_MAX_PAGES, minimum=1)),
        poll_interval_s=_number(environ, "AZDASH_REPORT_POLL_INTERVAL", DEFAULT_POLL_INTERVAL_S),
        report_timeout_s=_number(environ, "AZDASH_REPORT_TIMEOUT", DEFAULT_REPORT_TIMEOUT_S, minimum=1),
        cache_ttl_s=int(_number(environ, "AZDASH_CACHE_TTL", DEFAULT_CACHE_TTL_S)),
    )
