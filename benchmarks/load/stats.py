"""Latency and error bookkeeping for a load run, and its report (pure: no I/O besides returning text)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

PHASES = ("login", "spawn", "workbench", "token", "records_me", "record_write", "progress", "stop", "logout")

# Targets of issue 9 for 100 teachers on the 2-core machine in demo mode: (label, anchor, unit).
ANCHORS = {
    "failed_requests": ("failed requests", 0, ""),
    "login_p95": ("login p95", 1.0, "s"),
    "record_write_p95": ("record write p95", 0.300, "s"),
    "all_started_within": ("all servers started after first login", 180.0, "s"),
    "workbench_p50": ("workbench page p50 (queue wait included)", 15.0, "s"),  # issue 17, part 4
}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Recorder:
    """What every simulated teacher reports: a latency per successful step, an error kind per failure."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    spawn_seconds: list[float] = field(default_factory=list)
    first_login_at: float | None = None
    last_ready_at: float | None = None
    finished: int = 0
    queued_pages: int = 0  # Voilà pages that waited their turn in the machine's page queue (hub.voila_queue)
    #: failed tries that were tried again, as (phase, kind, time.monotonic() when the try failed)
    retries: list[tuple[str, str, float]] = field(default_factory=list)
    #: record writes the service confirmed, as (teacher, client_ref, record_id or None when a retry got 409)
    acknowledged: list[tuple[str, str, int | None]] = field(default_factory=list)

    def ok(self, phase: str, seconds: float) -> None:
        self.latencies[phase].append(seconds)

    def error(self, phase: str, kind: str) -> None:
        self.errors[f"{phase}: {kind}"] += 1

    def retried(self, phase: str, kind: str, at: float) -> None:
        self.retries.append((phase, kind, at))

    def acknowledge(self, teacher: str, client_ref: str, record_id: int | None) -> None:
        self.acknowledged.append((teacher, client_ref, record_id))

    def retry_kinds(self) -> Counter:
        return Counter(f"{phase}: {kind}" for phase, kind, _ in self.retries)

    def login_started(self, at: float) -> None:
        if self.first_login_at is None or at < self.first_login_at:
            self.first_login_at = at

    def server_ready(self, at: float, spawn_seconds: float) -> None:
        self.spawn_seconds.append(spawn_seconds)
        if self.last_ready_at is None or at > self.last_ready_at:
            self.last_ready_at = at

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    def phase_summary(self) -> dict[str, dict[str, float]]:
        return {
            phase: {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
                    "max": max(values)}
            for phase in PHASES if (values := self.latencies.get(phase))
        }

    def all_started_within(self) -> float | None:
        if self.first_login_at is None or self.last_ready_at is None:
            return None
        return self.last_ready_at - self.first_login_at

    def measured_anchors(self) -> dict[str, float | None]:
        phases = self.phase_summary()
        return {
            "failed_requests": self.failed,
            "login_p95": phases.get("login", {}).get("p95"),
            "record_write_p95": phases.get("record_write", {}).get("p95"),
            "all_started_within": self.all_started_within(),
            "workbench_p50": phases.get("workbench", {}).get("p50"),
        }


def format_report(recorder: Recorder, teachers: int, memory: dict[str, dict[str, float]] | None = None) -> str:
    """The run's report: phases, spawn times, errors, memory, and the anchors side by side with ratios."""
    lines = [f"Load run: {teachers} teachers, {recorder.finished} finished the whole script", "",
             f"{'phase':<14}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}"]
    for phase, row in recorder.phase_summary().items():
        lines.append(f"{phase:<14}{row['n']:>6}{row['p50'] * 1000:>10.0f}{row['p95'] * 1000:>10.0f}"
                     f"{row['max'] * 1000:>10.0f}")
    if recorder.spawn_seconds:
        spawns = recorder.spawn_seconds
        lines += ["", f"spawn times: n={len(spawns)} p50={percentile(spawns, 50):.1f}s "
                      f"p95={percentile(spawns, 95):.1f}s max={max(spawns):.1f}s"]
    lines += ["", f"workbench pages that waited in the page queue: {recorder.queued_pages}"]
    lines += ["", f"errors: {recorder.failed}"]
    lines += [f"  {kind}: {count}" for kind, count in sorted(recorder.errors.items())]
    if recorder.retries:
        lines += [f"failed tries retried: {len(recorder.retries)}"]
        lines += [f"  {kind}: {count}" for kind, count in sorted(recorder.retry_kinds().items())]
    if memory:
        lines += ["", f"{'memory (PSS)':<16}{'processes':>10}{'peak MB':>10}{'end MB':>10}"]
        for group, row in memory.items():
            lines.append(f"{group:<16}{row['count']:>10.0f}{row['peak_mb']:>10.0f}{row['end_mb']:>10.0f}")
    lines += ["", f"{'anchor':<40}{'measured':>12}{'target':>10}{'ratio':>8}"]
    for key, value in recorder.measured_anchors().items():
        label, anchor, unit = ANCHORS[key]
        shown = "n/a" if value is None else f"{value:.3f}{unit}" if unit else f"{value}"
        ratio = "n/a" if value is None or not anchor else f"{value / anchor:.2f}"
        target = f"<{anchor}{unit}" if unit else f"{anchor}"
        lines.append(f"{label:<40}{shown:>12}{target:>10}{ratio:>8}")
    return "\n".join(lines)
