"""The College trainer's routine for one course, around nbgrader's ``NbGraderAPI``.

``CoursePipeline`` owns one course directory (under the state folder) and the exchange it shares with
teachers (the hub's exchange service; nbgrader's shared folder for stand-alone runs). Steps: ``prepare``
(copy sources, write config, register assignments), ``sync_roster``, ``release``, ``collect``,
``autograde`` (parallel, see ``parallel``), ``feedback``, ``export_rows``.
nbgrader failures become ``PipelineError`` with nbgrader's own log excerpt.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import nbformat

from . import texts
from .catalog import Course
from .errors import NotFound, PipelineError
from .export import grade_rows
from .nbconfig import course_settings, to_config, write_course_config
from .parallel import GradeOutcome, grade_all
from .roster import RosterEntry
from .sandbox import GradingSandbox

ROSTER_FILE = "roster.json"


def ensure_tools_on_path() -> None:
    """nbgrader runs ``alembic`` by name when it creates a gradebook: make the environment's bin findable."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def _excerpt(result: dict, lines: int = 6) -> str:
    text = (result.get("error") or result.get("log") or "").strip().splitlines()
    return "\n".join(text[-lines:])


@dataclass
class FeedbackOutcome:
    """Whether one teacher's feedback was generated and released; ``message`` says why not (Chinese)."""

    student_id: str
    ok: bool
    message: str = ""


def test_cell_sources(nb) -> dict[str, str]:
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution")}


