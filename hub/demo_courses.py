"""The demo district's coursework: what a trainer and teachers find when `make run` starts (issue 19, item 3).

Every course has one released assignment (its first; in ``foundations`` its last, ``matching``, so that the
tests of the course flow keep ``policy-basics`` and ``mentor-role`` to themselves). In that one assignment
three teachers have handed in their work:

- teacher2: autograded, the hand-graded parts graded by the trainer, feedback released (teacher2 reads it in
  the Assignments panel);
- teacher3: autograded, the hand-graded parts waiting for the trainer (needs manual grading);
- teacher4: handed in and collected, not yet autograded (the trainer's next step).

Everything goes through the parts a real course uses: the course pipeline generates each assignment and
autogrades (`hub.courses.pipeline.CoursePipeline`, in the bubblewrap sandbox), nbgrader's gradebook takes the
hand grades and generates the feedback, and the exchange's store (`hub.exchange.store.ExchangeStore`, what
the exchange service itself writes with) receives the releases, the submissions and the feedback, checked
for hidden tests as the exchange service checks them. The gradebook knows the teachers by their roster
names. Without the sandbox (bubblewrap missing) the submissions stay unmarked and a note says why.

Generating, grading and generating feedback take 20-30 s on a busy two-core machine, and every test hub is
seeded: the result (the course folders and the exchange's store) is kept in a cache keyed by everything it
is made from (course sources, this code and the course and exchange code, nbgrader's version), so each
following seed unpacks it in about a second. ``MENTORHUB_CACHE_DIR`` moves the cache (default ``.cache/`` in
the checkout); deleting it is always safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

GRADED_WITH_FEEDBACK, AWAITING_MANUAL, NOT_AUTOGRADED = "teacher2", "teacher3", "teacher4"
SUBMISSION_COURSE = "foundations"
SEEDED_ASSIGNMENT = {"foundations": "matching"}  # every other course: its first assignment
MANUAL_SHARE = 0.8  # of the points of each hand-graded answer, for the demo's graded teacher
MANUAL_COMMENT = "思路清楚，结合了学校的实际；可以再补充一个与家长沟通的具体做法。"
STUDENT_DIRS = ("submitted", "autograded", "feedback")


@dataclass
class CourseworkSeed:
    released: dict[str, str] = field(default_factory=dict)  # course -> assignment
    submitted: list[str] = field(default_factory=list)
    autograded: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def seeded_assignment(course) -> str:
    return SEEDED_ASSIGNMENT.get(course.course_id, course.assignments[0].assignment_id)


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def model_answers(source_nb: dict) -> dict[str, str]:
    """The source's answers (solution cells) without nbgrader's solution markers, by grade id."""
    answers = {}
    for cell in source_nb["cells"]:
        if _meta(cell).get("solution"):
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            answers[_meta(cell)["grade_id"]] = "\n".join(
                line for line in text.splitlines() if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)
    return answers


def answered(released_nb: dict, answers: dict[str, str]) -> dict:
    """The released notebook with ``answers`` typed into its answer cells."""
    result = json.loads(json.dumps(released_nb))
    for cell in result["cells"]:
        grade_id = _meta(cell).get("grade_id")
        if _meta(cell).get("solution") and grade_id in answers:
            cell["source"] = answers[grade_id]
    return result


def release(pipeline, store, assignment: str) -> None:
    """Generate the teachers' version and put it into the exchange, as `mentorhub course release` does."""
    from hub.exchange.hidden import fingerprints
    from hub.exchange.nbbase import _notebooks

    pipeline.generate(assignment)
    course = pipeline.course.course_id
    folder = pipeline.course_dir / "release" / assignment
    files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
             if p.is_file() and ".ipynb_checkpoints" not in p.parts}
    hidden = fingerprints(_notebooks(pipeline.course_dir / "source" / assignment), _notebooks(folder))
    store.add_release(course, assignment, files, fingerprints=hidden, force=True)


