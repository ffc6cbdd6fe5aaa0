"""The workbench's consent views: a mentor's 可记录范围 (what may be recorded for each mentee) and the school
office's list of missing consents (监护人同意). HTML tables of escaped values, in the service's order.

    panel = ConsentPanel.from_client(client, mentee_ids)  # mentors: their mentees
    office = MissingConsentsPanel.from_client(client)  # school admins: their school
"""

from __future__ import annotations

import html

import ipywidgets as w

from . import consent_texts as T
from .client import RecordsError
from .consent_model import consent_rows, missing_text

CELL = 'style="border:1px solid #ddd;padding:4px 8px"'
TABLE = '<table class="{cls}" style="border-collapse:collapse;width:100%;font-size:14px">'


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def table(cls: str, head: list[str], rows: list[tuple[str, list[str]]]) -> str:
    lines = [TABLE.format(cls=cls), "<tr>" + "".join(f"<th {CELL}>{esc(h)}</th>" for h in head) + "</tr>"]
    for student_id, cells in rows:
        lines.append(f'<tr data-student="{esc(student_id)}">' + "".join(f"<td {CELL}>{esc(c)}</td>" for c in cells)
                     + "</tr>")  # fmt: skip
    return "".join(lines) + "</table>"


def error_widget(error: RecordsError) -> w.HTML:
    return w.HTML(f'<p style="color:#b00020">{esc(T.LOAD_FAILED.format(message=error.message_zh))}</p>')


class ConsentPanel:
    def __init__(self, rows: list[dict]):
        self.rows = consent_rows(rows)
        if not self.rows:
            body = f"<p>{esc(T.NO_MENTEES)}</p>"
        else:
            head = [T.COL_CLASS, T.COL_STUDENT, T.COL_AGE, *T.SCOPES.values(), T.COL_MAY_RECORD]
            body = table("mh-consents", head, [
                (r.student_id, [r.class_id, r.display_name or r.student_id, r.age,
                                *(r.scopes[s] for s in T.SCOPES), r.may_record]) for r in self.rows])  # fmt: skip
        self.table = w.HTML(body)
        self.widget = w.VBox([w.HTML(f"<p>{esc(T.MENTEES_INTRO)}</p>"), self.table])

    @classmethod
    def from_client(cls, client, student_ids=None):
        """The consents the caller may read; with ``student_ids`` only those students' (a school leader's
        mentees, not the whole school)."""
        try:
            rows = client.consents()
        except RecordsError as error:
            return Message(error_widget(error))
        if student_ids is not None:
            wanted = set(student_ids)
            rows = [row for row in rows if row["student_id"] in wanted]
        return cls(rows)


class MissingConsentsPanel:
    def __init__(self, rows: list[dict]):
        self.rows = rows
        if not rows:
            body = f"<p>{esc(T.NONE_MISSING)}</p>"
        else:
            body = table("mh-missing-consents", [T.COL_CLASS, T.COL_STUDENT, T.COL_AGE, T.COL_MISSING], [
                (r["student_id"], [r.get("class_id", ""), r.get("display_name") or r["student_id"],
                                   T.AGE[r.get("under_14")], missing_text(r)]) for r in rows])  # fmt: skip
        self.table = w.HTML(body)
        self.widget = w.VBox([w.HTML(f"<p>{esc(T.SCHOOL_INTRO)}</p>"), self.table])

    @classmethod
    def from_client(cls, client):
        try:
            return cls(client.missing_consents())
        except RecordsError as error:
            return Message(error_widget(error))


class Message:
    def __init__(self, widget):
        self.widget = widget
