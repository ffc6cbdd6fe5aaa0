"""Autograde N submissions of one assignment: `mentorhub course autograde --jobs 2` (every submission in the
grading sandbox, its tests in a fresh interpreter) against plain sequential `nbgrader autograde` (unconfined, the
tests in the teacher's kernel), on identical copies of the same submissions, in one run.

Anchors (issues 4 and 15): speed-up >= 1.7x on a 2-core machine (the limit is 2x), with identical scores; and
the sandbox's own cost per submission (two sandboxed starts: the kernel and the test run), aim < 0.2 s.

    .venv/bin/python benchmarks/bench_autograde.py            # 100 submissions (several minutes)
    .venv/bin/python benchmarks/bench_autograde.py --n 10     # a quick dev run
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hub.courses.catalog import load_catalog  # noqa: E402
from hub.courses.pipeline import CoursePipeline  # noqa: E402
from hub.courses.sandbox import GradingSandbox  # noqa: E402
from tests.nbgrader.course_notebooks import (  # noqa: E402
    load_planted,
    model_answers,
    place_submission,
    with_answers,
)

ANCHOR = 1.7
SANDBOX_AIM = 0.2
BIN = Path(sys.executable).parent


def make_submissions(pipeline, course, assignment_id, n):
    """A mix of model, planted-wrong and blank notebooks, like a real cohort."""
    planted = load_planted()[course.course_id][assignment_id]["answers"]
    notebooks = {}
    for path in (course.source_dir / assignment_id).glob("*.ipynb"):
        released = nbformat.read(pipeline.course_dir / "release" / assignment_id / path.name, as_version=4)
        model = model_answers(nbformat.read(path, as_version=4))
        notebooks[path.name] = [with_answers(released, model),
                                with_answers(released, {**model, **planted}), released]
    for i in range(n):
        place_submission(pipeline.course_dir, f"teacher{i:03d}", assignment_id,
                         {name: versions[i % 3] for name, versions in notebooks.items()})


def median_seconds(command, preexec=None, runs=15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, preexec_fn=preexec, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sandbox_cost() -> float:
    """Seconds a submission's grading spends on the sandbox itself: the same interpreter start with and without
    bubblewrap and its limits, twice (the kernel's sandbox and the tests' sandbox)."""
    sandbox = GradingSandbox()
    plain = [sys.executable, "-I", "-c", "pass"]
    return 2 * max(0.0, median_seconds(sandbox.command(plain), sandbox.preexec) - median_seconds(plain))


def scores(pipeline, assignment_id):
    with pipeline.gradebook() as gb:
        return {s.student.id: s.score for s in gb.find_assignment(assignment_id).submissions}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--course", default="foundations")
    parser.add_argument("--assignment", default="policy-basics")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    course = load_catalog(REPO / "courses")[args.course]
    work = Path(tempfile.mkdtemp(prefix="bench-autograde-"))
    env = {**os.environ, "HOME": str(work / "home"), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("JUPYTER_CONFIG_PATH", None)
    try:
        pipelines = {}
        for label in ("nbgrader", "mentorhub"):
            state = work / label
            pipeline = CoursePipeline(course, state / "courses" / course.course_id, state / "exchange")
            pipeline.prepare()
            pipeline.generate(args.assignment)
            make_submissions(pipeline, course, args.assignment, args.n)
            pipelines[label] = pipeline

        seq = pipelines["nbgrader"]
        start = time.perf_counter()
        subprocess.run([str(BIN / "nbgrader"), "autograde", args.assignment, "--force"], cwd=seq.course_dir,
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sequential = time.perf_counter() - start

        par = pipelines["mentorhub"]
        start = time.perf_counter()
        subprocess.run([str(BIN / "mentorhub"), "course", "--state-dir", str(work / "mentorhub"),
                        "--courses-dir", str(REPO / "courses"), "autograde", args.course, args.assignment,
                        "--jobs", str(args.jobs)], env=env, check=True, stdout=subprocess.DEVNULL)
        parallel = time.perf_counter() - start

        same = scores(seq, args.assignment) == scores(par, args.assignment)
        ratio = sequential / parallel
        cost = sandbox_cost()
        print(f"submissions:                          {args.n}")
        print(f"nbgrader autograde (sequential):      {sequential:8.1f} s")
        print(f"mentorhub course autograde --jobs {args.jobs}:  {parallel:8.1f} s")
        print(f"speed-up: {ratio:.2f}x   anchor: >= {ANCHOR}x   ratio to anchor: {ratio / ANCHOR:.2f}   "
              f"identical scores: {'yes' if same else 'NO'}")
        print(f"sandbox cost per submission: {cost:.3f} s   aim: < {SANDBOX_AIM} s   "
              f"ratio to aim: {cost / SANDBOX_AIM:.2f}")
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
