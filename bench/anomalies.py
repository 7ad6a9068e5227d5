"""Anomaly detection: quality on the labelled synthetic set, and time at a million rows.

    .venv/bin/python -m bench.anomalies [--seeds 5] [--repeat 5] [--rows 1000000]

Quality: a detection matches a label when it is on the same series and starts within
``TOLERANCE_DAYS`` of the labelled day; each label matches at most one detection, so a lasting
change reported as a fortnight of flags costs precision. Precision, recall and the flags on days of
purchase or refund rows (of that service, with no label) are printed per sensitivity, summed over
the seeds. Time: ``find_anomalies`` by service over six months of rows (contributors included),
min/median/max over the repeats; and on the demo data filtered to 1, 3 and 7 services, as the overview's daily chart
asks after a filter change (a different choice of services each repeat, so nothing is remembered).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

import polars as pl

from bench.anomaly_set import DAYS, LabelledSet, generate
from lib.analysis.anomalies import SENSITIVITIES, Findings, find_anomalies
from lib.core.models import Metric
from lib.core.schema import Col
from lib.sources.base import LoadRequest
from lib.sources.demo import DemoSource

DEMO_AS_OF = date(2026, 11, 26)  # the browser benches' day

TOLERANCE_DAYS = 2


def score(labelled: LabelledSet, findings: Findings) -> tuple[int, int, int, int, int]:
    """(detections, labels, true positives, flags on one-off days, matched labels)."""
    unmatched = list(labelled.labels)
    true_positives = 0
    one_off_flags = 0
    one_off_days = {(o.service, o.day) for o in labelled.one_offs}
    for anomaly in sorted(findings.anomalies, key=lambda a: a.day):
        match = next(
            (label for label in unmatched if label.service == anomaly.value and abs((label.day - anomaly.day).days) <= TOLERANCE_DAYS),
            None,
        )
        if match is not None:
            unmatched.remove(match)
            true_positives += 1
        elif any((anomaly.value, anomaly.day + timedelta(days=d)) in one_off_days for d in range(-1, 2)):
            one_off_flags += 1
    labels = len(labelled.labels)
    return len(findings.anomalies), labels, true_positives, one_off_flags, labels - len(unmatched)


def _changed_without_one_offs(labelled: LabelledSet, sensitivity: str) -> bool:
    """Whether the findings (to the cent) differ once the purchase and refund rows are taken out."""
    usage_only = labelled.frame.filter(pl.col(Col.CHARGE_TYPE) == "Usage")
    found = find_anomalies(labelled.frame, Col.SERVICE, labelled.as_of, sensitivity=sensitivity).as_dict()
    return found != find_anomalies(usage_only, Col.SERVICE, labelled.as_of, sensitivity=sensitivity).as_dict()


def quality(seeds: int) -> None:
    """Precision and recall per sensitivity, over ``seeds`` generated sets."""
    sets = [generate(seed) for seed in range(seeds)]
    print(f"labelled sets: {seeds} seeds, {sum(len(s.labels) for s in sets)} labelled events, {sets[0].frame.height} rows each (about)")
    for sensitivity in SENSITIVITIES:
        detections = labels = hits = one_off = 0
        for labelled in sets:
            found = find_anomalies(labelled.frame, Col.SERVICE, labelled.as_of, sensitivity=sensitivity)
            d, n, tp, oo, _ = score(labelled, found)
            detections, labels, hits, one_off = detections + d, labels + n, hits + tp, one_off + oo
        changed = sum(_changed_without_one_offs(s, sensitivity) for s in sets)
        precision = hits / detections if detections else 1.0
        recall = hits / labels if labels else 1.0
        print(
            f"  sensitivity {sensitivity:6}: precision {precision:.3f} ({hits}/{detections}), recall {recall:.3f} ({hits}/{labels}), "
            f"flags on purchase/refund days {one_off}, sets whose findings change when purchase/refund rows are removed {changed}"
        )


def timing(rows: int, repeat: int) -> None:
    """``find_anomalies`` by service on about ``rows`` rows: min/median/max seconds."""
    base = generate(0)
    per_resource = max(1, round(rows / base.frame.height))
    labelled = generate(0, rows_per_resource=per_resource)
    frame = labelled.frame
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = find_anomalies(frame, Col.SERVICE, labelled.as_of)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(
        f"time, {frame.height:,} rows over {DAYS} days by service ({found.series} series, {len(found.anomalies)} anomalies): "
        f"min {min(times):.3f} s, median {statistics.median(times):.3f} s, max {max(times):.3f} s "
        f"(CPU time of this process, all threads: min {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s)"
    )


def demo_timing(repeat: int) -> None:
    """``find_anomalies`` by service on the demo data filtered to a few services, as after a filter change."""
    frame = DemoSource().load(LoadRequest(as_of=DEMO_AS_OF, metric=Metric.ACTUAL)).frame
    services = sorted(frame.get_column(Col.SERVICE).unique().to_list())
    choose = random.Random(0)
    month_start = DEMO_AS_OF.replace(day=1)
    for count in (1, 3, 7):
        times, rows = [], []
        for _ in range(repeat):
            chosen = frame.filter(pl.col(Col.SERVICE).is_in(choose.sample(services, count)))
            rows.append(chosen.height)
            started = time.perf_counter()
            find_anomalies(chosen, Col.SERVICE, DEMO_AS_OF, first_day=month_start, last_day=DEMO_AS_OF)
            times.append(time.perf_counter() - started)
        print(
            f"time, demo data filtered to {count} of {len(services)} services ({min(rows):,}-{max(rows):,} rows, month to date): "
            f"min {min(times) * 1000:.1f} ms, median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
        )


def main() -> None:
    """Print quality and timing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quality-only", action="store_true")
    args = parser.parse_args()
    quality(args.seeds)
    if not args.quality_only:
        timing(args.rows, args.repeat)
        demo_timing(max(args.repeat, 9))


if __name__ == "__main__":
    main()
