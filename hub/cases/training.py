"""Training results for the research dashboards: ``mentorhub training import FILE --course COURSE``.

The path, end to end: a trainer exports a course's gradebook (``mentorhub course export COURSE --output
grades.xlsx``, see ``hub.courses.export``: one row per teacher and assignment, Chinese headers); the
district administrator imports that same file on the hub side with this command. Per teacher, the course
counts as completed when every assignment row says 合格, and the hours are the sum of the rows' 学时. The
store replaces the course's results in one transaction (``RecordStore.put_training_results``), and the
dashboards show completion by school and course from them (small groups blanked, never ranked).

Every row is checked before anything is written; a bad row stops the import with a Chinese message that
names the row (as numbered in a spreadsheet, the header being row 1) and the column.
"""

from __future__ import annotations

import argparse
import csv
import logging
import math
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from hub.courses import texts as course_texts
from hub.spreadsheets import (
    MAX_PROBLEMS,
    TableRefused,
    cell_text,
    check_file_size,
    close_workbook,
    csv_rows,
    from_csv_text,
    more_problems_text,
    open_workbook,
    sheet_rows,
)

log = logging.getLogger(__name__)

COURSE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
HEADERS = course_texts.EXPORT_COLUMNS  # the export's own column names: staff_id -> 工号, …
RESULTS = (course_texts.PASSED_YES, course_texts.PASSED_NO, course_texts.PASSED_PENDING, course_texts.NOT_SUBMITTED)

# --- people-facing text (one place) ---------------------------------------------------------------
CLI_HELP = "培训结果：导入培训成绩导出文件，供研究看板统计培训完成率"
CLI_IMPORT_HELP = "导入一门课程的成绩导出文件（.csv 或 .xlsx，即 mentorhub course export 的输出）"
CLI_ARG_FILE = "成绩导出文件"
CLI_ARG_COURSE = "课程编号（如 foundations）"
ROW_ERROR = "第 {row} 行「{column}」：{problem}"
NOT_IMPORTED = "培训结果未导入（没有写入任何数据）：\n{problems}"
IMPORTED = "已导入课程「{title}」（{course}）的培训结果：{teachers} 名教师，其中 {completed} 名已完成"
PROBLEMS = {
    "bad_format": "不支持的文件格式「{value}」：请使用 .csv 或 .xlsx",
    "unreadable": "无法读取文件：{value}",
    "missing_columns": "缺少列：{value}（请使用 mentorhub course export 导出的文件）",
    "empty": "文件中没有成绩行",
    "bad_course_id": "课程编号「{value}」无效：只能包含字母、数字、下划线和连字符，最长 64 个字符",
    "required": "不能为空",
    "other_course": "课程「{value}」与第一行的课程「{first}」不同：一个文件只能导入一门课程",
    "bad_result": "「{value}」不是有效的结果（应为 合格、不合格、待评分 或 未提交）",
    "bad_hours": "「{value}」不是有效的学时（应为不小于 0 的数字）",
    "unknown_staff": "工号「{value}」不在教职工名册中",
}


