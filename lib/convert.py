"""Conversions of loaded rows to the newest native schema ("version 2") and to FOCUS 1.2."""

from __future__ import annotations

import argparse

from lib.sources.base import SourceError


def run_cli(args: argparse.Namespace) -> int:
    """``python -m lib.cli convert``: write the conversion and return the exit status."""
    del args
    raise SourceError("converting files is not available yet")
