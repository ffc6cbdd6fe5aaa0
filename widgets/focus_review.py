"""排摸重点对象: the page of a school's leaders and psychology teacher (Voilà app 重点对象排摸.ipynb).

The candidates of the term (from concern flags, 多对一 teams and mentors' nominations) by class and student
id, never ranked; a decision (focus / not focus, with a note) per student; and, for a school leader, a
多对一 team for a focus student (lead and members chosen from the school's staff, priority roles first).
The records service decides who may see and do what, and audits every read and write.
"""

from __future__ import annotations

import datetime as dt
import html
import logging

import ipywidgets as w

from . import focus_client
from .client import RecordsError
from .focus_texts import CONCERN_STATUS, OUTCOME_TITLES, SOURCE_TITLES, f
from .style import styled

log = logging.getLogger(__name__)
CELL = 'style="border:1px solid #ddd;padding:4px 8px"'


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def candidates_html(candidates: list[dict]) -> str:
    head = [f("focus_col_class"), f("focus_col_student"), f("focus_col_sources"), f("focus_col_nominations"),
            f("focus_col_decision")]  # fmt: skip
    rows = ["<tr>" + "".join(f"<th {CELL}>{esc(h)}</th>" for h in head) + "</tr>"]
    for c in candidates:
        sources = []
        for source in c["sources"]:
            if source == "concern":
                sources += [f("focus_concern", level=x["level"], status=CONCERN_STATUS.get(x["status"], x["status"]))
                            for x in c["concerns"]]  # fmt: skip
            else:
                sources.append(SOURCE_TITLES[source])
        nominations = "；".join(f"{n['by_name']}：{n['reason']}" for n in c["nominations"])
        decision = c.get("decision")
        outcome = (OUTCOME_TITLES[decision["outcome"]] + (f"（{decision['note']}）" if decision["note"] else "")
                   if decision else f("focus_undecided"))  # fmt: skip
        cells = [c["class_id"], c["display_name"], "、".join(sources), nominations or "—", outcome]
        state = decision["outcome"] if decision else "undecided"
        rows.append(f'<tr class="mh-focus-row" data-student="{esc(c["student_id"])}" data-outcome="{esc(state)}">'
                    + "".join(f'<td {CELL} data-label="{esc(h)}">{esc(v)}</td>' for h, v in zip(head, cells, strict=True))
                    + "</tr>")  # fmt: skip
    return '<table class="mh-focus mh-cards" style="border-collapse:collapse;width:100%;font-size:14px">' + "".join(rows) + "</table>"


