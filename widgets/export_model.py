"""The school's 三个一 .xlsx summary, pure: counts per class and per mentor, nothing per student.

No ipywidgets here, and pandas/openpyxl are imported only inside the functions that need them, so the
records service (``hub/records/export_handlers.py``, which builds the audited file) and the workbench's
``ExportButton`` (``widgets/export.py``) share this module without either paying for the other's imports.

Rows are ordered by class id and mentor id, never by a count, and no student-level content (names, ids,
records) ever reaches the file: the input is the service's progress answer, of which only ``classes``
and ``mentors`` (or, from an older service, per-student flags joined with assignments) are read.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import TYPE_CHECKING

from .texts import TEXTS, t
from .tracker_model import TRI_ONE, class_summary

if TYPE_CHECKING:
    import pandas as pd

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT_KEYS = (*TRI_ONE, "complete")


def count_columns() -> dict[str, str]:
    return {"students": t("col_students"), **{k: t("col_" + k) for k in TRI_ONE}, "complete": t("col_complete")}


def mentor_counts(progress: dict, assignments: list[dict]) -> list[dict]:
    """Per-mentor counts: the service's own ``mentors`` block when it sends one, else computed from
    per-student progress and the term's assignments (primary and additional mentors both count)."""
    if progress.get("mentors") is not None:
        rows = [{"staff_id": m.get("staff_id", ""), "name": m.get("name", m.get("staff_id", "")),
                 "students": m.get("students", 0), **{k: m.get(k, 0) for k in COUNT_KEYS}}
                for m in progress["mentors"]]  # fmt: skip
        return sorted(rows, key=lambda r: r["staff_id"])
    done = {s["student_id"]: s for s in progress.get("students", [])}
    counts: dict[str, dict] = defaultdict(lambda: {"students": 0, **{k: 0 for k in COUNT_KEYS}})
    for assignment in assignments:
        student = done.get(assignment.get("student_id"))
        if student is None:
            continue
        row = counts[assignment["staff_id"]]
        row["students"] += 1
        for key in TRI_ONE:
            row[key] += bool(student.get(key))
        row["complete"] += all(bool(student.get(k)) for k in TRI_ONE)
    return [{"staff_id": sid, "name": sid, **row} for sid, row in sorted(counts.items())]


def summary_frames(progress: dict, assignments: list[dict] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per class, per mentor) tables with Chinese column titles; counts only."""
    import pandas as pd  # imported here: neither the workbench page nor the service should wait for pandas

    columns = count_columns()
    classes = pd.DataFrame(class_summary(progress), columns=["class_id", "students", *COUNT_KEYS])
    classes = classes.rename(columns={"class_id": t("col_class"), **columns})
    mentors = pd.DataFrame(mentor_counts(progress, assignments or []),
                           columns=["staff_id", "name", "students", *COUNT_KEYS])  # fmt: skip
    mentors = mentors.drop(columns=["staff_id"]).rename(columns={"name": t("col_mentor"), **columns})
    mentors = mentors.rename(columns={t("col_students"): t("col_mentees")})
    return classes, mentors


def about_lines(progress: dict, mentors_empty: bool) -> list[str]:
    """The 说明 sheet: what the file is (and is not), which school and term, how mentors are counted."""
    lines = list(TEXTS["about_lines"])
    if progress.get("school_name") or progress.get("school_id"):
        lines.append(t("export_school", school=progress.get("school_name") or progress["school_id"]))
    term = progress.get("term_id", "")
    if progress.get("start_date") and progress.get("end_date"):
        lines.append(t("export_term_dates", term=term, start=progress["start_date"], end=progress["end_date"]))
    else:
        lines.append(t("export_term", term=term))
    due = {k: (progress.get("due") or {}).get(k) or t("no_due") for k in TRI_ONE}
    lines.append(t("due_line", **due))
    if not mentors_empty:
        lines.append(t("about_mentors"))
    else:
        lines.append(t("mentors_none") if progress.get("mentors") is not None else t("mentors_unavailable"))
    return lines


def summary_xlsx(progress: dict, assignments: list[dict] | None = None) -> bytes:
    """The workbook: sheets 按班级, 按导师 and 说明, formula-safe (names come from the roster)."""
    import pandas as pd

    from hub.spreadsheets import frames_xlsx

    classes, mentors = summary_frames(progress, assignments)
    about = pd.DataFrame({t("sheet_about"): about_lines(progress, mentors.empty)})
    buffer = io.BytesIO()
    frames_xlsx(buffer, {t("sheet_classes"): classes, t("sheet_mentors"): mentors, t("sheet_about"): about})
    return buffer.getvalue()


def export_filename(term_id: str, school: str = "") -> str:
    """E.g. ``三个一汇总-东湖初级中学-2025-2026-1.xlsx``."""
    parts = ["三个一汇总", *([school] if school else []), term_id or "当前学期"]
    return "-".join(part.replace("/", "_").replace("\\", "_") for part in parts) + ".xlsx"
