"""A school admin's .xlsx summary of the term's 三个一: counts per class and per mentor, nothing per student.

``summary_frames`` and ``summary_xlsx`` are pure (pandas + openpyxl); ``ExportButton`` is the small view
that builds the file in the kernel and offers it as a download link. Rows are ordered by class id and
mentor id, never by a count, and no student-level content (names, records) ever reaches the file.
"""

from __future__ import annotations

import base64
import html
import io
import logging
from collections import defaultdict
from typing import TYPE_CHECKING

import ipywidgets as w

from .client import RecordsError
from .texts import TEXTS, t
from .tracker_model import TRI_ONE, class_summary

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
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
    import pandas as pd  # imported here: the workbench page should not wait for pandas

    columns = count_columns()
    classes = pd.DataFrame(class_summary(progress), columns=["class_id", "students", *COUNT_KEYS])
    classes = classes.rename(columns={"class_id": t("col_class"), **columns})
    mentors = pd.DataFrame(mentor_counts(progress, assignments or []),
                           columns=["staff_id", "name", "students", *COUNT_KEYS])  # fmt: skip
    mentors = mentors.drop(columns=["staff_id"]).rename(columns={"name": t("col_mentor"), **columns})
    mentors = mentors.rename(columns={t("col_students"): t("col_mentees")})
    return classes, mentors


def summary_xlsx(progress: dict, assignments: list[dict] | None = None) -> bytes:
    import pandas as pd

    classes, mentors = summary_frames(progress, assignments)
    about = [*TEXTS["about_lines"], t("term_line", term=progress.get("term_id", ""))]
    if mentors.empty:
        about.append(t("mentors_unavailable"))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        classes.to_excel(writer, sheet_name=t("sheet_classes"), index=False)
        mentors.to_excel(writer, sheet_name=t("sheet_mentors"), index=False)
        pd.DataFrame({t("sheet_about"): about}).to_excel(writer, sheet_name=t("sheet_about"), index=False)
    return buffer.getvalue()


def export_filename(term_id: str) -> str:
    return f"三个一汇总-{term_id or '当前学期'}.xlsx"


class ExportButton:
    """Build the .xlsx on click and show a download link (works in Voilà and in JupyterLab)."""

    def __init__(self, client, term_id: str = ""):
        self.client = client
        self.term_id = term_id
        self.button = w.Button(description=t("export_button"), icon="download")
        self.link = w.HTML("")
        self.data: bytes | None = None
        self.button.on_click(self._on_click)
        self.widget = w.HBox([self.button, self.link])

    def build(self) -> bytes:
        progress = self.client.progress(self.term_id or None)
        assignments = self.client.assignments(self.term_id or None) if progress.get("mentors") is None else []
        self.data = summary_xlsx(progress, assignments)
        name = export_filename(progress.get("term_id", self.term_id))
        encoded = base64.b64encode(self.data).decode("ascii")
        self.link.value = (f'<a class="mh-export-link" download="{html.escape(name)}" '
                           f'href="data:{XLSX_MIME};base64,{encoded}">{html.escape(t("export_ready", filename=name))}</a>')
        return self.data

    def _on_click(self, _button=None) -> None:
        try:
            self.build()
        except RecordsError as error:
            self.link.value = f'<span style="color:#b00020">{html.escape(t("export_failed", message=error.message_zh))}</span>'
        except Exception:
            log.exception("building the 三个一 export failed")
            self.link.value = f'<span style="color:#b00020">{html.escape(t("unexpected"))}</span>'
