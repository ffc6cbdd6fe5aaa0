"""Keep hidden tests out of the feedback teachers receive.

nbgrader's autograde puts the full test cells (hidden part included) back into the graded notebook, and
``generate_feedback`` renders that notebook as it is: the hidden tests and the traceback lines that quote
them would reach the teacher. The feedback pipeline therefore runs ``ClearHiddenTests`` and then
``HideTestDetails``, which keeps only the assertion message (written as a friendly Chinese hint) of a
failed test cell.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbgrader import utils
from traitlets import Bool

from . import texts


def is_test_cell(cell) -> bool:
    return utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code"


def hint_for(output: dict) -> str:
    """The people-facing line for a failed test cell's error output."""
    if output.get("ename") == "CellTimeoutError":
        return texts.FEEDBACK_TIMEOUT_HINT
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
