"""``python -m lib.cli``."""

import sys

from lib.cli.main import run

sys.exit(run())
