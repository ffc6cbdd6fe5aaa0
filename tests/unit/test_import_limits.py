"""Issue 16, finding 10: hostile workbooks and tables are refused early, with a Chinese message naming
the limit, in every import (roster, matching, training results, a course's roster file).

The files are built here: a zip-bomb-like workbook (a sheet that unpacks to more than the limit from a
file of a few hundred kilobytes) and a million-row sheet written streaming into the archive. Memory is
measured with tracemalloc around each refusal (no timings).
"""

from __future__ import annotations

import io
import subprocess
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from hub import spreadsheets
from hub.cases.training import ImportProblem, read_results
from hub.courses.errors import Invalid
from hub.courses.roster import read_roster_csv
from hub.matching.errors import InputError
from hub.matching.io import read_mentors, read_students
from hub.roster import RosterRefused, import_roster_file

REPO = Path(__file__).resolve().parents[2]
ROSTER_COLUMNS = {
    "schools": ["school_id", "name"],
    "classes": ["class_id", "school_id", "grade", "head_teacher_id"],
    "staff": ["staff_id", "name", "school_id", "roles", "classes"],
    "students": ["student_id", "name", "school_id", "class_id", "needs_mentors"],
}
MB = 2**20


def workbook_with(path: Path, sheets: dict[str, list[str]], replace: dict[str, callable]) -> Path:
    """A real workbook (openpyxl) whose sheets named in ``replace`` have their XML written by the given
    function ``write(handle)`` instead, streaming into the archive."""
    template = io.BytesIO()
    book = Workbook(write_only=True)
    for name, header in sheets.items():
        book.create_sheet(name).append(header)
    book.save(template)
    members = {name: f"xl/worksheets/sheet{i}.xml" for i, name in enumerate(sheets, start=1)}
    targets = {members[name]: write for name, write in replace.items()}
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename in targets:
                with out.open(info.filename, "w", force_zip64=True) as handle:
                    targets[info.filename](handle)
            else:
                out.writestr(info, source.read(info.filename))
    return path


def sheet_xml(handle, rows) -> None:
    handle.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                 b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    for chunk in rows:
        handle.write(chunk)
    handle.write(b"</sheetData></worksheet>")


def million_rows(handle) -> None:
    """A header, then a million one-cell rows, written 10,000 at a time."""
    def chunks():
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>student_id</t></is></c></row>'
        for start in range(2, 1_000_002, 10_000):
            yield b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(start, start + 10_000))
    sheet_xml(handle, chunks())


