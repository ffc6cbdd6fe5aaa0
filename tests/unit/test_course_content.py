"""Course notebooks are well-formed nbgrader sources: answer cells with hidden tests, rubric cells,
plain Chinese instructions and no committed outputs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from hub.courses.catalog import load_catalog

COURSES = Path(__file__).resolve().parents[2] / "courses"
NOTEBOOKS = sorted(COURSES.glob("*/source/*/*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def nbmeta(cell):
    return cell.metadata.get("nbgrader", {})


def test_every_catalog_assignment_has_notebooks():
    listed = {(c.course_id, a.assignment_id) for c in load_catalog(COURSES).values() for a in c.assignments}
    found = {(p.parts[-4], p.parts[-2]) for p in NOTEBOOKS}
    assert listed == found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parts[-4]}/{p.parts[-2]}")
def test_notebook_structure(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    ids = [nbmeta(c)["grade_id"] for c in nb.cells]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    tests = [c for c in nb.cells if nbmeta(c).get("grade") and not nbmeta(c).get("solution")]
    answers = [c for c in nb.cells if nbmeta(c).get("solution") and not nbmeta(c).get("grade")]
    manual = [c for c in nb.cells if nbmeta(c).get("solution") and nbmeta(c).get("grade")]
    assert tests and answers and manual
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "notebooks are committed without outputs"
            ast.parse(cell.source)
    for cell in tests:
        assert nbmeta(cell)["locked"] and nbmeta(cell)["points"] > 0
        hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)
        assert len(hidden) == 2 and "### END HIDDEN TESTS" in hidden[1]
        messages = re.findall(r'assert .*?, f?"([^"]+)"', hidden[1])
        assert messages and all(CJK.search(m) for m in messages), "every hint is a Chinese sentence"
    for cell in answers:
        template, _, rest = cell.source.partition("### BEGIN SOLUTION")
        assert template.strip() and "### END SOLUTION" in rest, "answer cells keep a template above the solution"
    for cell in manual:
        assert cell.cell_type == "markdown" and "评分要点" in cell.source and nbmeta(cell)["points"] > 0
    instructions = [c for c in nb.cells if c.cell_type == "markdown" and not nbmeta(c).get("grade")]
    assert all(CJK.search(c.source) for c in instructions)
