"""The parallel runner with real worker processes and stand-in grading functions."""

from __future__ import annotations

import io
import os
import time

from hub.courses import texts
from hub.courses.parallel import GradeOutcome, ProgressBar, grade_all


def factory():
    def grade(student_id):
        if student_id == "loops":
            while True:
                time.sleep(0.05)
        if student_id == "raises":
            raise ValueError("坏了")
        if student_id == "dies":
            os._exit(3)
        if student_id == "fails":
            return False, "评分失败", "log"
        return True, None, f"graded by {os.getpid()}"
    return grade


def test_outcomes_in_input_order_with_failures_isolated():
    students = ["a", "loops", "b", "raises", "dies", "fails", "c"]
    seen = []
    outcomes = grade_all(students, factory, jobs=2, timeout=2, on_result=seen.append)
    assert [o.student_id for o in outcomes] == students
    by_id = {o.student_id: o for o in outcomes}
    assert all(by_id[s].ok for s in "abc")
    assert by_id["loops"].messages == [texts.SUBMISSION_TIMEOUT.format(seconds=2)]
    assert by_id["raises"].messages == ["ValueError: 坏了"]
    assert by_id["dies"].messages == [texts.SUBMISSION_WORKER_DIED]
    assert by_id["fails"].messages == ["评分失败"]
    assert sorted(o.student_id for o in seen) == sorted(students)


def test_work_is_spread_over_worker_processes():
    outcomes = grade_all([f"s{i}" for i in range(6)], factory, jobs=2, timeout=30)
    pids = {o.log.split()[-1] for o in outcomes}
    assert len(pids) == 2 and str(os.getpid()) not in pids


def test_progress_bar_counts_failures():
    stream = io.StringIO()
    bar = ProgressBar(2, stream=stream, width=4)
    bar.update(GradeOutcome("a", True))
    bar.update(GradeOutcome("b", False))
    assert stream.getvalue().endswith("[####] 2/2（失败 1）\n")
