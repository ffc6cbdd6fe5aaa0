"""Reading the two tables (CSV or XLSX) into records, and writing results atomically.

Every problem is reported with the file, the row as a spreadsheet shows it (header = row 1) and the
column. Outputs go to a temporary file next to the target and are renamed into place only when all
of them are complete, so a failed run leaves no file behind, whole or half.
"""

from __future__ import annotations

import csv
import io as _io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from hub.matching import messages as msg
from hub.matching.errors import InputError, Problem
from hub.matching.model import MAX_CAPACITY, ROLE_ALIASES, Assignment, Instance, MentorRecord, StudentRecord
from hub.spreadsheets import (
    TableRefused,
    cell_text,
    check_file_size,
    close_workbook,
    csv_rows,
    open_workbook,
    sheet_rows,
    write_csv,
    write_xlsx,
    xlsx_bytes,
)

STUDENT_COLUMNS = ("student_id", "class_id", "needs_mentors", "prefs")
MENTOR_COLUMNS = ("mentor_id", "roles", "capacity", "classes", "prefs")
OPTIONAL_COLUMNS = ("name",)
ASSIGNMENT_COLUMNS = ("student_id", "mentor_id", "kind")
SHEET_NAMES = {"students": ("students", "学生"), "mentors": ("mentors", "导师")}
#: Headers people write, in Chinese or English (after ``header_key``'s clean-up), and the column they name.
HEADER_ALIASES = {
    **{zh: column for column, zh in msg.STUDENT_HEADERS.items()},
    **{zh: column for column, zh in msg.MENTOR_HEADERS.items()},
    "学生姓名": "name", "导师姓名": "name", "教师姓名": "name", "display_name": "name", "班级编号": "class_id",
    "导师编号": "mentor_id", "staff_id": "mentor_id", "工号": "mentor_id", "志愿": "prefs", "结对上限": "capacity",
    "max_mentees": "capacity", "导师人数": "needs_mentors",
}  # fmt: skip
BRACKETED = re.compile(r"[（(【\[].*?[）)】\]]")


def header_key(text) -> str:
    """The column a header cell names: ``"志愿导师（教师编号，用分号隔开）"`` and ``" Prefs "`` both name
    ``prefs``; text in brackets, spaces and case do not count."""
    key = BRACKETED.sub("", str(text or "")).strip().lower().replace(" ", "").replace("\u3000", "")
    return HEADER_ALIASES.get(key, key)


def read_students(source: str | Path, data: bytes | None = None) -> list[StudentRecord]:
    """Read the students table from a path, or from ``data`` (an upload) named ``source``."""
    name = Path(source).name
    records, problems = [], []
    rows, (i_id, i_class, i_needs, i_prefs, i_name) = _table(source, data, "students", STUDENT_COLUMNS)
    for row, cells in rows:
        needs = cells[i_needs]
        needs = 1 if needs == "" else _whole_number(needs, 1, name, row, "needs_mentors", problems)
        person = cells[i_name] if i_name is not None else ""
        records.append(StudentRecord(cells[i_id], cells[i_class], needs, _split(cells[i_prefs]), row, person))
    if problems:
        raise InputError(problems)
    return records


def read_mentors(
    source: str | Path, default_capacity: int = MAX_CAPACITY, data: bytes | None = None
) -> list[MentorRecord]:
    """Read the mentors table; a blank capacity takes ``default_capacity``."""
    name = Path(source).name
    records, problems = [], []
    rows, (i_id, i_roles, i_capacity, i_classes, i_prefs, i_name) = _table(source, data, "mentors", MENTOR_COLUMNS)
    for row, cells in rows:
        capacity = _whole_number(cells[i_capacity], default_capacity, name, row, "capacity", problems)
        roles = frozenset(ROLE_ALIASES.get(r, r) for r in _split(cells[i_roles]))
        person = cells[i_name] if i_name is not None else ""
        records.append(
            MentorRecord(cells[i_id], roles, capacity, _split(cells[i_classes]), _split(cells[i_prefs]), row, person)
        )
    if problems:
        raise InputError(problems)
    return records


def load_instance(
    students: str | Path, mentors: str | Path, default_capacity: int = MAX_CAPACITY
) -> Instance:
    """Read both tables and build the checked instance; raise InputError listing every problem."""
    problems: list[Problem] = []
    student_records = mentor_records = None
    try:
        student_records = read_students(students)
    except InputError as error:
        problems += error.problems
    try:
        mentor_records = read_mentors(mentors, default_capacity)
    except InputError as error:
        problems += error.problems
    if problems:
        raise InputError(problems)
    return Instance.from_records(student_records, mentor_records, Path(students).name, Path(mentors).name)