class CoursePipeline:
    def __init__(self, course: Course, course_dir: Path, exchange_root: Path, *, cell_timeout: int = 60,
                 hub_auth: bool = False, hub_exchange: bool = False, bwrap: str = "bwrap"):
        self.course = course
        self.course_dir = Path(course_dir)
        self.exchange_root = Path(exchange_root)
        self.hub_exchange = hub_exchange
        self.sandbox = GradingSandbox(bwrap)
        self.settings = course_settings(self.course_dir, course.course_id, self.exchange_root,
                                        cell_timeout=cell_timeout, hub_auth=hub_auth, hub_exchange=hub_exchange,
                                        bwrap=bwrap)
        ensure_tools_on_path()

    @classmethod
    def from_settings(cls, settings, course: Course, **options) -> CoursePipeline:
        """The pipeline of a deployed course: it uses the hub's exchange service unless told otherwise."""
        state = Path(settings.state_dir)
        options.setdefault("hub_exchange", True)
        return cls(course, state / "courses" / course.course_id, state / "exchange", **options)

    # -- plumbing ------------------------------------------------------------------------------
    def api(self, **overrides):
        from nbgrader.apps import NbGraderAPI

        return NbGraderAPI(config=to_config({**self.settings, **overrides}))

    def _check(self, step: str, result: dict) -> dict:
        if not result.get("success"):
            raise PipelineError(texts.STEP_FAILED.format(step=step, detail=_excerpt(result)))
        return result

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.settings["CourseDirectory.db_url"], self.course.course_id)

    # -- steps ---------------------------------------------------------------------------------
    def prepare(self, *, write_config: bool = True) -> Path:
        """Copy the course sources into the course directory and write its nbgrader config (cheap, idempotent)."""
        target = self.course_dir / "source"
        target.mkdir(parents=True, exist_ok=True)
        for assignment in self.course.assignments:
            shutil.copytree(self.course.source_dir / assignment.assignment_id,
                            target / assignment.assignment_id, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        if not self.hub_exchange:
            # nbgrader's shared-folder exchange (stand-alone runs): everyone writes into it. The hub's exchange
            # service keeps its own private store, so a deployed course makes no such folder.
            self.exchange_root.mkdir(parents=True, exist_ok=True)
            self.exchange_root.chmod(0o777)
        if write_config:
            write_course_config(self.course_dir, self.course.course_id, self.exchange_root,
                                cell_timeout=self.settings["Execute.timeout"],
                                hub_auth="Authenticator.plugin_class" in self.settings,
                                hub_exchange=self.hub_exchange)
        return self.course_dir

    def generate(self, assignment_id: str) -> None:
        """Register the assignment (with its due date from the metadata) and build the student version."""
        assignment = self.course.assignment(assignment_id)
        with self.gradebook() as gb:
            due = {"duedate": assignment.due.astimezone(UTC).replace(tzinfo=None)} if assignment.due else {}
            gb.update_or_create_assignment(assignment_id, **due)  # no due date in metadata: keep the trainer's
        self._check("generate_assignment", self.api().generate_assignment(assignment_id, force=True))

    def release(self, assignment_id: str) -> None:
        """Generate the student version and put it in the exchange (replacing an earlier release)."""
        self.generate(assignment_id)
        api = self.api()
        # The hub exchange replaces a release in place (force); the directory exchange needs an unrelease.
        if not self.hub_exchange and (self.exchange_root / self.course.course_id / "outbound" / assignment_id).exists():
            self._check("unrelease", api.unrelease(assignment_id))
        self._check("release_assignment", api.release_assignment(assignment_id))

    def collect(self, assignment_id: str) -> list[str]:
        self.course.assignment(assignment_id)
        self._check("collect", self.api().collect(assignment_id, update=True))
        return self.submitted_students(assignment_id)

    def submitted_students(self, assignment_id: str) -> list[str]:
        root = self.course_dir / "submitted"
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if (p / assignment_id).is_dir())

    def inspect_submission(self, assignment_id: str, student_id: str) -> tuple[bool, list[str]]:
        """(readable, messages): problems visible before grading, such as changed or deleted test cells."""
        released = self.course_dir / "release" / assignment_id
        folder = self.course_dir / "submitted" / student_id / assignment_id
        messages, readable = [], True
        for reference in sorted(released.glob("*.ipynb")):
            try:
                nb = nbformat.read(folder / reference.name, as_version=4)
            except FileNotFoundError:
                continue
            except Exception:
                messages.append(texts.SUBMISSION_UNREADABLE.format(name=reference.name))
                readable = False
                continue
            expected = test_cell_sources(nbformat.read(reference, as_version=4))
            if test_cell_sources(nb) != expected:
                messages.append(texts.SUBMISSION_TESTS_MODIFIED)
        return readable, messages

    def autograde(self, assignment_id: str, *, jobs: int = 2, timeout: float = 120, students=None,
                  on_result=None) -> list[GradeOutcome]:
        """Autograde every collected submission (or ``students``) in parallel; never stops at one failure.

        Each submission runs in the grading sandbox (refused as a whole, before anything runs, when the
        sandbox cannot be made). A submission whose grading was stopped (time limit, crash) is graded again
        without running it, so that its autograded items score zero and its manual ones can still be graded.
        """
        self.course.assignment(assignment_id)
        students = list(students) if students is not None else self.submitted_students(assignment_id)
        if not students:
            raise NotFound(texts.NO_SUBMISSIONS.format(assignment_id=assignment_id))
        self.sandbox.require()
        checked = {s: self.inspect_submission(assignment_id, s) for s in students}
        notes = {s: messages for s, (_, messages) in checked.items()}
        unreadable = {s for s, (readable, _) in checked.items() if not readable}
        outcomes = {s: GradeOutcome(s, False, 0.0, list(notes[s])) for s in unreadable}
        for outcome in outcomes.values():
            if on_result:
                on_result(outcome)
        with self._scratch() as scratch:
            settings = {**self.settings, "GradeFromAnswers.scratch_dir": scratch}
            graded = grade_all([s for s in students if s not in unreadable], _grader(settings, assignment_id),
                               jobs=jobs, timeout=timeout, on_result=on_result)
            stopped = {o.student_id: o for o in graded if o.messages and o.messages[0] in _stopped_messages(timeout)}
            if stopped:
                settings.update({"GradeFromAnswers.run_answers": False,
                                 "GradeFromAnswers.unavailable_reason": texts.REASON_WORKER})
                for rescued in grade_all(list(stopped), _grader(settings, assignment_id), jobs=jobs, timeout=timeout):
                    stopped[rescued.student_id].messages += rescued.messages if rescued.ok else []
        late = self._late_students(assignment_id)
        for outcome in graded:
            outcome.messages = notes[outcome.student_id] + outcome.messages
            if outcome.student_id in late:
                outcome.messages.append(texts.SUBMISSION_LATE)
            outcomes[outcome.student_id] = outcome
        return [outcomes[s] for s in students]

    def _scratch(self):
        """A folder for one grading run's sandboxes, removed afterwards (also what a killed kernel left)."""
        folder = tempfile.TemporaryDirectory(prefix="mh-grading-", ignore_cleanup_errors=True)
        if self.sandbox.demotes:
            os.chmod(folder.name, 0o711)  # the sandbox's account reaches its own sub-folder, lists nothing
        return folder

    def _late_students(self, assignment_id: str) -> set[str]:
        with self.gradebook() as gb:
            assignment = gb.find_assignment(assignment_id)
            return {s.student.id for s in assignment.submissions if (s.total_seconds_late or 0) > 0}

    def graded_students(self, assignment_id: str) -> list[str]:
        root = self.course_dir / "autograded"
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if (p / assignment_id).is_dir())

    def feedback(self, assignment_id: str) -> list[FeedbackOutcome]:
        """Generate feedback (hidden tests removed) and release it, teacher by teacher: a notebook whose
        feedback cannot be made is reported, the others are released all the same."""
        self.course.assignment(assignment_id)
        students = self.graded_students(assignment_id)
        if not students:
            raise NotFound(texts.NO_GRADED_SUBMISSIONS.format(assignment_id=assignment_id))
        started = time.time()
        self.api().generate_feedback(assignment_id, force=True)  # all at once; who failed is seen below
        outcomes = []
        for student in students:
            if not self._feedback_written(assignment_id, student, since=started):
                result = self.api().generate_feedback(assignment_id, student, force=True)
                if not result.get("success"):
                    outcomes.append(FeedbackOutcome(student, False, texts.FEEDBACK_FAILED.format(
                        detail=_excerpt(result, 2))))
                    continue
            result = self.api().release_feedback(assignment_id, student)
            outcomes.append(FeedbackOutcome(student, bool(result.get("success")), "" if result.get("success")
                                            else texts.FEEDBACK_FAILED.format(detail=_excerpt(result, 2))))
        return outcomes

    def _feedback_written(self, assignment_id: str, student: str, since: float) -> bool:
        graded = self.course_dir / "autograded" / student / assignment_id
        feedback = self.course_dir / "feedback" / student / assignment_id
        pages = [feedback / f"{nb.stem}.html" for nb in graded.glob("*.ipynb")]
        return bool(pages) and all(page.is_file() and page.stat().st_mtime >= since - 1 for page in pages)

    # -- roster and grades ---------------------------------------------------------------------
    def sync_roster(self, entries: list[RosterEntry]) -> dict:
        """Add or update every entry as a gradebook student and keep staff id / school beside it."""
        roster = self.roster()
        added = updated = 0
        with self.gradebook() as gb:
            known = {s.id for s in gb.students}
            for entry in entries:
                gb.update_or_create_student(entry.username, last_name=entry.name, first_name="")
                added, updated = (added, updated + 1) if entry.username in known else (added + 1, updated)
                roster[entry.username] = entry.to_dict()
        path = self.course_dir / ROSTER_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(roster, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
        return {"added": added, "updated": updated, "total": len(roster)}

    def roster(self) -> dict[str, dict]:
        path = self.course_dir / ROSTER_FILE
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def export_rows(self) -> list[dict]:
        with self.gradebook() as gb:
            return grade_rows(self.course, gb, self.roster())


def _stopped_messages(timeout: float) -> set[str]:
    """The messages of ``grade_all`` for a submission whose grading was stopped before it ended."""
    return {texts.SUBMISSION_TIMEOUT.format(seconds=int(timeout)), texts.SUBMISSION_WORKER_DIED}


def _grader(settings: dict, assignment_id: str):
    """``grade_all``'s factory: in each worker an nbgrader API on these settings, grading one teacher a call."""

    def factory():
        from nbgrader.apps import NbGraderAPI

        from . import grading

        api = NbGraderAPI(config=to_config(settings))
        api.log.propagate = False  # nbgrader's log is captured per submission; keep the terminal for the bar

        def grade(student_id):
            grading.REPORTS.clear()
            result = api.autograde(assignment_id, student_id, force=True, create=True)
            messages = [m for report in grading.REPORTS for m in report.messages]
            if not result["success"]:
                messages.append(texts.SUBMISSION_FAILED.format(detail=_excerpt(result, 2)))
            return result["success"], messages, result.get("log", "")
        return grade
    return factory
