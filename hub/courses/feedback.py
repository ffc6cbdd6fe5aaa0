"""Keep hidden tests out of the feedback teachers receive.

nbgrader's autograde puts the full test cells (hidden part included) back into the graded notebook, and
``generate_feedback`` renders that notebook as it is: the hidden tests and the traceback lines that quote
them would reach the teacher. The feedback pipeline therefore runs ``ClearHiddenTests`` and then
``HideTestDetails``, which keeps only the assertion message (written as a friendly Chinese hint) of a
failed test cell.
"""

from __future__ import annotations

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

from . import texts


def is_test_cell(cell) -> bool:
    return utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code"


def hint_for(output: dict) -> str:
    """The people-facing line for a failed test cell's error output."""
    if output.get("ename") == "CellTimeoutError":
        return texts.FEEDBACK_TIMEOUT_HINT
    if output.get("ename") == "AnswerUnavailable":
        return texts.FEEDBACK_UNAVAILABLE_HINT
    message = str(output.get("evalue") or "").strip()
    if output.get("ename") != "AssertionError" or not message:
        return texts.FEEDBACK_GENERIC_HINT
    return texts.FEEDBACK_HINT_PREFIX + message


class HideTestDetails(Preprocessor):
    """Replace the outputs of autograder test cells by the hint of their first error, nothing else."""

    enabled = Bool(True, help="Run in the feedback pipeline (nbconvert preprocessors are off by default).").tag(
        config=True)

    def preprocess_cell(self, cell, resources, index):
        if not is_test_cell(cell):
            return cell, resources
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            hint = hint_for(errors[0])
            errors[0]["ename"] = texts.FEEDBACK_HINT_PREFIX.rstrip("：")
            errors[0]["evalue"] = hint
            errors[0]["traceback"] = [hint]
            cell.outputs = [errors[0]]
        else:
            cell.outputs = []
        return cell, resources


class NeutraliseMarkers(Preprocessor):
    """Make nbgrader's region markers inert inside teachers' answers before feedback is generated.

    ``ClearHiddenTests`` looks for "BEGIN HIDDEN TESTS" in every cell and stops the whole notebook with an
    error when an answer contains it without its end marker; a teacher who types the marker must get their
    feedback like everyone else. Only answer (solution) cells are touched; the course's own cells keep
    their markers."""

    enabled = Bool(True, help="Run in the feedback pipeline (nbconvert preprocessors are off by default).").tag(
        config=True)
    markers = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION")

    def preprocess_cell(self, cell, resources, index):
        if utils.is_solution(cell):
            for marker in self.markers:
                cell.source = cell.source.replace(marker, marker.replace(" ", "_") + texts.FEEDBACK_MARKER_NOTE)
        return cell, resources


class MarkPendingGrades(NbGraderPreprocessor):
    """Mark grades that still wait for the trainer, so that the feedback page shows 待评 and not 0."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        self._pending = 0
        with Gradebook(info["db_url"]) as gradebook:
            self._grades = {grade.name: grade for grade in gradebook.find_submission_notebook(
                info["notebook"], info["assignment"], info["student"]).grades}
            nb, resources = super().preprocess(nb, resources)
        info["pending"] = self._pending
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        grade = self._grades.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if grade is not None and (utils.is_grade(cell) or utils.is_task(cell)):
            pending = bool(grade.needs_manual_grade)
            cell.metadata.nbgrader["pending"] = pending
            self._pending += int(pending)
        return cell, resources


class FeedbackExporter(HTMLExporter):
    """The exporter of teachers' feedback pages. A class of its own, so that its template settings (the Chinese
    page in ``hub/courses/templates``) take precedence over the ``HTMLExporter`` settings nbgrader forces."""