class ImportProblem(ValueError):
    """Bad input: ``messages`` are Chinese, one per problem found."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class TeacherResult:
    staff_id: str
    completed: bool
    hours: float
    row: int  # the first spreadsheet row of this teacher


def problem(key: str, **values) -> str:
    return PROBLEMS[key].format(**values)


def row_problem(row: int, column: str, key: str, **values) -> str:
    return ROW_ERROR.format(row=row, column=HEADERS[column], problem=problem(key, **values))


def read_table(path: Path) -> list[dict]:
    """The file's rows as {header: text} (header row excluded), within the limits of ``hub.spreadsheets``.

    CSV cells that the export wrote with a protective apostrophe (``'=...``) are read back as written."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ImportProblem([problem("bad_format", value=suffix or "（无）")])
    try:
        check_file_size(path.stat().st_size)
        if suffix == ".csv":
            text = path.read_bytes().decode("utf-8-sig")
            grid = [[from_csv_text(cell) for cell in row] for row in csv_rows(text, path.name)]
        else:
            book = open_workbook(path)
            try:
                grid = [[cell_text(v) for v in row] for row in sheet_rows(book, book.worksheets[0])]
            finally:
                close_workbook(book)
    except TableRefused as refused:
        raise ImportProblem([refused.message]) from None
    except (OSError, UnicodeDecodeError, ValueError, csv.Error, zipfile.BadZipFile, KeyError, IndexError) as error:
        raise ImportProblem([problem("unreadable", value=error)]) from None
    if not grid:
        return []
    header = [str(h).strip() for h in grid[0]]
    return [dict(zip(header, row, strict=False)) for row in grid[1:] if any(row)]


def parse_hours(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def read_results(path: Path) -> tuple[str, list[TeacherResult]]:
    """(course title, one result per teacher) from a grade export; ImportProblem lists every bad row."""
    table = read_table(Path(path))
    if not table:
        raise ImportProblem([problem("empty")])
    needed = ("staff_id", "course", "passed", "hours")
    missing = [HEADERS[c] for c in needed if HEADERS[c] not in table[0]]
    if missing:
        raise ImportProblem([problem("missing_columns", value="、".join(missing))])
    problems, title, results = [], None, {}
    for index, raw in enumerate(table):
        if len(problems) >= MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], more_problems_text()]
            break
        row = index + 2  # the header is row 1
        cells = {column: str(raw.get(HEADERS[column]) or "").strip() for column in needed}
        bad = False
        for column in ("staff_id", "course"):
            if not cells[column]:
                problems.append(row_problem(row, column, "required"))
                bad = True
        if cells["course"]:
            title = title or cells["course"]
            if cells["course"] != title:
                problems.append(row_problem(row, "course", "other_course", value=cells["course"], first=title))
                bad = True
        if cells["passed"] not in RESULTS:
            problems.append(row_problem(row, "passed", "bad_result", value=cells["passed"]))
            bad = True
        hours = parse_hours(cells["hours"])
        if hours is None:
            problems.append(row_problem(row, "hours", "bad_hours", value=cells["hours"]))
            bad = True
        if bad:
            continue
        result = results.setdefault(cells["staff_id"], TeacherResult(cells["staff_id"], True, 0.0, row))
        result.completed = result.completed and cells["passed"] == course_texts.PASSED_YES
        result.hours += hours
    if problems:
        raise ImportProblem(problems)
    return title, list(results.values())


def import_file(store, path: Path, course_id: str) -> dict:
    """Read, check and store one course's results; returns the store's counts."""
    if not COURSE_ID.fullmatch(course_id or ""):
        raise ImportProblem([problem("bad_course_id", value=course_id)])
    title, results = read_results(path)
    unknown = store.find_unknown_staff([result.staff_id for result in results])
    if unknown:
        raise ImportProblem([row_problem(result.row, "staff_id", "unknown_staff", value=result.staff_id)
                             for result in results if result.staff_id in unknown])  # fmt: skip
    rows = [{"staff_id": r.staff_id, "completed": r.completed, "hours": round(r.hours, 2)} for r in results]
    return store.put_training_results(course_id, title, rows)


def run_import(args: argparse.Namespace) -> int:
    from hub.store import StoreError
    from hub.store.command import open_or_say_why

    store = open_or_say_why(args)
    if store is None:
        return 1
    try:
        counts = import_file(store, Path(args.file), args.course)
    except ImportProblem as error:
        log.error("training results not imported from %s: %d problem(s)", args.file, len(error.messages))
        print(NOT_IMPORTED.format(problems="\n".join(error.messages)), file=sys.stderr)
        return 1
    except StoreError as error:
        log.error("training results not imported: %s", error.message_en)
        print(NOT_IMPORTED.format(problems=error.message_zh), file=sys.stderr)
        return 1
    finally:
        store.close()
    print(IMPORTED.format(**counts))
    return 0


def register(subparsers) -> None:
    from hub.store.command import add_db_option

    parser = subparsers.add_parser("training", help=CLI_HELP, description=CLI_HELP)
    commands = parser.add_subparsers(dest="training_command", metavar="ACTION")
    imported = commands.add_parser("import", help=CLI_IMPORT_HELP, description=CLI_IMPORT_HELP)
    imported.add_argument("file", type=Path, help=CLI_ARG_FILE)
    imported.add_argument("--course", required=True, help=CLI_ARG_COURSE)
    add_db_option(imported)
    imported.set_defaults(func=run_import)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])
