"""Where a command's CPU goes, per process kind: the test suite's pytest workers, Chromium, Streamlit servers, Spark.

Usage: .venv/bin/python -m bench.suite_cpu [--interval 0.2] -- COMMAND...
   e.g. .venv/bin/python -m bench.suite_cpu -- make test
Runs COMMAND and samples every process's CPU time from /proc every ``--interval`` seconds, so processes that end
early are counted up to their last sample (a process shorter than the interval may be missed). Processes that were
running before (the Spark server) count only what they use meanwhile. Prints the wall time, the load average and
the CPU seconds per kind (Linux only).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
EXITED = "other (kernel thread or exited)"
KINDS = (
    ("java", "Spark server (JVM)"),
    ("chrom", "Chromium"),
    ("playwright", "Playwright driver"),
    ("streamlit", "Streamlit server"),
    ("mypy", "mypy"),
    ("xdist", "pytest worker"),
    ("-c import sys;exec(eval(", "pytest worker"),
    ("pytest", "pytest"),
    ("ruff", "ruff"),
    ("uv", "uv / pip"),
    ("pip", "uv / pip"),
)


def kind(command: str) -> str:
    """A process's kind from its command line (Chromium split by its --type)."""
    for needle, name in KINDS:
        if needle in command:
            if name == "Chromium":
                found = re.search(r"--type=(\S+)", command)
                return f"Chromium {found.group(1)}" if found else "Chromium browser"
            return name
    return "other: " + Path(command.split(" ", 1)[0]).name[:30] if command else EXITED


def snapshot() -> dict[tuple[str, str], tuple[str, float]]:
    """(pid, start time) -> (kind, CPU seconds so far) for every process."""
    found: dict[tuple[str, str], tuple[str, float]] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[(pid, fields[19])] = (kind(command), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to measure after --")
    first: dict[tuple[str, str], tuple[str, float]] = snapshot()
    last: dict[tuple[str, str], tuple[str, float]] = dict(first)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(args.interval):
            for key, value in snapshot().items():
                first.setdefault(key, (value[0], 0.0))
                # A process can exec another program (spark-submit's bash becomes the JVM), and an exiting one's command
                # line reads empty: keep the last kind that had a command line.
                known = value[0] if value[0] != EXITED or key not in last else last[key][0]
                last[key] = (known, value[1])

    load_before = os.getloadavg()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    code = subprocess.call(command)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    used: Counter[str] = Counter()
    for key, (name, seconds) in last.items():
        used[name] += seconds - first[key][1]
    total = sum(used.values())
    print(f"\n{' '.join(command)}: exit {code}, {wall:.0f} s wall, {total:.0f} CPU-seconds in all")
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} (1 min); {os.cpu_count()} cores")
    for name, seconds in used.most_common():
        if seconds >= 0.5:
            print(f"  {seconds:7.1f}  {name}")
    sys.exit(code)


if __name__ == "__main__":
    main()
