"""Grades and credit hours per teacher and assignment, as a school reports them (.csv / .xlsx).

Rows are ordered by staff id and assignment order, never by score: nothing here ranks anyone.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.spreadsheets import write_csv, write_xlsx

from . import texts
from .catalog import Assignment, Course
from .errors import Invalid

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
COLUMNS = tuple(texts.EXPORT_COLUMNS)


def assignment_result(assignment: Assignment, score: float | None, max_score: float,
                      needs_manual_grade: bool) -> tuple[str, float]:
    """(passed label, hours earned) for one submission; ``score=None`` means not submitted."""
    if score is None:
        return texts.NOT_SUBMITTED, 0.0
    if needs_manual_grade:
        return texts.PASSED_PENDING, 0.0
    if max_score > 0 and score + 1e-9 >= assignment.pass_ratio * max_score:
        return texts.PASSED_YES, assignment.credit_hours
    return texts.PASSED_NO, 0.0


def local_date(timestamp: datetime | None) -> str:
    if timestamp is None:
        return ""
    if timestamp.tzinfo is None:  # nbgrader stores naive UTC
        timestamp = timestamp.replace(tzinfo=ZoneInfo("UTC"))
    return timestamp.astimezone(LOCAL_ZONE).date().isoformat()


def grade_rows(course: Course, gradebook, roster: dict[str, dict]) -> list[dict]:
    """One row per (teacher in the gradebook, assignment of the course)."""
    from nbgrader.api import MissingEntry

    rows = []
    for student in sorted(gradebook.students, key=lambda s: s.id):
        info = roster.get(student.id, {})
        for assignment in course.assignments:
            try:
                recorded = gradebook.find_assignment(assignment.assignment_id)
            except MissingEntry:
                continue
            if not recorded.notebooks:  # registered but never generated: nothing to report yet
                continue
            max_score = float(recorded.max_score)
            try:
                submission = gradebook.find_submission(assignment.assignment_id, student.id)
                score, needs, stamp = float(submission.score), submission.needs_manual_grade, submission.timestamp
            except MissingEntry:
                score, needs, stamp = None, False, None
            passed, hours = assignment_result(assignment, score, max_score, needs)
            rows.append({
                "staff_id": info.get("staff_id") or student.id,
                "name": info.get("name") or student.last_name or "",
                "school": info.get("school", ""),
                "course": course.title,
                "assignment": assignment.title,
                "score": round(score or 0.0, 2),
                "max_score": round(max_score, 2),
                "passed": passed,
                "hours": hours,
                "date": local_date(stamp),
            })
    return rows


def write_rows(rows: list[dict], path: Path) -> Path:
    """Write with Chinese headers; .csv is UTF-8 with BOM so that Excel opens it correctly. Every cell is
    formula-safe: names come from the gradebook, which graded code can write to."""
    path = Path(path)
    headers = [texts.EXPORT_COLUMNS[c] for c in COLUMNS]
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise Invalid(texts.EXPORT_UNKNOWN_FORMAT.format(suffix=suffix or "（无）"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp" + path.suffix)
    cells = [[row[c] for c in COLUMNS] for row in rows]
    if suffix == ".csv":
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            write_csv(handle, headers, cells)
    else:
        write_xlsx(tmp, {texts.EXPORT_SHEET: (headers, cells)})
    tmp.replace(path)
    return path
