"""Benchmark: research dashboards over one term of a 40,000-student district (~400,000 records).

Anchor (issue 7): a dashboard renders in under 3 s from a warm server, the aggregation done in one
pandas pass, not per student. This script builds synthetic de-identified frames, then times the
aggregations every dashboard page needs (三个一 by school and class, domain distribution, talk
timing, follow-up delay, training completion) plus formatting for display, and prints the figure
next to the anchor. Usage: ``.venv/bin/python benchmarks/bench_dashboard.py [students]``.
"""

from __future__ import annotations

import sys
import time

from hub.cases import dashboards
from hub.cases.synthetic import EXAM_DATES, synthetic_term
from widgets.dashboards import DashboardApp

ANCHOR_SECONDS = 3.0


def run_dashboards(students, records, flags, enrollments):
    tables = [
        dashboards.tri_one_completion(students, records),
        dashboards.tri_one_completion(students, records, by=("school",)),
        dashboards.domain_distribution(records),
        dashboards.talk_timing(records, EXAM_DATES),
        dashboards.follow_up_delay(flags),
        dashboards.training_completion(enrollments),
        dashboards.training_completion(enrollments, by=("course",)),
    ]
    return [dashboards.for_display(table) for table in tables]


def best_of(runs: int, action) -> tuple[float, list[float]]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings), timings


def main() -> int:
    students_total = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    frames = synthetic_term(students_total)
    print(f"synthetic term: {students_total} students, {len(frames[1])} records, {len(frames[2])} flags")
    run_dashboards(*frames)  # warm-up: a warm server has imported and touched everything once
    aggregation, runs = best_of(3, lambda: run_dashboards(*frames))
    print(f"aggregation + display tables: {aggregation:.2f} s (best of 3: {', '.join(f'{t:.2f}' for t in runs)})")
    page, runs = best_of(2, lambda: DashboardApp.from_frames(*frames, EXAM_DATES))
    print(f"whole page (all tables, first tab's chart, widgets): {page:.2f} s (best of 2: {', '.join(f'{t:.2f}' for t in runs)})")
    print(f"anchor: {ANCHOR_SECONDS:.1f} s   ratio page/anchor: {page / ANCHOR_SECONDS:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
