"""Helpers shared by the nbgrader tests: read cells, build teachers' notebooks, place submissions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import nbformat
import yaml
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

PLANTED = Path(__file__).with_name("planted_answers.yaml")
SUBMISSIONS = Path(__file__).with_name("teacher_submissions.yaml")
COURSES_DIR = Path(__file__).resolve().parents[2] / "courses"


def load_planted() -> dict:
    return yaml.safe_load(PLANTED.read_text(encoding="utf-8"))


def load_submissions() -> dict:
    """The weak, average, strong, stuffing and filler teachers of ``teacher_submissions.yaml``."""
    return yaml.safe_load(SUBMISSIONS.read_text(encoding="utf-8"))


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def is_test_cell(cell) -> bool:
    return bool(meta(cell).get("grade")) and not meta(cell).get("solution") and cell.cell_type == "code"


def autograded_points(nb) -> dict[str, float]:
    """Points of every scoring autograder test cell (hints, worth 0, left out), by grade id."""
    return {meta(c)["grade_id"]: float(meta(c)["points"]) for c in nb.cells
            if is_test_cell(c) and float(meta(c)["points"]) > 0}


def hint_cells(nb) -> list[str]:
    """Grade ids of the hint cells: autograder test cells worth 0 points, whose failure message is a hint."""
    return [meta(c)["grade_id"] for c in nb.cells if is_test_cell(c) and float(meta(c)["points"]) == 0]


def manual_points(nb) -> dict[str, float]:
    """Points the trainer gives by hand: manually graded answers and task cells (a rubric under an answer)."""
    return {meta(c)["grade_id"]: float(meta(c)["points"]) for c in nb.cells
            if (meta(c).get("grade") and meta(c).get("solution")) or meta(c).get("task")}


def answer_sources(nb) -> dict[str, str]:
    return {meta(c)["grade_id"]: c.source for c in nb.cells if meta(c).get("solution")}


def with_answers(nb, sources: dict[str, str]):
    """A copy of ``nb`` whose answer cells (by grade id) get the given sources."""
    copy = nbformat.from_dict(nb)
    for cell in copy.cells:
        gid = meta(cell).get("grade_id")
        if gid in sources and meta(cell).get("solution"):
            cell.source = sources[gid]
    return copy


def strip_solution_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def model_answers(source_nb) -> dict[str, str]:
    """What a strong teacher types: the model answers, without nbgrader's solution markers."""
    return {gid: strip_solution_markers(src) for gid, src in answer_sources(source_nb).items()}


def place_submission(course_dir: Path, student: str, assignment: str, notebooks: dict[str, object],
                     timestamp: datetime | None = None) -> Path:
    """Put notebooks where ``collect`` would have put them (submitted/<student>/<assignment>/)."""
    folder = Path(course_dir) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        if isinstance(nb, str):
            (folder / name).write_text(nb, encoding="utf-8")
        else:
            nbformat.write(nb, str(folder / name))
    stamp = (timestamp or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")
    return folder


def run_as_teacher(app_class, teacher, course_id, assignment_id, exchange, home):
    """Run one of nbgrader's exchange apps as a teacher's server would (their own home and cache)."""
    config = Config()
    config.Exchange.root = str(exchange)
    config.Exchange.path_includes_course = True
    config.Exchange.assignment_dir = str(home)
    config.Exchange.cache = str(home / ".nbgrader-cache")  # each teacher's server has its own HOME
    config.CourseDirectory.course_id = course_id
    config.CourseDirectory.assignment_id = assignment_id
    config.CourseDirectory.student_id = teacher
    app = app_class(coursedir=CourseDirectory(config=config), authenticator=Authenticator(config=config),
                    config=config)
    app.start()
