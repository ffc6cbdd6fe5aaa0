"""Matching benchmark: this engine and `mentorhub match` against the `matching` package (HospitalResident).

Builds one random instance without special needs, runs the whole `mentorhub match` command on it
(CSV in, CSV + report out), the engine in process, and `matching` 1.4.3 on the same preferences;
checks that both give the same primary matching, and prints the figures beside the issue's anchors.

    .venv/bin/python benchmarks/bench_matching.py --students 2000 --mentors 150
    .venv/bin/python benchmarks/bench_matching.py --students 60000 --mentors 4400   # ~4 min for `matching`

Sizes are command-line options; --skip-reference leaves `matching` out (the engine alone).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

from hub.matching.engine import deferred_acceptance, match
from hub.matching.io import load_instance
from hub.matching.verify import verify

ROOT = Path(__file__).resolve().parent.parent
ANCHOR_COMMAND_SECONDS = 2.0  # whole command, 60,000 × 4,400, on 2 cores
ANCHOR_MEMORY_MB = 500
ANCHOR_SPEEDUP = 100
ANCHOR_MATCHING_SECONDS = 246  # `matching` at 60,000 × 4,200, measured in the issue


def build_tables(folder: Path, n_students: int, n_mentors: int, seed: int, special_share: float) -> None:
    """Write students.csv and mentors.csv for a synthetic district (classes of ~40 students)."""
    rng = random.Random(seed)
    n_classes = max(1, n_students // 40)
    classes = [f"C{c:05d}" for c in range(n_classes)]
    mentor_ids = [f"T{m:05d}" for m in range(n_mentors)]
    teaches: list[list[int]] = []
    for m in range(n_mentors):
        own = {m % n_classes} | {rng.randrange(n_classes) for _ in range(rng.randint(0, 3))}
        teaches.append(sorted(own))
    by_class: list[list[int]] = [[] for _ in classes]
    for m, cs in enumerate(teaches):
        for c in cs:
            by_class[c].append(m)
    student_class = [rng.randrange(n_classes) for _ in range(n_students)]
    students_of: list[list[int]] = [[] for _ in classes]
    for s, c in enumerate(student_class):
        students_of[c].append(s)
    student_ids = [f"S{s:06d}" for s in range(n_students)]

    with open(folder / "students.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["student_id", "class_id", "needs_mentors", "prefs"])
        for s in range(n_students):
            wanted: list[int] = []
            for _ in range(rng.randint(0, 5)):
                pool = by_class[student_class[s]] if rng.random() < 0.7 else None
                m = rng.choice(pool) if pool else rng.randrange(n_mentors)
                if m not in wanted:
                    wanted.append(m)
            needs = 2 if rng.random() < special_share else ""
            out.writerow([student_ids[s], classes[student_class[s]], needs, ";".join(mentor_ids[m] for m in wanted)])

    with open(folder / "mentors.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["mentor_id", "roles", "capacity", "classes", "prefs"])
        for m in range(n_mentors):
            roles = ["head_teacher"] if m < n_classes else []
            draw = rng.random()
            roles += ["psychology"] if draw < 0.03 else ["leader"] if draw < 0.06 else []
            roles += ["middle_manager"] if 0.06 <= draw < 0.12 else ["subject"]
            capacity = 15 if rng.random() < 0.8 else rng.randint(10, 14)
            pool = [s for c in teaches[m] for s in students_of[c]]
            picked = rng.sample(pool, min(len(pool), rng.randint(0, 8)))
            out.writerow(
                [
                    mentor_ids[m],
                    ";".join(roles),
                    capacity,
                    ";".join(classes[c] for c in teaches[m]),
                    ";".join(student_ids[s] for s in picked),
                ]
            )


MODULE_ENTRY = [sys.executable, "-m", "hub.matching.command"]


def console_script() -> list[str] | None:
    script = shutil.which("mentorhub", path=str(Path(sys.executable).parent))
    if script and subprocess.run([script, "match", "--help"], capture_output=True).returncode == 0:
        return [script, "match"]
    return None


def run_command(folder: Path, command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one whole run of the command."""
    argv = command + [
        "--students", str(folder / "students.csv"),
        "--mentors", str(folder / "mentors.csv"),
        "--out", str(folder / "assignments.csv"),
        "--report", str(folder / "report.json"),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"command failed ({done.returncode}): {done.stderr}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb


def run_reference(instance, residual_primary: list[int]) -> tuple[list[int], float, float]:
    """Solve with `matching`'s HospitalResident; return primary per student, build and solve seconds."""
    from matching.games import HospitalResident

    n = instance.n_students
    applicants: list[list[int]] = [[] for _ in range(instance.n_mentors)]
    for s, prefs in enumerate(instance.student_prefs):
        for m in prefs:
            applicants[m].append(s)
    resident_prefs = {s: list(p) for s, p in enumerate(instance.student_prefs) if p}
    hospital_prefs = {
        m: sorted(applicants[m], key=lambda s, m=m: instance.mentor_key(m, s)) for m in range(instance.n_mentors)
    }
    capacities = dict(enumerate(instance.capacity))
    result: dict = {}

    def solve() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
            built = time.perf_counter()
            matching = game.solve(optimal="resident")
            result["build"], result["solve"] = built - started, time.perf_counter() - built
            primary = [-1] * n
            for hospital, residents in matching.items():
                for resident in residents:
                    primary[resident.name] = hospital.name
            result["primary"] = primary

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * n + 10_000))
    threading.stack_size(1 << 30)
    worker = threading.Thread(target=solve)
    worker.start()
    worker.join()
    if "primary" not in result:
        sys.exit("`matching` failed; see the traceback above")
    return result["primary"], result["build"], result["solve"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--mentors", type=int, default=150)
    parser.add_argument("--seed", type=int, default=20260901)
    parser.add_argument("--special-share", type=float, default=0.0, help="share of students needing 2 mentors")
    parser.add_argument("--skip-reference", action="store_true", help="do not run `matching`")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="bench-matching-"))
    try:
        build_tables(folder, args.students, args.mentors, args.seed, args.special_share)
        script = console_script()
        module_seconds, module_mb = run_command(folder, MODULE_ENTRY)
        command_seconds, peak_mb = run_command(folder, script) if script else (module_seconds, module_mb)

        started = time.perf_counter()
        instance = load_instance(folder / "students.csv", folder / "mentors.csv")
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        assignment = match(instance)
        match_seconds = time.perf_counter() - started
        started = time.perf_counter()
        check = verify(instance, assignment)
        verify_seconds = time.perf_counter() - started
        if not check.ok:
            sys.exit(f"verification failed: {check}")

        print(f"instance: {args.students} students, {args.mentors} mentors, seed {args.seed}, "
              f"{os.cpu_count()} cores; filled outside choices: {sum(assignment.filled)}")
        print(f"{'figure':44} {'measured':>12} {'anchor':>12} {'ratio':>8}")
        row = "{:44} {:>12} {:>12} {:>8}"
        label = "whole `mentorhub match` command (s)" if script else "whole command, module entry (s)"
        print(row.format(label, f"{command_seconds:.3f}",
                         f"< {ANCHOR_COMMAND_SECONDS}", f"{command_seconds / ANCHOR_COMMAND_SECONDS:.2f}"))
        if script:
            print(row.format("  same, `python -m hub.matching.command` (s)", f"{module_seconds:.3f}",
                             f"< {ANCHOR_COMMAND_SECONDS}", f"{module_seconds / ANCHOR_COMMAND_SECONDS:.2f}"))
        print(row.format("command peak memory (MB)", f"{peak_mb:.0f}", f"< {ANCHOR_MEMORY_MB}",
                         f"{peak_mb / ANCHOR_MEMORY_MB:.2f}"))
        print(row.format("  in process: read tables (s)", f"{read_seconds:.3f}", "", ""))
        print(row.format("  in process: match (s)", f"{match_seconds:.3f}", "", ""))
        print(row.format("  in process: verify (s)", f"{verify_seconds:.3f}", "", ""))

        if args.skip_reference:
            return 0
        if any(k > 1 for k in instance.needs):
            print("special needs present: `matching` solves a different problem; comparison skipped")
            return 0
        residual = list(instance.capacity)
        ours = deferred_acceptance(instance, residual, [()] * instance.n_students)
        reference, build_seconds, solve_seconds = run_reference(instance, residual)
        same = ours == reference
        final_same = all(
            (reference[s] == assignment.primary[s]) if reference[s] >= 0 else assignment.filled[s]
            for s in range(instance.n_students)
        )
        reference_total = build_seconds + solve_seconds
        at_anchor_size = args.students >= 60_000
        print(row.format("`matching` build game (s)", f"{build_seconds:.3f}", "", ""))
        print(row.format("`matching` solve (s)", f"{solve_seconds:.3f}", "", ""))
        print(row.format("`matching` build + solve (s)", f"{reference_total:.3f}",
                         f"~{ANCHOR_MATCHING_SECONDS}" if at_anchor_size else "",
                         f"{reference_total / ANCHOR_MATCHING_SECONDS:.2f}" if at_anchor_size else ""))
        speedup = reference_total / command_seconds
        print(row.format("speed-up: `matching` build+solve / our command", f"{speedup:.1f}x",
                         f">= {ANCHOR_SPEEDUP}x", f"{speedup / ANCHOR_SPEEDUP:.2f}"))
        # Algorithm against algorithm, for transparency: solve only, ours in process.
        print(row.format("  solve only: `matching` / our match()", f"{solve_seconds / match_seconds:.1f}x", "", ""))
        print(f"same primary matching as `matching`: {same and final_same}")
        return 0 if same and final_same else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