def _table(source, data, table: str, columns) -> tuple[Iterator[tuple[int, list[str | None]]], list[int | None]]:
    """Open a table, check its header (Chinese or English, ``header_key``); return (row number, stripped cells)
    pairs and the positions of ``columns`` then of ``OPTIONAL_COLUMNS`` (None when a table has not got one)."""
    name = Path(source).name
    suffix = Path(source).suffix.lower()
    try:
        if suffix == ".csv":
            rows = _csv_rows(source, data)
        elif suffix in (".xlsx", ".xlsm"):
            rows = _xlsx_rows(source, data, table)
        else:
            raise InputError([Problem(name, None, None, msg.UNSUPPORTED_FORMAT.format(suffix=suffix or "无"))])
        header = next(rows, None)
    except FileNotFoundError:
        raise InputError([Problem(name, None, None, msg.FILE_NOT_FOUND)]) from None
    except TableRefused as error:
        raise InputError([Problem(name, None, None, error.message)]) from None
    except (OSError, ValueError, csv.Error) as error:
        raise InputError([Problem(name, None, None, msg.FILE_UNREADABLE.format(reason=error))]) from error
    if header is None:
        raise InputError([Problem(name, None, None, msg.FILE_EMPTY)])
    names = [header_key(h) for h in header]
    problems = []
    headers = msg.STUDENT_HEADERS if table == "students" else msg.MENTOR_HEADERS
    for column in (*columns, *OPTIONAL_COLUMNS):
        if column not in names:
            if column in OPTIONAL_COLUMNS:
                continue
            expected = "、".join(headers[c] for c in headers if c in columns)
            text = msg.COLUMN_MISSING.format(column=column, name=headers[column], expected=expected)
            problems.append(Problem(name, 1, column, text))
        elif names.count(column) > 1:
            problems.append(Problem(name, 1, column, msg.COLUMN_DUPLICATE.format(column=headers[column])))
    if problems:
        raise InputError(problems)
    positions = [names.index(c) if c in names else None for c in (*columns, *OPTIONAL_COLUMNS)]
    return _data_rows(rows, len(names), name), positions


def _data_rows(rows, width: int, name: str) -> Iterator[tuple[int, list[str]]]:
    row_number = 1
    try:
        for row_number, cells in enumerate(rows, start=2):  # noqa: B007 (used after the loop on error)
            if len(cells) < width:
                if not any(cells):
                    continue  # blank lines are common at the end of spreadsheets
                cells = cells + [""] * (width - len(cells))
            elif not any(cells):
                continue
            yield row_number, cells
    except csv.Error as error:
        text = msg.FILE_UNREADABLE.format(reason=error)
        raise InputError([Problem(name, row_number + 1, None, text)]) from error
    except TableRefused as error:
        raise InputError([Problem(name, None, None, error.message)]) from None


def _csv_rows(source, data) -> Iterator[list[str]]:
    if data is None:
        check_file_size(Path(source).stat().st_size)
        raw = Path(source).read_bytes()
    else:
        check_file_size(len(data))
        raw = bytes(data)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # "CSV" saved by Excel on Chinese Windows
    rows = csv_rows(text, Path(source).name)
    if " " not in text and "\t" not in text:
        return rows  # nothing to strip: skip the per-cell work on large tables
    return ([cell.strip() for cell in raw_row] for raw_row in rows)


def _xlsx_rows(source, data, table: str) -> Iterator[tuple]:
    try:
        book = open_workbook(source, data)
    except (FileNotFoundError, TableRefused):
        raise
    except Exception as error:  # openpyxl raises several unrelated types for a file that is not xlsx
        text = msg.FILE_UNREADABLE.format(reason=f"{type(error).__name__}: {error}")
        raise InputError([Problem(Path(source).name, None, None, text)]) from error
    by_name = {ws.title.strip().lower(): ws for ws in book.worksheets}
    sheet = next((by_name[n] for n in SHEET_NAMES[table] if n in by_name), None)
    if sheet is None and len(book.worksheets) == 1:
        sheet = book.worksheets[0]
    if sheet is None:
        found = "、".join(ws.title for ws in book.worksheets)
        close_workbook(book)
        text = msg.SHEET_MISSING.format(sheet=SHEET_NAMES[table][0], found=found)
        raise InputError([Problem(Path(source).name, None, None, text)])
    return _closing(book, ([cell_text(v) for v in raw_row] for raw_row in sheet_rows(book, sheet)))


