"""Issue 16, finding 9: no export of the project turns a name or a text into a live formula.

Each export is produced with hostile names and texts (``HOSTILE``), and the produced file is opened as a
spreadsheet program would: in .xlsx no cell is a formula and every hostile text is kept exactly; in CSV no
cell begins with a formula character and every hostile text is there behind its protective apostrophe.
The last tests list every module of ``hub/`` and ``widgets/`` that writes or reads a spreadsheet, so
that a new writer that bypasses ``hub.spreadsheets`` fails here.
"""

from __future__ import annotations

import ast
import csv
import io
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from hub.cases.discussion import CONTRIBUTION_ROUNDS
from hub.courses.export import COLUMNS, write_rows
from hub.matching.io import assignment_writer, write_outputs
from hub.spreadsheets import FORMULA_STARTS, csv_text, from_csv_text
from widgets.export_model import summary_xlsx

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/","点此查看成绩")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def xlsx_cells(source) -> list:
    book = openpyxl.load_workbook(source)
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def assert_xlsx_safe(source, expected: list[str]) -> None:
    cells = xlsx_cells(source)
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert not formulas, formulas
    values = [c.value for c in cells]
    for text in expected:
        assert text in values, (text, values)
        assert all(c.quotePrefix for c in cells if c.value == text)


