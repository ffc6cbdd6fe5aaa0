"""Feedback keeps the hint of a failed hidden test and nothing of its source or traceback."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook, new_output

from hub.courses import texts
from hub.courses.feedback import HideTestDetails, hint_for


def grade_cell(outputs, grade=True, solution=False):
    cell = new_code_cell("### BEGIN HIDDEN TESTS\nassert x == 'B', '提示内容'\n### END HIDDEN TESTS",
                         metadata={"nbgrader": {"grade": grade, "solution": solution, "grade_id": "t",
                                                "points": 1, "locked": True}})
    cell.outputs = outputs
    return cell


def error(ename, evalue):
    return new_output("error", ename=ename, evalue=evalue,
                      traceback=[f"----> 2 assert x == 'B', '{evalue}'", f"{ename}: {evalue}"])


def run(cells):
    nb = new_notebook(cells=cells)
    nb, _ = HideTestDetails().preprocess(nb, {})
    return nb


def test_failed_test_shows_only_the_hint():
    nb = run([grade_cell([new_output("stream", name="stdout", text="answer is B"),
                         error("AssertionError", "第1题未得分：请再读一读方案。")])])
    [output] = nb.cells[0].outputs
    assert output["traceback"] == [texts.FEEDBACK_HINT_PREFIX + "第1题未得分：请再读一读方案。"]
    assert "'B'" not in str(output)


def test_other_errors_get_a_generic_hint():
    assert hint_for(error("NameError", "name '答案1' is not defined")) == texts.FEEDBACK_GENERIC_HINT
    assert hint_for(error("CellTimeoutError", "")) == texts.FEEDBACK_TIMEOUT_HINT
    assert hint_for(error("AssertionError", "")) == texts.FEEDBACK_GENERIC_HINT


def test_passing_tests_lose_their_outputs_and_answers_keep_theirs():
    answer = grade_cell([new_output("stream", name="stdout", text="mine")], grade=False, solution=True)
    nb = run([grade_cell([new_output("stream", name="stdout", text="secret")]), answer])
    assert nb.cells[0].outputs == []
    assert nb.cells[1].outputs[0]["text"] == "mine"
