"""The Spark Connect session the Lake source computes with, and the messages when there is none.

The dashboard process holds only the thin client (``pyspark-client``: gRPC and Arrow, no Java). The server is named
by ``SPARK_REMOTE`` (or the sidebar / ``--remote``): ``sc://host:15002`` for a Spark Connect server, or Databricks
Connect's ``sc://<workspace-host>:443/;token=<token>;x-databricks-cluster-id=<cluster-id>`` for Azure Databricks.
"""

from __future__ import annotations

import os
import re
import socket
import warnings
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lib.core.dataset import SourceError
from lib.core.i18n import _

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession

REMOTE_ENV = "SPARK_REMOTE"
DEFAULT_REMOTE = "sc://127.0.0.1:15002"
_REACH_SECONDS = 5.0


class EngineError(SourceError):
    """The Spark engine could not be reached or could not compute; the message is written for the user."""


def remote_from_env() -> str:
    """The Spark Connect address ``SPARK_REMOTE`` names, or the local server's."""
    return os.environ.get(REMOTE_ENV, "").strip() or DEFAULT_REMOTE


def shown(remote: str) -> str:
    """The address without its parameters (a Databricks token must reach no message or log)."""
    parts = urlsplit(remote)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else _("(an address that is not sc://host:port)")


def _host_port(remote: str) -> tuple[str, int]:
    parts = urlsplit(remote)
    if parts.scheme != "sc" or not parts.hostname:
        raise EngineError(
            _("the Spark address must look like sc://host:15002 (Spark Connect) or sc://<workspace>:443/;token=…;x-databricks-cluster-id=…")
        )
    try:
        port = parts.port or 15002
    except ValueError:
        raise EngineError(_("the Spark address has no valid port: {remote}").format(remote=shown(remote))) from None
    return parts.hostname, port


def not_reachable(remote: str) -> str:
    """What to do when no server answers at ``remote``."""
    return _(
        "no Spark Connect server answers at {remote}: start one with `make spark-server`, or set SPARK_REMOTE "
        "(or the sidebar's Spark server) to your cluster's address"
    ).format(remote=shown(remote))


def session(remote: str) -> SparkSession:
    """A Spark Connect session on ``remote``, checked to answer.

    A stopped server is found by a plain TCP connect first: the client's own retries back off for minutes.

    Raises:
        EngineError: when the address is malformed, nothing listens there, or the server refuses the session.
    """
    host, port = _host_port(remote)
    try:
        with socket.create_connection((host, port), timeout=_REACH_SECONDS):
            pass
    except OSError:
        raise EngineError(not_reachable(remote)) from None
    try:
        with warnings.catch_warnings():
            # The client warns that it is not tested with pandas 3; it hands Arrow, never pandas, to this project.
            warnings.simplefilter("ignore", FutureWarning)
            from pyspark.sql.connect.session import SparkSession as ConnectSession
    except ImportError as error:  # the thin client is a runtime dependency; say so plainly if it is missing
        raise EngineError(
            _("the Spark Connect client is not installed (pip install -r requirements.txt): {error}").format(error=error)
        ) from None
    try:
        spark = ConnectSession.builder.remote(remote).getOrCreate()
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    except Exception as error:
        raise EngineError(engine_message(error, remote)) from None
    return spark


def engine_message(error: BaseException, remote: str) -> str:
    """A one-line message for an error the engine raised (its first line; the address without parameters)."""
    first = next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)
    first = re.sub(r"(?i)(token|authorization)=[^;\s]+", r"\1=…", first)
    if "UNAVAILABLE" in first or "Connection refused" in first or "failed to connect" in first.lower():
        return not_reachable(remote)
    return _("the Spark engine at {remote} failed: {error}").format(remote=shown(remote), error=first[:300])
