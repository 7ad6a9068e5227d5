"""A small all-threads sampling profiler (Streamlit's AppTest runs the page script in another thread).

pyinstrument and cProfile only see the thread that started them; this samples ``sys._current_frames()`` of every other
thread every millisecond and attributes each sample to:

* every app function on the stack (``lib/``, ``pages/``, ``app.py``): inclusive time, so ``views.overview`` includes the
  polars work it waits for;
* the package of the innermost frame (polars, plotly, streamlit, pandas, ...): where the CPU time actually goes.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
OURS = (str(REPO / "lib") + "/", str(REPO / "pages") + "/", str(REPO / "app.py"))


def _package(filename: str) -> str:
    if filename.startswith(OURS):
        return "app code (lib/, pages/)"
    marker = "site-packages/"
    if marker in filename:
        return filename.split(marker, 1)[1].split("/", 1)[0].removesuffix(".py")
    return "python stdlib / other"


class Sampler:
    """Start, run the work, stop; then ``report()``."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.samples = 0
        self.inclusive: Counter[str] = Counter()
        self.leaf_package: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)
        self._ignore: set[int] = set()

    def __enter__(self) -> Sampler:
        self._ignore = {threading.get_ident()}
        self._old_switch = sys.getswitchinterval()
        sys.setswitchinterval(self.interval)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._old_switch)

    def _run(self) -> None:
        self._ignore.add(threading.get_ident())
        while not self._stop.is_set():
            for ident, frame in sys._current_frames().items():
                if ident not in self._ignore:
                    self._record(frame)
            time.sleep(self.interval)

    def _record(self, frame: FrameType | None) -> None:
        if frame is None:
            return
        leaf = frame.f_code.co_filename
        seen: set[str] = set()
        ours = False
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(OURS):
                ours = True
                key = f"{Path(filename).relative_to(REPO)}:{frame.f_code.co_name}"
                if key not in seen:
                    seen.add(key)
                    self.inclusive[key] += 1
            frame = frame.f_back
        if "threading.py" in leaf and not ours:
            return  # an idle thread waiting: not work
        self.samples += 1
        self.leaf_package[_package(leaf)] += 1

    def report(self, limit: int = 30) -> list[str]:
        """The two tables as text (shares of the busy samples)."""
        total = max(self.samples, 1)
        lines = [f"  busy samples: {self.samples} (every {self.interval * 1000:.0f} ms, all threads but this one)"]
        lines.append("  where the time goes (package of the innermost frame):")
        lines += [f"    {n / total * 100:5.1f} %  {name}" for name, n in self.leaf_package.most_common(12)]
        lines.append("  app functions, inclusive (share of busy samples with the function on the stack):")
        lines += [f"    {n / total * 100:5.1f} %  {name}" for name, n in self.inclusive.most_common(limit)]
        return lines
