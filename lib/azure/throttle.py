"""Waiting out Cost Management throttling, which azure-core does not do on its own.

Cost Management's 429 answers often carry only ``x-ms-ratelimit-microsoft.costmanagement-*-retry-after``
headers; azure-core reads only ``Retry-After`` (and waits for it without any cap) and never
retries a POST on 429. ``ThrottlePolicy`` sits right after the SDK's retry policy, sees every
429 first, waits the longest time any header asks for (capped), tells the caller through a
callback, and sends the same request again. When it gives up it raises ``ThrottledError`` (not an
``AzureError``, so the SDK's retry policy does not start its own, uncapped, waits).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from azure.core.pipeline.policies import HTTPPolicy

RATE_LIMIT_PREFIXES = ("x-ms-ratelimit-microsoft.costmanagement-", "x-ms-ratelimit-microsoft.consumption-")
STANDARD_HEADERS = ("retry-after", "retry-after-ms", "x-ms-retry-after-ms")
MINIMUM_WAIT_S = 1.0

Notify = Callable[[float, float, int], None]  # (requested seconds, waited seconds, attempt)


class ThrottledError(Exception):
    """Azure kept answering 429 after the allowed retries."""

    def __init__(self, requested_s: float, attempts: int) -> None:
        super().__init__(f"Cost Management is throttling requests; Azure asks to wait {requested_s:g} s (after {attempts} tries)")
        self.requested_s = requested_s
        self.attempts = attempts


def _seconds(value: str) -> float | None:
    try:
        return float(value.strip())
    except ValueError:
        return None


def requested_wait(headers: Mapping[str, str]) -> float:
    """The longest wait any throttling header asks for, in seconds (at least one second)."""
    waits: list[float] = []
    for name, value in headers.items():
        lower = name.lower()
        seconds = _seconds(value)
        if seconds is None:
            continue
        if lower.endswith("-ms") and lower in STANDARD_HEADERS:
            waits.append(seconds / 1000.0)
        elif lower == "retry-after" or (lower.startswith(RATE_LIMIT_PREFIXES) and lower.endswith("retry-after")):
            waits.append(seconds)
    return max([MINIMUM_WAIT_S, *waits])


class ThrottlePolicy(HTTPPolicy[Any, Any]):
    """Retry 429 answers after the time the headers ask for, capped at ``max_wait_s``."""

    def __init__(
        self,
        *,
        max_wait_s: float,
        retries: int,
        notify: Notify | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.max_wait_s = max_wait_s
        self.retries = retries
        self.notify = notify
        self.sleep = sleep
        self.requested: list[float] = []  # every wait Azure asked for, for the progress text and tests

    def send(self, request: Any) -> Any:
        """Send ``request``; on 429 wait and send it again, up to ``retries`` times."""
        attempt = 0
        while True:
            response = self.next.send(request)
            if response.http_response.status_code != 429:
                return response
            wanted = requested_wait(response.http_response.headers)
            self.requested.append(wanted)
            attempt += 1
            if attempt > self.retries:
                raise ThrottledError(wanted, attempt)
            wait = min(wanted, self.max_wait_s)
            if self.notify is not None:
                self.notify(wanted, wait, attempt)
            self.sleep(wait)
