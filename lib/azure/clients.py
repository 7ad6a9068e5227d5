"""Building the SDK clients the same way everywhere: endpoint, token scope, throttling, headers.

Tests pass ``transport=`` or nothing at all (a loopback endpoint); production passes nothing.
Plain http is only allowed for a loopback endpoint (a stand-in on this machine); TLS
verification and proxies stay with azure-core's defaults (``REQUESTS_CA_BUNDLE``, ``HTTPS_PROXY``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.pipeline.policies import SansIOHTTPPolicy

from lib.azure.quota import QuotaRecorder
from lib.azure.settings import LOOPBACK_HOSTS, AzureSettings
from lib.azure.throttle import Notify, ThrottlePolicy

CLIENT_TYPE = "azure-usage-dashboard"  # Cost Management rate-limits per ClientType header


class AllowLoopbackHttpPolicy(SansIOHTTPPolicy[Any, Any]):
    """Let the bearer-token policy send to ``http://127.0.0.1`` (a local stand-in), nowhere else."""

    def on_request(self, request: Any) -> None:
        """Turn off the https check for loopback URLs only."""
        parts = urlsplit(request.http_request.url)
        if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
            request.context["enforce_https"] = False


class Clients:
    """Factory for the management clients with one credential, settings and throttle policy."""

    def __init__(
        self,
        credential: TokenCredential,
        settings: AzureSettings,
        *,
        notify: Notify | None = None,
        sleep: Callable[[float], None] | None = None,
        **transport_kwargs: Any,
    ) -> None:
        self.credential = credential
        self.settings = settings
        extra = {} if sleep is None else {"sleep": sleep}
        self.throttle = ThrottlePolicy(max_wait_s=settings.throttle_max_wait_s, retries=settings.throttle_retries, notify=notify, **extra)
        self.quota = QuotaRecorder()  # Cost Management's quota headers of every answer these clients get
        self.transport_kwargs = transport_kwargs

    def _kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "base_url": self.settings.arm_endpoint,
            "credential_scopes": [self.settings.token_scope],
            "per_retry_policies": [self.throttle, self.quota],
            "headers": {"ClientType": CLIENT_TYPE},
            **self.transport_kwargs,
        }
        if self.settings.is_loopback:
            kwargs["per_call_policies"] = [AllowLoopbackHttpPolicy()]
        return kwargs

    def cost(self) -> Any:
        """A ``CostManagementClient``."""
        from azure.mgmt.costmanagement import CostManagementClient

        return CostManagementClient(self.credential, polling_interval=self.settings.poll_interval_s, **self._kwargs())

    def billing(self, subscription_id: str = "00000000-0000-0000-0000-000000000000") -> Any:
        """A ``BillingManagementClient`` (the subscription id only matters for per-subscription calls)."""
        from azure.mgmt.billing import BillingManagementClient

        return BillingManagementClient(self.credential, subscription_id, polling_interval=self.settings.poll_interval_s, **self._kwargs())

    def consumption(self, subscription_id: str = "00000000-0000-0000-0000-000000000000") -> Any:
        """A ``ConsumptionManagementClient`` (budgets; the subscription id only matters for per-subscription calls)."""
        from azure.mgmt.consumption import ConsumptionManagementClient

        return ConsumptionManagementClient(self.credential, subscription_id, **self._kwargs())

    def subscriptions(self) -> Any:
        """A ``SubscriptionClient``."""
        from azure.mgmt.resource.subscriptions import SubscriptionClient

        return SubscriptionClient(self.credential, **self._kwargs())

    def resources(self, subscription_id: str) -> Any:
        """A ``ResourceManagementClient`` for one subscription."""
        from azure.mgmt.resource.resources import ResourceManagementClient

        return ResourceManagementClient(self.credential, subscription_id, **self._kwargs())

    def management_groups(self) -> Any:
        """A ``ManagementGroupsMgmtClient``."""
        from azure.mgmt.managementgroups import ManagementGroupsMgmtClient

        return ManagementGroupsMgmtClient(self.credential, **self._kwargs())