def _closing(book, rows: Iterator) -> Iterator:
    try:
        yield from rows
    finally:
        close_workbook(book)


def _split(text: str) -> tuple[str, ...]:
    """Split a ;-separated list (full-width ； too), dropping blanks and spaces around items."""
    if not text:
        return ()
    if "；" in text:
        text = text.replace("；", ";")
    parts = text.split(";")
    if " " in text or "\t" in text or "" in parts:
        return tuple(p.strip() for p in parts if p.strip())
    return tuple(parts)


def _whole_number(text: str, blank: int, name: str, row: int, column: str, problems: list[Problem]) -> int:
    if text == "":
        return blank
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not number.is_integer():
        problems.append(Problem(name, row, column, msg.NOT_WHOLE_NUMBER.format(value=text)))
        return blank
    return int(number)


# ---------------------------------------------------------------------------------------------
# Writing


def assignment_rows(instance: Instance, assignment: Assignment) -> Iterator[tuple[str, str, str]]:
    """(student_id, mentor_id, kind) rows: one primary per student, then its additional mentors."""
    sids, mids = instance.student_ids, instance.mentor_ids
    for s, m in enumerate(assignment.primary):
        yield sids[s], mids[m], "primary"
        for extra in assignment.additional[s]:
            yield sids[s], mids[extra], "additional"


def write_outputs(targets: list[tuple[str | Path, Callable[[_io.BufferedWriter], None]]]) -> None:
    """Write every target atomically: all to temporary files first, then rename them all."""
    done: list[tuple[str, Path]] = []
    try:
        for path, writer in targets:
            path = Path(path)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
            done.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                writer(handle)
                handle.flush()
                os.fsync(handle.fileno())
        for tmp, path in done:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in done:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise


def assignment_writer(path: str | Path, rows: list[tuple[str, ...]] | Iterator, columns=ASSIGNMENT_COLUMNS):
    """A writer for ``write_outputs`` producing CSV (UTF-8 with BOM, for Excel) or XLSX by suffix."""
    if Path(path).suffix.lower() == ".xlsx":
        return lambda handle: _write_xlsx(handle, rows, columns)
    return lambda handle: _write_csv(handle, rows, columns)


def json_writer(data: dict):
    return lambda handle: handle.write(json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")


def _write_csv(handle, rows, columns) -> None:
    text = _io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    write_csv(text, columns, rows)
    text.flush()
    text.detach()


def _write_xlsx(handle, rows, columns) -> None:
    write_xlsx(handle, {"assignments": (columns, rows)})


def template_workbook(students: list[dict] | None = None, mentors: list[dict] | None = None) -> bytes:
    """The .xlsx a school fills in: sheets 学生 and 导师 with Chinese headers (the help text of each column in
    the sheet 说明), optionally holding the school's students (``student_id``, ``name``, ``class_id``,
    ``needs_mentors``) and mentors (``mentor_id``, ``name``, ``roles``, ``capacity``, ``classes``) so that
    only the choices are left to fill in. Formula-safe like every export."""
    def student_row(d):
        return [d.get("student_id", ""), d.get("name", ""), d.get("class_id", ""), d.get("needs_mentors") or 1, ""]

    chinese = {}
    for zh, role in ROLE_ALIASES.items():
        chinese.setdefault(role, zh)

    def mentor_row(d):
        roles = ";".join(chinese.get(r, r) for r in d.get("roles") or ())
        return [d.get("mentor_id", ""), d.get("name", ""), roles, d.get("capacity") or "",
                ";".join(d.get("classes") or ()), ""]  # fmt: skip

    help_rows = [(msg.HELP_INTRO, "", "", "")]
    for sheet, title in (("students", SHEET_NAMES["students"][1]), ("mentors", SHEET_NAMES["mentors"][1])):
        help_rows += [("", "", "", ""), (f"工作表“{title}”", "", "", "")] + list(msg.COLUMN_HELP[sheet])
    return xlsx_bytes({
        SHEET_NAMES["students"][1]: (list(msg.STUDENT_HEADERS.values()), [student_row(d) for d in students or ()]),
        SHEET_NAMES["mentors"][1]: (list(msg.MENTOR_HEADERS.values()), [mentor_row(d) for d in mentors or ()]),
        msg.HELP_SHEET: (msg.HELP_COLUMNS, help_rows),
    })  # fmt: skip