def submit(pipeline, store, assignment: str, teacher: str, answers: dict[str, str]) -> None:
    """The teacher's submission into the exchange, then collected into the course folder as `collect` does."""
    course = pipeline.course.course_id
    folder = pipeline.course_dir / "release" / assignment
    files = {}
    for path in sorted(folder.glob("*.ipynb")):
        files[path.name] = json.dumps(answered(json.loads(path.read_text(encoding="utf-8")), answers),
                                      ensure_ascii=False, indent=1).encode("utf-8")
    entry = store.add_submission(course, assignment, teacher, files)
    target = pipeline.course_dir / "submitted" / teacher / assignment
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (target / name).write_bytes(data)
    stamp = dt.datetime.fromisoformat(entry["timestamp"]).astimezone(dt.UTC)
    (target / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z"), encoding="utf-8")
    (target / "submission_id.txt").write_text(entry["submission_id"], encoding="utf-8")


def grade_by_hand(pipeline, assignment: str, teacher: str) -> None:
    """The trainer's hand grades and comments on every hand-graded answer of ``teacher``."""
    with pipeline.gradebook() as gb:
        submission = gb.find_submission(assignment, teacher)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.auto_score is None and grade.max_score:
                    grade.manual_score = round(grade.max_score * MANUAL_SHARE, 1)
                    grade.needs_manual_grade = False
            for comment in notebook.comments:
                if comment.auto_comment is None:
                    comment.manual_comment = MANUAL_COMMENT
        gb.db.commit()


def release_feedback(pipeline, store, assignment: str, teacher: str) -> None:
    """Generate the teacher's feedback (Chinese page, hidden tests removed) and put it into the exchange,
    refused as the exchange service refuses feedback that shows a hidden test."""
    from hub.courses.errors import PipelineError
    from hub.exchange.hidden import leaks_hidden_tests

    course = pipeline.course.course_id
    result = pipeline.api().generate_feedback(assignment, teacher, force=True)
    if not result.get("success"):
        raise PipelineError(f"feedback for {teacher}: {result.get('error') or result.get('log')}")
    folder = pipeline.course_dir / "feedback" / teacher / assignment
    pages = {p.name: p.read_bytes() for p in sorted(folder.glob("*.html"))}
    known = store.hidden_fingerprints(course, assignment)
    if any(leaks_hidden_tests(page.decode("utf-8", errors="replace"), known) for page in pages.values()):
        raise PipelineError(f"the feedback of {teacher} would show hidden tests; not released")
    submission_id = (pipeline.course_dir / "submitted" / teacher / assignment / "submission_id.txt").read_text()
    store.add_feedback(course, teacher, assignment, submission_id.strip(), pages)


def cache_dir() -> Path:
    from hub.settings import REPO_ROOT

    return Path(os.environ.get("MENTORHUB_CACHE_DIR") or REPO_ROOT / ".cache") / "demo-coursework"


def cache_key(courses_dir: Path, roster: dict, submissions: bool) -> str:
    """A digest of everything the coursework is made from."""
    from importlib.metadata import version

    import hub.courses
    import hub.exchange

    digest = hashlib.sha256(json.dumps([roster, submissions, version("nbgrader")], sort_keys=True).encode())
    folders = [Path(courses_dir), Path(hub.courses.__file__).parent, Path(hub.exchange.__file__).parent]
    for path in [Path(__file__), *(p for folder in folders for p in sorted(folder.rglob("*")))]:
        if path.is_file() and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts:
            digest.update(str(path.name).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def seed_coursework(state_dir: Path, courses_dir: Path, roster: dict[str, dict], *,
                    submissions: bool = True) -> CourseworkSeed:
    """``make_coursework``, or its cached result (see the module's docstring)."""
    from hub.exchange.hubconfig import STORE_FOLDER

    state_dir = Path(state_dir)
    cached = cache_dir() / f"{cache_key(courses_dir, roster, submissions)}.tar"
    if cached.is_file():
        with tarfile.open(cached) as archive:
            summary = json.loads(archive.extractfile("coursework.json").read())
            members = [m for m in archive.getmembers() if m.name != "coursework.json"
                       and not m.name.startswith("/") and ".." not in Path(m.name).parts]
            archive.extractall(state_dir, members=members)
        return CourseworkSeed(**summary)
    seed = make_coursework(state_dir, courses_dir, roster, submissions=submissions)
    if not seed.notes:  # only a complete seed is worth keeping
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        with tarfile.open(partial, "w") as archive:
            for name in ("courses", STORE_FOLDER):
                archive.add(state_dir / name, arcname=name)
            data = json.dumps(seed.__dict__).encode()
            info = tarfile.TarInfo("coursework.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        partial.replace(cached)
    return seed


def make_coursework(state_dir: Path, courses_dir: Path, roster: dict[str, dict], *,
                    submissions: bool = True) -> CourseworkSeed:
    """Releases in every course and (``submissions``) the demo teachers' work in ``SUBMISSION_COURSE``.

    ``roster``: {login: {"name": ..., "school": ...}} of the enrolled teachers, for the gradebook's names."""
    from hub.courses.catalog import load_catalog
    from hub.courses.errors import CourseError
    from hub.courses.pipeline import CoursePipeline
    from hub.courses.roster import RosterEntry
    from hub.exchange.hubconfig import STORE_FOLDER
    from hub.exchange.store import ExchangeStore

    settings = SimpleNamespace(state_dir=Path(state_dir), courses_dir=Path(courses_dir), mode="demo")
    store = ExchangeStore(Path(state_dir) / STORE_FOLDER)
    entries = [RosterEntry(login, login, name=person.get("name", ""), school=person.get("school", ""))
               for login, person in sorted(roster.items())]
    seed = CourseworkSeed()
    for course in load_catalog(settings.courses_dir).values():
        pipeline = CoursePipeline.from_settings(settings, course)
        pipeline.prepare(write_config=False)  # the hub writes the formgrader's configuration at its start
        pipeline.sync_roster(entries)
        assignment = seeded_assignment(course)
        release(pipeline, store, assignment)
        seed.released[course.course_id] = assignment
        if not submissions or course.course_id != SUBMISSION_COURSE:
            continue
        source = json.loads((pipeline.course_dir / "source" / assignment / f"{assignment}.ipynb").read_text("utf-8"))
        answers = model_answers(source)
        for teacher in (GRADED_WITH_FEEDBACK, AWAITING_MANUAL, NOT_AUTOGRADED):
            submit(pipeline, store, assignment, teacher, answers)
            seed.submitted.append(teacher)
        try:
            outcomes = pipeline.autograde(assignment, students=[GRADED_WITH_FEEDBACK, AWAITING_MANUAL], jobs=2)
        except CourseError as error:  # no sandbox here: nothing is graded, the trainer can still look around
            seed.notes.append(str(error))
            continue
        seed.autograded = [o.student_id for o in outcomes if o.ok]
        if GRADED_WITH_FEEDBACK in seed.autograded:
            grade_by_hand(pipeline, assignment, GRADED_WITH_FEEDBACK)
            release_feedback(pipeline, store, assignment, GRADED_WITH_FEEDBACK)
            seed.feedback.append(GRADED_WITH_FEEDBACK)
    return seed