def bomb(handle) -> None:
    """One row whose single cell holds more text than the unpacked limit: compresses about 1000 to 1."""
    block = b"A" * MB
    sheet_xml(handle, [b'<row r="1"><c r="A1" t="inlineStr"><is><t>',
                       *([block] * (spreadsheets.MAX_UNPACKED_BYTES // MB + 20)), b"</t></is></c></row>"])


def wide_row(handle) -> None:
    cells = b"".join(b"<c><v>1</v></c>" for _ in range(spreadsheets.MAX_COLUMNS + 1))
    sheet_xml(handle, [b'<row r="1">' + cells + b"</row>"])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for name, write in (("bomb", bomb), ("million", million_rows), ("wide", wide_row)):
        files[f"roster-{name}"] = workbook_with(folder / f"roster-{name}.xlsx", ROSTER_COLUMNS, {"students": write})
        files[name] = workbook_with(folder / f"{name}.xlsx", {"students": ["student_id"]}, {"students": write})
    return files


MESSAGES = {"bomb": "解压后", "million": f"超过 {spreadsheets.MAX_ROWS} 行", "wide": f"超过 {spreadsheets.MAX_COLUMNS} 列"}


def refused_within_memory(call, limit_mb: int = 60):
    """Run ``call`` (which must raise) and return the exception; the peak of Python allocations during
    the call must stay under ``limit_mb``."""
    tracemalloc.start()
    try:
        with pytest.raises(Exception) as info:
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit_mb * MB, f"peak {peak / MB:.0f} MB"
    return info.value


def test_the_hostile_files_are_what_they_claim(hostile):
    """The bomb is small on disk and large unpacked; the million-row sheet really has a million rows."""
    with zipfile.ZipFile(hostile["bomb"]) as archive:
        assert sum(i.file_size for i in archive.infolist()) > spreadsheets.MAX_UNPACKED_BYTES
    assert hostile["bomb"].stat().st_size < MB
    with zipfile.ZipFile(hostile["million"]) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        assert sheet.read().count(b"<row ") == 1_000_001


@pytest.fixture
def store(empty_store):
    return empty_store


@pytest.mark.parametrize("kind", ["bomb", "million", "wide"])
def test_roster_import_refuses(store, hostile, kind):
    error = refused_within_memory(lambda: import_roster_file(store, hostile[f"roster-{kind}"]))
    assert isinstance(error, RosterRefused)
    assert MESSAGES[kind] in error.problems[0].message, error.problems
    assert store.find_schools() == []


@pytest.mark.parametrize("kind", ["bomb", "million", "wide"])
@pytest.mark.parametrize("upload", [False, True], ids=["file", "upload"])
def test_matching_refuses(hostile, kind, upload):
    path = hostile[kind]
    data = path.read_bytes() if upload else None
    error = refused_within_memory(lambda: read_students(path.name if upload else path, data=data))
    assert isinstance(error, InputError)
    assert MESSAGES[kind] in str(error)


@pytest.mark.parametrize("kind", ["bomb", "million"])
def test_training_import_refuses(hostile, kind):
    error = refused_within_memory(lambda: read_results(hostile[kind]))
    assert isinstance(error, ImportProblem)
    assert MESSAGES[kind] in error.messages[0]


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(tmp_path):
    path = tmp_path / "mentors.xlsx"
    with path.open("wb") as handle:
        handle.truncate(spreadsheets.MAX_FILE_BYTES + 1)
    with pytest.raises(InputError, match="文件过大"):
        read_mentors(path)


def million_line_csv(header: str) -> str:
    return header + "\n" + "x\n" * 1_000_000


def test_csv_tables_are_capped_too(tmp_path, store):
    big = million_line_csv("student_id,name,school_id,class_id,needs_mentors")
    folder = tmp_path / "roster"
    folder.mkdir()
    for sheet, columns in ROSTER_COLUMNS.items():
        (folder / f"{sheet}.csv").write_text(big if sheet == "students" else ",".join(columns) + "\n", encoding="utf-8")
    with pytest.raises(RosterRefused) as refused:
        import_roster_file(store, folder)
    assert any(MESSAGES["million"] in p.message for p in refused.value.problems)
    (tmp_path / "students.csv").write_text(million_line_csv("student_id,class_id,needs_mentors,prefs"), encoding="utf-8")
    with pytest.raises(InputError, match=MESSAGES["million"]):
        read_students(tmp_path / "students.csv")
    (tmp_path / "grades.csv").write_text(million_line_csv("工号,课程,是否合格,学时"), encoding="utf-8")
    with pytest.raises(ImportProblem) as problem:
        read_results(tmp_path / "grades.csv")
    assert MESSAGES["million"] in problem.value.messages[0]
    (tmp_path / "course-roster.csv").write_text(million_line_csv("username,name,school"), encoding="utf-8")
    with pytest.raises(Invalid, match=MESSAGES["million"]):
        read_roster_csv(tmp_path / "course-roster.csv")


def bad_students_roster(folder: Path, rows: int) -> Path:
    folder.mkdir()
    (folder / "schools.csv").write_text("school_id,name\ns1,一中\n", encoding="utf-8")
    (folder / "classes.csv").write_text("class_id,school_id,grade,head_teacher_id\nc1,s1,7,\n", encoding="utf-8")
    (folder / "staff.csv").write_text("staff_id,name,school_id,roles,classes\nt1,王老师,s1,学科教师,c1\n",
                                      encoding="utf-8")  # fmt: skip
    lines = [f"p{i},学生{i},s1,c-nowhere,1" for i in range(rows)]
    (folder / "students.csv").write_text("student_id,name,school_id,class_id,needs_mentors\n" + "\n".join(lines),
                                         encoding="utf-8")  # fmt: skip
    return folder


def test_the_roster_check_stops_after_a_hundred_problems_and_says_there_are_more(tmp_path, store):
    with pytest.raises(RosterRefused) as refused:
        import_roster_file(store, bad_students_roster(tmp_path / "bad", 5000))
    problems = refused.value.problems
    assert refused.value.more and len(problems) == spreadsheets.MAX_PROBLEMS + 1
    assert "超过 100 处" in problems[-1].message
    done = subprocess.run([str(REPO / ".venv" / "bin" / "mentorhub"), "roster", "import", str(tmp_path / "bad"),
                           "--db", f"sqlite:///{tmp_path / 'cli.sqlite'}", "--upgrade"],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "至少有 100 处问题" in done.stdout and "超过 100 处" in done.stdout


def test_a_few_problems_are_all_listed_without_the_note(tmp_path, store):
    with pytest.raises(RosterRefused) as refused:
        import_roster_file(store, bad_students_roster(tmp_path / "bad", 3))
    assert not refused.value.more and len(refused.value.problems) == 3


def test_the_training_import_stops_after_a_hundred_problems(tmp_path):
    rows = "\n".join(f"t{i},课程,不知道,1" for i in range(500))
    (tmp_path / "grades.csv").write_text("工号,课程,是否合格,学时\n" + rows, encoding="utf-8")
    with pytest.raises(ImportProblem) as problem:
        read_results(tmp_path / "grades.csv")
    assert len(problem.value.messages) == spreadsheets.MAX_PROBLEMS + 1
    assert "超过 100 处" in problem.value.messages[-1]
