"""The command line: ``python -m lib.cli`` (``main``), with its conversion (``convert``) and live-Azure (``azure``) commands.

Only this package parses arguments and prints; everything it calls returns values and raises typed errors.
"""

from lib.cli.main import run

__all__ = ["run"]
