"""`mentorhub guardians import FILE`: students' guardians and their consents, imported with the roster.

FILE is an .xlsx workbook with a sheet ``guardians``, or a ``guardians.csv`` (UTF-8), one row per guardian:

    student_id, relation, name, contact_channel, is_primary, scopes, policy_version, given_via, granted_on

``scopes`` lists what the guardian agreed to (``mentor_records`` / 导师记录, ``home_visit`` / 家访, ``referral`` /
校外转介, separated by ; or 、; empty: none yet), with the notice version they read (``policy_version``), how
(``given_via``: 书面签字, 平台确认, 当面确认并登记) and when (``granted_on``, YYYY-MM-DD). Every cell is checked
first; with any problem the whole file is refused, the problems listed by row and column (the first 100).
Re-importing changes nothing (``RecordStore.import_guardians``: a guardian is known by student, relation and
name; a scope already agreed to is kept). Contacts are encrypted at rest. Withdrawals are made one by one
by the school office (``POST consents/{id}/withdraw``), never by an import.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from hub.spreadsheets import (
    MAX_PROBLEMS,
    TableRefused,
    cell_text,
    close_workbook,
    csv_rows,
    open_workbook,
    sheet_rows,
)
from hub.store.consent_verbs import CONSENT_METHODS, CONSENT_SCOPES, GUARDIAN_RELATIONS, SCOPE_SHORT

SHEET = "guardians"
COLUMNS = ("student_id", "relation", "name", "contact_channel", "is_primary", "scopes", "policy_version", "given_via",
           "granted_on")  # fmt: skip
REQUIRED = ("student_id", "relation", "name")
SCOPE_NAMES = {**{scope: scope for scope in CONSENT_SCOPES}, **{label: scope for scope, label in SCOPE_SHORT.items()}}
SPLIT = re.compile(r"[;；,，、\s]+")
YES = {"1", "是", "yes", "true", "y"}

TEXTS = {
    "no_file": "找不到文件：{path}",
    "unreadable": "文件不是有效的 Excel 工作簿（.xlsx）或 UTF-8 的 CSV 文件",
    "no_sheet": "工作簿中没有“guardians”工作表",
    "missing_column": "缺少列“{column}”",
    "required": "此项不能为空",
    "unknown_student": "学生“{value}”不在花名册中",
    "bad_relation": "与学生关系只能是：{choices}",
    "bad_scope": "无法识别的同意范围“{value}”（可填：导师记录、家访、校外转介）",
    "bad_method": "同意方式只能是：{choices}",
    "bad_day": "日期格式应为 2026-09-01，且不晚于今天",
    "needs_version": "填写了同意范围时，告知书版本不能为空",
    "too_long": "内容过长（最多 {limit} 个字）",
    "refused": "监护人名单有 {count} 处问题，整个文件未导入：",
    "line": "[第{row}行 {column}] {message}",
    "done": "监护人名单已导入：新增监护人 {guardians} 名，新增同意 {consents} 项，已有监护人 {unchanged} 名",
}


def read_rows(path: Path) -> list[dict]:
    """The rows as {column: text, "_row": n}; ``ValueError`` with a Chinese message when the file is unusable."""
    if not path.exists():
        raise ValueError(TEXTS["no_file"].format(path=path))
    try:
        if path.suffix.lower() == ".csv":
            grid = list(csv_rows(path.read_bytes().decode("utf-8-sig"), path.name))
        else:
            book = open_workbook(path)
            try:
                sheet = next((s for s in book.worksheets if s.title.strip() == SHEET), None)
                if sheet is None:
                    raise ValueError(TEXTS["no_sheet"])
                grid = [[cell_text(v) for v in row] for row in sheet_rows(book, sheet)]
            finally:
                close_workbook(book)
    except TableRefused as refused:
        raise ValueError(refused.message) from None
    except ValueError:
        raise
    except Exception:  # zipfile and openpyxl raise many kinds for a file that is not a workbook
        raise ValueError(TEXTS["unreadable"]) from None
    header = [str(cell).strip() for cell in (grid[0] if grid else [])]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ValueError(TEXTS["missing_column"].format(column=missing[0]))
    rows = [{**{key: (cells[i].strip() if i < len(cells) else "") for i, key in enumerate(header) if key},
             "_row": n + 2} for n, cells in enumerate(grid[1:])]  # fmt: skip
    return [row for row in rows if any(value for key, value in row.items() if key != "_row")]


def check_rows(rows: list[dict], students: set[str], today: dt.date) -> tuple[list[dict], list[str]]:
    """(rows for ``import_guardians``, problems as Chinese lines)."""
    problems, cleaned = [], []

    def problem(row, column, key, **values):
        if len(problems) < MAX_PROBLEMS:
            problems.append(TEXTS["line"].format(row=row["_row"], column=column, message=TEXTS[key].format(**values)))

    for row in rows:
        before = len(problems)
        for column in REQUIRED:
            if not row.get(column):
                problem(row, column, "required")
        if row.get("student_id") and row["student_id"] not in students:
            problem(row, "student_id", "unknown_student", value=row["student_id"][:32])
        if row.get("relation") and row["relation"] not in GUARDIAN_RELATIONS:
            problem(row, "relation", "bad_relation", choices="、".join(GUARDIAN_RELATIONS))
        for column, limit in (("name", 50), ("contact_channel", 100), ("policy_version", 20)):
            if len(row.get(column, "")) > limit:
                problem(row, column, "too_long", limit=limit)
        scopes = [part for part in SPLIT.split(row.get("scopes", "")) if part]
        for part in scopes:
            if part not in SCOPE_NAMES:
                problem(row, "scopes", "bad_scope", value=part[:20])
        if scopes:
            if not row.get("policy_version"):
                problem(row, "policy_version", "needs_version")
            if row.get("given_via") not in CONSENT_METHODS:
                problem(row, "given_via", "bad_method", choices="、".join(CONSENT_METHODS))
            try:
                granted = dt.date.fromisoformat(row["granted_on"]) if row.get("granted_on") else today
                if granted > today:
                    raise ValueError
            except ValueError:
                problem(row, "granted_on", "bad_day")
        if len(problems) == before:
            cleaned.append({"student_id": row["student_id"], "relation": row["relation"], "name": row["name"],
                            "contact_channel": row.get("contact_channel", ""),
                            "is_primary": row.get("is_primary", "").lower() in YES,
                            "consents": [{"scope": SCOPE_NAMES[part], "policy_version": row["policy_version"],
                                          "given_via": row["given_via"], "granted_on": row.get("granted_on") or None}
                                         for part in dict.fromkeys(scopes)]})  # fmt: skip
    return cleaned, problems


def run_import(args) -> int:
    from hub.store.command import open_from_args

    try:
        rows = read_rows(Path(args.file))
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 1
    store = open_from_args(args)
    try:
        students = {student.student_id for student in store.find_students_in()}
        cleaned, problems = check_rows(rows, students, store.today())
        if problems:
            print(TEXTS["refused"].format(count=len(problems)), file=sys.stderr)
            for line in problems:
                print(line, file=sys.stderr)
            return 1
        counts = store.import_guardians(cleaned, recorded_by="mentorhub-import")
    finally:
        store.close()
    print(TEXTS["done"].format(**counts))
    return 0


def register(subparsers) -> None:
    from hub.store.command import add_db_option

    guardians = subparsers.add_parser("guardians", help="监护人与同意 (guardians and consents)")
    actions = guardians.add_subparsers(dest="guardians_command", metavar="ACTION")
    imported = actions.add_parser("import", help="从 .xlsx（guardians 工作表）或 guardians.csv 导入监护人及其同意")
    imported.add_argument("file", metavar="FILE")
    add_db_option(imported)
    imported.set_defaults(func=run_import)
    guardians.set_defaults(func=lambda args: (guardians.print_help(), 2)[1])