class FocusReviewPage:
    def __init__(self, client, review: dict, *, today=dt.date.today):
        self.client, self.today = client, today
        self.title = w.HTML("")
        self.table = w.HTML("")
        self.picker = w.Dropdown(description=f("focus_pick"), options=[], value=None)
        self.outcome = w.ToggleButtons(description=f("focus_outcome"), value="focus",
                                       options=[(title, key) for key, title in OUTCOME_TITLES.items()])  # fmt: skip
        self.note = w.Textarea(description=f("focus_note"))
        self.save = w.Button(description=f("focus_save"), button_style="primary", icon="save")
        self.save.on_click(self._on_decide)
        self.status = w.HTML("")
        decide = w.VBox([self.picker, self.outcome, self.note, self.save])
        decide.add_class("mh-focus-decide")
        self.team_student = w.Dropdown(description=f("focus_pick"), options=[], value=None)
        self.lead = w.Dropdown(description=f("team_lead"), options=[], value=None)
        self.members = w.SelectMultiple(description=f("team_members"), options=[], rows=6)
        self.goals = w.Textarea(description=f("team_goals"), style={"description_width": "initial"})
        self.next_review = w.DatePicker(description=f("team_next"))
        self.team_button = w.Button(description=f("team_save"), button_style="success", icon="users")
        self.team_button.on_click(self._on_team)
        self.team_box = w.VBox([w.HTML(f"<h3>{esc(f('team_title'))}</h3>"), self.team_student, self.lead,
                                self.members, self.goals, self.next_review, self.team_button])  # fmt: skip
        self.team_box.add_class("mh-focus-team")
        self.widget = styled(w.VBox([self.title, w.HTML(f"<p>{esc(f('focus_intro'))}</p>"), self.table, decide,
                                     self.team_box, self.status]))  # fmt: skip
        self.widget.add_class("mh-focus-review")
        self.set_review(review)

    @classmethod
    def from_client(cls, client, **kwargs):
        try:
            return cls(client, focus_client.focus_review(client), **kwargs)
        except RecordsError as error:
            from .term_calendar import MessagePage

            return MessagePage(f("load_failed", message=error.message_zh))

    def set_review(self, review: dict) -> None:
        self.review = review
        candidates = review["candidates"]
        self.by_id = {c["student_id"]: c for c in candidates}
        self.title.value = f"<h2>{esc(f('focus_title', term=review['term_id']))}</h2>"
        self.table.value = candidates_html(candidates) if candidates else f'<p class="mh-focus-none">{esc(f("focus_none"))}</p>'
        chosen = self.picker.value
        self.picker.options = [(f"{c['display_name']}（{c['class_id']}）", c["student_id"]) for c in candidates]
        self.picker.value = chosen if chosen in self.by_id else None
        focus = [c for c in candidates if (c.get("decision") or {}).get("outcome") == "focus"
                 and not c["decision"].get("team_id")]  # fmt: skip
        self.team_student.options = [(f"{c['display_name']}（{c['class_id']}）", c["student_id"]) for c in focus]
        self.team_student.value = None
        staff = [(f"{s['name']}{'（德育骨干）' if s['priority'] else ''}", s["staff_id"]) for s in review.get("staff", [])]
        self.lead.options, self.members.options = staff, staff
        self.lead.value = None
        self.team_box.layout.display = None if review.get("may_start_team") else "none"

    def _say(self, message: str, ok: bool) -> None:
        colour, css = ("#1b5e20", "mh-status-ok") if ok else ("#b00020", "mh-status-error")
        self.status.value = f'<p class="{css}" style="color:{colour}">{esc(message)}</p>'

    def _run(self, action) -> bool:
        try:
            action()
        except RecordsError as error:
            self._say(str(error), False)
            return False
        except Exception:
            log.exception("the focus review failed")
            self._say("发生了意外错误，已记入日志，请稍后再试。", False)
            return False
        return True

    def _on_decide(self, _button=None) -> None:
        student_id = self.picker.value
        if not student_id:
            self._say("请先选择学生。", False)
            return

        def send():
            focus_client.decide_focus(self.client, student_id, self.outcome.value, self.note.value)
            self.set_review(focus_client.focus_review(self.client))

        if self._run(send):
            self.note.value = ""
            name = self.by_id.get(student_id, {}).get("display_name", student_id)
            self._say(f("focus_saved", student=name, outcome=OUTCOME_TITLES[self.outcome.value]), True)

    def _on_team(self, _button=None) -> None:
        student_id = self.team_student.value
        if not student_id:
            self._say(f("team_only_focus"), False)
            return
        body = {"lead_staff_id": self.lead.value or "", "members": list(self.members.value),
                "goals": [line.strip() for line in self.goals.value.splitlines() if line.strip()]}  # fmt: skip
        if self.next_review.value:
            body["next_review"] = self.next_review.value.isoformat()
        made = {}

        def send():
            made.update(focus_client.start_focus_team(self.client, student_id, body))
            self.set_review(focus_client.focus_review(self.client))

        if self._run(send):
            self.goals.value = ""
            name = self.by_id.get(student_id, {}).get("display_name", student_id)
            self._say(f("team_saved", student=name, team=made.get("team_id")), True)
