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

ROSTER_FILE = "roster.json"


def ensure_tools_on_path() -> None:
    """nbgrader runs ``alembic`` by name when it creates a gradebook: make the environment's bin findable."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def _excerpt(result: dict, lines: int = 6) -> str:
    text = (result.get("error") or result.get("log") or "").strip().splitlines()
    return "\n".join(text[-lines:])


def test_cell_sources(nb) -> dict[str, str]:
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution")}


class CoursePipeline:
    def __init__(self, course: Course, course_dir: Path, exchange_root: Path, *, cell_timeout: int = 60,
                 hub_auth: bool = False, hub_exchange: bool = False):
        self.course = course
        self.course_dir = Path(course_dir)
        self.exchange_root = Path(exchange_root)
        self.hub_exchange = hub_exchange
        self.settings = course_settings(self.course_dir, course.course_id, self.exchange_root,
                                        cell_timeout=cell_timeout, hub_auth=hub_auth, hub_exchange=hub_exchange)
        ensure_tools_on_path()

    @classmethod
    def from_settings(cls, settings, course: Course, **options) -> CoursePipeline:
        """The pipeline of a deployed course: it uses the hub's exchange service unless told otherwise."""
        state = Path(settings.state_dir)
        options.setdefault("hub_exchange", True)
        return cls(course, state / "courses" / course.course_id, state / "exchange", **options)

    # -- plumbing ------------------------------------------------------------------------------
    def api(self):
        from nbgrader.apps import NbGraderAPI

        return NbGraderAPI(config=to_config(self.settings))

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
        """Autograde every collected submission (or ``students``) in parallel; never stops at one failure."""
        self.course.assignment(assignment_id)
        students = list(students) if students is not None else self.submitted_students(assignment_id)
        if not students:
            raise NotFound(texts.NO_SUBMISSIONS.format(assignment_id=assignment_id))
        checked = {s: self.inspect_submission(assignment_id, s) for s in students}
        notes = {s: messages for s, (_, messages) in checked.items()}
        unreadable = {s for s, (readable, _) in checked.items() if not readable}
        settings = dict(self.settings)

        def factory():
            from nbgrader.apps import NbGraderAPI

            api = NbGraderAPI(config=to_config(settings))
            api.log.propagate = False  # nbgrader's log is captured per submission; keep the terminal for the bar

            def grade(student_id):
                result = api.autograde(assignment_id, student_id, force=True, create=True)
                detail = None if result["success"] else texts.SUBMISSION_FAILED.format(detail=_excerpt(result, 2))
                return result["success"], detail, result.get("log", "")
            return grade

        outcomes = {s: GradeOutcome(s, False, 0.0, list(notes[s])) for s in unreadable}
        for outcome in outcomes.values():
            if on_result:
                on_result(outcome)
        graded = grade_all([s for s in students if s not in unreadable], factory, jobs=jobs, timeout=timeout,
                           on_result=on_result)
        late = self._late_students(assignment_id)
        for outcome in graded:
            outcome.messages = notes[outcome.student_id] + outcome.messages
            if outcome.student_id in late:
                outcome.messages.append(texts.SUBMISSION_LATE)
            outcomes[outcome.student_id] = outcome
        return [outcomes[s] for s in students]

    def _late_students(self, assignment_id: str) -> set[str]:
        with self.gradebook() as gb:
            assignment = gb.find_assignment(assignment_id)
            return {s.student.id for s in assignment.submissions if (s.total_seconds_late or 0) > 0}

    def feedback(self, assignment_id: str) -> None:
        """Generate feedback (hidden tests removed) and release it to the exchange."""
        self.course.assignment(assignment_id)
        api = self.api()
        self._check("generate_feedback", api.generate_feedback(assignment_id, force=True))
        self._check("release_feedback", api.release_feedback(assignment_id))

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
