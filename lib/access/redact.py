"""Keep credentials out of logs and messages: SAS signatures, tokens, client secrets.

``redact(text)`` removes what must never be written down: the signature and token parameters of
a URL (a SAS link's ``sig=``, OAuth ``code=``/``access_token=``), bearer tokens, anything shaped
like a JWT, and the values of the secret settings in the environment (``AZURE_CLIENT_SECRET``…).
Messages for the page additionally lose whole query strings (``lib.azure.errors.redact``).

``install_log_redaction()`` makes every log record pass through ``redact`` before any handler
sees it (a log-record factory, so libraries' own loggers are covered: urllib3 writes request
paths with their query strings at DEBUG). ``app.py`` installs it at start; it is idempotent.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

MASK: Final = "REDACTED"
SECRET_SETTINGS: Final = ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_PASSWORD")
_PARAMS: Final = re.compile(
    r"(?i)([?&;](?:sig|signature|code|client_secret|access_token|refresh_token|id_token|password|token|skoid|sktid)=)[^&\s\"'#<>]+"
)
_BEARER: Final = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_JWT: Final = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_MIN_SECRET: Final = 8  # shorter values would mask ordinary words


def secret_values(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The values of the secret settings that are set (long enough to be masked safely)."""
    env = os.environ if environ is None else environ
    return tuple(v for k in SECRET_SETTINGS if len(v := env.get(k, "").strip()) >= _MIN_SECRET)


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` without signatures, tokens and secret values."""
    cleaned = _PARAMS.sub(rf"\1{MASK}", text)
    cleaned = _BEARER.sub(rf"\1{MASK}", cleaned)
    cleaned = _JWT.sub(MASK, cleaned)
    for secret in secret_values() if secrets is None else secrets:
        cleaned = cleaned.replace(secret, MASK)
    return cleaned


_installed = False


def install_log_redaction() -> None:
    """Redact every log record's message (and exception text) from now on, whichever logger made it."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left for logging's own error report
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            # The formatted traceback is cached here, so handlers print the redacted one.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