def assert_csv_safe(path: Path, expected: list[str]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    for text in expected:
        assert "'" + text in cells, (text, cells)
        assert from_csv_text("'" + text) == text


def test_the_helper_leaves_ordinary_text_and_numbers_alone():
    assert [csv_text(v) for v in ("王老师", "CN2019A07", 3, -2.5, "", None)] == ["王老师", "CN2019A07", 3, -2.5, "", None]
    assert from_csv_text("'王老师") == "'王老师"  # an apostrophe the helper did not add is kept


def test_the_schools_progress_workbook(tmp_path):
    """The records service's exports/progress.xlsx and the workbench button build it with summary_xlsx."""
    mentors = [{"staff_id": f"t{i}", "name": name, "students": 1, "home_visit": 1, "talk": 0, "growth_message": 0,
                "complete": 0} for i, name in enumerate(HOSTILE)]  # fmt: skip
    classes = [{"class_id": name, "students": 1, "home_visit": 1, "talk": 0, "growth_message": 0, "complete": 0}
               for name in HOSTILE[:2]]  # fmt: skip
    progress = {"term_id": "2025-2026-1", "school_id": "dh", "school_name": HOSTILE[0], "classes": classes,
                "mentors": mentors}  # fmt: skip
    assert_xlsx_safe(io.BytesIO(summary_xlsx(progress)), HOSTILE)


def grade_row(name: str) -> dict:
    row = dict.fromkeys(COLUMNS, "")
    row.update(staff_id="D1", name=name, school=name, course="课程", assignment="作业", score=1.0, max_score=2.0,
               passed="合格", hours=1.0)
    return row


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_course_grade_export(tmp_path, suffix):
    path = write_rows([grade_row(name) for name in HOSTILE], tmp_path / f"grades{suffix}")
    if suffix == ".csv":
        assert_csv_safe(path, HOSTILE)
    else:
        assert_xlsx_safe(path, HOSTILE)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_real_course_export_command_on_a_gradebook_name_set_by_graded_code(tmp_path, suffix):
    """``mentorhub course export``, run as a trainer runs it, on a gradebook whose student name a
    submission's code rewrote; the roster gives no name, so the gradebook's is exported."""
    from nbgrader.api import Gradebook

    state, courses = tmp_path / "state", REPO / "courses"
    base = [str(VENV_BIN / "mentorhub"), "course", "--courses-dir", str(courses), "--state-dir", str(state)]
    subprocess.run([*base, "sync-roster", "foundations", "--users", "teacherx"], check=True, capture_output=True,
                   cwd=tmp_path, timeout=120)  # fmt: skip
    hostile = HOSTILE[1]
    with Gradebook(f"sqlite:///{state / 'courses' / 'foundations' / 'gradebook.db'}", "foundations") as gradebook:
        gradebook.update_or_create_student("teacherx", last_name=hostile)
        gradebook.update_or_create_assignment("policy-basics")
        gradebook.add_notebook("policy-basics", "policy-basics")
    output = tmp_path / f"grades{suffix}"
    done = subprocess.run([*base, "export", "foundations", "--output", str(output)], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    if suffix == ".csv":
        assert_csv_safe(output, [hostile])
    else:
        assert_xlsx_safe(output, [hostile])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_matching_results(tmp_path, suffix):
    path = tmp_path / f"assignments{suffix}"
    rows = [(name, f"m{i}", "primary") for i, name in enumerate(HOSTILE)]
    write_outputs([(path, assignment_writer(path, rows))])
    if suffix == ".csv":
        assert_csv_safe(path, HOSTILE)
    else:
        assert_xlsx_safe(path, HOSTILE)


def test_the_discussion_minutes_docx_keeps_hostile_text_as_plain_text():
    """Word evaluates only field codes, never typed text: the minutes hold the texts as plain runs and
    no field at all (a .docx has no cells; the Markdown minutes escape their own control characters)."""
    from hub.cases.discussion import Contribution, RoomView, Session
    from hub.cases.minutes import minutes_docx

    session = Session(id="s1", studio=HOSTILE[1], case_id="c1", case_title=HOSTILE[0], leader="leader1",
                      members=("teacher1",), participants=["teacher1"], summary=HOSTILE[2])  # fmt: skip
    said = Contribution(id="k1", session_id="s1", author="teacher1", round=CONTRIBUTION_ROUNDS[0], text=HOSTILE[3],
                        created_at="2025-01-01T00:00:00+00:00", updated_at="2025-01-01T00:00:00+00:00")  # fmt: skip
    data = minutes_docx(RoomView(session=session, viewer="leader1", contributions=(said,), tally=(), my_vote=None))
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "fldSimple" not in document and "instrText" not in document and "fldChar" not in document
    import docx

    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert HOSTILE[0] in texts and HOSTILE[2] in texts and any(HOSTILE[3] in t for t in texts)


# --- every spreadsheet writer and reader goes through hub.spreadsheets -------------------------------

WRITERS = {"writer", "DictWriter", "to_csv", "to_excel", "ExcelWriter", "Workbook", "WriteOnlyCell",
           "xlsxwriter", "add_table", "load_workbook", "read_excel", "read_csv", "reader", "DictReader"}  # fmt: skip
AMBIGUOUS = {"reader", "writer", "load_workbook", "DictReader", "DictWriter"}
ALLOWED = {"hub/spreadsheets.py"}


def spreadsheet_calls(path: Path) -> list[str]:
    """Calls and imports of ``WRITERS`` in one module (``csv.writer``, ``frame.to_excel``, ``from openpyxl
    import Workbook``, ...); ``csv.reader`` only counts with its module, as ``reader`` is a common name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in (
                "openpyxl", "csv", "xlsxwriter", "docx"):
            found += [f"from {node.module} import {a.name}" for a in node.names if a.name in WRITERS]
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name in ("xlsxwriter", "openpyxl")]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            if name in AMBIGUOUS and owner not in ("csv", "openpyxl"):
                continue  # the project's own (MatchingModel.load_workbook); imported ones are caught above
            if name in WRITERS:
                found.append(f"{owner + '.' if owner else ''}{name}()")
    return found


def test_no_module_writes_or_reads_a_spreadsheet_except_through_the_helper():
    offenders = {}
    for path in sorted([*REPO.glob("hub/**/*.py"), *REPO.glob("widgets/**/*.py"), *REPO.glob("casestudies/**/*.py")]):
        relative = path.relative_to(REPO).as_posix()
        if relative not in ALLOWED and (calls := spreadsheet_calls(path)):
            offenders[relative] = calls
    assert not offenders, f"spreadsheets must be written and read through hub.spreadsheets: {offenders}"


def test_the_listing_finds_an_unguarded_writer(tmp_path):
    """The check above can fail: each way of writing a spreadsheet is seen."""
    module = tmp_path / "export_new.py"
    module.write_text("import csv\nimport pandas as pd\nfrom openpyxl import Workbook\n"
                      "def f(h, frame):\n    csv.writer(h).writerow(['='])\n    frame.to_excel('x.xlsx')\n"
                      "    frame.to_csv('x.csv')\n    pd.ExcelWriter('y')\n", encoding="utf-8")  # fmt: skip
    assert sorted(spreadsheet_calls(module)) == sorted(["from openpyxl import Workbook", "csv.writer()",
                                                        "frame.to_excel()", "frame.to_csv()", "pd.ExcelWriter()"])
