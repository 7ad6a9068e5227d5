"""How much of Cost Management's query quota the dashboard used, from the answers' own headers.

Cost Management answers carry ``x-ms-ratelimit-microsoft.costmanagement-qpu-consumed`` (query
processing units this request cost), ``…-qpu-remaining`` (``QueriesPerHour:597,QueriesPerMin:57,…``)
and ``x-ms-ratelimit-remaining-microsoft.costmanagement-{entity,tenant}-requests`` (``DefaultQuota:7``).
``QuotaRecorder`` is a pipeline policy that reads them from every answer; ``summary()`` is what the
data set keeps (``Dataset.live.quota``) and ``lib.analysis.billing.quota_sentence`` words it for the page.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from typing import Any, Final

from azure.core.pipeline.policies import SansIOHTTPPolicy

PREFIXES: Final = ("x-ms-ratelimit-microsoft.costmanagement-", "x-ms-ratelimit-remaining-microsoft.costmanagement-")
CONSUMED: Final = "x-ms-ratelimit-microsoft.costmanagement-qpu-consumed"
REMAINING: Final = "x-ms-ratelimit-microsoft.costmanagement-qpu-remaining"


def parse_counts(value: str) -> dict[str, int]:
    """``QueriesPerHour:597,QueriesPerMin:57`` → ``{"QueriesPerHour": 597, …}`` (unreadable parts left out)."""
    counts: dict[str, int] = {}
    for part in value.split(","):
        name, _sep, number = part.partition(":")
        try:
            counts[name.strip()] = int(number.strip())
        except ValueError:
            continue
    return counts


class QuotaRecorder(SansIOHTTPPolicy[Any, Any]):
    """Reads the quota headers of every answer: requests sent, QPU consumed, the latest remaining counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0  # Cost Management answers seen (query, forecast, reports)
        self.consumed = 0.0
        self.remaining: dict[str, int] = {}

    def on_response(self, request: Any, response: Any) -> None:
        """Count the answer and keep its quota headers."""
        headers: Mapping[str, str] = response.http_response.headers
        path = str(request.http_request.url).lower()
        if "microsoft.costmanagement" not in path:
            return
        with self._lock:
            self.requests += 1
            for name, value in headers.items():
                lower = name.lower()
                if not lower.startswith(PREFIXES):
                    continue
                if lower == CONSUMED:
                    with contextlib.suppress(ValueError):
                        self.consumed += float(value)
                elif lower == REMAINING:
                    self.remaining.update(parse_counts(value))
                elif lower.startswith("x-ms-ratelimit-remaining-microsoft.costmanagement-"):
                    kind = lower.removeprefix("x-ms-ratelimit-remaining-microsoft.costmanagement-")
                    for counter, number in parse_counts(value).items():
                        self.remaining[f"{kind}:{counter}"] = number

    def summary(self) -> dict[str, object]:
        """What the data set keeps: requests, QPU consumed and the remaining counts Azure last reported."""
        with self._lock:
            return {"requests": self.requests, "qpu_consumed": self.consumed, "remaining": dict(self.remaining)}
