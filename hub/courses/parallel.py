"""Autograde many submissions at once: long-lived worker processes, one submission at a time each.

nbgrader grades sequentially and has no progress display or per-submission time limit. Here every
worker process imports nbgrader once and grades the submissions it is handed; each notebook runs in
its own kernel (nbgrader starts one per notebook). The parent watches the clock: a submission that
exceeds ``timeout`` seconds gets its worker and the worker's kernels killed, is reported as timed out,
and a fresh worker takes over, so one endless loop cannot stall a cohort.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import wait

import psutil

from . import texts


@dataclass
class GradeOutcome:
    """What happened to one submission; ``messages`` are people-facing (Chinese)."""

    student_id: str
    ok: bool
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)
    log: str = ""

    def to_dict(self) -> dict:
        return {"student_id": self.student_id, "ok": self.ok, "seconds": round(self.seconds, 2),
                "messages": list(self.messages)}


def _messages(ok: bool, detail) -> list[str]:
    """People-facing messages from a grader's ``detail``: a list of messages, or one message (failures only)."""
    if isinstance(detail, list):
        return [str(message) for message in detail]
    return [] if ok or not detail else [detail]


def _worker_main(conn, grade_factory) -> None:
    """Worker loop: receive a student id, grade, send ``(student_id, ok, detail, log)`` back."""
    grade = grade_factory()
    while True:
        student_id = conn.recv()
        if student_id is None:
            return
        try:
            ok, detail, log = grade(student_id)
        except Exception as exc:  # report, never kill the loop: the parent decides what to do
            ok, detail, log = False, f"{type(exc).__name__}: {exc}", ""
        conn.send((student_id, ok, detail, log))


class _Worker:
    def __init__(self, context, grade_factory):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, grade_factory), daemon=True)
        self.process.start()
        child.close()
        self.student_id: str | None = None
        self.started = 0.0

    def give(self, student_id: str) -> None:
        self.student_id, self.started = student_id, time.monotonic()
        self.conn.send(student_id)

    def kill(self) -> None:
        """Kill the worker and everything it started (kernels run in their own sessions)."""
        try:
            parent = psutil.Process(self.process.pid)
            victims = parent.children(recursive=True) + [parent]
        except psutil.NoSuchProcess:
            victims = []
        for proc in victims:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(victims, timeout=5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.kill()


class ProgressBar:
    """A one-line text progress bar on a stream (stderr by default); silent when not a terminal."""

    def __init__(self, total: int, label: str = texts.PROGRESS_LABEL, stream=None, width: int = 30):
        self.total, self.label, self.width = total, label, width
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.failed = 0

    def line(self) -> str:
        filled = int(self.width * self.done / self.total) if self.total else self.width
        return (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                f"{self.done}/{self.total}" + (f"（失败 {self.failed}）" if self.failed else ""))

    def update(self, outcome: GradeOutcome) -> None:
        self.done += 1
        self.failed += 0 if outcome.ok else 1
        end = "\n" if self.done == self.total else ""
        self.stream.write("\r" + self.line() + end)
        self.stream.flush()


def grade_all(student_ids: Iterable[str], grade_factory: Callable, *, jobs: int = 2, timeout: float = 120,
              on_result: Callable[[GradeOutcome], None] | None = None) -> list[GradeOutcome]:
    """Grade every student id with ``jobs`` workers; returns one outcome per id, in the input order.

    ``grade_factory`` is called once inside each worker and returns ``grade(student_id) -> (ok, detail,
    log)``, where ``detail`` is one message (shown on failure) or a list of messages (always shown); it need
    not be picklable: workers are forked, so a closure is fine.
    """
    queue = deque(student_ids)
    order = list(queue)
    outcomes: dict[str, GradeOutcome] = {}
    context = multiprocessing.get_context("fork")
    workers = [_Worker(context, grade_factory) for _ in range(max(1, min(jobs, len(queue))))]

    def finish(outcome: GradeOutcome) -> None:
        outcomes[outcome.student_id] = outcome
        if on_result:
            on_result(outcome)

    try:
        for worker in workers:
            if queue:
                worker.give(queue.popleft())
        while len(outcomes) < len(order):
            busy = [w for w in workers if w.student_id is not None]
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=0.2)
            now = time.monotonic()
            for index, worker in enumerate(workers):
                if worker.student_id is None:
                    continue
                if worker.conn in ready:
                    try:
                        student_id, ok, detail, log = worker.conn.recv()
                    except (EOFError, OSError):
                        # The worker died; its pipe closed before (or instead of) its sentinel showing.
                        student_id, ok, detail, log = worker.student_id, False, texts.SUBMISSION_WORKER_DIED, ""
                    finish(GradeOutcome(student_id, ok, now - worker.started, _messages(ok, detail), log))
                    worker.student_id = None
                    if not worker.process.is_alive() or detail == texts.SUBMISSION_WORKER_DIED:
                        worker.kill()
                        worker = workers[index] = _Worker(context, grade_factory)
                elif now - worker.started > timeout or worker.process.sentinel in ready:
                    died = worker.process.sentinel in ready and now - worker.started <= timeout
                    message = texts.SUBMISSION_WORKER_DIED if died else \
                        texts.SUBMISSION_TIMEOUT.format(seconds=int(timeout))
                    finish(GradeOutcome(worker.student_id, False, now - worker.started, [message]))
                    worker.kill()
                    worker = workers[index] = _Worker(context, grade_factory)
                if worker.student_id is None and queue:
                    worker.give(queue.popleft())
    finally:
        for worker in workers:
            if worker.student_id is not None:
                worker.kill()
            else:
                worker.stop()
    return [outcomes[s] for s in order]
